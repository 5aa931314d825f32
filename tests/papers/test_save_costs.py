"""What a save costs: the scheduled moment of the content version is looked up once per
transaction, not once per row saved, and the pages still change when it comes."""

import datetime
import time

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Report
from papers.jobs.models import Job
from papers.models import Paper, PaperLink, Tag, TaggedPaper
from papers.refresh import saves_written_at_end
from papers.related import UPDATE
from papers.site.cache import VERSION_KEY, _due, _due_after, bump_content_version, content_version
from readinggroup.models import Presentation
from tests.blog.factories import ReportFactory, report_admin_form
from tests.factories import AuthorFactory, PaperFactory, add_tags, paper_with_everything
from tests.papers.test_admin import byline_and_link, paper_form
from tests.papers.test_counts import assert_counts_match
from tests.readinggroup.factories import PresentationFactory, PresenterFactory
from tests.readinggroup.test_slides import _form_data as session_form

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


def test_a_factory_paper_with_byline_tags_and_links_costs_31_queries(
    django_assert_num_queries,
):
    """102 before the moment was reused: 26 of them were its lookups, two per version.
    76 before its derived writes were made once (``saves_written_at_end``): the search
    document was written 5 times (15 queries, now 4: the row with its byline and tags
    prefetched, one UPDATE), its kept page's address read 8 times (now once) and the
    related-papers job joined twice (6 queries each, now once). 52 before the factories
    created the tag rows without taggit's get_or_create (``add_tags``: 11 queries for the
    two tags, now 4; 3 since the tags are read in one SELECT, not one each).
    PostgreSQL had four more, the slug lock (``pg_try_advisory_xact_lock``) asked for at
    each row with a slug: now once per transaction (``papers.intake.slugs``), and this
    test's transaction took it with the first paper. 44 before each byline and tag row was
    counted by one statement that reads its paper's state (``counts._apply_link``) instead
    of a SELECT of the paper and an upsert: 5 SELECTs fewer (3 bylines, 2 tags), the 6
    upserts remain. 39 before queuing a job took fewer statements
    (``papers.jobs.queue``): the wiki-links job 2, not 5 (its task's id chosen with it:
    no savepoint, no UPDATE of ``task_id``); the related-papers job, queued by the first
    paper of this transaction, joined with 1, not 6 (savepoint, INSERT, rollback to it,
    release, SELECT, UPDATE)."""
    paper_with_everything()  # its tags exist, and the moment of the version is known
    with django_assert_num_queries(31) as queries:
        paper_with_everything()
    assert _due_lookups(queries) == []
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([q for q in sql if 'SET "search_text"' in q]) == 1
    assert len([q for q in sql if q.startswith('SELECT "papers_paper"."slug"')]) == 1


def test_an_admin_save_of_a_paper_looks_up_the_scheduled_moment_once(
    admin_client, django_assert_num_queries
):
    """One admin save writes a paper, its byline, tags and a link (ten versions): one
    lookup (two queries) instead of ten (twenty): 104 queries before, 86 after on SQLite;
    105 and 87 on PostgreSQL (the job queue's advisory lock). Then 67 and 68: the search
    document, the kept page's drop and the related-papers job once per save
    (``SavesWrittenAtEndAdminMixin``). PostgreSQL's one more, the slug lock, is taken
    once per transaction: here the test's, by the authors' factory. Then 63: the two
    bylines and two tags counted by one statement each, not a SELECT of the paper and an
    upsert. Then 57: the related-papers and wiki-links jobs queued with 2 statements
    each, not 5 (``papers.jobs.queue.enqueue``: no savepoint, the task's id written with
    the job)."""
    first, second = AuthorFactory(name="Edward Hu"), AuthorFactory(name="Yelong Shen")
    data = paper_form(title="LoRA", tags="fine-tuning, LLM", **byline_and_link(first, second))
    admin_client.get(reverse("admin:index"))  # the session and user are read once
    # Cached per process (the admin log names it): whether an earlier test read it or not.
    ContentType.objects.get_for_model(Paper)
    bump_content_version()  # a change without signals: nothing known is reused after it
    with django_assert_num_queries(57) as queries:
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


# --- what a block's saves derive, written once at its end (papers.refresh) -----------------


def _document(obj):
    """The stored search document: the text, and the weighted vector on PostgreSQL."""
    rows = type(obj).objects.values_list("search_text", "search_vector")
    return rows.get(pk=obj.pk)


def _document_written_by_a_save(obj):
    """The document as a save writes it outside the block (``update_search_index``)."""
    obj = type(obj).objects.get(pk=obj.pk)
    obj.update_search_index()
    return _document(obj)


def test_a_paper_saved_twice_in_a_block_is_indexed_with_its_last_text_and_links():
    with saves_written_at_end():
        paper = PaperFactory(title="First title", authors=[AuthorFactory(name="Ada Byline")])
        paper.title = "Second title"
        paper.save()
        paper.tags.add("last-tag")
    text, _ = written = _document(paper)
    assert "Second title" in text and "Ada Byline" in text and "last-tag" in text
    assert "First title" not in text
    assert written == _document_written_by_a_save(paper)


