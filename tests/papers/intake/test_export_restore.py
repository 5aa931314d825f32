"""``manage.py export`` / ``restore``: a round trip through files loses nothing."""

import json
from io import StringIO

import bibtexparser
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from blog.models import Report
from papers import counts as facet_counts
from papers.intake.backup import project_models
from papers.jobs.models import Job
from papers.models import (
    Author,
    Authorship,
    FacetCount,
    Figure,
    Paper,
    PaperLink,
    Status,
    Tag,
    TaggedPaper,
    Venue,
)
from readinggroup.models import Presentation, Presenter
from tests.blog.factories import ReportFactory
from tests.factories import AuthorFactory, FigureFactory, PaperFactory, paper_with_everything
from tests.readinggroup.factories import session_with_everything

from .helpers import assert_everything_valid

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "counts": {m._meta.label: m._base_manager.count() for m in project_models()},
        "tags": {p.slug: sorted(t.name for t in p.tags.all()) for p in Paper.objects.all()},
        "authors": {p.slug: [a.name for a in p.ordered_authors()] for p in Paper.objects.all()},
        "related": {p.slug: sorted(r.slug for r in p.related.all()) for p in Paper.objects.all()},
        "papers": list(
            Paper.objects.order_by("pk").values(
                "pk", "title", "alias", "slug", "year", "month", "status", "notes_html", "doi"
            )
        ),
    }


def _empty_the_database():
    Paper.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    Venue.objects.all().delete()


@pytest.fixture
def site_content():
    vit = paper_with_everything(
        title="An Image is Worth 16x16 Words", alias="ViT", arxiv_id="2010.11929", year=2020
    )
    FigureFactory(paper=vit, caption="Patches", credit="Figure 1 of the paper")
    gpt3 = paper_with_everything(title="Language Models are Few-Shot Learners", alias="GPT-3")
    gpt3.related.add(vit)
    draft = PaperFactory(
        title="Accurate predictions on small data", status=Status.DRAFT, tags=["tabular", "ViT"]
    )
    Authorship.objects.create(paper=draft, author=AuthorFactory(name="Samuel Müller"), position=0)
    default_storage.save("uploads/2024/01/editor.png", ContentFile(b"\x89PNG fake upload"))
    return vit


def test_every_model_of_the_project_apps_but_jobs_and_counts_is_exported():
    exported = set(project_models())
    for label in ("papers",):
        assert set(apps.get_app_config(label).get_models()) - {Job, FacetCount} <= exported
    assert Job not in exported  # work in progress, not content
    assert FacetCount not in exported  # derived from the papers, counted after a restore
    assert {Paper, Author, Authorship, PaperLink, Figure, Tag, TaggedPaper} <= exported


def test_export_then_restore_into_an_empty_database(tmp_path, site_content, client, settings):
    before = _snapshot()
    target = tmp_path / "backup"
    out = StringIO()
    call_command("export", str(target), stdout=out)
    assert "papers.Paper: 3" in out.getvalue()
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["counts"] == before["counts"]
    figure_name = Figure.objects.get().image.name
    assert (target / "media" / figure_name).is_file()
    assert (target / "media" / "uploads/2024/01/editor.png").is_file()
    library = bibtexparser.parse_string((target / "papers.bib").read_text())
    assert len(library.entries) == 3 and not library.failed_blocks
    data = json.loads((target / "data.json").read_text())
    tagged = next(row for row in data if row["model"] == "papers.taggedpaper")
    assert isinstance(tagged["fields"]["tag"], list)  # a natural key, not a number

    _empty_the_database()
    for name in [figure_name, "uploads/2024/01/editor.png"]:
        default_storage.delete(name)
    call_command("restore", str(target), stdout=StringIO())

    assert _snapshot() == before
    assert_everything_valid()
    # The site-wide counts are counted again from the restored papers.
    assert facet_counts.stored() == {k: n for k, n in facet_counts.recount().items() if n}
    assert facet_counts.stored()
    vit = Paper.objects.get(slug=site_content.slug)
    with vit.figures.get().image.open("rb") as handle:
        assert handle.read(4) == b"\x89PNG"
    response = client.get(vit.get_absolute_url())
    assert response.status_code == 200
    assert "Patches" in response.content.decode()
    assert client.get(f"/papers/{vit.slug}.bib").status_code == 200


