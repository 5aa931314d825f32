"""The access walk: every URL pattern of the project, tried by four kinds of people.

Public URLs must be read-only: an anonymous POST, PUT, PATCH or DELETE is refused (405,
403, login) or answered exactly as a GET is (a view that ignores the method), and no
table gains or loses a row.
Every other URL (the admin, the editor's preview and upload, any write endpoint an app
adds) is protected: anonymous → login redirect or 403, an active non-staff user →
refused, staff without the model permission → 403, a superuser → 200. Nothing here
lists the project's URLs: they come from the resolver (tests/urlwalk.py), so a new
route is checked the moment it exists, and a new write URL without protection fails.
"""

import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import FigureFactory, paper_with_everything, png_bytes
from tests.readinggroup.members_helpers import invitation, make_member, suggestion
from tests.urlwalk import all_routes, route_of, sample_urls

pytestmark = pytest.mark.django_db

# Public URLs that accept a write on purpose, each with the reason.
PUBLIC_FORMS = {
    "admin:login": "the login form; django-axes throttles it (test_login_throttling.py)",
    "readinggroup:login": "the members' login; django-axes throttles it (test_members.py)",
    "readinggroup:logout": "ends only the caller's own session (POST only: GET is 405)",
    "readinggroup:password_reset": "Django's reset: mails only an account's own address",
    "readinggroup:password_reset_confirm": "Django's reset: needs the mailed, signed token",
    "readinggroup:join": "signs up through a single-use invitation token (forged: 404)",
}
# What a GET of these public forms answers at the walk's sample URL (200 otherwise).
PUBLIC_FORM_GETS = {"readinggroup:logout": 405, "readinggroup:join": 404}
# The members' pages (readinggroup/member_views.py) are for members, not for staff: they
# get their own walk with a member and another member (tests/readinggroup/test_member_access.py);
# here they must refuse everyone else.
MEMBER_PAGES = {
    "readinggroup:queue",
    "readinggroup:suggest",
    "readinggroup:vote",
    "readinggroup:volunteer",
    "readinggroup:withdraw",
    "readinggroup:materials",
    "readinggroup:member_detail",
    "readinggroup:account",
    "readinggroup:account_delete",
}
# Admin pages any staff member may open: they show nothing of any model.
STAFF_PAGES = {"admin:index", "admin:password_change", "admin:password_change_done", "admin:jsi18n"}
# What a superuser sends to write endpoints to get a 200 (the anonymous checks send nothing).
SAMPLE_POSTS = {
    "markdownx_markdownify": lambda: {"content": "Some *notes* and $x^2$."},
    "markdownx_upload": lambda: {
        "image": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    },
}
# Protected URLs whose answer, even to a superuser, is a redirect to the object's page.
REDIRECTING = {"admin:view_on_site", "admin_view_on_site", "admin:papers_job_retry"}
UNSAFE_METHODS = ("post", "put", "patch", "delete")
REDIRECTS = (301, 302, 303, 307, 308)


def is_login_redirect(response):
    if response.status_code not in REDIRECTS:
        return False
    target = urlsplit(response["Location"]).path
    return target in {reverse("admin:login"), resolve_url(settings.LOGIN_URL)}


def refused(response):
    return response.status_code in (401, 403) or is_login_redirect(response)


def describe(response):
    location = f" → {response['Location']}" if response.status_code in REDIRECTS else ""
    return f"{response.status_code}{location}"


@pytest.fixture
def people(django_user_model, staff_user, superuser):
    """Logged-in clients: anonymous, an active non-staff user, staff without permissions, superuser."""
    reader = django_user_model.objects.create_user("reader", password="pw-reader-123")
    clients = {"anonymous": Client()}
    for key, user in {"user": reader, "staff": staff_user, "superuser": superuser}.items():
        clients[key] = Client()
        clients[key].force_login(user)
    return clients


@pytest.fixture
def content(demo_loaded):
    """Something behind every page: each app's demo content plus a full paper and a group."""
    paper = paper_with_everything()
    FigureFactory(paper=paper)
    Group.objects.create(name="Editors")
    # The reading group's members' side: a member, their suggestion, an invitation.
    member = make_member("Walk Member")
    suggestion(paper, member)
    invitation(email="invited@example.org")


def send(client, method, url, data=None):
    if method in ("get", "post"):
        return getattr(client, method)(url, data or {})
    return getattr(client, method)(url)


