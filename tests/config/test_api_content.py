"""The JSON API beyond papers: reports, sessions, tags with counts per type; drafts hidden."""

import pytest

from papers.site.api import MAX_PAGE_SIZE
from tests.blog.factories import ReportFactory, at
from tests.demo_state import fixture_rows
from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db


def make_content():
    lora = PaperFactory(title="LoRA", alias="LoRA", tags=["fine-tuning"])
    hidden = PaperFactory(title="Hidden paper", status="draft")
    return {
        "lora": lora,
        "report": ReportFactory(
            title="Reading LoRA",
            body="Low-rank updates.",
            tags=["fine-tuning", "language"],
            papers=[lora, hidden],
            published_at=at(2023),
        ),
        "older": ReportFactory(title="Older report", tags=["language"], published_at=at(2021)),
        "draft_report": ReportFactory(title="Draft report", tags=["fine-tuning"], draft=True),
        "session": PresentationFactory(
            title="LoRA session", paper=lora, tags=["fine-tuning"], scheduled_at=at(2024)
        ),
        "hidden_paper_session": PresentationFactory(
            title="About a hidden paper", paper=hidden, scheduled_at=at(2022)
        ),
        "draft_session": PresentationFactory(title="Draft session", tags=["secret"], draft=True),
    }


# Made once per test process, put back for each test (tests/demo_state.py).
_kept_rows, content = fixture_rows(make_content)


def titles(response):
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_reports_list_filters_and_hides_drafts(client, content):
    assert titles(client.get("/api/reports")) == ["Reading LoRA", "Older report"]
    assert titles(client.get("/api/reports?tag=fine-tuning&tag=language")) == ["Reading LoRA"]
    assert titles(client.get("/api/reports?year=2021")) == ["Older report"]
    assert titles(client.get("/api/reports?kind=article")) == []
    assert titles(client.get("/api/reports?q=low-rank")) == ["Reading LoRA"]
    item = client.get("/api/reports").json()["items"][0]
    assert item["html_url"] == "http://testserver" + content["report"].get_absolute_url()
    assert {tag["slug"] for tag in item["tags"]} == {"fine-tuning", "language"}


def test_report_detail_lists_only_published_papers(client, content):
    data = client.get(f"/api/reports/{content['report'].slug}").json()
    assert [paper["title"] for paper in data["papers"]] == ["LoRA"]
    assert "Low-rank updates." in data["body_html"]
    assert client.get(f"/api/reports/{content['draft_report'].slug}").status_code == 404


def test_sessions_list_and_detail(client, content):
    assert titles(client.get("/api/sessions")) == ["LoRA session", "About a hidden paper"]
    assert titles(client.get("/api/sessions?tag=fine-tuning")) == ["LoRA session"]
    assert titles(client.get("/api/sessions?year=2022")) == ["About a hidden paper"]
    assert titles(client.get("/api/sessions?upcoming=true")) == []
    assert titles(client.get("/api/sessions?q=lora")) == ["LoRA session"]
    hidden = client.get(f"/api/sessions/{content['hidden_paper_session'].number}").json()
    assert hidden["paper"] is None  # the paper is a draft
    shown = client.get(f"/api/sessions/{content['session'].number}").json()
    assert shown["paper"]["title"] == "LoRA"
    assert client.get(f"/api/sessions/{content['draft_session'].number}").status_code == 404
    assert client.get("/api/sessions/99999999999999999999").status_code == 404


def test_tags_count_every_type_and_skip_draft_only_tags(client, content):
    items = client.get("/api/tags").json()["items"]
    counts = {item["slug"]: (item["papers"], item["reports"], item["sessions"]) for item in items}
    assert counts == {"fine-tuning": (1, 1, 1), "language": (0, 2, 0)}
    assert items[0]["html_url"] == "http://testserver/tags/fine-tuning/"


def bulk(factory, n, **per_item):
    """``n`` published reports in one INSERT: each save renders and indexes (~30 ms)."""
    items = [factory.build(**{key: make(i) for key, make in per_item.items()}) for i in range(n)]
    return factory._meta.model.objects.bulk_create(items)


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/reports", lambda n: bulk(ReportFactory, n, slug=lambda i: f"report-{i}")),
        ("/api/sessions", lambda n: PresentationFactory.create_batch(n, paper=None)),
        ("/api/tags", lambda n: PaperFactory(tags=[f"topic-{i}" for i in range(n)])),
    ],
)
def test_page_size_is_capped(client, url, make):
    make(MAX_PAGE_SIZE + 1)
    data = client.get(url, {"limit": 100_000}).json()
    assert (len(data["items"]), data["count"]) == (MAX_PAGE_SIZE, MAX_PAGE_SIZE + 1)
    rest = client.get(url, {"limit": 100_000, "offset": MAX_PAGE_SIZE}).json()["items"]
    assert len(rest) == 1


