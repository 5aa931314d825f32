"""The import commands draw a progress bar on a terminal, with the jobs' Progress call."""

import io
from io import StringIO

import pytest
from django.core.management import call_command

from papers.intake.commands import terminal_progress
from papers.models import Paper


class Terminal(io.StringIO):
    """What a command's stderr is when someone watches it."""

    def isatty(self):
        return True


def test_the_bar_shows_done_of_total_and_the_refused_on_a_terminal():
    screen = Terminal()
    with terminal_progress(screen) as progress:
        progress(total=5, done=0, message="Writing the entries")
        for done in range(1, 6):
            progress(done=done, refused=1)

    assert "5/5" in screen.getvalue() and "1 refused" in screen.getvalue()


def test_nothing_is_drawn_into_a_pipe_or_a_log():
    with terminal_progress(StringIO()) as progress:
        assert progress is None


@pytest.mark.django_db
def test_import_bibtex_draws_its_bar_on_a_terminal_and_prints_the_report(tmp_path):
    library = tmp_path / "library.bib"
    library.write_text(
        "".join(f"@misc{{k{i}, title={{Paper number {i}}}, year={{2021}}}}\n" for i in range(12))
    )
    screen, out = Terminal(), StringIO()

    call_command("import_bibtex", str(library), stdout=out, stderr=screen)

    assert "12/12" in screen.getvalue()
    assert "12 created" in out.getvalue() and "12/12" not in out.getvalue()
    assert Paper.objects.count() == 12
