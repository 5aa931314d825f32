"""The markdownx preview endpoint: staff-only, sanitised, 4xx on bad requests."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PREVIEW = reverse("markdownx_markdownify")


def test_preview_renders_like_the_page_and_strips_xss(staff_client):
    response = staff_client.post(
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


def test_preview_refuses_get_missing_content_and_pathological_text(staff_client):
    assert staff_client.get(PREVIEW).status_code == 405
    assert staff_client.post(PREVIEW, {}).status_code == 400
    response = staff_client.post(PREVIEW, {"content": "[" * 13000})
    assert response.status_code == 400
    assert "more than" in response.content.decode()
