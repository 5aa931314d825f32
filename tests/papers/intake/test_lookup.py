"""Fetching metadata from arXiv (Atom) and Crossref (JSON), and every way it can fail."""

import httpx
import pytest

from papers.intake.http import make_client
from papers.intake.lookup import classify, look_up, split_identifiers

from .conftest import ARXIV_CLIP, ARXIV_PAIR, CROSSREF_TABPFN


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2103.00020", ("arxiv", "2103.00020")),
        ("2103.00020v3", ("arxiv", "2103.00020")),
        ("arXiv:2103.00020", ("arxiv", "2103.00020")),
        ("https://arxiv.org/abs/2103.00020v2", ("arxiv", "2103.00020")),
        ("https://arxiv.org/pdf/2103.00020v1.pdf", ("arxiv", "2103.00020")),
        ("http://export.arxiv.org/abs/hep-th/9711200v3", ("arxiv", "hep-th/9711200")),
        ("hep-th/9901001", ("arxiv", "hep-th/9901001")),
        ("10.1038/S41586-024-08328-6", ("doi", "10.1038/s41586-024-08328-6")),
        ("https://doi.org/10.1038/s41586-024-08328-6", ("doi", "10.1038/s41586-024-08328-6")),
        ("doi:10.1145/3065386", ("doi", "10.1145/3065386")),
        # arXiv's own DataCite DOIs are looked up at arXiv, not Crossref.
        ("https://doi.org/10.48550/arXiv.2103.00020", ("arxiv", "2103.00020")),
    ],
)
def test_identifiers_are_recognised_in_every_form(raw, expected):
    assert classify(raw) == expected


def test_identifier_list_is_split_on_spaces_lines_and_commas():
    sici = "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"
    text = f"2103.00020, 10.1038/s41586-024-08328-6\n\n  hep-th/9711200; 2103.00020,{sici}"
    assert split_identifiers(text) == [
        "2103.00020",
        "10.1038/s41586-024-08328-6",
        "hep-th/9711200",
        "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
    ]


def test_arxiv_metadata_is_read_from_the_atom_feed(serve):
    requests = serve(ARXIV_CLIP)
    (lookup,) = look_up(["https://arxiv.org/abs/2103.00020v1"])
    assert lookup.error == ""
    record = lookup.record
    assert record.title == "Learning Transferable Visual Models From Natural Language Supervision"
    assert record.authors[:3] == ["Alec Radford", "Jong Wook Kim", "Chris Hallacy"]
    assert len(record.authors) == 12 and record.authors[-1] == "Ilya Sutskever"
    assert (record.year, record.month) == (2021, 2)
    assert record.arxiv_id == "2103.00020"
    assert record.url == "https://arxiv.org/abs/2103.00020"
    assert record.pdf_url == "https://arxiv.org/pdf/2103.00020"
    assert record.tags == ["cs.CV"]
    assert record.abstract.startswith("A stand-in abstract for tests: an image encoder")
    assert "\n" not in record.abstract
    (request,) = requests
    assert request.url.host == "export.arxiv.org"
    assert request.url.params["id_list"] == "2103.00020"


def test_several_arxiv_ids_are_fetched_in_one_request(serve):
    requests = serve(ARXIV_PAIR)
    vit, maldacena = look_up(["2010.11929", "hep-th/9711200"])
    assert len(requests) == 1
    assert vit.record.title.startswith("An Image is Worth 16x16 Words")
    assert (vit.record.year, vit.record.month) == (2020, 10)
    assert maldacena.record.arxiv_id == "hep-th/9711200"
    assert (maldacena.record.year, maldacena.record.month) == (1997, 11)
    assert maldacena.record.venue == "Adv.Theor.Math.Phys.2:231-252,1998"
    assert maldacena.record.doi == "10.1023/A:1026654312961"
    assert maldacena.record.affiliations == "Harvard University"
    assert maldacena.record.tags == ["hep-th"]


