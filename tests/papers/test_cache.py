"""Page and count caches: fast repeat visits, and every change visible on the next request."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.models import Authorship, Paper, Status
from papers.site.cache import VERSION_KEY, bump_content_version, content_version
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


@pytest.fixture
def paper():
    return PaperFactory(title="Cached paper", year=2020, tags=["vision"])


def test_a_repeat_visit_is_served_from_the_cache_without_queries(
    client, paper, django_assert_num_queries
):
    first = client.get(LIST)
    with django_assert_num_queries(0):
        second = client.get(LIST)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    # Served by the middleware, with the headers the middleware below it had added.
    assert second["X-Frame-Options"] == first["X-Frame-Options"] == "DENY"
    assert "Cookie" in second["Vary"]
    assert "no-cache" in second["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    [
        lambda p: reverse("home"),
        lambda p: LIST,
        lambda p: reverse("papers:paper_year", args=[p.year]),
        lambda p: f"{LIST}?tag=vision",
        lambda p: p.get_absolute_url(),
        lambda p: reverse("papers:paper_bibtex", args=[p.slug]),
        lambda p: reverse("sitemap"),
        lambda p: reverse("sitemap_section", args=["papers"]),
        lambda p: reverse("tag_index"),
        lambda p: reverse("tag_detail", args=["vision"]),
        lambda p: reverse("tag_feed", args=["vision"]),
    ],
)
def test_a_conditional_repeat_visit_costs_a_304(client, paper, url, django_assert_num_queries):
    response = client.get(url(paper))
    assert response.status_code == 200
    assert response["ETag"] and response["Last-Modified"]
    with django_assert_num_queries(0):
        again = client.get(url(paper), headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(url(paper), headers={"if-modified-since": response["Last-Modified"]})
    assert since.status_code == 304


def test_a_stale_etag_gets_the_new_page(client, paper):
    etag = client.get(paper.get_absolute_url())["ETag"]
    paper.title = "Renamed paper"
    paper.save()
    response = client.get(paper.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Renamed paper" in response.content.decode()
    assert response["ETag"] != etag


def test_an_edit_is_visible_on_the_next_request_everywhere(client, paper):
    pages = [reverse("home"), LIST, paper.get_absolute_url(), f"{LIST}?tag=vision",
             "/tags/vision/", "/tags/vision/feed/"]  # fmt: skip
    for url in pages:
        assert "Cached paper" in client.get(url).content.decode()
    paper.title = "Edited title"
    paper.save()
    for url in pages:
        body = client.get(url).content.decode()
        assert "Edited title" in body and "Cached paper" not in body


def test_a_new_paper_is_counted_on_the_next_request(client, paper):
    assert client.get(LIST).context["page_obj"].paginator.count == 1
    PaperFactory(title="Brand new", year=2021, tags=["vision"])
    response = client.get(LIST)
    assert response.context["page_obj"].paginator.count == 2
    assert {item["year"]: item["count"] for item in response.context["year_facets"]} == {
        2021: 1,
        2020: 1,
    }
    assert {tag.name: tag.count for tag in response.context["tag_facets"]} == {"vision": 2}


def test_a_delete_is_visible_on_the_next_request(client, paper):
    url = paper.get_absolute_url()
    assert client.get(url).status_code == 200
    assert "Cached paper" in client.get(LIST).content.decode()
    paper.delete()
    assert client.get(url).status_code == 404
    assert "Cached paper" not in client.get(LIST).content.decode()
    assert list(client.get(f"{LIST}?tag=vision").context["papers"]) == []


def test_unpublishing_hides_the_paper_at_once(client, paper):
    assert client.get(paper.get_absolute_url()).status_code == 200
    fresh = Paper.objects.get(pk=paper.pk)
    fresh.status = Status.DRAFT
    fresh.save()
    assert client.get(paper.get_absolute_url()).status_code == 404
    assert "Cached paper" not in client.get(reverse("home")).content.decode()


def test_tag_and_author_changes_are_visible_on_the_next_request(client, paper):
    tag_url = f"{LIST}?tag=language"
    assert "Cached paper" not in client.get(tag_url).content.decode()
    paper.tags.add("language")
    assert "Cached paper" in client.get(tag_url).content.decode()
    paper.tags.remove("vision")
    assert list(client.get(f"{LIST}?tag=vision").context["papers"]) == []

    author = AuthorFactory(name="Ada Example")
    assert "Ada Example" not in client.get(paper.get_absolute_url()).content.decode()
    Authorship.objects.create(paper=paper, author=author, position=0)
    assert "Ada Example" in client.get(paper.get_absolute_url()).content.decode()
    author.name = "Ada Renamed"
    author.save()
    assert "Ada Renamed" in client.get(paper.get_absolute_url()).content.decode()


def test_an_admin_edit_is_visible_to_the_next_visitor(admin_client, paper):
    visitor = Client()
    assert "Cached paper" in visitor.get(LIST).content.decode()
    changelist = reverse("admin:papers_paper_changelist")
    response = admin_client.post(
        changelist,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(paper.pk),
            "form-0-status": Status.DRAFT,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert Paper.objects.get(pk=paper.pk).status == Status.DRAFT
    assert "Cached paper" not in visitor.get(LIST).content.decode()


def test_the_version_is_bumped_again_after_the_commit(paper, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        paper.save()
    assert bump_content_version in callbacks
    before = content_version()
    callbacks[-1]()
    assert content_version() != before


def test_signed_in_users_get_a_fresh_page(admin_client, paper):
    visitor = Client()
    visitor.get(LIST)  # now cached for anonymous visitors
    response = admin_client.get(LIST)
    assert "ETag" not in response
    assert reverse("admin:index") in response.content.decode()
    assert reverse("admin:index") not in visitor.get(LIST).content.decode()


def test_error_pages_are_not_cached(client, paper):
    assert client.get(LIST, {"year": "abc"}).status_code == 400
    assert cache.get(VERSION_KEY)
    response = client.get(LIST, {"year": "abc"})
    assert response.status_code == 400
    assert "ETag" not in response
    assert client.get("/papers/no-such-paper/").status_code == 404
    PaperFactory(title="Arrives later", slug="no-such-paper")
    assert client.get("/papers/no-such-paper/").status_code == 200


def test_other_pages_of_a_list_reuse_the_cached_count(client, django_assert_num_queries):
    for n in range(25):
        PaperFactory(title=f"Paper {n:02d}", year=2000 + n)
    client.get(LIST)
    # Page 2: the page of papers, and the bylines and tags of its cards, new so far.
    with django_assert_num_queries(3):
        assert len(client.get(LIST, {"page": 2}).context["papers"]) == 5
    # Sorted by title: every card is already rendered, only the page of papers is read.
    with django_assert_num_queries(1):
        response = client.get(LIST, {"sort": "title"})
    assert response.status_code == 200
    assert response.content.decode().count('class="card paper-card"') == 20


def test_a_page_rendered_across_a_save_is_not_stored_under_the_new_version(
    client, paper, monkeypatch
):
    from papers import views

    real = views._paper_list

    def save_meanwhile(request, *args, **kwargs):
        response = real(request, *args, **kwargs)  # rendered from the old rows…
        bump_content_version()  # …while another request saves
        return response

    monkeypatch.setattr(views, "_paper_list", save_meanwhile)
    client.get(LIST)
    monkeypatch.setattr(views, "_paper_list", real)
    # Not served from the cache: the next visitor's page is rendered from the database.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    assert len(queries) > 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    assert len(queries) == 0
