"""Demo sessions for ``manage.py demo``: past ones with slides and a recording, one with
neither, and upcoming ones. The slide PDFs are drawn here with Pillow.

Titles, arXiv ids, DOIs and the recording link are facts from the group's public archive
(``shared/seeds/blog_readme.md``); the summaries and slide text are written for the demo.
Running it again changes nothing: a session number that exists is left alone.
"""

import datetime
import textwrap

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from papers.models import Paper, Status
from readinggroup.models import Presentation, Presenter
from readinggroup.pdf import pdf_from_images

SLIDE_SIZE = (1280, 720)

# Papers looked up by arXiv id (or DOI); created, published and minimal, when missing.
PAPERS = {
    "tabpfn": {
        "doi": "10.1038/s41586-024-08328-6",
        "title": "Accurate predictions on small data with a tabular foundation model",
        "alias": "TabPFN",
        "year": 2025,
        "month": 1,
        "venue": "Nature",
        "url": "https://www.nature.com/articles/s41586-024-08328-6",
    },
    "languagebind": {
        "arxiv_id": "2310.01852",
        "title": "LanguageBind: Extending Video-Language Pretraining to N-modality by "
        "Language-based Semantic Alignment",
        "alias": "LanguageBind",
    },
    "mnemonic": {
        "arxiv_id": "2306.05670",
        "title": "One-Shot Machine Unlearning with Mnemonic Code",
    },
    "mamba": {
        "arxiv_id": "2312.00752",
        "title": "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        "alias": "Mamba",
    },
    "sam": {
        "arxiv_id": "2304.02643",
        "title": "Segment Anything",
        "alias": "SAM",
    },
}


def _utc(year, month, day, hour=17, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)


def _upcoming(days):
    """A start ``days`` from today at 17:00 UTC, fixed when the session is first created."""
    day = timezone.now().astimezone(datetime.UTC).date() + datetime.timedelta(days=days)
    return _utc(day.year, day.month, day.day)


SESSIONS = [
    {
        "number": 1,
        "paper": "tabpfn",
        "title": "Accurate predictions on small data with a tabular foundation model",
        "scheduled_at": lambda: _utc(2025, 2, 13),
        "presenters": ["Dana Whitfield"],
        "location": "Seminar room 2",
        "tags": ["tabular data", "foundation models"],
        "summary": (
            "TabPFN is a transformer trained only on synthetic tables drawn from a prior over "
            "data-generating processes. At prediction time it reads the whole training set "
            "in context and classifies or regresses in one forward pass, with no gradient "
            "steps.\n\nWe went through how the prior is built, why in-context learning "
            "replaces hyper-parameter search, and where the 10,000-row limit comes from."
        ),
        "slides": [
            (
                "What TabPFN does",
                [
                    "A prior over synthetic tables",
                    "One forward pass per task",
                    "No tuning on the target data",
                ],
            ),
            (
                "Questions for the group",
                ["How far does the synthetic prior reach?", "When do boosted trees still win?"],
            ),
        ],
        "recording_url": "",
    },
    {
        "number": 2,
        "paper": "languagebind",
        "title": "LanguageBind: Extending Video-Language Pretraining to N-modality",
        "scheduled_at": lambda: _utc(2025, 3, 13),
        "presenters": ["Sam Okafor"],
        "location": "Online",
        "tags": ["multimodal", "vision-language"],
        "summary": (
            "LanguageBind keeps a frozen language encoder as the shared anchor and aligns "
            "encoders for video, infrared, depth and audio to it by contrastive training, so "
            "every modality lands in the space of text. The discussion focused on the data "
            "set the authors assembled and on what a language anchor can and cannot capture."
        ),
        "slides": None,
        "recording_url": "",
    },
    {
        "number": 3,
        "paper": "mnemonic",
        "title": "One-Shot Machine Unlearning with Mnemonic Code",
        "scheduled_at": lambda: _utc(2025, 4, 10),
        "presenters": ["Priya Raman", "Dana Whitfield"],
        "location": "Seminar room 2",
        "tags": ["machine unlearning", "privacy"],
        "summary": (
            "Making a trained model forget part of its training data usually costs "
            "something close to retraining. This paper estimates, with the Fisher "
            "information, which weights matter most for the data to forget, and perturbs "
            "only those, in a single step. Mnemonic codes, random patterns tied to each "
            "class, make that estimate cheap.\n\nWe compared it with retraining from scratch "
            "and asked how one would check that the data is really forgotten."
        ),
        "slides": [
            (
                "Why unlearning",
                [
                    "Requests to delete data",
                    "Retraining is expensive",
                    "How do we measure forgetting?",
                ],
            ),
            (
                "The method",
                [
                    "Fisher information ranks the weights",
                    "Mnemonic codes stand in for the data",
                    "One perturbation step",
                ],
            ),
            (
                "Discussion",
                ["Membership inference as a test", "What happens with many forget requests?"],
            ),
        ],
        "recording_url": "https://www.youtube.com/watch?v=caP30Kq-_ME",
    },
    {
        "number": 4,
        "paper": "mamba",
        "title": "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        "scheduled_at": lambda: _upcoming(14),
        "presenters": ["Sam Okafor"],
        "location": "Seminar room 2",
        "meeting_url": "https://meet.example.org/reading-group",
        "tags": ["state space models", "sequence models"],
        "summary": (
            "State space models scale linearly with sequence length but struggled to match "
            "attention ([[Transformer]]) on language. Mamba lets the state-space parameters "
            "depend on the input, so the model can choose what to keep, and pairs this with a "
            "hardware-aware scan. Read sections 3 and 4 before the session."
        ),
        "slides": None,
        "recording_url": "",
    },
    {
        "number": 5,
        "paper": "sam",
        "title": "Segment Anything",
        "scheduled_at": lambda: _upcoming(42),
        "presenters": ["Priya Raman"],
        "location": "Online",
        "meeting_url": "https://meet.example.org/reading-group",
        "tags": ["segmentation", "Vision and Image Generation"],
        "summary": (
            "A promptable segmentation model and the data engine behind its billion-mask "
            "data set. We will look at how prompts are encoded, why the image encoder is a "
            "[[ViT]] pre-trained as in [[MAE]], and how the masks were collected."
        ),
        "slides": None,
        "recording_url": "",
    },
]


