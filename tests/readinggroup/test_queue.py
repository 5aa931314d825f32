"""The queue: suggest (from the library or by identifier, through the intake code), vote,
volunteer, privacy of drafts, rate limits, pinned queries (issue 19, 2-3 and 6-7)."""

import json

import httpx
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from papers.models import Paper, Status
from readinggroup import limits, queue
from readinggroup.member_views import QUEUE_PAGE_SIZE
from readinggroup.members import GroupSettings, Suggestion, SuggestionState, Volunteer, Vote
from tests.factories import PaperFactory
from tests.papers.intake.conftest import ARXIV_CLIP, reconstructed_transport
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.members_helpers import client_for, make_member, suggestion

pytestmark = pytest.mark.django_db

QUEUE = reverse("readinggroup:queue")
SUGGEST = reverse("readinggroup:suggest")


@pytest.fixture(autouse=True)
def _offline(settings):
    """No test here reaches arXiv or Crossref: anything not served from a file fails to connect."""
    settings.INTAKE_HTTP_TRANSPORT = reconstructed_transport({})


def serve(settings, routes):
    requests = []
    settings.INTAKE_HTTP_TRANSPORT = reconstructed_transport(routes, requests)
    return requests


@pytest.fixture
def member():
    return make_member("Gus Member")


@pytest.fixture
def as_member(member):
    return client_for(member)


# --- suggesting ----------------------------------------------------------------------------
def test_suggesting_a_library_paper_by_its_slug_queues_it_with_the_reason_sanitised(as_member):
    paper = PaperFactory()
    response = as_member.post(
        SUGGEST, {"paper": paper.slug, "reason": "Read it <script>alert(1)</script> **now**"}
    )
    assert response.status_code == 302
    queued = Suggestion.objects.get(paper=paper)
    assert "<script>" not in queued.reason_html and "<strong>now</strong>" in queued.reason_html
    page = as_member.get(QUEUE).content.decode()
    assert paper.title in page and "<script>alert(1)" not in page
    assertInHTML("<strong>now</strong>", page)  # the sanitised HTML, not its escaped text


def test_suggesting_by_arxiv_id_of_a_new_paper_adds_a_draft_with_the_looked_up_metadata(
    as_member, settings
):
    requests = serve(settings, ARXIV_CLIP)  # a reconstructed arXiv answer (reconstructed/README.md)
    response = as_member.post(
        SUGGEST, {"identifier": "https://arxiv.org/abs/2103.00020v1", "reason": "CLIP."}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    paper = Paper.objects.get(arxiv_id="2103.00020")
    assert paper.status == Status.DRAFT
    assert paper.title == "Learning Transferable Visual Models From Natural Language Supervision"
    assert paper.year == 2021 and paper.ordered_authors()  # from the record, not made up
    assert Suggestion.objects.get().paper == paper and len(requests) == 1


def test_suggesting_by_identifier_finds_an_existing_draft_instead_of_adding_another(
    as_member, settings
):
    draft = PaperFactory(status=Status.DRAFT, arxiv_id="2103.00020", year=2021)
    requests = serve(settings, ARXIV_CLIP)
    as_member.post(SUGGEST, {"identifier": "arXiv:2103.00020", "reason": "Again."})
    assert Suggestion.objects.get().paper == draft and Paper.objects.count() == 1
    assert requests == []  # found in the library: nobody asked arXiv


def test_a_doi_whose_record_has_no_year_makes_a_draft_of_unknown_year_not_an_invented_one(
    as_member, settings
):
    # Reconstructed Crossref answer: a work with a title and no date anywhere.
    work = {"status": "ok", "message": {"DOI": "10.5555/no-year", "title": ["Timeless Notes"]}}
    serve(settings, {"works/10.5555/no-year": lambda r: httpx.Response(200, json=work)})
    response = as_member.post(SUGGEST, {"identifier": "10.5555/no-year", "reason": "Why not."})
    assert response.status_code == 302
    paper = Paper.objects.get()
    assert (paper.title, paper.year, paper.status) == ("Timeless Notes", None, "draft")
    assert Suggestion.objects.get().paper == paper


def test_a_lookup_that_fails_is_a_form_error_that_keeps_the_input(as_member):
    response = as_member.post(SUGGEST, {"identifier": "2103.00020", "reason": "Offline test."})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Could not reach arXiv" in body and "Offline test." in body
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    "hostile",
    ["javascript:alert(1)", "https://evil.example/<script>", "data:text/html,hi", "x" * 301],
)
def test_a_hostile_identifier_is_a_form_error(as_member, hostile):
    response = as_member.post(SUGGEST, {"identifier": hostile, "reason": "Hmm."})
    assert response.status_code == 200 and not Suggestion.objects.exists()
    assert "<script>" not in response.content.decode()


