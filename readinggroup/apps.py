from django.apps import AppConfig


class ReadingGroupConfig(AppConfig):
    name = "readinggroup"
    verbose_name = "Reading group"

    def ready(self):
        from papers import cache
        from papers.sections import register
        from readinggroup import models
        from readinggroup.sections import paper_sessions

        register(paper_sessions)
        # The home page and paper pages show sessions: a change invalidates cached pages.
        cache.watch(
            models.Presentation,
            models.Presentation.presenters.through,
            models.Presenter,
            models.TaggedPresentation,
        )
