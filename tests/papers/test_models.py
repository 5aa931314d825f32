import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from papers.models import Author, Authorship, Paper, Status
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db


def test_year_and_month_come_from_a_new_style_arxiv_id():
    paper = Paper(title="Some paper", arxiv_id="https://arxiv.org/abs/2103.07579v2")
    paper.full_clean()
    paper.save()
    assert (paper.arxiv_id, paper.year, paper.month) == ("2103.07579", 2021, 3)


def test_given_year_wins_over_the_arxiv_id():
    paper = Paper(title="Late version", arxiv_id="2103.07579", year=2022, month=None)
    paper.full_clean()
    assert paper.year == 2022
    assert paper.month is None


def test_without_a_year_or_an_arxiv_id_the_year_stays_unknown_not_invented():
    paper = Paper(title="No date", slug="no-date")
    paper.full_clean()
    assert paper.year is None and paper.date_display == "year unknown"


def test_duplicate_arxiv_id_in_another_version_is_refused_and_names_the_paper():
    existing = PaperFactory(title="Original", arxiv_id="2103.07579")
    duplicate = Paper(title="Copy", arxiv_id="arXiv:2103.07579v3")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    message = " ".join(error.value.message_dict["arxiv_id"])
    assert "Original" in message
    existing.refresh_from_db()
    assert existing.title == "Original"


def test_duplicate_doi_in_other_case_is_refused():
    PaperFactory(title="Has DOI", doi="10.1145/3065386")
    with pytest.raises(ValidationError) as error:
        Paper(title="Other", year=2017, doi="https://doi.org/10.1145/3065386").full_clean()
    assert "Has DOI" in " ".join(error.value.message_dict["doi"])


def test_blank_identifiers_are_stored_as_null_so_many_papers_can_lack_them():
    first = Paper(title="One", year=2020, arxiv_id="", doi="")
    first.full_clean()
    first.save()
    second = Paper(title="Two", year=2020, arxiv_id="", doi="")
    second.full_clean()
    second.save()
    assert Paper.objects.filter(arxiv_id__isnull=True, doi__isnull=True).count() == 2


def test_slug_comes_from_alias_then_title_and_never_clashes_or_looks_like_a_year():
    assert (
        PaperFactory(title="Language Models are Few-Shot Learners", alias="GPT-3").slug == "gpt-3"
    )
    assert (
        PaperFactory(title="Attention Is All You Need", alias="").slug
        == "attention-is-all-you-need"
    )
    assert PaperFactory(title="Another", alias="GPT-3").slug == "gpt-3-2"
    assert PaperFactory(title="2021", alias="").slug == "2021-paper"


def test_notes_are_rendered_on_save():
    paper = PaperFactory(notes="Loss $L = x^2$ and <script>alert(1)</script>")
    assert "<math" in paper.notes_html
    assert "<script" not in paper.notes_html


def test_published_is_the_visibility_rule():
    visible = PaperFactory(status=Status.PUBLISHED)
    PaperFactory(status=Status.DRAFT)
    assert list(Paper.objects.published()) == [visible]


def test_authors_keep_byline_order():
    paper = PaperFactory()
    names = ["Zoe Last", "Adam First", "Mia Middle"]
    for position, name in enumerate(names):
        Authorship.objects.create(paper=paper, author=AuthorFactory(name=name), position=position)
    paper = Paper.objects.for_list().get(pk=paper.pk)
    assert [a.name for a in paper.ordered_authors()] == names


def test_author_slugs_are_unique_and_unicode_safe():
    first = Author.objects.create(name="Łukasz Kaiser")
    second = Author.objects.create(name="Łukasz Kaiser")
    assert first.slug == "łukasz-kaiser"
    assert second.slug == "łukasz-kaiser-2"


def test_an_author_with_papers_cannot_be_deleted():
    author = AuthorFactory()
    PaperFactory(authors=[author])
    with pytest.raises(ProtectedError):
        author.delete()


def test_deleting_a_tag_keeps_the_papers():
    from papers.models import Tag

    paper = PaperFactory(tags=["vision"])
    Tag.objects.get(name="vision").delete()
    paper.refresh_from_db()
    assert list(paper.tags.all()) == []
