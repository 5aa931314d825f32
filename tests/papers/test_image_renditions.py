"""Covers are stored with a WebP rendition beside them (papers.site.images), and the pages
show it in a <picture> with the original as the fallback (issue 17: the session page's
largest paint was its full-size PNG cover)."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image
from pytest_django.asserts import assertInHTML

from blog.models import Report
from papers.site import images
from papers.site.images import RENDITION_MAX_WIDTH, reencode_image, webp_rendition
from readinggroup.models import Presentation
from tests.blog.factories import report_admin_form
from tests.blog.test_admin import ADD, files_under
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db


def noisy_png(size):
    """A PNG that does not compress to nothing (a photo or a busy slide)."""
    image = Image.effect_noise(size, 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_stored_cover_gets_a_smaller_webp_rendition_at_most_800_pixels_wide(_media_root):
    presentation = PresentationFactory()
    original = reencode_image(ContentFile(noisy_png((1600, 900)), name="c.png"))
    presentation.cover.save(original.name, original)

    presentation.refresh_from_db()
    assert presentation.cover_webp == presentation.cover.name.replace(".png", ".webp")
    with default_storage.open(presentation.cover_webp) as stored:
        data = stored.read()
    with Image.open(io.BytesIO(data)) as rendition:
        assert rendition.format == "WEBP"
        assert rendition.size == (RENDITION_MAX_WIDTH, 450)  # the original's aspect ratio
    assert len(data) < presentation.cover.size / 2
    assert (presentation.cover_width, presentation.cover_height) == (1600, 900)


def test_the_session_page_shows_the_webp_rendition_with_the_original_as_fallback(
    client, _media_root
):
    presentation = PresentationFactory(slides=ContentFile(pdf_bytes(1), name="a.pdf"))
    assert presentation.cover_is_generated and presentation.cover_webp  # rendered from page 1
    body = client.get(presentation.get_absolute_url()).content.decode()
    picture = re.search(r'<figure class="session-cover">.*?</figure>', body, re.S).group(0)
    webp = default_storage.url(presentation.cover_webp)
    assertInHTML(f'<source type="image/webp" srcset="{webp}">', picture)
    # The fallback is the original, with the size that reserves its space before it loads,
    # fetched first: it is the page's largest paint.
    assert (
        f'<img src="{presentation.cover.url}" alt="Cover of the slides for session '
        f'{presentation.number}" width="1200" height="675" fetchpriority="high">'
    ) in picture
    # The first slide under the slides viewer (for browsers that show no PDF) is the same
    # image: the rendition too, so that the page never fetches the full-size PNG.
    fallback = re.search(r'<p class="pdf-fallback">.*?</p>', body, re.S).group(0)
    assertInHTML(f'<source type="image/webp" srcset="{webp}">', fallback)
    assert f'alt="First slide of session {presentation.number}"' in fallback
    assert 'loading="lazy"' in fallback


def test_the_report_page_and_cards_show_the_cover_rendition(client, _media_root):
    from tests.blog.factories import ReportFactory

    report = ReportFactory()
    cover = reencode_image(ContentFile(noisy_png((1200, 630)), name="c.png"))
    report.cover.save(cover.name, cover)
    webp = default_storage.url(report.cover_webp)
    body = client.get(report.get_absolute_url()).content.decode()
    assertInHTML(f'<source type="image/webp" srcset="{webp}">', body)
    assert 'fetchpriority="high"' in body
    listing = client.get("/").content.decode()
    assertInHTML(f'<source type="image/webp" srcset="{webp}">', listing)


@pytest.mark.parametrize(
    "recorded",
    # A row stored before renditions existed (or a cover set by name); a rendition name left
    # from another cover.
    ["", "readinggroup/covers/x.webp"],
    ids=["none", "another-cover"],
)
def test_a_cover_without_its_own_rendition_is_shown_as_the_original_alone(
    client, _media_root, recorded
):
    # No <source> that would point at a file that is not there, or at another image.
    presentation = PresentationFactory(slides=ContentFile(pdf_bytes(1), name="a.pdf"))
    Presentation.objects.filter(pk=presentation.pk).update(cover_webp=recorded)
    body = client.get(presentation.get_absolute_url()).content.decode()
    assert "image/webp" not in body
    assert f'<img src="{presentation.cover.url}"' in body


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (1, 4000), (10, 20, 30)),  # a one-pixel-wide strip
        Image.new("P", (900, 300), 3),  # a palette image
        Image.new("LA", (1000, 500), (120, 40)),  # grey with transparency
        Image.new("RGBA", (2400, 1200), (0, 0, 0, 0)),  # all transparent
    ],
    ids=["strip", "palette", "grey-alpha", "transparent"],
)
def test_odd_but_valid_covers_are_saved_and_any_rendition_is_a_smaller_webp(
    admin_client, _media_root, image
):
    out = io.BytesIO()
    image.save(out, "PNG")
    data = report_admin_form()
    data["cover"] = SimpleUploadedFile("odd.png", out.getvalue(), "image/png")
    response = admin_client.post(ADD, data)
    assert response.status_code == 302
    report = Report.objects.get()
    stored = {path.relative_to(_media_root).as_posix() for path in files_under(_media_root)}
    assert report.cover.name in stored
    if report.cover_webp:  # kept only when smaller than the cover
        assert stored == {report.cover.name, report.cover_webp}
        with default_storage.open(report.cover_webp) as rendition:
            webp = rendition.read()
        assert len(webp) < report.cover.size
        with Image.open(io.BytesIO(webp)) as opened:
            assert opened.format == "WEBP" and opened.width <= RENDITION_MAX_WIDTH
    else:
        assert stored == {report.cover.name}


def test_a_hostile_cover_is_a_form_error_and_leaves_no_rendition(admin_client, _media_root):
    # A PNG signature over an HTML page: refused by the re-encoding, as before; nothing,
    # not even a rendition, is stored.
    data = report_admin_form()
    data["cover"] = SimpleUploadedFile(
        "cover.png", b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>", "image/png"
    )
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["cover"] == [
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ]
    assert files_under(_media_root) == []


def test_the_rendition_of_unreadable_content_is_none_not_an_error():
    assert webp_rendition(io.BytesIO(b"\x89PNG\r\n\x1a\nnot really")) is None


def test_the_renditions_command_makes_those_missing_once_and_names_unreadable_ones(
    client, _media_root
):
    # Two covers stored before renditions existed; one of them lost its file since.
    kept = PresentationFactory(slides=ContentFile(pdf_bytes(1), name="a.pdf"))
    lost = PresentationFactory(slides=ContentFile(pdf_bytes(1), name="b.pdf"))
    for session in (kept, lost):
        default_storage.delete(session.cover_webp)
    Presentation.objects.update(cover_webp="")
    default_storage.delete(lost.cover.name)

    out, err = io.StringIO(), io.StringIO()
    call_command("renditions", stdout=out, stderr=err)
    assert "1 rendition(s) made, 1 image(s) could not be read." in out.getvalue()
    assert f"Presentation {lost.pk}: {lost.cover.name}" in err.getvalue()
    kept.refresh_from_db()
    assert kept.cover_webp == kept.cover.name.replace(".png", ".webp")
    assert default_storage.exists(kept.cover_webp)
    body = client.get(kept.get_absolute_url()).content.decode()
    assert f'srcset="{kept.cover.webp_url}"' in body

    out = io.StringIO()
    call_command("renditions", stdout=out, stderr=io.StringIO())
    assert "0 rendition(s) made, 1 image(s) could not be read." in out.getvalue()


def test_the_paper_page_shows_its_figures_renditions_the_first_fetched_first(client, _media_root):
    from tests.factories import FigureFactory, PaperFactory

    paper = PaperFactory()
    figures = []
    for position in (0, 1):
        image = reencode_image(ContentFile(noisy_png((1000, 600)), name="f.png"))
        figures.append(FigureFactory(paper=paper, position=position, image=image))
    body = client.get(paper.get_absolute_url()).content.decode()
    first, second = (
        re.search(
            rf'<picture><source type="image/webp" srcset="{f.image.webp_url}">.*?</picture>', body
        )
        for f in figures
    )
    assert first and 'fetchpriority="high"' in first.group(0)
    assert second and 'loading="lazy"' in second.group(0)
    assert 'width="1000" height="600"' in second.group(0)


def test_the_same_image_is_encoded_once_per_width_and_gives_the_same_rendition(monkeypatch):
    # manage.py demo stores the same drawn covers on every run (papers/site/images.py).
    monkeypatch.setattr(images, "_RENDITIONS", {})
    encoded = []
    encode = images._encode_rendition
    monkeypatch.setattr(
        images, "_encode_rendition", lambda *args: encoded.append(args) or encode(*args)
    )
    cover, other = noisy_png((1000, 500)), noisy_png((1000, 500))
    first = webp_rendition(io.BytesIO(cover))
    assert webp_rendition(io.BytesIO(cover)) == first and len(encoded) == 1
    assert webp_rendition(io.BytesIO(other)) != first and len(encoded) == 2
    narrow = webp_rendition(io.BytesIO(cover), max_width=400)
    assert len(encoded) == 3
    with Image.open(io.BytesIO(narrow)) as image:
        assert image.size == (400, 200)


def test_renditions_kept_are_bounded_the_oldest_encoded_again(monkeypatch):
    monkeypatch.setattr(images, "_RENDITIONS", {})
    monkeypatch.setattr(images, "_RENDITIONS_KEPT", 2)
    encoded = []
    encode = images._encode_rendition
    monkeypatch.setattr(
        images, "_encode_rendition", lambda *args: encoded.append(args) or encode(*args)
    )
    pngs = [noisy_png((60, 40)) for _ in range(3)]
    for png in pngs:
        webp_rendition(io.BytesIO(png))
    assert len(images._RENDITIONS) == 2
    webp_rendition(io.BytesIO(pngs[2]))  # kept
    assert len(encoded) == 3
    webp_rendition(io.BytesIO(pngs[0]))  # dropped: encoded again
    assert len(encoded) == 4
