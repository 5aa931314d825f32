from papers.site.sitemaps import PublishedSitemap
from tests.podcasts.models import Episode


class EpisodeSitemap(PublishedSitemap):
    url_name = "podcasts:episode_detail"

    def items(self):
        return Episode.objects.published().only("slug", "updated_at").order_by("pk")
