"""Wiki-links to papers in any Markdown: ``[[GPT-3]]``, ``[[arXiv:2005.14165]]``, ``[[doi:…]]``.

A reference is an alias, slug or exact title (case-insensitive), an arXiv id or a DOI; an
optional label follows a bar: ``[[GPT-3|the GPT-3 paper]]``. Only published papers are
linked. A link points at the resolver URL ``/papers/ref/<reference>/``, which redirects
to the paper, so it keeps working when the paper's slug changes; a reference that matches
no paper is shown as plain text with a visible marker, never as an error.

The renderer records the papers it linked, so the apps that own texts (reports, sessions)
store them as "mentions" for the backlinks on the paper page.
"""

import re
import xml.etree.ElementTree as etree

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from papers import signals
from papers.identifiers import normalize_arxiv_id, normalize_doi
from papers.models import Paper
from papers.site.markdown import render_markdown_with_mentions

# No brackets or line breaks inside; 200 characters is longer than any real title.
WIKILINK_PATTERN = r"\[\[([^\[\]\n|]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]"
_WIKILINK = re.compile(WIKILINK_PATTERN)
MAX_REFERENCES = 100


def reference_key(reference):
    """``("arxiv", id)``, ``("doi", doi)`` or ``("name", casefolded)``; ``None`` when empty."""
    reference = " ".join(reference.split())
    if not reference:
        return None
    prefix, _, rest = reference.partition(":")
    kind = prefix.strip().lower()
    if rest and kind in ("arxiv", "doi"):
        try:
            if kind == "arxiv":
                return ("arxiv", normalize_arxiv_id(rest.strip()))
            return ("doi", normalize_doi(rest.strip()))
        except ValidationError:
            return None
    return ("name", reference.casefold())


def resolve_references(references):
    """Map each resolvable reference key to its published paper; one query at most."""
    keys = {key for ref in list(references)[:MAX_REFERENCES] if (key := reference_key(ref))}
    if not keys:
        return {}
    condition = Q(arxiv_id__in=[v for k, v in keys if k == "arxiv"]) | Q(
        doi__in=[v for k, v in keys if k == "doi"]
    )
    for kind, value in keys:
        if kind == "name":
            condition |= Q(alias__iexact=value) | Q(slug__iexact=value) | Q(title__iexact=value)
    papers = list(
        Paper.objects.published()
        .filter(condition)
        .only("pk", "slug", "title", "alias", "arxiv_id", "doi")
        .order_by("pk")
    )
    resolved = {}
    for kind, value in keys:
        if kind == "arxiv":
            match = next((p for p in papers if p.arxiv_id == value), None)
        elif kind == "doi":
            match = next((p for p in papers if (p.doi or "").lower() == value.lower()), None)
        else:
            # An alias wins over a slug, a slug over a title; the oldest paper breaks ties.
            match = next(
                (
                    p
                    for attribute in ("alias", "slug", "title")
                    for p in papers
                    if getattr(p, attribute).casefold() == value
                ),
                None,
            )
        if match is not None:
            resolved[(kind, value)] = match
    return resolved


def resolve_reference(reference):
    """The published paper ``reference`` names, or ``None``."""
    key = reference_key(reference)
    return resolve_references([reference]).get(key) if key else None


def references_in(text):
    """Every ``[[reference]]`` written in ``text`` (in code blocks too: a cheap superset)."""
    return [match.group(1) for match in _WIKILINK.finditer(text or "")]


def rerender_notes_naming(sender, papers, names, **kwargs):
    """Paper notes whose wiki-links may name one of ``papers`` are rendered again."""
    condition = naming_texts("notes", names)
    if condition is None:
        return
    # Each query below scans the paper table; an import of 5,000 papers announces them in
    # 200 chunks, while usually no paper's notes hold a wiki-link at all: ask that once.
    if not signals.once_per_announcement(
        "paper-notes-with-wikilinks", Paper.objects.filter(notes__contains="[[").exists
    ):
        return
    # Notes that linked a paper whose name is gone no longer name it: found by the mentions.
    condition |= Q(mentions__in=papers)
    for other in Paper.objects.filter(condition).distinct().only("notes"):
        notes_html, mentioned = render_markdown_with_mentions(other.notes)
        # A queryset update: the paper's "updated" date and its signals stay untouched.
        Paper.objects.filter(pk=other.pk).update(notes_html=notes_html)
        other.mentions.set([paper for paper in mentioned if paper.pk != other.pk])