def test_unknown_filters_are_ignored(client, content):
    everything = titles(client.get("/api/reports"))
    assert titles(client.get("/api/reports?unknown=1&colour=red")) == everything
    assert everything == ["Reading LoRA", "Older report"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/reports?offset=-1",
        "/api/reports?year=abc",
        "/api/reports?kind=nope",
        "/api/reports?q=" + "x" * 300,
        "/api/reports?tag=a&tag=b&tag=c&tag=d&tag=e&tag=f",
        "/api/sessions?year=abc",
        "/api/sessions?year=99999",
        "/api/sessions?upcoming=maybe",
        "/api/sessions?q=" + "x" * 300,
        "/api/sessions?tag=" + "t" * 101,
        "/api/sessions/abc",
        "/api/tags?offset=-1",
    ],
)
def test_bad_parameters_are_422_never_500(client, content, url):
    assert client.get(url).status_code == 422


def test_everything_is_read_only(client, content):
    for url in ["/api/reports", "/api/sessions", "/api/tags"]:
        assert client.post(url, {}).status_code == 405
        response = client.get(url, HTTP_ORIGIN="https://elsewhere.example")
        assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("n", [3, 30])
def test_list_query_counts_are_constant(client, django_assert_max_num_queries, n):
    for i in range(n):
        ReportFactory(tags=[f"t{i % 3}", "shared"], published_at=at(2020))
        PresentationFactory(tags=[f"t{i % 3}", "shared"])
    # Each after the count and the page's ids: the rows, none kept yet (KeptRows).
    with django_assert_max_num_queries(4):  # count, ids, rows, tags
        assert client.get("/api/reports?limit=50").status_code == 200
    with django_assert_max_num_queries(5):  # count, ids, rows with papers, presenters, tags
        assert client.get("/api/sessions?limit=50").status_code == 200
    with django_assert_max_num_queries(4):  # counts per kind (3, cached afterwards), the tags
        assert client.get("/api/tags?limit=50").status_code == 200


@pytest.mark.parametrize("path", ["/api/papers", "/api/reports", "/api/sessions"])
def test_lists_address_their_rows_with_one_reverse_per_url_name(client, content, monkeypatch, path):
    """``html_url`` (the sessions' papers' too) from one reverse() per response and URL name:
    a reverse() per row was 11–35 ms of a 100-row list. The addresses are the ones
    ``get_absolute_url()`` gives, quoting included."""
    from blog.models import Report
    from papers.models import Paper
    from papers.site import addresses
    from readinggroup.models import Presentation

    quoted = PaperFactory(title="Quoted", slug="über-(x)&y")
    PresentationFactory(title="Quoted session", paper=quoted)
    model = {"/api/papers": Paper, "/api/reports": Report, "/api/sessions": Presentation}[path]
    site = "http://testserver"
    expected = {site + row.get_absolute_url() for row in model.objects.published()}
    papers = {site + paper.get_absolute_url() for paper in Paper.objects.published()}
    calls = []
    original = addresses.reverse

    def counting(name, *args, **kwargs):
        calls.append(name)
        return original(name, *args, **kwargs)

    def refused(self):
        raise AssertionError("get_absolute_url() per row")

    monkeypatch.setattr(addresses, "reverse", counting)
    for each in (Paper, Report, Presentation):
        monkeypatch.setattr(each, "get_absolute_url", refused)
    items = client.get(path).json()["items"]
    assert {item["html_url"] for item in items} == expected
    if path == "/api/papers":
        assert f"{site}/papers/%C3%BCber-(x)&y/" in expected
    if path == "/api/sessions":
        shown = {item["paper"]["html_url"] for item in items if item["paper"]}
        assert shown <= papers and f"{site}/papers/%C3%BCber-(x)&y/" in shown
    assert sorted(calls) == sorted(set(calls)), calls  # one reverse() per URL name
