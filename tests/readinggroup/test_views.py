"""Public pages: the session list, a session, the home page block and the paper section."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html
from pytest_django.asserts import assertInHTML

from papers.models import Status
from papers.site.cache import bump_content_version
from tests import cards
from tests.factories import AuthorFactory, PaperFactory
from tests.readinggroup.factories import (
    PresentationFactory,
    PresenterFactory,
    session_with_everything,
)
from tests.sitemaps import sitemap_entries

pytestmark = pytest.mark.django_db


def test_urls_are_pinned():
    assert reverse("readinggroup:presentation_list") == "/reading-group/"
    assert reverse("readinggroup:presentation_detail", args=[3]) == "/reading-group/3/"
    assert reverse("readinggroup:calendar") == "/reading-group/calendar.ics"
    assert reverse("readinggroup:presentation_ics", args=[3]) == "/reading-group/3.ics"
    assert reverse("readinggroup:slides", args=[3]) == "/reading-group/3/slides.pdf"
    assert reverse("readinggroup:feed") == "/feeds/reading-group/"


def _now():
    return timezone.now()


def test_list_highlights_the_next_session_then_later_ones_then_past_newest_first(client):
    now = _now()
    later = PresentationFactory(title="Later one", scheduled_at=now + datetime.timedelta(days=20))
    soon = PresentationFactory(
        title="Soonest one",
        scheduled_at=now + datetime.timedelta(days=2),
        meeting_url="https://meet.example.org/rg",
        presenters=[PresenterFactory(name="Grace Hopper")],
    )
    old = PresentationFactory(title="Old one", scheduled_at=now - datetime.timedelta(days=60))
    recent = PresentationFactory(title="Recent one", scheduled_at=now - datetime.timedelta(days=5))
    PresentationFactory(
        title="Secret draft", scheduled_at=now + datetime.timedelta(days=1), draft=True
    )

    response = client.get(reverse("readinggroup:presentation_list"))
    assert response.status_code == 200
    assert response.context["next_session"] == soon
    assert response.context["later_sessions"] == [later]
    assert list(response.context["past_sessions"]) == [recent, old]
    html = response.content.decode()
    assert "Secret draft" not in html
    next_block = html[html.index("next-session") : html.index("later-sessions")]
    assert "Soonest one" in next_block
    assert "Grace Hopper" in next_block
    assert "https://meet.example.org/rg" in next_block
    # Date and time in the site's zone, machine-readable for the visitor's local time.
    iso = soon.scheduled_at.astimezone(datetime.UTC).isoformat(
        timespec="seconds"
    )  # HTML takes no microseconds
    assert f'datetime="{iso}"' in next_block
    assert "UTC</time>" in next_block
    assert "readinggroup/localtime.js" in html
    assert html.index("Recent one") < html.index("Old one")


def test_list_without_sessions_says_so(client):
    response = client.get(reverse("readinggroup:presentation_list"))
    assert response.status_code == 200
    assert "No session is scheduled yet." in response.content.decode()
    assert "No past sessions yet." in response.content.decode()


def test_past_sessions_are_paginated_and_upcoming_only_on_page_one(client):
    now = _now()
    PresentationFactory(title="Coming", scheduled_at=now + datetime.timedelta(days=3))
    for days in range(1, 15):
        PresentationFactory(scheduled_at=now - datetime.timedelta(days=days))
    first = client.get(reverse("readinggroup:presentation_list"))
    assert len(first.context["past_sessions"]) == 12
    second = client.get(reverse("readinggroup:presentation_list"), {"page": 2})
    assert len(second.context["past_sessions"]) == 2
    assert second.context["next_session"] is None
    assert "Coming" not in second.content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "0", "999999", "1" * 400, ""])
def test_junk_page_numbers_are_not_errors(client, page):
    session = PresentationFactory()
    response = client.get(reverse("readinggroup:presentation_list"), {"page": page})
    assert response.status_code == 200
    # Not an empty page either: a junk number shows a real page, which lists the session.
    assert session.get_absolute_url() in response.content.decode()


def test_session_with_everything_shows_cover_summary_slides_video_paper_and_tags(client):
    paper = PaperFactory(
        title="One-Shot Machine Unlearning with Mnemonic Code",
        authors=[AuthorFactory(name="Tomoya Yamashita")],
    )
    presentation = session_with_everything(paper=paper, summary="Forgetting in **one** step.")
    response = client.get(presentation.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert presentation.title in html
    assert f'src="{presentation.cover.url}"' in html
    assertInHTML("<strong>one</strong>", html)
    for presenter in presentation.presenters.all():
        assert presenter.name in html
    slides_url = reverse("readinggroup:slides", args=[presentation.number])
    viewer = lxml_html.fromstring(html).xpath('//iframe[contains(@class, "pdf-viewer")]/@src')
    assert viewer == [slides_url]
    assert reverse("readinggroup:slides_download", args=[presentation.number]) in html
    iframe = re.search(r"<iframe [^>]*youtube[^>]*>", html).group(0)
    assert 'src="https://www.youtube-nocookie.com/embed/caP30Kq-_ME?rel=0"' in iframe
    assert 'referrerpolicy="strict-origin-when-cross-origin"' in iframe
    assert 'loading="lazy"' in iframe
    assert paper.get_absolute_url() in html
    assert "Tomoya Yamashita" in html
    assert 'href="/tags/vision/"' in html
    assert "No slides or recording available" not in html


def test_session_without_slides_or_recording_says_so(client):
    presentation = PresentationFactory()
    html = client.get(presentation.get_absolute_url()).content.decode()
    assert "No slides or recording available" in html
    assert "<iframe" not in html
    assert "pdf-viewer" not in html


def test_upcoming_session_shows_where_and_add_to_calendar(client):
    presentation = PresentationFactory(upcoming=True, location="Room 2.14")
    html = client.get(presentation.get_absolute_url()).content.decode()
    assert "Room 2.14" in html
    assert "https://meet.example.org/reading-group" in html
    assert reverse("readinggroup:presentation_ics", args=[presentation.number]) in html
    assert "will appear here after the session" in html


def test_a_plain_recording_link_is_a_link_not_an_iframe(client):
    presentation = PresentationFactory(recording_url="https://media.example.org/talks/3")
    html = client.get(presentation.get_absolute_url()).content.decode()
    assert 'href="https://media.example.org/talks/3"' in html
    assert "<iframe" not in html


def test_vimeo_recording_is_embedded_without_tracking(client):
    presentation = PresentationFactory(recording_url="https://vimeo.com/76979871")
    html = client.get(presentation.get_absolute_url()).content.decode()
    assert 'src="https://player.vimeo.com/video/76979871?dnt=1"' in html


def test_draft_paper_gets_no_card_on_a_published_session(client):
    paper = PaperFactory(title="Unpublished paper title", status=Status.DRAFT)
    presentation = PresentationFactory(paper=paper, title="Session title")
    html = client.get(presentation.get_absolute_url()).content.decode()
    assert "Unpublished paper title" not in html
    assert paper.get_absolute_url() not in html


@pytest.mark.parametrize("number", ["0", "404", "999999999"])
def test_unknown_sessions_are_404(client, number):
    assert client.get(f"/reading-group/{number}/").status_code == 404


def test_huge_numbers_are_404_not_database_errors(client):
    assert client.get("/reading-group/99999999999999999999999/").status_code == 404
    assert client.get("/reading-group/99999999999999999999999.ics").status_code == 404


def test_draft_session_is_404(client):
    presentation = PresentationFactory(draft=True)
    assert client.get(presentation.get_absolute_url()).status_code == 404


def test_neighbouring_sessions_are_linked(client):
    first = PresentationFactory(number=1)
    second = PresentationFactory(number=2)
    PresentationFactory(number=3, draft=True)
    html = client.get(first.get_absolute_url()).content.decode()
    assert second.get_absolute_url() in html
    html = client.get(second.get_absolute_url()).content.decode()
    assert first.get_absolute_url() in html
    assert "/reading-group/3/" not in html


def test_home_shows_the_next_session(client):
    PresentationFactory(title="Already happened")
    upcoming = PresentationFactory(upcoming=True, title="Mamba next week")
    PresentationFactory(
        title="Draft soon", draft=True, scheduled_at=_now() + datetime.timedelta(hours=2)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["next_session"] == upcoming
    html = response.content.decode()
    assert "Mamba next week" in html
    assert upcoming.get_absolute_url() in html
    assert "Draft soon" not in html
    assert "Already happened" not in html


@pytest.mark.parametrize("n", [1, 4])
def test_home_next_session_costs_one_query_more(client, django_assert_num_queries, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from papers.site.cache import bump_pages

    paper = PaperFactory()  # the home page lists papers too: have one before counting
    client.get(reverse("home"))  # the site-wide counts: a session's save leaves them
    bump_pages()  # as a save would: the page again, with the same counts
    with CaptureQueriesContext(connection) as without_sessions:
        client.get(reverse("home"))
    PresentationFactory(
        upcoming=True, paper=paper, presenters=[PresenterFactory() for _ in range(n)]
    )
    with django_assert_num_queries(len(without_sessions) + 1):  # + presenters of the session
        response = client.get(reverse("home"))
    assert response.context["next_session"] is not None


def test_home_without_upcoming_session_has_no_block(client):
    PresentationFactory()
    html = client.get(reverse("home")).content.decode()
    assert "home-next-session" not in html


def test_nav_links_to_the_reading_group(client):
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("readinggroup:presentation_list")}">Reading group</a>' in html


def test_paper_page_lists_its_published_sessions(client):
    paper = PaperFactory()
    shown = PresentationFactory(paper=paper, title="We read it", with_recording=True)
    PresentationFactory(paper=paper, title="Hidden draft", draft=True)
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "We read it" in html
    assert shown.get_absolute_url() in html
    assert "Hidden draft" not in html


@pytest.mark.parametrize("n", [1, 4])
def test_paper_page_reads_its_sessions_in_one_query_whatever_their_number(
    client, django_assert_max_num_queries, n
):
    paper = PaperFactory()
    for number in range(n):
        PresentationFactory(paper=paper, title=f"Slides {number}", with_slides=True)
    # The paper page's 13 (tests/papers/test_paper_detail.py); whether each session's
    # slides are public (its slides_state) comes with the sessions' one query.
    with django_assert_max_num_queries(13):
        html = client.get(paper.get_absolute_url()).content.decode()
    assert all(f"Slides {number}" in html for number in range(n))


def test_paper_page_without_sessions_has_no_section(client):
    paper = PaperFactory()
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "paper-sessions" not in html


def test_sitemap_lists_published_sessions_only(client):
    shown = PresentationFactory()
    hidden = PresentationFactory(draft=True)
    urls = sitemap_entries(client)
    assert shown.get_absolute_url() in urls
    assert hidden.get_absolute_url() not in urls


def _many_sessions(n):
    now = _now()
    for i in range(n):
        session_with_everything(scheduled_at=now - datetime.timedelta(days=i + 1))
    for i in range(n):
        PresentationFactory(
            upcoming=True,
            scheduled_at=now + datetime.timedelta(days=i + 1),
            presenters=[PresenterFactory()],
            tags=["soon"],
        )


@pytest.mark.parametrize("n", [1, 8])
def test_list_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, n):
    _many_sessions(n)
    # count + page of past sessions, the upcoming ones, presenters and tags for each list;
    # the site settings (once per content version); read next: the sessions' papers, their
    # similar papers, their links, the candidates (papers/related.py read_next).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("readinggroup:presentation_list"))
    assert len(response.context["past_sessions"]) == n


@pytest.mark.parametrize("n", [1, 6])
def test_detail_query_count_does_not_grow(client, django_assert_max_num_queries, n):
    paper = PaperFactory(authors=[AuthorFactory() for _ in range(n)], tags=["a", "b", "c"][:n])
    presentation = PresentationFactory(
        paper=paper,
        with_slides=True,
        with_recording=True,
        presenters=[PresenterFactory() for _ in range(n)],
        tags=[f"t{i}" for i in range(n)],
    )
    # session, presenters, tags; paper, its authors, its tags; previous and next session;
    # the site settings (once per content version); the paper's similar papers.
    with django_assert_max_num_queries(10):
        response = client.get(presentation.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 5])
def test_paper_page_section_costs_one_query(client, django_assert_num_queries, n):
    paper = PaperFactory()
    baseline_paper = PaperFactory()
    for _ in range(n):
        PresentationFactory(paper=paper)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from papers import identity

    identity.current()  # read once per content version: in neither count
    with CaptureQueriesContext(connection) as without_sessions:
        client.get(baseline_paper.get_absolute_url())
    with django_assert_num_queries(len(without_sessions)):
        response = client.get(paper.get_absolute_url())
    assert response.content.decode().count("/reading-group/") >= n


# The session's paper card is the kept paper card (papers/cards.py).


def test_a_session_page_made_again_reads_no_byline_or_tag_of_its_kept_paper_card(client):
    presentation = PresentationFactory(paper=PaperFactory(authors=[AuthorFactory()], tags=["a"]))
    first = client.get(presentation.get_absolute_url()).content
    bump_content_version()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(presentation.get_absolute_url()).content == first
    for query in captured:
        assert "papers_authorship" not in query["sql"]
        assert "papers_taggedpaper" not in query["sql"]


def test_the_session_papers_edit_new_tag_new_author_and_unpublication_show_on_its_page(client):
    paper = PaperFactory(title="The session paper", authors=[AuthorFactory()], tags=["a"])
    url = PresentationFactory(paper=paper).get_absolute_url()
    assert "robotics" not in cards.card(client, url, paper.title)
    paper.tags.add("robotics")
    assert ">robotics</a>" in cards.card(client, url, paper.title)
    paper.authorships.create(author=AuthorFactory(name="Newcomer Author"), position=99)
    assert "Newcomer Author" in cards.card(client, url, paper.title)
    paper.title = "The session paper, retitled"
    paper.save()
    assert ">robotics</a>" in cards.card(client, url, paper.title)
    paper.status = Status.DRAFT
    paper.save()
    assert "The session paper, retitled" not in cards.page(client, url)


def test_a_new_next_session_and_its_unpublication_show_on_the_next_request(client):
    # The neighbours and similar papers are kept until the content changes (_around).
    first = PresentationFactory(number=1)
    assert 'rel="next"' not in cards.page(client, first.get_absolute_url())
    second = PresentationFactory(number=2, title="The session after")
    html = cards.page(client, first.get_absolute_url())
    assert f'<a rel="next" href="{second.get_absolute_url()}">' in html
    second.status = Status.DRAFT
    second.save()
    assert 'rel="next"' not in cards.page(client, first.get_absolute_url())
