"""The report admin: editing with the markdownx widget, covers, papers, filters, actions."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from blog.models import Kind, Report
from papers.models import Paper, Status
from tests.blog.factories import ReportFactory, at, report_admin_form
from tests.factories import PaperFactory, png_bytes

pytestmark = pytest.mark.django_db

ADD = "/admin/blog/report/add/"
CHANGELIST = "/admin/blog/report/"


def files_under(root):
    return [path for path in root.rglob("*") if path.is_file()]


def test_add_page_has_the_markdownx_editor_with_upload_and_preview(admin_client):
    html = admin_client.get(ADD).content.decode()
    assert 'class="markdownx"' in html
    assert 'data-markdownx-upload-urls-path="/markdownx/upload/"' in html
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in html
    assert "markdownx/js/markdownx" in html and "blog/admin/editor.js" in html


def test_create_a_report_with_tags_papers_and_a_cover(admin_client, _media_root):
    paper = PaperFactory(title="Linked")
    data = report_admin_form(
        title="Title\x0bwith\x0ccontrols",
        status=Status.PUBLISHED,
        **{
            "paper_links-TOTAL_FORMS": "1",
            "paper_links-0-position": "0",
            "paper_links-0-paper": str(paper.pk),
        },
    )
    data["cover"] = SimpleUploadedFile("cover.png", png_bytes(size=(60, 30)), "image/png")
    response = admin_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    report = Report.objects.get()
    assert report.title == "Title with controls"
    assert report.slug == "title-with-controls"
    assert report.published_at is not None
    assert sorted(tag.name for tag in report.tags.all()) == ["3D", "vision"]
    assert list(report.papers.all()) == [paper]
    assert "<math" in report.body_html
    assert (report.cover_width, report.cover_height) == (60, 30)
    assert report.cover.name.startswith("covers/") and "cover" not in report.cover.name[7:]
    # The re-encoded cover and its WebP rendition; never the upload itself.
    assert report.cover_webp == report.cover.name.replace(".png", ".webp")
    assert len(files_under(_media_root)) == 2


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("cover.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
        ("cover.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("cover.png", b"", "image/png"),
    ],
    ids=["svg", "html-as-png", "empty"],
)
def test_a_bad_cover_is_a_form_error_and_nothing_is_stored(
    admin_client, _media_root, name, content, content_type
):
    data = report_admin_form()
    data["cover"] = SimpleUploadedFile(name, content, content_type)
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    assert "cover" in response.context["adminform"].form.errors
    assert not Report.objects.exists()
    assert files_under(_media_root) == []


def test_a_jpeg_cover_is_reencoded(admin_client, _media_root):
    out = io.BytesIO()
    Image.new("RGB", (80, 42), (1, 2, 3)).save(out, "JPEG")
    data = report_admin_form()
    data["cover"] = SimpleUploadedFile("c.jpeg", out.getvalue(), "image/jpeg")
    assert admin_client.post(ADD, data).status_code == 302
    assert Report.objects.get().cover.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tags": "x" * 101}, "tags"),
        ({"tags": "!!!"}, "tags"),
        ({"slug": "articles"}, "slug"),
        ({"part": "2"}, "series"),
        ({"title": ""}, "title"),
        ({"body": "nul\x00byte"}, "body"),
    ],
)
def test_bad_input_is_a_form_error(admin_client, overrides, field):
    response = admin_client.post(ADD, report_admin_form(**overrides))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Report.objects.exists()


def test_duplicate_number_in_a_kind_is_a_form_error(admin_client):
    ReportFactory(kind=Kind.PAPER_REPORT, number=5)
    response = admin_client.post(ADD, report_admin_form(number="5"))
    assert response.status_code == 200
    assert "Another report of this kind has this number." in response.content.decode()


def test_change_page_links_to_the_report_on_the_site(admin_client):
    report = ReportFactory(draft=True)
    html = admin_client.get(f"/admin/blog/report/{report.pk}/change/").content.decode()
    assert "View on site" in html
    assert admin_client.get(f"/admin/r/{_content_type_id()}/{report.pk}/").url.endswith(
        report.get_absolute_url()
    )


def _content_type_id():
    return ContentType.objects.get_for_model(Report).pk


def changelist_titles(response):
    return sorted(report.title for report in response.context["cl"].result_list)


def test_changelist_filters_by_kind_status_tag_and_year(admin_client):
    ReportFactory(title="Book", kind=Kind.BOOK_REPORT, tags=["theory"], published_at=at(2023))
    ReportFactory(title="Paper", kind=Kind.PAPER_REPORT, tags=["vision"], published_at=at(2024))
    ReportFactory(title="Draft", draft=True, tags=["vision"])
    assert changelist_titles(admin_client.get(CHANGELIST, {"kind": "book-report"})) == ["Book"]
    assert changelist_titles(admin_client.get(CHANGELIST, {"status": "draft"})) == ["Draft"]
    assert changelist_titles(admin_client.get(CHANGELIST, {"tag": "vision"})) == [
        "Draft",
        "Paper",
    ]
    assert changelist_titles(admin_client.get(CHANGELIST, {"year": "2023"})) == ["Book"]
    html = admin_client.get(CHANGELIST).content.decode()
    assert "vision (2)" in html and ">2024<" in html


def test_publish_action(admin_client):
    draft = ReportFactory(draft=True)
    response = admin_client.post(
        CHANGELIST, {"action": "publish_now", "_selected_action": [draft.pk]}, follow=True
    )
    assert "1 report(s) published." in response.content.decode()
    assert draft in Report.objects.published()


def test_deleting_a_paper_used_by_a_report_is_refused_in_the_admin(admin_client):
    paper = PaperFactory(title="Needed Paper")
    ReportFactory(title="Uses It", papers=[paper])
    response = admin_client.post(f"/admin/papers/paper/{paper.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in (
        response.content.decode()
    )
    assert Paper.objects.filter(pk=paper.pk).exists()


@pytest.mark.parametrize(
    ("query", "status"),
    # NUL bytes are refused site-wide (config.middleware) before any query runs.
    [({"tag": "a\x00b"}, 400), ({"year": "20x4"}, 200), ({"year": "2024\x00"}, 400)],
)
def test_junk_changelist_filters_do_not_break_the_admin(admin_client, query, status):
    ReportFactory()
    assert admin_client.get(CHANGELIST, query).status_code == status
