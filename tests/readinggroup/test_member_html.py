"""The members' pages are valid HTML for the Nu Html Checker, as the public ones are
(tests/config/test_html_validity.py): the queue with drafts, votes and volunteers, the
forms with their errors, the profile, the materials, the invitation refusals; and the
public session pages with cancelled sessions on them."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from papers.models import Status
from readinggroup.members import Volunteer, Vote
from tests.config.test_html_validity import CANARY, check_with_vnu
from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.members_helpers import client_for, invitation, make_member, suggestion
from tests.validators import java

pytestmark = pytest.mark.django_db


def test_every_member_page_is_valid_html(tmp_path):
    java()  # skip early when the checker is missing
    member = make_member("Valid Member")
    mine = suggestion(PaperFactory(), member, reason="A *reason* with `code`.")
    draft = suggestion(PaperFactory(status=Status.DRAFT), make_member())
    Vote.objects.create(suggestion=mine, member=member)
    Volunteer.objects.create(suggestion=draft, member=member)
    session = PresentationFactory(presenters=[member.ensure_presenter()])
    # A cancelled session (issue 19, rotation): marked on its page and in the lists.
    called_off = PresentationFactory(upcoming=True, cancelled=True)
    PresentationFactory(cancelled=True)
    _, token = invitation()
    _, expired = invitation(expires_at=timezone.now())
    client = client_for(member)
    anonymous = Client()
    pages = {
        "queue": client.get(reverse("readinggroup:queue")),
        "suggest (errors)": client.post(reverse("readinggroup:suggest"), {"identifier": "x"}),
        "account": client.get(reverse("readinggroup:account")),
        "account delete": client.get(reverse("readinggroup:account_delete")),
        "member": client.get(reverse("readinggroup:member_detail", args=[member.pk])),
        "materials": client.get(reverse("readinggroup:materials", args=[session.number])),
        "join": anonymous.get(reverse("readinggroup:join", args=[token])),
        "join (errors)": anonymous.post(reverse("readinggroup:join", args=[token]), {"name": ""}),
        "join expired": anonymous.get(reverse("readinggroup:join", args=[expired])),
        "join forged": anonymous.get(reverse("readinggroup:join", args=["forged"])),
        "login": anonymous.get(reverse("readinggroup:login")),
        "cancelled session": anonymous.get(called_off.get_absolute_url()),
        "sessions with cancelled ones": anonymous.get(reverse("readinggroup:presentation_list")),
        "password reset": anonymous.get(reverse("readinggroup:password_reset")),
        "reset confirm (bad link)": anonymous.get(
            reverse("readinggroup:password_reset_confirm", args=["MQ", "x-y"]), follow=True
        ),
    }
    html = {name: response.content for name, response in pages.items()}
    assert all(r.status_code in (200, 404, 410) for r in pages.values())
    html[CANARY] = b'<!doctype html><html lang="en"><title>x</title><form action=""></form>'
    errors = check_with_vnu(html, tmp_path)
    assert len(errors.pop(CANARY, [])) == 1, "vnu did not check the pages"
    assert not errors, "\n".join(f"{page}: {messages}" for page, messages in errors.items())
