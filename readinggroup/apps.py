from django.apps import AppConfig
from django.db.models.signals import post_save


class ReadingGroupConfig(AppConfig):
    name = "readinggroup"
    verbose_name = "Reading group"

    def ready(self):
        from papers.models import Paper
        from papers.sections import register, register_backlinks
        from papers.signals import paper_references_changed
        from papers.wikilinks import texts_naming
        from readinggroup import (
            signals,
            slides,  # noqa: F401 - registers the slides-check job kind
        )
        from readinggroup.models import Presentation, Presenter
        from readinggroup.sections import paper_sessions, sessions_mentioning_paper

        register(paper_sessions)
        from papers.identity import register_section

        register_section("reading-group", "Reading group")
        # Presentation sections of a notes repository's index import as sessions.
        from papers.intake.repository import register_index_handler
        from readinggroup.intake import session_from_section

        register_index_handler(session_from_section, permission="readinggroup.add_presentation")
        register_backlinks(sessions_mentioning_paper)
        # Sessions are a content kind: tag pages, search, feeds, sitemaps and the API list them.
        from django.db.models.functions import ExtractYear

        from papers.content import kinds

        kinds.register(
            key="sessions",
            label="Sessions",
            singular="session",
            model=Presentation,
            title_fields=("title",),
            year=ExtractYear("scheduled_at"),
            date_fields=("scheduled_at",),
            feed="readinggroup.feeds.PresentationFeed",
            sitemap="readinggroup.sitemaps.PresentationSitemap",
            api_router="readinggroup.api.router",
            item_template="readinggroup/_session_item.html",
            cached_cards="readinggroup.cards.SESSION_CARDS",
            search_kicker_template="readinggroup/_session_search_kicker.html",
            reindexed_by=("presenters",),
        )
        post_save.connect(signals.reindex_sessions_of_presenter, sender=Presenter)
        # The receiver is made here: weak=False keeps it alive.
        paper_references_changed.connect(
            texts_naming(Presentation, ("summary",), shows_paper="paper"),
            sender=Paper,
            weak=False,
            dispatch_uid="sessions-naming-papers",
        )
        # The home page and paper pages show sessions: a change invalidates cached pages.
        from papers.site import cache
        from readinggroup import models

        cache.watch(
            models.Presentation,
            models.Presentation.presenters.through,
            models.Presenter,
            models.TaggedPresentation,
        )
        # When a session ends it moves from "next" to "past" (home page, list, calendar).
        cache.schedule(models.Presentation.objects.published, "ends_at")
        # Session cards are kept per session: what they show beside its row drops them.
        from readinggroup import cards

        cards.connect()
