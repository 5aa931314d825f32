"""The markdownx preview endpoint: staff-only, sanitised, 4xx on bad requests."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import png_bytes

pytestmark = pytest.mark.django_db

PREVIEW = reverse("markdownx_markdownify")
UPLOAD = reverse("markdownx_upload")


def test_preview_renders_like_the_page_and_strips_xss(editor_client):
    response = editor_client.post(
        PREVIEW,
        {
            "content": "$x^2$ <script>alert(1)</script> [a](javascript:alert(1)) <img src=x onerror=alert(1)>"
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<math" in body
    assert "<script" not in body and "javascript:" not in body and "onerror" not in body
    assert response["Cache-Control"] == "private, no-store"


def test_preview_is_staff_only(client, django_user_model):
    # The editor calls it from a script: a 403 it can show beats a redirect to a login page.
    response = client.post(PREVIEW, {"content": "x"})
    assert response.status_code == 403
    user = django_user_model.objects.create_user("reader", password="pw-reader-123")
    client.force_login(user)
    assert client.post(PREVIEW, {"content": "x"}).status_code == 403


def test_preview_refuses_get_missing_content_and_pathological_text(editor_client):
    assert editor_client.get(PREVIEW).status_code == 405
    assert editor_client.post(PREVIEW, {}).status_code == 400
    response = editor_client.post(PREVIEW, {"content": "[" * 13000})
    assert response.status_code == 400
    assert "more than" in response.content.decode()


def test_staff_who_may_edit_nothing_with_the_editor_gets_403(staff_client):
    assert staff_client.post(PREVIEW, {"content": "x"}).status_code == 403
    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    assert staff_client.post(UPLOAD, {"image": upload}).status_code == 403


def test_upload_stores_a_reencoded_image_and_refuses_svg(editor_client, _media_root):
    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    response = editor_client.post(UPLOAD, {"image": upload})
    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![](/media/uploads/") and code.endswith(".png)")
    assert len(list(_media_root.rglob("*.png"))) == 1

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    response = editor_client.post(
        UPLOAD, {"image": SimpleUploadedFile("b.png", svg, content_type="image/png")}
    )
    assert response.status_code == 400
    assert "not a readable PNG or JPEG" in response.json()["image"][0]
    assert [p.suffix for p in _media_root.rglob("*") if p.is_file()] == [".png"]
