"""Export to BibTeX and import again: every field Papershelf stores comes back."""

import textwrap
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from papers.intake import latex
from papers.models import Author, Paper, Status
from tests.factories import (
    AuthorFactory,
    FigureFactory,
    PaperFactory,
    PaperLinkFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db

FIELDS = [
    "title", "alias", "year", "month", "venue", "affiliations", "url", "arxiv_id", "doi",
    "pdf_url", "abstract", "notes",
]  # fmt: skip


def _facts():
    return {
        p.title: (
            {name: getattr(p, name) for name in FIELDS},
            [a.name for a in p.ordered_authors()],
            sorted(t.name for t in p.tags.all()),
        )
        for p in Paper.objects.all()
    }


def test_round_trip_keeps_every_stored_field(tmp_path):
    hard = PaperFactory(
        title="Müller's “GAN” -- 100% of $\\alpha$-nets & co_op #1 {braces} ~ ^ \\ back",
        alias="GAN-µ",
        year=2019,
        month=11,
        venue="Proc. of Ærø & Łódź",
        affiliations="École Polytechnique; Universität Tübingen",
        url="https://example.org/a_b?c=1&d=2%20e#frag",
        arxiv_id="1906.00001",
        doi="10.1000/xyz_(1)",
        pdf_url="https://example.org/paper~1.pdf",
        abstract="First paragraph with $O(n^2)$ and 5% gains.\n\nSecond paragraph, “quoted”.",
        notes=(
            "My *notes* with $$p_\\theta(z|x)$$ and `code_with --flags ``x''`.\n\n"
            "- a bullet with {unbalanced\n- 中文 and emoji-free"
        ),
        tags=["C++", "vision", "机器学习"],
    )
    for position, name in enumerate(["René François", "Łukasz Kaiser", "Hans van der Berg"]):
        hard.authorships.create(author=AuthorFactory(name=name), position=position)
    PaperFactory(title="Plain one", venue="", status=Status.DRAFT, notes="")
    old_style = PaperFactory(title="Old style", arxiv_id="hep-th/9711200", year=1997, month=None)
    old_style.notes = ""
    old_style.save()
    before = _facts()

    target = tmp_path / "all.bib"
    call_command("export_bibtex", str(target), stdout=StringIO())
    Paper.objects.all().delete()
    Author.objects.all().delete()
    out = StringIO()
    call_command("import_bibtex", str(target), stdout=out)
    assert "3 created" in out.getvalue()
    assert _facts() == before


alphabet = st.sampled_from(
    list("ab -`'{}~^%&#_$\\éü中\n\"@") + ["--", "``", "''", "$x$", "\n@misc{"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(alphabet, max_size=30).map("".join))
def test_latex_encoding_round_trips_any_text(text):
    # Decoding tidies whitespace (trailing spaces, the indentation all continuation lines
    # share); nothing else changes.
    first, *rest = text.strip().split("\n")
    rest = textwrap.dedent("\n".join(rest)).split("\n") if rest else []
    expected = "\n".join([first.strip() if rest else first, *(line.rstrip() for line in rest)])
    assert latex.decode(latex.encode(text), multiline=True) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab -`'") + ["{", "}", "--", "``", "''"]), max_size=25))
def test_fast_path_matches_pylatexenc(parts):
    text = "".join(parts)
    if text.count("{") != text.count("}"):
        return
    assert latex._decode_plain(text) == latex._decoders()[0].latex_to_text(text)


def _import(path, *args):
    out = StringIO()
    call_command("import_bibtex", str(path), *args, stdout=out)
    return out.getvalue()


def test_an_at_line_inside_notes_survives_export_and_import(tmp_path):
    notes = (
        "How I cite it:\n\n```bibtex\n@article{vaswani2017,\n  title={Attention},\n}\n```\n"
        "  @misc{indented, title={also}}\nThe end."
    )
    PaperFactory(title="Attention Is All You Need", notes=notes, arxiv_id="1706.03762")
    PaperFactory(title="Following paper", arxiv_id="1810.04805")
    target = tmp_path / "all.bib"
    call_command("export_bibtex", str(target), stdout=StringIO())
    Paper.objects.all().delete()
    out = _import(target, "--strict")
    assert "2 created" in out
    assert Paper.objects.get(arxiv_id="1706.03762").notes == notes


def test_straight_quotes_stay_straight_and_title_math_is_clean_text(tmp_path):
    PaperFactory(title='The "straight" quote\'s paper', abstract='He said "no".', notes="")
    target = tmp_path / "all.bib"
    call_command("export_bibtex", str(target), stdout=StringIO())
    Paper.objects.all().delete()
    target.write_text(
        target.read_text()
        + "@misc{lt, title={Depth $<$ width: $\\alpha$-stable {$\\mathcal{O}(n)$} nets}, "
        "year={2021}}\n"
    )
    _import(target, "--strict")
    paper = Paper.objects.get(title__startswith="The")
    assert paper.title == 'The "straight" quote\'s paper' and paper.abstract == 'He said "no".'
    assert Paper.objects.filter(title="Depth < width: α-stable 𝒪(n) nets").exists()


def test_hard_wrapped_abstracts_are_unwrapped_paragraphs_kept(tmp_path):
    path = tmp_path / "lib.bib"
    path.write_text(
        "@article{w, title={Wrapped}, year={2020}, abstract={First line of a\n"
        "   paragraph that goes on\n   here.\n\n   Second paragraph\n   ends.}}\n"
    )
    _import(path)
    assert Paper.objects.get().abstract == (
        "First line of a paragraph that goes on here.\n\nSecond paragraph ends."
    )


def test_typed_links_and_figures_round_trip_through_our_export(tmp_path):
    paper = PaperFactory(title="Deep Residual Learning", arxiv_id="1512.03385", notes="")
    PaperLinkFactory(
        paper=paper, kind="code", label="Official 50% code", url="https://github.com/a/b"
    )
    PaperLinkFactory(paper=paper, kind="video", label="", url="https://www.youtube.com/watch?v=x")
    FigureFactory(paper=paper, caption="Figure 2 | the block", credit="Figure 2 of the paper")
    links = [(link.kind, link.label, link.url) for link in paper.links.all()]
    with paper.figures.get().image.open("rb") as handle:
        pixels = _pixels(handle)
    call_command("export", str(tmp_path / "backup"), stdout=StringIO())
    Paper.objects.all().delete()
    out = _import(tmp_path / "backup" / "papers.bib", "--strict")
    assert "1 created" in out
    paper = Paper.objects.get()
    assert [(link.kind, link.label, link.url) for link in paper.links.all()] == links
    figure = paper.figures.get()
    assert (figure.caption, figure.credit) == ("Figure 2 | the block", "Figure 2 of the paper")
    with figure.image.open("rb") as handle:
        assert _pixels(handle) == pixels


def test_figures_outside_the_bib_folder_are_never_read(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes())
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "lib.bib").write_text(
        "@misc{f, title={F}, year={2020}, figures={../secret.png | stolen\n/etc/passwd}}\n"
    )
    out = _import(folder / "lib.bib")
    assert Paper.objects.get().figures.count() == 0
    assert "figure ../secret.png is not beside the file: not imported." in out


def _pixels(handle):
    """An image's size and RGB pixels (tobytes, not getdata: deprecated in Pillow 12)."""
    image = Image.open(handle).convert("RGB")
    return image.size, image.tobytes()