def test_a_paper_already_queued_or_presented_is_refused_with_a_pointer_to_voting(as_member):
    queued = suggestion(PaperFactory())
    again = as_member.post(SUGGEST, {"paper": queued.paper.slug, "reason": "Me too."})
    assert "already in the queue" in again.content.decode()
    presented = PresentationFactory().paper
    response = as_member.post(SUGGEST, {"paper": presented.slug, "reason": "Once more."})
    assert "already presented" in response.content.decode()
    assert Suggestion.objects.count() == 1


def test_members_cannot_pick_a_draft_from_the_library_by_slug(as_member):
    draft = PaperFactory(status=Status.DRAFT)
    response = as_member.post(SUGGEST, {"paper": draft.slug, "reason": "Secret."})
    assert "no such paper" in response.content.decode() and not Suggestion.objects.exists()


def test_suggestions_are_rate_limited_with_429(as_member, member):
    budget, _ = limits.LIMITS["suggest"]
    papers = PaperFactory.create_batch(budget + 1)
    codes = [
        as_member.post(SUGGEST, {"paper": p.slug, "reason": "Go."}).status_code for p in papers
    ]
    assert codes == [302] * budget + [429]
    assert Suggestion.objects.count() == budget


# --- votes and volunteers -------------------------------------------------------------------
def test_voting_twice_from_two_tabs_is_one_vote_and_withdrawing_removes_it(member):
    queued = suggestion(PaperFactory())
    tab1, tab2 = client_for(member), client_for(member)
    url = reverse("readinggroup:vote", args=[queued.pk])
    assert tab1.post(url, {"on": "1"}).status_code == 302
    assert tab2.post(url, {"on": "1"}).status_code == 302
    queued.refresh_from_db()
    assert queued.vote_count == 1 and Vote.objects.count() == 1
    tab2.post(url, {"on": "0"})
    tab1.post(url, {"on": "0"})
    queued.refresh_from_db()
    assert queued.vote_count == 0 and not Vote.objects.exists()


def test_votes_are_rate_limited_with_429(as_member):
    queued = suggestion(PaperFactory())
    budget, _ = limits.LIMITS["vote"]
    url = reverse("readinggroup:vote", args=[queued.pk])
    codes = {as_member.post(url, {"on": str(i % 2)}).status_code for i in range(budget)}
    assert codes == {302}
    assert as_member.post(url, {"on": "1"}).status_code == 429


def test_volunteering_shows_on_the_queue_and_can_be_taken_back(as_member, member):
    queued = suggestion(PaperFactory())
    url = reverse("readinggroup:volunteer", args=[queued.pk])
    as_member.post(url, {"on": "1"})
    assert "Will present: Gus Member" in as_member.get(QUEUE).content.decode()
    as_member.post(url, {"on": "0"})
    assert not Volunteer.objects.exists()


def test_volunteering_for_a_suggestion_just_scheduled_is_refused(as_member):
    queued = suggestion(PaperFactory(), state=SuggestionState.SCHEDULED)
    response = as_member.post(
        reverse("readinggroup:volunteer", args=[queued.pk]), {"on": "1"}, follow=True
    )
    assert "scheduled already" in response.content.decode() and not Volunteer.objects.exists()
    vote = as_member.post(reverse("readinggroup:vote", args=[queued.pk]), {"on": "1"})
    assert vote.status_code == 302 and not Vote.objects.exists()


def test_only_the_member_who_suggested_can_withdraw(member):
    queued = suggestion(PaperFactory(), member)
    other = client_for(make_member())
    other.post(reverse("readinggroup:withdraw", args=[queued.pk]))
    assert Suggestion.objects.get(pk=queued.pk).state == SuggestionState.OPEN
    client_for(member).post(reverse("readinggroup:withdraw", args=[queued.pk]))
    assert Suggestion.objects.get(pk=queued.pk).state == SuggestionState.WITHDRAWN


def test_vote_and_volunteer_refuse_get_and_non_members(django_user_model):
    queued = suggestion(PaperFactory())
    url = reverse("readinggroup:vote", args=[queued.pk])
    assert client_for(make_member()).get(url).status_code == 405
    outsider = Client()
    outsider.force_login(django_user_model.objects.create_user("plain", password="pw-plain-12"))
    assert outsider.post(url, {"on": "1"}).status_code == 403
    anonymous = Client().post(url, {"on": "1"})
    assert anonymous.status_code == 302 and "/reading-group/login/" in anonymous["Location"]
    assert not Vote.objects.exists()


# --- the queue page -------------------------------------------------------------------------
def test_the_queue_ranks_by_votes_then_age():
    old, new, popular = (suggestion(PaperFactory(title=t)) for t in ("Old one", "New one", "Hit"))
    Suggestion.objects.filter(pk=popular.pk).update(vote_count=3)
    page = client_for(make_member()).get(QUEUE)
    assert [s["pk"] for s in page.context["page_obj"].object_list] == [popular.pk, old.pk, new.pk]


