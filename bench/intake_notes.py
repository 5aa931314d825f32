"""Benchmark: import a generated notes file of N entries into a fresh SQLite database.

    .venv/bin/python bench/intake_notes.py            # 1,000 entries
    .venv/bin/python bench/intake_notes.py -n 5000 --profile

The file mixes the shapes people write: topic headings and month headings, bold-title
items with authors, a year and [pdf]/[code] links, link-title items with an alias,
sub-bullet notes with a mention of another paper, and a table.
"""

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "learning", "deep", "neural", "networks", "attention", "transformer", "diffusion",
    "graph", "sparse", "robust", "efficient", "scalable", "latent", "variational",
    "contrastive", "generative", "models", "vision", "language", "reinforcement",
    "policy", "representation", "self-supervised",
]  # fmt: skip


def make_notes(n, seed=11):
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    lines = ["# My reading notes", ""]
    for i in range(n):
        if i % 50 == 0:
            lines += ["", f"## Topic {i // 50}", "", f"#### 20{10 + i % 14}-{1 + i % 12:02d}", ""]
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
        title += f" {i}"
        arxiv = f"{rng.randint(15, 24)}{rng.randint(1, 12):02d}.{i:05d}"
        year = 2000 + int(arxiv[:2])
        if i % 3 == 0:
            lines.append(
                f"- **{title}** ({year}), A. Author{i % 97} et al. "
                f"[[pdf]](https://arxiv.org/pdf/{arxiv}) [[code]](https://github.com/ex/r{i})"
            )
        elif i % 3 == 1:
            lines.append(f"- [{title}](https://arxiv.org/abs/{arxiv}) (M{i})")
        else:
            lines.append(f"- {title} [[Paper](https://arxiv.org/abs/{arxiv})]")
        lines.append(f"  - A note on {rng.choice(WORDS)} with $x_{i}$ math.")
        lines.append(f"  - Compare [an earlier one](https://arxiv.org/abs/1501.{i:05d}).")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--entries", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="papershelf-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "0"  # as in production: no copy of every query
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")  # required with DEBUG off
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command
    from timed import run_timed  # bench/timed.py: this script's folder is on sys.path

    django.setup()
    call_command("migrate", verbosity=0)
    notes = workdir / "notes.md"
    notes.write_text(make_notes(args.entries), encoding="utf-8")

    last_line, elapsed, cpu = run_timed("import_notes", str(notes), profile=args.profile)

    from papers.models import Paper

    print(last_line)
    print(
        f"{args.entries:,} entries: {elapsed:.1f} s on SQLite (CPU {cpu:.1f} s; load average "
        f"{os.getloadavg()[0]:.1f}) ({Paper.objects.count():,} papers)"
    )


if __name__ == "__main__":
    main()
