"""The reading list by topic (/topics/): curated topics, their papers newest first, with
their own Atom feed and BibTeX file."""

import xml.etree.ElementTree as ET

import bibtexparser
import pytest
from django.urls import reverse
from lxml import html as lxml_html
from pytest_django.asserts import assertInHTML

from papers.models import Status, Tag, Topic
from tests.factories import FigureFactory, PaperFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def topic(name, position, description=""):
    tag, _ = Tag.objects.get_or_create(name=name)
    return Topic.objects.create(tag=tag, position=position, description=description)


def test_topics_are_in_their_order_with_papers_newest_first_badge_alias_figure_and_summary(
    client,
):
    topic("Vision and Image Generation", 2)
    topic("Language", 1, description="Papers about *language models*.")
    PaperFactory(
        title="Language Models are Few-Shot Learners", alias="GPT-3", year=2020, month=5,
        notes="Scaling a transformer makes in-context learning work.", tags=["Language"],
    )  # fmt: skip
    lora = PaperFactory(title="LoRA", year=2021, month=6, notes="", tags=["Language"])
    lora.abstract = "Low-rank adapters for fine-tuning."
    lora.save()
    vit = PaperFactory(title="An Image is Worth 16x16 Words", alias="ViT", year=2020, month=10,
                       tags=["Vision and Image Generation"])  # fmt: skip
    FigureFactory(paper=vit, caption="Patches into a transformer")
    vit.related.add(PaperFactory(title="Attention Is All You Need", alias="Transformer"))
    PaperFactory(title="Hidden Draft", tags=["Language"], status=Status.DRAFT)
    PaperFactory(title="Not On A Topic", tags=["optimisation"])

    html = client.get(reverse("papers:topics")).content.decode()
    assert html.index('id="topic-language"') < html.index('id="topic-vision-and-image-generation"')
    # The language topic's <section>, whole (assertInHTML needs a well-formed haystack).
    section = lxml_html.fromstring(html).get_element_by_id("topic-language")
    language = lxml_html.tostring(section, encoding="unicode")
    assert language.index("LoRA") < language.index("Few-Shot Learners")  # newest first
    assertInHTML('<span class="badge date">05.2020</span>', language)
    assert "(GPT-3)" in language
    assert "in-context learning work" in language  # the notes summarise
    assert "Low-rank adapters" in language  # else the abstract
    assertInHTML("<em>language models</em>", language)
    vision = html[html.index('id="topic-vision') :]
    assert 'alt="Patches into a transformer"' in vision and "/media/figures/" in vision
    assert 'Relevant previous work: <a href="/papers/transformer/">Transformer</a>' in vision
    assert "Hidden Draft" not in html and "Not On A Topic" not in html


def test_a_paper_in_two_topics_is_listed_under_both(client):
    topic("Language", 1)
    topic("General AI", 2)
    PaperFactory(title="Sparks Everywhere", tags=["Language", "General AI"])
    assert client.get(reverse("papers:topics")).content.decode().count("Sparks Everywhere") == 2


@pytest.mark.parametrize("n", [2, 20])
def test_the_topics_page_query_count_does_not_grow_with_papers(
    client, django_assert_max_num_queries, n
):
    topic("Language", 1)
    topic("Vision", 2)
    for i in range(n):
        paper = PaperFactory(tags=["Language" if i % 2 else "Vision"])
        FigureFactory(paper=paper)
    # topics, ranked papers, their figures, their previous work, the site settings
    with django_assert_max_num_queries(5):
        assert client.get(reverse("papers:topics")).status_code == 200


def test_the_topics_feed_is_atom_with_the_topic_papers_only(client):
    topic("Language", 1)
    PaperFactory(title="In The List", tags=["Language"])
    PaperFactory(title="Elsewhere", tags=["optimisation"])
    PaperFactory(title="Draft In The List", tags=["Language"], status=Status.DRAFT)
    response = client.get(reverse("papers:topics_feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own output
    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    assert titles == ["In The List"]


def test_the_topics_bibtex_parses_and_holds_the_topic_papers_only(client):
    topic("Language", 1)
    PaperFactory(title="In The List", tags=["Language"], arxiv_id="2005.14165")
    PaperFactory(title="Elsewhere", tags=["optimisation"])
    library = bibtexparser.parse_string(
        client.get(reverse("papers:topics_bibtex")).content.decode()
    )
    assert not library.failed_blocks
    assert [entry["title"].strip("{}") for entry in library.entries] == ["In The List"]


def test_with_no_topics_the_page_says_so(client):
    assert "No topics chosen yet." in client.get(reverse("papers:topics")).content.decode()
