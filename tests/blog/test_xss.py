"""Hostile Markdown in a report's body and teaser is harmless on the page, in the preview
and in the feeds."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests.blog.factories import ReportFactory

pytestmark = pytest.mark.django_db

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">raw link</a>',
    "[md link](javascript:alert(1))",
    "[mixed case](JaVaScRiPt:alert(1))",
    "[entity](jav&#x61;script:alert(1))",
    "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![" onerror=alert(1) ](x)',
    '![x](x" onerror="alert(1))',
    '[x](https://example.org" onmouseover="alert(1))',
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)></svg>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<form action="https://evil.example"><input name=x></form>',
    "[vb](vbscript:msgbox(1))",
    "$\\href{javascript:alert(1)}{x}$",
]
HOSTILE = "\n\n".join(ATTACKS)
DANGEROUS_TAGS = {"script", "iframe", "svg", "style", "form", "input", "object", "embed", "base"}
BAD_SCHEMES = re.compile(r"^\s*(javascript|data|vbscript):", re.I)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.scripts = []

    in_site_search = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("action") == "/search/" and attrs.get("role") == "search":
            self.in_site_search = True  # the site's own search box in the header
        elif tag == "script" and (attrs.get("src") or "").startswith("/static/"):
            pass  # the site's own script file (the paper page's copy buttons), not injected
        elif tag == "script":
            self.scripts.append(attrs.get("type"))
        elif tag == "input" and self.in_site_search:
            pass
        elif tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "xlink:href") and BAD_SCHEMES.match(value or ""):
                self.problems.append(f"{tag}[{name}={value}]")
            if name == "style" and "url(" in (value or ""):
                self.problems.append(f"{tag}[style]")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_site_search = False


def assert_harmless(html, allowed_scripts=()):
    collector = _Collector()
    collector.feed(html)
    assert collector.problems == []
    assert all(kind in allowed_scripts for kind in collector.scripts), collector.scripts


@pytest.fixture
def hostile_report():
    return ReportFactory(title="Hostile <b>title</b>", teaser=HOSTILE, body=HOSTILE, tags=["xss"])


def test_body_and_teaser_are_sanitised_on_the_report_page(client, hostile_report):
    response = client.get(hostile_report.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert_harmless(html, allowed_scripts=("application/ld+json",))
    assert "Hostile &lt;b&gt;title&lt;/b&gt;" in html
    assert "raw link" in html and "md link" in html  # the text survives, the link does not


def test_teaser_is_sanitised_on_lists_and_home(client, hostile_report):
    for url in ("/reports/", "/reports/?tag=xss", "/reports/paper-reports/", "/"):
        assert_harmless(client.get(url).content.decode())


def test_json_ld_and_meta_tags_cannot_be_broken_out_of(client):
    report = ReportFactory(
        title='"><script>alert(1)</script>', teaser="</script><script>alert(2)</script>"
    )
    html = client.get(report.get_absolute_url()).content.decode()
    assert_harmless(html, allowed_scripts=("application/ld+json",))
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(ld)["headline"] == '"><script>alert(1)</script>'


def test_editor_preview_is_sanitised(editor_client):
    response = editor_client.post("/markdownx/markdownify/", {"content": HOSTILE})
    assert response.status_code == 200
    assert_harmless(response.content.decode())
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/reports/",
        "/feeds/reports/paper-reports/",
        "/feeds/reports/tags/xss/",
        "/tags/xss/feed/",
    ],
)
def test_feed_content_and_summary_are_sanitised(client, hostile_report, url):
    response = client.get(url)
    feed = ET.fromstring(response.content)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2005/Atom}"
    (entry,) = feed.findall(f"{ns}entry")
    # The site-wide tag feed has summaries only; the report feeds also carry the full body.
    parts = [entry.find(f"{ns}summary")] + (
        [] if url.startswith("/tags/") else [entry.find(f"{ns}content")]
    )
    for part in parts:
        assert part.text
        assert_harmless(part.text)
    title = entry.findtext(f"{ns}title")  # text, not HTML
    assert title.endswith(": Hostile <b>title</b>")
    if url.startswith("/feeds/"):
        assert title == "Paper report: Hostile <b>title</b>"


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<div style="background:url(x)">x</div>',
    ],
)
def test_the_checker_itself_catches_each_kind_of_attack(raw):
    with pytest.raises(AssertionError):
        assert_harmless(raw)
