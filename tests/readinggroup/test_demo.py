"""``manage.py demo`` adds reading-group sessions once, with slides it draws itself."""

import time
from io import StringIO

import pypdfium2
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from papers.models import Paper
from readinggroup import demo
from readinggroup.members import Member, Suggestion, Volunteer, Vote
from readinggroup.models import Presentation
from readinggroup.pdf import validate_slides
from tests.factories import PaperFactory
from tests.readinggroup.members_helpers import client_for, make_member

pytestmark = pytest.mark.django_db


def _files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def test_demo_adds_past_upcoming_and_bare_sessions(demo_loaded):
    assert "Reading group: 5 demo sessions added." in demo_loaded

    published = Presentation.objects.published()
    assert published.count() == 5
    with_everything = published.past().exclude(slides="").exclude(recording_url="")
    assert with_everything.exists()
    for session in with_everything:
        assert session.cover_is_generated
        assert session.recording.is_embeddable
        with session.slides.open("rb") as slides:
            validate_slides(ContentFile(slides.read()))
    assert published.past().filter(slides="", recording_url="").exists()
    assert published.upcoming().count() >= 1
    assert all(session.paper.is_published for session in published)
    assert Paper.objects.get(arxiv_id="2306.05670").presentations.get().number == 3
    assert Paper.objects.get(arxiv_id="2310.01852").presentations.get().number == 2
    assert all(session.summary_html for session in published)
    assert all(session.presenters.exists() for session in published)


def test_demo_is_idempotent(_media_root, demo_loaded):
    files = _files(_media_root)
    counts = (Presentation.objects.count(), Paper.objects.count())
    out = StringIO()
    call_command("demo", stdout=out)
    assert "Reading group: 0 demo sessions added." in out.getvalue()
    assert (Presentation.objects.count(), Paper.objects.count()) == counts
    assert _files(_media_root) == files


def test_demo_uses_papers_that_are_already_there():
    existing = PaperFactory(arxiv_id="2306.05670", title="One-Shot Machine Unlearning")
    demo.load(StringIO())
    assert Presentation.objects.get(number=3).paper == existing
    assert Paper.objects.filter(arxiv_id="2306.05670").count() == 1


def test_demo_leaves_existing_session_numbers_alone(demo_loaded):
    session = Presentation.objects.get(number=1)
    session.title = "Renamed by the organiser"
    session.save()
    call_command("demo", stdout=StringIO())
    assert Presentation.objects.get(number=1).title == "Renamed by the organiser"


def test_demo_slides_are_multi_page_pdfs():
    data = demo.slides_pdf(9, "A title", ["Someone"], [("Heading", ["a point"])])
    assert data.startswith(b"%PDF-")
    validate_slides(ContentFile(data))
    document = pypdfium2.PdfDocument(data)
    assert len(document) == 2
    document.close()


def test_a_demo_deck_is_the_same_file_whenever_it_is_drawn(monkeypatch):
    # Pillow would stamp the current second; here the second moves between the two decks.
    deck = ("A title", ["Someone"], [("Heading", ["a point"])])
    first = demo.slides_pdf(9, *deck)
    monkeypatch.setattr(time, "gmtime", lambda *seconds: time.localtime(86_400 * 365))
    assert demo.slides_pdf(9, *deck) == first


def test_demo_members_make_a_live_queue_once(demo_loaded):
    assert "Reading group: 5 demo members, 4 demo suggestions added." in demo_loaded
    members = Member.objects.all()
    assert members.count() == 5
    assert not any(m.user.has_usable_password() or m.user.is_staff for m in members)
    # The demo sessions' presenters became the members' own: their profiles list them.
    dana = Member.objects.get(name="Dana Whitfield")
    assert set(dana.presenter.presentations.values_list("number", flat=True)) == {1, 3}
    ranked = list(Suggestion.objects.open().order_by("-vote_count", "created_at"))
    assert [s.vote_count for s in ranked] == [4, 3, 2, 1]
    assert all(s.vote_count == s.votes.count() for s in ranked)
    assert Volunteer.objects.count() == 3
    page = client_for(make_member()).get(reverse("readinggroup:queue")).content.decode()
    assert "QLoRA" in page and "Will present: Noor Haddad, Dana Whitfield" in page

    counts = (Member.objects.count(), Vote.objects.count(), Volunteer.objects.count())
    call_command("demo", stdout=(again := StringIO()))
    assert "Reading group: 0 demo members, 0 demo suggestions added." in again.getvalue()
    assert (Member.objects.count(), Vote.objects.count(), Volunteer.objects.count()) == counts
    assert [s.vote_count for s in Suggestion.objects.open().order_by("-vote_count")] == [
        4,
        3,
        2,
        1,
    ]
