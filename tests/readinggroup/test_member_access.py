"""The members' walk (issue 19, "Permissions everywhere"): every member page tried by its
owner and by another member, and every form of the members' side refused without a CSRF
token. Anonymous visitors, plain users, staff and the superuser are walked in
tests/config/test_access.py (MEMBER_PAGES), which also makes sure no page is forgotten."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from readinggroup.members import Suggestion, SuggestionState, Vote
from tests.config.test_access import MEMBER_PAGES, PUBLIC_FORMS
from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.members_helpers import client_for, invitation, make_member, suggestion
from tests.readinggroup.pdfs import pdf_bytes
from tests.urlwalk import all_routes

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner, other = make_member("Owner Member"), make_member("Other Member")
    session = PresentationFactory(presenters=[owner.ensure_presenter()])
    mine = suggestion(PaperFactory(), owner)
    _, token = invitation()
    return {"owner": owner, "other": other, "session": session, "mine": mine, "token": token}


def url_for(name, w):
    args = {
        "readinggroup:vote": [w["mine"].pk],
        "readinggroup:volunteer": [w["mine"].pk],
        "readinggroup:withdraw": [w["mine"].pk],
        "readinggroup:materials": [w["session"].number],
        "readinggroup:member_detail": [w["owner"].pk],
        "readinggroup:join": [w["token"]],
        "readinggroup:password_reset_confirm": ["MQ", "set-password"],
    }.get(name, [])
    return reverse(name, args=args)


# (GET as owner, GET as another member)
READS = {
    "readinggroup:queue": (200, 200),
    "readinggroup:suggest": (200, 200),
    "readinggroup:member_detail": (200, 200),
    "readinggroup:account": (200, 200),
    "readinggroup:account_delete": (200, 200),
    "readinggroup:materials": (200, 403),
    "readinggroup:vote": (405, 405),
    "readinggroup:volunteer": (405, 405),
    "readinggroup:withdraw": (405, 405),
}


def test_the_member_walk_covers_every_member_page():
    assert set(READS) == MEMBER_PAGES
    names = {r.name for r in all_routes() if (r.name or "").startswith("readinggroup:")}
    members_side = {n for n in names if n in MEMBER_PAGES or n in PUBLIC_FORMS}
    assert members_side == MEMBER_PAGES | {n for n in PUBLIC_FORMS if n.startswith("reading")}


@pytest.mark.parametrize("name", sorted(READS))
def test_member_pages_answer_the_owner_and_another_member(world, name):
    url = url_for(name, world)
    as_owner, as_other = READS[name]
    assert client_for(world["owner"]).get(url).status_code == as_owner
    assert client_for(world["other"]).get(url).status_code == as_other


def test_another_member_cannot_withdraw_or_change_materials_of_the_owner(world):
    other = client_for(world["other"])
    other.post(url_for("readinggroup:withdraw", world))
    assert Suggestion.objects.get(pk=world["mine"].pk).state == SuggestionState.OPEN
    response = other.post(
        url_for("readinggroup:materials", world), {"recording_url": "https://vimeo.com/1"}
    )
    assert response.status_code == 403
    world["session"].refresh_from_db()
    assert world["session"].recording_url == ""


def forms_with_data(w):
    """Every form of the members' side with data that would be accepted with a token."""
    return {
        "readinggroup:suggest": {"paper": PaperFactory().slug, "reason": "Because."},
        "readinggroup:vote": {"on": "1"},
        "readinggroup:volunteer": {"on": "1"},
        "readinggroup:withdraw": {},
        "readinggroup:materials": {
            "slides": SimpleUploadedFile("s.pdf", pdf_bytes(1), "application/pdf"),
            "recording_url": "https://vimeo.com/1",
        },
        "readinggroup:account": {"name": "Renamed", "links": ""},
        "readinggroup:account_delete": {},
        "readinggroup:logout": {},
    }


def row_counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_every_member_form_is_refused_without_a_csrf_token(world):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["owner"].user)
    forms = forms_with_data(world)
    before = row_counts()
    for name, data in forms.items():
        response = strict.post(url_for(name, world), data)
        assert response.status_code == 403, name
    after = {k: v for k, v in row_counts().items() if k not in ("axes.AccessLog",)}
    assert after == {k: v for k, v in before.items() if k in after}
    world["owner"].refresh_from_db()
    assert world["owner"].name == "Owner Member" and not Vote.objects.exists()
    assert set(forms) >= MEMBER_PAGES - {"readinggroup:queue", "readinggroup:member_detail"}


@pytest.mark.parametrize(
    "name, data",
    [
        ("readinggroup:join", {"name": "X", "username": "x", "email": "x@example.org"}),
        ("readinggroup:login", {"username": "x", "password": "y"}),
        ("readinggroup:password_reset", {"email": "x@example.org"}),
    ],
)
def test_the_public_member_forms_are_refused_without_a_csrf_token(world, name, data):
    response = Client(enforce_csrf_checks=True).post(url_for(name, world), data)
    assert response.status_code == 403
