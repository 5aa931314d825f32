"""Site-wide tag pages: every tag with its counts, one tag (or several: ``a+b``) across
papers, reports and sessions, related tags, and an Atom feed per tag.

Renamed tags keep their old addresses: a slug that no tag has but a ``TagRedirect``
remembers answers with a permanent redirect to the tag's new address.
"""

import functools
import operator
from collections import Counter

from django import forms
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from config.content import Item, MergedByDate, load_objects, newest_first, newest_items
from papers.content.kinds import find_kind, kind_choices, kinds
from papers.identity import site_name
from papers.models import SEARCH_FIELDS, Tag, TagRedirect
from papers.site.addresses import absolute_url, path_format
from papers.site.cache import cached_value, kept_values
from papers.site.feeds import SiteFeed, Unpublished, entry_id
from papers.tagging import tag_counts as tags_on
from papers.tagging import tag_id_counts, with_tag_ids

PAGE_SIZE = 20
MAX_TAGS = 5
RELATED_TAGS = 12
FEED_SIZE = 20
SEPARATOR = "+"
TABLE_TEMPLATE = "tags/_tag_table.html"


def counts_per_kind():
    """``{tag pk: {"papers": n, "reports": n, "sessions": n}}`` over published content.

    One grouped query per kind: the kind's own ``tag_counts`` (the papers' kept counts),
    or ``tag_id_counts``, a single pass over the kind's through table joined to its
    ``published()`` rows, however many tags there are. (A count per tag as a correlated
    subquery joined every published paper once per tag: seconds at 100,000.)
    """
    counts = {}
    for kind in kinds():
        if kind.tag_counts:
            per_tag = import_string(kind.tag_counts)()
        else:
            per_tag = tag_id_counts(kind.published())
        for tag, n in per_tag:
            counts.setdefault(tag, dict.fromkeys((k.key for k in kinds()), 0))[kind.key] = n
    return counts


def kept_tag_counts(request=None):
    """``counts_per_kind()``, cached until the content changes: its keys are the tags
    that published content uses."""
    return cached_value(request, "tag-counts", (), counts_per_kind)


def tags_with_counts(request=None):
    """Tags used by published content, by name, each with ``papers``, ``reports``,
    ``sessions`` and their ``total``. The counts are cached until the content changes.
    """
    counts = kept_tag_counts(request)
    # Alphabetical as a reader expects: "active learning" before "General AI".
    tags = list(Tag.objects.filter(pk__in=list(counts)).order_by(Lower("name"), "name"))
    for tag in tags:
        for key, n in counts[tag.pk].items():
            setattr(tag, key, n)
        tag.total = sum(counts[tag.pk].values())
    return tags


def _tag_table(tags):
    """The index's table of ``tags``, kept under what it shows (``kept_values``): each
    tag's name, address and counts, in order. Its 200 rows were most of the page's CPU
    (21–28 ms), and a save that changes no tag's count or name finds the table made."""
    shown = tuple((tag.name, tag.slug, tag.papers, tag.reports, tag.sessions) for tag in tags)
    [table] = kept_values(
        "tag-table", [shown], lambda _: render_to_string(TABLE_TEMPLATE, {"tags": tags})
    )
    # Our own template's output, escaped when it was rendered.
    return mark_safe(table)  # noqa: S308


@require_safe
def tag_index(request):
    tags = tags_with_counts(request)
    by_count = request.GET.get("sort") == "count"
    if by_count:
        tags.sort(key=lambda tag: (-tag.total, tag.name.casefold()))
    context = {"tags": tags, "by_count": by_count, "table": _tag_table(tags) if tags else ""}
    return render(request, "tags/tag_index.html", context)


def tag_path(tags):
    """The address of the list of ``tags`` (an intersection when there are several)."""
    return reverse("tag_detail", args=[SEPARATOR.join(tag.slug for tag in tags)])


def _parse_slugs(raw):
    slugs = [slug for slug in raw.split(SEPARATOR) if slug]
    unique = list(dict.fromkeys(slugs))
    if not unique or len(unique) > MAX_TAGS or any(len(slug) > 100 for slug in unique):
        raise Http404(f"A tag page combines one to {MAX_TAGS} tags.")
    return unique


def public_tags():
    """Tags, each annotated ``public``: used by at least one published item of any kind.

    One EXISTS per kind, so a tag page checks its tags in the query that finds them: the
    kind's published rows joined to its links with the tag, which both databases walk from
    the through table's tag index and stop at the first. (Links whose object is ``IN`` the
    published rows made SQLite read every published row first, and PostgreSQL plan for
    5 ms: 4.3 and 3.7 ms of CPU per resolution against 1.9 and 2.7 now.)
    """
    used = [Exists(kind.published().filter(tags=OuterRef("pk")).order_by()) for kind in kinds()]
    return Tag.objects.annotate(public=functools.reduce(operator.or_, used))


