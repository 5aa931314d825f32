"""The report list's query parameters: an allowlist, each validated by a form field."""

import django_filters

from blog.models import Kind, Report
from papers.filters import IntegerFilter, TagSlugsFilter
from papers.tagging import with_tags


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label="Kind")
    tag = TagSlugsFilter(method="filter_tags", label="Tags")
    year = IntegerFilter(
        field_name="published_at__year", min_value=1000, max_value=3000, label="Year"
    )

    class Meta:
        model = Report
        fields = []

    def filter_tags(self, queryset, name, slugs):
        # A report must carry every tag asked for (AND).
        return with_tags(queryset, slugs)
