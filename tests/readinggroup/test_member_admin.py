"""The organiser's admin pages for invitations, members, suggestions and group settings."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from readinggroup.members import GroupSettings, Invitation
from tests.factories import PaperFactory
from tests.readinggroup.members_helpers import make_member, suggestion

pytestmark = pytest.mark.django_db


def test_adding_an_invitation_shows_its_link_once_and_mails_it(admin_client):
    response = admin_client.post(
        reverse("admin:readinggroup_invitation_add"),
        {
            "email": "new@example.org",
            "note": "Lab",
            "expires_at_0": "2030-01-01",
            "expires_at_1": "12:00",
        },
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    link = re.search(r"http://testserver/reading-group/join/([\w-]+)/", body)
    invitation = Invitation.objects.get()
    assert link and Invitation.for_token(link.group(1)) == invitation
    assert invitation.created_by.username == "boss"
    assert mail.outbox[0].to == ["new@example.org"] and link.group(0) in mail.outbox[0].body
    # The change page never shows it again: only its digest is stored.
    change = admin_client.get(reverse("admin:readinggroup_invitation_change", args=[invitation.pk]))
    assert link.group(1) not in change.content.decode()


def test_member_and_suggestion_lists_open_and_members_cannot_be_added_there(admin_client):
    member = make_member("Listed Member")
    suggestion(PaperFactory(title="Listed Paper"), member)
    members = admin_client.get(reverse("admin:readinggroup_member_changelist"))
    assert "Listed Member" in members.content.decode()
    suggestions = admin_client.get(reverse("admin:readinggroup_suggestion_changelist"))
    assert (
        "Listed Paper" in suggestions.content.decode()
        and "Schedule" in suggestions.content.decode()
    )
    assert admin_client.get(reverse("admin:readinggroup_member_add")).status_code == 403
    assert admin_client.get(reverse("admin:readinggroup_suggestion_add")).status_code == 403


def test_group_settings_are_one_row_edited_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:readinggroup_groupsettings_add"),
        {
            "weekday": 1,
            "start_time": "17:30",
            "duration_minutes": 90,
            "location": "",
            "queue_is_public": "on",
        },
    )
    assert response.status_code == 302
    assert GroupSettings.current().queue_is_public and GroupSettings.objects.count() == 1
    assert admin_client.get(reverse("admin:readinggroup_groupsettings_add")).status_code == 403


def test_an_smtp_failure_is_a_message_and_the_invitation_is_still_made(admin_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = admin_client.post(
        reverse("admin:readinggroup_invitation_add"),
        {
            "email": "x@example.org",
            "note": "",
            "expires_at_0": "2030-01-01",
            "expires_at_1": "12:00",
        },
        follow=True,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "could not be sent" in body
    assert "/reading-group/join/" in body and Invitation.objects.count() == 1
