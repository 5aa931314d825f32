"""Figures know their size (papers 0012): pages give every figure <img> its width and height,
so nothing below it moves while it loads (Lighthouse's layout shift), without opening files."""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse

from papers.models import Figure
from tests.factories import FigureFactory, PaperFactory, png_bytes
from tests.papers.test_topics import topic

pytestmark = pytest.mark.django_db

fill_dimensions = importlib.import_module(
    "papers.migrations.0012_figure_width_height"
).fill_dimensions


def test_an_uploaded_figure_stores_its_pixel_width_and_height():
    figure = FigureFactory(image=ContentFile(png_bytes((640, 360)), name="wide.png"))
    figure = Figure.objects.get(pk=figure.pk)
    assert (figure.image_width, figure.image_height) == (640, 360)


def test_paper_page_gives_each_figure_its_size_fetches_the_first_first_and_the_rest_lazily(client):
    paper = PaperFactory()
    FigureFactory(paper=paper, position=1, image=ContentFile(png_bytes((640, 360)), name="a.png"))
    FigureFactory(paper=paper, position=2, image=ContentFile(png_bytes((300, 500)), name="b.png"))
    html = client.get(paper.get_absolute_url()).content.decode()
    figures = html[html.index('<section class="figures">') :]
    first, second = figures.split("<img")[1:3]
    assert 'width="640" height="360" fetchpriority="high">' in first
    assert 'width="300" height="500" loading="lazy"' in second


def test_topic_list_figure_is_480_wide_with_the_height_of_its_aspect_ratio(client):
    topic("Vision", 1)
    paper = PaperFactory(tags=["Vision"])
    FigureFactory(paper=paper, image=ContentFile(png_bytes((640, 360)), name="a.png"))
    html = client.get(reverse("papers:topics")).content.decode()
    assert 'width="480" height="270"' in html


def test_migration_fills_the_size_of_figures_stored_before_and_skips_missing_files():
    kept = FigureFactory(image=ContentFile(png_bytes((120, 80)), name="kept.png"))
    lost = FigureFactory(image=ContentFile(png_bytes((50, 50)), name="lost.png"))
    lost.image.storage.delete(lost.image.name)
    Figure.objects.update(image_width=None, image_height=None)

    fill_dimensions(apps, None)

    sizes = dict(Figure.objects.values_list("pk", "image_width"))
    assert sizes == {kept.pk: 120, lost.pk: None}
    assert Figure.objects.get(pk=kept.pk).image_height == 80


def test_a_figure_of_unknown_size_renders_without_width_and_height(client):
    paper = PaperFactory()
    figure = FigureFactory(paper=paper)
    Figure.objects.filter(pk=figure.pk).update(image_width=None, image_height=None)
    html = client.get(paper.get_absolute_url()).content.decode()
    img = html[html.index('<section class="figures">') :].split("<img")[1].split(">")[0]
    assert "width=" not in img and "alt=" in img
