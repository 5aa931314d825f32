"""The public URL map of DESIGN.md, pinned by name."""

from urllib.parse import unquote

import pytest
from django.urls import resolve, reverse


@pytest.mark.parametrize(
    ("name", "args", "path"),
    [
        ("home", [], "/"),
        ("papers:paper_list", [], "/papers/"),
        ("papers:paper_year", ["2021"], "/papers/2021/"),
        ("papers:paper_detail", ["gpt-3"], "/papers/gpt-3/"),
        ("papers:paper_bibtex", ["gpt-3"], "/papers/gpt-3.bib"),
        ("papers:author_detail", ["geoffrey-hinton"], "/authors/geoffrey-hinton/"),
        ("tag_index", [], "/tags/"),
        ("tag_detail", ["vision"], "/tags/vision/"),
        ("tag_detail", ["vision+self-supervised"], "/tags/vision+self-supervised/"),
        ("tag_feed", ["vision"], "/tags/vision/feed/"),
        ("papers:paper_reference", ["arXiv:2005.14165"], "/papers/ref/arXiv:2005.14165/"),
        ("search", [], "/search/"),
        ("about", [], "/about/"),
        ("papers:topics", [], "/topics/"),
        ("papers:topics_feed", [], "/topics/feed/"),
        ("papers:topics_bibtex", [], "/topics/topics.bib"),
        ("robots_txt", [], "/robots.txt"),
        ("sitemap", [], "/sitemap.xml"),
        ("sitemap_section", ["papers"], "/sitemap-papers.xml"),
    ],
)
def test_named_routes(name, args, path):
    assert reverse(name, args=args) == path
    assert resolve(path).url_name == name.split(":")[-1]


def test_unicode_tag_url_round_trips():
    path = reverse("tag_detail", args=["机器学习"])
    assert path == "/tags/%E6%9C%BA%E5%99%A8%E5%AD%A6%E4%B9%A0/"
    assert resolve(unquote(path)).kwargs == {"slugs": "机器学习"}
