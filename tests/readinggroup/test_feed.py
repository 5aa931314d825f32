"""The Atom feed of sessions."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from tests.readinggroup.factories import PresentationFactory, session_with_everything

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own test server's output
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def test_feed_has_published_sessions_newest_first(client):
    older = PresentationFactory(title="Older")
    upcoming = PresentationFactory(title="Upcoming", upcoming=True)
    PresentationFactory(title="Draft", draft=True)
    entries = _entries(client.get(reverse("readinggroup:feed")))
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert titles == [f"Session {upcoming.number}: Upcoming", f"Session {older.number}: Older"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{upcoming.get_absolute_url()}"


def test_feed_summary_is_sanitised(client):
    PresentationFactory(summary="Hello <script>alert(1)</script> **world**")
    [entry] = _entries(client.get(reverse("readinggroup:feed")))
    summary = entry.find(f"{ATOM}summary").text
    assertInHTML("<strong>world</strong>", summary)
    assert "<script" not in summary


def test_feed_is_linked_from_the_list_page(client):
    html = client.get(reverse("readinggroup:presentation_list")).content.decode()
    feed_url = reverse("readinggroup:feed")
    assert f'type="application/atom+xml" title="Reading-group sessions" href="{feed_url}"' in html


@pytest.mark.parametrize("n", [1, 10])
def test_feed_query_count_does_not_grow(client, django_assert_max_num_queries, n):
    for _ in range(n):
        session_with_everything()
    with django_assert_max_num_queries(4):  # + the site's name and author (site settings)
        entries = _entries(client.get(reverse("readinggroup:feed")))
    assert len(entries) == n