def resolve_tags(raw, request=None, *, checked=True):
    """``(tags, moved)`` for the slugs in ``raw``; ``moved`` when ``raw`` is not their address.

    A slug of a renamed tag resolves through ``TagRedirect``; a slug no tag ever had is a 404,
    and so is a tag that only unpublished content uses: answering anything else would tell
    that a draft (or a scheduled report) exists. Resolved once per content version and
    set of slugs (a 404 is not kept), for the tag's pages, its types and its feed: one
    ``EXISTS`` per kind, a third of a tag feed's miss.

    ``checked=False``: tags found at ``raw`` itself are given without that check, which
    the caller owes: the tag page, whose counts say it (a published row carrying the tags
    makes each of them public), checks only when they are all zero. The three ``EXISTS``
    were ~10 % of its CPU after each change. A redirect is always checked: its address
    would tell the new slug of a tag only drafts use.
    """
    slugs = _parse_slugs(raw)
    if not checked and SEPARATOR.join(slugs) == raw:
        tags = cached_value(request, "tag-found", slugs, lambda: _found(slugs))
        if tags:
            return tags, False
    tags = cached_value(request, "tag-set", slugs, lambda: _resolved(slugs))
    # "a++b", "a+a" and old slugs all move to the one address of this set of tags.
    return tags, SEPARATOR.join(tag.slug for tag in tags) != raw


def _found(slugs):
    """The tags at ``slugs``, in their order, public or not; [] when a slug has none."""
    found = {tag.slug: tag for tag in Tag.objects.filter(slug__in=slugs)}
    return [found[slug] for slug in slugs] if len(found) == len(slugs) else []


