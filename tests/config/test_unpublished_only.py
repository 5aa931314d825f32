"""An author or tag that only unpublished content uses is as unknown as a slug nobody has:
its page and feed answer 404 and no list, sitemap or API names it. One published item is
enough for it to be public (200).

Unpublished means each kind's ``published()`` rule says no: a draft paper, a draft or
scheduled (future) report, a draft session.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from papers.models import Status, Tag, TagRedirect
from tests.blog.factories import ReportFactory
from tests.factories import AuthorFactory, PaperFactory
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db

TAG = "unreleased-work"


def _future():
    return timezone.now() + datetime.timedelta(days=3)


UNPUBLISHED = {
    "draft paper": lambda tags: PaperFactory(tags=tags, status=Status.DRAFT),
    "draft report": lambda tags: ReportFactory(tags=tags, draft=True),
    "scheduled report": lambda tags: ReportFactory(
        tags=tags, status=Status.PUBLISHED, published_at=_future()
    ),
    "draft session": lambda tags: PresentationFactory(tags=tags, draft=True),
}

PUBLISHED = {
    "paper": lambda tags: PaperFactory(tags=tags),
    "report": lambda tags: ReportFactory(tags=tags),
    "session": lambda tags: PresentationFactory(tags=tags),
}


def _tag_is_listed(client, slug):
    index = client.get(reverse("tag_index")).content.decode()
    sitemap = client.get("/sitemap-tags.xml").content.decode()
    api = [item["slug"] for item in client.get("/api/tags").json()["items"]]
    return {
        "index": f"/tags/{slug}/" in index,
        "sitemap": f"/tags/{slug}/" in sitemap,
        "api": slug in api,
    }


@pytest.mark.parametrize("kind", list(UNPUBLISHED))
def test_tag_used_only_by_unpublished_content_is_404_and_unlisted(client, kind):
    UNPUBLISHED[kind]([TAG])
    PaperFactory(tags=["public"])
    slug = Tag.objects.get(name=TAG).slug
    assert client.get(reverse("tag_detail", args=[slug])).status_code == 404
    assert client.get(reverse("tag_feed", args=[slug])).status_code == 404
    # Combined with a public tag, it still reveals nothing.
    assert client.get(reverse("tag_detail", args=[f"public+{slug}"])).status_code == 404
    assert client.get(reverse("tag_feed", args=[f"public+{slug}"])).status_code == 404
    assert _tag_is_listed(client, slug) == {"index": False, "sitemap": False, "api": False}
    assert _tag_is_listed(client, "public") == {"index": True, "sitemap": True, "api": True}


@pytest.mark.parametrize("kind", list(PUBLISHED))
def test_tag_is_404_until_one_item_of_any_kind_is_published(client, kind):
    for make in UNPUBLISHED.values():
        make([TAG])
    slug = Tag.objects.get(name=TAG).slug
    assert client.get(reverse("tag_detail", args=[slug])).status_code == 404
    PUBLISHED[kind]([TAG])
    assert client.get(reverse("tag_detail", args=[slug])).status_code == 200
    assert client.get(reverse("tag_feed", args=[slug])).status_code == 200
    assert _tag_is_listed(client, slug) == {"index": True, "sitemap": True, "api": True}


def test_old_slug_of_an_unpublished_tag_is_404_not_a_redirect(client):
    PaperFactory(tags=[TAG], status=Status.DRAFT)
    TagRedirect.objects.create(old_slug="old-name", tag=Tag.objects.get(name=TAG))
    assert client.get(reverse("tag_detail", args=["old-name"])).status_code == 404
    assert client.get(reverse("tag_feed", args=["old-name"])).status_code == 404


def test_tag_becomes_public_when_its_draft_is_published(client):
    paper = PaperFactory(tags=[TAG], status=Status.DRAFT)
    url = reverse("tag_detail", args=[Tag.objects.get(name=TAG).slug])
    assert client.get(url).status_code == 404
    paper.status = Status.PUBLISHED
    paper.save()
    response = client.get(url)
    assert response.status_code == 200
    assert paper.get_absolute_url() in response.content.decode()


def test_author_of_only_draft_papers_is_404_and_unlisted(client):
    author = AuthorFactory(name="Hidden Author")
    PaperFactory(authors=[author], status=Status.DRAFT, title="Secret draft")
    PaperFactory(authors=[AuthorFactory(name="Known Author")])
    assert client.get(author.get_absolute_url()).status_code == 404
    sitemap = client.get("/sitemap-authors.xml").content.decode()
    assert author.get_absolute_url() not in sitemap
    assert "/authors/known-author/" in sitemap
    # One published paper makes the author public, and their drafts stay hidden.
    PaperFactory(authors=[author], title="Public paper")
    response = client.get(author.get_absolute_url())
    assert response.status_code == 200
    assert "Public paper" in response.content.decode()
    assert "Secret draft" not in response.content.decode()
    assert author.get_absolute_url() in client.get("/sitemap-authors.xml").content.decode()


def test_author_without_any_paper_is_404(client):
    author = AuthorFactory(name="Nobody Yet")
    assert client.get(author.get_absolute_url()).status_code == 404