def test_a_factory_paper_and_an_admin_add_are_indexed_as_a_save_indexes_them(admin_client):
    factory_paper = paper_with_everything(title="Factory paper")
    assert _document(factory_paper) == _document_written_by_a_save(factory_paper)
    first, second = AuthorFactory(name="Edward Hu"), AuthorFactory(name="Yelong Shen")
    data = paper_form(title="LoRA", tags="fine-tuning, LLM", **byline_and_link(first, second))
    assert admin_client.post(reverse("admin:papers_paper_add"), data).status_code == 302
    added = Paper.objects.get(title="LoRA")
    text, _ = written = _document(added)
    assert "Edward Hu" in text and "Yelong Shen" in text and "fine-tuning" in text
    assert written == _document_written_by_a_save(added)


def test_a_savepoint_rolled_back_in_a_block_leaves_the_document_of_the_rows_that_stayed():
    with saves_written_at_end():
        paper = PaperFactory(title="Kept title")
        with pytest.raises(Rollback), transaction.atomic():
            paper.title = "Rolled-back title"
            paper.save()
            paper.tags.add("rolled-back-tag")
            raise Rollback
    text, _ = _document(paper)
    assert "Kept title" in text
    assert "Rolled-back" not in text and "rolled-back-tag" not in text


def test_a_block_rolled_back_with_its_transaction_writes_and_queues_nothing():
    PaperFactory(title="Before")  # the related-papers job is queued (and waits)
    Job.objects.all().delete()
    with pytest.raises(Rollback), transaction.atomic(), saves_written_at_end():
        PaperFactory(title="Rolled back", tags=["gone"])
        raise Rollback
    assert not Paper.objects.filter(title="Rolled back").exists()
    assert not Job.objects.exists()


def test_the_related_papers_job_is_queued_once_per_block_with_every_paper_saved_in_it():
    Job.objects.all().delete()
    with CaptureQueriesContext(connection) as queries, saves_written_at_end():
        one = PaperFactory(title="One", tags=["shared"])
        two = PaperFactory(title="Two", tags=["shared"])
        two.tags.add("more")
    inserts = [q for q in queries.captured_queries if "'papers.related'" in q["sql"]]
    assert len(inserts) == 1
    assert Job.objects.get(kind=UPDATE).params == {"papers": [one.pk, two.pk]}


def test_a_page_kept_inside_a_block_is_dropped_at_its_end(client):
    paper = PaperFactory(title="Kept page")
    url = paper.get_absolute_url()
    assert "example.org/first" not in client.get(url).content.decode()  # kept
    with saves_written_at_end():
        PaperLink.objects.create(paper=paper, url="https://example.org/first", label="First")
        client.get(url)  # a visit inside the block may keep the page as it is then
        PaperLink.objects.create(paper=paper, url="https://example.org/second", label="Second")
    page = client.get(url).content.decode()
    assert "example.org/first" in page and "example.org/second" in page


def test_a_report_and_a_session_added_in_the_admin_are_indexed_as_a_save_indexes_them(
    admin_client,
):
    paper = PaperFactory(title="Linked paper", authors=[AuthorFactory(name="Ada Byline")])
    data = report_admin_form(
        title="A report",
        status="published",
        tags="report-tag",
        **{
            "paper_links-TOTAL_FORMS": "1",
            "paper_links-0-position": "0",
            "paper_links-0-paper": str(paper.pk),
        },
    )
    assert admin_client.post(reverse("admin:blog_report_add"), data).status_code == 302
    report = Report.objects.get(title="A report")
    text, _ = written = _document(report)
    assert "report-tag" in text and "Linked paper" in text
    assert written == _document_written_by_a_save(report)
    data = session_form(title="A session", paper=str(paper.pk), tags="session-tag")
    add = reverse("admin:readinggroup_presentation_add")
    assert admin_client.post(add, data).status_code == 302
    session = Presentation.objects.get(title="A session")
    text, _ = written = _document(session)
    assert "session-tag" in text and "Linked paper" in text
    assert written == _document_written_by_a_save(session)


def _document_writes(queries):
    return [q["sql"] for q in queries.captured_queries if 'SET "search_text"' in q["sql"]]


def test_a_factory_report_with_two_tags_and_a_paper_costs_14_queries_with_one_document_write(
    django_assert_num_queries,
):
    """27 before the report factory ran its saves in ``saves_written_at_end``: the document
    was written after the report, its tags and its paper (3 × 4 queries, now 5: the row,
    its papers and tags prefetched, one UPDATE); 22 before ``add_tags`` (two tags: 11
    queries, now 4; 3 since the tags are read in one SELECT). PostgreSQL's one more (the
    slug lock) is taken once per transaction: this test's took it already."""
    paper = PaperFactory(title="Linked")
    ReportFactory(tags=["vision", "nlp"], papers=[paper])  # the tags exist
    with django_assert_num_queries(14) as queries:
        ReportFactory(tags=["vision", "nlp"], papers=[paper])
    assert len(_document_writes(queries)) == 1


