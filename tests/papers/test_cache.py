"""Page and count caches: fast repeat visits, and every change visible on the next request."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.models import Authorship, Paper, Status
from papers.site.cache import (
    REBUILD_LOCK_TIMEOUT,
    VERSION_KEY,
    _due,
    _page_address,
    bump_content_version,
    bump_pages,
    changes_bumped_at_end,
    content_version,
    counts_version,
    release,
    search_version,
)
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")
HOUR = datetime.timedelta(hours=1)


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
    assert bump_pages in callbacks
    before = content_version()
    next(callback for callback in callbacks if callback is bump_pages)()
    assert content_version() != before


def test_a_batch_of_saves_bumps_the_versions_once_at_its_end_and_once_after_its_commit(
    paper, django_capture_on_commit_callbacks
):
    pages, counts, searched = content_version(), counts_version(), search_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with changes_bumped_at_end():
            for number in range(3):
                PaperFactory(title=f"Batch paper {number}", year=2021)
            paper.title = "Retitled in the batch"
            paper.save()
            # Nothing moved yet: the saves only noted that something changed.
            assert (content_version(), counts_version()) == (pages, counts)
            assert search_version() == searched  # documents were written: noted too
        assert content_version() != pages
        assert counts_version() != counts  # new published papers change the counts
        assert search_version() != searched
    # One hook for the whole batch (instead of one per saved row), and it bumps again.
    assert len(callbacks) == 1
    after = content_version()
    callbacks[0]()
    assert content_version() != after


def test_a_batch_that_saves_nothing_bumps_nothing():
    pages = content_version()
    with changes_bumped_at_end():
        pass
    assert content_version() == pages


def test_an_edit_keeps_the_site_wide_counts_and_a_counted_change_moves_them(
    client, paper, django_assert_num_queries
):
    """A title edit re-renders pages but reuses the counts over the whole library; a new
    year, a new tag or an unpublished paper is counted on the next request."""
    client.get(LIST)
    counts = counts_version()
    paper.title = "Retitled paper"
    paper.save()
    assert counts_version() == counts
    # The page and its cards again, and the site settings (once per content version); the
    # facet summary, the authors and the list's counts come from the cache.
    with django_assert_num_queries(4):
        assert "Retitled paper" in client.get(LIST).content.decode()
    paper.year = 2021
    paper.save()
    assert counts_version() != counts
    year_facets = client.get(LIST).context["year_facets"]
    assert [(entry["year"], entry["count"]) for entry in year_facets] == [(2021, 1)]
    counts = counts_version()
    paper.tags.add("robotics")
    assert counts_version() != counts
    counts = counts_version()
    paper.status = Status.DRAFT
    paper.save()
    assert counts_version() != counts
    assert client.get(LIST).context["page_obj"].paginator.count == 0


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


def test_the_clock_alone_does_not_move_the_version(client, paper, django_assert_num_queries):
    """Nothing scheduled: an hour later the page is still the stored one, with no query."""
    first = client.get(LIST)
    later_on = time_machine.travel(datetime.datetime.now(datetime.UTC) + HOUR, tick=False)
    with later_on, django_assert_num_queries(0):
        later = client.get(LIST)
    assert later.content == first.content
    assert later["ETag"] == first["ETag"]


@pytest.mark.parametrize("cookie", ["junk", "0123456789abcdefghijklmnopqrstuv"])
def test_a_session_cookie_with_no_session_is_served_the_cached_page(
    client, paper, cookie, django_assert_max_num_queries
):
    """A made-up session cookie costs at most the session lookup, not a rendered page."""
    first = client.get(LIST)
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    # A malformed key needs no query; a well-formed one, the one primary-key read.
    with django_assert_max_num_queries(0 if cookie == "junk" else 1) as queries:
        response = client.get(LIST)
    assert response.content == first.content
    assert response["ETag"] == first["ETag"]
    assert all("django_session" in query["sql"] for query in queries.captured_queries)


def test_a_real_session_is_read_once_and_still_gets_a_fresh_page(admin_client, paper):
    Client().get(LIST)  # cached for anonymous visitors
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(LIST)
    assert "ETag" not in response
    assert reverse("admin:index") in response.content.decode()
    session_reads = [q for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len(session_reads) == 1


def test_while_one_visitor_rebuilds_a_changed_page_the_others_get_the_previous_one(
    client, paper, django_assert_num_queries
):
    first = client.get(LIST)
    paper.title = "Renamed paper"
    paper.save()
    # Another worker has taken this page's rebuild lock and is rendering it.
    key = f"papershelf:page:{release()}:{_page_address(RequestFactory().get(LIST))}"
    assert cache.add(f"{key}:rebuild", 1, REBUILD_LOCK_TIMEOUT)
    with django_assert_num_queries(0):
        meanwhile = client.get(LIST)
    assert meanwhile.content == first.content
    assert meanwhile["ETag"] == first["ETag"]
    cache.delete(f"{key}:rebuild")  # its rebuild is done (or the lock expired)
    assert "Renamed paper" in client.get(LIST).content.decode()


def test_the_first_visitor_after_a_change_rebuilds_and_frees_the_lock(client, paper):
    client.get(LIST)
    paper.title = "Renamed paper"
    paper.save()
    assert "Renamed paper" in client.get(LIST).content.decode()
    assert not [key for key in cache._cache if key.endswith(":rebuild")]
    paper.delete()  # the page's stale entry is dropped, not served
    assert "Renamed paper" not in client.get(LIST).content.decode()
    assert not [key for key in cache._cache if key.endswith(":rebuild")]


def _schedule_lookups(queries):
    return [q["sql"] for q in queries if "MIN(" in q["sql"].upper()]


def test_a_page_that_needs_no_database_asks_no_scheduled_moment(client):
    """A version nobody has looked up (a cache that came back) is settled by a render that
    used the database, not before every request: a 404 with the database gone waits for
    no connection on its behalf."""
    cache.clear()
    with CaptureQueriesContext(connection) as made_here:
        content_version()  # made now: nothing scheduled can be due yet
    assert _schedule_lookups(made_here.captured_queries) == []
    cache.clear()
    cache.set(VERSION_KEY, str(1_000_000_000 * 10**9))  # an old version, its moment unknown
    _due.clear()
    with CaptureQueriesContext(connection) as not_found:
        assert client.get("/no-such-page/").status_code == 404
    assert _schedule_lookups(not_found.captured_queries) == []
    with CaptureQueriesContext(connection) as rendered:
        assert client.get(LIST).status_code == 200
    assert _schedule_lookups(rendered.captured_queries)  # the render settles it


def test_a_render_that_settles_the_moment_reads_the_version_and_the_moment_once(
    client, paper, monkeypatch
):
    """After a cache clear the first visitor makes the version; the next render finds its
    scheduled moment missing, asks the database after the render and stores the answer,
    reading the version and the moment's key from the shared cache once each."""
    cache.clear()
    _due.clear()
    assert client.get(LIST).status_code == 200  # the version made by this request
    version = cache.get(VERSION_KEY)
    due_key = f"papershelf:{version}:due"
    assert cache.get(due_key) is None  # nobody has looked it up yet
    reads = []
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: reads.append(key) or get(key, *a, **k))
    with CaptureQueriesContext(connection) as rendered:
        assert client.get(LIST, {"sort": "title"}).status_code == 200  # not the stored page
    assert _schedule_lookups(rendered.captured_queries)  # the render settled it
    assert reads.count(VERSION_KEY) == 1
    assert reads.count(due_key) == 1
    assert get(due_key) == 0  # stored: nothing is scheduled


