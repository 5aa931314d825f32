from django.urls import path, re_path

from papers.cache import public_page
from readinggroup import feeds, ical, views

app_name = "readinggroup"

# Session numbers have at most 9 digits, so a huge number is a 404, not a database error.
NUMBER = r"(?P<number>[0-9]{1,9})"

urlpatterns = [
    path("reading-group/", views.presentation_list, name="presentation_list"),
    path("reading-group/calendar.ics", ical.calendar_feed, name="calendar"),
    re_path(rf"^reading-group/{NUMBER}\.ics$", ical.presentation_ics, name="presentation_ics"),
    re_path(rf"^reading-group/{NUMBER}/$", views.presentation_detail, name="presentation_detail"),
    re_path(rf"^reading-group/{NUMBER}/slides\.pdf$", views.presentation_slides, name="slides"),
    re_path(
        rf"^reading-group/{NUMBER}/slides/download/$",
        views.presentation_slides,
        {"download": True},
        name="slides_download",
    ),
    path("feeds/reading-group/", public_page(feeds.PresentationFeed()), name="feed"),
]
