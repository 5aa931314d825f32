import pytest
from django.urls import reverse

from papers.models import Paper, Tag
from papers.tagging import TagsField, tag_slugify
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("机器学习", "机器学习"),
        ("C++", "c-plus-plus"),
        ("C#", "c-sharp"),
        ("Self-Supervised", "self-supervised"),
    ],
)
def test_tag_slugs_are_readable_and_distinct(name, slug):
    assert tag_slugify(name) == slug


def test_tags_are_case_insensitive():
    first = PaperFactory(tags=["ml"])
    second = PaperFactory(tags=["ML"])
    assert Tag.objects.filter(name__iexact="ml").count() == 1
    assert set(first.tags.all()) == set(second.tags.all())


def test_unicode_and_symbol_tags_have_working_pages(client):
    PaperFactory(title="Chinese tag", tags=["机器学习"])
    PaperFactory(title="Plus tag", tags=["C++"])
    PaperFactory(title="Sharp tag", tags=["C#"])
    for name, title in [("机器学习", "Chinese tag"), ("C++", "Plus tag"), ("C#", "Sharp tag")]:
        tag = Tag.objects.get(name=name)
        response = client.get(tag.get_absolute_url())
        assert response.status_code == 200
        assert title in response.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!!", "no letter or digit"),
        ("x" * 101, "at most 100"),
        ("ok, " + "y" * 101, "at most 100"),
        ("bad\x01tag", "control characters"),
    ],
)
def test_tags_field_refuses_tags_no_page_could_show(value, message):
    from django import forms

    with pytest.raises(forms.ValidationError, match=message):
        TagsField().clean(value)


def test_tags_field_accepts_comma_separated_input():
    assert sorted(TagsField().clean("vision, self-supervised, 机器学习, C++")) == sorted(
        ["vision", "self-supervised", "机器学习", "C++"]
    )


def test_unknown_tag_page_is_404(client):
    assert client.get(reverse("tag_detail", args=["nope"])).status_code == 404


def test_tag_page_hides_drafts(client):
    PaperFactory(title="Public one", tags=["vision"])
    PaperFactory(title="Secret draft", tags=["vision"], status="draft")
    body = client.get(reverse("tag_detail", args=["vision"])).content.decode()
    assert "Public one" in body
    assert "Secret draft" not in body
    assert Paper.objects.count() == 2
