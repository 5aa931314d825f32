"""RIS and CSL-JSON in, through the BibTeX import's pipeline: our export of every format
imports back to the same papers; Zotero-shaped files import; the report names lines."""

from io import StringIO

import pytest
import rispy
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from papers.citations import ris
from papers.citations.formats import FORMATS
from papers.intake.files import import_file
from papers.intake.ris_import import parse_ris
from papers.models import Author, Paper, Status
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db

# What survives every format (BibTeX also keeps links and figures: test_bibtex_roundtrip).
FIELDS = ["title", "alias", "year", "month", "venue", "url", "arxiv_id", "doi", "abstract",
          "notes"]  # fmt: skip


def _facts(fields=FIELDS):
    return {
        p.title: (
            {name: getattr(p, name) for name in fields},
            [a.name for a in p.ordered_authors()],
            sorted(t.name for t in p.tags.all()),
        )
        for p in Paper.objects.all()
    }


def _library():
    hard = PaperFactory(
        title='Müller\'s “GAN” -- 100% of $\\alpha$-nets & co_op {braces} \\ "quoted" שלום\u200f',
        alias="GAN-µ",
        year=2019,
        month=11,
        venue="Proceedings of Ærø & Łódź",
        url="https://example.org/a_b?c=1&d=2%20e#frag",
        arxiv_id="1906.00001",
        doi="10.1000/xyz_(1)",
        abstract="First paragraph with $O(n^2)$ and 5% gains.\n\nSecond, “quoted”.",
        notes="My *notes*:\n\n- a bullet with {unbalanced\n  - nested, 中文\nER  - not a tag",
        tags=["C++", "vision", "机器学习"],
    )
    for position, name in enumerate(
        ["René François", "Łukasz Kaiser", "Hans van der Berg", "Martin Luther King, Jr", "王小明"]
    ):
        hard.authorships.create(author=AuthorFactory(name=name), position=position)
    PaperFactory(title="LoRA: Low-Rank Adaptation", venue="", arxiv_id="2106.09685", year=2021,
                 month=6, notes="", status=Status.DRAFT)  # fmt: skip
    PaperFactory(title="A Journal Paper", venue="Nature", doi="10.1038/nature14539", year=2015,
                 month=None, notes="")  # fmt: skip
    PaperFactory(title="No Venue, No Ids", venue="", year=1999, month=None, notes="")


@pytest.mark.parametrize(("name", "suffix"), [("bibtex", ".bib"), ("biblatex", ".bib"),
                                              ("ris", ".ris"), ("csljson", ".json")])  # fmt: skip
def test_our_export_of_each_format_imports_back_to_the_same_papers(tmp_path, name, suffix):
    _library()
    before = _facts()
    target = tmp_path / f"library{suffix}"
    call_command("export_citations", str(target), "--format", name, stdout=StringIO())
    Paper.objects.all().delete()
    Author.objects.all().delete()
    out = StringIO()
    call_command("import_citations", str(target), stdout=out)
    assert "4 created" in out.getvalue()
    assert _facts() == before


@pytest.mark.parametrize("name", ["ris", "csljson"])
def test_importing_our_export_again_finds_every_paper_as_a_duplicate(tmp_path, name):
    _library()
    target = tmp_path / f"library{FORMATS[name].suffix}"
    call_command("export_citations", str(target), "--format", name, stdout=StringIO())
    report = import_file(target.name.replace(".csl", ""), target.read_bytes())
    assert report.saved and not report.failures, report.lines()
    assert not report.of("created") and len(report.of("skipped") + report.of("updated")) == 4
    assert Paper.objects.count() == 4


ZOTERO_CSL = """[
\t{
\t\t"id": "http://zotero.org/users/1/items/ABCD",
\t\t"type": "article",
\t\t"abstract": "We propose <i>LoRA</i>, which freezes the weights.",
\t\t"DOI": "10.48550/arXiv.2106.09685",
\t\t"note": "arXiv:2106.09685 [cs]",
\t\t"number": "arXiv:2106.09685",
\t\t"publisher": "arXiv",
\t\t"source": "arXiv.org",
\t\t"title": "<i>LoRA</i>: Low-Rank Adaptation of Large Language Models",
\t\t"title-short": "LoRA",
\t\t"URL": "http://arxiv.org/abs/2106.09685",
\t\t"author": [{"family": "Hu", "given": "Edward J."}, {"family": "Shen", "given": "Yelong"}],
\t\t"accessed": {"date-parts": [["2024", 3, 1]]},
\t\t"issued": {"date-parts": [["2021", 10, 16]]}
\t},
\t{
\t\t"id": "vaswani",
\t\t"type": "paper-conference",
\t\t"container-title": "Advances in Neural Information Processing Systems",
\t\t"title": "Attention is All you Need",
\t\t"author": [{"family": "Vaswani", "given": "Ashish"}, {"literal": "Google Brain"}],
\t\t"issued": {"date-parts": [[2017]]}
\t}
]
"""

