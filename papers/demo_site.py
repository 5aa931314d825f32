"""The demo's site identity and topics, loaded by ``manage.py demo`` (papers/demo.py).

The identity comes from ``fixtures/demo_site_settings.json`` (an introduction, epigraphs
above the home page and the reports, a relabelled "paper of the week" section: the shape
of a hand-kept blog index, in words written for this demo). It is saved through the model,
not ``loaddata``, so its Markdown is rendered and sanitised like every edit. Nothing an
editor already set is overwritten: the row is only created when there is none.
"""

from pathlib import Path

from django.core import serializers

from papers.demo_data import GENERAL, LANGUAGE, VISION
from papers.identity import SiteSettings
from papers.models import Tag, Topic

FIXTURE = Path(__file__).parent / "fixtures" / "demo_site_settings.json"

TOPICS = [
    (LANGUAGE, "Language models: pre-training, instruction tuning, efficient fine-tuning."),
    (VISION, "Image recognition and image generation, from ViT to diffusion."),
    (GENERAL, "Papers about learning systems in general, and what they can and cannot do."),
]


def load_identity():
    """Create the site settings from the fixture unless they exist; whether it did."""
    if SiteSettings.objects.exists():
        return False
    for deserialized in serializers.deserialize("json", FIXTURE.read_text(encoding="utf-8")):
        row = deserialized.object
        row.full_clean()
        row.save()  # through save(): the Markdown is rendered
    return True


def load_topics():
    """The three topics of the reading list, in order; how many were created."""
    created = 0
    for position, (name, description) in enumerate(TOPICS, start=1):
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None or Topic.objects.filter(tag=tag).exists():
            continue
        Topic.objects.create(tag=tag, position=position, description=description)
        created += 1
    return created


def load(stdout):
    made = load_identity()
    topics = load_topics()
    stdout.write(
        f"site: settings {'created' if made else 'already present'}, {topics} topics created."
    )
