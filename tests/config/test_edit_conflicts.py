"""Two editors, one row: a stale admin change form is refused, never a silent revert.

Optimistic locking (papers/site/locking.py) on papers, reports and reading-group sessions. The
forms are posted as a browser would send them: every field of the page as loaded.
"""

import threading
from html.parser import HTMLParser

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from papers.models import Paper
from tests.blog.factories import ReportFactory
from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory


class _FormFields(HTMLParser):
    """The name/value pairs a browser would submit for the page's forms, unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data = {}
        self._select = None  # (name, multiple, chosen, first option)
        self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value") or "on")
            elif kind not in ("file", "submit", "button", "image", "reset"):
                self._add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = [name, "multiple" in attrs, [], None]
        elif tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            if self._select[3] is None:
                self._select[3] = value
            if "selected" in attrs:
                self._select[2].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, multiple, chosen, first = self._select
            if not chosen and not multiple and first is not None:
                chosen = [first]
            for value in chosen:
                self._add(name, value)
            if multiple and not chosen:
                self.data.setdefault(name, [])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._add(name, text.removeprefix("\r\n").removeprefix("\n"))
            self._textarea = None


def form_of(response):
    """What the change page ``response`` would post with its “Save” button."""
    assert response.status_code == 200
    parser = _FormFields()
    parser.feed(response.content.decode())
    data = {name: values if len(values) != 1 else values[0] for name, values in parser.data.items()}
    data["_save"] = "Save"
    return data


def editor_client(django_user_model, username):
    user = django_user_model.objects.create_superuser(username, f"{username}@example.org", "pw")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice(django_user_model):
    return editor_client(django_user_model, "alice")


@pytest.fixture
def bob(django_user_model):
    return editor_client(django_user_model, "bob")


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def refused(response, kind, editor):
    text = response.content.decode()
    return (
        response.status_code == 200
        and f"This {kind} was changed by {editor} at" in text
        and "reload the page to see their changes" in text
    )


# The three kinds: (factory, the text field two editors change, its value in the factory).
KINDS = {
    "paper": (PaperFactory, "notes"),
    "report": (ReportFactory, "body"),
    "session": (PresentationFactory, "summary"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_stale_form_is_refused_naming_the_editor_who_saved_and_keeps_their_text(kind, alice, bob):
    factory, field = KINDS[kind]
    obj = factory()
    url = change_url(obj)
    form_a, form_b = form_of(alice.get(url)), form_of(bob.get(url))

    form_a[field] = "Alice's new text."
    response = alice.post(url, form_a)
    assert response.status_code == 302, response.content.decode()[:3000]

    form_b[field] = "Bob's text, typed on the old page."
    form_b["title"] = "Bob's title"
    response = bob.post(url, form_b)
    assert refused(response, type(obj)._meta.verbose_name, "alice")
    # Bob's input is shown again, so he can copy it before reloading.
    assert "Bob&#x27;s text, typed on the old page." in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == "Alice's new text."
    assert obj.title != "Bob's title"

    # After a reload Bob's save goes through, even after a form error of his own (a blank
    # required field: a session's title may be blank, it comes from its paper).
    form_b = form_of(bob.get(url))
    form_b[field] = "Bob's text, after reading Alice's."
    required = "number" if kind == "session" else "title"
    kept = form_b[required]
    form_b[required] = ""
    assert bob.post(url, form_b).status_code == 200
    form_b[required] = kept
    form_b["title"] = "Bob's title"
    assert bob.post(url, form_b).status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, field) == "Bob's text, after reading Alice's."


@pytest.mark.django_db
def test_a_change_made_outside_the_admin_also_refuses_the_stale_form(alice):
    paper = PaperFactory()
    url = change_url(paper)
    form = form_of(alice.get(url))
    stored = Paper.objects.get(pk=paper.pk)
    stored.notes = "Written by an import."
    stored.save()
    form["notes"] = "Alice's notes."
    response = alice.post(url, form)
    assert response.status_code == 200
    assert "was changed at " in response.content.decode()
    assert "by an import or a script" in response.content.decode()
    assert Paper.objects.get(pk=paper.pk).notes == "Written by an import."


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", KINDS)
def test_two_simultaneous_saves_of_the_same_version_only_one_wins(kind, django_user_model):
    # Real concurrency: each editor posts from their own thread and database connection;
    # the row lock makes the later save see the earlier one's version.
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    factory, field = KINDS[kind]
    obj = factory()
    url = change_url(obj)
    editors = [editor_client(django_user_model, name) for name in ("alice", "bob", "carol")]
    forms = [form_of(client.get(url)) for client in editors]
    barrier = threading.Barrier(len(editors), timeout=30)
    responses = {}

    def save(index):
        try:
            forms[index][field] = f"Text of editor {index}."
            barrier.wait()
            responses[index] = editors[index].post(url, forms[index])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(editors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    codes = sorted(response.status_code for response in responses.values())
    assert codes == [200, 200, 302]
    winner = next(i for i, response in responses.items() if response.status_code == 302)
    obj.refresh_from_db()
    assert getattr(obj, field) == f"Text of editor {winner}."
    for index, response in responses.items():
        if index != winner:
            kind_name = type(obj)._meta.verbose_name
            assert refused(response, kind_name, ["alice", "bob", "carol"][winner])
