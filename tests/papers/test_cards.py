"""Paper cards are kept per paper (papers/cards.py): an edit renders one card again, and
whatever a card shows beside its paper's row (tags, byline, names) is on the next page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.cards import render_cards
from papers.merging import merge_authors, merge_tags
from papers.models import Author, Authorship, Paper, Venue
from papers.site.cache import bump_content_version, cards_version, changes_bumped_at_end
from papers.tagging import Tag
from tests.factories import AuthorFactory, PaperFactory

pytestmark = pytest.mark.django_db

LIST = reverse("papers:paper_list")


@pytest.fixture
def papers():
    ada, bo = AuthorFactory(name="Ada Lovelace"), AuthorFactory(name="Bo Peep")
    return [
        PaperFactory(title="First card", year=2020, tags=["vision"], authors=[ada]),
        PaperFactory(title="Second card", year=2021, tags=["vision", "speech"], authors=[bo]),
    ]


def rows(papers):
    return list(Paper.objects.filter(pk__in=[p.pk for p in papers]).for_cards().order_by("pk"))


def cards_of(papers):
    return render_cards(None, rows(papers))


def card_html(client, title):
    """The card of the paper titled ``title`` on the paper list."""
    page = client.get(LIST).content.decode()
    start = page.index(f">{title}</a>")
    return page[page.rindex("<article", 0, start) : page.index("</article>", start)]


def test_an_edit_renders_only_the_edited_papers_card_again(papers, django_assert_num_queries):
    cards_of(papers)
    first = papers[0]
    first.title = "First card, retitled"
    first.save()
    current = rows(papers)
    # Byline and tags of the one card not current (two queries), the other card is kept.
    with django_assert_num_queries(2) as captured:
        cards = render_cards(None, current)
    assert all(f"IN ({first.pk})" in query["sql"] for query in captured.captured_queries)
    assert "First card, retitled" in cards[0]
    with django_assert_num_queries(0):
        assert render_cards(None, current) == cards


def test_cards_are_kept_when_every_page_and_count_is_invalidated(papers, django_assert_num_queries):
    current = rows(papers)
    cards = render_cards(None, current)
    bump_content_version()
    with django_assert_num_queries(0):
        assert render_cards(None, current) == cards


def test_a_renamed_tag_is_on_the_cards_at_once(client, papers):
    assert ">vision</a>" in card_html(client, "Second card")
    tag = Tag.objects.get(name="vision")
    tag.name = "computer vision"
    tag.save()
    card = card_html(client, "Second card")
    assert ">computer vision</a>" in card and ">vision</a>" not in card
    assert reverse("tag_detail", args=[Tag.objects.get(pk=tag.pk).slug]) in card


def test_a_renamed_author_is_on_the_cards_at_once(client, papers):
    assert "Ada Lovelace" in card_html(client, "First card")
    author = Author.objects.get(name="Ada Lovelace")
    author.name = "Ada King"
    author.save()
    assert "Ada King" in card_html(client, "First card")
    assert "Ada Lovelace" not in client.get(LIST).content.decode()


def test_a_renamed_venue_is_on_the_cards_at_once(client, papers):
    # A paper linked to its venue with no free-text venue of its own: the venue's name.
    first = Paper.objects.get(pk=papers[0].pk)
    first.venue = ""
    first.published_in = Venue.objects.create(name="Conference on Cards", short_name="CoC")
    first.save()
    assert ">CoC</a>" in card_html(client, "First card")
    venue = Venue.objects.get(short_name="CoC")
    venue.short_name = "CC"
    venue.save()
    assert ">CC</a>" in card_html(client, "First card")


def test_a_saved_author_whose_name_is_unchanged_keeps_every_card(papers):
    cards_of(papers)
    version = cards_version()
    author = Author.objects.get(name="Ada Lovelace")
    author.affiliation = "Analytical Engines Ltd"
    author.save()
    assert cards_version() == version


def test_tags_added_and_removed_are_on_the_card_at_once(client, papers):
    first = Paper.objects.get(pk=papers[0].pk)
    card_html(client, "First card")
    first.tags.add("robotics")
    assert ">robotics</a>" in card_html(client, "First card")
    first.tags.remove("vision")
    assert ">vision</a>" not in card_html(client, "First card")
    # From the tag's side (a reverse relation of the through table).
    Tag.objects.get(name="robotics").delete()
    assert ">robotics</a>" not in card_html(client, "First card")


def test_bylines_added_moved_and_removed_are_on_the_card_at_once(client, papers):
    first = Paper.objects.get(pk=papers[0].pk)
    card_html(client, "First card")
    cy = AuthorFactory(name="Cy Young")
    byline = Authorship.objects.create(paper=first, author=cy, position=1)
    assert "Ada Lovelace</a>, <a" in card_html(client, "First card")
    Authorship.objects.filter(paper=first, author__name="Ada Lovelace").update(position=2)
    byline.position = 0
    byline.save()
    assert "Cy Young</a>, <a" in card_html(client, "First card")
    byline.delete()
    assert "Cy Young" not in card_html(client, "First card")
    first.authors.add(cy, through_defaults={"position": 5})
    assert "Cy Young" in card_html(client, "First card")
    cy.papers.clear()
    assert "Cy Young" not in card_html(client, "First card")


def test_merged_authors_and_tags_are_on_the_cards_at_once(client, papers):
    card_html(client, "Second card")
    merge_authors(Author.objects.get(name="Ada Lovelace"), [Author.objects.get(name="Bo Peep")])
    assert "Ada Lovelace" in card_html(client, "Second card")
    merge_tags(Tag.objects.get(name="speech"), Tag.objects.get(name="vision"))
    assert ">speech</a>" not in card_html(client, "Second card")


def test_links_written_in_a_batch_move_the_cards_version_once_at_its_end(papers):
    version = cards_version()
    with changes_bumped_at_end():
        for paper in papers:
            Paper.objects.get(pk=paper.pk).tags.add("batch")
        assert cards_version() == version
    assert cards_version() != version


def test_a_tag_page_shows_the_kept_cards_without_reading_their_bylines_again(client, papers):
    tag_page = reverse("tag_detail", args=["vision"])
    client.get(LIST)  # both cards rendered
    bump_content_version()  # every page and count again, the cards kept
    with CaptureQueriesContext(connection) as captured:
        page = client.get(tag_page).content.decode()
    assert page.count('class="card paper-card"') == 2
    assert "Ada Lovelace" in page and "Bo Peep" in page
    assert not [q for q in captured.captured_queries if "papers_authorship" in q["sql"]]
    author = Author.objects.get(name="Bo Peep")
    author.name = "Bo Renamed"
    author.save()
    assert "Bo Renamed" in client.get(tag_page).content.decode()
