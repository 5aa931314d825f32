"""Site-wide tags: index with counts, tag pages across types, intersections, related tags,
renamed tags, the Atom feed, drafts, query counts."""

import datetime
import re
from xml.etree import ElementTree

import django.urls
import pytest
from django.urls import reverse

from papers import facets
from papers.models import Tag, TagRedirect
from papers.site.cache import bump_content_version
from tests.blog.factories import ReportFactory, at
from tests.demo_state import fixture_rows
from tests.factories import PaperFactory, paper_with_everything
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def make_content():
    return {
        "paper_old": PaperFactory(title="Old vision paper", year=2015, tags=["vision"]),
        "paper_new": PaperFactory(
            title="New SSL paper", year=2023, month=5, tags=["vision", "self-supervised"]
        ),
        "paper_draft": PaperFactory(title="Draft vision paper", tags=["vision"], status="draft"),
        "report": ReportFactory(
            title="A vision report", tags=["vision", "self-supervised"], published_at=at(2022)
        ),
        "report_draft": ReportFactory(title="Draft vision report", tags=["vision"], draft=True),
        "session": PresentationFactory(
            title="A vision session", tags=["vision"], scheduled_at=at(2024, 1)
        ),
        "session_draft": PresentationFactory(
            title="Draft vision session", tags=["vision", "secret"], draft=True
        ),
        "language": PaperFactory(title="Language paper", tags=["language"]),
    }


# Made once per test process, put back for each test (tests/demo_state.py).
_kept_rows, content = fixture_rows(make_content)


def item_titles(response):
    return [item.obj.title for item in response.context["items"]]


def test_tag_urls_are_site_wide():
    tag = Tag.objects.create(name="Self-Supervised")
    assert tag.get_absolute_url() == "/tags/self-supervised/"


def test_index_lists_every_used_tag_with_counts_per_type(client, content):
    response = client.get(reverse("tag_index"))
    assert response.status_code == 200
    counts = {t.slug: (t.papers, t.reports, t.sessions) for t in response.context["tags"]}
    assert counts == {
        "vision": (2, 1, 1),
        "self-supervised": (1, 1, 0),
        "language": (1, 0, 0),
    }  # "secret" is only on a draft session: not listed
    body = response.content.decode()
    assert 'href="/tags/vision/"' in body
    by_use = client.get(reverse("tag_index"), {"sort": "count"}).context["tags"]
    assert by_use[0].slug == "vision"


@pytest.fixture
def reverse_calls(monkeypatch):
    """The URL names ``reverse()`` is called with while the test runs (``{% url %}`` and
    ``Tag.get_absolute_url`` both import ``django.urls.reverse`` when called)."""
    calls = []
    original = django.urls.reverse

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(django.urls, "reverse", counting)
    return calls


def test_index_resolves_one_tag_address_per_tag_and_no_list_address_per_tag(
    client, content, reverse_calls
):
    # 200 tags made ~435 reverse() calls per miss (a {% url %} per row and
    # tag.get_absolute_url twice): most of the template's CPU after the counts.
    calls = reverse_calls

    def resolved():
        calls.clear()
        response = client.get(reverse("tag_index"))
        names = ("tag_detail", "papers:paper_list", "blog:report_list")
        return len(response.context["tags"]), [calls.count(name) for name in names], response

    tags_before, before, _ = resolved()
    for name in ("graphs", "robotics", "speech"):
        PaperFactory(tags=[name])
        ReportFactory(tags=[name, "vision"])
        PresentationFactory(tags=[name])
    tags_after, after, response = resolved()
    assert tags_after == tags_before + 3
    assert after == [before[0] + 3, before[1], before[2]]
    body = response.content.decode()
    assert 'href="/papers/?tag=vision"' in body and 'href="/reports/?tag=graphs"' in body
    assert 'href="/tags/speech/?type=sessions"' in body


