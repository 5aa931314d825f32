"""Markdown that is slow to parse, nests absurdly or is too long: a form error, never a hang."""

import time

import pytest

from blog.models import Report
from papers.site.markdown import MAX_MARKDOWN_LENGTH, render_markdown
from tests.blog.factories import ReportFactory, report_admin_form

pytestmark = pytest.mark.django_db

# "Quickly" is this process's CPU time (the test client runs the view in-process): a parse
# that hangs burns CPU here, while a wall-clock limit also failed when other processes
# held both cores (9 s wall at load 14 for a refusal that takes milliseconds of CPU).

SLOW = {
    "unclosed brackets": "[" * 13_000,
    "nested quotes": "> " * 1_000,
    "nested lists": "1. " * 1_000,
    "indented lists": "".join("    " * depth + "- item\n" for depth in range(400)),
    "too long": "word " * (MAX_MARKDOWN_LENGTH // 5 + 1),
}


@pytest.mark.parametrize("text", SLOW.values(), ids=SLOW.keys())
@pytest.mark.parametrize("field", ["body", "teaser"])
def test_admin_form_refuses_it_quickly(admin_client, text, field):
    start = time.process_time()
    response = admin_client.post("/admin/blog/report/add/", report_admin_form(**{field: text}))
    assert time.process_time() - start < 2
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert field in errors
    assert not Report.objects.exists()


@pytest.mark.parametrize("text", SLOW.values(), ids=SLOW.keys())
def test_preview_answers_400_quickly(editor_client, text):
    start = time.process_time()
    response = editor_client.post("/markdownx/markdownify/", {"content": text})
    assert time.process_time() - start < 2
    assert response.status_code == 400
    assert response.content.decode().startswith("This text ")


@pytest.mark.parametrize("text", SLOW.values(), ids=SLOW.keys())
def test_a_report_saved_around_the_forms_still_renders_quickly(client, text):
    start = time.process_time()
    report = ReportFactory(body=text)
    assert client.get(report.get_absolute_url()).status_code == 200
    assert time.process_time() - start < 2
    assert report.body_html.startswith('<pre class="markdown-fallback">')


def test_deep_but_sane_nesting_still_renders():
    html = render_markdown("".join("    " * depth + "- item\n" for depth in range(6)))
    assert html.count("<ul>") == 6
