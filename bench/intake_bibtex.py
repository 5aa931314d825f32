"""Benchmark: import N BibTeX entries into a fresh SQLite database (not a test).

    .venv/bin/python bench/intake_bibtex.py            # 5,000 entries, 1% refused
    .venv/bin/python bench/intake_bibtex.py -n 20000 --invalid 0 --profile

Entries look like a real library: 2–8 authors from a pool of 3,000 names (some with
LaTeX accents), a venue, a DOI or an arXiv id, keywords and a 600-character abstract.
Every ``--invalid``-th entry has no title (or no valid year), as real libraries do: the
default lenient import takes the others and lists those. The target is 10 s.
"""

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VENUES = ["NeurIPS", "ICML", "ICLR", "CVPR", "ACL", "Nature", "JMLR", "EMNLP", "AAAI"]
WORDS = [
    "learning",
    "deep",
    "neural",
    "networks",
    "attention",
    "transformer",
    "diffusion",
    "graph",
    "sparse",
    "robust",
    "efficient",
    "scalable",
    "latent",
    "variational",
    "contrastive",
    "generative",
    "models",
    "vision",
    "language",
    "reinforcement",
    "policy",
    "optimisation",
    "representation",
    "self-supervised",
]


def make_bibtex(n, seed=7, invalid_every=0):
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    families = [f"Fam{i}" for i in range(2900)] + ['M{\\"u}ller', "G{\\'o}mez", "{\\L}ukasz"] * 33
    given = ["Ann", "Bob", "Chen", "Dana", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jun"]
    entries = []
    for i in range(n):
        authors = " and ".join(
            f"{rng.choice(families)}, {rng.choice(given)}" for _ in range(rng.randint(2, 8))
        )
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 11))).capitalize()
        ident = (
            f"eprint = {{{rng.randint(15, 24)}{rng.randint(1, 12):02d}.{i:05d}}}, "
            "archiveprefix = {arXiv}"
            if i % 2
            else f"doi = {{10.5555/bench.{i}}}"
        )
        abstract = " ".join(rng.choice(WORDS) for _ in range(80))
        keywords = ", ".join(rng.sample(WORDS, 3))
        if invalid_every and i % invalid_every == invalid_every - 1:
            refused = (
                "@misc{{bad{i}, year = {{2020}}}}",
                "@misc{{bad{i}, title = {{T}}, year = {{20xx}}}}",
            )
            entries.append(refused[i % 2].format(i=i) + "\n")
            continue
        entries.append(
            f"@inproceedings{{key{i},\n  title = {{{title} {{{i}}}}},\n  author = {{{authors}}},\n"
            f"  booktitle = {{{rng.choice(VENUES)}}},\n  year = {{{rng.randint(1995, 2024)}}},\n"
            f"  month = {rng.choice(['jan', 'mar', 'jun', 'sep', 'dec'])},\n  {ident},\n"
            f"  keywords = {{{keywords}}},\n  abstract = {{{abstract}}}\n}}\n"
        )
    return "\n".join(entries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--entries", type=int, default=5000)
    parser.add_argument(
        "--invalid", type=int, default=100, help="every Nth entry is refused (0: none)"
    )
    parser.add_argument("--target", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="papershelf-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    # As in production: DEBUG off (with it on, Django keeps a copy of every query).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command
    from timed import run_timed  # bench/timed.py: this script's folder is on sys.path

    django.setup()
    call_command("migrate", verbosity=0)
    bib = workdir / "library.bib"
    bib.write_text(make_bibtex(args.entries, invalid_every=args.invalid), encoding="utf-8")
    size = bib.stat().st_size / 2**20

    last_line, elapsed, cpu = run_timed(
        "import_bibtex", str(bib), "--max-mb", "100", profile=args.profile
    )

    from papers.models import Author, Paper

    print(last_line)
    print(
        f"{args.entries:,} entries ({size:.1f} MB): {elapsed:.1f} s on SQLite "
        f"(CPU {cpu:.1f} s; load average {os.getloadavg()[0]:.1f}) "
        f"({Paper.objects.count():,} papers, {Author.objects.count():,} authors); "
        f"target {args.target:.0f} s: {'met' if elapsed <= args.target else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
