"""Feed entries are kept under what they are made from (``SiteFeed.entry_facts``,
``kept_values``): a feed written from kept entries is the feed written from scratch, a
save elsewhere writes no entry again, and whatever an entry shows is in the feed on the
next request after it changes."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from blog.feeds import ReportFeed
from blog.models import Report
from papers.models import Author, Paper, SiteSettings
from papers.site.cache import bump_content_version
from readinggroup.feeds import PresentationFeed
from tests.atom import atom_problems, entries
from tests.blog.factories import ReportFactory
from tests.demo_state import fixture_rows
from tests.factories import AuthorFactory, PaperFactory
from tests.readinggroup.factories import PresentationFactory, PresenterFactory

pytestmark = pytest.mark.django_db

REPORTS = reverse("blog:feed")
SESSIONS = reverse("readinggroup:feed")
TAG = reverse("tag_feed", args=["vision"])


def make_content():
    return {
        "report": ReportFactory(title="A report on vision", tags=["vision"]),
        "session": PresentationFactory(
            title="Seeing things", presenters=[PresenterFactory(name="Ada Byron")], tags=["vision"]
        ),
        "paper": PaperFactory(
            title="Vision paper", authors=[AuthorFactory(name="Bo Peep")], tags=["vision"]
        ),
    }


_kept_rows, content = fixture_rows(make_content)


def feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def feed_bytes(client, url):
    return feed(client, url).encode()


@pytest.fixture
def item_links(monkeypatch):
    """The entries whose fields Django gathered (one ``item_link`` call each)."""
    calls = []

    def counting(original):
        # Two arguments, as Django's ``_get_dynamic_attr`` counts them.
        def counted(self, obj):
            calls.append(obj.pk)
            return original(self, obj)

        return counted

    for writer in (ReportFeed, PresentationFeed):
        monkeypatch.setattr(writer, "item_link", counting(writer.item_link))
    return calls


@pytest.mark.parametrize("url", [REPORTS, SESSIONS, TAG])
def test_a_feed_of_kept_entries_is_the_feed_written_from_scratch(client, content, url):
    first = feed_bytes(client, url)
    bump_content_version()
    kept = feed_bytes(client, url)
    cache.clear()
    assert kept == feed_bytes(client, url) == first
    assert atom_problems(kept) == []
    assert len(entries(kept)) == (3 if url == TAG else 1)


def test_a_save_elsewhere_writes_no_entry_again_and_a_new_report_one(client, content, item_links):
    feed(client, REPORTS)
    feed(client, SESSIONS)
    assert len(item_links) == 2
    bump_content_version()
    feed(client, REPORTS)
    feed(client, SESSIONS)
    assert len(item_links) == 2
    new = ReportFactory(title="A newer report")
    assert "A newer report" in feed(client, REPORTS)
    assert item_links[2:] == [new.pk]


def test_a_reports_new_tag_and_rewritten_texts_show_on_the_next_request(client, content):
    report = content["report"]
    assert 'term="robotics"' not in feed(client, REPORTS)
    report.tags.add("robotics")
    assert 'term="robotics"' in feed(client, REPORTS)
    # As ``refresh_wikilinks`` writes them: a queryset update and the explicit bump.
    Report.objects.filter(pk=report.pk).update(
        teaser_html="<p>New teaser.</p>", body_html="<p>New body.</p>"
    )
    bump_content_version()
    body = feed(client, REPORTS)
    assert "New teaser." in body
    assert "New body." in body


def test_a_renamed_report_kind_shows_in_its_entry_on_the_next_request(client, content):
    assert "Paper report: A report on vision" in feed(client, REPORTS)
    settings = SiteSettings.load()
    settings.section_texts = {"reports:paper-report": {"label": "Reports on papers"}}
    settings.save()
    assert "Reports on papers: A report on vision" in feed(client, REPORTS)


def test_a_renamed_presenter_shows_in_the_session_entry_on_the_next_request(client, content):
    assert "Ada Byron" in feed(client, SESSIONS)
    presenter = content["session"].presenters.get()
    presenter.name = "Ada Lovelace"
    presenter.save()
    body = feed(client, SESSIONS)
    assert "Ada Byron" not in body
    assert "Presented by Ada Lovelace." in body


def test_a_renamed_author_shows_in_the_papers_entry_of_a_tag_feed(client, content):
    assert "Bo Peep" in feed(client, TAG)
    Author.objects.filter(name="Bo Peep").update(name="Bo Beep")
    # An author's rename through a save moves the cards version; here through an update
    # and the explicit bump: the entry's facts hold the byline itself.
    bump_content_version()
    body = feed(client, TAG)
    assert "Bo Peep" not in body
    assert "Bo Beep" in body


def test_an_unpublished_session_leaves_the_feed_on_the_next_request(client, content):
    assert "Seeing things" in feed(client, SESSIONS)
    session = content["session"]
    session.status = "draft"
    session.save()
    assert "Seeing things" not in feed(client, SESSIONS)
    assert "Seeing things" not in feed(client, TAG)


# --- the tag feed: facts read as values, objects only for the entries to write -----------


def _facts_both_ways(kind_key):
    """``(row_facts, entry_facts)`` of every published row of a kind, each writer's facts
    read as values and from the objects as the tag feed loads them."""
    from config.content import Item, load_objects
    from config.tags import _whole_rows
    from papers.content.kinds import kind_by_key

    kind = kind_by_key(kind_key)
    writer = kind.feed_writer()
    rows = writer.row_facts(kind.published())
    items = [Item(kind, pk, None) for pk in kind.published().values_list("pk", flat=True)]
    objects = {item.pk: writer.entry_facts(item.obj) for item in load_objects(items, _whole_rows)}
    return rows, objects


@pytest.mark.parametrize("kind", ["papers", "reports", "sessions"])
def test_each_kinds_facts_read_as_values_are_its_facts_read_from_the_objects(content, kind):
    # Several names per relation, added in no alphabetical order: the order counts too.
    content["paper"].authors.add(AuthorFactory(name="Al Zed"), AuthorFactory(name="Ab Cee"))
    content["session"].presenters.add(PresenterFactory(name="Zoe Ay"))
    for row in content.values():
        row.tags.add("zeta", "alpha")
    rows, objects = _facts_both_ways(kind)
    assert rows
    assert rows == objects


def test_a_tag_feed_of_kept_entries_builds_no_object_of_its_entries(client, content):
    from django.db.models.signals import post_init

    first = feed_bytes(client, TAG)
    bump_content_version()
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count)
    try:
        kept = feed_bytes(client, TAG)
    finally:
        post_init.disconnect(count)
    assert kept == first
    assert not [model for model in built if model._meta.model_name in ENTRY_MODELS]


ENTRY_MODELS = {"paper", "report", "presentation", "authorship", "presenter"}


def _rename_label(content):
    settings = SiteSettings.load()
    settings.section_texts = {"reports:paper-report": {"label": "Reports on papers"}}
    settings.save()
    return "Reports on papers: A report on vision"


def _retag_paper(content):
    content["paper"].tags.add("optics")
    return 'term="optics"'


def _rewrite_notes(content):
    # As ``refresh_wikilinks`` writes them: a queryset update and the explicit bump.
    Paper.objects.filter(pk=content["paper"].pk).update(notes_html="<p>Rewritten.</p>")
    bump_content_version()
    return "Rewritten."


def _rename_presenter(content):
    presenter = content["session"].presenters.get()
    presenter.name = "Ada Lovelace"
    presenter.save()
    return "Ada Lovelace"


def _retitle_report(content):
    Report.objects.filter(pk=content["report"].pk).update(title="A report retitled")
    bump_content_version()
    return "A report retitled"


def _retag_session(content):
    content["session"].tags.add("optics")
    return 'term="optics"'


@pytest.mark.parametrize(
    "change",
    [
        _rename_label,
        _retag_paper,
        _rewrite_notes,
        _rename_presenter,
        _retitle_report,
        _retag_session,
    ],
)
def test_what_a_tag_feeds_entry_shows_changes_on_the_next_request(client, content, change):
    feed(client, TAG)
    bump_content_version()
    feed(client, TAG)  # every entry kept
    shown = change(content)
    assert shown in feed(client, TAG)
    # And the feed is the one written from scratch.
    kept = feed_bytes(client, TAG)
    cache.clear()
    assert kept == feed_bytes(client, TAG)


def test_a_row_unpublished_between_its_facts_and_its_object_is_left_out(
    client, content, monkeypatch
):
    from config.tags import TagFeed

    original = TagFeed.facts_of

    def then_unpublished(self, items):
        found = original(self, items)
        Paper.objects.filter(pk=content["paper"].pk).update(status="draft")
        return found

    monkeypatch.setattr(TagFeed, "facts_of", then_unpublished)
    body = feed(client, TAG)
    assert "Vision paper" not in body
    assert len(entries(body.encode())) == 2
