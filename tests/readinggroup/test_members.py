"""Members of the reading group: invitations, sign-up, login, password reset, profile,
account deletion (issue 19, "Members" and "Drafts and privacy")."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from readinggroup.members import Invitation, Member, Suggestion, Vote
from readinggroup.models import Presenter
from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.members_helpers import client_for, invitation, make_member, suggestion

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "name": "Ada Reader",
    "username": "ada",
    "email": "ada@example.org",
    "password1": "a-long-pass-phrase-42",
    "password2": "a-long-pass-phrase-42",
}


def join_url(token):
    return reverse("readinggroup:join", args=[token])


def test_an_invitation_signs_up_a_logged_in_member_who_is_not_staff(client):
    invite, token = invitation(email="ada@example.org")
    page = client.get(join_url(token))
    assert page.status_code == 200 and 'value="ada@example.org"' in page.content.decode()
    response = client.post(join_url(token), SIGN_UP)
    assert response.status_code == 302 and response["Location"] == reverse("readinggroup:queue")
    member = Member.objects.get(name="Ada Reader")
    assert not member.user.is_staff and not member.user.is_superuser
    assert client.session["_auth_user_id"] == str(member.user.pk)
    invite.refresh_from_db()
    assert invite.used_by == member and invite.used_at is not None
    # No admin access: the admin sends a member to its own login page.
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 302 and admin["Location"].startswith(reverse("admin:login"))


def test_a_used_invitation_link_is_410_and_signs_up_nobody_else(client):
    _, token = invitation()
    client.post(join_url(token), SIGN_UP)
    other = Client()
    again = other.post(join_url(token), {**SIGN_UP, "username": "eve", "email": "e@example.org"})
    assert again.status_code == 410
    assert "used already" in again.content.decode()
    assert not get_user_model().objects.filter(username="eve").exists()


def test_an_expired_invitation_link_is_410(client):
    _, token = invitation(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(join_url(token)).status_code == 410
    assert client.post(join_url(token), SIGN_UP).status_code == 410
    assert not Member.objects.exists()


def test_a_forged_invitation_link_is_404_and_only_the_digest_is_stored(client):
    invite, token = invitation()
    assert token not in invite.token_digest and len(invite.token_digest) == 64
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(join_url(forged)).status_code == 404
    assert client.post(join_url(forged), SIGN_UP).status_code == 404
    assert not Member.objects.exists()


def test_sign_up_refuses_a_weak_password_and_keeps_what_was_typed(client):
    _, token = invitation()
    response = client.post(join_url(token), {**SIGN_UP, "password1": "123", "password2": "123"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "too short" in body and 'value="Ada Reader"' in body
    assert not Member.objects.exists() and Invitation.objects.usable().count() == 1


def test_member_login_logs_in_and_five_failures_lock_it_with_429(client):
    make_member(username="bob", password="pw-bob-is-long-1")
    login = reverse("readinggroup:login")
    ok = client.post(login, {"username": "bob", "password": "pw-bob-is-long-1"})
    assert ok.status_code == 302 and ok["Location"] == reverse("readinggroup:queue")
    other = Client()
    codes = [
        other.post(
            login, {"username": "bob", "password": "wrong"}, REMOTE_ADDR="203.0.113.9"
        ).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 200, 429]
    locked = other.post(
        login, {"username": "bob", "password": "pw-bob-is-long-1"}, REMOTE_ADDR="203.0.113.9"
    )
    assert locked.status_code == 429 and "_auth_user_id" not in other.session


def test_password_reset_mails_a_link_on_the_site_url_that_sets_a_new_password(client, settings):
    settings.SITE_URL = "https://papers.example.org"
    member = make_member(email="carol@example.org")
    response = client.post(reverse("readinggroup:password_reset"), {"email": "carol@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["carol@example.org"]
    link = re.search(r"https://papers\.example\.org(/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand-new-phrase-77", "new_password2": "brand-new-phrase-77"},
    )
    assert done.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password("brand-new-phrase-77")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("readinggroup:password_reset"), {"email": "nobody@x.org"})
    assert response.status_code == 302 and mail.outbox == []


def test_profile_edits_name_and_https_links_and_refuses_other_schemes():
    member = make_member()
    client = client_for(member)
    bad = client.post(
        reverse("readinggroup:account"), {"name": "New Name", "links": "javascript:alert(1)"}
    )
    assert bad.status_code == 200 and "is not an https:// link" in bad.content.decode()
    ok = client.post(
        reverse("readinggroup:account"),
        {"name": "New  Name", "links": "https://example.org/me\n\nhttps://github.com/me"},
    )
    assert ok.status_code == 302
    member.refresh_from_db()
    assert member.name == "New Name" and member.link_list == [
        "https://example.org/me",
        "https://github.com/me",
    ]


def test_a_profile_shows_sessions_presented_and_never_the_email():
    presenter_member = make_member("Dana Speaker", email="dana-secret@example.org")
    session = PresentationFactory(presenters=[presenter_member.ensure_presenter()])
    viewer = client_for(make_member())
    page = viewer.get(reverse("readinggroup:member_detail", args=[presenter_member.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and session.title in body
    assert "dana-secret" not in body


def test_deleting_an_account_removes_votes_and_keeps_presented_sessions_by_name():
    member = make_member("Erin Gone")
    session = PresentationFactory(presenters=[member.ensure_presenter()])
    queued = suggestion(PaperFactory(), make_member())
    client = client_for(member)
    client.post(reverse("readinggroup:vote", args=[queued.pk]), {"on": "1"})
    assert Suggestion.objects.get(pk=queued.pk).vote_count == 1
    response = client.post(reverse("readinggroup:account_delete"))
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert not Member.objects.filter(name="Erin Gone").exists()
    assert not Vote.objects.exists() and Suggestion.objects.get(pk=queued.pk).vote_count == 0
    assert [p.name for p in session.presenters.all()] == ["Erin Gone"]
    assert Presenter.objects.filter(name="Erin Gone").exists()


def test_a_member_removed_while_presenting_next_week_leaves_the_session_with_the_name():
    member = make_member("Finn Soon")
    upcoming = PresentationFactory(upcoming=True, presenters=[member.ensure_presenter()])
    member.user.delete()
    page = Client().get(upcoming.get_absolute_url())
    assert page.status_code == 200 and "Finn Soon" in page.content.decode()