def test_the_queue_is_for_members_unless_the_organiser_makes_it_public():
    suggestion(PaperFactory(title="Visible Paper"))
    anonymous = Client().get(QUEUE)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(
        "/reading-group/login/"
    )
    GroupSettings(queue_is_public=True).save()
    assert "Visible Paper" in Client().get(QUEUE).content.decode()


def test_a_public_queue_shows_nothing_of_a_draft_paper_to_visitors():
    GroupSettings(queue_is_public=True).save()
    draft = PaperFactory(status=Status.DRAFT, title="Unreleased Secret Method", slug="secret")
    suggestion(draft, reason="Secret reason text")
    body = Client().get(QUEUE).content.decode()
    assert "Unreleased Secret Method" not in body and "Secret reason text" not in body
    assert "/papers/secret/" not in body and "not yet in the library" in body
    members_view = client_for(make_member()).get(QUEUE).content.decode()
    assert "Unreleased Secret Method" in members_view


def test_the_queue_never_shows_member_emails():
    author = make_member("Hana Writer", email="hana-private@example.org")
    suggestion(PaperFactory(), author)
    body = client_for(make_member()).get(QUEUE).content.decode()
    assert "Hana Writer" in body and "hana-private" not in body


def queries_for(client, url):
    client.get(url)  # the group's and the site's settings are read once, then cached
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queue_queries_are_pinned_whatever_the_number_of_suggestions_votes_and_volunteers():
    viewer = make_member()
    client = client_for(viewer)
    volunteers = [make_member() for _ in range(3)]
    for i in range(4):
        queued = suggestion(PaperFactory(), volunteers[i % 3])
        Volunteer.objects.create(suggestion=queued, member=volunteers[i % 3])
    few = queries_for(client, QUEUE)
    for i in range(60):
        queued = suggestion(PaperFactory(), volunteers[i % 3])
        for v in volunteers:
            Volunteer.objects.create(suggestion=queued, member=v)
    many = queries_for(client, QUEUE)
    # session, user, member, the page (its total a window count), volunteers (the
    # settings: cached)
    assert few == many == 5


def test_the_queue_page_shows_the_members_own_votes():
    viewer = make_member()
    queued = suggestion(PaperFactory())
    Vote.objects.create(suggestion=queued, member=viewer)
    body = client_for(viewer).get(QUEUE).content.decode()
    assert "Withdraw my vote" in body and 'aria-pressed="true"' in body


def test_a_thousand_suggestions_paginate_and_a_bad_page_is_the_last(django_assert_max_num_queries):
    papers = Paper.objects.bulk_create(
        [
            Paper(title=f"Bulk {i}", slug=f"bulk-{i}", year=2020, status="published")
            for i in range(1000)
        ]
    )
    Suggestion.objects.bulk_create(
        [Suggestion(paper=p, reason="r", reason_html="<p>r</p>") for p in papers]
    )
    client = client_for(make_member())
    page = client.get(QUEUE, {"page": "999"})
    assert page.status_code == 200 and page.context["page_obj"].number == 1000 // QUEUE_PAGE_SIZE
    assert client.get(QUEUE, {"page": "x%00"}).status_code == 200
    # Past the end (even past what an SQL OFFSET holds) is the last page; below 1, the first.
    for far in ("41", str(10**30)):
        last = client.get(QUEUE, {"page": far})
        assert last.status_code == 200 and last.context["page_obj"].number == 40
        assert len(last.context["page_obj"].object_list) == 25
    for low in ("0", "-3"):
        assert client.get(QUEUE, {"page": low}).context["page_obj"].number == 1
    assert json.dumps(page.context["page_obj"].paginator.count) == "1000"


@pytest.mark.django_db(transaction=True)
def test_two_tabs_voting_at_the_same_moment_make_one_vote(member):
    """Real concurrency (two connections): the suggestion's row lock serialises them."""
    import threading

    from django.db import connection as main_connection

    if main_connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time; the race is PostgreSQL's")
    queued = suggestion(PaperFactory())
    barrier = threading.Barrier(2)
    errors = []

    def tab():
        from django.db import connection

        try:
            barrier.wait()
            queue.set_vote(member, queued.pk, on=True)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queued.refresh_from_db()
    assert errors == [] and queued.vote_count == 1 and Vote.objects.count() == 1


def test_the_suggest_form_asks_for_a_paper_by_address_not_a_list_of_the_library(as_member):
    PaperFactory.create_batch(3)
    body = as_member.get(SUGGEST).content.decode()
    assert 'type="text" name="paper"' in body and "<option" not in body
