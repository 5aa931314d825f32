"""Kept search results brought up to date after a few rows' documents were written.

A save of one row logs it (``papers.site.cache.search_rows_changed``) instead of moving the
search version; the next search matches only the logged rows again and patches what it
kept (config/search.py). Every test compares the patched page with the same page ranked
from scratch (the search version moved: nothing kept), on both databases.
"""

import datetime

import pytest
import time_machine
from django.core.cache import cache as django_cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config import search as search_view
from papers.models import Paper
from papers.site import cache
from tests.blog.factories import ReportFactory, at
from tests.demo_state import fixture_rows
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db
URL = reverse("search")
on_postgres = connection.vendor == "postgresql"


def _shown(client, params):
    """Everything the page shows of a query but its rows' HTML: every hit (kind, pk, date,
    rank, year), the totals, the facets."""
    context = client.get(URL, params).context
    return {
        "hits": list(context["page_obj"].paginator.object_list),
        "total": context["total"],
        "estimated": context["estimated"],
        "types": [(kind.key, n) for kind, n in context["type_facets"]],
        "years": context["year_facets"],
        "tags": context["tag_facets"],
    }


def _from_scratch(client, params):
    cache.bump_content_version(search=True)  # nothing kept: ranked again
    return _shown(client, params)


class Calls:
    """Records the papers' values made from scratch: the probe, and the rankings
    (``_candidates``, ``_hits`` of every match, SQLite's ``_scan``), not their patches
    (``changed`` given)."""

    def __init__(self, monkeypatch):
        self.made = []
        for name in ("_candidates", "_probe", "_hits", "_scan"):
            monkeypatch.setattr(search_view, name, self._spy(name, getattr(search_view, name)))

    def _spy(self, name, real):
        def spy(kind, query, slugs, *args):
            patching = name in ("_hits", "_scan") and args and args[0] is not None
            if not patching:
                self.made.append((name, kind.key))
            return real(kind, query, slugs, *args)

        return spy

    def ranked(self, key="papers"):
        """The rankings made from scratch for ``key``'s kind since the last call."""
        made = [name for name, kind in self.made if kind == key and name != "_probe"]
        self.made.clear()
        return made


def make_broad_rows():
    papers = {
        "unrelated": PaperFactory(title="Graph networks", year=2019, tags=["graphs"]),
        "first": PaperFactory(title="Diffusion first", year=2020, tags=["a", "b"]),
        "second": PaperFactory(title="Diffusion second", year=2021, tags=["a"]),
        "third": PaperFactory(title="Diffusion third, and diffusion again", year=2021),
        "body": PaperFactory(abstract="The body says diffusion.", year=2022, tags=["c"]),
        "body2": PaperFactory(abstract="Diffusion in the body too.", year=2023),
    }
    papers["report"] = ReportFactory(title="Diffusion report", tags=["a"], published_at=at(2022))
    return papers


_kept_rows, broad_rows = fixture_rows(make_broad_rows)


@pytest.fixture
def broad(monkeypatch, broad_rows):
    """A broad query in small: over MAX_HITS_PER_KIND matches, two title candidates and
    one other match ranked. The titles' pks, lowest first: an unrelated paper, three title
    hits, then two abstract-only matches; a report and its tags for the other kinds (their
    rows made once per process: ``make_broad_rows``)."""
    monkeypatch.setattr(search_view, "MAX_HITS_PER_KIND", 3)
    monkeypatch.setattr(search_view, "TITLE_CANDIDATES", 2)
    monkeypatch.setattr(search_view, "OTHER_CANDIDATES", 1)
    return broad_rows


def _edit(row, **fields):
    row = type(row).objects.get(pk=row.pk)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()


@pytest.mark.parametrize(
    ("who", "fields", "patched"),
    [
        # A row newly matching in its title, before the last title candidate: it takes
        # that candidate's place.
        ("unrelated", {"title": "Diffusion of graphs"}, True),
        # A title hit whose title changes but still matches: ranked again in place.
        ("second", {"title": "Diffusion second, diffusion again"}, True),
        # A title hit that no longer matches: the next title hit is not kept (made again).
        ("first", {"title": "Nothing to see"}, False),
        # A title hit unpublished: the same.
        ("second", {"status": "draft"}, False),
        # The other match saved unchanged (the bench's edit): nothing moves.
        ("body", {}, True),
        # A row past the last candidate newly matching: not a candidate, counted.
        ("body2", {"abstract": "Nothing here.", "title": "Diffusion late"}, True),
        # An other match whose abstract loses the word but whose year changes: gone.
        ("body", {"abstract": "Not any more.", "year": 2024}, False),
    ],
)
def test_a_broad_querys_kept_candidates_are_patched_after_a_save(
    client, broad, monkeypatch, who, fields, patched
):
    params = {"q": "diffusion"}
    _shown(client, params)
    calls = Calls(monkeypatch)
    _edit(broad[who], **fields)
    after = _shown(client, params)
    # SQLite keeps every match: patched whatever the change.
    assert (calls.ranked() == []) == (patched or not on_postgres)
    assert after == _from_scratch(client, params)


