"""Admin login throttling with django-axes: 5 failures lock a username from one address."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
START = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


def attempt(client, username, password, address="203.0.113.5"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def fail(client, times, username="boss", address="203.0.113.5"):
    return [attempt(client, username, "wrong", address).status_code for _ in range(times)]


@pytest.fixture
def owner(superuser):
    return superuser  # username "boss", password "pw-boss-123"


def test_five_failures_lock_out_even_the_right_password_with_429(client, owner):
    with time_machine.travel(START, tick=False):
        # Four failures show the form again; the fifth reaches the limit and locks.
        assert fail(client, 5) == [200, 200, 200, 200, 429]
        response = attempt(client, "boss", "pw-boss-123")
        assert "_auth_user_id" not in client.session
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    body = response.content.decode()
    assert "Too many login attempts" in body and "15 minutes" in body


def test_login_works_again_after_the_cool_off(client, owner):
    with time_machine.travel(START, tick=False):
        fail(client, 5)
    with time_machine.travel(START + dt.timedelta(minutes=14), tick=False):
        assert attempt(client, "boss", "pw-boss-123").status_code == 429
    with time_machine.travel(START + dt.timedelta(minutes=30), tick=False):
        response = attempt(client, "boss", "pw-boss-123")
        assert response.status_code == 302 and response["Location"] == "/admin/"
        # (read inside the frozen clock: outside it the session has long expired)
        assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_success_resets_the_count(client, owner):
    with time_machine.travel(START, tick=False):
        assert fail(client, 4) == [200] * 4
        assert attempt(client, "boss", "pw-boss-123").status_code == 302
        client.logout()
        # The count starts again: four more failures are not a lockout.
        assert fail(client, 4) == [200] * 4
        assert attempt(client, "boss", "pw-boss-123").status_code == 302


def test_another_user_and_another_address_are_not_locked(client, owner, django_user_model):
    second = django_user_model.objects.create_user(
        "second", password="pw-second-123", is_staff=True
    )
    with time_machine.travel(START, tick=False):
        fail(client, 5)
        assert attempt(client, "second", "pw-second-123").status_code == 302
        assert client.session["_auth_user_id"] == str(second.pk)  # logged in
        client.logout()
        # The owner, from another address, is not locked out by someone else's guesses.
        assert attempt(client, "boss", "pw-boss-123", address="198.51.100.20").status_code == 302
        assert client.session["_auth_user_id"] == str(owner.pk)


def test_lockout_counts_the_proxy_reported_address_behind_a_proxy(client, owner, settings):
    settings.BEHIND_PROXY = True
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            client.post(
                LOGIN,
                {"username": "boss", "password": "wrong"},
                REMOTE_ADDR="10.0.0.2",
                # A forged left-hand entry changes nothing: the proxy's own entry counts.
                headers={"X-Forwarded-For": f"6.6.6.{_}, 203.0.113.5"},
            )
        locked = client.post(
            LOGIN,
            {"username": "boss", "password": "pw-boss-123"},
            REMOTE_ADDR="10.0.0.2",
            headers={"X-Forwarded-For": "203.0.113.5"},
        )
        other_client = client.post(
            LOGIN,
            {"username": "boss", "password": "pw-boss-123"},
            REMOTE_ADDR="10.0.0.2",
            headers={"X-Forwarded-For": "198.51.100.20"},
        )
    assert locked.status_code == 429
    assert other_client.status_code == 302