ZOTERO_RIS = """TY  - UNPB
TI  - LoRA: Low-Rank Adaptation of Large Language Models
AU  - Hu, Edward J.
AU  - Shen, Yelong
AB  - We propose LoRA,
  which freezes the weights.
DA  - 2021/10/16/
PY  - 2021
DO  - 10.48550/arXiv.2106.09685
UR  - http://arxiv.org/abs/2106.09685
N1  - <p>Read for the <b>reading group</b>.</p>
KW  - Computer Science - Machine Learning
KW  - fine-tuning
ER  -

TY  - JOUR
TI  - Deep learning
AU  - LeCun, Yann
AU  - Bengio, Yoshua
T2  - Nature
PY  - 2015
DA  - 2015/05//
DO  - 10.1038/nature14539
ER  -
""".replace("ER  -\n", "ER  - \n")  # as Zotero writes it, with the trailing space


def test_zotero_csl_json_imports_the_preprint_with_its_arxiv_id():
    report = import_file("My Library.json", ZOTERO_CSL.encode())
    assert report.saved and len(report.of("created")) == 2, report.lines()
    lora = Paper.objects.get(arxiv_id="2106.09685")
    assert lora.title == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert lora.doi is None  # arXiv's DOI only named the preprint
    assert (lora.year, lora.month) == (2021, 10)
    assert lora.alias == "LoRA"
    assert lora.abstract == "We propose LoRA, which freezes the weights."
    assert [a.name for a in lora.ordered_authors()] == ["Edward J. Hu", "Yelong Shen"]
    vaswani = Paper.objects.get(title="Attention is All you Need")
    assert vaswani.venue == "Advances in Neural Information Processing Systems"
    assert [a.name for a in vaswani.ordered_authors()] == ["Ashish Vaswani", "Google Brain"]
    assert any("HTML markup removed from the title" in message
               for _where, message in report.warnings())  # fmt: skip


def test_zotero_ris_imports_with_lines_and_paragraphs_kept():
    report = import_file("export.ris", ZOTERO_RIS.encode())
    assert report.saved and len(report.of("created")) == 2, report.lines()
    lora = Paper.objects.get(arxiv_id="2106.09685")
    assert lora.abstract == "We propose LoRA,\n  which freezes the weights."
    assert lora.notes == "Read for the reading group."
    assert sorted(t.name for t in lora.tags.all()) == [
        "Computer Science - Machine Learning", "fine-tuning"
    ]  # fmt: skip
    nature = Paper.objects.get(doi="10.1038/nature14539")
    assert (nature.venue, nature.year, nature.month) == ("Nature", 2015, 5)
    assert [o.record.source for o in report.of("created")] == ["line 1", "line 16"]


def test_ris_and_csl_json_find_the_same_paper_as_a_duplicate():
    import_file("export.ris", ZOTERO_RIS.encode())
    report = import_file("My Library.json", ZOTERO_CSL.encode())
    assert len(report.of("created")) == 1  # Vaswani; LoRA is the RIS one again
    assert Paper.objects.filter(arxiv_id="2106.09685").count() == 1


def test_import_command_reads_the_format_from_the_suffix_or_the_option(tmp_path):
    path = tmp_path / "zotero.txt"
    path.write_text(ZOTERO_RIS)
    out = StringIO()
    call_command("import_bibtex", str(path), "--format", "ris", "--dry-run", stdout=out)
    assert "2 to create" in out.getvalue() and Paper.objects.count() == 0
    with pytest.raises(CommandError, match="no BibTeX entries"):
        call_command("import_bibtex", str(path), stdout=StringIO())


# --- the admin import page: the same preview, then the same import ---------------------


@pytest.mark.parametrize(("name", "content"), [("export.ris", ZOTERO_RIS),
                                               ("My Library.json", ZOTERO_CSL)])  # fmt: skip
def test_admin_page_previews_a_ris_or_csl_json_file_then_imports_it(admin_client, name, content):
    import re

    from tests.papers.intake.helpers import import_preview, upload_and_preview

    body = upload_and_preview(admin_client, content.encode(), name, existing="fill")
    body = body.content.decode()
    assert "Preview: nothing is saved yet" in body and "Would create (2)" in body
    assert re.search(r'intake-where">line \d+', body)
    assert Paper.objects.count() == 0
    import_preview(admin_client, body)
    assert Paper.objects.filter(status=Status.DRAFT).count() == 2


# --- RIS line breaks: any text survives the line format ---------------------------------

ris_alphabet = st.sampled_from(
    list("ab -:/{}%&$\\\"'éשל\u200f中\n") + ["ER  - ", "TY  - ", "AB  -", "  ", "\n\n", "1."]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ris_alphabet, max_size=30).map("".join))
@example("a\nER  - b\n ER  - c\n  TY  - d\n\n  indented")
def test_any_multiline_text_survives_ris_export_and_import(text):
    record = {"type_of_reference": "JOUR", "title": "T", "year": "2020",
              "abstract": ris.lines(text), "notes": [ris.lines(text)]}  # fmt: skip
    written = rispy.dumps([record], implementation=ris._Writer)
    [parsed] = parse_ris(written)
    # RIS has no trailing spaces and the value's ends are trimmed; nothing else changes.
    expected = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    assert (parsed.abstract, parsed.notes) == (expected, expected)