def test_an_authors_coauthors_are_kept_until_a_byline_changes(client):
    ada, bo, cy = (AuthorFactory(name=name) for name in ("Ada Cached", "Bo Cached", "Cy Cached"))
    paper = PaperFactory(title="Shared paper", authors=[ada, bo])
    url = reverse("papers:author_detail", args=[ada.slug])
    assert [a.name for a in client.get(url).context["coauthors"]] == ["Bo Cached"]
    paper.title = "Shared paper, retitled"
    paper.save()  # the page again, the coauthors from the cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert not [q for q in captured.captured_queries if 'AS "shared"' in q["sql"]]
    assert "Shared paper, retitled" in response.content.decode()
    assert [a.name for a in response.context["coauthors"]] == ["Bo Cached"]
    Authorship.objects.create(paper=paper, author=cy, position=2)
    assert [a.name for a in client.get(url).context["coauthors"]] == ["Bo Cached", "Cy Cached"]


def test_kept_coauthors_link_their_pages(client):
    ada, bo = AuthorFactory(name="Ada Linked"), AuthorFactory(name="Bo Linked")
    PaperFactory(title="Shared paper", authors=[ada, bo])
    url = reverse("papers:author_detail", args=[ada.slug])
    client.get(url)
    bump_pages()  # the page again, its coauthors (with their addresses) from the cache
    html = client.get(url).content.decode()
    assert f'<a href="{bo.get_absolute_url()}">Bo Linked</a>' in html


