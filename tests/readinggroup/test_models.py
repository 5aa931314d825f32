"""The Presentation model: visibility, dates, Markdown, covers and stored files."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db.models import ProtectedError
from django.utils import timezone
from PIL import Image
from pytest_django.asserts import assertInHTML

from papers.jobs.models import Job
from readinggroup.models import Presentation, Presenter, SlidesState
from tests.factories import PaperFactory, png_bytes
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory, PresenterFactory
from tests.readinggroup.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db


def _close(pixel, expected, tolerance=4):
    """Pillow stores PDF pages as JPEG, so colours come back within a few units."""
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def _stored_files(media_root):
    return sorted(
        p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file()
    )


def test_published_upcoming_and_past_are_the_one_visibility_rule():
    now = timezone.now()
    past = PresentationFactory(scheduled_at=now - datetime.timedelta(days=3))
    soon = PresentationFactory(scheduled_at=now + datetime.timedelta(days=2))
    later = PresentationFactory(scheduled_at=now + datetime.timedelta(days=9))
    PresentationFactory(scheduled_at=now + datetime.timedelta(days=1), draft=True)

    published = Presentation.objects.published()
    assert list(published.upcoming()) == [soon, later]
    assert list(published.past()) == [past]
    assert published.count() == 3


def test_a_session_in_progress_is_still_upcoming():
    started = PresentationFactory(
        scheduled_at=timezone.now() - datetime.timedelta(minutes=20), duration_minutes=90
    )
    assert started.ends_at == started.scheduled_at + datetime.timedelta(minutes=90)
    assert list(Presentation.objects.upcoming()) == [started]
    assert not Presentation.objects.past().exists()
    assert started.is_upcoming


def test_summary_is_rendered_once_and_sanitised():
    presentation = PresentationFactory(
        summary="Some **bold** $x^2$ <script>alert(1)</script> [x](javascript:alert(1))"
    )
    html = presentation.summary_html
    assertInHTML("<strong>bold</strong>", html)
    assert "<math" in html
    assert "<script" not in html
    assert "javascript:" not in html


def test_slug_is_made_from_the_title_and_unique():
    first = PresentationFactory(title="Attention Is All You Need")
    second = PresentationFactory(title="Attention is all you need")
    assert first.slug == "attention-is-all-you-need"
    assert second.slug == "attention-is-all-you-need-2"


def test_next_number_is_one_more_than_the_highest():
    assert Presentation.next_number() == 1
    PresentationFactory(number=7)
    PresentationFactory(number=3)
    assert Presentation.next_number() == 8


def test_deleting_a_paper_used_by_a_session_is_refused_and_nothing_is_lost():
    presentation = PresentationFactory()
    paper = presentation.paper
    with pytest.raises(ProtectedError):
        paper.delete()
    presentation.refresh_from_db()
    assert presentation.paper == paper


def test_a_session_without_paper_is_allowed():
    presentation = PresentationFactory(paper=None)
    assert presentation.paper is None
    assert presentation.get_absolute_url() == f"/reading-group/{presentation.number}/"


def test_presenter_names_are_unique_whatever_the_case():
    from django.core.exceptions import ValidationError

    Presenter.objects.create(name="Ada Lovelace")
    with pytest.raises(ValidationError):
        Presenter(name="ada lovelace").full_clean()


def test_slides_get_a_random_name_and_a_cover_from_page_one(_media_root):
    presentation = PresentationFactory(slides=ContentFile(pdf_bytes(2), name="../../x.pdf"))
    assert presentation.slides.name.startswith("readinggroup/slides/")
    assert "x.pdf" not in presentation.slides.name
    assert len(presentation.slides.name.rsplit("/", 1)[1]) == len("0" * 32 + ".pdf")
    assert presentation.cover_is_generated
    assert presentation.cover.name.startswith("readinggroup/covers/")
    with Image.open(presentation.cover.path) as cover:
        assert cover.format == "PNG"
        assert cover.width == 1200  # a 16:9 slide fits the 1200-pixel box by width
        assert (presentation.cover_width, presentation.cover_height) == cover.size
        # Page 1 is the blue slide the factory drew, not a blank image.
        assert _close(cover.convert("RGB").getpixel((600, 300)), (31, 95, 168))
    assert all(name.startswith("readinggroup/") for name in _stored_files(_media_root))


def test_new_slides_re_render_the_cover_and_remove_the_old_files(
    _media_root, django_capture_on_commit_callbacks
):
    presentation = PresentationFactory(slides=ContentFile(pdf_bytes(1), name="a.pdf"))
    old_slides, old_cover = presentation.slides.name, presentation.cover.name
    presentation = Presentation.objects.get(pk=presentation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        presentation.slides = ContentFile(pdf_bytes(1, color=(200, 30, 30)), name="b.pdf")
        presentation.save()
        # The old cover showed the old slides: gone at once; the new one comes from the job.
        assert not presentation.cover and presentation.slides_state == SlidesState.PENDING
        [job] = run_queued_jobs("readinggroup.slides")
    assert job.state == Job.State.DONE, job.message
    presentation.refresh_from_db()
    assert presentation.cover.name != old_cover
    with Image.open(presentation.cover.path) as cover:
        assert _close(cover.convert("RGB").getpixel((600, 300)), (200, 30, 30))
    # The new cover's WebP rendition is stored beside it; the old one went with its cover.
    assert presentation.cover_webp == presentation.cover.name.replace(".png", ".webp")
    assert _stored_files(_media_root) == sorted(
        [presentation.slides.name, presentation.cover.name, presentation.cover_webp]
    )
    assert old_slides not in _stored_files(_media_root)


def test_a_job_for_slides_replaced_before_it_ran_does_nothing(_media_root):
    presentation = PresentationFactory(slides=ContentFile(pdf_bytes(1), name="a.pdf"))
    presentation = Presentation.objects.get(pk=presentation.pk)
    presentation.slides = ContentFile(pdf_bytes(1), name="b.pdf")
    presentation.save()
    first = presentation.slides_job
    presentation.slides = ContentFile(pdf_bytes(1, color=(0, 0, 0)), name="c.pdf")
    presentation.save()
    first_done, second_done = run_queued_jobs("readinggroup.slides")
    assert first_done.pk == first.pk and first_done.state == Job.State.DONE
    assert first_done.result == {"skipped": "the slides were replaced or removed before the check"}
    assert second_done.state == Job.State.DONE
    presentation.refresh_from_db()
    assert presentation.slides_public and presentation.cover_is_generated


def test_an_uploaded_cover_is_kept_when_the_slides_change(_media_root):
    presentation = PresentationFactory(
        cover=ContentFile(png_bytes((40, 30)), name="mine.png"),
        slides=ContentFile(pdf_bytes(1), name="a.pdf"),
    )
    assert not presentation.cover_is_generated
    uploaded = presentation.cover.name
    presentation = Presentation.objects.get(pk=presentation.pk)
    presentation.slides = ContentFile(pdf_bytes(1, color=(0, 0, 0)), name="b.pdf")
    presentation.save()
    run_queued_jobs("readinggroup.slides")
    presentation.refresh_from_db()
    assert presentation.slides_public
    assert presentation.cover.name == uploaded
    assert (presentation.cover_width, presentation.cover_height) == (40, 30)


def test_clearing_the_cover_renders_one_from_the_slides_again():
    presentation = PresentationFactory(
        cover=ContentFile(png_bytes((40, 30)), name="mine.png"),
        slides=ContentFile(pdf_bytes(1), name="a.pdf"),
    )
    presentation = Presentation.objects.get(pk=presentation.pk)
    presentation.cover = None
    presentation.save()
    assert presentation.slides_public  # checked already: still served while the job runs
    [job] = run_queued_jobs("readinggroup.slides")
    assert job.state == Job.State.DONE, job.message
    presentation.refresh_from_db()
    assert presentation.cover_is_generated
    assert presentation.cover_width == 1200


def test_removing_the_slides_removes_their_generated_cover(
    django_capture_on_commit_callbacks, _media_root
):
    presentation = PresentationFactory(slides=ContentFile(pdf_bytes(1), name="a.pdf"))
    presentation = Presentation.objects.get(pk=presentation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        presentation.slides = None
        presentation.save()
    assert not presentation.cover
    assert not presentation.cover_is_generated
    assert _stored_files(_media_root) == []


def test_saving_without_changes_keeps_the_cover():
    presentation = PresentationFactory(slides=ContentFile(pdf_bytes(1), name="a.pdf"))
    cover = presentation.cover.name
    presentation = Presentation.objects.get(pk=presentation.pk)
    presentation.title = "A new title"
    presentation.save()
    assert presentation.cover.name == cover


def test_deleting_a_session_deletes_its_files(django_capture_on_commit_callbacks, _media_root):
    presentation = PresentationFactory(slides=ContentFile(pdf_bytes(1), name="a.pdf"))
    # The slides, the cover rendered from them and its WebP rendition.
    assert _stored_files(_media_root) == sorted(
        [presentation.slides.name, presentation.cover.name, presentation.cover_webp]
    )
    with django_capture_on_commit_callbacks(execute=True):
        presentation.delete()
    assert _stored_files(_media_root) == []


def test_recording_is_parsed_from_the_stored_link():
    presentation = PresentationFactory(recording_url="https://youtu.be/caP30Kq-_ME?t=75")
    presentation.full_clean()
    assert presentation.recording_url == "https://www.youtube.com/watch?v=caP30Kq-_ME&t=75s"
    assert presentation.recording.embed_url == (
        "https://www.youtube-nocookie.com/embed/caP30Kq-_ME?rel=0&start=75"
    )


def test_a_stored_link_that_no_longer_parses_shows_no_recording():
    presentation = PresentationFactory(recording_url="javascript:alert(1)")
    assert presentation.recording is None


def test_presenters_are_many():
    alice, bob = PresenterFactory(name="Alice"), PresenterFactory(name="Bob")
    presentation = PresentationFactory(presenters=[bob, alice])
    assert list(presentation.presenters.all()) == [alice, bob]
    assert list(alice.presentations.all()) == [presentation]


def test_string_form_names_the_number():
    presentation = PresentationFactory(number=12, title="ViT", paper=PaperFactory())
    assert str(presentation) == "Session 12: ViT"
