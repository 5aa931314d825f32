"""Link texts that are more than a title: a whole citation, a title with its year and
authors, a title with its short name.

- ``Wieting, John, et al. "CHARAGRAM: Embedding Words…." arXiv preprint arXiv:1607.02789
  (2016).`` (a citation copied from a scholar search, linked as a whole): the quoted title,
  the names before it, the year and venue after it.
- ``How Contextual are Contextualized Word Representations? (2019) - Ethayarajh``: title,
  the paper's year, then its authors.
- ``Long Short-Term Memory (LSTM)``: the title and its short name (an alias).
- ``iSeeBetter: … networks & Other SRs``: a remark that more papers were discussed.
"""

import re

from papers.intake.notes import meta

_TITLE_YEAR_AUTHORS = re.compile(
    rf"^(?P<title>.+?)\s*\((?P<year>{meta.YEAR})\)\s*[-–—:]\s*(?P<who>[^()]+?)\.?$"
)
# "(LSTM)", "(CompGCN)", "(GPT-3)": one token with capitals or digits in it, as short
# names are written; "(Extended Version)", "(simpler)" are not.
_ALIAS = re.compile(r"\s*\((?P<alias>[A-Za-z][\w\-.+]{1,19})\)$")
# "Sutskever, Ilya, et al." / "Wieting, John." (a scholar search's citation).
_SURNAME_GIVEN = re.compile(
    r"^(?P<surname>[A-Z][\w'’\-]+),\s+(?P<given>[A-Z][\w'’\-]*(?:\s+[A-Z]\.?)?),?"
    r"(?:\s+et\.?\s+al\.?)?\s*$"
)
_OTHERS = re.compile(r"\s+(?:&|and)\s+(?:some\s+)?others?(?:\s+\w+)?$", re.I)


def _is_short_name(token):
    return len(re.findall(r"[A-Z0-9]", token)) >= 2 and not token.isdigit()


def read(text):
    """``(title, meta)`` for a link text that holds more than its title, else ``None``.

    ``meta``: ``{"year", "authors", "venue", "alias"}`` (what the text gives)."""
    text = (text or "").strip()
    cited = meta.citation(text) if '"' in text or "“" in text else None
    if cited and cited[0] and len(cited[1].split()) >= 3:
        authors, title, venue, year = cited
        first = _SURNAME_GIVEN.match(text[: text.find(title)].strip(' "“'))
        if first:  # "Sutskever, Ilya, et al.": one name, written surname first
            authors = [f"{first.group('given')} {first.group('surname')}"]
        year = year or meta.parse_meta(text)["year"]
        return title.rstrip(" ."), {"year": year, "authors": authors, "venue": venue, "alias": ""}
    stored = _labelled_source(text)
    if stored:
        return stored
    match = _TITLE_YEAR_AUTHORS.match(text)
    if match and len(match.group("title").split()) >= 2:
        authors = meta.names(match.group("who")) or _loose_names(match.group("who"))
        if authors:
            return match.group("title").strip(), {
                "year": int(match.group("year")),
                "authors": authors,
                "venue": "",
                "alias": "",
            }
    return None


# "[DCN] Deep & Cross Network for Ad Click Predictions (Stanford 2017)", "[CDL] Title (HKUST,
# 2015)", "Title(UNIBZ 2014)": a list's label in brackets, the title, then who published it
# and when (a list of PDFs named that way).
_LABEL_TITLE_SOURCE = re.compile(
    r"^(?:\[(?P<label>[^\[\]]{1,30})\]\s*)?(?P<title>[^\[\]]+?)\s*"
    rf"\((?:(?P<source>[A-Z][\w&\-. ]{{0,30}}?),?\s+)?(?P<year>{meta.YEAR})\)$"
)


def _labelled_source(text):
    match = _LABEL_TITLE_SOURCE.match(text)
    if not match or len(match.group("title").split()) < 2:
        return None
    if not match.group("label") and not match.group("source"):
        return None  # "Title (2019)": a trailing date, read as such elsewhere
    label = (match.group("label") or "").strip()
    short = label if " " not in label and _is_short_name(label) else ""
    return match.group("title").strip(), {
        "year": int(match.group("year")),
        "authors": [],
        "venue": "",
        "alias": short,
        "affiliations": (match.group("source") or "").strip(),
        "tag": "" if short else label,
    }


