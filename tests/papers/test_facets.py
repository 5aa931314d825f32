"""Every filter combination of /papers/ counts what a plain ORM query counts, and so does
every facet number beside it (tag, year, author, venue)."""

import itertools

import pytest
from django.urls import reverse

from papers.models import Paper, Status, Venue
from tests.demo_state import fixture_rows
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


def make_library():
    ann, bob, cid = (AuthorFactory(name=n) for n in ["Ann Archer", "Bob Baker", "Cid Cole"])
    rows = [
        # title, year, venue, tags, authors
        ("Alpha", 2019, "CVPR 2019", ["vision"], [ann]),
        ("Beta", 2020, "CVPR 2020", ["vision", "generative"], [ann, bob]),
        ("Gamma", 2020, "NeurIPS 2020", ["generative"], [bob]),
        ("Delta", 2021, "NeurIPS 2021", ["language"], [bob, cid]),
        ("Epsilon", 2021, "Nature", ["vision", "language"], [cid, ann]),
        ("Zeta", 2022, "arXiv", ["language"], [cid]),
        ("Eta", 2021, "", ["vision"], [ann]),
    ]
    for title, year, venue, tags, authors in rows:
        PaperFactory(title=f"{title} paper", year=year, venue=venue, tags=tags, authors=authors)
    PaperFactory(title="Draft", year=2020, venue="CVPR 2020", tags=["vision"], authors=[ann],
                 status=Status.DRAFT)  # fmt: skip
    return {"ann": ann, "bob": bob, "cid": cid}


_kept_rows, library = fixture_rows(make_library)


def orm_papers(params):
    """The same filters written as a plain ORM query."""
    qs = Paper.objects.filter(status=Status.PUBLISHED)
    for slug in params.get("tag", []):
        qs = qs.filter(tags__slug=slug)
    if "year" in params:
        qs = qs.filter(year=params["year"])
    if "year_min" in params:
        qs = qs.filter(year__gte=params["year_min"])
    if "year_max" in params:
        qs = qs.filter(year__lte=params["year_max"])
    if "author" in params:
        qs = qs.filter(authorships__author__slug=params["author"])
    if "venue" in params:
        qs = qs.filter(published_in__slug=params["venue"])
    return qs.distinct()


def combinations(library):
    choices = {
        "tag": [None, ["vision"], ["vision", "language"]],
        "year": [None, 2021],
        "year_min": [None, 2020],
        "year_max": [None, 2021],
        "author": [None, library["ann"].slug],
        "venue": [None, "cvpr", "neurips"],
    }
    for values in itertools.product(*choices.values()):
        yield {k: v for k, v in zip(choices, values, strict=True) if v is not None}


def test_every_filter_combination_counts_like_a_plain_query(client, library):
    checked = 0
    for params in combinations(library):
        response = client.get(LIST, params)
        assert response.status_code == 200, params
        expected = orm_papers(params)
        assert response.context["page_obj"].paginator.count == expected.count(), params
        assert {p.title for p in response.context["papers"]} == set(
            expected.values_list("title", flat=True)
        ), params
        for tag in response.context["tag_facets"]:
            assert tag.count == expected.filter(tags=tag).count(), (params, tag.slug)
        for author in response.context["author_facets"]:
            assert author.count == expected.filter(authorships__author=author.pk).count(), params
        for venue in response.context["venue_facets"]:
            assert venue.count == expected.filter(published_in=venue.pk).count(), params
        without_year = {k: v for k, v in params.items() if k != "year"}
        for item in response.context["year_facets"]:
            assert item["count"] == orm_papers(without_year).filter(year=item["year"]).count()
        checked += 1
    assert checked == 3 * 2 * 2 * 2 * 2 * 3


def test_year_range_counts_only_the_papers_in_range(client, library):
    response = client.get(LIST, {"year_min": 2020, "year_max": 2021})
    assert response.context["page_obj"].paginator.count == 5
    assert "5 papers" in response.content.decode()
    years = {item["year"]: item["count"] for item in response.context["year_facets"]}
    assert years == {2020: 2, 2021: 3}