def test_restore_refuses_a_database_with_rows(tmp_path, site_content):
    call_command("export", str(tmp_path / "b"), stdout=StringIO())
    with pytest.raises(CommandError, match="needs an empty database; these already have rows"):
        call_command("restore", str(tmp_path / "b"), stdout=StringIO())


def test_export_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("export", str(tmp_path), stdout=StringIO())


def test_damaged_export_restores_nothing(tmp_path, site_content):
    target = tmp_path / "b"
    call_command("export", str(target), stdout=StringIO())
    _empty_the_database()
    data = json.loads((target / "data.json").read_text())
    data[-1]["fields"]["no_such_field_x"] = 1
    (target / "data.json").write_text(json.dumps(data))
    with pytest.raises(CommandError, match="Could not load"):
        call_command("restore", str(target), stdout=StringIO())
    assert Paper.objects.count() == 0 and Author.objects.count() == 0


def test_not_an_export_folder(tmp_path):
    with pytest.raises(CommandError, match="manifest.json is missing"):
        call_command("restore", str(tmp_path), stdout=StringIO())
    (tmp_path / "manifest.json").write_text("{nope")
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("restore", str(tmp_path), stdout=StringIO())


def test_sessions_and_reports_survive_a_round_trip_with_their_files(tmp_path, client):
    paper = paper_with_everything(title="One-Shot Machine Unlearning", alias="Mnemonic")
    session = session_with_everything(paper=paper, summary="We read [[Mnemonic]].")
    report = ReportFactory(with_cover=True, tags=["privacy"], papers=[paper], body="[[Mnemonic]]")
    files = [session.slides.name, session.cover.name, report.cover.name]
    # The session cover's WebP rendition, which its page shows: exported and restored too.
    assert session.cover_webp
    files += [name for name in (session.cover_webp, report.cover_webp) if name]
    slides = session.slides.open("rb").read()
    before = _snapshot()
    before_tags = (
        {s.number: sorted(t.name for t in s.tags.all()) for s in Presentation.objects.all()},
        {r.slug: sorted(t.name for t in r.tags.all()) for r in Report.objects.all()},
    )
    target = tmp_path / "backup"
    call_command("export", str(target), stdout=StringIO())
    assert all((target / "media" / name).is_file() for name in files)

    Presentation.objects.all().delete()
    Presenter.objects.all().delete()
    Report.objects.all().delete()
    _empty_the_database()
    for name in files:
        default_storage.delete(name)
    assert not any(default_storage.exists(name) for name in files)
    call_command("restore", str(target), stdout=StringIO())

    assert _snapshot() == before
    assert before_tags == (
        {s.number: sorted(t.name for t in s.tags.all()) for s in Presentation.objects.all()},
        {r.slug: sorted(t.name for t in r.tags.all()) for r in Report.objects.all()},
    )
    restored = Presentation.objects.get()
    assert (restored.slides.name, restored.cover.name) == tuple(files[:2])
    assert restored.cover_is_generated and restored.presenters.count() == 2
    assert list(restored.mentions.all()) == [paper]
    page = client.get(restored.get_absolute_url())
    assert page.status_code == 200
    assert f'src="{restored.cover.url}"' in page.content.decode()
    assert f'srcset="{restored.cover.webp_url}"' in page.content.decode()
    assert default_storage.exists(restored.cover_webp)
    served = client.get(f"/reading-group/{restored.number}/slides.pdf")
    assert b"".join(served.streaming_content) == slides
    assert client.get(Report.objects.get().get_absolute_url()).status_code == 200
