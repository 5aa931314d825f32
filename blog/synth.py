"""Synthetic reports for benchmarks: ``manage.py synth`` calls ``generate(n, rng)``.

One report per 50 papers, written in after the papers (papers/synth.py) and like them
through ``bulk_create``: the Markdown is rendered here, once per distinct body, exactly as
``Report.save()`` would render it. Signals do not run; ``synth`` bumps the page caches and
``manage.py search_index`` builds the search documents.
"""

import datetime
import math

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from blog.models import RESERVED_SLUGS, WORDS_PER_MINUTE, Kind, Report, ReportPaper, TaggedReport
from papers.models import Paper, Status, Tag
from papers.site.markdown import render_document, render_markdown
from papers.synth import BATCH, sentence, unique_in, zipf_cum_weights

PAPERS_PER_REPORT = 50
KIND_WEIGHTS = {
    Kind.PAPER_REPORT: 6,
    Kind.PAPER_OF_THE_WEEK: 3,
    Kind.ARTICLE: 2,
    Kind.BOOK_REPORT: 1,
}
_SECTIONS = ["What the paper claims", "Method", "Results", "What I would try next", "Verdict"]
_OPENERS = ["Notes on", "Reading", "A closer look at", "What I learned from", "Revisiting"]


def _bodies(rng, count=30):
    """Distinct report bodies, each rendered once: (markdown, html, toc, minutes)."""
    bodies = []
    for _ in range(count):
        sections = rng.sample(_SECTIONS, rng.randint(2, 4))
        markdown = "\n\n".join(
            f"## {heading}\n\n" + " ".join(sentence(rng) for _ in range(rng.randint(4, 8)))
            for heading in sections
        )
        body = render_document(markdown)
        minutes = max(1, math.ceil(len(strip_tags(body.html).split()) / WORDS_PER_MINUTE))
        bodies.append((markdown, body.html, body.toc, minutes))
    return bodies


def generate(n, rng):
    """Create ``n / 50`` reports linked to papers and tags; returns counts by kind."""
    count = max(1, n // PAPERS_PER_REPORT)
    paper_ids = list(Paper.objects.published().values_list("pk", "title"))
    tag_ids = list(Tag.objects.order_by("pk").values_list("pk", flat=True))
    tag_weights = zipf_cum_weights(len(tag_ids), 1.0, 3) if tag_ids else None
    bodies = _bodies(rng)
    teasers = [(text, render_markdown(text)) for text in (sentence(rng) for _ in range(60))]
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    numbers = dict.fromkeys(kinds, 0)
    used_slugs = set(RESERVED_SLUGS)
    now = timezone.now()
    span = (now - datetime.datetime(2015, 1, 1, tzinfo=datetime.UTC)).total_seconds()
    reports, picks = [], []
    for _ in range(count):
        kind = rng.choices(kinds, weights=weights)[0]
        numbers[kind] += 1
        about = rng.sample(paper_ids, min(len(paper_ids), rng.randint(1, 3)))
        title = (
            f"{rng.choice(_OPENERS)} {about[0][1]}" if about else f"{kind.label} {numbers[kind]}"
        )
        markdown, html, toc, minutes = rng.choice(bodies)
        teaser, teaser_html = rng.choice(teasers)
        published = rng.random() < 0.95
        reports.append(
            Report(
                kind=kind,
                number=numbers[kind] if kind != Kind.ARTICLE else None,
                title=title[:300],
                slug=unique_in(
                    slugify(title, allow_unicode=True)[:90].strip("-") or "report", used_slugs
                ),
                teaser=teaser,
                teaser_html=teaser_html,
                body=markdown,
                body_html=html,
                toc=toc,
                reading_minutes=minutes,
                status=Status.PUBLISHED if published else Status.DRAFT,
                work_in_progress=rng.random() < 0.1,
                published_at=now - datetime.timedelta(seconds=rng.random() * span)
                if published
                else None,
            )
        )
        topics = rng.choices(tag_ids, cum_weights=tag_weights, k=rng.randint(0, 3))
        picks.append(([pk for pk, _ in about], set(topics) if tag_ids else set()))
    with transaction.atomic():
        reports = Report.objects.bulk_create(reports, batch_size=BATCH)
        links = [
            ReportPaper(report_id=report.pk, paper_id=pk, position=position)
            for report, (papers, _) in zip(reports, picks, strict=True)
            for position, pk in enumerate(papers)
        ]
        tagged = [
            TaggedReport(content_object_id=report.pk, tag_id=tag)
            for report, (_, tags) in zip(reports, picks, strict=True)
            for tag in tags
        ]
        ReportPaper.objects.bulk_create(links, batch_size=BATCH)
        TaggedReport.objects.bulk_create(tagged, batch_size=BATCH)
    return {"reports": len(reports), "paper links": len(links), "tag assignments": len(tagged)}
