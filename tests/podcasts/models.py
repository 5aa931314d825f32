from django.db import models
from django.urls import reverse
from taggit.managers import TaggableManager

from papers.content.base import Content, ContentQuerySet, Status, mentions_field, status_field
from papers.tagging import TaggedItem


class TaggedEpisode(TaggedItem):
    content_object = models.ForeignKey("Episode", on_delete=models.CASCADE)


class EpisodeQuerySet(ContentQuerySet):
    def published(self):  # the one visibility rule
        return self.filter(status=Status.PUBLISHED)

    def for_list(self):
        return self.prefetch_related("tags")


class Episode(Content):
    title = models.CharField(max_length=300)
    slug = models.SlugField(unique=True, allow_unicode=True)
    aired_at = models.DateTimeField()
    tags = TaggableManager(through=TaggedEpisode, blank=True)
    status = status_field("Only published episodes appear on the site.")
    mentions = mentions_field("mentioned_in_episodes", "Papers the notes link; filled in on save.")

    objects = EpisodeQuerySet.as_manager()
    NEWEST_FIRST = (models.F("aired_at").desc(),)
    SEARCH_PREFETCH = ("tags",)

    class Meta(Content.Meta):  # keeps the search_vector GIN index: episode_search_vector
        pass

    def get_absolute_url(self):
        return reverse("podcasts:episode_detail", args=[self.slug])

    def search_parts(self):
        return {"A": [self.title], "B": [t.name for t in self.tags.all()], "C": []}
