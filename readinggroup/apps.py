from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_save


class ReadingGroupConfig(AppConfig):
    name = "readinggroup"
    verbose_name = "Reading group"

    def ready(self):
        from papers.models import Paper, Tag
        from papers.sections import register, register_backlinks
        from papers.signals import paper_references_changed
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
        m2m_changed.connect(signals.reindex_session_on_m2m, sender=Presentation.tags.through)
        m2m_changed.connect(signals.reindex_session_on_m2m, sender=Presentation.presenters.through)
        post_save.connect(signals.reindex_sessions_of_tag, sender=Tag)
        post_save.connect(signals.reindex_sessions_of_presenter, sender=Presenter)
        paper_references_changed.connect(signals.refresh_sessions_naming, sender=Paper)
        # The home page and paper pages show sessions: a change invalidates cached pages.
        from papers import cache
        from readinggroup import models

        cache.watch(
            models.Presentation,
            models.Presentation.presenters.through,
            models.Presenter,
            models.TaggedPresentation,
        )
        # When a session ends it moves from "next" to "past" (home page, list, calendar).
        cache.schedule(models.Presentation.objects.published, "ends_at")
