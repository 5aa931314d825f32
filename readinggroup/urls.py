from django.contrib.auth import views as auth_views
from django.urls import path, re_path, reverse_lazy

from papers.site.cache import public_page
from readinggroup import feeds, ical, member_views, views

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
    # Members (readinggroup/member_views.py): never cached, each page is someone's own.
    path("reading-group/queue/", member_views.queue_page, name="queue"),
    path("reading-group/suggest/", member_views.suggest, name="suggest"),
    path("reading-group/suggestions/<int:pk>/vote/", member_views.vote, name="vote"),
    path("reading-group/suggestions/<int:pk>/volunteer/", member_views.volunteer, name="volunteer"),
    path("reading-group/suggestions/<int:pk>/withdraw/", member_views.withdraw, name="withdraw"),
    re_path(rf"^reading-group/{NUMBER}/materials/$", member_views.materials, name="materials"),
    path("reading-group/members/<int:pk>/", member_views.member_detail, name="member_detail"),
    path("reading-group/account/", member_views.account, name="account"),
    path("reading-group/account/delete/", member_views.account_delete, name="account_delete"),
    re_path(
        r"^reading-group/join/(?P<token>[A-Za-z0-9_-]{1,100})/$", member_views.join, name="join"
    ),
    # Django's own views; the login goes through authenticate(), so django-axes throttles it.
    path(
        "reading-group/login/",
        auth_views.LoginView.as_view(
            template_name="readinggroup/members/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path(
        "reading-group/logout/",
        auth_views.LogoutView.as_view(next_page="readinggroup:presentation_list"),
        name="logout",
    ),
    path(
        "reading-group/password-reset/",
        member_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "reading-group/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="readinggroup/members/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "reading-group/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="readinggroup/members/password_reset_confirm.html",
            success_url=reverse_lazy("readinggroup:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reading-group/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="readinggroup/members/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
