import pytest
from django.urls import reverse

from papers.models import Author, Paper, Tag
from tests.factories import AuthorFactory, PaperFactory, png_bytes

pytestmark = pytest.mark.django_db

ADD = reverse("admin:papers_paper_add")


def paper_form(**overrides):
    """A complete add-form POST with empty inlines, as the admin page sends it."""
    data = {
        "title": "A New Paper",
        "alias": "",
        "status": "published",
        "tags": "",
        "year": "2021",
        "month": "",
        "venue": "",
        "affiliations": "",
        "arxiv_id": "",
        "doi": "",
        "url": "",
        "pdf_url": "",
        "slug": "",
        "abstract": "",
        "notes": "",
    }
    for prefix in ["authorships", "links", "figures"]:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def byline_and_link(first, second):
    """The inlines' fields of two authors (``second`` in the first row) and a code link."""
    return {
        "authorships-TOTAL_FORMS": "2",
        "authorships-0-author": str(second.pk),
        "authorships-0-position": "2",
        "authorships-1-author": str(first.pk),
        "authorships-1-position": "1",
        "links-TOTAL_FORMS": "1",
        "links-0-kind": "code",
        "links-0-label": "Official code",
        "links-0-url": "https://github.com/microsoft/LoRA",
        "links-0-position": "0",
    }


def test_editor_creates_a_paper_with_authors_in_order_tags_and_a_link(admin_client):
    first, second = AuthorFactory(name="Edward Hu"), AuthorFactory(name="Yelong Shen")
    data = paper_form(
        title="LoRA: Low-Rank Adaptation of Large Language Models",
        alias="LoRA",
        tags="fine-tuning, LLM",
        year="",
        arxiv_id="https://arxiv.org/abs/2106.09685v2",
        notes="Update $W + BA$.",
        **byline_and_link(first, second),
    )
    response = admin_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    paper = Paper.objects.for_list().get(alias="LoRA")
    assert (paper.arxiv_id, paper.year, paper.month, paper.slug) == ("2106.09685", 2021, 6, "lora")
    assert [a.name for a in paper.ordered_authors()] == ["Edward Hu", "Yelong Shen"]
    assert sorted(t.name for t in paper.tags.all()) == ["LLM", "fine-tuning"]
    assert paper.links.get().url == "https://github.com/microsoft/LoRA"
    assert "<math" in paper.notes_html


