"""Merging authors: bylines keep their order, old slugs redirect, bad merges are refused."""

import time

import pytest
from django.urls import reverse

from papers.content.reindex import REINDEX
from papers.jobs.models import Job
from papers.merging import MergeError, merge_authors
from papers.models import Author, AuthorRedirect, Authorship, Paper, Status
from papers.site.search import parse_query, search
from tests.factories import AuthorFactory, PaperFactory
from tests.jobs_worker import run_queued_jobs

pytestmark = pytest.mark.django_db


def byline(paper):
    return [a.name for a in Paper.objects.get(pk=paper.pk).ordered_authors()]


def test_merge_moves_every_authorship_keeping_byline_order():
    keep, dup = AuthorFactory(name="Stefano Ermon"), AuthorFactory(name="S. Ermon")
    other = AuthorFactory(name="Yang Song")
    first = PaperFactory(authors=[other, dup])
    second = PaperFactory(authors=[keep, other])
    both = PaperFactory(authors=[other, dup, keep])  # the duplicate named twice on one paper
    assert merge_authors(keep, [dup]) == 3
    assert byline(first) == ["Yang Song", "Stefano Ermon"]
    assert byline(second) == ["Stefano Ermon", "Yang Song"]
    # The earlier place in the byline is kept, and the paper has the author once.
    assert byline(both) == ["Yang Song", "Stefano Ermon"]
    assert not Author.objects.filter(pk=dup.pk).exists()
    assert Authorship.objects.filter(author=keep).count() == 3


def test_merged_author_keeps_profile_links_and_search_finds_the_paper_under_the_name():
    keep = AuthorFactory(name="Stefano Ermon")
    dup = AuthorFactory(name="S. Ermon", orcid="0000-0002-1825-0097", homepage="https://ex.org/")
    paper = PaperFactory(authors=[dup])
    merge_authors(keep, [dup])
    keep.refresh_from_db()
    assert (keep.orcid, keep.homepage) == ("0000-0002-1825-0097", "https://ex.org/")
    # Until the queued job rewrites the document, the merged spelling still finds it.
    assert list(search(Paper.objects.all(), parse_query("S. Ermon"))) == [paper]
    run_queued_jobs(REINDEX)
    assert "Stefano Ermon" in Paper.objects.get(pk=paper.pk).search_text
    # Found by the site's search under the remaining name (tsvector on PostgreSQL).
    assert list(search(Paper.objects.all(), parse_query("Stefano"))) == [paper]


def test_old_author_slug_redirects_permanently(client):
    keep, dup = AuthorFactory(name="Stefano Ermon"), AuthorFactory(name="Stefano Ermon")
    assert dup.slug == "stefano-ermon-2"
    PaperFactory(authors=[keep])
    PaperFactory(authors=[dup])
    old_url = dup.get_absolute_url()
    merge_authors(keep, [dup])
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == keep.get_absolute_url()
    assert client.get(response["Location"]).context["page_obj"].paginator.count == 2
    assert client.get(reverse("papers:author_detail", args=["nobody-ever"])).status_code == 404


def test_chained_merges_redirect_every_old_slug_to_the_last_author(client):
    a, b, c = (AuthorFactory(name=n) for n in ["Kaiming He", "K. He", "Kaiming  He"])
    PaperFactory(authors=[a, b])
    PaperFactory(authors=[c])
    merge_authors(b, [a])
    merge_authors(c, [b])
    assert dict(AuthorRedirect.objects.values_list("old_slug", "author")) == {
        a.slug: c.pk,
        b.slug: c.pk,
    }
    assert client.get(a.get_absolute_url())["Location"] == c.get_absolute_url()


def test_merging_an_author_into_itself_is_refused():
    author = AuthorFactory()
    PaperFactory(authors=[author])
    with pytest.raises(MergeError, match="itself"):
        merge_authors(author, [author])
    assert Authorship.objects.filter(author=author).count() == 1


def test_merging_into_an_author_already_merged_away_is_refused():
    a, b, c = AuthorFactory(), AuthorFactory(), AuthorFactory()
    PaperFactory(authors=[a, b, c])
    stale_b = Author.objects.get(pk=b.pk)
    merge_authors(c, [b])  # b is gone: merged into c
    with pytest.raises(MergeError, match="no longer exists"):
        merge_authors(stale_b, [a])
    with pytest.raises(MergeError, match="no longer exist"):
        merge_authors(a, [stale_b])
    assert Authorship.objects.filter(author=a).count() == 1