def test_index_after_a_save_that_changes_no_tag_makes_no_row_again(client, content, reverse_calls):
    """The table is kept under what it shows: a save elsewhere (a title) renders the page
    around it, not its rows (200 rows were 21–28 ms of CPU at every save)."""
    calls = reverse_calls
    first = client.get(reverse("tag_index")).content
    assert calls.count("tag_detail") == 3
    calls.clear()
    content["paper_old"].title = "Old vision paper, retitled"
    content["paper_old"].save()
    again = client.get(reverse("tag_index"))
    assert again.content == first
    assert calls.count("tag_detail") == 0
    assert "tags/_tag_table.html" not in [t.name for t in again.templates]
    # Sorted by use: another table, made once.
    assert client.get(reverse("tag_index"), {"sort": "count"}).content != first


def test_kept_index_table_shows_a_count_or_a_name_changed_at_the_next_request(client, content):
    client.get(reverse("tag_index"))
    ReportFactory(title="Another language report", tags=["language"])
    body = client.get(reverse("tag_index")).content.decode()
    assert 'aria-label="1 report tagged language"' in body
    tag = Tag.objects.get(slug="language")
    tag.name = "Natural language"
    tag.save()
    body = client.get(reverse("tag_index")).content.decode()
    assert ">Natural language</a>" in body
    PresentationFactory(title="A language session", tags=[tag])
    body = client.get(reverse("tag_index")).content.decode()
    assert 'aria-label="1 session tagged Natural language"' in body


