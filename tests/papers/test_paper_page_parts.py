"""A paper's page is kept per paper (papers/pages.py): a visit whose page is not cached
reads one row, a save elsewhere keeps it, and whatever the page shows is current on the
next request after it changes."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from papers.models import Author, Paper, PaperLink, RelatedPaper, Status, Venue
from papers.site import cache as page_cache
from papers.site.cache import bump_content_version
from papers.tagging import Tag
from tests.blog.factories import ReportFactory
from tests.factories import AuthorFactory, FigureFactory, PaperFactory, PaperLinkFactory
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper():
    return PaperFactory(
        title="Denoising Diffusion Probabilistic Models",
        alias="DDPM",
        year=2020,
        authors=[AuthorFactory(name="Jonathan Ho")],
        tags=["diffusion"],
    )


def forget_page(url):
    """Drop the URL's stored page, as the bench's "miss" does: other caches stay."""
    address = page_cache._page_address(RequestFactory().get(url))
    cache.delete(f"papershelf:page:{page_cache.release()}:{address}")
    page_cache._local.clear()


def page(client, paper):
    response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_page_not_cached_reads_only_the_papers_row(client, paper, django_assert_num_queries):
    first = page(client, paper)
    forget_page(paper.get_absolute_url())
    with django_assert_num_queries(1):
        again = page(client, paper)
    assert again == first


def test_text_from_a_kept_page_is_escaped_as_on_the_first_visit(client):
    paper = PaperFactory(
        title="Ranking <b>bold</b> & co", abstract="x < y, <script>alert(1)</script>"
    )
    first = page(client, paper)
    forget_page(paper.get_absolute_url())
    again = page(client, paper)
    assert again == first
    assert "<title>Ranking &lt;b&gt;bold&lt;/b&gt; &amp; co" in again
    assert "<script>alert(1)" not in again


def test_a_save_elsewhere_keeps_the_page_parts(client, paper, django_assert_num_queries):
    first = page(client, paper)
    other = PaperFactory(title="Unrelated paper")
    other.abstract = "Edited."
    other.save()
    # The page itself is rendered again (a new content version), from its kept parts: the
    # paper's row, and the site settings (read once per content version, for the header).
    with django_assert_num_queries(2) as captured:
        assert page(client, paper) == first
    assert [query["sql"].split(" FROM ")[1].split()[0] for query in captured] == [
        '"papers_paper"',
        '"papers_sitesettings"',
    ]


def test_an_explicit_bump_makes_the_parts_again(client, paper):
    page(client, paper)
    # Rows written without signals (here: the notes' HTML, as re-rendered wiki-links are).
    Paper.objects.filter(pk=paper.pk).update(notes_html="<p>Rewritten without a signal.</p>")
    bump_content_version()
    assert "Rewritten without a signal." in page(client, paper)


def test_the_papers_own_edit_is_on_the_next_page(client, paper):
    page(client, paper)
    paper.notes = "A *new* note."
    paper.save()
    assert "<em>new</em>" in page(client, paper)


def test_tags_bylines_and_names_are_on_the_next_page(client, paper):
    page(client, paper)
    paper.tags.add("generative models")
    assert ">generative models</a>" in page(client, paper)
    paper.tags.remove("diffusion")
    assert 'href="/tags/diffusion/"' not in page(client, paper)
    paper.authors.add(AuthorFactory(name="Ajay Jain"), through_defaults={"position": 1})
    assert "Ajay Jain" in page(client, paper)
    author = Author.objects.get(name="Jonathan Ho")
    author.name = "Jonathan Ho Jr."
    author.save()
    assert "Jonathan Ho Jr." in page(client, paper)
    tag = Tag.objects.get(name="generative models")
    tag.name = "generative modelling"
    tag.save()
    assert ">generative modelling</a>" in page(client, paper)


def test_links_and_figures_are_on_the_next_page(client, paper):
    page(client, paper)
    link = PaperLinkFactory(paper=paper, url="https://github.com/hojonathanho/diffusion")
    assert "https://github.com/hojonathanho/diffusion" in page(client, paper)
    link.delete()
    assert "https://github.com/hojonathanho/diffusion" not in page(client, paper)
    assert not PaperLink.objects.filter(paper=paper).exists()
    figure = FigureFactory(paper=paper, caption="The forward process.")
    assert "The forward process." in page(client, paper)
    figure.delete()
    assert "The forward process." not in page(client, paper)


def test_a_venues_kind_is_in_the_next_pages_citation(client, paper):
    venue = Venue.objects.create(name="Neural Information Processing Systems", kind="conference")
    paper.published_in = venue
    paper.venue = venue.name
    paper.save()
    assert "citation_conference_title" in page(client, paper)
    venue.kind = "journal"
    venue.save()
    html = page(client, paper)
    assert "citation_journal_title" in html and "citation_conference_title" not in html


def test_what_other_papers_show_of_a_paper_is_on_their_next_page(client, paper):
    older = PaperFactory(title="Score matching", year=2005)
    paper.related.add(older)
    assert "Score matching" in page(client, paper)
    assert "Denoising Diffusion Probabilistic Models" in page(client, older)
    older.title = "Estimation by score matching"
    older.save()
    assert "Estimation by score matching" in page(client, paper)
    paper.title = "Denoising diffusion models"
    paper.save()
    assert "Denoising diffusion models" in page(client, older)
    older.status = Status.DRAFT
    older.save()
    assert "Estimation by score matching" not in page(client, paper)
    older.status = Status.PUBLISHED
    older.save()
    paper.related.remove(older)
    assert "Estimation by score matching" not in page(client, paper)


def test_mentions_and_similar_papers_are_on_the_next_page(client, paper):
    page(client, paper)
    citing = PaperFactory(title="Improved DDPM", notes="Builds on [[DDPM]].")
    assert "Improved DDPM" in page(client, paper)
    citing.delete()
    assert "Improved DDPM" not in page(client, paper)
    similar = PaperFactory(title="Score-based generative modelling")
    RelatedPaper.objects.create(paper=paper, other=similar, rank=0, score=0.5)
    bump_content_version()  # as papers/related.py does after its bulk writes
    assert "Score-based generative modelling" in page(client, paper)


def test_reports_and_sessions_about_the_paper_are_on_the_next_page(client, paper):
    page(client, paper)
    report = ReportFactory(title="Reading DDPM", papers=[paper])
    assert "Reading DDPM" in page(client, paper)
    report.title = "Reading DDPM again"
    report.save()
    assert "Reading DDPM again" in page(client, paper)
    session = PresentationFactory(paper=paper, title="Diffusion night")
    assert "Diffusion night" in page(client, paper)
    session.status = Status.DRAFT
    session.save()
    assert "Diffusion night" not in page(client, paper)


def test_a_report_scheduled_for_later_appears_at_its_time_without_a_save(client, paper):
    now = timezone.now()
    ReportFactory(
        title="Scheduled DDPM report",
        papers=[paper],
        published_at=now + datetime.timedelta(hours=2),
    )
    with time_machine.travel(now + datetime.timedelta(hours=1), tick=False):
        assert "Scheduled DDPM report" not in page(client, paper)
    with time_machine.travel(now + datetime.timedelta(hours=2, seconds=1), tick=False):
        assert "Scheduled DDPM report" in page(client, paper)


def test_an_unknown_slug_still_redirects_to_the_paper_it_names(client, paper):
    response = client.get(reverse("papers:paper_detail", args=["DDPM"]))
    assert response.status_code in (301, 302)
    assert response["Location"].endswith(paper.get_absolute_url())


def test_related_lists_rewritten_by_the_update_job_are_on_the_next_pages(client):
    from papers import related

    texts = {
        "Denoising diffusion probabilistic models": "Image synthesis by removing noise.",
        "Latent diffusion models": "Diffusion in an autoencoder's latent space for images.",
        "Generative adversarial networks": "A generator and a discriminator.",
        "BERT: pre-training of deep bidirectional transformers": "Masked language models.",
        "Language models are few-shot learners": "A large transformer language model.",
    }
    papers = [PaperFactory(title=title, abstract=text) for title, text in texts.items()]
    related.rebuild()
    before = {paper.pk: page(client, paper) for paper in papers}
    bert = papers[3]
    bert.abstract = "Diffusion image synthesis with a denoising generator."
    bert.save()
    # The job's bulk writes: only the pages of the papers whose lists it rewrote are made
    # again (papers/related.py, ``_changed``); every page shows its current list.
    assert related.update([bert.pk]) > 0
    for paper in papers:
        html = page(client, paper)
        section = html[html.index('<section class="similar"') :]
        section = section[: section.index("</section>")]
        current = [other.title for other in related.related_to(paper)]
        assert current and sorted(current, key=section.index) == current, paper.title
    assert any(page(client, paper) != before[paper.pk] for paper in papers if paper != bert)


def test_a_renamed_report_section_is_on_the_next_page(client, paper):
    from blog.models import Kind
    from papers.models import SiteSettings

    ReportFactory(title="Weekly DDPM", papers=[paper], kind=Kind.PAPER_OF_THE_WEEK, number=3)
    assert "Paper of the week 3: Weekly DDPM" in page(client, paper)
    settings = SiteSettings.load()
    settings.section_texts = {"reports:paper-of-the-week": {"label": "Very recent papers"}}
    settings.save()
    assert "Very recent papers #3: Weekly DDPM" in page(client, paper)


def test_a_kept_page_is_not_served_once_its_paper_is_a_draft(client, paper):
    assert paper.title in page(client, paper)  # made and kept
    paper.status = Status.DRAFT
    paper.save()
    assert client.get(paper.get_absolute_url()).status_code == 404
    paper.status = Status.PUBLISHED
    paper.save()
    assert paper.title in page(client, paper)
