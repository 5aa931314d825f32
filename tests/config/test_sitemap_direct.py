"""The sitemap sections written directly (papers.site.sitemaps.sitemap_section) say what
Django's own sitemap view says, with a constant number of queries per page."""

import datetime
from xml.etree import ElementTree

import pytest
from django.contrib.sitemaps import views as sitemap_views
from django.test import RequestFactory

from config.urls import sitemaps
from papers.models import Paper
from tests.blog.factories import ReportFactory
from tests.demo_state import fixture_rows
from tests.factories import AuthorFactory, PaperFactory
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _urls(body):
    root = ElementTree.fromstring(body)  # noqa: S314 - our own output
    return [
        tuple(url.findtext(f"{NS}{name}") for name in ("loc", "lastmod", "changefreq", "priority"))
        for url in root.iter(f"{NS}url")
    ]


def make_content():
    author = AuthorFactory(name="Zoë Ünïcode")
    for title in ("Plain paper", "Ça & ‹that›: accents", "Ωmega/slash's paper"):
        PaperFactory(title=title, authors=[author], tags=["vision"])
    PaperFactory(title="A draft", status="draft")
    ReportFactory(tags=["vision"])
    PresentationFactory()


_kept_rows, content = fixture_rows(make_content)


@pytest.mark.parametrize("section", sorted(sitemaps))
def test_each_section_lists_what_djangos_sitemap_view_lists(client, content, section):
    ours = client.get(f"/sitemap-{section}.xml")
    assert ours.status_code == 200
    request = RequestFactory().get(f"/sitemap-{section}.xml")
    django_response = sitemap_views.sitemap(request, sitemaps=sitemaps, section=section)
    django_response.render()
    assert _urls(ours.content) == _urls(django_response.content)
    assert _urls(ours.content), "the section lists something"


def test_a_page_of_papers_reads_the_same_number_of_rows_whatever_their_number(
    client, django_assert_max_num_queries
):
    PaperFactory.create_batch(30)
    with django_assert_max_num_queries(4):
        response = client.get("/sitemap-papers.xml")
    assert response.status_code == 200
    assert len(_urls(response.content)) == 30


