"""Reading the free-text venue people write ("CVPR 2022", "Proc. of the 38th ICML") into a
venue (short name, full name, kind) and a year.

Pure functions: the data migration, the importers and ``Paper.save`` all parse with
``parse_venue``; ``papers.models.Venue.for_text`` turns the result into a row.
"""

# The tables below read best one venue per line, however long.
# ruff: noqa: E501

import re
import unicodedata
from dataclasses import dataclass


class Kind:
    CONFERENCE = "conference"
    JOURNAL = "journal"
    WORKSHOP = "workshop"
    PREPRINT = "preprint"
    BOOK = "book"

    CHOICES = [
        (CONFERENCE, "Conference"),
        (JOURNAL, "Journal"),
        (WORKSHOP, "Workshop"),
        (PREPRINT, "Preprint"),
        (BOOK, "Book"),
    ]


# Venues people name by their short name. Matched as whole words, case-insensitively;
# the spellings in ``aliases`` are older names of the same venue (NIPS became NeurIPS).
_KNOWN = [
    # (short name, full name, kind, aliases)
    ("NeurIPS", "Conference on Neural Information Processing Systems", Kind.CONFERENCE, ["NIPS"]),
    ("ICML", "International Conference on Machine Learning", Kind.CONFERENCE, []),
    ("ICLR", "International Conference on Learning Representations", Kind.CONFERENCE, []),
    ("CVPR", "IEEE/CVF Conference on Computer Vision and Pattern Recognition", Kind.CONFERENCE, []),
    ("ICCV", "IEEE/CVF International Conference on Computer Vision", Kind.CONFERENCE, []),
    ("ECCV", "European Conference on Computer Vision", Kind.CONFERENCE, []),
    ("WACV", "IEEE/CVF Winter Conference on Applications of Computer Vision", Kind.CONFERENCE, []),
    ("BMVC", "British Machine Vision Conference", Kind.CONFERENCE, []),
    ("ACL", "Annual Meeting of the Association for Computational Linguistics", Kind.CONFERENCE, []),
    ("EMNLP", "Conference on Empirical Methods in Natural Language Processing", Kind.CONFERENCE, []),
    ("NAACL", "Conference of the North American Chapter of the ACL", Kind.CONFERENCE, []),
    ("AAAI", "AAAI Conference on Artificial Intelligence", Kind.CONFERENCE, []),
    ("IJCAI", "International Joint Conference on Artificial Intelligence", Kind.CONFERENCE, []),
    ("KDD", "ACM SIGKDD Conference on Knowledge Discovery and Data Mining", Kind.CONFERENCE, []),
    ("UIST", "ACM Symposium on User Interface Software and Technology", Kind.CONFERENCE, []),
    ("MICCAI", "Medical Image Computing and Computer Assisted Intervention", Kind.CONFERENCE, []),
    ("CoRL", "Conference on Robot Learning", Kind.CONFERENCE, []),
    ("RSS", "Robotics: Science and Systems", Kind.CONFERENCE, []),
    ("UAI", "Conference on Uncertainty in Artificial Intelligence", Kind.CONFERENCE, []),
    ("AISTATS", "International Conference on Artificial Intelligence and Statistics", Kind.CONFERENCE, []),
    ("COLT", "Conference on Learning Theory", Kind.CONFERENCE, []),
    ("Interspeech", "Interspeech", Kind.CONFERENCE, []),
    ("SIGIR", "ACM SIGIR Conference on Research and Development in Information Retrieval", Kind.CONFERENCE, []),
    ("WWW", "The Web Conference", Kind.CONFERENCE, []),
    ("SIGGRAPH", "ACM SIGGRAPH", Kind.CONFERENCE, []),
    ("JMLR", "Journal of Machine Learning Research", Kind.JOURNAL, []),
    ("TMLR", "Transactions on Machine Learning Research", Kind.JOURNAL, []),
    ("TPAMI", "IEEE Transactions on Pattern Analysis and Machine Intelligence", Kind.JOURNAL, ["PAMI"]),
    ("Nature", "Nature", Kind.JOURNAL, []),
    ("Science", "Science", Kind.JOURNAL, []),
    ("PNAS", "Proceedings of the National Academy of Sciences", Kind.JOURNAL, []),
    ("arXiv", "arXiv", Kind.PREPRINT, ["CoRR"]),
    ("bioRxiv", "bioRxiv", Kind.PREPRINT, []),
]  # fmt: skip