def superuser_expectation(route, url, superuser):
    """(status, where a redirect must lead) that a superuser should get from ``route``."""
    if route.is_catch_all:
        return {404, *REDIRECTS}, None
    if route.name in REDIRECTING:
        return set(REDIRECTS), None
    model_admin = route.model_admin
    if model_admin is None:
        return {200}, None
    request = RequestFactory().get(url)
    request.user = superuser
    name = route.name or ""
    if not route.name and route.has_params:  # <object_id>/ redirects to the change page
        return set(REDIRECTS), "_change"
    if route.has_params and not model_admin.model._default_manager.exists():
        return set(REDIRECTS), "admin:index"  # "… doesn't exist. Perhaps it was deleted?"
    if name == "admin:papers_job_file":  # a job's file: only a finished export has one
        return {200 if model_admin.has_view_permission(request) else 403, 404}, None
    if name.endswith("_add"):
        allowed = model_admin.has_add_permission(request)
    elif name.endswith("_delete"):
        allowed = model_admin.has_delete_permission(request)
    elif name.endswith(("_changelist", "_history", "_change", "_status")):  # reads
        allowed = model_admin.has_view_or_change_permission(request)
    else:
        allowed = model_admin.has_change_permission(request)
    return ({200} if allowed else {403}), None


_VOLATILE = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return _VOLATILE.sub(rb'\1=""', content)


def same_as_get(get, response):
    """True if an unsafe request got exactly what a GET gets: the view ignored the method."""
    return response.status_code == get.status_code and body(response) == body(get)


def check_public(route, url, people, get=None):
    """``get``: the anonymous GET of ``url`` already made, if any (made here otherwise)."""
    anonymous = people["anonymous"]
    if get is None:
        get = anonymous.get(url)
    if route.name in PUBLIC_FORMS:
        wanted = PUBLIC_FORM_GETS.get(route.name, 200)
        return [] if get.status_code == wanted else [f"{route}: GET {url} → {describe(get)}"]
    problems = []
    for method in UNSAFE_METHODS:
        response = send(anonymous, method, url)
        if response.status_code != 405 and not refused(response) and not same_as_get(get, response):
            problems.append(
                f"{route}: anonymous {method.upper()} {url} → {describe(response)}, but GET → "
                f"{describe(get)}. A public URL must be read-only (best: @require_safe, or a "
                "class-based view without post()) or protected like the admin."
            )
    return problems


def check_member_page(route, url, people):
    """Anonymous → login; a signed-in non-member, staff, superuser → 403 (the superuser,
    an organiser, may read the queue). The member's own walk is in test_member_access.py."""
    problems = []
    for who in ("anonymous", "user", "staff", "superuser"):
        for method in ("get", "post"):
            response = send(people[who], method, url)
            if who == "anonymous":  # 405: a read-only page, or a POST-only action
                ok = is_login_redirect(response) or response.status_code == 405
            elif who == "superuser" and route.name == "readinggroup:queue" and method == "get":
                ok = response.status_code == 200
            else:
                ok = response.status_code in (403, 405)
            if not ok:
                problems.append(f"{route}: {who} {method.upper()} {url} → {describe(response)}")
    return problems


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def check_protected(route, url, people, method, users, superuser_get=None):
    """``superuser_get``: the superuser's GET of ``url`` already made (by the crawl), if any."""
    problems = []
    data = SAMPLE_POSTS.get(route.name, dict)
    for who in ("anonymous", "user"):
        for try_method in {method, "post"}:
            response = send(people[who], try_method, url)
            if route.name == "admin:logout":  # nobody to log out: back to the admin index
                ok = response.status_code in REDIRECTS
            else:
                ok = refused(response)
            if not ok:
                problems.append(f"{route}: {who} {try_method.upper()} {url} → {describe(response)}")
    response = send(people["staff"], method, url, data())
    has_object = route.model_admin is None or route.model_admin.model._default_manager.exists()
    if route.name in STAFF_PAGES:
        expected = {200}
    elif route.model_admin is not None and route.has_params and not route.name:
        expected = set(REDIRECTS)  # <object_id>/ only redirects to <object_id>/change/
    elif route.model_admin is not None and route.has_params and not has_object:
        expected = {403, *REDIRECTS}  # Django looks for the object first: "doesn't exist"
    elif route.model_admin is not None or not route.in_admin:
        expected = {403}
    else:  # site-wide admin views: app index answers 404 for an app one cannot see
        expected = {403, 404}
    if route.name == "admin:logout":
        expected = {405}  # logging out is a POST; the real POST is tried below
    if response.status_code not in expected:
        problems.append(
            f"{route}: staff without permissions {method.upper()} {url} → {describe(response)}, "
            f"expected {sorted(expected)}"
        )
    if route.name == "admin:logout":
        leaving = Client()  # not the walk's superuser, who must stay logged in
        leaving.force_login(users["superuser"])
        response = send(leaving, "post", url)
        if response.status_code != 200:
            problems.append(f"{route}: superuser POST {url} → {describe(response)}")
        return problems
    expected, leads_to = superuser_expectation(route, url, users["superuser"])
    if method == "get" and superuser_get is not None:
        response = superuser_get
    else:
        response = send(people["superuser"], method, url, data())
    if response.status_code not in expected:
        problems.append(
            f"{route}: superuser {method.upper()} {url} → {describe(response)}, "
            f"expected {sorted(expected)}"
        )
    elif leads_to and response.status_code in REDIRECTS:
        target = route_of(urlsplit(response["Location"]).path) or ""
        wanted = reverse(leads_to) if ":" in leads_to else None
        if not (urlsplit(response["Location"]).path == wanted or target.endswith("/change/")):
            problems.append(f"{route}: superuser {url} → {describe(response)}, not {leads_to}")
    return problems


