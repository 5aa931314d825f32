"""Intake tests: no network, ever; arXiv/Crossref answers on demand, from files
reconstructed from the services' documentation (reconstructed/README.md)."""

from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

RECONSTRUCTED = Path(__file__).parent / "reconstructed"
NOTES = Path(__file__).parent / "notes"
CONTENT_TYPES = {".xml": "application/atom+xml", ".json": "application/json"}


def _offline(request):
    raise httpx.ConnectError("tests never reach the network", request=request)


@pytest.fixture(autouse=True)
def _no_network(settings):
    settings.INTAKE_HTTP_TRANSPORT = httpx.MockTransport(_offline)


def reconstructed_transport(routes, requests=None):
    """A transport answering ``{url substring: (file, status) | callable}``, else offline."""

    def handler(request):
        if requests is not None:
            requests.append(request)
        url = unquote(str(request.url))
        for key, answer in routes.items():
            if key in url:
                if callable(answer):
                    return answer(request)
                name, status = answer
                path = RECONSTRUCTED / name
                return httpx.Response(
                    status,
                    content=path.read_bytes(),
                    headers={"Content-Type": CONTENT_TYPES.get(path.suffix, "text/plain")},
                )
        return _offline(request)

    return httpx.MockTransport(handler)


def worker_transport():
    """The transport of a worker process a test starts (PAPERSHELF_TEST_INTAKE_TRANSPORT)."""
    return reconstructed_transport({**ARXIV_CLIP, **ARXIV_PAIR, **CROSSREF_TABPFN})


@pytest.fixture
def serve(settings):
    """Install routes ``{url substring: (file, status) | callable}``; returns the requests."""
    requests = []

    def install(routes):
        settings.INTAKE_HTTP_TRANSPORT = reconstructed_transport(routes, requests)
        return requests

    return install


ARXIV_CLIP = {"id_list=2103.00020": ("arxiv_2103.00020.xml", 200)}
ARXIV_PAIR = {"id_list=2010.11929": ("arxiv_2010.11929_hep-th_9711200.xml", 200)}
CROSSREF_TABPFN = {
    "works/10.1038/s41586-024-08328-6": ("crossref_10.1038_s41586-024-08328-6.json", 200)
}
