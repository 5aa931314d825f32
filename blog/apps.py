from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Reports"

    def ready(self):
        from blog.sections import reports_about_paper
        from papers.sections import register

        register(reports_about_paper)
