"""A text-filtered list (``?q=``) counted from its kept matches (papers/text_matches.py):
the rows holding the words, with their tags and authors, kept under the search version
and patched with the rows saved since; their status, year, venue and the names read at
each request.

Every page is compared with the same page made from scratch (the cache emptied) and with
the grouped queries over the plain filter (``side_facets``), after each kind of change,
then again after a plain bump of the content version (the bench's "cold").
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.facets import side_facets
from papers.filters import PaperFilter
from papers.merging import merge_authors, merge_tags
from papers.models import Author, Authorship, Paper, Status, Tag, Venue
from papers.site.cache import bump_content_version
from tests.demo_state import fixture_rows
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


def make_shelf():
    """Papers holding "diffusion" (and not), with tags and authors whose counts tie,
    names that sort differently by case and accent, venues, years, and a draft."""
    authors = {
        name: AuthorFactory(name=name)
        for name in ("zoe Alpha", "Ada Beta", "émile Gamma", "Bob delta", "Cy Epsilon")
    }
    a = authors
    nips = Venue.objects.create(name="Neural Information Processing", short_name="NIPS")
    icml = Venue.objects.create(name="Machine Learning Conference", short_name="ICML")
    rows = [
        ("Latent Diffusion Models", "", 2022, [a["zoe Alpha"], a["Ada Beta"]],
         ["vision", "Generative"], nips),
        ("Denoising Models", "A diffusion process.", 2020, [a["Ada Beta"]],
         ["generative-2", "Zebra"], icml),
        ("Diffusion Beats GANs", "", 2021, [a["émile Gamma"], a["Bob delta"]],
         ["vision", "apple"], None),
        ("Score Models", "Diffusion by scores.", 2021, [a["Cy Epsilon"]], ["Äpfel", "zebra-2"],
         nips),
        ("Adversarial Nets", "No such word.", 2014, [a["zoe Alpha"]], ["vision"], icml),
        ("Video Diffusion", "", None, [a["Bob delta"], a["Ada Beta"]], ["apple"], None),
        ("Secret Diffusion Draft", "", 2023, [a["Cy Epsilon"]], ["hidden"], icml),
    ]  # fmt: skip
    papers = {}
    for title, abstract, year, byline, tags, venue in rows:
        paper = PaperFactory(
            title=title,
            abstract=abstract,
            year=year,
            authors=byline,
            tags=tags,
            status=Status.DRAFT if "Draft" in title else Status.PUBLISHED,
        )
        if venue is not None:
            paper.published_in = venue
            paper.save()
        papers[title.split()[0].lower()] = paper
    return {**papers, **authors, "nips": nips, "icml": icml}


_kept_rows, shelf = fixture_rows(make_shelf)


def shown(response):
    """The titles of the page, the count and the facets as the list shows them."""
    assert response.status_code == 200
    context = response.context
    return {
        "titles": [paper.title for paper in context["papers"]],
        "count": context["page_obj"].paginator.count,
        "years": [(item["year"], item["count"]) for item in context["year_facets"]],
        "tags": [(tag.name, tag.slug, tag.count) for tag in context["tag_facets"]],
        "authors": [(f.name, f.slug, f.count) for f in context["author_facets"]],
        "venues": [(venue.label, venue.slug, venue.count) for venue in context["venue_facets"]],
    }


def grouped(params):
    """The count and facets of the plain filter (every word matched on every row) by the
    grouped queries, as the list counted them before its matches were kept."""
    filterset = PaperFilter(QueryDict(params), queryset=Paper.objects.published())
    assert filterset.is_valid()
    facets = side_facets(filterset.qs)
    return {
        "count": filterset.qs.count(),
        "tags": [(f.name, f.slug, f.count) for f in facets["tags"]],
        "authors": [(f.name, f.slug, f.count) for f in facets["authors"]],
        "venues": [(f.label, f.slug, f.count) for f in facets["venues"]],
    }


LISTS = [
    "q=diffusion",
    "q=diffusion&year=2021",
    "q=s&sort=title",  # nearly every row: many tags and authors tied at 1
]
# Other filters with the words: asked before and after no change only.
COMBINED = ["q=DIFFUSION+models&tag=vision", "q=diffusion&venue=nips", "q=models&year_min=2021"]


def check(client, lists=LISTS):
    """Each list as kept (patched with the changes since) equals it after a bump of the
    content version (counted again from the kept matches), made from scratch (the cache
    emptied), and the count and facets of the grouped queries."""
    pages = all_pages(lists)
    kept = [shown(client.get(page)) for page in pages]
    bump_content_version()
    cold = [shown(client.get(page)) for page in pages]
    cache.clear()
    scratch = [shown(client.get(page)) for page in pages]
    assert kept == scratch
    assert cold == scratch
    for params, page in zip([*lists, "q=models&year=2021"], scratch, strict=True):
        assert {key: page[key] for key in ("count", "tags", "authors", "venues")} == grouped(
            params
        ), params


def all_pages(lists=LISTS):
    """The lists, and a year's own page narrowed by text."""
    return [
        *(f"{LIST}?{params}" for params in lists),
        reverse("papers:paper_year", args=["2021"]) + "?q=models",
    ]