def test_papers_per_tag_come_from_the_kept_counts_and_follow_every_change(client, content):
    """The index's papers per tag are read from the kept counts (no pass over the papers'
    tag rows) and equal a count from the published papers after a tag added, removed, a
    paper published, unpublished and deleted, each at the next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from papers.models import Paper
    from papers.tagging import tag_id_counts

    def papers_per_tag():
        with CaptureQueriesContext(connection) as queries:
            tags = client.get(reverse("tag_index")).context["tags"]
        assert not [q for q in queries if 'FROM "papers_taggedpaper"' in q["sql"]]
        shown = {tag.slug: tag.papers for tag in tags if tag.papers}
        slugs = dict(Tag.objects.values_list("pk", "slug"))
        assert shown == {slugs[pk]: n for pk, n in tag_id_counts(Paper.objects.published())}
        return shown

    assert papers_per_tag() == {"vision": 2, "self-supervised": 1, "language": 1}
    content["language"].tags.add("vision")
    assert papers_per_tag() == {"vision": 3, "self-supervised": 1, "language": 1}
    content["paper_new"].tags.remove("self-supervised")
    assert papers_per_tag() == {"vision": 3, "language": 1}
    content["paper_draft"].status = "published"
    content["paper_draft"].save()
    assert papers_per_tag() == {"vision": 4, "language": 1}
    content["language"].status = "draft"
    content["language"].save()
    assert papers_per_tag() == {"vision": 3}
    content["paper_old"].delete()
    assert papers_per_tag() == {"vision": 2}


def test_cached_tag_pages_show_a_new_report_or_session_at_once(client, content):
    for url in ["/tags/", "/tags/vision/", "/tags/vision/feed/"]:
        assert client.get(url).status_code == 200  # now in the page cache
    ReportFactory(title="A fresh report", tags=["vision", "brand-new"])
    PresentationFactory(title="A fresh session", tags=["vision"])
    assert "brand-new" in client.get("/tags/").content.decode()
    for url in ["/tags/vision/", "/tags/vision/feed/"]:
        body = client.get(url).content.decode()
        assert "A fresh report" in body and "A fresh session" in body, url


def test_index_is_alphabetical_whatever_the_case(client):
    for name in ["General AI", "active learning", "LLM", "attention"]:
        PaperFactory(tags=[name])
    names = [tag.name for tag in client.get(reverse("tag_index")).context["tags"]]
    assert names == ["active learning", "attention", "General AI", "LLM"]


def test_tag_page_lists_all_types_newest_first_without_drafts(client, content):
    response = client.get(reverse("tag_detail", args=["vision"]))
    assert response.status_code == 200
    assert item_titles(response) == [
        "A vision session",  # 2024
        "New SSL paper",  # May 2023
        "A vision report",  # 2022
        "Old vision paper",  # 2015
    ]
    assert response.context["counts"] == {"papers": 2, "reports": 1, "sessions": 1}
    body = response.content.decode()
    assert "Draft vision" not in body
    assert 'href="/tags/vision/feed/"' in body


def test_type_filter(client, content):
    response = client.get(reverse("tag_detail", args=["vision"]), {"type": "reports"})
    assert item_titles(response) == ["A vision report"]
    bad = client.get(reverse("tag_detail", args=["vision"]), {"type": "<script>"})
    assert bad.status_code == 400
    assert "<script>" not in bad.content.decode()


def test_intersection_and_related_tags(client, content):
    response = client.get("/tags/vision+self-supervised/")
    assert response.status_code == 200
    assert item_titles(response) == ["New SSL paper", "A vision report"]
    related = client.get("/tags/vision/").context["related"]
    assert related[0]["slug"] == "self-supervised" and related[0]["count"] == 2
    assert related[0]["combine_url"] == "/tags/vision+self-supervised/"
    assert "secret" not in {entry["slug"] for entry in related}  # from a draft only


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/tags/vision+vision/", "/tags/vision/"),
        ("/tags/vision++self-supervised/", "/tags/vision+self-supervised/"),
        ("/tags/+vision/", "/tags/vision/"),
    ],
)
def test_one_address_per_set_of_tags(client, content, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target


@pytest.mark.parametrize(
    "path",
    [
        "/tags/nope/",
        "/tags/vision+nope/",
        "/tags/a+b+c+d+e+f/",
        "/tags/" + "x" * 101 + "/",
        "/tags/%0A/",
        "/tags/%20/",
        "/tags/'%20OR%201=1/",
    ],
)
def test_unknown_tags_are_404(client, content, path):
    assert client.get(path).status_code == 404


def test_a_tag_only_unpublished_content_uses_is_404_everywhere(client, content):
    """The tag page finds its tags without checking them (its counts do): a tag on a
    draft paper, a draft report, a report scheduled for tomorrow or a draft session only
    is a 404 on its page, its types, a bad ``?type=``, its feed, and with a public tag."""
    from django.utils import timezone

    PaperFactory(title="Drafted", tags=["on-draft-paper"], status="draft")
    ReportFactory(title="Unpublished", tags=["on-draft-report"], draft=True)
    ReportFactory(
        title="Tomorrow",
        tags=["on-future-report"],
        published_at=timezone.now() + datetime.timedelta(days=1),
    )
    for slug in ["on-draft-paper", "on-draft-report", "on-future-report", "secret"]:
        for path in [f"/tags/{slug}/", f"/tags/vision+{slug}/", f"/tags/{slug}+vision/"]:
            for query in [{}, {"type": "papers"}, {"type": "reports"}, {"type": "nope"}]:
                assert client.get(path, query).status_code == 404, (path, query)
        assert client.get(f"/tags/{slug}/feed/").status_code == 404


def test_public_tags_with_no_row_in_common_are_an_empty_page(client, content):
    response = client.get("/tags/vision+language/")
    assert response.status_code == 200
    assert response.context["total"] == 0 and not response.context["items"]


def test_a_tag_page_finds_its_tags_without_checking_each_kind(client, content):
    """No ``EXISTS`` per kind on the tag page: its counts say the tag is public."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/tags/vision/").status_code == 200
    lookups = [q["sql"] for q in queries if q["sql"].startswith('SELECT "papers_tag"."id"')]
    assert len(lookups) == 1 and "EXISTS" not in lookups[0]


def test_nul_in_a_tag_address_is_400(client):
    assert client.get("/tags/a%00b/").status_code == 400


