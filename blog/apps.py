from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Reports"

    def ready(self):
        from blog import models
        from blog.sections import reports_about_paper
        from papers import cache
        from papers.sections import register

        register(reports_about_paper)
        # The home page and paper pages show reports: a change invalidates cached pages.
        cache.watch(models.Report, models.Series, models.ReportPaper, models.TaggedReport)