def _coauthors_section(response):
    html = response.content.decode()
    return html[html.index('<section class="coauthors"') :].split("</section>")[0]


def test_an_authors_kept_coauthors_section_shows_a_rename_and_a_new_byline_next(client):
    ada, bo, cy = (AuthorFactory(name=name) for name in ("Ada Shown", "Bo Shown", "Cy Shown"))
    paper = PaperFactory(title="Shared paper", authors=[ada, bo])
    url = reverse("papers:author_detail", args=[ada.slug])
    assert '">Bo Shown</a> <span class="n">(1)</span>' in _coauthors_section(client.get(url))
    bo.name = "Bo Renamed"
    bo.save()
    section = _coauthors_section(client.get(url))
    assert '">Bo Renamed</a>' in section and "Bo Shown" not in section
    Authorship.objects.create(paper=paper, author=cy, position=2)
    section = _coauthors_section(client.get(url))
    assert f'<a href="{cy.get_absolute_url()}">Cy Shown</a> <span class="n">(1)</span>' in section


def test_an_author_page_miss_reads_the_counts_and_cards_versions_in_one_cache_read(
    client, monkeypatch
):
    ada = AuthorFactory(name="Ada Versions")
    PaperFactory(title="One paper", authors=[ada])
    url = reverse("papers:author_detail", args=[ada.slug])
    client.get(url)
    bump_pages()  # a miss: the page again, its counts, cards and coauthors from the cache
    reads, inside = [], []
    get, get_many = cache.get, cache.get_many

    def one(key, *args, **kwargs):
        if not inside:  # the local-memory cache's get_many() reads key by key
            reads.append([key])
        return get(key, *args, **kwargs)

    def many(keys, *args, **kwargs):
        reads.append(list(keys))
        inside.append(True)
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(cache, "get", one)
    monkeypatch.setattr(cache, "get_many", many)
    assert client.get(url).status_code == 200
    version_reads = [keys for keys in reads if any(key.endswith("-version") for key in keys)]
    assert version_reads == [
        ["papershelf:content-version"],
        [
            "papershelf:counts-version",
            "papershelf:cards-version",
            "papershelf:parts-version",
            "papershelf:search-version",
            # The count of search documents changed, with the search version.
            "papershelf:search-changes",
        ],
    ]


def test_an_author_page_miss_reads_no_author_row_and_a_rename_or_withdrawal_shows_next(client):
    ada = AuthorFactory(name="Ada Kept")
    paper = PaperFactory(title="Her paper", authors=[ada])
    url = reverse("papers:author_detail", args=[ada.slug])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as miss:  # another address: not a stored page
        assert client.get(url, {"sort": "title"}).status_code == 200
    assert not [q for q in miss.captured_queries if 'FROM "papers_author"' in q["sql"]]
    ada.name = "Ada Renamed"
    ada.save()
    assert "<h1>Ada Renamed</h1>" in client.get(url).content.decode()
    paper.status = Status.DRAFT
    paper.save()
    assert client.get(url).status_code == 404


def test_a_title_edit_keeps_an_author_lists_counts_and_a_new_byline_or_year_shows_next(client):
    ann, bo = AuthorFactory(name="Ann Counted"), AuthorFactory(name="Bo Counted")
    hers = PaperFactory(title="Hers", year=2020, authors=[ann])
    his = PaperFactory(title="His", year=2021, authors=[bo])
    url = f"{LIST}?author={ann.slug}"

    def years(response):
        return [(item["year"], item["count"]) for item in response.context["year_facets"]]

    assert years(client.get(url)) == [(2020, 1)]
    hers.title = "Hers, retitled"
    hers.save()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert "Hers, retitled" in response.content.decode()
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"]]
    Authorship.objects.create(paper=his, author=ann, position=2)
    response = client.get(url)
    assert years(response) == [(2021, 1), (2020, 1)] and "2 papers" in response.content.decode()
    hers.year = 2019
    hers.save()
    assert years(client.get(url)) == [(2021, 1), (2019, 1)]
