"""What ``manage.py demo`` puts in the paper database, and how the public site shows it.

Loading the demo takes a few seconds, so these read-only checks share one load through
Django's ``setUpTestData`` (each test still runs in its own rolled-back transaction).
"""

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from papers.demo_data import FIGURE_CREDIT, GENERAL, LANGUAGE, VISION
from papers.models import Author, Figure, Paper, PaperLink, Status, Tag
from tests.demo_state import DemoSnapshot

TOPICS = {LANGUAGE, VISION, GENERAL}

# Filler words that neither make a tag different nor count in its initials.
FILLER = {"and", "of", "the", "for", "in"}


def near_duplicate_key(name):
    """A tag name without case, punctuation, plurals, "-ing" or doubled final letters."""
    words = []
    for word in re.findall(r"[0-9a-z]+", name.casefold()):
        if word in FILLER:
            continue
        if word.endswith("ing") and len(word) > 5:
            word = word[:-3]
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            word = word[:-1]
        if len(word) > 3 and word[-1] == word[-2]:
            word = word[:-1]
        words.append(word)
    return " ".join(words)


def initials(key):
    words = key.split()
    return "".join(word[0] for word in words) if len(words) > 1 else None


def by_alias(alias):
    return Paper.objects.get(alias=alias)


@pytest.mark.usefixtures("demo_snapshot")
class DemoContentTests(TestCase):
    @classmethod
    def setUpClass(cls):
        # The figures are written once, here; each test's own MEDIA_ROOT would not have them.
        cls.media = Path(tempfile.mkdtemp(prefix="papershelf-demo-"))
        cls.addClassCleanup(shutil.rmtree, cls.media, ignore_errors=True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=cls.media))
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        # What a fresh ``manage.py demo`` leaves, rows and files, from the run this test
        # process made once (tests/demo_state.py).
        DemoSnapshot.last.restore(cls.media)

    # --- the data ---------------------------------------------------------------------

    def test_every_demo_paper_passes_editor_validation(self):
        for paper in Paper.objects.all():
            paper.full_clean()

    def test_tags_have_no_near_duplicates(self):
        # Every app's demo tags (papers, reports, sessions) are one vocabulary: "vision"
        # beside "Vision and Image Generation", "3d" beside "3D", "sequence models" beside
        # "sequence modeling" or "LLM" beside "large language models" are one topic, one tag.
        keys = {tag.name: near_duplicate_key(tag.name) for tag in Tag.objects.all()}
        seen = {}
        for name, key in keys.items():
            assert key not in seen, (name, seen.get(key))
            seen[key] = name
        for name, key in keys.items():
            for other, other_key in keys.items():
                if other == name:
                    continue
                assert not other_key.startswith(f"{key} "), (name, other)
                assert key != initials(other_key), (name, other)

    def test_the_near_duplicate_check_catches_the_names_it_is_meant_to(self):
        # The check above is only worth something if it tells these apart.
        assert near_duplicate_key("sequence models") == near_duplicate_key("Sequence modelling")
        assert near_duplicate_key("few-shot") == near_duplicate_key("Few shot")
        assert near_duplicate_key("3D") == near_duplicate_key("3d")
        assert initials(near_duplicate_key("large language models")) == "llm"
        assert near_duplicate_key("state space models") != near_duplicate_key("sequence models")

    def test_papers_with_a_venue_link_a_venue_of_the_right_kind(self):
        papers = Paper.objects.exclude(venue="").select_related("published_in")
        assert papers.exists()
        assert all(paper.published_in for paper in papers)
        assert by_alias("ViT").published_in.short_name == "ICLR"
        kinds = {p.published_in.short_name: p.published_in.kind for p in papers}
        assert kinds["CVPR"] == "conference" and kinds["Nature"] == "journal"

    def test_facts_match_the_seed_entries(self):
        gpt3 = Paper.objects.get(arxiv_id="2005.14165")
        assert (gpt3.title, gpt3.alias, gpt3.year, gpt3.month) == (
            "Language Models are Few-Shot Learners",
            "GPT-3",
            2020,
            5,
        )
        # The seed links to …/2304.03442v2; the stored id has no version.
        assert Paper.objects.get(arxiv_id="2304.03442").year == 2023
        chinchilla = by_alias("Chinchilla")
        assert (chinchilla.arxiv_id, chinchilla.month, chinchilla.venue) == (
            "2203.15556",
            3,
            "NeurIPS 2022",
        )
        gpt2 = by_alias("GPT-2")
        assert gpt2.arxiv_id is None and gpt2.pdf_url.endswith("/language-models.pdf")
        assert by_alias("TabPFN").doi == "10.1038/s41586-024-08328-6"

    def test_transformer_authors_are_in_byline_order(self):
        names = [author.name for author in by_alias("Transformer").ordered_authors()]
        assert names == [
            "Ashish Vaswani",
            "Noam Shazeer",
            "Niki Parmar",
            "Jakob Uszkoreit",
            "Llion Jones",
            "Aidan N. Gomez",
            "Łukasz Kaiser",
            "Illia Polosukhin",
        ]

    def test_authors_are_shared_between_papers_and_include_non_ascii_names(self):
        prolific = Author.objects.annotate(n=Count("papers")).filter(n__gte=3)
        assert prolific.count() >= 5
        assert Author.objects.get(name="Ross Girshick").papers.count() == 7
        non_ascii = {author.name for author in Author.objects.all() if not author.name.isascii()}
        assert {"Łukasz Kaiser", "Piotr Dollár", "Hervé Jégou", "Grégoire Delétang"} <= non_ascii

    def test_every_paper_has_exactly_one_seed_topic_and_finer_tags_overlap(self):
        for paper in Paper.objects.prefetch_related("tags"):
            names = {tag.name for tag in paper.tags.all()}
            assert len(names & TOPICS) == 1, paper
            assert len(names) >= 2, paper
        usage = dict(
            Tag.objects.annotate(n=Count("papers_taggedpaper_items")).values_list("name", "n")
        )
        for finer in ("transformers", "LLM", "self-supervised", "object detection", "attention"):
            assert usage[finer] >= 5, finer
        assert usage["diffusion"] == 2

    def test_two_or_three_drafts_and_the_rest_published(self):
        drafts = Paper.objects.filter(status=Status.DRAFT).count()
        assert 2 <= drafts <= 3
        assert Paper.objects.published().count() == Paper.objects.count() - drafts

    def test_notes_carry_math_code_a_table_and_a_footnote(self):
        notes = list(Paper.objects.values_list("alias", "notes_html"))
        assert all(html for _, html in notes)
        with_display_math = {alias for alias, html in notes if 'class="math-display"' in html}
        assert {"Transformer", "LoRA", "DDPM"} <= with_display_math
        assert re.search(r"<p>[^<]*<math", by_alias("Chinchilla").notes_html)  # inline
        with_python = {alias for alias, html in notes if "language-python" in html}
        assert {"Transformer", "LoRA"} <= with_python
        assert "<table>" in by_alias("Faster R-CNN").notes_html
        assert 'class="footnote"' in by_alias("GPT-2").notes_html
        assert not [alias for alias, html in notes if "math-error" in html or "fallback" in html]

    def test_typed_links_only_where_the_seeds_give_them(self):
        links = {(link.paper.title, link.kind, link.url) for link in PaperLink.objects.all()}
        assert (
            "Grounded Segment Anything",
            "code",
            "https://github.com/IDEA-Research/Grounded-Segment-Anything",
        ) in links
        assert (
            "Efficient Streaming Language Models with Attention Sinks",
            "blog",
            "https://huggingface.co/blog/tomaarsen/attention-sinks",
        ) in links
        assert {kind for _, kind, _ in links} <= {"code", "blog", "project"}

    def test_previous_work_follows_the_seeds_and_the_gpt_line(self):
        instruct = set(by_alias("InstructGPT").related.values_list("arxiv_id", flat=True))
        assert {"2009.01325", "2005.14165"} <= instruct  # the seed's "relevant previous work"
        assert by_alias("GPT-2") in by_alias("GPT-3").related.all()
        assert by_alias("GPT") in by_alias("GPT-2").related.all()
        fast = Paper.objects.get(title="Fast R-CNN")
        assert by_alias("Faster R-CNN") in fast.followups.all()

    def test_figures_are_real_pngs_with_caption_and_credit(self):
        figures = Figure.objects.all()
        assert figures.values("paper").distinct().count() >= 5
        for figure in figures:
            assert figure.caption and figure.credit == FIGURE_CREDIT
            with Image.open(self.media / figure.image.name) as image:
                assert image.format == "PNG" and image.width > 300 and image.height > 80

    # --- what visitors see ------------------------------------------------------------

    def test_public_pages_show_demo_papers_and_hide_drafts(self):
        drafts = list(Paper.objects.filter(status=Status.DRAFT))
        pages = [
            reverse("home"),
            reverse("papers:paper_list"),
            reverse("papers:paper_list") + "?tag=language",
            Author.objects.get(name="Alec Radford").get_absolute_url(),
        ]
        for url in pages:
            response = self.client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert html.count('class="card paper-card"') >= 3, url
            for draft in drafts:
                assert draft.get_absolute_url() not in html, (url, draft)
        assert self.client.get(drafts[0].get_absolute_url()).status_code == 404

    def test_tag_page_of_a_demo_topic_lists_the_topics_published_papers(self):
        response = self.client.get(reverse("tag_detail", args=["language"]))
        assert response.status_code == 200
        html = response.content.decode()
        tagged = Paper.objects.published().filter(tags__slug="language")
        assert tagged.exists()
        for paper in tagged[:5]:
            assert paper.get_absolute_url() in html, paper
        for draft in Paper.objects.filter(status=Status.DRAFT):
            assert draft.get_absolute_url() not in html, draft

    def test_topic_filter_lists_only_that_topic(self):
        url = reverse("papers:paper_list") + "?tag=vision-and-image-generation"
        response = self.client.get(url)
        assert response.status_code == 200
        shown = response.context["page_obj"].paginator.count
        assert shown == Paper.objects.published().filter(tags__name=VISION).count() >= 20

    def test_paper_page_shows_math_code_figure_and_non_ascii_author(self):
        response = self.client.get(by_alias("Transformer").get_absolute_url())
        html = response.content.decode()
        assert response.status_code == 200
        assert "<math" in html and 'class="language-python highlight"' in html
        assert "Schematic drawn for the demo" in html and "/figures/" in html
        assert "Łukasz Kaiser" in html

    def test_author_page_lists_all_their_papers(self):
        response = self.client.get(Author.objects.get(name="Piotr Dollár").get_absolute_url())
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == 3

    def test_list_page_query_count_stays_small_with_all_demo_papers(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("papers:paper_list"))
        assert len(response.context["papers"]) == 20
        # Page, bylines, tags; the facet summary and facets; the site settings; and, as
        # the cache was emptied and no save made a version, the new version's schedule
        # (the first report and session moment after it: papers/site/cache.py).
        assert len(queries) <= 11
