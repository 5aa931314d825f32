from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "papers"
    verbose_name = "Paper database"

    def ready(self):
        from papers import cache, models

        # Every model a public page shows: a save or delete invalidates the page caches.
        cache.watch(
            models.Paper,
            models.Paper.related.through,
            models.Author,
            models.Authorship,
            models.PaperLink,
            models.Figure,
            models.Tag,
            models.TaggedPaper,
        )