def test_a_lost_title_candidate_is_not_replaced_by_a_later_row_newly_matching(client, broad):
    """The rows between the last kept candidate and the changed one are not known: the
    candidates are picked again (not the second title hit replaced by ``body2``)."""
    params = {"q": "diffusion"}
    _shown(client, params)
    _edit(broad["second"], status="draft")
    _edit(broad["body2"], title="Diffusion late")
    after = _shown(client, params)
    assert broad["third"].pk in [pk for _, pk, *_ in after["hits"]]
    assert after == _from_scratch(client, params)


def test_a_broad_query_left_with_matches_under_the_cap_ranks_every_match(client, broad):
    """Five matches over a cap of three: two rows saved leave at least three, which may
    be all (counted again), and are five (still broad); then they are three (narrow)."""
    params = {"q": "diffusion"}
    _shown(client, params)
    _edit(broad["body"])
    _edit(broad["body2"])
    again = _shown(client, params)
    assert again["total"] == 6 and len(again["hits"]) == 4  # three candidates, the report
    assert again == _from_scratch(client, params)
    _edit(broad["body"], abstract="Not any more.")
    _edit(broad["body2"], abstract="Nor here.")
    after = _shown(client, params)
    assert after["total"] == 4 and len(after["hits"]) == 4  # three papers and the report
    assert after == _from_scratch(client, params)


@pytest.mark.skipif(not on_postgres, reason="PostgreSQL's fuzzy title matches only")
def test_a_narrow_querys_hits_cut_at_the_cap_are_ranked_again_after_a_save(client, monkeypatch):
    """Fuzzy title matches fill a narrow query's hits to the cap: a hit leaving makes room
    for one not kept, so the hits are ranked from scratch."""
    monkeypatch.setattr(search_view, "MAX_HITS_PER_KIND", 3)
    papers = [PaperFactory(title=f"Diffusion {i}") for i in range(2)]
    PaperFactory(title="Difusion")  # a typo: a fuzzy title match only
    PaperFactory(title="Diffuson")
    params = {"q": "diffusion"}
    assert len(_shown(client, params)["hits"]) == 3
    _edit(papers[0], title="Nothing")
    after = _shown(client, params)
    assert len(after["hits"]) == 3
    assert after == _from_scratch(client, params)


def test_a_broad_querys_year_and_tag_facets_follow_a_tag_added_to_a_hit(client, broad):
    for params in ({"q": "diffusion"}, {"q": "diffusion", "year": 2021}):
        _shown(client, params)
    Paper.objects.get(pk=broad["second"].pk).tags.add("c")  # a candidate in both
    for params in ({"q": "diffusion"}, {"q": "diffusion", "year": 2021}):
        after = _shown(client, params)
        assert {"slug": "c", "name": "c", "count": 2 if "year" not in params else 1} in (
            after["tags"]
        )
        assert after == _from_scratch(client, params)


def test_a_deleted_hit_leaves_the_patched_results(client, broad):
    params = {"q": "diffusion"}
    before = _shown(client, params)
    Paper.objects.get(pk=broad["third"].pk).delete()
    after = _shown(client, params)
    assert after["total"] == before["total"] - 1
    assert broad["third"].pk not in [pk for _, pk, *_ in after["hits"]]
    assert after == _from_scratch(client, params)


def test_a_narrow_querys_kept_hits_are_patched_after_saves(client, monkeypatch):
    """Under the cap every match is kept, fuzzy title matches included: a row that newly
    matches, one that no longer does and one unpublished are matched again alone."""
    papers = [PaperFactory(title=f"Diffusion {i}", year=2020 + i, tags=[f"t{i}"]) for i in range(4)]
    other = PaperFactory(title="Graph networks", abstract="Nothing.", year=2019)
    params = {"q": "diffusion"}
    _shown(client, params)
    calls = Calls(monkeypatch)
    _edit(other, abstract="Now about diffusion.")
    _edit(papers[0], title="Not any more")
    _edit(papers[1], status="draft")
    after = _shown(client, params)
    assert calls.ranked() == []
    assert after["total"] == 3
    assert after == _from_scratch(client, params)


