"""What a save costs: the scheduled moment of the content version is looked up once per
transaction, not once per row saved, and the pages still change when it comes."""

import datetime
import time

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from papers.models import Paper
from papers.site.cache import VERSION_KEY, _due, _due_after, bump_content_version, content_version
from tests.blog.factories import ReportFactory
from tests.factories import AuthorFactory, PaperFactory, paper_with_everything
from tests.papers.test_admin import byline_and_link, paper_form

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _due_lookups(queries):
    """The scheduled-moment queries (one per schedule: reports, sessions)."""
    return [q["sql"] for q in queries.captured_queries if "MIN(" in q["sql"].upper()]


def _looked_up_again(version):
    """The first scheduled moment after ``version`` as the rows give it now."""
    _due.clear()
    cache.delete(f"papershelf:{version}:due")
    return _due_after(version)


def _ns(moment):
    return int(moment.timestamp()) * 10**9 + moment.microsecond * 1000


def test_a_factory_paper_with_byline_tags_and_links_costs_76_queries_80_on_postgresql(
    django_assert_num_queries,
):
    """102 before the moment was reused: 26 of them were its lookups, two per version.
    PostgreSQL: four more, the job queue's advisory locks (``pg_try_advisory_xact_lock``)."""
    paper_with_everything()  # its tags exist, and the moment of the version is known
    with django_assert_num_queries(76 if connection.vendor == "sqlite" else 80) as queries:
        paper_with_everything()
    assert _due_lookups(queries) == []


def test_an_admin_save_of_a_paper_looks_up_the_scheduled_moment_once(
    admin_client, django_assert_num_queries
):
    """One admin save writes a paper, its byline, tags and a link (ten versions): one
    lookup (two queries) instead of ten (twenty): 104 queries before, 86 now on SQLite;
    105 and 87 on PostgreSQL (the job queue's advisory lock)."""
    first, second = AuthorFactory(name="Edward Hu"), AuthorFactory(name="Yelong Shen")
    data = paper_form(title="LoRA", tags="fine-tuning, LLM", **byline_and_link(first, second))
    admin_client.get(reverse("admin:index"))  # the session and user are read once
    # Cached per process (the admin log names it): whether an earlier test read it or not.
    ContentType.objects.get_for_model(Paper)
    bump_content_version()  # a change without signals: nothing known is reused after it
    with django_assert_num_queries(86 if connection.vendor == "sqlite" else 87) as queries:
        response = admin_client.post(reverse("admin:papers_paper_add"), data)
    assert response.status_code == 302
    assert len(_due_lookups(queries)) == 2
    version = int(content_version())
    assert _due[version] == _looked_up_again(version) == 0


def test_the_moment_reused_in_a_transaction_is_the_one_a_lookup_finds():
    later = timezone.now() + 2 * HOUR
    with CaptureQueriesContext(connection) as queries:
        ReportFactory(title="Scheduled", published_at=later)
    assert len(_due_lookups(queries)) == 2  # a scheduled model changed: looked up
    with CaptureQueriesContext(connection) as queries:
        paper_with_everything()
    assert _due_lookups(queries) == []  # ten more versions, the same moment
    version = int(content_version())
    assert _due[version] == _looked_up_again(version) == _ns(later)


def test_once_the_known_moment_has_passed_the_next_save_looks_it_up_and_the_page_shows_it(
    client,
):
    now = timezone.now()
    ReportFactory(title="Scheduled for later", published_at=now + HOUR)
    ReportFactory(title="Scheduled for tomorrow", published_at=now + 24 * HOUR)
    PaperFactory(title="Saved before")
    url = reverse("blog:report_list")
    assert "Scheduled for later" not in client.get(url).content.decode()
    with time_machine.travel(now + 2 * HOUR, tick=False):
        with CaptureQueriesContext(connection) as queries:
            PaperFactory(title="Saved after the moment")
        assert len(_due_lookups(queries)) == 2
        version = int(content_version())
        assert _due[version] == _looked_up_again(version) == _ns(now + 24 * HOUR)
        page = client.get(url).content.decode()
    assert "Scheduled for later" in page
    assert "Scheduled for tomorrow" not in page


class Rollback(Exception):
    pass


def test_a_moment_known_inside_a_rolled_back_savepoint_is_not_reused():
    PaperFactory(title="Before")  # known: nothing scheduled
    with pytest.raises(Rollback), transaction.atomic():
        ReportFactory(title="Rolled back", published_at=timezone.now() + HOUR)
        PaperFactory(title="Reuses the report's moment")
        raise Rollback
    with CaptureQueriesContext(connection) as queries:
        PaperFactory(title="After")
    assert len(_due_lookups(queries)) == 2
    version = int(content_version())
    assert _due[version] == _looked_up_again(version) == 0  # the report is gone


def test_a_version_another_process_moved_is_not_reused():
    PaperFactory(title="Before")
    later = timezone.now() + HOUR
    ReportFactory(title="Scheduled", published_at=later)
    cache.set(VERSION_KEY, str(time.time_ns()))  # another process's bump meanwhile
    with CaptureQueriesContext(connection) as queries:
        PaperFactory(title="After")
    assert len(_due_lookups(queries)) == 2
    version = int(content_version())
    assert _due[version] == _ns(later)