def test_the_papers_section_says_when_it_last_changed(client):
    PaperFactory()
    response = client.get("/sitemap-papers.xml")
    assert response["Last-Modified"]
    again = client.get("/sitemap-papers.xml", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304


@pytest.mark.parametrize("query", ["?p=2", "?p=0", "?p=abc"])
def test_a_page_past_the_end_or_not_a_number_is_a_404(client, query):
    PaperFactory()
    assert client.get(f"/sitemap-papers.xml{query}").status_code == 404


def test_an_unknown_section_is_a_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_authors_section_resolves_no_author_address_per_author(
    client, monkeypatch, django_assert_max_num_queries
):
    # 3,300 Author.get_absolute_url() calls (a reverse() each) were 70 % of this page's CPU.
    for name in ("Ada Lovelace", "Zoë Ünïcode", "Émile Borel"):
        PaperFactory(authors=[AuthorFactory(name=name)])

    def refuse(author):
        raise AssertionError("one reverse() per author")

    monkeypatch.setattr("papers.models.Author.get_absolute_url", refuse)
    with django_assert_max_num_queries(3):
        response = client.get("/sitemap-authors.xml")
    assert response.status_code == 200
    locations = [loc for loc, *_ in _urls(response.content)]
    assert len(locations) == 3
    assert all("/authors/" in loc for loc in locations)


def test_lastmod_is_the_date_in_the_sites_time_zone_as_djangos_view_writes_it(client, settings):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: late evening UTC is the next day
    paper = PaperFactory()
    late = datetime.datetime(2024, 1, 1, 23, 30, tzinfo=datetime.UTC)
    Paper.objects.filter(pk=paper.pk).update(updated_at=late)
    ours = _urls(client.get("/sitemap-papers.xml").content)
    request = RequestFactory().get("/sitemap-papers.xml")
    django_response = sitemap_views.sitemap(request, sitemaps=sitemaps, section="papers")
    django_response.render()
    assert [lastmod for _, lastmod, *_ in ours] == ["2024-01-02"]
    assert ours == _urls(django_response.content)


@pytest.mark.parametrize("section", ["papers", "authors"])
def test_a_page_made_again_after_a_save_elsewhere_reads_no_row(
    client, content, monkeypatch, django_assert_max_num_queries, section
):
    """A page's XML is kept under its rows' facts (one aggregate query): writing 5,000
    rows was 34–40 ms of CPU at every save anywhere on the site."""
    from papers.site.cache import bump_pages

    first = client.get(f"/sitemap-{section}.xml").content

    def refuse(self, page):
        raise AssertionError("the rows read again")

    monkeypatch.setattr(sitemaps[section], "entries", refuse)
    ReportFactory(title="A save elsewhere")  # moves the pages' version, not the counts'
    bump_pages()
    with django_assert_max_num_queries(2):  # papers: the count, the facts; authors: none
        again = client.get(f"/sitemap-{section}.xml")
    assert again.content == first


def test_a_kept_page_shows_every_change_of_its_rows_at_the_next_request(client, content):
    def locations(section):
        return {loc for loc, *_ in _urls(client.get(f"/sitemap-{section}.xml").content)}

    site = "http://testserver"
    paper = Paper.objects.published().order_by("pk").first()
    old = site + paper.get_absolute_url()
    assert old in locations("papers")
    paper.slug = "a-new-address"
    paper.save()
    now = locations("papers")
    assert old not in now and f"{site}/papers/a-new-address/" in now
    paper.status = "draft"
    paper.save()
    assert f"{site}/papers/a-new-address/" not in locations("papers")
    author = AuthorFactory(name="New Author")
    new = PaperFactory(title="Published later", authors=[author])
    assert site + new.get_absolute_url() in locations("papers")
    assert site + author.get_absolute_url() in locations("authors")
    author.slug = "renamed-author"
    author.save()
    assert f"{site}/authors/renamed-author/" in locations("authors")
    new.delete()
    assert site + new.get_absolute_url() not in locations("papers")
    assert f"{site}/authors/renamed-author/" not in locations("authors")


def test_authors_are_counted_from_the_kept_counts_once_per_counts_version(client, content):
    """Authors with a published paper are counted from the kept counts (``FacetCount``
    author rows), never by a DISTINCT over every byline, and only again when what the
    counts follow changes (a publication, a byline)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from papers.site.cache import bump_pages

    def author_counts():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/sitemap.xml").status_code == 200
            assert client.get("/sitemap-authors.xml").status_code == 200
        counts = [q["sql"] for q in queries if "COUNT" in q["sql"]]
        assert not [sql for sql in counts if 'FROM "papers_author"' in sql]
        return sum('FROM "papers_facetcount"' in sql for sql in counts)

    assert author_counts() == 1
    bump_pages()  # a save that changes no count
    assert author_counts() == 0
    PaperFactory(title="One more", authors=[AuthorFactory(name="Newly Published")])
    assert author_counts() == 1
    assert "/authors/newly-published/" in client.get("/sitemap-authors.xml").content.decode()


def test_the_authors_pages_follow_every_change_of_who_has_a_published_paper(client, monkeypatch):
    """The number of authors (from the kept counts) decides the index's pages and where
    each page ends: it follows a publication, an unpublication, a byline removed and a
    paper deleted at the next request, and equals ``Author.objects.published().count()``."""
    from papers.models import Author

    monkeypatch.setattr(sitemaps["authors"], "limit", 2)

    def author_pages():
        index = client.get("/sitemap.xml").content.decode()
        pages = [p for p in ("", "?p=2", "?p=3") if f"/sitemap-authors.xml{p}<" in index]
        listed = []
        for page in pages:
            listed += [loc for loc, *_ in _urls(client.get(f"/sitemap-authors.xml{page}").content)]
        assert len(listed) == Author.objects.published().count()
        assert client.get(f"/sitemap-authors.xml?p={len(pages) + 1}").status_code == 404
        return len(pages), {loc.rsplit("/", 2)[-2] for loc in listed}

    ada, bob, cy = (AuthorFactory(name=name) for name in ("Ada", "Bob", "Cy"))
    first = PaperFactory(authors=[ada, bob])
    second = PaperFactory(authors=[cy])
    PaperFactory(status="draft", authors=[AuthorFactory(name="Drafts Only")])
    assert author_pages() == (2, {"ada", "bob", "cy"})
    second.status = "draft"
    second.save()
    assert author_pages() == (1, {"ada", "bob"})
    first.authorships.get(author=bob).delete()
    assert author_pages() == (1, {"ada"})
    second.status = "published"
    second.save()
    assert author_pages() == (1, {"ada", "cy"})
    PaperFactory(authors=[bob])
    assert author_pages() == (2, {"ada", "bob", "cy"})
    second.delete()
    assert author_pages() == (1, {"ada", "bob"})


def test_the_papers_pages_follow_every_publication_from_the_kept_counts(client, monkeypatch):
    """The number of papers decides the index's pages and where each page ends: it comes
    from the kept counts (``FacetCount`` year rows), never a COUNT over the papers, and
    follows a publication, an unpublication, a paper of unknown year and a deletion at the
    next request, equal to ``Paper.objects.published().count()``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(sitemaps["papers"], "limit", 2)

    def paper_pages():
        with CaptureQueriesContext(connection) as queries:
            index = client.get("/sitemap.xml").content.decode()
        counts = [q["sql"] for q in queries if "COUNT" in q["sql"]]
        assert not [sql for sql in counts if 'FROM "papers_paper"' in sql]
        pages = [p for p in ("", "?p=2", "?p=3") if f"/sitemap-papers.xml{p}<" in index]
        listed = []
        for page in pages:
            listed += [loc for loc, *_ in _urls(client.get(f"/sitemap-papers.xml{page}").content)]
        assert len(listed) == Paper.objects.published().count()
        assert client.get(f"/sitemap-papers.xml?p={len(pages) + 1}").status_code == 404
        return len(pages), len(listed)

    first, second = PaperFactory(), PaperFactory(year=None)
    PaperFactory(status="draft")
    assert paper_pages() == (1, 2)
    third = PaperFactory(year=2001)
    assert paper_pages() == (2, 3)
    second.status = "draft"
    second.save()
    assert paper_pages() == (1, 2)
    second.status = "published"
    second.save()
    assert paper_pages() == (2, 3)
    third.delete()
    first.delete()
    assert paper_pages() == (1, 1)


def test_an_authors_page_is_kept_across_a_publication_that_moves_none_of_its_authors(client):
    """A page of authors is kept under its authors by the kept counts: another paper of
    an author listed changes the counts but reads no byline; a new author shows at the
    next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ada = AuthorFactory(name="Ada")
    PaperFactory(authors=[ada])
    assert "/authors/ada/" in client.get("/sitemap-authors.xml").content.decode()
    PaperFactory(authors=[ada])
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/sitemap-authors.xml").status_code == 200
    assert not [q["sql"] for q in queries if "papers_authorship" in q["sql"]]
    PaperFactory(authors=[AuthorFactory(name="Bo")])
    assert "/authors/bo/" in client.get("/sitemap-authors.xml").content.decode()


def test_the_index_counts_the_tags_without_reading_them_and_follows_their_use(client, monkeypatch):
    """The index's pages of tags come from the kept tag counts (no tag row read); they
    follow a new tag and a tag's last paper unpublished at the next request, and each
    page lists what Django's own view lists."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(sitemaps["tags"], "limit", 2)

    def tag_pages():
        with CaptureQueriesContext(connection) as queries:
            index = client.get("/sitemap.xml").content.decode()
        assert not [q["sql"] for q in queries if 'FROM "papers_tag"' in q["sql"]]
        pages = [p for p in ("", "?p=2", "?p=3") if f"/sitemap-tags.xml{p}<" in index]
        assert client.get(f"/sitemap-tags.xml?p={len(pages) + 1}").status_code == 404
        return len(pages)

    PaperFactory(tags=["a", "b"])
    last = PaperFactory(tags=["c"])
    assert tag_pages() == 2
    last.status = "draft"
    last.save()
    assert tag_pages() == 1
    assert len(_urls(client.get("/sitemap-tags.xml").content)) == 2
    PaperFactory(tags=["d"])
    assert tag_pages() == 2
