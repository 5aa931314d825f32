"""A whole notes repository in the shape of a blog index: reports, sessions and papers.

The fixture repository (``notes_repo/``) is text we wrote; its images and slides are
made here (tiny real PNGs and PDFs), where the index and the pages refer to them.
"""

import io
import re
import shutil
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog.models import Kind, Report
from papers.models import Paper
from readinggroup.models import Presentation
from tests.factories import png_bytes
from tests.readinggroup.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

FIXTURE = __import__("pathlib").Path(__file__).parent / "notes_repo"

REPORTS = {
    (Kind.PAPER_REPORT, 6, "Masked Autoencoders Are Scalable Vision Learners"),
    (Kind.PAPER_REPORT, 5, "Segment Anything"),
    (Kind.PAPER_REPORT, 4, "Auto-Encoding Variational Bayes"),
    (Kind.PAPER_REPORT, 3, "Deep Residual Learning for Image Recognition"),
    (
        Kind.PAPER_REPORT,
        2,
        "NeRF: Representing Scenes as Neural Radiance Fields for View Synthesis",
    ),
    (Kind.PAPER_REPORT, 1, "Does Knowledge Distillation Really Work?"),
    (Kind.BOOK_REPORT, None, "Notes on a Theory Book - Part 2, Training Dynamics"),
    (Kind.BOOK_REPORT, None, "Notes on a Theory Book - Part 1, Networks at Initialization"),
    (Kind.PAPER_OF_THE_WEEK, None, "Differential Transformer"),
    (Kind.PAPER_OF_THE_WEEK, None, "Were RNNs All We Needed?"),
    (Kind.ARTICLE, None, "A Note on Counting Lentils"),
}
SESSIONS = {
    4: ("Deep Residual Learning for Image Recognition", "1512.03385"),
    3: ("One-Shot Machine Unlearning with Mnemonic Code", "2306.05670"),
    2: ("Attention Is All You Need", "1706.03762"),
    1: (
        "LanguageBind: Extending Video-Language Pretraining to N-modality by "
        "Language-based Semantic Alignment",
        "2310.01852",
    ),
}


def build_repository(target):
    """Copy the fixture and add the images and slides its pages name."""
    shutil.copytree(FIXTURE, target)
    for page in target.glob("*.md"):
        for name in re.findall(r'(?:src="|\]\()([^")]+\.png)', page.read_text()):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(png_bytes(size=(40, 24)))
    (target / "slides").mkdir()
    for number in (2, 3, 4):
        (target / "slides" / f"presentation_{number}.pdf").write_bytes(
            pdf_bytes(pages=2, size=(64, 36), text=f"Session {number}")
        )
    return target


