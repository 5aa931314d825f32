"""More like this (``/search/?like=``) and searches that find other names of an idea."""

import pytest

from papers import related
from papers.concepts import expand
from papers.models import Paper, Status
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

# Hand-made queries and the demo papers a reader expects them to find (titles).
QUERIES = {
    "image generation": [
        "Denoising Diffusion Probabilistic Models",
        "Generative Adversarial Networks",
        "High-Resolution Image Synthesis with Latent Diffusion Models",
    ],
    "object detection": [
        "You Only Look Once: Unified, Real-Time Object Detection",
        "Fast R-CNN",
        "End-to-End Object Detection with Transformers",
    ],
    "human feedback": [
        "Training language models to follow instructions with human feedback",
        "Learning to summarize from human feedback",
    ],
    "long context": [
        "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        "Efficient Streaming Language Models with Attention Sinks",
    ],
}


def _found(client, q):
    html = client.get("/search/", {"q": q, "type": "papers"}).content.decode()
    return html


def recall(client, queries):
    hits = total = 0
    for q, titles in queries.items():
        html = _found(client, q)
        for title in titles:
            slug = Paper.objects.get(title=title).slug
            hits += f"/papers/{slug}/" in html
            total += 1
    return hits / total


def test_image_generation_finds_diffusion_and_gan_papers(client, demo_loaded):
    html = _found(client, "image generation")
    for title in QUERIES["image generation"]:
        assert f"/papers/{Paper.objects.get(title=title).slug}/" in html, title
    assert "Also searched for other names of the same idea" in html


def test_concepts_raise_recall_on_the_hand_made_queries(client, monkeypatch, demo_loaded):
    with_concepts = recall(client, QUERIES)
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr("papers.concepts.expand", lambda raw: (raw, []))
    without = recall(client, QUERIES)
    print(f"recall of the hand-made queries: {without:.2f} without, {with_concepts:.2f} with")
    assert with_concepts == 1.0
    assert with_concepts > without


def test_expand_leaves_quoted_phrases_alone():
    assert expand('"image generation"') == ('"image generation"', [])
    query, added = expand("image generation 2020")
    assert query.startswith('"image generation" or "image synthesis" or diffusion')
    assert query.endswith(" 2020")
    assert "GAN" in added


def test_more_like_this_lists_stored_neighbours(client):
    a = PaperFactory(title="Denoising diffusion models", tags=["diffusion"])
    b = PaperFactory(title="Latent diffusion models", tags=["diffusion"])
    PaperFactory(title="Unrelated survey of databases", tags=["databases"])
    related.rebuild()
    response = client.get("/search/", {"like": a.slug})
    assert response.status_code == 200
    html = response.content.decode()
    assert "More like" in html
    assert b.get_absolute_url() in html


def test_more_like_this_of_unknown_draft_or_malformed_slug_is_4xx(client):
    draft = PaperFactory(status=Status.DRAFT)
    assert client.get("/search/", {"like": "no-such-paper"}).status_code == 404
    assert client.get("/search/", {"like": draft.slug}).status_code == 404
    assert client.get("/search/", {"like": "<script>"}).status_code == 400
    assert client.get("/search/", {"like": "x" * 500}).status_code == 400