_BY_SPELLING = {
    spelling.casefold(): (short, name, kind)
    for short, name, kind, aliases in _KNOWN
    for spelling in [short, *aliases]
}
# Longest first, so "NAACL" is tried before "ACL" would match inside another name.
_KNOWN_WORD = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(s) for s in sorted(_BY_SPELLING, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)
# Phrases of full names: "Advances in Neural Information Processing Systems 33" is NeurIPS
# (BibTeX from publishers spells venues out).
_PHRASES = sorted(
    [
        ("neural information processing systems", "NeurIPS"),
        ("international conference on machine learning", "ICML"),
        ("international conference on learning representations", "ICLR"),
        ("computer vision and pattern recognition", "CVPR"),
        ("international conference on computer vision", "ICCV"),
        ("european conference on computer vision", "ECCV"),
        ("journal of machine learning research", "JMLR"),
        ("transactions on machine learning research", "TMLR"),
        ("pattern analysis and machine intelligence", "TPAMI"),
        ("empirical methods in natural language processing", "EMNLP"),
        ("association for computational linguistics", "ACL"),
        ("north american chapter of the association for computational linguistics", "NAACL"),
    ],
    key=lambda pair: -len(pair[0]),
)
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
# CVPR'22, ICLR '21, NeurIPS’20: an apostrophe and two digits.
_SHORT_YEAR = re.compile(r"['’‘]\s?(\d\d)\b")
_FILLER = re.compile(
    r"\b(proc(eedings)?|of|the|in|on|\d+(st|nd|rd|th)|annual|conference|conf|international|"
    r"intl|volume|vol|pp|pages|main|track|papers?|oral|poster|spotlight|accepted|at|"
    r"pmlr|acm|ieee|cvf|preprint|e-?print|abs|\d+)\b\.?",
    re.IGNORECASE,
)
_KIND_WORDS = [
    (re.compile(r"\bworkshops?\b", re.IGNORECASE), Kind.WORKSHOP),
    (re.compile(r"\b(arxiv|preprint|biorxiv|medrxiv|corr|ssrn)\b", re.IGNORECASE), Kind.PREPRINT),
    (re.compile(r"\b(journal|transactions|letters|review|magazine)\b", re.IGNORECASE), Kind.JOURNAL),
    (re.compile(r"\b(proc(eedings)?|conference|conf|symposium|congress|meeting)\b\.?", re.IGNORECASE), Kind.CONFERENCE),
    (re.compile(r"\b(book|chapter|press|lecture notes|springer)\b", re.IGNORECASE), Kind.BOOK),
]  # fmt: skip


@dataclass(frozen=True)
class ParsedVenue:
    """What a free-text venue says: ``name`` is never empty; ``year`` may be ``None``."""

    name: str
    short_name: str
    kind: str
    year: int | None


def _clean(text):
    text = unicodedata.normalize("NFKC", text or "")
    return " ".join(text.replace("\x00", "").split())


def _year_of(text):
    match = _YEAR.search(text)
    if match:
        return int(match.group(1))
    short = _SHORT_YEAR.search(text)
    if short:
        two = int(short.group(1))
        return 2000 + two if two < 50 else 1900 + two
    return None


def _without_years(text):
    text = _SHORT_YEAR.sub(" ", _YEAR.sub(" ", text))
    return " ".join(text.split()).strip(" ,.;:-–—()'’")


def _short_match(text):
    """The known venue ``text`` names, if the rest of it is only filler words.

    "Nature Communications" or "ACL Anthology Journal" name another venue: only
    "Proc. of the 38th ICML", "ICML 2021 (oral)" and the like are the known one.
    """
    folded = text.casefold()
    for phrase, short in _PHRASES:
        if phrase in folded:
            return _BY_SPELLING[short.casefold()]
    match = _KNOWN_WORD.search(text)
    if not match:
        return None
    key = match.group(1).casefold()
    rest = _KNOWN_WORD.sub(lambda m: " " if m.group(1).casefold() == key else m.group(0), text)
    rest = _FILLER.sub(" ", rest)
    rest = re.sub(r"[^\w]+", " ", rest).strip()
    if rest and not _KIND_WORDS[0][0].search(text):
        return None
    return _BY_SPELLING[match.group(1).casefold()]


def parse_venue(text):
    """``ParsedVenue`` for a free-text venue, or ``None`` when it names no venue.

    >>> parse_venue("CVPR'22").short_name, parse_venue("CVPR'22").year
    ('CVPR', 2022)
    >>> parse_venue("2022") is None
    True
    """
    text = _clean(text)[:255]
    year = _year_of(text)
    bare = _without_years(text)
    if not any(char.isalpha() for char in bare):
        return None  # "", "2022", "(2021)": a year at most, no venue
    workshop = bool(_KIND_WORDS[0][0].search(bare))
    known = _short_match(bare)
    if known:
        short, name, kind = known
        if workshop:
            return ParsedVenue(f"{short} Workshops", f"{short} Workshops", Kind.WORKSHOP, year)
        return ParsedVenue(name, short, kind, year)
    kind = next((kind for pattern, kind in _KIND_WORDS if pattern.search(bare)), Kind.JOURNAL)
    # An all-capitals word of 2-10 letters alone is a short name nobody listed ("MIDL").
    short = (
        bare
        if re.fullmatch(r"[A-Z][A-Za-z]{1,9}", bare) and sum(map(str.isupper, bare)) > 1
        else ""
    )
    if short:
        kind = Kind.CONFERENCE
    return ParsedVenue(bare[:200], short, kind, year)