def fill(client):
    """Every list asked once: its matches kept, to be patched by what follows."""
    for page in all_pages():
        assert client.get(page).status_code == 200


def reload(paper):
    return Paper.objects.get(pk=paper.pk)


def edit(paper, **fields):
    paper = reload(paper)
    for name, value in fields.items():
        setattr(paper, name, value)
    paper.save()


CHANGES = {
    "a title newly matching": lambda s: edit(s["adversarial"], title="Adversarial Diffusion"),
    "a title no longer matching": lambda s: edit(s["latent"], title="Latent Models"),
    "an abstract newly matching": lambda s: edit(s["adversarial"], abstract="Diffusion, too."),
    "an abstract no longer matching": lambda s: edit(s["denoising"], abstract="Noise."),
    "a tag added": lambda s: reload(s["denoising"]).tags.add("vision", "new tag"),
    "a tag removed": lambda s: reload(s["latent"]).tags.remove("vision"),
    "tags set": lambda s: reload(s["diffusion"]).tags.set(["zebra", "Generative"]),
    "an author added": lambda s: Authorship.objects.create(
        paper=reload(s["score"]), author=s["zoe Alpha"], position=5
    ),
    "an author removed": lambda s: Authorship.objects.filter(
        paper=s["latent"], author=s["Ada Beta"]
    ).delete(),
    "a venue changed": lambda s: edit(s["diffusion"], published_in=s["icml"]),
    "a venue removed": lambda s: edit(s["latent"], published_in=None),
    "a year changed": lambda s: edit(s["latent"], year=2021),
    "unpublished": lambda s: edit(s["latent"], status=Status.DRAFT),
    "a draft published": lambda s: edit(s["secret"], status=Status.PUBLISHED),
    "deleted": lambda s: reload(s["diffusion"]).delete(),
    "a new paper": lambda s: PaperFactory(
        title="Consistency Diffusion", year=2024, authors=[s["Cy Epsilon"]], tags=["vision"]
    ),
    "a status written without a save": lambda s: (
        Paper.objects.filter(pk=s["latent"].pk).update(status=Status.DRAFT),
        Paper.objects.filter(pk=s["secret"].pk).update(status=Status.PUBLISHED),
        bump_content_version(),
    ),
    "years and venues written without a save": lambda s: (
        Paper.objects.filter(pk=s["latent"].pk).update(year=2020, published_in=s["icml"]),
        bump_content_version(),
    ),
    "a tag renamed": lambda s: _save_tag("apple", "Banana"),
    "a tag merged": lambda s: merge_tags(
        Tag.objects.get(name="vision"), Tag.objects.get(name="apple")
    ),
    "a tag deleted": lambda s: Tag.objects.get(name="vision").delete(),
    "an author renamed": lambda s: _rename_author(s["Cy Epsilon"], "Aaron Zed"),
    "authors merged": lambda s: merge_authors(s["Bob delta"], [s["Ada Beta"]]),
    "a venue renamed": lambda s: _rename_venue(s["icml"], "AAAI"),
}