def test_admin_merge_action_asks_which_author_stays_then_merges(admin_client):
    keep, dup = AuthorFactory(name="Stefano Ermon"), AuthorFactory(name="stefano ermon")
    paper = PaperFactory(authors=[dup])
    url = reverse("admin:papers_author_changelist")
    data = {"action": "merge_action", "_selected_action": [keep.pk, dup.pk]}
    page = admin_client.post(url, data)
    assert page.status_code == 200
    assert "Choose the one that stays" in page.content.decode()
    done = admin_client.post(url, {**data, "target": keep.pk})
    assert done.status_code == 302
    assert byline(paper) == ["Stefano Ermon"]
    # One author alone is nothing to merge: a message, the author untouched.
    lone = admin_client.post(url, {"action": "merge_action", "_selected_action": [keep.pk]})
    assert lone.status_code == 302
    assert Author.objects.filter(pk=keep.pk).exists()


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ("Stefano Ermon", "Stefano Ermon"),
        ("Stefano Ermon", "stefano ermon"),
        ("Stefano Ermon", "S. Ermon"),
        ("Stéfano Ermon", "Stefano Ermon"),
    ],
)
def test_admin_add_author_proposes_a_similar_existing_author(admin_client, existing, typed):
    known = AuthorFactory(name=existing)
    url = reverse("admin:papers_author_add")
    response = admin_client.post(url, {"name": typed})
    assert response.status_code == 200
    body = response.content.decode()
    assert "A similar author already exists" in body
    assert reverse("admin:papers_author_change", args=[known.pk]) in body
    assert Author.objects.count() == 1
    confirmed = admin_client.post(url, {"name": typed, "confirm_new": "on"})
    assert confirmed.status_code == 302
    assert Author.objects.count() == 2


def test_the_plus_popup_offers_to_use_the_similar_author_and_the_plain_form_does_not(
    admin_client,
):
    known = AuthorFactory(name="Stefano Ermon")
    url = reverse("admin:papers_author_add")
    popup = admin_client.post(f"{url}?_to_field=id&_popup=1", {"name": "S. Ermon", "_popup": "1"})
    body = popup.content.decode()
    assert f'data-pk="{known.pk}" data-name="Stefano Ermon">Use Stefano Ermon</button>' in body
    assert "papers/admin/use_existing_author" in body  # the script that hands it over
    plain = admin_client.post(url, {"name": "S. Ermon"}).content.decode()
    assert "A similar author already exists" in plain
    assert "use-existing-author" not in plain
    assert Author.objects.count() == 1


def test_admin_add_author_with_a_different_initial_is_not_proposed(admin_client):
    AuthorFactory(name="Stefano Ermon")
    response = admin_client.post(reverse("admin:papers_author_add"), {"name": "T. Ermon"})
    assert response.status_code == 302  # saved at once: no merge proposal page in between
    assert set(Author.objects.values_list("name", flat=True)) == {"Stefano Ermon", "T. Ermon"}


def test_author_page_shows_coauthors_affiliation_links_and_papers_by_year(client):
    author = AuthorFactory(
        name="Ada Lovelace",
        affiliation="Analytical Engines Ltd",
        google_scholar="https://scholar.google.com/citations?user=abc",
        orcid="0000-0002-1825-0097",
    )
    friend, hidden = AuthorFactory(name="Charles Babbage"), AuthorFactory(name="Secret Friend")
    PaperFactory(title="Notes on the Engine", year=1843, authors=[author, friend])
    PaperFactory(title="Later Notes", year=1844, authors=[author, friend])
    PaperFactory(title="Draft Notes", year=1845, authors=[author, hidden], status=Status.DRAFT)
    response = client.get(author.get_absolute_url())
    body = response.content.decode()
    assert [(c.name, c.shared) for c in response.context["coauthors"]] == [("Charles Babbage", 2)]
    assert "Secret Friend" not in body
    assert "Analytical Engines Ltd" in body
    assert "https://orcid.org/0000-0002-1825-0097" in body
    assert "scholar.google.com" in body
    assert body.index('id="year-1844"') < body.index('id="year-1843"')


def test_merging_an_author_with_5000_papers_runs_in_batches_not_per_paper(
    django_assert_max_num_queries,
):
    keep, dup, other = AuthorFactory(), AuthorFactory(), AuthorFactory()
    papers = Paper.objects.bulk_create(
        Paper(title=f"Paper {i}", slug=f"paper-{i}", year=2000 + i % 20, status=Status.PUBLISHED)
        for i in range(5000)
    )
    rows = []
    for i, paper in enumerate(papers):
        rows.append(Authorship(paper=paper, author=other, position=0))
        rows.append(Authorship(paper=paper, author=dup, position=1))
        if i % 10 == 0:
            rows.append(Authorship(paper=paper, author=keep, position=2))
    Authorship.objects.bulk_create(rows, batch_size=1000)
    documents_before = dict(Paper.objects.values_list("pk", "search_text"))
    start = time.monotonic()
    # A few statements per 500 papers (rows moved), never one or more per paper; the wall
    # time at 5,000 papers is measured by bench/facets.py.
    with django_assert_max_num_queries(60):
        assert merge_authors(keep, [dup]) == 5000
    elapsed = time.monotonic() - start
    # No paper row is rewritten by the merge itself (that cost 30 s on PostgreSQL with real
    # documents): one queued job rewrites the search documents of the remaining author's papers.
    assert dict(Paper.objects.values_list("pk", "search_text")) == documents_before
    jobs = Job.objects.filter(kind=REINDEX, state=Job.State.QUEUED)
    assert [job.params for job in jobs] == [
        {"model": "papers.paper", "field": "authors", "value": keep.pk}
    ]
    assert Authorship.objects.filter(author=keep).count() == 5000
    assert not Authorship.objects.filter(author_id=dup.pk).exists()
    assert list(
        Authorship.objects.filter(paper=papers[0])
        .order_by("position")
        .values_list("author", flat=True)
    ) == [other.pk, keep.pk]
    print(f"merging 5,000 papers took {elapsed:.1f} s")  # informative: the machine varies