def test_duplicate_arxiv_id_is_a_form_error_naming_the_existing_paper(admin_client):
    existing = PaperFactory(title="Existing LoRA", arxiv_id="2106.09685", notes="keep me")
    response = admin_client.post(ADD, paper_form(title="Copy", arxiv_id="arXiv:2106.09685v1"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Existing LoRA" in str(errors["arxiv_id"])
    existing.refresh_from_db()
    assert (existing.title, existing.notes) == ("Existing LoRA", "keep me")
    assert Paper.objects.count() == 1


def test_duplicate_doi_is_a_form_error(admin_client):
    existing = PaperFactory(title="Has the DOI", doi="10.1038/s41586-024-08328-6", year=2024)
    response = admin_client.post(ADD, paper_form(doi="https://doi.org/10.1038/S41586-024-08328-6"))
    assert response.status_code == 200
    assert "Has the DOI" in str(response.context["adminform"].form.errors["doi"])
    existing.refresh_from_db()
    assert (existing.title, existing.year) == ("Has the DOI", 2024)
    assert Paper.objects.count() == 1


def test_duplicate_identifier_on_the_change_form_is_refused_too(admin_client):
    PaperFactory(title="Owner of the id", arxiv_id="2106.09685")
    other = PaperFactory(title="Another paper", year=2020)
    url = reverse("admin:papers_paper_change", args=[other.pk])
    response = admin_client.post(
        url, paper_form(title="Another paper", year="2020", arxiv_id="2106.09685v3")
    )
    assert response.status_code == 200
    assert "Owner of the id" in str(response.context["adminform"].form.errors["arxiv_id"])
    other.refresh_from_db()
    assert other.arxiv_id is None


@pytest.mark.parametrize(
    ("tags", "message"),
    [("!!!", "no letter or digit"), ("x" * 101, "at most 100"), ("ok, ###", "no letter or digit")],
)
def test_bad_tags_are_form_errors(admin_client, tags, message):
    response = admin_client.post(ADD, paper_form(tags=tags))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["tags"])
    assert not Paper.objects.exists()


def test_tag_in_other_case_reuses_the_existing_tag(admin_client):
    PaperFactory(tags=["ml"])
    response = admin_client.post(ADD, paper_form(tags="ML, 机器学习, C++, C#"))
    assert response.status_code == 302
    assert Tag.objects.filter(name__iexact="ml").count() == 1
    assert set(Tag.objects.values_list("slug", flat=True)) == {
        "ml",
        "机器学习",
        "c-plus-plus",
        "c-sharp",
    }


@pytest.mark.parametrize("field", ["arxiv_id", "doi"])
def test_malformed_identifiers_are_form_errors(admin_client, field):
    response = admin_client.post(ADD, paper_form(**{field: "not an id"}))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors


def test_nul_byte_and_overlong_title_are_form_errors(admin_client):
    response = admin_client.post(ADD, paper_form(title="bad\x00title"))
    assert "title" in response.context["adminform"].form.errors
    response = admin_client.post(ADD, paper_form(title="t" * 501))
    assert "title" in response.context["adminform"].form.errors
    assert not Paper.objects.exists()


def test_pathological_notes_are_a_form_error(admin_client):
    response = admin_client.post(ADD, paper_form(notes="[" * 13000))
    assert "notes" in response.context["adminform"].form.errors


def test_figure_upload_must_be_a_real_image(admin_client):
    data = paper_form(
        **{"figures-TOTAL_FORMS": "1", "figures-0-caption": "c", "figures-0-position": "0"}
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("fig.png", b"<html><script>alert(1)</script></html>", "image/png")
    response = admin_client.post(ADD, {**data, "figures-0-image": fake})
    assert response.status_code == 200
    assert not Paper.objects.exists()
    real = SimpleUploadedFile("../../fig.png", png_bytes(), "image/png")
    response = admin_client.post(ADD, {**data, "figures-0-image": real})
    assert response.status_code == 302
    name = Paper.objects.get().figures.get().image.name
    assert name.startswith("figures/") and ".." not in name and name.endswith(".png")


def test_changelist_search_filters_and_columns(admin_client):
    PaperFactory(
        title="Vision Transformer",
        alias="ViT",
        year=2020,
        tags=["vision"],
        arxiv_id="2010.11929",
        doi="10.48550/arXiv.2010.11929",
        authors=[AuthorFactory(name="Alexey Dosovitskiy")],
    )
    PaperFactory(title="Other", year=2021, tags=["language"], status="draft")
    url = reverse("admin:papers_paper_changelist")
    for params in [
        {"q": "ViT"},
        {"q": "Dosovitskiy"},
        {"q": "2010.11929"},
        {"q": "10.48550/arxiv.2010.11929"},
        {"tag": "vision"},
        {"year": "2020"},
        {"status": "published"},
    ]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        # Each search and filter keeps the matching paper and drops the other one.
        assert [p.title for p in response.context["cl"].result_list] == ["Vision Transformer"], (
            params
        )
    response = admin_client.get(url)
    headers = [str(h["text"]).lower() for h in response.context["result_headers"]][1:]
    assert headers == ["title", "alias", "year", "venue", "tags", "status"]  # after the checkbox
    assert "vision" in response.content.decode()


def test_author_autocomplete_is_available(admin_client):
    AuthorFactory(name="Yann LeCun")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "papers", "model_name": "authorship", "field_name": "author", "term": "LeC"},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == "Yann LeCun"
    assert Author.objects.count() == 1


def test_notes_use_the_markdownx_editor(admin_client):
    body = admin_client.get(ADD).content.decode()
    assert "markdownx-editor" in body
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in body
