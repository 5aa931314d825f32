"""Merging tags: papers, reports and sessions retagged, old addresses and feeds redirect,
no duplicate tag on one item, no redirect loops; renaming onto a taken name offers it."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from papers.content.reindex import REINDEX
from papers.jobs.models import Job
from papers.merging import MergeError, merge_tags
from papers.models import Paper, Tag, TaggedPaper, TagRedirect
from tests.blog.factories import ReportFactory
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db


def names(obj):
    return sorted(tag.name for tag in type(obj).objects.get(pk=obj.pk).tags.all())


@pytest.fixture
def tagged():
    paper = PaperFactory(tags=["sequence models"])
    both = PaperFactory(tags=["sequence models", "sequence modeling"])
    report = ReportFactory(tags=["sequence models"])
    session = PresentationFactory(tags=["sequence models", "vision"])
    source = Tag.objects.get(name="sequence models")
    target = Tag.objects.get(name="sequence modeling")
    return {"paper": paper, "both": both, "report": report, "session": session,
            "source": source, "target": target}  # fmt: skip


def test_merge_retags_papers_reports_and_sessions(tagged):
    merge_tags(tagged["source"], tagged["target"])
    assert names(tagged["paper"]) == ["sequence modeling"]
    assert names(tagged["report"]) == ["sequence modeling"]
    assert names(tagged["session"]) == ["sequence modeling", "vision"]
    assert not Tag.objects.filter(name="sequence models").exists()


def test_merge_keeps_one_tag_on_an_item_that_had_both(tagged):
    merge_tags(tagged["source"], tagged["target"])
    assert names(tagged["both"]) == ["sequence modeling"]
    assert TaggedPaper.objects.filter(content_object=tagged["both"]).count() == 1


def test_merged_tag_page_and_feed_redirect_and_its_reindex_job_writes_the_new_name(client, tagged):
    old_slug = tagged["source"].slug
    merge_tags(tagged["source"], tagged["target"])
    page = client.get(reverse("tag_detail", args=[old_slug]))
    assert page.status_code == 301
    assert page["Location"] == tagged["target"].get_absolute_url()
    feed = client.get(reverse("tag_feed", args=[old_slug]))
    assert feed.status_code == 301
    assert tagged["target"].slug in feed["Location"]
    # The request only queued the rewrite of the retagged rows' search documents.
    assert "sequence modeling" not in Paper.objects.get(pk=tagged["paper"].pk).search_text
    jobs = run_queued_jobs(REINDEX)
    assert {job.params["model"] for job in jobs} >= {"papers.paper"}
    assert all(job.state == Job.State.DONE for job in jobs)
    assert "sequence modeling" in Paper.objects.get(pk=tagged["paper"].pk).search_text


def test_merging_a_tag_into_itself_is_refused(tagged):
    with pytest.raises(MergeError, match="itself"):
        merge_tags(tagged["source"], tagged["source"])
    assert names(tagged["paper"]) == ["sequence models"]


def test_merging_back_and_forth_makes_no_redirect_loop(client):
    PaperFactory(tags=["a-topic"])
    a = Tag.objects.get(name="a-topic")
    b = Tag.objects.create(name="b-topic")
    PaperFactory(tags=["b-topic"])
    merge_tags(a, b)  # a-topic → b-topic
    again = Tag.objects.create(name="a-topic")  # the old name comes back as a new tag
    PaperFactory(tags=["a-topic"])
    merge_tags(b, again)  # and b-topic merges into it
    redirects = dict(TagRedirect.objects.values_list("old_slug", "tag__slug"))
    assert redirects == {"b-topic": "a-topic"}  # no "a-topic → a-topic"
    assert all(old != new for old, new in redirects.items())
    assert client.get(reverse("tag_detail", args=["a-topic"])).status_code == 200
    assert client.get(reverse("tag_detail", args=["b-topic"]))["Location"].endswith("/a-topic/")


def test_merging_a_tag_already_merged_away_is_refused(tagged):
    stale = Tag.objects.get(pk=tagged["source"].pk)
    merge_tags(tagged["source"], tagged["target"])
    with pytest.raises(MergeError, match="no longer exists"):
        merge_tags(stale, tagged["target"])
    with pytest.raises(MergeError, match="no longer exists"):
        merge_tags(tagged["target"], stale)


def test_renaming_a_tag_onto_an_existing_name_offers_the_merge(admin_client, tagged):
    source, target = tagged["source"], tagged["target"]
    url = reverse("admin:papers_tag_change", args=[source.pk])
    refused = admin_client.post(url, {"name": "Sequence Modeling", "description": ""})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "Merge into the existing tag" in body
    assert reverse("admin:papers_tag_change", args=[target.pk]) in body
    assert Tag.objects.filter(pk=source.pk).exists()
    merged = admin_client.post(
        url, {"name": "Sequence Modeling", "description": "", "merge_into_existing": "on"}
    )
    assert merged.status_code == 302
    assert merged["Location"] == reverse("admin:papers_tag_change", args=[target.pk])
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert names(tagged["report"]) == ["sequence modeling"]


def test_admin_merge_action_merges_the_selected_tags(admin_client, tagged):
    url = reverse("admin:papers_tag_changelist")
    data = {
        "action": "merge_action",
        "_selected_action": [tagged["source"].pk, tagged["target"].pk],
    }
    assert admin_client.post(url, data).status_code == 200
    assert admin_client.post(url, {**data, "target": tagged["target"].pk}).status_code == 302
    assert names(tagged["session"]) == ["sequence modeling", "vision"]


def test_tag_page_shows_its_description_sanitised(client):
    PaperFactory(tags=["diffusion"])
    tag = Tag.objects.get(name="diffusion")
    tag.description = "Models that **denoise**. <script>alert(1)</script>"
    tag.save()
    body = client.get(tag.get_absolute_url()).content.decode()
    assertInHTML("<strong>denoise</strong>", body)
    assert "<script>alert(1)</script>" not in body


@pytest.mark.django_db
def test_a_topic_follows_its_tag_into_the_merge():
    from papers.topics import Topic

    source, target = Tag.objects.create(name="sequence models"), Tag.objects.create(name="seq")
    Topic.objects.create(tag=source, position=3, description="Models of sequences.")

    merge_tags(source, target)

    topic = Topic.objects.get()
    assert topic.tag == target and topic.position == 3