def test_every_url_is_read_only_in_public_or_protected(content, people, superuser, staff_user):
    users = {"superuser": superuser, "staff": staff_user}
    problems, checked = [], Counter()
    # Counted before the crawls: their GETs are the walk's anonymous and superuser GETs
    # (each page is rendered once for a client, not once to find it and again to check it).
    before = row_counts()
    samples = sample_urls(people["anonymous"], people["superuser"])
    for route, sample in samples.items():
        url = sample.url
        crawled = {sample.client: sample.response} if sample.response is not None else {}
        if url is None:
            problems.append(f"{route}: no URL could be built for it; teach tests/urlwalk.py")
            continue
        if route_of(urlsplit(url).path) != route.route:
            checked["shadowed"] += 1  # another pattern answers first; it is walked itself
            continue
        if route.name in MEMBER_PAGES:
            problems += check_member_page(route, url, people)
            checked["members"] += 1
            continue
        anonymous_get = crawled.get(people["anonymous"])
        if anonymous_get is None:
            anonymous_get = people["anonymous"].get(url)
        post_only = anonymous_get.status_code == 405
        if route.name not in PUBLIC_FORMS and (
            route.in_admin
            or refused(anonymous_get)
            or (post_only and refused(people["anonymous"].post(url)))
        ):
            method = "post" if post_only or route.name in SAMPLE_POSTS else "get"
            if route.name == "admin:logout":
                method = "get"
            problems += check_protected(
                route, url, people, method, users, crawled.get(people["superuser"])
            )
            checked["protected"] += 1
        else:
            problems += check_public(route, url, people, anonymous_get)
            checked["public"] += 1
    # What the walk sent anonymously, as a plain user and as staff changed no row. (The
    # superuser's sample POSTs are editor previews and one upload: files, not rows.)
    after = row_counts()
    changed = {label: (n, after[label]) for label, n in before.items() if after[label] != n}
    changed.pop("axes.AccessLog", None)  # the walk's own logins (force_login) are logged
    changed.pop("sessions.Session", None)  # …and the logout test ends a session
    problems += [
        f"{label}: {a} rows before the walk, {b} after" for label, (a, b) in changed.items()
    ]
    assert not problems, "\n".join(problems)
    # The walk really walked: both kinds were met, and every pattern was accounted for.
    assert checked["public"] >= 8 and checked["protected"] >= 30, checked
    assert checked["members"] == len(MEMBER_PAGES), checked
    assert sum(checked.values()) == len(all_routes())


def test_the_walk_fails_for_an_unprotected_write_url(people, settings):
    """A write view added without protection is caught (the walk's own check, on a stub)."""
    settings.ROOT_URLCONF = "tests.config.unprotected_urls"
    from tests.urlwalk import all_routes as routes_of

    route = next(r for r in routes_of() if r.name == "careless_upload")
    problems = check_public(route, reverse("careless_upload"), people)
    assert problems and "anonymous POST /careless-upload/ → 400, but GET → 200" in problems[0]