def _save_tag(old, new):
    tag = Tag.objects.get(name=old)
    tag.name = new
    tag.save()


def _rename_author(author, name):
    author = Author.objects.get(pk=author.pk)
    author.name = name
    author.save()


def _rename_venue(venue, short_name):
    venue = Venue.objects.get(pk=venue.pk)
    venue.short_name = short_name
    venue.save()


def test_the_lists_as_first_made_equal_them_kept_and_made_from_scratch(client, shelf):
    check(client, LISTS + COMBINED)


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.replace(" ", "-"))
def test_after_each_change_the_kept_lists_equal_the_lists_made_from_scratch(client, shelf, change):
    fill(client)
    CHANGES[change](shelf)
    check(client)


def counts_reading_text(captured):
    """The queries other than the page's own that match words in titles or abstracts."""
    return [
        q["sql"]
        for q in captured
        if (" LIKE " in q["sql"] or "~*" in q["sql"]) and " LIMIT " not in q["sql"]
    ]


def test_a_bump_counts_the_list_again_without_matching_a_word(client, shelf):
    """After ``bump_content_version()`` the count and facets are made again from the
    matches' rows read by primary key, their tags and authors from the kept matches."""
    first = shown(client.get(LIST, {"q": "diffusion"}))
    bump_content_version()
    with CaptureQueriesContext(connection) as captured:
        again = shown(client.get(LIST, {"q": "diffusion"}))
    assert again == first
    assert counts_reading_text(captured) == []
    assert any("COUNT(" not in q["sql"] and "year" in q["sql"] for q in captured)


def test_a_save_reads_the_saved_rows_words_tags_and_authors_only(client, shelf):
    client.get(LIST, {"q": "diffusion"})
    edit(shelf["adversarial"], title="Adversarial Diffusion")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"q": "diffusion"})
    reads = counts_reading_text(captured)
    # The saved row matched again by its key (SQLite: the page's rows are the kept keys).
    assert len(reads) == 1 and "json_each" not in reads[0] and "ANY(" not in reads[0]
    assert "Adversarial Diffusion" in shown(response)["titles"]


def test_a_deleted_tag_gives_its_place_among_the_most_used_to_the_next(client):
    """A tag deleted since the matches were kept is still in them (its links go without a
    rewrite of the documents): counted without it, the next tag below the cut comes in."""
    tags = [f"k{i:02}" for i in range(19)]
    PaperFactory(title="Zeppelin one", tags=["top", *tags])
    PaperFactory(title="Zeppelin two", tags=["top", *tags])
    PaperFactory(title="Zeppelin three", tags=["top", "z1", "z2"])
    first = shown(client.get(LIST, {"q": "zeppelin"}))
    assert first["tags"][0] == ("top", "top", 3) and len(first["tags"]) == 20
    Tag.objects.get(name="top").delete()
    bump_content_version()
    now = shown(client.get(LIST, {"q": "zeppelin"}))
    assert [name for name, _, _ in now["tags"]] == [*tags, "z1"]
    assert {k: now[k] for k in ("count", "tags", "authors", "venues")} == grouped("q=zeppelin")


def test_tags_tied_at_the_cut_are_chosen_by_name_not_by_when_they_were_linked(client):
    """21 tags on one match, each counted once: the 20 shown are the first by name,
    though the one first by name was linked last (the kept totals list it last)."""
    paper = PaperFactory(title="Zeppelin", tags=[f"t{i:02}" for i in range(20)])
    reload(paper).tags.add("aaa")
    now = shown(client.get(LIST, {"q": "zeppelin"}))
    assert [name for name, _, _ in now["tags"]] == ["aaa", *(f"t{i:02}" for i in range(19))]
    assert {k: now[k] for k in ("count", "tags", "authors", "venues")} == grouped("q=zeppelin")
