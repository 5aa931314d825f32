"""Measure notes import on real files against hand-counted truth; prints a Markdown table.

    .venv/bin/python bench/intake_real.py DIR [--show FILE] [--repository-pdfs]

DIR holds the files, ``manifest.json`` (file, repo, path, companion_bib, and optionally
truth: the truth file's name when several files share a name such as README.md, and
repository_pdfs: true to parse that file as ``import_notes --repository-pdfs`` would;
``--repository-pdfs`` does so for every file) and
``truth/NAME.json`` (``{"papers": [{"title", "year", "arxiv", "doi", "line"}]}``; ``"year":
null`` when the file gives no publication year and no identifier implies one). Each
file is parsed as a dry run (nothing touches a database): notes files by the notes
importer (with their companion .bib), .bib files by the BibTeX parser.

right: a record that matches one truth paper (by arXiv id, DOI, else title) with the same
normalised title, year and ids. wrong: a record that is no paper of the file, or a
matched one with a wrong title/year/id. missed: a truth paper no record matches.
skipped: entries the importer skipped, each with its reason. A paper the truth lists
twice (same id or title) counts once: the importer merges mentions of one paper, and a
``.bib``'s second entry for a paper is merged into the first as the import would.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from papers.identifiers import parse_arxiv_id  # noqa: E402
from papers.intake.batch import Problem  # noqa: E402
from papers.intake.bibtex_import import parse_bibtex, read_bibtex_bytes  # noqa: E402
from papers.intake.duplicates import Conflict, DuplicateFinder, Known, record_year  # noqa: E402
from papers.intake.notes.citations import load_bib  # noqa: E402
from papers.intake.notes.importer import detect_format, parse_notes, read_notes_bytes  # noqa: E402
from papers.intake.records import normalize_title  # noqa: E402


def records_of(path, companion, repository_pdfs=False):
    data = path.read_bytes()
    if path.suffix == ".bib":
        items = parse_bibtex(read_bibtex_bytes(data))
        records = [item for item in items if not isinstance(item, Problem)]
        return records, [(item.where, item.message) for item in items if isinstance(item, Problem)]
    text = read_notes_bytes(data)
    bib = None
    if companion:
        try:
            bib = load_bib(path.parent / companion)
        except ValueError:
            bib = None
    parsed = parse_notes(
        text, detect_format(path, text), path.parent, bib=bib, repository_pdfs=repository_pdfs
    )
    return parsed.records, [
        (f"line {s.line}", f"{s.label[:50]}: {s.reason}") for s in parsed.skipped
    ]


def merged(records):
    """The records the import would save: a later record of a paper already in the file
    (same arXiv id, DOI, or title and year — ``DuplicateFinder``'s rule) adds nothing."""
    finder, kept = DuplicateFinder(), []
    for record in records:
        try:
            if finder.find(record):
                continue
        except Conflict:
            continue
        kept.append(record)
        pk = -len(kept)  # in memory only: no database row
        finder.add(Known(pk, record.title, record_year(record), record.arxiv_id, record.doi))
    return kept


def arxiv_of(value):
    parsed = parse_arxiv_id(value or "")
    return parsed[0] if parsed else ""


def _same_paper_key(paper):
    # Same title, other year: another publication (a conference paper and its journal
    # version), as for the importer's duplicate rule.
    return (
        arxiv_of(paper.get("arxiv"))
        or (paper.get("doi") or "").lower()
        or (normalize_title(paper["title"]), paper.get("year"))
    )


def compare(records, truth):
    # A paper listed twice in a file is one paper (the importer merges its mentions).
    papers = list({_same_paper_key(p): p for p in reversed(truth["papers"])}.values())[::-1]
    by_arxiv = {arxiv_of(p.get("arxiv")): p for p in papers if arxiv_of(p.get("arxiv"))}
    by_doi = {(p.get("doi") or "").lower(): p for p in papers if p.get("doi")}
    by_title = {}
    for p in papers:
        by_title.setdefault(normalize_title(p["title"]), []).append(p)
    right, wrong, matched = [], [], set()
    for record in records:
        same_title = by_title.get(normalize_title(record.title), [])
        paper = (
            by_arxiv.get(arxiv_of(record.arxiv_id))
            or by_doi.get((record.doi or "").lower())
            or next((p for p in same_title if p.get("year") == record.year), None)
            or next((p for p in same_title if id(p) not in matched), None)
            or (same_title[0] if same_title else None)
        )
        if paper is None or id(paper) in matched:
            wrong.append((record, "not a paper of the file" if paper is None else "twice"))
            continue
        matched.add(id(paper))
        problems = []
        if normalize_title(record.title) != normalize_title(paper["title"]):
            problems.append(f"title {record.title[:60]!r} ≠ {paper['title'][:60]!r}")
        if paper.get("year") is None and record.year:
            # The file gives no publication year (only, say, when it was read): a year
            # on the record was not in the file.
            problems.append(f"year {record.year}, but the file gives none")
        elif paper.get("year") and record.year != paper["year"]:
            problems.append(f"year {record.year} ≠ {paper['year']}")
        if arxiv_of(paper.get("arxiv")) and arxiv_of(record.arxiv_id) != arxiv_of(paper["arxiv"]):
            problems.append(f"arxiv {record.arxiv_id} ≠ {paper['arxiv']}")
        if paper.get("doi") and (record.doi or "").lower() != paper["doi"].lower():
            problems.append(f"doi {record.doi} ≠ {paper['doi']}")
        (wrong if problems else right).append((record, "; ".join(problems)))
    missed = [p for p in papers if id(p) not in matched]
    return right, wrong, missed, papers


def main():
    root = Path(sys.argv[1])
    show = sys.argv[sys.argv.index("--show") + 1] if "--show" in sys.argv else None
    all_repository_pdfs = "--repository-pdfs" in sys.argv
    manifest = json.loads((root / "manifest.json").read_text())
    print("| file | papers | right | wrong | missed | skipped | right % |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = [0, 0, 0, 0, 0]
    dated = [0, 0]  # papers the file (or an id) dates; of those, right
    for item in manifest:
        path, truth_path = (
            root / item["file"],
            root / "truth" / ((item.get("truth") or Path(item["file"]).stem) + ".json"),
        )
        if not path.is_file() or not truth_path.is_file():
            continue
        truth = json.loads(truth_path.read_text())
        try:
            records, skipped = records_of(
                path,
                item.get("companion_bib"),
                all_repository_pdfs or item.get("repository_pdfs", False),
            )
        except ValueError as error:
            records, skipped = [], [("file", str(error))]
        right, wrong, missed, papers = compare(merged(records), truth)
        count = len(papers)
        dated[0] += sum(1 for p in papers if p.get("year") is not None)
        dated[1] += sum(1 for record, _ in right if record.year)
        row = [count, len(right), len(wrong), len(missed), len(skipped)]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        percent = 100 * len(right) / count if count else 100
        name = f"{item['repo']}/{item['path']}"
        print(f"| {name} | " + " | ".join(map(str, row)) + f" | {percent:.0f}% |")
        if show and show in item["file"]:
            for record, why in wrong:
                print(f"  WRONG {record.source}: {record.title[:70]!r} {record.year} — {why}")
            for paper in missed:
                print(
                    f"  MISSED line {paper.get('line')}: {paper['title'][:70]!r}",
                    paper.get("year"),
                )
            for where, why in skipped:
                print(f"  SKIPPED {where}: {why}")
    percent = 100 * totals[1] / totals[0] if totals[0] else 0
    print("| **all** | " + " | ".join(f"**{n}**" for n in totals) + f" | **{percent:.0f}%** |")
    if dated[0]:
        print(
            f"\nPapers the file dates (or whose identifier does): {dated[0]}; right: "
            f"{dated[1]} ({100 * dated[1] / dated[0]:.1f}%)."
        )


if __name__ == "__main__":
    main()
