"""Session cards are kept per session (readinggroup/cards.py, papers.cards.Cards), and the
first page's "Coming up" and "Read next" until the content changes: a list not in the
page cache reads no presenters or tags for the cards kept, and whatever the page shows is
on the next request after it changes."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from papers.models import Status
from papers.site.cache import bump_content_version
from papers.tagging import Tag
from readinggroup.models import Presentation, SlidesState
from tests import cards
from tests.papers.test_paper_page_parts import forget_page
from tests.readinggroup.factories import PresentationFactory, PresenterFactory

pytestmark = pytest.mark.django_db

LIST = reverse("readinggroup:presentation_list")


def page(client):
    return cards.page(client, LIST)


def card(client, title):
    return cards.card(client, LIST, title)


@pytest.fixture
def session():
    return PresentationFactory(
        title="Attention, again", presenters=[PresenterFactory(name="Ada Byron")], tags=["nlp"]
    )


def test_a_list_not_cached_reads_only_the_count_and_its_sessions(
    client, session, django_assert_num_queries
):
    first = page(client)
    forget_page(LIST)
    # The cards and the first page's upcoming sections are kept.
    with django_assert_num_queries(2):
        assert page(client) == first


def test_cards_are_kept_across_a_save_elsewhere(client, session, django_assert_num_queries):
    first = page(client)
    bump_content_version()
    # The site settings, the count and the page; the upcoming sessions (none: no
    # prefetch) and "Read next" (the sessions' papers, then the ranking's: similar
    # papers and links, no candidate here).
    with django_assert_num_queries(7) as captured:
        assert page(client) == first
    # No presenter or tag of the past session's card read.
    for query in captured:
        assert not re.search(rf'presentation_id" IN \({session.pk}\b', query["sql"])
        assert not re.search(rf'content_object_id" IN \({session.pk}\b', query["sql"])


def test_a_presenter_added_and_removed_shows_on_the_next_request(client, session):
    grace = PresenterFactory(name="Grace Hopper")
    assert "Grace Hopper" not in card(client, "Attention, again")
    session.presenters.add(grace)
    assert "Ada Byron, Grace Hopper" in card(client, "Attention, again")
    grace.presentations.remove(session)  # from the presenter's side
    assert "Grace Hopper" not in card(client, "Attention, again")


def test_a_renamed_presenter_shows_on_the_next_request(client, session):
    assert "Ada Byron" in card(client, "Attention, again")
    presenter = session.presenters.get()
    presenter.name = "Ada Lovelace"
    presenter.save()
    assert "Presented by Ada Lovelace" in card(client, "Attention, again")


def test_a_tag_added_and_renamed_shows_on_the_next_request(client, session):
    assert "transformers" not in card(client, "Attention, again")
    session.tags.add("transformers")
    assert ">transformers</a>" in card(client, "Attention, again")
    tag = Tag.objects.get(name="nlp")
    tag.name = "language"
    tag.save()
    assert ">language</a>" in card(client, "Attention, again")


def test_slides_checked_without_a_save_show_on_the_next_request(client):
    # As the slides job leaves them: a queryset update, then the explicit bump.
    PresentationFactory(title="With slides", with_slides=True, check_slides=False)
    assert '<span class="badge">Slides</span>' not in card(client, "With slides")
    Presentation.objects.filter(title="With slides").update(slides_state=SlidesState.READY)
    bump_content_version()
    assert '<span class="badge">Slides</span>' in card(client, "With slides")


def test_an_unpublished_session_leaves_the_list_on_the_next_request(client, session):
    assert "Attention, again" in page(client)
    session.status = Status.DRAFT
    session.save()
    assert "Attention, again" not in page(client)


def test_a_new_upcoming_session_and_its_presenter_show_on_the_next_request(client, session):
    assert "No session is scheduled yet." in page(client)
    soon = PresentationFactory(title="Coming soon", upcoming=True)
    assert "Coming soon" in page(client)
    soon.presenters.add(PresenterFactory(name="Alan Turing"))
    assert "Presented by Alan Turing" in page(client)


def test_a_session_that_ended_moves_to_the_past_sessions_without_a_save(client):
    soon = PresentationFactory(
        title="Ends soon", scheduled_at=timezone.now() + datetime.timedelta(minutes=10)
    )
    html = page(client)
    assert f'id="next-session-title"><a href="{soon.get_absolute_url()}">Ends soon' in html
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=3), tick=False):
        html = page(client)
        assert "No session is scheduled yet." in html
        assert "Ends soon" in card(client, "Ends soon")
