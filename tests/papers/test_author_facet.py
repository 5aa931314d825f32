"""The unfiltered list's author facet reads the counts kept on save (papers/counts.py):
exact on the next request after a byline change, without a grouped count over every
byline in the request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.models import Status
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


def author_counts(client):
    response = client.get(LIST)
    assert response.status_code == 200
    return {author.name: author.count for author in response.context["author_facets"]}


def grouped_byline_counts(queries):
    """The queries that count bylines per author (what the kept counts replace)."""
    return [
        q["sql"]
        for q in queries
        if "papers_authorship" in q["sql"] and "COUNT(" in q["sql"] and "GROUP BY" in q["sql"]
    ]


@pytest.fixture
def ann_and_bob():
    ann, bob = AuthorFactory(name="Ann Archer"), AuthorFactory(name="Bob Baker")
    PaperFactory(title="One", year=2020, authors=[ann])
    PaperFactory(title="Two", year=2021, authors=[ann, bob])
    return ann, bob


def test_the_author_facet_is_read_without_counting_bylines(client, ann_and_bob):
    with CaptureQueriesContext(connection) as queries:
        assert author_counts(client) == {"Ann Archer": 2, "Bob Baker": 1}
    assert grouped_byline_counts(queries) == []


def test_new_papers_and_an_unpublished_one_show_on_the_next_request(client, ann_and_bob):
    ann, bob = ann_and_bob
    assert author_counts(client) == {"Ann Archer": 2, "Bob Baker": 1}
    PaperFactory(title="Three", year=2022, authors=[bob])
    three = PaperFactory(title="Four", year=2022, authors=[bob])
    with CaptureQueriesContext(connection) as queries:
        assert author_counts(client) == {"Ann Archer": 2, "Bob Baker": 3}
    assert grouped_byline_counts(queries) == []
    three.status = Status.DRAFT
    three.save()
    assert author_counts(client) == {"Ann Archer": 2, "Bob Baker": 2}


def test_ties_are_ordered_by_name(client):
    zed, amy = AuthorFactory(name="Zed Zimmer"), AuthorFactory(name="Amy Abbot")
    PaperFactory(title="Both", year=2020, authors=[zed, amy])
    response = client.get(LIST)
    assert [a.name for a in response.context["author_facets"]] == ["Amy Abbot", "Zed Zimmer"]


def test_coauthors_count_like_the_plain_orm_query_drafts_left_out_ties_by_name():
    from django.db.models import Count

    from papers.authors import coauthors
    from papers.models import Author

    ada, bo, cy, di, ed = (AuthorFactory(name=n) for n in ["Ada", "Bo", "Cy", "Di", "Ed"])
    PaperFactory(authors=[ada, bo, cy])
    PaperFactory(authors=[ada, cy, di])
    PaperFactory(authors=[ada, di])
    PaperFactory(authors=[ada, ed], status=Status.DRAFT)  # a draft shares nothing
    PaperFactory(authors=[bo, ed])  # without ada: not counted

    shared = Author.objects.filter(
        authorships__paper__in=ada.authorships.filter(paper__status=Status.PUBLISHED).values(
            "paper"
        )
    )
    expected = list(
        shared.exclude(pk=ada.pk)
        .annotate(n=Count("authorships"))
        .order_by("-n", "name")
        .values_list("name", "n")
    )
    assert expected == [("Cy", 2), ("Di", 2), ("Bo", 1)]
    assert [(a.name, a.shared) for a in coauthors(ada)] == expected
    assert [(a.name, a.shared) for a in coauthors(ada, limit=2)] == expected[:2]
    assert [a.page_url for a in coauthors(ada)] == [cy.get_absolute_url(), di.get_absolute_url(),
                                                    bo.get_absolute_url()]  # fmt: skip


def test_coauthors_addresses_are_written_without_a_reverse_per_coauthor(monkeypatch):
    from papers import authors
    from papers.models import Author

    ada = AuthorFactory(name="Ada")
    others = [AuthorFactory(name=name) for name in ("Bo Ünal", "Cy", "Di")]
    PaperFactory(authors=[ada, *others])
    expected = [other.get_absolute_url() for other in sorted(others, key=lambda a: a.name)]

    def fail(self):
        raise AssertionError("a reverse() per coauthor")

    monkeypatch.setattr(Author, "get_absolute_url", fail)
    assert [a.page_url for a in authors.coauthors(ada)] == expected
