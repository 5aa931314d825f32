#!/usr/bin/env bash
# make loadtest: gunicorn + PostgreSQL + PAPERS synthetic papers, then DURATION seconds of
# mixed GET traffic from wrk over loopback (bounded by time and by MAX_REQUESTS), with
# requests/s, p50/p95/p99 and the workers' memory at start and end. Results go to
# bench/results/<time>/; copy the summary into docs/PERFORMANCE.md.
#
#   make loadtest                              # 100,000 papers, 5 minutes
#   PAPERS=10000 DURATION=60 make loadtest     # a quicker look
#
# It only ever talks to 127.0.0.1, and uses its own database (BENCH_DB), never yours.
set -euo pipefail
cd "$(dirname "$0")/.."

PAPERS=${PAPERS:-100000}
DURATION=${DURATION:-300}
WARMUP=${WARMUP:-15}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-3}
MAX_REQUESTS=${MAX_REQUESTS:-3000000}
BENCH_DB=${BENCH_DB:-papershelf_bench}
PORT=${PORT:-8765}
PY=.venv/bin/python
OUT="bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"

export DEBUG=0 SECRET_KEY="loadtest-only-$(head -c 24 /dev/urandom | base64)" \
  ALLOWED_HOSTS=127.0.0.1 SITE_URL="http://127.0.0.1:$PORT" SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 CONN_MAX_AGE=60 \
  CACHE_URL="${CACHE_URL:-redis://127.0.0.1:6379/3}" \
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$BENCH_DB" \
  STATIC_ROOT="$OUT/static" DJANGO_SETTINGS_MODULE=config.settings

say() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1
  fi
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }

say "database $BENCH_DB with $PAPERS papers"
psql_() { psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ -z "$(psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'")" ]; then
  psql_ -d postgres -c "CREATE DATABASE \"$BENCH_DB\""
fi
$PY manage.py migrate --noinput -v 0
have=$($PY manage.py shell -v 0 -c "from papers.models import Paper; print(Paper.objects.count())")
if [ "$have" != "$PAPERS" ]; then
  if [ "$have" != 0 ]; then  # another size: start again from an empty database
    psql_ -d postgres -c "DROP DATABASE \"$BENCH_DB\" WITH (FORCE)" -c "CREATE DATABASE \"$BENCH_DB\""
    $PY manage.py migrate --noinput -v 0
  fi
  started=$(date +%s)
  DB_STATEMENT_TIMEOUT=0 $PY manage.py synth --papers "$PAPERS"
  # synth bulk-inserts, which sends no signals: build the search documents once.
  DB_STATEMENT_TIMEOUT=0 $PY manage.py search_index
  echo "filled and indexed in $(( $(date +%s) - started )) s"
  psql_ -d "$BENCH_DB" -c "VACUUM ANALYZE"
fi

say "static files and URL mix"
$PY manage.py collectstatic --noinput -v 0
$PY bench/urls.py > "$OUT/urls.txt"
echo "$(wc -l < "$OUT/urls.txt") paths, $(sort -u "$OUT/urls.txt" | wc -l) distinct"

say "gunicorn ($WORKERS workers) on 127.0.0.1:$PORT"
# The access log is how a failed request is traced to its path (wrk only counts them).
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --timeout 30 --log-level warning --error-logfile "$OUT/gunicorn.log" \
  --access-logfile "$OUT/access.log" --access-logformat '%(s)s %(M)sms %(r)s' &
MASTER=$!
trap 'kill "$MASTER" 2>/dev/null || true; wait "$MASTER" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break; sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null

worker_memory() {  # "pid:RSS MiB" for each worker of our gunicorn master
  for pid in $(pgrep -P "$MASTER"); do
    printf '%s:%s ' "$pid" "$(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 ))"
  done
}

export URLS_FILE="$OUT/urls.txt"
export MAX_REQUESTS_PER_THREAD=$(( MAX_REQUESTS / THREADS ))
say "warm-up ($WARMUP s, not counted)"
wrk -t "$THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" --timeout 10s -s bench/mix.lua \
  "http://127.0.0.1:$PORT" > "$OUT/warmup.txt"
MEM_START=$(worker_memory)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

say "load: $DURATION s, $CONNECTIONS connections, at most $MAX_REQUESTS requests"
wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s --latency -s bench/mix.lua \
  "http://127.0.0.1:$PORT" | tee "$OUT/wrk.txt"
MEM_END=$(worker_memory)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "papers: $($PY manage.py shell -v 0 -c "from papers.models import Paper; print(Paper.objects.count())")"
  echo "workers: $WORKERS, connections: $CONNECTIONS, threads: $THREADS, duration: $DURATION s"
  echo "worker RSS MiB at start: $MEM_START"
  echo "worker RSS MiB at end:   $MEM_END"
  echo "cpu: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "load average (1/5/15 min) at start: $LOAD_START, at end: $LOAD_END"
  grep -E '^(requests|requests/s|p50|p95|p99|max|error|redirects|socket)' "$OUT/wrk.txt"
  # Warm-up and load together: every answer that was not a 200 (or 301/302/304), by path.
  echo "answers other than 200/30x in the access log (status, time, request):"
  # (sed -n, not head: head closing the pipe early would fail the script under pipefail)
  awk '$1 !~ /^(200|301|302|304)$/ {print $1, $4}' "$OUT/access.log" | sort | uniq -c \
    | sort -rn | sed -n 1,20p
  echo "slowest requests in the access log (ms, status, path):"
  awk '{sub("ms", "", $2); print $2, $1, $4}' "$OUT/access.log" | sort -n -r | sed -n 1,5p
  echo "worker time by page type (ms in all, requests, mean ms, first path segment):"
  awk '{t = $2; sub("ms", "", t); split($4, a, "?"); split(a[1], seg, "/");
        k = "/" seg[2] (seg[3] != "" ? "/<x>" : "") (a[2] != "" ? "?…" : "");
        n[k]++; s[k] += t} END {for (k in n) printf "%9d %6d %8.1f  %s\n", s[k], n[k], s[k] / n[k], k}' \
    "$OUT/access.log" | sort -rn | sed -n 1,15p
} | tee "$OUT/summary.txt"
say "results in $OUT"
