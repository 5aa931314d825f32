"""The answer shapes arXiv's and Crossref's API documentation describe beyond one clean
record: paged feeds, entries and works with optional fields missing, refusals and rate
limits. The files in reconstructed/ are reconstructed from that documentation
(reconstructed/README.md).
"""

import httpx
import pytest

from papers.intake import arxiv
from papers.intake.lookup import look_up

PAGED = ["2010.11929", "1706.03762", "1512.03385"]


@pytest.fixture(autouse=True)
def _no_page_delay(monkeypatch):
    """arXiv asks for 3 s between calls; the recorded pages need no pause."""
    monkeypatch.setattr(arxiv, "PAGE_DELAY", 0)


def test_a_paged_arxiv_answer_is_followed_to_its_last_page(serve):
    requests = serve(
        {
            "start=2": ("arxiv_paged_rest.xml", 200),
            "export.arxiv.org": ("arxiv_paged_first.xml", 200),
        }
    )
    vit, attention, resnet = look_up(PAGED)
    assert [request.url.params.get("start") for request in requests] == [None, "2"]
    assert {request.url.params["id_list"] for request in requests} == {",".join(PAGED)}
    assert vit.record.title.startswith("An Image is Worth 16x16 Words")
    assert attention.record.title == "Attention Is All You Need"
    assert (resnet.error, resnet.record.title) == (
        "",
        "Deep Residual Learning for Image Recognition",
    )


def test_an_arxiv_entry_without_optional_fields_gives_empty_ones(serve):
    serve(
        {
            "start=2": ("arxiv_paged_rest.xml", 200),
            "export.arxiv.org": ("arxiv_paged_first.xml", 200),
        }
    )
    record = look_up(PAGED)[2].record
    assert (record.doi, record.venue, record.affiliations) == ("", "", "")
    assert record.authors == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    assert (record.year, record.month, record.tags) == (2015, 12, ["cs.CV"])


def test_a_failing_second_arxiv_page_keeps_the_first_page(serve):
    serve(
        {
            "start=2": lambda request: httpx.Response(503, text="Service Unavailable"),
            "export.arxiv.org": ("arxiv_paged_first.xml", 200),
        }
    )
    vit, attention, resnet = look_up(PAGED)
    assert vit.error == attention.error == ""
    assert resnet.record is None
    assert resnet.error == "arXiv answered with an error (HTTP 503); try again later."


def test_a_crossref_work_without_authors_abstract_venue_or_published_date(serve):
    serve({"works/10.1038/nature14539": ("crossref_sparse.json", 200)})
    (lookup,) = look_up(["10.1038/nature14539"])
    record = lookup.record
    assert record.title == "Deep learning"  # the <i> markup of the title is dropped
    assert (record.authors, record.venue, record.abstract, record.pdf_url) == ([], "", "", "")
    # "published": [[null]] (no date) falls back to "issued", which has only a year.
    assert (record.year, record.month) == (2015, None)
    assert record.url == "https://doi.org/10.1038/nature14539"


def test_a_crossref_work_without_a_title_is_refused(serve):
    serve({"works/10.1038/nature14539": ("crossref_no_title.json", 200)})
    (lookup,) = look_up(["10.1038/nature14539"])
    assert lookup.record is None
    assert lookup.error == "Crossref's record for 10.1038/nature14539 has no title."


def test_a_crossref_validation_failure_is_a_refusal(serve):
    serve({"api.crossref.org": ("crossref_bad_request.json", 400)})
    (lookup,) = look_up(["10.1038/s41586-024-08328-6"])
    assert lookup.error == "Crossref refused the request (HTTP 400)."


def test_the_crossref_rate_limit_says_try_again_later(serve):
    limited = httpx.Response(
        429,
        headers={"X-Rate-Limit-Limit": "50", "X-Rate-Limit-Interval": "1s"},
        text="Too Many Requests",
    )
    serve({"api.crossref.org": lambda request: limited})
    (lookup,) = look_up(["10.1038/s41586-024-08328-6"])
    assert lookup.error == "Crossref answered with an error (HTTP 429); try again later."