def test_a_factory_session_with_two_presenters_and_two_tags_costs_16_queries_one_document_write(
    django_assert_num_queries,
):
    """28 before the session factory ran its saves in ``saves_written_at_end``: the
    document was written after the session, its presenters and its tags (3 × 3 queries,
    now 5: the row, its paper, presenters and tags, one UPDATE); 24 before ``add_tags``;
    17 before its tags were read in one SELECT. PostgreSQL's one more (the slug lock) is
    taken once per transaction: this test's took it already."""
    paper, presenters = PaperFactory(title="Linked"), [PresenterFactory(), PresenterFactory()]
    PresentationFactory(paper=paper, tags=["vision", "nlp"], presenters=presenters)
    with django_assert_num_queries(16) as queries:
        PresentationFactory(paper=paper, tags=["vision", "nlp"], presenters=presenters)
    assert len(_document_writes(queries)) == 1


def test_a_factory_report_and_session_are_indexed_as_a_save_indexes_them():
    paper = PaperFactory(title="Linked paper", authors=[AuthorFactory(name="Ada Byline")])
    report = ReportFactory(title="A report", tags=["report-tag"], papers=[paper])
    text, _ = written = _document(report)
    assert "report-tag" in text and "Linked paper" in text
    assert written == _document_written_by_a_save(report)
    session = PresentationFactory(
        title="A session", paper=paper, tags=["session-tag"], presenters=[PresenterFactory()]
    )
    text, _ = written = _document(session)
    assert "session-tag" in text and "Presenter Number" in text and "Linked paper" in text
    assert written == _document_written_by_a_save(session)


def _tag_signals(add, paper):
    """The signals adding tags to ``paper`` sends for its tag rows, by ``add``."""
    sent = []

    def record(signal, **kwargs):
        action = kwargs.get("action") or ("created" if kwargs.get("created") else "")
        # By name: the new tag's id differs from one paper to the other.
        tag = getattr(kwargs.get("instance"), "tag_id", None)
        tags = set(kwargs.get("pk_set") or ()) | {tag}
        names = dict(Tag.objects.filter(pk__in=tags - {None}).values_list("pk", "name"))
        sent.append((signal, action, names.get(tag), frozenset(names.values())))

    receivers = [
        (signal, lambda signal, sender, **kwargs: record(signal, **kwargs))
        for signal in (m2m_changed, pre_save, post_save)
    ]
    for signal, receiver in receivers:
        signal.connect(receiver, sender=TaggedPaper, weak=False)
    try:
        add(paper)
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver, sender=TaggedPaper)
    return sent


def test_a_factorys_tags_send_the_signals_taggits_add_sends_and_keep_the_counts():
    """``add_tags`` creates the tag rows without taggit's get_or_create: the receivers
    (counts, kept pages, search document) see the same signals, in the same order."""
    Tag.objects.create(name="Vision")  # one existing (matched case-insensitively), one new
    by_taggit = _tag_signals(lambda paper: paper.tags.add("vision", "new-tag"), PaperFactory())
    Tag.objects.get(name="new-tag").delete()
    by_factory = _tag_signals(lambda paper: add_tags(paper, ["vision", "new-tag"]), PaperFactory())
    assert by_factory == by_taggit
    assert [action for _, action, _, _ in by_factory] == [
        "pre_add", "", "created", "", "created", "post_add",
    ]  # fmt: skip
    assert_counts_match()


def test_a_factorys_tag_rows_are_the_ones_taggits_add_finds_or_makes():
    """``add_tags`` resolves names in one SELECT and creates a new tag with one INSERT: the
    same rows (names, slugs) as taggit's ``add``, for an existing tag named in another
    case, a name given twice and a new tag; a new name whose slug is taken is numbered as
    taggit numbers it (taggit's way)."""
    Tag.objects.create(name="Vision")
    Tag.objects.create(name="c plus", slug="c-plus")

    def rows(paper):
        return sorted(paper.tags.values_list("name", "slug"))

    for names, one_read in ((["vision", "New Tag", "new tag"], True), (["C+"], False)):
        by_taggit = PaperFactory()
        by_taggit.tags.add(*names)
        expected = rows(by_taggit)
        Tag.objects.exclude(name__in=["Vision", "c plus"]).delete()
        by_factory = PaperFactory()
        with CaptureQueriesContext(connection) as queries:
            add_tags(by_factory, names)
        assert rows(by_factory) == expected
        if one_read:  # then the through rows: no savepoint, no second read
            sql = [q["sql"] for q in queries.captured_queries]
            assert sql[0].startswith("SELECT") and sql[1].startswith('INSERT INTO "papers_tag"')
            assert sql[2].startswith('INSERT INTO "papers_taggedpaper"')
    assert ("C+", "c-plus-1") in expected
