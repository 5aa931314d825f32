from django.urls import reverse

from papers.site.addresses import absolute_url
from papers.site.feeds import SiteFeed
from tests.podcasts.models import Episode


class EpisodeFeed(SiteFeed):
    title = "Episodes"

    def items(self):
        return Episode.objects.published().for_list().newest_first()[:20]

    def link(self):
        return absolute_url(reverse("podcasts:episode_list"))

    def feed_url(self):
        return absolute_url(reverse("podcasts:feed"))

    def item_title(self, episode):
        return episode.title

    def item_description(self, episode):
        return episode.title

    def item_link(self, episode):
        return absolute_url(episode.get_absolute_url())

    def item_pubdate(self, episode):
        return episode.aired_at

    def item_updateddate(self, episode):
        return episode.updated_at

    def item_categories(self, episode):
        return [tag.name for tag in episode.tags.all()]
