from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Reports"

    def ready(self):
        from blog import models, signals
        from blog.models import Report, ReportPaper
        from blog.sections import reports_about_paper, reports_mentioning_paper
        from papers.models import Paper
        from papers.sections import register, register_backlinks
        from papers.signals import paper_references_changed
        from papers.wikilinks import texts_naming

        register(reports_about_paper)
        from papers.identity import register_section

        register_section("reports", "Reports")
        for kind in models.Kind:
            register_section(f"reports:{kind.value}", kind.plural)
        # A notes repository's blog index imports as reports (papers/intake/repository.py).
        from blog.intake import report_from_section
        from papers.intake.repository import register_index_handler

        register_index_handler(report_from_section, permission="blog.add_report")
        register_backlinks(reports_mentioning_paper)
        post_save.connect(signals.reindex_report_of_link, sender=ReportPaper)
        post_delete.connect(signals.reindex_report_of_link, sender=ReportPaper)
        # Reports are a content kind: tag pages, search, feeds, sitemaps and the API list
        # them. ``report.papers.add()`` bulk-creates ReportPaper rows (no post_save): the
        # m2m change rewrites the document (reindexed_by).
        from django.db.models.functions import ExtractYear

        from papers.content import kinds

        kinds.register(
            key="reports",
            label="Reports",
            singular="report",
            model=Report,
            title_fields=("title",),
            year=ExtractYear("published_at"),
            date_fields=("published_at",),
            feed="blog.feeds.ReportFeed",
            sitemap="blog.sitemaps.ReportSitemap",
            api_router="blog.api.router",
            item_template="blog/_report_item.html",
            cached_cards="blog.cards.REPORT_CARDS",
            search_kicker_template="blog/_report_search_kicker.html",
            reindexed_by=("papers",),
        )
        # The receiver is made here: weak=False keeps it alive.
        paper_references_changed.connect(
            texts_naming(Report, ("body", "teaser"), shows_paper="paper_links__paper"),
            sender=Paper,
            weak=False,
            dispatch_uid="reports-naming-papers",
        )
        # The home page and paper pages show reports: a change invalidates cached pages.
        from papers.site import cache

        cache.watch(Report, models.Series, ReportPaper, models.TaggedReport)
        # Report cards are kept per report: what they show beside its row drops them.
        from blog import cards

        cards.connect()
        # A report published for later appears at its publication time, without a save.
        cache.schedule(
            lambda: Report.objects.filter(status=models.Status.PUBLISHED), "published_at"
        )