def zip_of(folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"notes-main/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    return build_repository(tmp_path_factory.mktemp("repo") / "notes")


def run(path, *args):
    out = StringIO()
    call_command("import_notes", str(path), *args, stdout=out)
    return out.getvalue()


def assert_imported_exactly():
    assert {(r.kind, r.number, r.title) for r in Report.objects.all()} == REPORTS
    sessions = {s.number: (s.title, s.paper.arxiv_id if s.paper else "") for s in
                Presentation.objects.select_related("paper")}  # fmt: skip
    assert sessions == SESSIONS


def test_blog_index_imports_into_exactly_its_reports_and_sessions(repository):
    out = run(repository)
    assert "1 index files" in out and "11 linked pages" in out and "1 .bib files" in out
    assert_imported_exactly()

    with_covers = {r.title for r in Report.objects.exclude(cover="")}
    assert with_covers == {title for _, _, title in REPORTS} - {
        "Differential Transformer",
        "Were RNNs All We Needed?",
    }
    assert all(r.body.startswith("# ") for r in Report.objects.all())  # from the linked pages
    mae = Report.objects.get(kind=Kind.PAPER_REPORT, number=6)
    assert mae.teaser == (
        "Hide most of an image, ask a network to paint it back, and get features worth keeping."
    )
    resnet_report = Report.objects.get(kind=Kind.PAPER_REPORT, number=3)
    # The page's local image is stored like an editor upload and relinked.
    assert re.search(r"!\[The residual block as I drew it\]\(/media/uploads/", resnet_report.body)
    assert "$$\\log p(x)" in Report.objects.get(number=4, kind=Kind.PAPER_REPORT).body
    nerf = Report.objects.get(kind=Kind.PAPER_REPORT, number=2)
    assert [p.arxiv_id for p in nerf.papers.all()] == ["2003.08934"]

    part1, part2 = Report.objects.filter(kind=Kind.BOOK_REPORT).order_by("part")
    assert (part1.part, part2.part) == (1, 2) and part1.series_id == part2.series_id
    assert part1.series.title == "Notes on a Theory Book"
    assert "\n\nI split the book in two" in part1.teaser

    for number in (2, 3, 4):
        session = Presentation.objects.get(number=number)
        assert session.slides and session.cover and not session.cover_is_generated
    first = Presentation.objects.get(number=1)
    assert not first.slides and not first.cover and first.recording_url == ""
    assert "No slides" not in first.summary and "binding several modalities" in first.summary
    assert Presentation.objects.get(number=3).recording_url.endswith("zyx98765432")
    assert Presentation.objects.get(number=2).recording_url == ""
    assert "**Paper**" not in Presentation.objects.get(number=4).summary
    assert "the index gives no date" in out
    # Everything is a draft until someone reviews it.
    assert not Report.objects.published().exists()
    assert not Presentation.objects.published().exists()


def test_importing_again_creates_no_duplicates(repository):
    run(repository)
    counts = (Report.objects.count(), Presentation.objects.count(), Paper.objects.count())
    out = run(repository)
    assert (Report.objects.count(), Presentation.objects.count(), Paper.objects.count()) == counts
    assert "Created (0):" in out and "nothing new" in out
    assert_imported_exactly()


def test_a_zip_of_the_repository_previews_then_imports_the_same(repository, tmp_path):
    archive = tmp_path / "notes.zip"
    archive.write_bytes(zip_of(repository))
    out = run(archive, "--dry-run")
    assert "Would create" in out and "Report: Segment Anything" in out
    assert Report.objects.count() == Presentation.objects.count() == Paper.objects.count() == 0
    run(archive)
    assert_imported_exactly()


def test_a_folder_without_anything_to_import_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "photo.png").write_bytes(png_bytes())
    with pytest.raises(CommandError, match="No notes file, index or .bib"):
        run(tmp_path / "empty")


def test_an_index_file_brings_its_pages_images_and_slides_but_nothing_else(tmp_path):
    repo = build_repository(tmp_path / "notes")
    (repo / "unrelated.md").write_text("- [Unlinked](https://arxiv.org/abs/1409.0473) (2014)\n")
    readme = repo / "README.md"
    out = run(readme)
    assert "README.md: 1 index files, 0 notes files, 11 linked pages, 0 .bib files" in out
    assert {(r.kind, r.number, r.title) for r in Report.objects.all()} == REPORTS
    assert sorted(Presentation.objects.exclude(slides="").values_list("number", flat=True)) == [
        2,
        3,
        4,
    ]
    assert not Paper.objects.filter(arxiv_id="1409.0473").exists()  # not linked: not read


def test_an_index_without_its_pages_still_gives_its_reports_and_lists_what_is_missing(
    tmp_path,
):
    (tmp_path / "README.md").write_bytes((FIXTURE / "README.md").read_bytes())
    out = run(tmp_path)
    assert {(r.kind, r.number, r.title) for r in Report.objects.all()} == REPORTS
    assert sorted(Presentation.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert "paper_report_6.md is not in the repository: not imported." in out
    assert "slides/presentation_3.pdf is not in the repository: not imported." in out
    assert not Presentation.objects.exclude(slides="").exists()