def test_crossref_metadata_is_read_from_the_json_work(serve):
    serve(CROSSREF_TABPFN)
    (lookup,) = look_up(["https://doi.org/10.1038/s41586-024-08328-6"])
    record = lookup.record
    assert record.title == "Accurate predictions on small data with a tabular foundation model"
    assert record.authors[0] == "Noah Hollmann" and record.authors[1] == "Samuel Müller"
    assert record.authors[-1] == "Frank Hutter"
    assert (record.year, record.month) == (2025, 1)
    assert record.venue == "Nature"
    assert record.doi == "10.1038/s41586-024-08328-6"
    assert record.url == "https://www.nature.com/articles/s41586-024-08328-6"
    assert record.pdf_url == "https://www.nature.com/articles/s41586-024-08328-6.pdf"
    # JATS markup is stripped, the "Abstract" heading dropped, paragraphs kept.
    assert record.abstract.startswith("A stand-in abstract for tests: a transformer")
    assert "small real datasets" in record.abstract
    assert record.abstract.count("\n\n") == 1
    assert "University of Freiburg" in record.affiliations


def test_unknown_doi_is_a_clear_message(serve):
    serve({"api.crossref.org": ("crossref_not_found.txt", 404)})
    (lookup,) = look_up(["10.1234/does-not-exist"])
    assert lookup.record is None
    assert (
        lookup.error
        == "Crossref has no record of the DOI 10.1234/does-not-exist. Is it typed right?"
    )


def test_unknown_arxiv_id_is_a_clear_message(serve):
    serve({"export.arxiv.org": ("arxiv_empty.xml", 200)})
    (lookup,) = look_up(["2112.99999"])
    assert lookup.error == "arXiv has no paper with the id 2112.99999."


def test_arxiv_error_feed_is_reported(serve):
    serve({"export.arxiv.org": ("arxiv_error.xml", 400)})
    (lookup,) = look_up(["2103.00020"])
    assert lookup.error == "arXiv refused the request: incorrect id format for 2103.00020x."


def test_malformed_xml_and_json_are_reported_not_raised(serve):
    serve(
        {
            "export.arxiv.org": ("arxiv_malformed.xml", 200),
            "api.crossref.org": ("crossref_malformed.json", 200),
        }
    )
    arxiv_lookup, crossref_lookup = look_up(["2103.00020", "10.1038/s41586-024-08328-6"])
    assert arxiv_lookup.error.startswith("arXiv sent a response that is not valid XML")
    assert crossref_lookup.error == "Crossref sent a response that is not valid JSON."


def _timeout(request):
    raise httpx.ReadTimeout("timed out", request=request)


def test_timeouts_and_server_errors_are_reported(serve):
    serve(
        {
            "export.arxiv.org": _timeout,
            "api.crossref.org": lambda request: httpx.Response(503, text="busy"),
        }
    )
    arxiv_lookup, crossref_lookup = look_up(["2103.00020", "10.1038/s41586-024-08328-6"])
    assert (
        arxiv_lookup.error == "arXiv did not answer in time; it may be busy. Try again in a minute."
    )
    assert crossref_lookup.error == ("Crossref answered with an error (HTTP 503); try again later.")


def test_offline_is_a_clear_message():
    (lookup,) = look_up(["2103.00020"])
    assert lookup.error == "Could not reach arXiv (ConnectError): is this machine offline?"


def test_garbage_identifier_is_refused_without_a_request(serve):
    requests = serve({})
    (lookup,) = look_up(["not-an-id"])
    assert "is neither an arXiv id" in lookup.error
    assert requests == []


def test_client_has_timeouts_and_a_user_agent(settings):
    settings.INTAKE_CONTACT_EMAIL = "shelf@example.org"
    with make_client() as client:
        assert client.timeout.read == 15.0 and client.timeout.connect == 5.0
        assert client.headers["User-Agent"] == "Papershelf/0.1 (+mailto:shelf@example.org)"
