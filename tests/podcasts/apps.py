from django.apps import AppConfig


class PodcastsConfig(AppConfig):
    name = "tests.podcasts"

    def ready(self):
        from django.db.models.functions import ExtractYear

        from papers.content import kinds
        from papers.site import cache
        from tests.podcasts.models import Episode, TaggedEpisode

        kinds.register(
            key="episodes",
            label="Episodes",
            singular="episode",
            model=Episode,
            title_fields=("title",),
            year=ExtractYear("aired_at"),
            date_fields=("aired_at",),
            # Dotted paths: a papers.site.feeds.SiteFeed, a papers.site.sitemaps.PublishedSitemap
            # and a router whose schemas build on papers.site.api.ContentOut.
            feed="tests.podcasts.feeds.EpisodeFeed",
            sitemap="tests.podcasts.sitemaps.EpisodeSitemap",
            api_router="tests.podcasts.api.router",
            # Templates given ``obj``: its card in mixed lists, the line above its title in
            # search results.
            item_template="podcasts/_episode_item.html",
            search_kicker_template="podcasts/_episode_search_kicker.html",
        )
        cache.watch(Episode, TaggedEpisode)
