"""A small hand-made list of concepts that papers name in different words.

TF-IDF and full-text search match words, so "image generation" misses a paper that only
says "diffusion" or "adversarial networks". Each concept lists the phrases the field uses
for it; a search whose words name a concept also looks for its other names (the page
says which). Kept short and reviewed by people: a wrong synonym costs precision on every
search that uses it. docs/DISCOVERY.md measures it on hand-made queries.
"""

import re

CONCEPTS = {
    "image generation": [
        "image synthesis",
        "diffusion",
        "generative adversarial",
        "GAN",
        "text-to-image",
        "variational autoencoder",
    ],
    "language model": ["LLM", "GPT", "next-token prediction", "pre-training"],
    "object detection": ["R-CNN", "YOLO", "bounding box", "detector"],
    "segmentation": ["segment", "mask", "U-Net"],
    "fine-tuning": ["finetuning", "LoRA", "adapter", "instruction tuning"],
    "long context": ["state space", "Mamba", "attention sinks", "streaming"],
    "human feedback": ["RLHF", "RLAIF", "preference", "reward model"],
    "efficient attention": ["FlashAttention", "linear-time", "IO-aware"],
    "self-supervised": ["masked autoencoder", "contrastive", "DINO", "self-distillation"],
}

_PHRASES = {
    concept: re.compile(rf"\b{re.escape(concept)}s?\b", re.IGNORECASE) for concept in CONCEPTS
}


def _quoted(text):
    return f'"{text}"' if " " in text else text


def expand(raw):
    """``(query, alternatives)``: ``raw`` with each concept it names ORed with its other
    names (websearch syntax, which papers/site/search.py parses), and the names added."""
    added = []
    if '"' in raw:  # the searcher chose exact phrases: take them as written
        return raw, added
    for concept, pattern in _PHRASES.items():
        if not pattern.search(raw):
            continue
        others = CONCEPTS[concept]
        either = " or ".join([_quoted(concept), *map(_quoted, others)])
        raw = pattern.sub(lambda _match, either=either: either, raw, count=1)
        added += others
    return raw, added
