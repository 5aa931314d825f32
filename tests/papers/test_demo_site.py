"""``manage.py demo`` sets up the site identity (from the fixture) and the three topics."""

from io import StringIO

import pytest
from django.core.management import call_command
from pytest_django.asserts import assertInHTML

from papers.identity import SiteSettings
from papers.models import Topic

pytestmark = pytest.mark.django_db


def run_demo():
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_the_demo_creates_the_identity_and_topics_once(client, demo_loaded):
    assert "site: settings created, 3 topics created." in demo_loaded
    assert [str(t) for t in Topic.objects.all()] == [
        "Language", "Vision and Image Generation", "General AI",
    ]  # fmt: skip
    assert "site: settings already present, 0 topics created." in run_demo()


def test_the_demo_home_page_has_an_introduction_and_an_epigraph_like_a_blog_index(
    client, demo_loaded
):
    html = client.get("/").content.decode()
    epigraph = html[html.index('<div class="epigraph">') :]
    assert epigraph.index("<blockquote>") < epigraph.index("</blockquote>")
    assert "work in progress" in html
    reports = client.get("/reports/").content.decode()
    assert '<div class="epigraph"><blockquote>' in reports
    assertInHTML("<h1>Paper reports</h1>", reports)
    assert (
        "<h1>Very recent papers</h1>" in client.get("/reports/paper-of-the-week/").content.decode()
    )


def test_the_demo_topics_page_lists_the_demo_papers_by_topic(client, demo_loaded):
    html = client.get("/topics/").content.decode()
    assert html.index('id="topic-language"') < html.index('id="topic-general-ai"')
    assert "(GPT-3)" in html and "(ViT)" in html


def test_the_demo_leaves_settings_an_editor_changed(client):
    SiteSettings(site_name="My Own Shelf").save()
    run_demo()
    assert SiteSettings.load().site_name == "My Own Shelf"
