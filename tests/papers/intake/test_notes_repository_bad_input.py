"""Hostile and broken notes repositories: a clear message, and nothing half-saved."""

import io
import os
import stat
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog.models import Report
from papers.intake import repository
from papers.models import Paper
from readinggroup.models import Presentation
from tests.factories import png_bytes
from tests.papers.intake.test_notes_repository import build_repository

pytestmark = pytest.mark.django_db

INDEX = "## Paper Reports\n\n### Paper Report 1: A Report\nShort teaser.\n[read more](r1.md)\n"


def run(path, *args):
    out = StringIO()
    call_command("import_notes", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path, *args):
    with pytest.raises(CommandError) as caught:
        run(path, *args)
    return str(caught.value)


def assert_nothing_saved(media_root):
    assert Report.objects.count() == Presentation.objects.count() == Paper.objects.count() == 0
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def write_zip(path, members):
    """``members``: (ZipInfo or name, bytes) pairs, written as they are."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return path


def symlink_info(name, target):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (("../evil.md", INDEX), "a path that leaves its folder (../evil.md)"),
        (("notes/../../evil.md", INDEX), "a path that leaves its folder"),
        (("/etc/evil.md", INDEX), "an absolute path (/etc/evil.md)"),
        (("C:/evil.md", INDEX), "an absolute path (C:/evil.md)"),
        (symlink_info("notes/secret.md", "/etc/passwd"), "a symbolic link (notes/secret.md)"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "drive", "symlink"],
)
def test_a_zip_with_a_dangerous_name_is_refused_whole(tmp_path, _media_root, member, message):
    archive = write_zip(tmp_path / "notes.zip", [("README.md", INDEX), ("r1.md", "# R"), member])
    error = refused(archive)
    assert message in error and "refused" in error
    assert not (tmp_path / "evil.md").exists()
    assert_nothing_saved(_media_root)


def test_a_zip_bomb_is_refused_from_its_declared_sizes(tmp_path, _media_root, monkeypatch):
    # The same check as for 200 MB, with a limit small enough to test quickly.
    monkeypatch.setattr(repository, "MAX_TOTAL_BYTES", 2 * 2**20)
    archive = write_zip(
        tmp_path / "bomb.zip",
        [("README.md", INDEX), ("r1.md", "# R"), ("zeros.md", b"\0" * (8 * 2**20))],
    )
    assert archive.stat().st_size < 64 * 1024  # it really is a bomb: tiny packed
    error = refused(archive)
    assert "The repository is over 2 MB (uncompressed)" in error
    assert_nothing_saved(_media_root)


def test_one_huge_file_is_refused(tmp_path, _media_root, monkeypatch):
    monkeypatch.setattr(repository, "MAX_FILE_BYTES", 2**20)
    archive = write_zip(tmp_path / "big.zip", [("README.md", INDEX), ("big.pdf", b"0" * 2**21)])
    assert "big.pdf is 2 MB; a file may have at most 1 MB" in refused(archive)
    assert_nothing_saved(_media_root)


def test_ten_thousand_entries_are_refused_before_extracting(tmp_path, _media_root):
    members = [(f"n/{i}.md", "") for i in range(10_000)]
    archive = write_zip(tmp_path / "many.zip", members)
    assert "The .zip has 10,000 entries; the limit is 2,000" in refused(archive)
    assert_nothing_saved(_media_root)


@pytest.mark.parametrize(
    "data", [b"", b"PK\x03\x04 cut short", png_bytes(), b"# just markdown\n"], ids=repr
)
def test_not_a_zip_is_refused(tmp_path, _media_root, data):
    path = tmp_path / "notes.zip"
    path.write_bytes(data)
    assert "This is not a .zip file (or it is damaged)." in refused(path)
    assert_nothing_saved(_media_root)


def test_a_symlinked_file_in_a_folder_is_never_followed(tmp_path, _media_root):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nPrivate text that must not be read.")
    (outside / "cover.png").write_bytes(png_bytes())
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text(
        "## Paper Reports\n\n### Paper Report 1: Linked Away\n"
        '<img src="cover.png"/>\nTeaser.\n[read more](secret.md)\n'
    )
    os.symlink(outside / "secret.md", repo / "secret.md")
    os.symlink(outside / "cover.png", repo / "cover.png")
    os.symlink(outside, repo / "linked-folder")
    out = run(repo)
    report = Report.objects.get()
    assert report.body == "" and not report.cover  # neither link was followed
    assert "secret.md: a symbolic link: not followed." in out
    assert "linked-folder: a symbolic link: not followed." in out


MALFORMED_BIB = """@misc{good, title={A Valid Entry}, year={2020}}

@article{broken,
  title = {Unclosed {brace,
  year = 2021
}
"""


def test_a_malformed_bib_beside_the_notes_is_reported_and_strict_saves_nothing(
    tmp_path, _media_root
):
    repo = build_repository(tmp_path / "repo")
    (repo / "extra.bib").write_text(MALFORMED_BIB)
    error = refused(repo, "--strict")
    assert "Nothing was saved (--strict)" in error
    assert_nothing_saved(_media_root)

    out = run(repo)
    assert "extra.bib line 3: cannot be read" in out
    assert Paper.objects.filter(title="A Valid Entry").exists()
    assert Report.objects.count() == 11 and Presentation.objects.count() == 4


def test_a_binary_bib_and_a_binary_notes_file_are_listed_not_fatal(tmp_path, _media_root):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text(INDEX)
    (repo / "r1.md").write_text("# Report one\n\nBody.")
    (repo / "library.bib").write_bytes(png_bytes())
    (repo / "broken.md").write_bytes(b"\x00\x01binary")
    out = run(repo)
    assert "library.bib: This is a binary file, not BibTeX text." in out
    assert "broken.md: This is a binary file" in out
    assert Report.objects.get().body == "# Report one\n\nBody."


def test_a_failing_entry_under_strict_leaves_no_files_behind(tmp_path, _media_root):
    repo = build_repository(tmp_path / "repo")
    # Session 4's recording is not a link anyone may embed: that entry is invalid.
    readme = repo / "README.md"
    readme.write_text(
        readme.read_text().replace("https://www.youtube.com/watch?v=abcDEF12345", "http://x.y/z")
    )
    assert "Nothing was saved (--strict)" in refused(repo, "--strict")
    assert_nothing_saved(_media_root)


def test_a_dry_run_leaves_no_files_behind(tmp_path, _media_root):
    repo = build_repository(tmp_path / "repo")
    out = run(repo, "--dry-run")
    assert "Dry run: nothing was saved." in out
    assert_nothing_saved(_media_root)


def test_zip_entries_are_read_in_a_stream_that_stops_at_the_declared_size(tmp_path):
    buffer = io.BytesIO()
    write_zip(buffer, [("README.md", INDEX), ("r1.md", "# R\n" * 100)])
    root = tmp_path / "out"
    root.mkdir()
    repository._extract_zip(io.BytesIO(buffer.getvalue()), root)
    assert (root / "r1.md").read_text() == "# R\n" * 100
