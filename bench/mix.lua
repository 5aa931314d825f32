-- wrk script: GET a random path from URLS_FILE, stop each thread after its share of
-- MAX_REQUESTS (the run is bounded in count as well as by wrk's -d duration), and print
-- p50/p95/p99 and the status counts at the end.
local paths = {}
local limit = 0
local count = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("URLS_FILE")) do
    paths[#paths + 1] = line
  end
  limit = tonumber(os.getenv("MAX_REQUESTS_PER_THREAD") or "0")
  math.randomseed(os.time() * 1000 + id)
  errors = 0
  redirects = 0
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  count = count + 1
  -- A redirect (/api/ to its docs, an alias to its paper) is a right answer; 4xx/5xx not.
  if status >= 400 then
    errors = errors + 1
  elseif status >= 300 then
    redirects = redirects + 1
  end
  if limit > 0 and count >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad, moved = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("errors") or 0)
    moved = moved + (thread:get("redirects") or 0)
  end
  local seconds = summary.duration / 1e6
  io.write("--- papershelf load test ---\n")
  io.write(string.format("requests: %d in %.1f s\n", summary.requests, seconds))
  io.write(string.format("requests/s: %.1f\n", summary.requests / seconds))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("p%d: %.1f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max: %.1f ms\n", latency.max / 1000))
  io.write(string.format("error responses (4xx/5xx): %d\n", bad))
  io.write(string.format("redirects (3xx): %d\n", moved))
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
