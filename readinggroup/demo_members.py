"""Demo members for ``manage.py demo``: a few people, their suggestions, votes and offers
to present, so the queue (/reading-group/queue/) and the rotation have something to show.

The people are invented; the suggested papers are demo papers (papers/demo_data.py) found
by arXiv id, and a paper the demo library lacks is skipped. The members get no usable
password: a site where someone ran the demo has no account with a known password; the
organiser sees the queue from the admin side, and a member's "forgot password" works.
Running it again changes nothing: people are found by user name, suggestions by paper,
votes and offers are unique per member.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count

from papers.models import Paper
from readinggroup.members import Member, Suggestion, SuggestionState, Volunteer, Vote

# username, name, links. The first three present the demo sessions (readinggroup/demo.py):
# their member rows take over those presenter rows, so their profiles list the sessions.
MEMBERS = [
    ("dana", "Dana Whitfield", "https://example.org/~dana"),
    ("sam", "Sam Okafor", ""),
    ("priya", "Priya Raman", "https://example.org/priya-raman"),
    ("lee", "Lee Moreau", ""),
    ("noor", "Noor Haddad", "https://example.org/noor"),
]

# arXiv id, who suggested it, why, who voted, who offered to present.
SUGGESTIONS = [
    (
        "2305.14314",
        "lee",
        "Fine-tuning a 65B model on **one** GPU: we keep asking whether 4-bit weights "
        "lose anything, and the paper measures it.",
        ["lee", "dana", "sam", "noor"],
        ["lee"],
    ),
    (
        "2203.15556",
        "priya",
        "Most of our compute arguments assume the Kaplan scaling laws; this one says "
        "we have been training too few tokens.",
        ["priya", "sam", "noor"],
        [],
    ),
    (
        "2104.14294",
        "noor",
        "Self-distillation without labels, and attention maps that segment objects on their "
        "own: a good follow-up to *Segment Anything*.",
        ["noor", "priya"],
        ["noor", "dana"],
    ),
    (
        "2309.10668",
        "sam",
        "A short argument that a language model is a compressor, with numbers on images "
        "and audio. Should make for a lively hour.",
        ["sam"],
        [],
    ),
]


def _member(username, name, links):
    """The demo member (created when missing) and whether it was created now."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, email=f"{username}@example.org")
        user.set_unusable_password()
        user.save()
    member = Member.objects.filter(user=user).first()
    if member is not None:
        return member, False
    member = Member.objects.create(user=user, name=name, links=links)
    member.ensure_presenter()  # reuses the demo sessions' presenter of that name
    return member, True


def load(stdout):
    members, joined = {}, 0
    for username, *rest in MEMBERS:
        members[username], created = _member(username, *rest)
        joined += created
    added = 0
    for arxiv_id, author, reason, voters, volunteers in SUGGESTIONS:
        paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
        if paper is None or paper.presentations.exists():
            continue
        suggestion = Suggestion.objects.filter(paper=paper).first()
        if suggestion is None:
            suggestion = Suggestion.objects.create(
                paper=paper, suggested_by=members[author], reason=reason
            )
            added += 1
        if suggestion.state != SuggestionState.OPEN:
            continue  # scheduled or withdrawn since: the organiser's doing, left alone
        for username in voters:
            Vote.objects.get_or_create(suggestion=suggestion, member=members[username])
        for username in volunteers:
            Volunteer.objects.get_or_create(suggestion=suggestion, member=members[username])
        # The stored count the queue ranks by, from the votes themselves.
        count = suggestion.votes.aggregate(n=Count("pk"))["n"]
        Suggestion.objects.filter(pk=suggestion.pk).update(vote_count=count)
    stdout.write(f"Reading group: {joined} demo members, {added} demo suggestions added.")
