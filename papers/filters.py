"""The paper list's query parameters: an allowlist, each validated by a form field."""

import copy

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import connections
from django.db.models import F

from papers.content.base import newest_first_order
from papers.facets import tag_ids
from papers.models import Paper, Venue
from papers.site.cache import cached_value
from papers.site.search import uses_postgres
from papers.tagging import MAX_TAG_FILTERS, with_tags
from papers.text_matches import kept_condition, text_condition, words_of
from papers.venues import parse_venue

SORTS = {
    "newest": tuple(newest_first_order(Paper)),
    # A paper of unknown year is neither old nor new: last either way.
    "oldest": (F("year").asc(nulls_last=True), F("month").asc(nulls_first=True), "added_at", "pk"),
    "title": ("title", "pk"),
    "added": ("-added_at", "-pk"),
}


class MultipleValuesWidget(forms.MultipleHiddenInput):
    """Reads every ``tag=`` of the query string, not only the last one."""


class TagSlugsField(forms.Field):
    widget = MultipleValuesWidget
    default_validators = []

    def to_python(self, value):
        if not value:
            return []
        return [item.strip() for item in value if item and item.strip()]

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_TAG_FILTERS:
            raise forms.ValidationError(f"Combine at most {MAX_TAG_FILTERS} tags.")
        for slug in value:
            ProhibitNullCharactersValidator()(slug)
            MaxLengthValidator(100)(slug)


class CopiedShallow:
    """A filter that a FilterSet copies shallowly: django-filter deep-copies every filter
    on every request (its field, its validators, its choices), though nothing of a request
    is ever written into them but the parent set here; ~0.3 ms of each list's miss."""

    def __deepcopy__(self, memo):
        clone = copy.copy(self)
        # A method filter calls the method of the copy's parent (the new FilterSet), not
        # that of the original's.
        clone.method = self.method
        return clone


class TagSlugsFilter(CopiedShallow, django_filters.Filter):
    field_class = TagSlugsField


class IntegerFilter(CopiedShallow, django_filters.Filter):
    field_class = forms.IntegerField


class CharFilter(CopiedShallow, django_filters.CharFilter):
    pass


class ChoiceFilter(CopiedShallow, django_filters.ChoiceFilter):
    pass


class PaperFilter(django_filters.FilterSet):
    tag = TagSlugsFilter(method="filter_tags", label="Tags")
    year = IntegerFilter(field_name="year", min_value=1000, max_value=3000, label="Year")
    year_min = IntegerFilter(field_name="year", lookup_expr="gte", min_value=1000, max_value=3000)
    year_max = IntegerFilter(field_name="year", lookup_expr="lte", min_value=1000, max_value=3000)
    author = CharFilter(field_name="authors__slug", max_length=100, label="Author")
    venue = CharFilter(method="filter_venue", max_length=255, label="Venue")
    q = CharFilter(method="filter_text", max_length=200, label="Text")
    sort = ChoiceFilter(
        choices=[(key, key) for key in SORTS], method="sort_papers", empty_label=None
    )

    class Meta:
        model = Paper
        fields = []

    def get_form_class(self):
        # One form class for every request (django-filter builds a new class, and a new
        # field per filter, each time): the fields depend on no request, and each form
        # made from the class works on copies of them (Django's ``BaseForm``).
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class

    def filter_tags(self, queryset, name, slugs):
        # A paper must carry every tag asked for (AND): one EXISTS per tag, by the tag's
        # id. With the id in the query PostgreSQL knows how common the tag is, so for a
        # popular one it walks the date index and stops after a page instead of sorting
        # every tagged paper; EXISTS also never repeats a paper, so counts need no DISTINCT.
        # A paper must carry every tag asked for (AND), by id (papers.tagging.with_tags).
        ids = tag_ids(self.request, slugs) if self.request is not None else None
        return with_tags(queryset, slugs, ids)

    def filter_venue(self, queryset, name, value):
        # A venue's slug ("cvpr") as the facet links write it; typed text ("CVPR",
        # "NeurIPS 2021", "Proc. of the 38th ICML") is read like an imported venue, its
        # year (if any) becoming a year filter.
        venue = self._venue_by_slug(value)
        year = None
        if venue is None:
            parsed = parse_venue(value)
            venue = Venue.matching(parsed) if parsed else None
            year = parsed.year if parsed else None
        if venue is None:
            return queryset.none()
        queryset = queryset.filter(published_in=venue)
        return queryset.filter(year=year) if year else queryset

    def _venue_by_slug(self, slug):
        def venue():
            return Venue.objects.filter(slug=slug).first()

        if self.request is None:
            return venue()
        # Kept per content version (a venue's save moves it): a venue's page or list reads
        # no venue row on a miss.
        return cached_value(self.request, "venue-by-slug", [slug], venue)

    def filter_text(self, queryset, name, value):
        words = words_of(value)
        # PostgreSQL finds the page's rows through its pg_trgm indexes, and walks the date
        # index until it has 20: its matches kept as a list (4,304 keys for "diffusion" at
        # 100,000 papers) made that query slower (11–16 ms → 180). The list's counts read
        # every match anyway (``kept_rows``), by the kept keys on both databases.
        if self.request is None or (uses_postgres(queryset.db) and not self._kept_text):
            return queryset.filter(text_condition(words, queryset.db))
        # The rows whose title, alias or abstract holds the words, kept under the search
        # version (papers/text_matches.py): on SQLite each of the list's queries (the page,
        # the years, the facets) read every title, alias and abstract again after every
        # bump of the content version. Which rows are public is decided by the list's
        # own query, and a deleted row's key matches nothing.
        return queryset.filter(kept_condition(self.request, words, queryset.db))

    # Whether ``filter_text`` matches by the kept keys on PostgreSQL too (``kept_rows``).
    _kept_text = False

    def kept_rows(self):
        """``(pks, years, venue pks)``, three tuples, of every row of this valid list, its
        words matched by their kept keys on every database (papers/text_matches.py): what
        a text list's counts are made from, one read by primary key instead of a match of
        the words."""
        self._kept_text = True
        try:
            rows = self.filter_queryset(self.queryset.all())
        finally:
            self._kept_text = False
        try:
            sql, params = (
                rows.order_by().values_list("pk", "year", "published_in").query.sql_with_params()
            )
        except EmptyResultSet:  # ``.none()``: a venue that does not exist
            return (), (), ()
        # The cursor's rows as they come, transposed in C: the ORM's row by row iteration
        # was 4 ms of CPU for the 4,180 rows of "diffusion" at 100,000 papers.
        with connections[rows.db].cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        return tuple(zip(*found, strict=True)) if found else ((), (), ())

    def sort_papers(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS["newest"])
        return queryset
