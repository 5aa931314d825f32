"""Report pages and feeds come from the page cache, and a save shows on the next request."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from papers.models import Status
from tests.blog.factories import ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    return ReportFactory(title="Reading the LoRA paper", tags=["fine-tuning"])


def _urls(report):
    return [
        reverse("blog:report_list"),
        report.kind_url,
        report.get_absolute_url(),
        reverse("blog:feed"),
        reverse("blog:feed_tag", args=["fine-tuning"]),
    ]


def test_a_repeat_visit_costs_no_query(client, report, django_assert_num_queries):
    for url in _urls(report):
        first = client.get(url)
        assert first.status_code == 200, url
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.content == first.content, url
        assert "no-cache" in again["Cache-Control"]


def test_an_edit_and_an_unpublish_are_visible_on_the_next_request(client, report):
    for url in _urls(report):
        assert "Reading the LoRA paper" in client.get(url).content.decode(), url
    report.title = "Reading LoRA again"
    report.save()
    for url in _urls(report):
        assert "Reading LoRA again" in client.get(url).content.decode(), url
    report.status = Status.DRAFT
    report.save()
    assert client.get(report.get_absolute_url()).status_code == 404
    assert "Reading LoRA again" not in client.get(reverse("blog:report_list")).content.decode()


def test_staff_previewing_a_draft_get_it_fresh_and_uncached(admin_client):
    client = Client()  # admin_client is the `client` fixture, signed in
    draft = ReportFactory(draft=True, title="Not yet")
    assert client.get(draft.get_absolute_url()).status_code == 404
    response = admin_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    # The anonymous 404 was not stored either.
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_scheduled_report_appears_when_its_time_comes_and_not_before(client, report):
    """The version moves at the report's publication time: no save, no minute ticks."""
    now = timezone.now()
    ReportFactory(title="Scheduled for noon", published_at=now + datetime.timedelta(hours=2))
    url = reverse("blog:report_list")
    first = client.get(url)
    assert "Scheduled for noon" not in first.content.decode()
    with time_machine.travel(now + datetime.timedelta(hours=1), tick=False):
        assert client.get(url)["ETag"] == first["ETag"]  # still the stored page
    with time_machine.travel(now + datetime.timedelta(hours=2, seconds=1), tick=False):
        later = client.get(url)
        assert "Scheduled for noon" in later.content.decode()
        assert later["ETag"] != first["ETag"]