def _paper(key):
    facts = PAPERS[key]
    lookup = {"arxiv_id": facts["arxiv_id"]} if "arxiv_id" in facts else {"doi": facts["doi"]}
    paper = Paper.objects.filter(**lookup).first()
    if paper is None:
        paper = Paper(status=Status.PUBLISHED, **facts)
        if "arxiv_id" in facts:
            paper.url = f"https://arxiv.org/abs/{facts['arxiv_id']}"
        paper.save()
    return paper


def _font(size):
    return ImageFont.load_default(size=size)


def _slide(heading, lines, footer, title_slide=False):
    image = Image.new("RGB", SLIDE_SIZE, (250, 248, 243) if not title_slide else (31, 95, 168))
    draw = ImageDraw.Draw(image)
    ink = (29, 35, 43) if not title_slide else (255, 255, 255)
    if title_slide:
        y = 200
        for line in textwrap.wrap(heading, 38):
            draw.text((90, y), line, font=_font(56), fill=ink)
            y += 72
        y += 30
        for line in lines:
            draw.text((90, y), line, font=_font(32), fill=(220, 232, 248))
            y += 46
    else:
        draw.rectangle([0, 0, SLIDE_SIZE[0], 12], fill=(31, 95, 168))
        draw.text((90, 80), heading, font=_font(54), fill=ink)
        y = 210
        for line in lines:
            draw.ellipse([96, y + 16, 112, y + 32], fill=(31, 95, 168))
            draw.text((135, y), line, font=_font(38), fill=ink)
            y += 80
    muted = (200, 215, 235) if title_slide else (120, 128, 140)
    draw.text((90, SLIDE_SIZE[1] - 60), footer, font=_font(22), fill=muted)
    return image


def slides_pdf(number, title, presenters, slides):
    """A small slide deck as PDF bytes: a title slide, then one slide per (heading, lines)."""
    footer = f"Reading group · Session {number}"
    pages = [_slide(title, [f"Session {number}", ", ".join(presenters)], footer, True)]
    pages += [_slide(heading, lines, footer) for heading, lines in slides]
    return pdf_from_images(pages)


def load(stdout):
    """Create the demo sessions that do not exist yet."""
    created = 0
    for spec in SESSIONS:
        if Presentation.objects.filter(number=spec["number"]).exists():
            continue
        presentation = Presentation(
            number=spec["number"],
            title=spec["title"],
            summary=spec["summary"],
            paper=_paper(spec["paper"]),
            scheduled_at=spec["scheduled_at"](),
            duration_minutes=75,
            location=spec.get("location", ""),
            meeting_url=spec.get("meeting_url", ""),
            recording_url=spec["recording_url"],
            status=Status.PUBLISHED,
        )
        if spec["slides"]:
            pdf = slides_pdf(spec["number"], spec["title"], spec["presenters"], spec["slides"])
            presentation.slides.save("slides.pdf", ContentFile(pdf), save=False)
        presentation.full_clean()
        presentation.save(check_slides_now=True)  # not in a request: page 1 becomes the cover now
        presenters = [
            Presenter.objects.filter(name__iexact=name).first()
            or Presenter.objects.create(name=name)
            for name in spec["presenters"]
        ]
        presentation.presenters.set(presenters)
        presentation.tags.set(spec["tags"])
        created += 1
    stdout.write(f"Reading group: {created} demo sessions added.")
    from readinggroup import demo_members  # after the sessions: members take their presenters

    demo_members.load(stdout)