def test_pages_out_of_range_fall_back(client, content):
    for page in ["-1", "999999", "abc"]:
        response = client.get("/tags/vision/", {"page": page})
        assert response.status_code == 200
        html = response.content.decode()
        assert content["paper_new"].get_absolute_url() in html, page


def test_renamed_tag_keeps_old_urls_working(client, content):
    tag = Tag.objects.get(slug="self-supervised")
    tag.name = "Self-supervised learning"
    tag.save()
    assert tag.slug == "self-supervised-learning"
    assert TagRedirect.objects.get(old_slug="self-supervised").tag == tag
    old = client.get("/tags/self-supervised/", {"type": "papers"})
    assert old.status_code == 301
    assert old["Location"] == "/tags/self-supervised-learning/?type=papers"
    both = client.get("/tags/vision+self-supervised/")
    assert both["Location"] == "/tags/vision+self-supervised-learning/"
    feed = client.get("/tags/self-supervised/feed/")
    assert feed.status_code == 301 and feed["Location"] == "/tags/self-supervised-learning/feed/"
    assert client.get(both["Location"]).status_code == 200
    # Renamed back: the old slug is live again and no longer redirects.
    tag.name = "self-supervised"
    tag.save()
    assert tag.slug == "self-supervised"
    assert client.get("/tags/self-supervised/").status_code == 200
    assert client.get("/tags/self-supervised-learning/").status_code == 301


def test_renaming_to_a_taken_slug_gets_a_fresh_one(content):
    tag = Tag.objects.get(slug="language")
    tag.name = "Vision!"
    tag.save()
    assert tag.slug == "vision-2"