def texts_naming(model, fields, shows_paper):
    """A ``paper_references_changed`` receiver for ``model`` (reports, sessions): its rows
    whose ``fields`` may link one of the papers are rendered again
    (``refresh_wikilinks()``), and the rows that show one of them (``shows_paper``: the
    lookup to the paper, ``"paper"``, ``"paper_links__paper"``) get their document
    rewritten: a paper's alias and title are in it."""

    def receiver(sender, papers, names, **kwargs):
        candidates = Q(mentions__in=papers)
        for field in fields:
            naming = naming_texts(field, names)
            if naming is not None:
                candidates |= naming
        for row in model.objects.filter(candidates).distinct():
            row.refresh_wikilinks()
        for row in model.objects.filter(**{f"{shows_paper}__in": papers}).distinct():
            row.update_search_index()

    return receiver


class _WikiLinkProcessor(InlineProcessor):
    def __init__(self, pattern, md, resolved, found):
        super().__init__(pattern, md)
        self.resolved = resolved
        self.found = found

    def handleMatch(self, match, data):  # noqa: N802 - Python-Markdown's API
        reference = " ".join(match.group(1).split())
        label = " ".join((match.group(2) or "").split())
        key = reference_key(reference)
        paper = self.resolved.get(key) if key else None
        if paper is None:
            element = etree.Element("span")
            element.set("class", "wikilink-missing")
            element.set("title", f"No paper in the database matches “{reference}” yet.")
            element.text = label or reference
            marker = etree.SubElement(element, "sup")
            marker.set("class", "wikilink-marker")
            marker.text = "?"
            return element, match.start(0), match.end(0)
        if paper not in self.found:
            self.found.append(paper)
        element = etree.Element("a")
        element.set("class", "wikilink")
        element.set("href", reverse("papers:paper_reference", args=[reference]))
        element.set("title", paper.title)
        if label:
            element.text = label
        elif key[0] == "name":
            element.text = reference
        else:
            element.text = paper.alias or paper.title
        return element, match.start(0), match.end(0)


def extension_for(text, found):
    """The wiki-link extension for ``text`` (``papers.site.markdown.add_text_extension``): every
    reference resolved in one query first; ``None`` when the text has none."""
    if "[[" not in text:
        return None
    return WikiLinkExtension(resolve_references(references_in(text)), found)


class WikiLinkExtension(Extension):
    """Python-Markdown extension; ``found`` collects the papers linked, in order."""

    def __init__(self, resolved, found, **kwargs):
        self.resolved = resolved
        self.found = found
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's API
        # After backticks (190) and escapes (180), before links (160): code stays code.
        processor = _WikiLinkProcessor(WIKILINK_PATTERN, md, self.resolved, self.found)
        md.inlinePatterns.register(processor, "papershelf-wikilink", 175)


def naming_texts(field, names):
    """A ``Q`` for rows whose ``field`` has wiki-links and may name one of ``names``.

    One case-insensitive regular expression instead of a ``LIKE`` per name: an import
    announces thousands of new papers, and compiling hundreds of ``LIKE`` terms per
    announcement was a third of its time. ``None`` when there is no name to look for.
    """
    pattern = names_pattern(names)
    if not pattern:
        return None
    return Q(**{f"{field}__contains": "[["}) & Q(**{f"{field}__iregex": pattern})


def names_pattern(names):
    """The regular expression matching any of ``names`` (``""`` for none).

    An announcement sends the same ``names`` — every name of every paper of an import — with
    each of its chunks of papers, to every receiver and field: built once per announcement,
    not once per chunk and field (5,000 papers: 200 chunks × 4 fields × 15,000 names was
    minutes of ``re.escape`` in the job, and an import's preview queued behind it waited).
    """
    from papers.signals import once_per_announcement

    kept, pattern = once_per_announcement(
        ("wikilink-names-pattern", id(names)), lambda: (names, _pattern(names))
    )
    # The memo holds ``names`` itself, so its id cannot be another object's meanwhile.
    return pattern if kept is names else _pattern(names)


def _pattern(names):
    names = sorted({str(name) for name in names if name and str(name).strip()})
    return "|".join(re.escape(name) for name in names)