def test_a_draft_published_is_found_by_the_patched_results(client):
    PaperFactory(title="Diffusion, public")
    draft = PaperFactory(title="Diffusion, draft", status="draft", tags=["hidden"])
    params = {"q": "diffusion"}
    assert _shown(client, params)["total"] == 1
    _edit(draft, status="published")
    after = _shown(client, params)
    assert after["total"] == 2 and after["tags"] == [
        {"slug": "hidden", "name": "hidden", "count": 1}
    ]
    assert after == _from_scratch(client, params)


def test_a_report_scheduled_for_later_is_found_by_patched_results_once_its_time_has_come(client):
    ReportFactory(title="Diffusion, out now", published_at=at(2022))
    params = {"q": "diffusion"}
    _shown(client, params)
    soon = timezone.now() + datetime.timedelta(hours=1)
    ReportFactory(title="Diffusion, scheduled", published_at=soon)
    assert _shown(client, params)["total"] == 1
    with time_machine.travel(soon + datetime.timedelta(minutes=1), tick=False):
        after = _shown(client, params)
        assert after["total"] == 2
        assert after == _from_scratch(client, params)


def test_more_changes_than_logged_are_ranked_from_scratch(client, broad, monkeypatch):
    monkeypatch.setattr(cache, "MAX_SEARCH_CHANGES", 2)
    params = {"q": "diffusion"}
    _shown(client, params)
    calls = Calls(monkeypatch)
    for who in ("unrelated", "body", "body2"):
        _edit(broad[who], title=f"Diffusion {who}")
    after = _shown(client, params)
    assert calls.ranked() != []
    assert after == _from_scratch(client, params)


def test_a_change_missing_from_the_log_ranks_from_scratch(client, broad, monkeypatch):
    params = {"q": "diffusion"}
    _shown(client, params)
    _edit(broad["unrelated"], title="Diffusion of graphs")
    # Expired, or its number taken and its row not stored yet.
    django_cache.delete(cache._change_key(django_cache.get(cache.SEARCH_CHANGES_KEY)))
    calls = Calls(monkeypatch)
    after = _shown(client, params)
    assert calls.ranked() != []
    assert after == _from_scratch(client, params)


def test_a_lost_change_counter_starts_again_past_every_number_it_gave(client, broad):
    params = {"q": "diffusion"}
    _shown(client, params)
    before = django_cache.get(cache.SEARCH_CHANGES_KEY)
    django_cache.delete(cache.SEARCH_CHANGES_KEY)  # evicted
    _edit(broad["unrelated"], title="Diffusion of graphs")
    assert django_cache.get(cache.SEARCH_CHANGES_KEY) > before + cache.MAX_SEARCH_CHANGES
    assert _shown(client, params) == _from_scratch(client, params)


def test_a_save_logs_its_row_again_after_the_commit(broad, django_capture_on_commit_callbacks):
    before = django_cache.get(cache.SEARCH_CHANGES_KEY) or 0
    with django_capture_on_commit_callbacks(execute=True):
        _edit(broad["body"])
        during = django_cache.get(cache.SEARCH_CHANGES_KEY)
    assert django_cache.get(cache.SEARCH_CHANGES_KEY) == during + 1 > before
    last = django_cache.get(cache._change_key(during + 1))
    assert last == ("papers.Paper", broad["body"].pk)


def test_a_save_of_one_kind_keeps_the_other_kinds_results_without_a_query(
    client, broad, monkeypatch
):
    params = {"q": "diffusion"}
    _shown(client, params)
    calls = Calls(monkeypatch)
    _edit(broad["body"])
    _shown(client, params)
    assert calls.ranked("reports") == calls.ranked("sessions") == []


@pytest.mark.skipif(not on_postgres, reason="SQLite has no estimate")
def test_an_estimate_is_planned_again_after_a_save_of_its_kind_only(client, monkeypatch):
    monkeypatch.setattr(search_view, "MAX_HITS_PER_KIND", 3)
    monkeypatch.setattr(search_view, "ESTIMATE_ABOVE", 5)
    papers = [PaperFactory(title=f"Diffusion {i}", year=2024) for i in range(8)]
    report = ReportFactory(title="Diffusion report", published_at=at(2022))
    planned = []
    real = search_view._estimate
    monkeypatch.setattr(
        search_view, "_estimate", lambda kind, *a: planned.append(kind.key) or real(kind, *a)
    )
    params = {"q": "diffusion"}
    _shown(client, params)
    planned.clear()
    _edit(report, title="Diffusion report, retitled")
    _shown(client, params)
    assert "papers" not in planned
    _edit(papers[0], title="Diffusion, retitled")
    after = _shown(client, params)
    assert "papers" in planned
    assert after == _from_scratch(client, params)
