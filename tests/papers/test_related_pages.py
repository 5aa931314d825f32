"""Related papers on reports and sessions, and "read next" on /reading-group/."""

import datetime

import pytest
from django.utils import timezone

from papers import related
from readinggroup.models import Presentation
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def _session(number, paper, days_ago):
    start = timezone.now() - datetime.timedelta(days=days_ago)
    return Presentation.objects.create(
        number=number,
        title=f"Session on {paper.title}",
        paper=paper,
        scheduled_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        status="published",
    )


def _diffusion_library():
    ddpm = PaperFactory(title="Denoising diffusion probabilistic models", tags=["diffusion"])
    ldm = PaperFactory(title="Latent diffusion models for image synthesis", tags=["diffusion"])
    guided = PaperFactory(title="Guided diffusion beats adversarial models", tags=["diffusion"])
    survey = PaperFactory(title="A survey of relational databases", tags=["databases"])
    return ddpm, ldm, guided, survey


def test_read_next_ranks_unpresented_papers_near_recent_sessions_with_a_reason(client):
    ddpm, ldm, guided, survey = _diffusion_library()
    builder = PaperFactory(title="Consistency models", tags=["generative"])
    builder.related.add(ddpm)
    related.rebuild()
    _session(1, ddpm, days_ago=7)
    _session(2, ldm, days_ago=14)
    picks = related.read_next([("session 1", ddpm.pk), ("session 2", ldm.pk)], exclude=[ldm.pk])
    papers = [paper for paper, _ in picks]
    assert ddpm not in papers and ldm not in papers  # presented already
    assert papers.index(guided) < papers.index(survey) if survey in papers else guided in papers
    reasons = {paper.pk: reason for paper, reason in picks}
    assert reasons[builder.pk] == "builds on session 1"
    assert reasons[guided.pk].startswith("similar to session")
    html = client.get("/reading-group/").content.decode()
    assert "Read next" in html
    assert guided.get_absolute_url() in html
    assert "builds on session 1" in html


def test_read_next_is_empty_without_past_sessions():
    assert related.read_next([]) == []


def test_session_page_shows_papers_related_to_its_paper(client):
    ddpm, ldm, guided, survey = _diffusion_library()
    related.rebuild()
    session = _session(3, ddpm, days_ago=1)
    html = client.get(session.get_absolute_url()).content.decode()
    assert "Related papers in this library" in html
    assert ldm.get_absolute_url() in html


def test_related_to_many_sums_scores_and_leaves_out_the_papers_themselves():
    ddpm, ldm, guided, survey = _diffusion_library()
    related.rebuild()
    found = related.related_to_many([ddpm, ldm])
    assert guided in found
    assert ddpm not in found and ldm not in found
