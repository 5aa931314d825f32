"""What members do to the queue (suggest, vote, volunteer) and what the organiser does
with it (schedule a suggestion in one step, helped by the presenters' rotation).

Every write here is one transaction with the row locked where two tabs could race, so
voting twice from two tabs is one vote and volunteering for a suggestion scheduled a
moment ago is refused, not recorded.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from papers.intake.duplicates import DuplicateFinder
from papers.intake.lookup import classify, look_up
from papers.intake.records import PaperRecord
from papers.intake.saving import PaperWriter
from papers.models import Paper, Status
from readinggroup.members import (
    GroupSettings,
    Member,
    Suggestion,
    SuggestionState,
    Volunteer,
    Vote,
)
from readinggroup.models import Presentation


class QueueError(Exception):
    """A refused action, with a message for the member."""


# --- suggesting ----------------------------------------------------------------------------
def find_in_library(kind, key):
    """The stored paper (draft or published) with this arXiv id or DOI, by intake's rules."""
    record = PaperRecord(**{"arxiv_id" if kind == "arxiv" else "doi": key})
    match = DuplicateFinder.for_records([record]).find(record)
    return Paper.objects.get(pk=match.known.pk) if match else None


def paper_for_identifier(raw):
    """The paper an arXiv id, DOI or their URL names: from the library, or looked up on
    arXiv/Crossref and saved as a draft for the organiser to review.

    Everything goes through the intake code the admin's "add by identifier" uses
    (classify, the duplicate finder, the lookup and the writer), so a suggestion makes
    the same paper an editor would, with the metadata the service gives and nothing
    made up: a record without a year makes a paper of unknown year, never an invented one.
    """
    kind, key = classify(raw.strip())  # ValidationError for anything else
    paper = find_in_library(kind, key)
    if paper is not None:
        return paper
    lookup = look_up([raw.strip()])[0]
    if lookup.error or lookup.record is None:
        raise QueueError(lookup.error or "Nothing was found for this identifier.")
    with transaction.atomic():
        writer = PaperWriter(status=Status.DRAFT)
        writer.prime([lookup.record])
        outcome = writer.write(lookup.record)
        writer.finish()
    if outcome.paper is None:
        raise QueueError(
            "This paper cannot be added from what "
            + ("arXiv" if kind == "arxiv" else "Crossref")
            + " says about it ("
            + "; ".join(outcome.errors or [outcome.reason])
            + "). Ask the organiser to add it to the library."
        )
    return outcome.paper


def suggest(member, paper, reason):
    """Open a suggestion of ``paper``; ``QueueError`` if it is queued or was presented."""
    # A cancelled session did not present it: the paper may be suggested again.
    if paper.presentations.going_ahead().exists():
        raise QueueError("The group has already presented this paper.")
    try:
        with transaction.atomic():
            suggestion = Suggestion(paper=paper, suggested_by=member, reason=reason)
            suggestion.full_clean(exclude=["paper", "suggested_by"])
            suggestion.save()
    except IntegrityError:  # another member suggested it a moment ago
        raise QueueError("This paper is already in the queue: vote for it instead.") from None
    except ValidationError as error:
        raise QueueError(" ".join(error.messages)) from None
    return suggestion


def already_queued(paper):
    return Suggestion.objects.open().filter(paper=paper).first()


# --- voting and volunteering -------------------------------------------------------------
def _locked_open(suggestion_pk):
    suggestion = Suggestion.objects.select_for_update().filter(pk=suggestion_pk).first()
    if suggestion is None:
        raise QueueError("This suggestion no longer exists.")
    if not suggestion.is_open:
        raise QueueError(f"This suggestion is {suggestion.get_state_display().lower()} already.")
    return suggestion


@transaction.atomic
def set_vote(member, suggestion_pk, on):
    """Vote (``on``) or withdraw the vote; idempotent, so two tabs make one vote."""
    suggestion = _locked_open(suggestion_pk)
    if on:
        _, created = Vote.objects.get_or_create(suggestion=suggestion, member=member)
        change = int(created)
    else:
        change = -Vote.objects.filter(suggestion=suggestion, member=member).delete()[0]
    if change:
        Suggestion.objects.filter(pk=suggestion.pk).update(vote_count=F("vote_count") + change)
    return suggestion


