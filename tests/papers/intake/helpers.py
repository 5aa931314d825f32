"""Small helpers shared by the intake tests."""

from papers.models import Author, Authorship, Figure, Paper, PaperLink, Tag, TaggedPaper


def assert_everything_valid():
    """Every stored object of the paper database passes ``full_clean()``."""
    for model in (Paper, Author, Authorship, PaperLink, Figure, Tag, TaggedPaper):
        for obj in model.objects.all():
            obj.full_clean()
