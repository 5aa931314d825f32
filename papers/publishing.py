"""Published texts that point at draft papers: warn the editor, offer to publish the papers.

A draft paper never appears on a public page (``Paper.objects.published()``), so a
published report or session about one shows a note in its place instead of the card
(imports make drafts, so this happens). The admins of reports and sessions use
``DraftPapersAdminMixin``: after each save it lists the draft papers with links, and the
form's "Also publish its draft papers" box or the list action publishes them.
"""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from papers.models import Paper, Status


class PublishPapersField(forms.BooleanField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Also publish its draft papers")
        kwargs.setdefault(
            "help_text",
            "A draft paper is not shown on the public page: tick this to publish the "
            "papers this links together with it.",
        )
        super().__init__(**kwargs)


def publish_papers(request, papers):
    """Publish the draft ``papers`` (each saved, so pages and wiki-links follow); how many."""
    if not request.user.has_perm("papers.change_paper"):
        messages.error(request, "You may not change papers, so the draft papers stay drafts.")
        return 0
    count = 0
    for paper in papers:
        if paper.status != Status.PUBLISHED:
            paper.status = Status.PUBLISHED
            paper.editor = request.user  # named if an open form of the paper is refused
            paper.save()
            count += 1
    return count


def _paper_links(papers):
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((reverse("admin:papers_paper_change", args=[p.pk]), str(p)) for p in papers),
    )


class DraftPapersAdminMixin:
    """For the admin of a text that links papers; subclasses say which papers it links."""

    def linked_papers_of(self, obj):
        """The papers ``obj`` is about (a queryset of ``Paper``)."""
        raise NotImplementedError

    def save_related(self, request, form, formsets, change):
        # After the inlines: a report's papers are rows of its inline.
        super().save_related(request, form, formsets, change)
        obj = form.instance
        drafts = list(self.linked_papers_of(obj).exclude(status=Status.PUBLISHED))
        if not drafts:
            return
        if form.cleaned_data.get("publish_draft_papers"):
            count = publish_papers(request, drafts)
            if count:
                messages.success(
                    request, format_html("Published {} paper(s): {}.", count, _paper_links(drafts))
                )
            return
        if obj.status == Status.PUBLISHED:
            messages.warning(
                request,
                format_html(
                    "“{}” is published but links draft paper(s) the public page cannot show: "
                    "{}. Tick “Also publish its draft papers” and save again, or publish them.",
                    obj,
                    _paper_links(drafts),
                ),
            )

    @admin.action(description="Publish the draft papers of the selected")
    def publish_draft_papers(self, request, queryset):
        papers = Paper.objects.filter(
            pk__in=[p.pk for obj in queryset for p in self.linked_papers_of(obj)]
        ).exclude(status=Status.PUBLISHED)
        count = publish_papers(request, list(papers))
        self.message_user(request, f"{count} paper(s) published.", messages.SUCCESS)
