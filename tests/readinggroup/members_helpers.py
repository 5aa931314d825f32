"""Members, invitations and suggestions for the member tests (tests/readinggroup/test_members*)."""

import itertools

from django.contrib.auth import get_user_model
from django.test import Client

from readinggroup.members import Invitation, Member, Suggestion
from tests.login import log_in

_n = itertools.count(1)


def make_member(name=None, **user_fields):
    n = next(_n)
    name = name or f"Member Number{n}"
    user = get_user_model().objects.create_user(
        user_fields.pop("username", f"member{n}"),
        user_fields.pop("email", f"member{n}@example.org"),
        user_fields.pop("password", "pw-member-123-long"),
        **user_fields,
    )
    return Member.objects.create(user=user, name=name)


def client_for(member):
    client = Client()
    log_in(client, member.user)
    return client


def invitation(**fields):
    """``(invitation, token)``: a saved invitation and the secret its link carries."""
    invite = Invitation(**fields)
    token = invite.issue_token()
    invite.save()
    return invite, token


def suggestion(paper, member=None, reason="Short and *clear*.", **fields):
    return Suggestion.objects.create(paper=paper, suggested_by=member, reason=reason, **fields)