def test_feed_has_every_type_and_no_drafts(client, content):
    response = client.get(reverse("tag_feed", args=["vision"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own feed
    titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    assert len(titles) == 4
    for expected in ["Paper: Old vision paper", "Paper: New SSL paper", ": A vision report",
                     ": A vision session"]:  # fmt: skip
        assert any(title.endswith(expected) or title == expected for title in titles), expected
    assert not any("Draft" in title for title in titles)
    links = {entry.find(f"{ATOM}link").get("href") for entry in root.iter(f"{ATOM}entry")}
    assert f"http://testserver{content['report'].get_absolute_url()}" in links
    assert client.get("/tags/nope/feed/").status_code == 404


def test_feed_summary_of_a_paper_is_its_abstract_or_else_its_notes(client):
    PaperFactory(title="Has abstract", abstract="The <abstract>.", notes="*Notes* one.", tags=["s"])
    PaperFactory(title="Notes only", abstract="", notes="*Notes* two.", tags=["s"])
    root = ElementTree.fromstring(client.get("/tags/s/feed/").content)  # noqa: S314
    summaries = {
        entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}summary")
        for entry in root.iter(f"{ATOM}entry")
    }
    # After the byline and date (the same entry as in the papers feed).
    assert summaries["Paper: Has abstract"].endswith("</p><p>The &lt;abstract&gt;.</p>")
    assert summaries["Paper: Notes only"].endswith("</p><p><em>Notes</em> two.</p>")


def _fill(n):
    for i in range(n):
        paper_with_everything(tags=("shared", f"p{i % 4}"), year=2000 + i % 20)
        ReportFactory(tags=["shared", f"r{i % 3}"], published_at=at(2010 + i % 10))
        PresentationFactory(
            tags=["shared", f"s{i % 2}"], scheduled_at=at(2020) + datetime.timedelta(days=i)
        )


@pytest.mark.parametrize("n", [3, 30])
def test_query_counts_do_not_grow_with_content(client, django_assert_max_num_queries, n):
    _fill(n)
    # One grouped count per kind (3), then the tags (1); the counts stay cached until the
    # content changes, so the next render reads only the tags; + the site settings, read
    # once per content version.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("tag_index"))
    assert len(response.context["tags"]) > 5
    with django_assert_max_num_queries(1):
        client.get(reverse("tag_index"), {"sort": "count"})
    # tags (1), one narrow query per kind (3), the page's rows with their prefetches (8),
    # related tags (3)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("tag_detail", args=["shared"]))
    assert len(response.context["items"]) == min(3 * n, 20)
    with django_assert_max_num_queries(15):
        client.get("/tags/shared+p1/", {"page": 2})
    # Entries to write: the entries' facts as values (8: rows, bylines, presenters, tags),
    # then the objects of those to write with their prefetches (8); the tag and the kinds'
    # newest rows are the tag page's, kept (20 before: 1 + 3 more).
    with django_assert_max_num_queries(16):
        client.get(reverse("tag_feed", args=["shared"]))
    # Every entry kept (after a save elsewhere): the same without the objects, + the site
    # settings (a report's label), read once per content version.
    bump_content_version()
    with django_assert_max_num_queries(13):
        client.get(reverse("tag_feed", args=["shared"]))


@pytest.mark.parametrize("few_rows", [0, 10_000])  # the database sorts / Python sorts
def test_pages_merge_the_kinds_by_date_exactly_as_one_sorted_list(client, monkeypatch, few_rows):
    """Each page reads only the newest rows of each kind; together they are one order."""
    monkeypatch.setattr("config.content.FEW_ROWS", few_rows)
    # Both ways on either database (SQLite's pages never sort here otherwise).
    monkeypatch.setattr("config.content.SORTED_HERE", {"postgresql", "sqlite"})
    papers = [
        PaperFactory(title=f"Paper {i}", year=2018 + i % 5, month=None if i % 3 else 1 + i % 12)
        for i in range(23)
    ]
    reports = [
        ReportFactory(title=f"Report {i}", published_at=at(2018 + i % 6, 1 + i % 12))
        for i in range(17)
    ]
    sessions = [
        PresentationFactory(title=f"Session {i}", scheduled_at=at(2019 + i % 4, 1 + i % 12))
        for i in range(9)
    ]
    for obj in [*papers, *reports, *sessions]:
        obj.tags.add("shared")

    def key(obj):
        if obj in papers:
            # As the paper list orders them (papers.models.NEWEST_FIRST): a paper with only
            # a year comes after the dated papers of its year.
            date = datetime.datetime(obj.year, obj.month or 1, 1, tzinfo=datetime.UTC)
            if obj.month is None:
                date -= datetime.timedelta(seconds=1)
            return (date, True, obj.pk)
        moment = obj.published_at if obj in reports else obj.scheduled_at
        return (moment, False, obj.pk)

    everything = sorted([*papers, *reports, *sessions], key=key, reverse=True)
    expected = [obj.title for obj in everything]
    shown = []
    for page in (1, 2, 3):
        response = client.get(reverse("tag_detail", args=["shared"]), {"page": page})
        shown += item_titles(response)
    assert shown == expected
    assert response.context["total"] == 49
    only_reports = client.get(reverse("tag_detail", args=["shared"]), {"type": "reports"})
    assert item_titles(only_reports) == [r.title for r in everything if r in reports][:20]


def test_a_page_reads_only_as_many_rows_of_each_kind_as_it_shows(client, monkeypatch):
    monkeypatch.setattr("config.content.FEW_ROWS", 10)  # 50 papers count as many
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(50):
        PaperFactory(title=f"Paper {i}", tags=["shared"])
    with CaptureQueriesContext(connection) as page_two:
        client.get(reverse("tag_detail", args=["shared"]), {"page": 2})
    merged = [q["sql"] for q in page_two.captured_queries if "LIMIT 40" in q["sql"]]
    assert len(merged) == 1 and '"papers_paper"' in merged[0]


def test_a_tag_is_resolved_once_per_content_version_and_follows_its_last_paper(client):
    """The tag's page, its types and its feed share one resolution of the slugs until
    the content changes; its only paper unpublished, both are a 404 at the next request,
    and a rename moves both to the new address."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    paper = PaperFactory(tags=["solo"])

    def resolutions(*urls):
        with CaptureQueriesContext(connection) as queries:
            statuses = [client.get(url).status_code for url in urls]
        return statuses, sum('"papers_tag"."slug" IN' in q["sql"]
                             for q in queries)  # fmt: skip

    assert resolutions("/tags/solo/", "/tags/solo/feed/", "/tags/solo/?type=papers") == (
        [200, 200, 200],
        1,
    )
    tag = Tag.objects.get(name="solo")
    tag.name = "solo two"
    tag.save()
    feed = client.get("/tags/solo/feed/")
    assert (feed.status_code, feed["Location"]) == (301, "/tags/solo-two/feed/")
    paper.status = "draft"
    paper.save()
    assert resolutions("/tags/solo-two/", "/tags/solo-two/feed/")[0] == [404, 404]


def _newest_reads(queries):
    """The queries reading a kind's newest rows with the tag (ids and dates, no object)."""
    newest = re.compile(r'^SELECT "\w+"\."id" AS "pk", .* EXISTS\(SELECT 1 AS "a" FROM "\w+_tagged')
    return [q["sql"] for q in queries if newest.match(q["sql"])]


def test_a_tags_newest_rows_are_read_once_for_its_page_types_and_feed_and_follow_changes(
    client,
):
    """The tag's page, its ``?type=`` page and its feed begin with the same newest rows of
    each kind, read once until the content changes; a paper tagged, untagged or
    unpublished is on (or off) all three at the next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    older = PaperFactory(title="Older paper", year=2010, tags=["kept"])
    ReportFactory(title="A kept report", tags=["kept"], published_at=at(2011))
    PresentationFactory(title="A kept session", tags=["kept"], scheduled_at=at(2012))
    urls = ["/tags/kept/", "/tags/kept/feed/", "/tags/kept/?type=papers"]

    def shown(title):
        return [title in client.get(url).content.decode() for url in urls]

    with CaptureQueriesContext(connection) as first:
        assert client.get(urls[0]).status_code == 200
    assert len(_newest_reads(first)) == 3
    with CaptureQueriesContext(connection) as others:
        assert [client.get(url).status_code for url in urls[1:]] == [200, 200]
    assert _newest_reads(others) == []
    assert shown("Older paper") == [True, True, True]

    newer = PaperFactory(title="Newer paper", year=2020, tags=["other"])
    newer.tags.add("kept")
    assert shown("Newer paper") == [True, True, True]
    newer.tags.remove("kept")
    assert shown("Newer paper") == [False, False, False]
    older.status = "draft"
    older.save()
    assert shown("Older paper") == [False, False, False]
    assert shown("A kept report") == [True, True, False]


@pytest.mark.parametrize("url", ["/tags/once/feed/", "/tags/once/", "/feeds/reports/"])
def test_a_page_reads_the_content_version_from_the_cache_once(client, monkeypatch, url):
    """A feed's title and author ask for the site's name without the request: they read
    the version the request has read (``papers.site.cache._rendering``), not the shared
    cache again; outside the request the version is read afresh."""
    from papers.site import cache as page_cache

    PaperFactory(tags=["once"])
    ReportFactory(tags=["once"])
    assert client.get(url).status_code == 200
    reads = []

    def counted():
        reads.append(1)
        return original()

    original = page_cache._stored_version
    monkeypatch.setattr(page_cache, "_stored_version", counted)
    bump_content_version()
    assert client.get(url).status_code == 200
    assert len(reads) == 1
    bump_content_version()
    assert page_cache.content_version() == page_cache.cache.get(page_cache.VERSION_KEY)


def test_related_tags_links_are_kept_with_them_and_follow_a_rename(client, content, reverse_calls):
    """The related tags' addresses (each tag's and its combination's) are made with their
    counts, once per content version: a page made again resolves none per tag, and a
    related tag renamed links its new address at the next request."""
    client.get("/tags/vision/")
    reverse_calls.clear()
    bump_content_version(counts=False)  # the counts and related tags are made again
    body = client.get("/tags/vision/").content.decode()
    assert reverse_calls.count("tag_detail") == 0  # ({% url %} per related tag before)
    assert 'href="/tags/self-supervised/">self-supervised</a>' in body
    assert 'href="/tags/vision+self-supervised/"' in body
    tag = Tag.objects.get(slug="self-supervised")
    tag.name = "self supervision"
    tag.save()
    body = client.get("/tags/vision/").content.decode()
    assert 'href="/tags/self-supervision/">self supervision</a>' in body
    assert 'href="/tags/vision+self-supervision/"' in body
    assert "/tags/self-supervised/" not in body


def _related(response):
    return {entry["slug"]: entry["count"] for entry in response.context["related"]}


def test_the_papers_related_tags_are_kept_across_changes_and_follow_one_after_the_job(
    client, content
):
    """The tags on a tag's papers are kept across counts versions and counted again off
    the request (``papers.facets.tags_along``): after a change they are served as they
    were while one job counts them, the page is not stored, and the next request after
    the job shows the change. The numbers of rows, and the reports' and sessions' tags,
    follow at the next request."""
    url = "/tags/vision/"
    assert _related(client.get(url)) == {"self-supervised": 2}
    PaperFactory(title="Robots", tags=["vision", "robots"])
    ReportFactory(title="Maps report", tags=["vision", "maps"], published_at=at(2021))

    stale = client.get(url)
    assert stale.context["counts"] == {"papers": 3, "reports": 2, "sessions": 1}
    assert _related(stale) == {"self-supervised": 2, "maps": 1}
    assert client.get(url).context is not None  # rendered again, not the stored page
    run_queued_jobs(facets.REBUILD_JOB)
    fresh = client.get(url)
    assert _related(fresh) == {"self-supervised": 2, "maps": 1, "robots": 1}
    assert client.get(url).context is None  # current now: stored


def test_a_tag_sets_count_is_exact_while_its_papers_tags_are_counted_again(client, content):
    url = "/tags/vision+self-supervised/"
    assert client.get(url).context["counts"]["papers"] == 1
    PaperFactory(title="Both", tags=["vision", "self-supervised", "robots"])
    stale = client.get(url)
    assert stale.context["counts"]["papers"] == 2
    assert "robots" not in _related(stale)
    run_queued_jobs(facets.REBUILD_JOB)
    assert _related(client.get(url))["robots"] == 1


def test_a_withdrawn_papers_tags_leave_the_related_tags_at_the_next_request(client, content):
    robots = PaperFactory(title="Robots", tags=["vision", "robots"])
    assert "robots" in _related(client.get("/tags/vision/"))
    robots.status = "draft"
    robots.save()
    response = client.get("/tags/vision/")
    assert "robots" not in _related(response)
    assert response.context["counts"]["papers"] == 2


def test_a_kept_related_tag_deleted_since_is_left_out(client, content):
    PaperFactory(title="Robots", tags=["vision", "robots"])
    assert "robots" in _related(client.get("/tags/vision/"))
    Tag.objects.get(slug="robots").delete()
    response = client.get("/tags/vision/")
    assert response.status_code == 200
    assert _related(response) == {"self-supervised": 2}


def test_a_related_tag_on_papers_only_renamed_shows_its_new_name_at_the_next_request(
    client, content
):
    """Kept rows older than the counts come without names: a rename moves the counts."""
    PaperFactory(title="Robots", tags=["vision", "robots"])
    assert "robots" in _related(client.get("/tags/vision/"))
    tag = Tag.objects.get(slug="robots")
    tag.name = "robotics"
    tag.save()
    body = client.get("/tags/vision/").content.decode()
    assert 'href="/tags/robotics/">robotics</a>' in body
    assert "/tags/robots/" not in body