def tidy(title):
    """``(title, alias)``: a trailing short name in parentheses and a trailing "& Other
    SRs" remark off a title of at least three words; else the title unchanged."""
    found = _ALIAS.search(title or "")
    if found and _is_short_name(found.group("alias")) and len(title[: found.start()].split()) >= 3:
        return title[: found.start()].strip(), found.group("alias")
    others = _OTHERS.search(title or "")
    if others and len(title[: others.start()].split()) >= 3:
        return title[: others.start()].strip(), ""
    return title, ""


# "CPM-1. Chinese Pre-trained Language Model, 2020": a short name, then the title and year.
_ALIAS_FIRST = re.compile(
    rf"^(?P<alias>[^\s.]{{2,20}})\.\s+(?P<title>.+?),?\s+(?P<year>{meta.YEAR})$"
)


def alias_first(title):
    """``(title, alias, year)`` for ``ALIAS. Title, Year``; ``None`` otherwise."""
    match = _ALIAS_FIRST.match(title or "")
    if not match or not _is_short_name(match.group("alias")):
        return None
    if len(match.group("title").split()) < 2:
        return None
    return match.group("title").strip(" ,"), match.group("alias"), int(match.group("year"))


def _loose_names(text):
    """Surnames after ``(2019) -``, one of them misspelt or lower-case ("va den Hengel"):
    the first must read as a name, and each is a name's length."""
    pieces = [p.strip() for p in re.split(r"\s*(?:,|\band\b|&)\s*", text) if p.strip()]
    if not pieces or not meta.names(pieces[0]) or len(pieces) > 30:
        return []
    if all(1 <= len(p.split()) <= 4 and not re.search(r"[\d:;!?]", p) for p in pieces):
        return pieces
    return []


# Harvard: "Signoretto, M., Van de Plas, R. and Suykens, J.A., 2011. Title. Venue, 18(7)."
# (also "…, 2010, September. Title. In …").
_HARVARD = re.compile(
    rf"^(?P<who>.+?[A-Z]\.),\s*(?P<year>{meta.YEAR})(?:,\s*[A-Z][a-z]+)?\.\s+"
    r"(?P<title>[^.]{10,}?(?:\?|\.))\s+(?P<venue>.+?)\.?$"
)
# MLA without quotes (a book): "Cichocki, Andrzej, et al. Title: subtitle. Publisher, 2009."
_MLA_PLAIN = re.compile(
    r"^(?P<who>[A-Z][\w'’\-]+,\s+[A-Z][\w'’\-]*(?:\s+[A-Z]\.)?(?:,?\s+et\.?\s+al)?)\.\s+"
    rf"(?P<title>[^.]{{10,}}?)\.\s+(?P<venue>[^.]*?),?\s*(?P<year>{meta.YEAR})\.?$"
)


def names_first(text):
    """``(authors, title, venue, year)`` for a reference written names first, then the
    year (Harvard) or a title without quotes (MLA), before its ``[(Paper)](…)`` link;
    ``None`` otherwise."""
    text = (text or "").strip()
    harvard = _HARVARD.match(text)
    if harvard and len(harvard.group("title").split()) >= 3:
        who = re.split(r"(?<=\.),\s*|\s+and\s+|\s*&\s*", harvard.group("who"))
        authors = [name.strip(" ,") for name in who if name.strip(" ,")]
        return (
            authors,
            harvard.group("title").rstrip("."),
            harvard.group("venue"),
            int(harvard.group("year")),
        )
    plain = _MLA_PLAIN.match(text)
    if plain and len(plain.group("title").split()) >= 3:
        first = _SURNAME_GIVEN.match(plain.group("who"))
        authors = [f"{first.group('given')} {first.group('surname')}"] if first else []
        return authors, plain.group("title"), plain.group("venue"), int(plain.group("year"))
    return None