@transaction.atomic
def set_volunteer(member, suggestion_pk, on):
    suggestion = _locked_open(suggestion_pk)
    if on:
        Volunteer.objects.get_or_create(suggestion=suggestion, member=member)
    else:
        Volunteer.objects.filter(suggestion=suggestion, member=member).delete()
    return suggestion


@transaction.atomic
def withdraw(member, suggestion_pk):
    suggestion = _locked_open(suggestion_pk)
    if suggestion.suggested_by_id != member.pk:
        raise QueueError("Only the member who suggested it can withdraw it.")
    suggestion.state = SuggestionState.WITHDRAWN
    suggestion.save(update_fields=["state"])
    return suggestion


def recount_votes(member):
    """After a member's votes go (account deleted), the counts follow."""
    for suggestion_pk in Vote.objects.filter(member=member).values_list("suggestion", flat=True):
        Suggestion.objects.filter(pk=suggestion_pk).update(vote_count=F("vote_count") - 1)


# --- scheduling ----------------------------------------------------------------------------
def next_free_slot(now=None):
    """The next weekly slot (group settings) with no session starting that day."""
    group = GroupSettings.current()
    now = timezone.localtime(now or timezone.now())
    day = now.date() + datetime.timedelta(days=(group.weekday - now.weekday()) % 7)
    tz = timezone.get_current_timezone()
    for _ in range(104):  # two years of weeks: a full calendar still answers
        start = datetime.datetime.combine(day, group.start_time, tzinfo=tz)
        if start > now and not _taken(start):
            return start
        day += datetime.timedelta(days=7)
    return start


def _taken(start):
    day_start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    # A cancelled session frees its day.
    return (
        Presentation.objects.going_ahead()
        .filter(
            scheduled_at__gte=day_start, scheduled_at__lt=day_start + datetime.timedelta(days=1)
        )
        .exists()
    )


@dataclass
class RotationRow:
    member: Member
    last_presented: datetime.datetime | None
    sessions: int
    cancelled: int
    volunteered: bool


def rotation(suggestion=None, now=None):
    """Active members, who presented longest ago first (never presented: first of all).

    A cancelled session counts as the presenter's turn, on its date, even one that was to
    come: their turn was used, and the others go first. Someone with a session still
    going ahead is not listed (they are next in line already). Volunteers for
    ``suggestion`` come first. Two queries.
    """
    now = now or timezone.now()
    session = "presenter__presentations__"
    members = Member.objects.active().annotate(
        last=Max(session + "scheduled_at", filter=Q(**{session + "scheduled_at__lte": now})
                 | Q(**{session + "cancelled": True})),
        sessions=Count("presenter__presentations"),
        cancelled=Count("presenter__presentations", filter=Q(**{session + "cancelled": True})),
        upcoming=Max(session + "scheduled_at", filter=Q(**{
            session + "scheduled_at__gt": now, session + "cancelled": False
        })),
    )  # fmt: skip
    volunteers = (
        set(suggestion.volunteers.values_list("member_id", flat=True)) if suggestion else set()
    )
    rows = [
        RotationRow(m, m.last, m.sessions, m.cancelled, m.pk in volunteers)
        for m in members
        if m.upcoming is None  # someone already scheduled is not next in line
    ]
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    rows.sort(key=lambda r: (not r.volunteered, r.last_presented or epoch, r.member.name))
    return rows


@transaction.atomic
def schedule(suggestion_pk, *, presenter_member, scheduled_at, title="", status=Status.PUBLISHED):
    """Turn an open suggestion into a session (the next number), in one step."""
    suggestion = _locked_open(suggestion_pk)
    group = GroupSettings.current()
    paper = suggestion.paper
    presentation = Presentation(
        number=Presentation.next_number(),
        title=title or paper.alias or paper.title,
        paper=paper,
        scheduled_at=scheduled_at,
        duration_minutes=group.duration_minutes,
        location=group.location,
        status=status,
    )
    presentation.full_clean()
    presentation.save()
    if presenter_member is not None:
        presentation.presenters.add(presenter_member.ensure_presenter())
    suggestion.state = SuggestionState.SCHEDULED
    suggestion.presentation = presentation
    suggestion.save(update_fields=["state", "presentation"])
    return presentation
