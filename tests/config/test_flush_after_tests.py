"""The flush after a transactional test (tests/testdb/management/commands/flush.py): every
table left as Django's own flush leaves it, the content types and permissions kept when
they are what post_migrate made."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.commands.flush import Command as DjangoFlush

from tests.factories import paper_with_everything

pytestmark = pytest.mark.django_db(transaction=True)


def flush_as_after_a_test(command="flush"):
    # The call of django.test.TransactionTestCase._fixture_teardown.
    call_command(
        command,
        verbosity=0,
        interactive=False,
        reset_sequences=False,
        allow_cascade=False,
        inhibit_post_migrate=False,
    )


def kept_rows():
    """Content types and permissions with their ids."""
    return (
        list(ContentType.objects.order_by("pk").values_list()),
        list(Permission.objects.order_by("pk").values_list()),
    )


def kept_rows_by_name():
    """Content types and permissions as post_migrate makes them (ids aside)."""
    return (
        set(ContentType.objects.values_list("app_label", "model")),
        set(
            Permission.objects.values_list(
                "content_type__app_label", "content_type__model", "codename", "name"
            )
        ),
    )


def rows_in_other_tables():
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model not in (ContentType, Permission) and model._meta.managed
    }


def some_rows():
    paper_with_everything()
    user = apps.get_model("auth", "User").objects.create_user("someone")
    user.user_permissions.add(Permission.objects.get(codename="change_paper"))


def test_post_migrate_makes_no_rows_but_content_types_and_permissions():
    # What the kept flush relies on to skip post_migrate: a receiver that made other rows
    # (a default site, a group) would need them kept or made again there.
    some_rows()
    flush_as_after_a_test(DjangoFlush())
    assert set(rows_in_other_tables().values()) == {0}
    assert all(kept_rows())


def test_the_flush_after_a_test_keeps_unchanged_content_types_and_permissions_and_empties_the_rest():
    flush_as_after_a_test()  # a process's first flush is Django's; it notes what it left
    before = kept_rows()
    some_rows()
    assert set(rows_in_other_tables().values()) != {0}
    flush_as_after_a_test()
    assert kept_rows() == before  # the same rows, ids included: not deleted and made again
    assert set(rows_in_other_tables().values()) == {0}


@pytest.mark.parametrize("change", ["added", "removed", "renamed", "content type removed"])
def test_the_flush_after_a_test_that_changed_permissions_leaves_what_djangos_flush_leaves(
    change,
):
    flush_as_after_a_test()
    made = kept_rows_by_name()
    some_rows()
    paper_type = ContentType.objects.get(app_label="papers", model="paper")
    if change == "added":
        Permission.objects.create(content_type=paper_type, codename="x_extra", name="Extra")
    elif change == "removed":
        Permission.objects.filter(codename="view_paper").delete()
    elif change == "renamed":
        Permission.objects.filter(codename="view_paper").update(name="Look at paper")
    else:
        paper_type.delete()  # and its permissions with it
    assert kept_rows_by_name() != made
    flush_as_after_a_test()
    assert kept_rows_by_name() == made
    assert set(rows_in_other_tables().values()) == {0}
