"""Export to BibTeX and import again: every field Papershelf stores comes back."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from papers.intake import latex
from papers.models import Author, Paper, Status
from tests.factories import AuthorFactory, PaperFactory

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


alphabet = st.sampled_from(list("ab -`'{}~^%&#_$\\éü中\n") + ["--", "``", "''", "$x$"])


@settings(max_examples=300, deadline=None)
@given(st.lists(alphabet, max_size=30).map("".join))
def test_latex_encoding_round_trips_any_text(text):
    # Decoding tidies whitespace (strips lines, keeps paragraphs); nothing else changes.
    paragraphs = re.split(r"\n[ \t]*\n", text.strip())
    expected = "\n\n".join("\n".join(line.strip() for line in p.splitlines()) for p in paragraphs)
    assert latex.decode(latex.encode(text), multiline=True) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab -`'") + ["{", "}", "--", "``", "''"]), max_size=25))
def test_fast_path_matches_pylatexenc(parts):
    text = "".join(parts)
    if text.count("{") != text.count("}"):
        return
    assert latex._decode_plain(text) == latex._decoder.latex_to_text(text)
