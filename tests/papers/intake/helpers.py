"""Small helpers shared by the intake tests."""

from io import StringIO

from django.core.management import call_command

from papers.models import Author, Authorship, Figure, Paper, PaperLink, Tag, TaggedPaper


def assert_everything_valid():
    """Every stored object of the paper database passes ``full_clean()``."""
    for model in (Paper, Author, Authorship, PaperLink, Figure, Tag, TaggedPaper):
        for obj in model.objects.all():
            obj.full_clean()


def run_import_notes(path, *args):
    """``manage.py import_notes PATH ARGS…``; returns what it printed."""
    out = StringIO()
    call_command("import_notes", str(path), *args, stdout=out)
    return out.getvalue()