def test_author_and_venue_facets_are_shown_with_counts_and_link_their_filter(client, library):
    response = client.get(LIST)
    authors = {a.name: a.count for a in response.context["author_facets"]}
    assert authors == {"Ann Archer": 4, "Bob Baker": 3, "Cid Cole": 3}
    venues = {v.label: v.count for v in response.context["venue_facets"]}
    assert venues == {"CVPR": 2, "NeurIPS": 2, "Nature": 1, "arXiv": 1}
    body = response.content.decode()
    assert f'href="?author={library["ann"].slug}"' in body
    assert 'href="?venue=cvpr"' in body
    assert Venue.objects.count() == 4


def test_list_with_author_and_venue_filters_keeps_a_fixed_query_count(
    client, library, django_assert_max_num_queries
):
    params = {"author": library["ann"].slug, "venue": "cvpr", "tag": "vision"}
    # Cold caches: tag ids (summary, 4), the venue, the year facet, the tag, author and
    # venue facets, the page of papers, bylines and tags; the site settings (once per
    # content version, tests/papers/test_identity.py).
    with django_assert_max_num_queries(14):
        assert client.get(LIST, params).status_code == 200
    # Warm counts: only the page itself (the page cache is bypassed by another sort).
    with django_assert_max_num_queries(6):
        assert client.get(LIST, {**params, "sort": "title"}).status_code == 200


def _sidebar(response):
    body = response.content.decode()
    return body[body.index('<aside class="facets"') : body.index("</aside>")]


def test_the_sidebar_is_rendered_once_per_list_and_follows_a_save(client, library, monkeypatch):
    from papers.site.templatetags import site_tags

    for n in range(20):  # a second page
        PaperFactory(title=f"Filler {n}", year=2018, authors=[library["bob"]])
    built = []
    # {% querystring %} copies the list's query once per link it writes.
    copy = site_tags._FilterQuery.copy
    monkeypatch.setattr(site_tags._FilterQuery, "copy", lambda self: built.append(1) or copy(self))

    first = client.get(LIST, {"page": 1})
    links_on_first = len(built)
    built.clear()
    second = client.get(LIST, {"page": 2})

    # Page 1 built every filter link; page 2 read the same sidebar back and built only its
    # pagination links.
    assert links_on_first >= 15
    assert len(built) <= 3
    assert _sidebar(first) == _sidebar(second)
    assert 'href="?author=' in _sidebar(second) and 'href="?year=2018"' in _sidebar(second)

    # A save is a new content version: the sidebar is built again with the new counts.
    cid = library["cid"]
    PaperFactory(title="New", year=2018, authors=[cid])
    third = _sidebar(client.get(LIST, {"page": 2}))
    assert third != _sidebar(second)
    assert '<a href="?year=2018">2018</a> <span class="n">21</span>' in third


def test_the_sidebar_survives_a_bump_that_changes_nothing_it_shows_and_follows_a_rename(
    client, library, monkeypatch
):
    from papers.site.cache import bump_content_version
    from papers.site.templatetags import site_tags

    built = []
    copy = site_tags._FilterQuery.copy
    monkeypatch.setattr(site_tags._FilterQuery, "copy", lambda self: built.append(1) or copy(self))
    before = _sidebar(client.get(LIST, {"year": 2021}))
    assert len(built) >= 10
    built.clear()

    # Every version moves (pages, counts, cards), no number or name changes: the sidebar
    # (keyed by what it shows) is read back, not built again.
    bump_content_version(cards=True)
    after = _sidebar(client.get(LIST, {"year": 2021}))
    assert len(built) <= 3
    assert after == before

    # A name it shows changes: built again, with the new name.
    bob = library["bob"]
    bob.name = "Robert Baker"
    bob.save()
    renamed = _sidebar(client.get(LIST, {"year": 2021}))
    assert ">Robert Baker</a>" in renamed and "Bob Baker" not in renamed


def test_a_list_request_reads_each_cached_value_once(client, library, monkeypatch):
    from django.core.cache import cache

    client.get(LIST, {"tag": "vision"})  # the values cached
    reads = []
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: reads.append(key) or get(key, *a, **k))
    # Another sort: not the stored page, the same values (the tag ids, asked for by the
    # tag filter and twice by the counts; the counts; the kept facets).
    assert client.get(LIST, {"tag": "vision", "sort": "title"}).status_code == 200
    values = [key for key in reads if ":page:" not in key]
    assert any(":tag-ids:" in key for key in values)
    assert len(values) == len(set(values))
