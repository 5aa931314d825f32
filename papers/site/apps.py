from django.apps import AppConfig


class SiteConfig(AppConfig):
    """An app so that Django finds the site-wide commands (management/commands/)."""

    name = "papers.site"
    label = "site"
    verbose_name = "Site"
