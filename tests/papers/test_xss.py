"""Issue 2's XSS vectors in a paper's notes: gone from the paper page and from the editor's
live preview (the renderer itself is tested in test_markdown.py; this is what a browser gets).
"""

import pytest

from tests.blog.test_xss import assert_harmless
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)></svg>",
]
NOTES = "Before.\n\n" + "\n\n".join(VECTORS) + "\n\nAfter."


def test_notes_are_harmless_on_the_paper_page(client):
    paper = PaperFactory(title="Hostile notes", notes=NOTES, tags=["xss"])
    response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert_harmless(html, allowed_scripts=("application/ld+json",))
    assert "Before." in html and "After." in html  # the notes themselves are shown


@pytest.mark.parametrize("vector", VECTORS)
def test_each_vector_is_harmless_in_the_preview(editor_client, vector):
    response = editor_client.post("/markdownx/markdownify/", {"content": f"Text {vector}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert_harmless(html)
    assert "Text" in html


def test_a_hostile_title_is_escaped_on_every_list(client):
    PaperFactory(title="<img src=x onerror=alert(1)>", notes=NOTES, tags=["xss"])
    for url in ("/", "/papers/", "/papers/?tag=xss", "/tags/xss/", "/papers/2021/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        # (The list pages have the site's own filter form, so no assert_harmless here.)
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, url
        assert "<img src=x" not in html, url
