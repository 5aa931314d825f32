"""config/urls.py with the podcasts' include(), as a real app would add it there."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("", include("tests.podcasts.urls")), *site_urlpatterns]
