"""What docs/ARCHITECTURE.md says a fourth kind gets from one app and one registration,
checked on the podcasts app (run by tests/config/test_fourth_kind.py with
``--ds tests.podcasts.settings``; not collected by the suite, whose settings lack it)."""

import datetime
import json

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse
from lxml import etree
from lxml import html as lxml_html

from papers.content.kinds import kinds
from papers.models import Status, Tag
from papers.site import cache
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs
from tests.podcasts.models import Episode

pytestmark = pytest.mark.django_db
AIRED = datetime.datetime(2024, 5, 6, 7, 0, tzinfo=datetime.UTC)
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def episode():
    episode = Episode.objects.create(
        title="Diffusion models explained on air",
        slug="diffusion-on-air",
        aired_at=AIRED,
        status=Status.PUBLISHED,
    )
    episode.tags.add("generative")
    PaperFactory(title="Denoising diffusion probabilistic models", tags=["generative"])
    return episode


def links(response):
    return lxml_html.fromstring(response.content).xpath("//a/@href")


def test_the_kind_is_registered_after_the_three_others():
    assert [kind.key for kind in kinds()] == ["papers", "reports", "sessions", "episodes"]


def test_the_tag_page_lists_the_episode_among_the_papers(client, episode):
    response = client.get(reverse("tag_detail", args=["generative"]))
    assert response.status_code == 200
    shown = {(item.kind.key, item.obj.title) for item in response.context["page_obj"]}
    assert shown == {
        ("episodes", episode.title),
        ("papers", "Denoising diffusion probabilistic models"),
    }
    assert episode.get_absolute_url() in links(response)  # its card, item_template


def test_the_tag_feed_has_the_episode_as_an_entry(client, episode):
    feed = feedparser.parse(client.get(reverse("tag_feed", args=["generative"])).content)
    entries = {entry.title: entry for entry in feed.entries}
    assert entries[episode.title].link == f"http://testserver{episode.get_absolute_url()}"


def test_search_finds_the_episode_and_offers_the_type_facet(client, episode):
    response = client.get(reverse("search"), {"q": "explained"})
    assert [(i.kind.key, i.obj.title) for i in response.context["items"]] == [
        ("episodes", episode.title)
    ]
    facets = {kind.key: n for kind, n in response.context["type_facets"]}
    assert facets == {"papers": 0, "reports": 0, "sessions": 0, "episodes": 1}
    only = client.get(reverse("search"), {"q": "diffusion", "type": "episodes"})
    assert [i.obj.title for i in only.context["items"]] == [episode.title]


def test_the_sitemap_index_has_an_episodes_section_listing_it(client, episode):
    index = etree.fromstring(client.get(reverse("sitemap")).content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert "http://testserver/sitemap-episodes.xml" in sections
    section = etree.fromstring(client.get("/sitemap-episodes.xml").content)
    assert [loc.text for loc in section.iter(f"{SITEMAP}loc")] == [
        f"http://testserver{episode.get_absolute_url()}"
    ]


def test_the_api_mounts_the_router_and_counts_episodes_per_tag(client, episode):
    listed = json.loads(client.get("/api/episodes").content)
    assert [row["slug"] for row in listed["items"]] == [episode.slug]
    assert listed["items"][0]["tags"][0]["slug"] == "generative"
    tags = {row["slug"]: row for row in json.loads(client.get("/api/tags").content)["items"]}
    assert tags["generative"]["episodes"] == 1
    assert tags["generative"]["papers"] == 1


def test_search_index_rebuilds_the_episodes_documents(episode):
    Episode.objects.update(search_text="")
    call_command("search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert "Diffusion models explained on air" in Episode.objects.get().search_text


def test_tag_changes_and_renames_rewrite_the_episodes_documents(episode):
    episode.tags.add("audio")
    assert "audio" in Episode.objects.get().search_text
    tag = Tag.objects.get(name="audio")
    tag.name = "spoken word"
    tag.save()
    run_queued_jobs()  # the rename queued the rewrite of every kind's tagged rows
    assert "spoken word" in Episode.objects.get().search_text


def test_saving_an_episode_moves_the_content_version(episode, django_capture_on_commit_callbacks):
    before = cache.content_version()
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on commit
        episode.title = "Diffusion models, explained again"
        episode.save()
    assert cache.content_version() != before
