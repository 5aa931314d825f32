from django.urls import path

from papers.site.cache import public_page
from tests.podcasts import views
from tests.podcasts.feeds import EpisodeFeed

app_name = "podcasts"
urlpatterns = [
    path("episodes/", views.episode_list, name="episode_list"),
    path("episodes/feed/", public_page(EpisodeFeed()), name="feed"),
    path("episodes/<str:slug>/", views.episode_detail, name="episode_detail"),
]
