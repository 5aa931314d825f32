"""A paper's notes that wiki-link another paper make a backlink on that paper's page."""

import pytest

from papers.models import Status
from tests.factories import PaperFactory
from tests.jobs_worker import run_queued_jobs

pytestmark = pytest.mark.django_db


def mentioned_in(client, paper):
    html = client.get(paper.get_absolute_url()).content.decode()
    if 'id="mentioned-in"' not in html:
        return ""
    return html[html.index('id="mentioned-in"') :]


def test_notes_linking_a_paper_appear_under_mentioned_in_on_that_paper(client):
    ddpm = PaperFactory(title="Denoising Diffusion Probabilistic Models", alias="DDPM")
    ddim = PaperFactory(title="Denoising Diffusion Implicit Models", alias="DDIM",
                        notes="A faster sampler for [[DDPM]].")  # fmt: skip
    section = mentioned_in(client, ddpm)
    assert f'href="{ddim.get_absolute_url()}"' in section
    assert "Notes on a paper" in section
    assert mentioned_in(client, ddim) == ""  # linking is one-way


def test_a_paper_published_after_the_notes_that_link_it_gets_the_backlink(client):
    ddim = PaperFactory(alias="DDIM", notes="Builds on [[DDPM]].")
    ddpm = PaperFactory(alias="DDPM", status=Status.DRAFT)
    ddpm.status = Status.PUBLISHED
    ddpm.save()
    run_queued_jobs()  # notes naming a changed paper are rendered again by a job
    assert f'href="{ddim.get_absolute_url()}"' in mentioned_in(client, ddpm)


def test_draft_notes_and_removed_links_make_no_backlink(client):
    ddpm = PaperFactory(alias="DDPM")
    PaperFactory(alias="Secret", notes="See [[DDPM]].", status=Status.DRAFT)
    editing = PaperFactory(alias="DDIM", notes="See [[DDPM]].")
    assert "DDIM" in mentioned_in(client, ddpm) and "Secret" not in mentioned_in(client, ddpm)
    editing.notes = "No links any more."
    editing.save()
    assert mentioned_in(client, ddpm) == ""


def test_notes_linking_their_own_paper_make_no_backlink(client):
    paper = PaperFactory(alias="Selfie", notes="As [[Selfie]] shows.")
    assert list(paper.mentions.all()) == []


def test_renaming_the_linked_alias_drops_the_backlink_with_the_link(client):
    ddpm = PaperFactory(alias="DDPM", slug="ho-2020")  # [[DDPM]] names only the alias
    ddim = PaperFactory(alias="DDIM", notes="See [[DDPM]].")
    ddpm.alias = "Diffusion"
    ddpm.save()
    run_queued_jobs()  # notes naming a changed paper are rendered again by a job
    assert list(ddim.mentions.all()) == []
    assert mentioned_in(client, ddpm) == ""


def test_the_migration_records_the_mentions_of_notes_written_before(client):
    import importlib

    from django.apps import apps

    from papers.models import Paper

    migration = importlib.import_module("papers.migrations.0009_paper_mentions_from_notes")
    ddpm = PaperFactory(alias="DDPM")
    older = PaperFactory(alias="DDIM")
    Paper.objects.filter(pk=older.pk).update(notes="Written before: [[DDPM]] and [[Nothing]].")
    older.mentions.clear()
    migration.record_mentions(apps, None)
    assert list(older.mentions.all()) == [ddpm]
