"""A text-filtered list's count and facets (``?q=``), kept under the counts and search
versions (papers/facets.py ``list_counts``): equal to the plain query's after every change
that moves what they show, kept across the changes that cannot."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.facets import side_facets
from papers.models import Author, Paper, Status, Venue
from tests.factories import AuthorFactory, PaperFactory, PaperLinkFactory, add_tags

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


@pytest.fixture
def shelf():
    ada = AuthorFactory(name="Ada Diffuse")
    bob = AuthorFactory(name="Bob Other")
    neurips = Venue.objects.create(name="Neural Information Processing", short_name="NIPS")
    icml = Venue.objects.create(name="Machine Learning Conference", short_name="MLC")
    papers = {
        "ldm": PaperFactory(title="Latent Diffusion Models", year=2022, authors=[ada, bob],
                            tags=["vision"]),
        "ddpm": PaperFactory(title="Denoising Models", abstract="A diffusion process.",
                             year=2020, authors=[ada], tags=["generative"]),
        "gan": PaperFactory(title="Adversarial Nets", year=2014, authors=[bob]),
    }  # fmt: skip
    for paper, venue in ((papers["ldm"], neurips), (papers["ddpm"], icml)):
        paper.published_in = venue
        paper.save()
    return {**papers, "ada": ada, "bob": bob, "neurips": neurips, "icml": icml}


def shown(response):
    """The count and facets the list shows (names included)."""
    assert response.status_code == 200
    context = response.context
    return {
        "count": context["page_obj"].paginator.count,
        "years": [(item["year"], item["count"]) for item in context["year_facets"]],
        "tags": [(tag.name, tag.count) for tag in context["tag_facets"]],
        "authors": [(author.name, author.count) for author in context["author_facets"]],
        "venues": [(venue.label, venue.count) for venue in context["venue_facets"]],
    }


def plain(word):
    """The same, counted from the rows now."""
    papers = Paper.objects.published().filter(title__icontains=word) | Paper.objects.published(
    ).filter(abstract__icontains=word)  # fmt: skip
    facets = side_facets(papers.distinct())
    years = {}
    for year in papers.values_list("year", flat=True):
        years[year] = years.get(year, 0) + 1
    return {
        "count": papers.count(),
        "years": sorted(years.items(), reverse=True),
        "tags": [(f.name, f.count) for f in facets["tags"]],
        "authors": [(f.name, f.count) for f in facets["authors"]],
        "venues": [(f.label, f.count) for f in facets["venues"]],
    }


def diffusion(client):
    return shown(client.get(LIST, {"q": "diffusion"}))


def test_the_counts_are_kept_across_a_change_that_moves_no_match_nor_count(client, shelf):
    first = diffusion(client)
    assert first["count"] == 2
    # A link moves the content version (the paper's page shows it), not the other two.
    PaperLinkFactory(paper=shelf["ldm"])
    with CaptureQueriesContext(connection) as captured:
        assert diffusion(client) == first
    # The page's own query only: no count, no grouped query.
    assert not [q for q in captured if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize(
    ("paper", "field", "text", "count"),
    [
        ("gan", "title", "Adversarial Diffusion Nets", 3),
        ("ddpm", "abstract", "A noise process.", 1),
    ],
)
def test_an_edited_title_or_abstract_moves_the_counts(client, shelf, paper, field, text, count):
    diffusion(client)
    paper = Paper.objects.get(pk=shelf[paper].pk)
    setattr(paper, field, text)
    paper.save()
    assert (now := diffusion(client)) == plain("diffusion")
    assert now["count"] == count


def test_a_new_paper_moves_the_counts(client, shelf):
    diffusion(client)
    PaperFactory(title="Diffusion Beats GANs", year=2021, authors=[shelf["bob"]])
    assert (now := diffusion(client)) == plain("diffusion")
    assert now["authors"][0] == ("Ada Diffuse", 2)


def test_unpublishing_and_deleting_move_the_counts(client, shelf):
    diffusion(client)
    paper = Paper.objects.get(pk=shelf["ldm"].pk)
    paper.status = Status.DRAFT
    paper.save()
    assert (now := diffusion(client)) == plain("diffusion")
    assert now["count"] == 1
    Paper.objects.get(pk=shelf["ddpm"].pk).delete()
    assert (now := diffusion(client)) == plain("diffusion")
    assert now["count"] == 0


def test_a_tag_change_moves_the_counts(client, shelf):
    diffusion(client)
    add_tags(Paper.objects.get(pk=shelf["ddpm"].pk), ["vision"])
    assert (now := diffusion(client)) == plain("diffusion")
    assert ("vision", 2) in now["tags"]


def test_renamed_authors_and_venues_show_at_once(client, shelf):
    diffusion(client)
    author = Author.objects.get(pk=shelf["ada"].pk)
    author.name = "Ada Renamed"
    author.save()
    assert (now := diffusion(client)) == plain("diffusion")
    assert ("Ada Renamed", 2) in now["authors"]
    venue = Venue.objects.get(pk=shelf["icml"].pk)
    venue.short_name = "ICML"
    venue.save()
    assert (now := diffusion(client)) == plain("diffusion")
    assert ("ICML", 1) in now["venues"]


def test_a_years_venues_come_from_the_pass_that_counts_every_year(client, shelf):
    """The year facet and the venue facet share one grouped query (year, venue): the
    venues are those of the chosen year only, the years those of every year."""
    response = client.get(LIST, {"q": "diffusion", "year": 2022})
    now = shown(response)
    assert now["count"] == 1
    assert now["years"] == [(2022, 1), (2020, 1)]
    assert now["venues"] == [("NIPS", 1)]
    assert shown(client.get(LIST, {"q": "diffusion"}))["venues"] == [
        ("NIPS", 1),
        ("MLC", 1),
    ]  # ties: by venue
