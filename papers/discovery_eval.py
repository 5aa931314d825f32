"""How good the related papers are, measured on labels made from facts.

Positives of a paper: its previous work and follow-ups, and the papers discussed with it
in a same report (any model with a ``papers`` many-to-many to Paper, found through the
app registry, so papers imports nothing from blog). These links are *held out*: the method
is scored without its link signals (``link_weight=0``), from text, tags, authors and venue
alone, or it would be reading the answers.

Scores: precision@5 and recall@10, averaged over the papers with at least one positive,
for the method and two baselines: the count of shared tags (ties broken at random) and
a random order. ``manage.py related --evaluate`` prints them; docs/DISCOVERY.md has them.
"""

import random

import numpy as np
from django.db.models import ManyToManyField

from papers import related


def positives(library):
    """``{row: {rows}}`` of the published papers, from previous work and shared reports."""
    from papers.models import Paper

    found = {}

    def pair(a, b):
        if a != b and a in library.row and b in library.row:
            found.setdefault(library.row[a], set()).add(library.row[b])
            found.setdefault(library.row[b], set()).add(library.row[a])

    for a, b in Paper.related.through.objects.values_list("from_paper_id", "to_paper_id"):
        pair(a, b)
    for relation in Paper._meta.related_objects:
        field = relation.field
        if not isinstance(field, ManyToManyField) or field.name != "papers":
            continue
        groups = {}
        for owner, paper in field.remote_field.through.objects.values_list(
            field.m2m_field_name(), field.m2m_reverse_field_name()
        ):
            groups.setdefault(owner, []).append(paper)
        for papers in groups.values():
            for a in papers:
                for b in papers:
                    pair(a, b)
    return found


def _shared_tag_ranking(library, tags, row, rng):
    counts = (tags[row] @ tags.T).toarray().ravel()
    counts[row] = -1
    noise = np.array([rng.random() for _ in range(len(counts))])
    return list(np.lexsort((noise, -counts)))


def _scores(ranked, relevant):
    top5 = ranked[:5]
    top10 = ranked[:10]
    return (len(relevant & set(top5)) / 5, len(relevant & set(top10)) / len(relevant))


def evaluate(seed=1):
    """``{method: {"precision@5": …, "recall@10": …}, "papers": n, "queries": q}``."""
    from papers.models import TaggedPaper

    library = related.load_library()
    labels = positives(library)
    queries = sorted(labels)
    rng = random.Random(seed)  # noqa: S311 - a baseline, not security
    tags = related._indicator(
        TaggedPaper.objects.values_list("content_object_id", "tag_id"), library.row, len(library)
    )
    method = library.neighbours(queries, k=10, link_weight=0, cocited_weight=0)
    results = {"method": [], "shared tags": [], "random": []}
    for row in queries:
        relevant = labels[row]
        results["method"].append(_scores([other for other, _ in method[row]], relevant))
        results["shared tags"].append(
            _scores(_shared_tag_ranking(library, tags, row, rng), relevant)
        )
        others = [other for other in range(len(library)) if other != row]
        results["random"].append(_scores(rng.sample(others, min(10, len(others))), relevant))
    summary = {"papers": len(library), "queries": len(queries)}
    for name, scores in results.items():
        summary[name] = {
            "precision@5": round(float(np.mean([s[0] for s in scores])), 3) if scores else 0.0,
            "recall@10": round(float(np.mean([s[1] for s in scores])), 3) if scores else 0.0,
        }
    return summary


# -- a synthetic library with known answers ---------------------------------------------

_TOPICS = {
    "diffusion": "denoising score noise schedule sampler reverse process latent guidance",
    "gan": "generator discriminator adversarial mode collapse critic wasserstein",
    "lm": "token language model pretraining next-token corpus perplexity decoder",
    "rl": "policy reward agent environment value function exploration episode",
    "graph": "node edge message passing graph neighbourhood aggregation molecule",
    "speech": "audio waveform speech recogniser acoustic phoneme spectrogram",
}
_GENERIC = [
    "method",
    "results",
    "model",
    "training",
    "data",
    "evaluation",
    "approach",
    "deep",
    "network",
    "large",
]
_NOISE_TAGS = ["benchmark", "dataset", "efficiency", "theory", "survey"]


def labelled_library(n, rng):
    """``n`` published papers in six topics, written with each topic's words (and common
    ones); tags are what people give: the topic tag on 60% of papers, a method tag shared
    across topics on half of them. Previous work and reports stay inside a topic, so
    they are the answers. Returns the papers."""
    from papers.models import Paper

    words = {topic: vocabulary.split() for topic, vocabulary in _TOPICS.items()}
    topics = list(words)
    papers = []
    for i in range(n):
        topic = topics[i % len(topics)]

        def text(count, share, topic=topic):
            return " ".join(
                rng.choice(words[topic]) if rng.random() < share else rng.choice(_GENERIC)
                for _ in range(count)
            )

        paper = Paper.objects.create(
            title=f"{text(4, 0.5).capitalize()} {i}",
            abstract=text(30, 0.35),
            year=2000 + i % 25,
            status="published",
        )
        tags = [topic] if rng.random() < 0.6 else []
        if rng.random() < 0.5:
            tags.append(rng.choice(_NOISE_TAGS))
        paper.tags.add(*tags)
        same = [other for other in papers if other._topic == topic]
        if same and rng.random() < 0.6:
            paper.related.add(*rng.sample(same, min(len(same), rng.randint(1, 2))))
        paper._topic = topic
        papers.append(paper)
    return papers