def _resolved(slugs):
    found = {tag.slug: tag for tag in public_tags().filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        moved = dict(
            TagRedirect.objects.filter(old_slug__in=missing).values_list("old_slug", "tag")
        )
        if any(slug not in moved for slug in missing):
            raise Http404("No such tag.")
        targets = public_tags().in_bulk(set(moved.values()))
        found |= {old: targets[pk] for old, pk in moved.items()}
    tags = list({found[slug].pk: found[slug] for slug in slugs}.values())
    if not all(tag.public for tag in tags):
        raise Http404("No such tag.")
    return tags


def _redirect_keeping_query(request, path):
    query = request.GET.urlencode()
    return redirect(f"{path}?{query}" if query else path, permanent=True)


def tagged(kind, tags):
    """The published rows of ``kind`` carrying every one of ``tags``."""
    return with_tag_ids(kind.published(), [tag.pk for tag in tags])


class Tagged(dict):
    """``tagged(kind, tags)`` by kind key, each made when first asked for: a page made
    again after a change asks for them twice (its counts, its newest rows), and making
    one (an ``EXISTS`` per tag) is about 1 ms of the ORM's CPU."""

    def __init__(self, tags):
        super().__init__()
        self.tags = tags

    def __missing__(self, key):
        self[key] = rows = tagged(find_kind(key), self.tags)
        return rows


def newest_tagged(kind, tagged_rows, limit, total=None, request=None):
    """``newest_items()`` of ``tagged_rows[kind.key]`` (a ``Tagged``), kept until the
    content changes.

    The tag's page, its ``?type=`` pages and its feed begin with the same newest rows of
    each kind (20: a page, a feed), so a miss of one of them after another was made reads
    no row of any kind. Reading them was three queries whose making (an ``EXISTS`` per
    tag, the ORM's compiling) was a third of a tag page's miss. ``limit`` is rounded up to
    whole pages: a list's last page (its end short of a page) reads the rows of a full one,
    as the feed does.
    """
    limit = -(-limit // PAGE_SIZE) * PAGE_SIZE
    rows = cached_value(
        request,
        "tag-newest",
        [kind.key, limit, *(tag.slug for tag in tagged_rows.tags)],
        lambda: [
            (item.pk, item.date) for item in newest_items(kind, tagged_rows[kind.key], limit, total)
        ],
    )
    return [Item(kind, pk, date) for pk, date in rows]


def counts_and_related(tags, querysets, along=None):
    """Rows per kind carrying ``tags``, and the tags that co-occur most with them.

    One grouped query per kind over the tagged rows: each row carries every tag of the
    set once, so the first tag's own count is the kind's number of rows. ``along``: the
    kinds whose count and tags are kept elsewhere (``Kind.tags_along``), ``{kind key:
    (n, [(pk, name, slug, n)])}``; a tag's name given as None is read here, if it may be
    shown.
    """
    counts, totals, names = {}, Counter(), {}
    own = {tag.pk for tag in tags}
    along = along or {}
    for kind, queryset in querysets.items():
        if kind.key in along:
            counts[kind.key], rows = along[kind.key]
        else:
            rows = tags_on(queryset)
            counts[kind.key] = 0
        for pk, name, slug, n in rows:
            if pk == tags[0].pk and kind.key not in along:
                counts[kind.key] = n
            if pk in own:
                continue
            if name is not None:
                names[pk] = (name, slug)
            totals[pk] += n
    # Only a tag counted at least as often as the last one shown can be shown (ties go
    # by name): the names of those are read, not of every tag on the rows.
    floor = (
        sorted(totals.values(), reverse=True)[RELATED_TAGS - 1]
        if len(totals) >= RELATED_TAGS
        else 0
    )
    wanted = [pk for pk, n in totals.items() if n >= floor and pk not in names]
    names |= _tag_names(wanted)
    if any(pk not in names for pk in wanted):
        # A kept tag deleted since: the next ones may be shown instead.
        names |= _tag_names(pk for pk in totals if pk not in names)
    candidates = [
        {"name": names[pk][0], "slug": names[pk][1], "count": n}
        for pk, n in totals.items()
        if pk in names
    ]
    ranked = sorted(candidates, key=lambda e: (-e["count"], e["name"].casefold()))[:RELATED_TAGS]
    # Their addresses kept with them: 24 ``reverse()`` per render otherwise.
    path = path_format("tag_detail")
    for entry in ranked:
        entry["url"] = path(entry["slug"])
        if len(tags) < MAX_TAGS:
            entry["combine_url"] = path(SEPARATOR.join([*(t.slug for t in tags), entry["slug"]]))
    return counts, ranked


def _tag_names(pks):
    """``{pk: (name, slug)}`` of the tags ``pks`` that exist (no query for none)."""
    pks = list(pks)
    if not pks:
        return {}
    rows = Tag.objects.filter(pk__in=pks).values_list("pk", "name", "slug")
    return {pk: (name, slug) for pk, name, slug in rows}


class TagPageForm(forms.Form):
    type = forms.ChoiceField(choices=kind_choices, required=False)


@require_safe
def tag_detail(request, slugs):
    # Unchecked: the counts below say whether the tags are public (``resolve_tags``).
    tags, moved = resolve_tags(slugs, request, checked=False)
    if moved:
        return _redirect_keeping_query(request, tag_path(tags))
    form = TagPageForm(request.GET)
    context = {"tags": tags, "tag": tags[0], "form": form}
    if not form.is_valid():
        resolve_tags(slugs, request)  # the tags' names are not shown unless public
        context["errors"] = form.errors
        return render(request, "tags/tag_detail.html", context, status=400)
    chosen = find_kind(form.cleaned_data["type"])

    rows = Tagged(tags)
    # The kinds whose tags are kept across changes (the papers'): read at every request,
    # a page made from older ones is not stored as current (``kept_facets``).
    along = {
        kind.key: import_string(kind.tags_along)(request, tags)
        for kind in kinds()
        if kind.tags_along
    }
    # Both read every tagged row: computed once per tag set until the content changes,
    # shared by every page and type of the list.
    counts, related = cached_value(
        request,
        "tag-page",
        # The kept rows by what they were counted from: the tags and the counts version.
        [[tag.slug for tag in tags], [(k, n, at) for k, (n, _, at) in sorted(along.items())]],
        lambda: counts_and_related(
            tags,
            {kind: rows[kind.key] for kind in kinds()},
            {key: (n, kept) for key, (n, kept, _) in along.items()},
        ),
    )
    if not any(counts.values()):
        # No published row carries them all: each tag must still be public, else a 404.
        resolve_tags(slugs, request)
    shown = [(kind, rows) for kind in kinds() if chosen is None or chosen is kind]
    items = MergedByDate(shown, counts, newest=functools.partial(newest_tagged, request=request))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        page_obj=page,
        items=load_objects(list(page.object_list), request=request),
        counts=counts,
        total=sum(counts.values()),
        chosen=chosen,
        kinds=kinds(),
        related=related,
        removals=[(t, tag_path([o for o in tags if o != t])) for t in tags]
        if len(tags) > 1
        else [],
        feed_url=reverse("tag_feed", args=[slugs]),
    )
    return render(request, "tags/tag_detail.html", context)


def _whole_rows(kind, rows):
    # defer(None): an entry carries the full text, which cards leave deferred; not the
    # search document (every kind's largest column), which no entry shows.
    return rows.defer(None).defer(*SEARCH_FIELDS)


class TagFeed(SiteFeed):
    """Papers, reports and sessions with the tag(s), newest published first.

    Each entry is the one its kind's own feed writes (title, summary, content, dates, id):
    a report reads the same in the reports feed and here.
    """

    @functools.cached_property
    def writers(self):
        return {kind.key: kind.feed_writer() for kind in kinds()}

    def __call__(self, request, slugs):
        # Unchecked, as the page: its entries say whether the tags are public (``items``).
        tags, moved = resolve_tags(slugs, request, checked=False)
        if moved:  # a renamed tag's old feed address: the feed at its new address
            slugs = SEPARATOR.join(tag.slug for tag in tags)
            return _redirect_keeping_query(request, reverse("tag_feed", args=[slugs]))
        request.resolved_tags = tags
        return super().__call__(request, slugs=slugs)

    def get_object(self, request, slugs):
        return request.resolved_tags

    def items(self, tags):
        # By publication date, as the tag page orders them (a paper's month, a report's
        # publication, a session's date), never by when a row was added: an import of
        # a thousand old papers must not bury this week's report.
        # Without the request: the version is the one the page read (``public_page``).
        rows = Tagged(tags)
        items = [item for kind in kinds() for item in newest_tagged(kind, rows, FEED_SIZE)]
        if not items:
            # No published row carries them all: each tag must still be public, else a 404.
            resolve_tags(SEPARATOR.join(tag.slug for tag in tags))
        items.sort(key=newest_first, reverse=True)
        # No objects yet: their entries are mostly kept, and their facts read as values
        # (``facts_of``); ``loaded`` reads the objects of those to write.
        return items[:FEED_SIZE]

    def facts_of(self, items):
        """Each kind's facts as values (its writer's ``row_facts``), or from its objects
        (``entry_facts``) for a writer without them. Building the objects of 20 entries
        with their bylines, tags and presenters was half of a miss's CPU. A kind whose feed
        keeps no facts (the default: a fourth kind's feed may not say them) has its entries
        written every time, as ``SiteFeed.get_feed`` does for None."""
        facts = {}
        for kind in kinds():
            pks = [item.pk for item in items if item.kind is kind]
            if not pks:
                continue
            writer = self.writers[kind.key]
            rows = writer.row_facts(kind.published().filter(pk__in=pks))
            if rows is None:
                shown = self.loaded([item for item in items if item.kind is kind], partial=True)
                rows = {item.pk: writer.entry_facts(item.obj) for item in shown}
            facts |= {
                (kind.key, pk): None if one is None else (kind.key, *one)
                for pk, one in rows.items()
            }
        # A row unpublished since ``items()`` read it is left out.
        items = [item for item in items if (item.kind.key, item.pk) in facts]
        return items, [facts[item.kind.key, item.pk] for item in items]

    def loaded(self, items, partial=False):
        missing = [item for item in items if item.obj is None]
        found = load_objects(missing, prepare=_whole_rows)
        if len(found) < len(missing) and not partial:
            raise Unpublished
        return [item for item in items if item.obj is not None]

    def title(self, tags):
        names = " + ".join(tag.name for tag in tags)
        return f"Tagged “{names}” · {site_name()}"

    def subtitle(self, tags):
        names = ", ".join(tag.name for tag in tags)
        return f"Papers, reports and reading-group sessions about {names}."

    def link(self, tags):
        return absolute_url(tag_path(tags))

    def feed_url(self, tags):
        return absolute_url(reverse("tag_feed", args=[SEPARATOR.join(tag.slug for tag in tags)]))

    def _entry(self, name, item):
        return self.writers[item.kind.key]._get_dynamic_attr(name, item.obj)

    def item_title(self, item):
        return self._entry("item_title", item)

    def item_description(self, item):
        return self._entry("item_description", item)

    def item_link(self, item):
        return self._entry("item_link", item)

    def item_guid(self, item):
        return entry_id(item.obj)

    def item_pubdate(self, item):
        return self._entry("item_pubdate", item)

    def item_updateddate(self, item):
        return self._entry("item_updateddate", item)

    def item_author_name(self, item):
        return self._entry("item_author_name", item)

    def item_categories(self, item):
        return self._entry("item_categories", item)

    def item_extra_kwargs(self, item):
        return self.writers[item.kind.key].item_extra_kwargs(item.obj)
