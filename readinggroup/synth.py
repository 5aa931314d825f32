"""Synthetic reading-group sessions for benchmarks: ``manage.py synth`` calls ``generate``.

One session per 200 papers, weekly, the last few still to come, each about a paper, with
presenters from a small pool, a recording for most past ones, and no slides (PDF files are
not what a page benchmark measures). ``bulk_create`` like the papers: the summary is
rendered here, ``ends_at`` computed here; signals do not run.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from papers.models import Paper, Status, Tag
from papers.site.markdown import render_markdown
from papers.synth import BATCH, person_name, sentence, unique_in, zipf_cum_weights
from readinggroup.models import Presentation, Presenter, TaggedPresentation

PAPERS_PER_SESSION = 200
UPCOMING = 3
_YOUTUBE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def generate(n, rng):
    """Create ``n / 200`` weekly sessions; returns counts by kind."""
    count = max(1, n // PAPERS_PER_SESSION)
    papers = list(Paper.objects.published().values_list("pk", "title"))
    tag_ids = list(Tag.objects.order_by("pk").values_list("pk", flat=True))
    tag_weights = zipf_cum_weights(len(tag_ids), 1.0, 3) if tag_ids else None
    summaries = [(t, render_markdown(t)) for t in (sentence(rng) for _ in range(40))]
    # Sessions start at 18:00 UTC every week; the last UPCOMING are in the future (after
    # 18:00 today's slot has passed: the weeks count from tomorrow's).
    now = timezone.now()
    slot = now.replace(hour=18, minute=0, second=0, microsecond=0)
    if slot <= now:
        slot += datetime.timedelta(days=1)
    first = slot - datetime.timedelta(weeks=count - UPCOMING)
    used_slugs = set()
    sessions, picks = [], []
    for number in range(1, count + 1):
        paper = rng.choice(papers) if papers and rng.random() < 0.9 else None
        title = paper[1] if paper else f"Open discussion {number}"
        scheduled = first + datetime.timedelta(weeks=number - 1)
        past = scheduled < now
        summary, summary_html = rng.choice(summaries)
        recording = ""
        if past and rng.random() < 0.7:
            video = "".join(rng.choice(_YOUTUBE_ALPHABET) for _ in range(11))
            recording = f"https://www.youtube.com/watch?v={video}"
        sessions.append(
            Presentation(
                number=number,
                title=title[:300],
                slug=unique_in(
                    slugify(title, allow_unicode=True)[:90].strip("-") or "session", used_slugs
                ),
                summary=summary,
                summary_html=summary_html,
                paper_id=paper[0] if paper else None,
                scheduled_at=scheduled,
                duration_minutes=60,
                ends_at=scheduled + datetime.timedelta(minutes=60),
                location=rng.choice(["Room 2.14", "Library, seminar room", ""]),
                recording_url=recording,
                status=Status.PUBLISHED if rng.random() < 0.97 else Status.DRAFT,
            )
        )
        topics = rng.choices(tag_ids, cum_weights=tag_weights, k=rng.randint(0, 2))
        picks.append(set(topics) if tag_ids else set())
    with transaction.atomic():
        presenters = Presenter.objects.bulk_create(
            [Presenter(name=name) for name in {person_name(rng) for _ in range(30)}]
        )
        sessions = Presentation.objects.bulk_create(sessions, batch_size=BATCH)
        Through = Presentation.presenters.through
        speaking = [
            Through(presentation_id=session.pk, presenter_id=presenter.pk)
            for session in sessions
            for presenter in rng.sample(presenters, rng.choice([1, 1, 1, 2]))
        ]
        tagged = [
            TaggedPresentation(content_object_id=session.pk, tag_id=tag)
            for session, tags in zip(sessions, picks, strict=True)
            for tag in tags
        ]
        Through.objects.bulk_create(speaking, batch_size=BATCH)
        TaggedPresentation.objects.bulk_create(tagged, batch_size=BATCH)
    return {
        "sessions": len(sessions),
        "presenters": len(presenters),
        "tag assignments": len(tagged),
    }
