"""Titles, authors, dates and venues from the text people write around a paper link."""

import re

from papers.identifiers import parse_arxiv_id
from papers.intake.records import clean_text, parse_month

YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# A text that is only a date: "2018-02", "2016", "March 2019", "2019.03", "(2016)", "Feb-2018".
_DATE_ONLY = [
    re.compile(rf"^(?P<year>{YEAR})(?:\s*[-./]\s*(?P<month>0?[1-9]|1[0-2]))?$"),
    re.compile(rf"^(?P<month>0?[1-9]|1[0-2])\s*[-./]\s*(?P<year>{YEAR})$"),
    re.compile(rf"^(?P<month>{_MONTH})\s*[-,]?\s*(?P<year>{YEAR})$", re.I),
    re.compile(rf"^(?P<year>{YEAR})\s*[-,]?\s*(?P<month>{_MONTH})$", re.I),
]
VENUE = re.compile(
    r"\b(?:ICLR|ICML|NeurIPS|NIPS|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|EACL|COLING|AAAI|IJCAI|KDD|"
    r"JMLR|TMLR|TPAMI|PAMI|COLT|AISTATS|UAI|SIGGRAPH|MICCAI|Interspeech|ICASSP|CoRL|ICRA|"
    r"IROS|RSS|WWW|SIGIR|WSDM|CIKM|ICDM|BMVC|WACV|3DV|TACL|Nature|Science|arXiv|ArXiv|PNAS|"
    r"Workshop|Conference|Journal|Transactions|Proceedings|Symposium)\b"
)
_PAREN = re.compile(r"\(\s*(?P<inner>[^()]{1,160}?)\s*\)")
_ET_AL = re.compile(r"\s*,?\s*\bet\.?\s*al\.?", re.I)
_NAME = re.compile(
    r"^(?:[A-Z][\w'’\-]*\.?|[A-Z]\.(?:\s?[A-Z]\.)*|van|von|de|der|den|dan|da|del|di|le|la|du|ter)"
    r"(?:\s+(?:[A-Z][\w'’\-]*\.?|[A-Z]\.|van|von|de|der|den|dan|da|del|di|le|la|du|ter)){0,4}$",
    re.U,
)
_TRIM = " \t\u2009\xa0-–—:;,.|/\\[]()\"'“”‘’*_~`#>"


def _venue_year(text):
    match = re.search(rf"\b{YEAR}\b", text) if VENUE.search(text) else None
    return (int(match.group(0)), None) if match else None


# "ICLR'16", "NIPS '17", "CVPR’15": a venue with a two-digit year.
# Systems venues too ("ASPLOS'25", "OSDI '24"): only with the short year, as their names
# ("FAST", "ATC") are words in titles on their own.
_VENUE_SHORT_YEAR = re.compile(
    rf"(?:{VENUE.pattern}|\b(?:ASPLOS|SOSP|OSDI|NSDI|EuroSys|ATC|FAST|MobiSys|ISCA|MICRO|"
    rf"HPCA|SIGCOMM|SIGMOD|VLDB|PLDI|POPL|ICSE|FSE|SC)\b)\s?['’](?P<yy>\d\d)\b"
)


def short_venue_year(text):
    """``ICLR'16`` → 2016; ``None`` when the text names no venue with a short year."""
    match = _VENUE_SHORT_YEAR.search(text or "")
    if not match:
        return None
    yy = int(match.group("yy"))
    return 1900 + yy if yy > 50 else 2000 + yy


def date_only(text):
    """``(year, month)`` when ``text`` is nothing but a date, else ``None``."""
    # "2016-11 (ICLR Edition)": a date with a remark is still a date.
    text = re.sub(r"(?<=\d)\s*\([^()]{1,40}\)\W*$", "", clean_text(text))
    text = text.strip(" *_()[]:#")
    # "Added 2018/10/01", "Read on 2019-03-04": a day-precise date keeps year and month;
    # so does a day left open ("Added 2016/03/??") and "Added 2016/03".
    text = re.sub(
        rf"^(?:[A-Za-z]+\s+){{0,2}}(?P<d>{YEAR}[-/.]\d{{1,2}})(?:[-/.](?:\d{{1,2}}|\?\??|xx))?$",
        r"\g<d>",
        text,
        flags=re.I,
    )
    for pattern in _DATE_ONLY:
        match = pattern.match(text)
        if match:
            month = match.group("month")
            return int(match.group("year")), parse_month(
                month[:3] if month and month[0].isalpha() else month
            )
    return None


_LEADING_LABEL = re.compile(r"^\s*\((?:[a-z][a-z\- ]{1,20})\)\s+(?=\S+\s+\S)")
# "(Almost) Free Incentivized Exploration", "(De)Randomized Smoothing": a capitalised word
# in parentheses that opens the title is part of it.
_TITLE_PAREN = re.compile(r"^\((?=[A-Z][\w\-]{0,20}\)\S*\s+\S)")


def clean_title(text):
    """Link or lead text → a title: quotes, brackets, trailing punctuation and markers off."""
    text = clean_text(text)
    # "(survey) Knowledge Distillation: A Survey": a lower-case label in parentheses before
    # the title says what kind of paper it is; "(Almost) Free …" is part of a title.
    text = _LEADING_LABEL.sub("", text)
    opening = _TITLE_PAREN.match(text)
    title = _clean_title(text[1:] if opening else text)
    return f"({title}" if opening and title else title


def _clean_title(raw):
    text = raw.strip(_TRIM)
    if text.count("(") > text.count(")") and raw[raw.find(text) + len(text) :].startswith(")"):
        text += ")"  # "Long Short-Term Memory (LSTM)": its closing parenthesis is kept
    # "Dropout as Annealing - ICLR'18 oral": the venue remark is not part of the title.
    text = re.sub(rf"\s+[-–—]\s+(?:{VENUE.pattern})\s?['’]\d\d\b.*$", "", text)
    text = re.sub(r"^(?:\d{1,3}[.)]\s+|paper\s*\d*\s*[:.\-–]\s+)", "", text, flags=re.I)
    return (
        text.strip(_TRIM + "?!").strip()
        if text.endswith((":", ","))
        else text.strip(_TRIM.replace(")", ""))
    )


def trailing_date(title):
    """``Pointer Networks (2015.06)``, ``Title (**2016**)`` → ``("Pointer Networks",
    (2015, 6))``: a link text that ends with the paper's own date in parentheses. Else
    ``(title, None)``."""
    match = re.search(r"\s*\((?P<inner>[^()]{4,24})\)[\s.,;]*$", title or "")
    found = date_only(match.group("inner")) if match else None
    if not found or len(title[: match.start()].split()) < 2:
        return title, None
    return title[: match.start()].strip(), found


def names(text):
    """Authors from ``G. Hinton et al.``, ``D. Kingma and J. Ba``, ``He, Zhang, Ren``."""
    text = _ET_AL.sub("", text or "").strip(_TRIM)
    parts = [clean_text(p).strip(_TRIM) for p in re.split(r"\s*(?:,|;|\band\b|&)\s*", text)]
    parts = [p for p in parts if p]
    if parts and all(_NAME.match(p) and len(p) <= 60 for p in parts):
        return parts
    return []


def split_venue(text):
    """``Title, Facebook AI and Georgia Tech, ICCV 2017`` → title, alias, affiliations, venue."""
    alias = affiliations = venue = ""
    parts = [part.strip() for part in text.split(",")]
    # "HAT, not CAP: Towards Highly Available Transactions": a subtitle after a colon is
    # the title going on, not a venue ("Transactions").
    if (
        len(parts) >= 2
        and VENUE.search(parts[-1])
        and len(parts[-1]) <= 60
        and ":" not in parts[-1]
    ):
        venue = parts.pop()
        if len(parts) >= 2 and len(parts[-1].split()) <= 8 and not VENUE.search(parts[-1]):
            affiliations = parts.pop()
    elif (
        len(parts) >= 2
        and re.search(r"\([^()]{1,30}\)$", parts[-2])
        and len(parts[-1].split()) <= 6
    ):
        affiliations = parts.pop()  # "Title (GPT-3), OpenAI"
    title = ", ".join(parts)
    match = re.search(r"\s*\((?P<alias>[^()]{1,30})\)$", title)
    if match and (affiliations or venue) and not date_only(match.group("alias")):
        alias, title = match.group("alias"), title[: match.start()]
    return title.strip(), alias, affiliations, venue


def parse_meta(text):
    """Alias, authors, year, month, venue from the text around a title.

    ``(2015), G. Hinton et al.``; ``(Kingma, Welling: December 2013)``; ``(GPT-3)``;
    ``- ICLR 2014``; ``Kaiming He, Xiangyu Zhang, ArXiv, 2016``.
    """
    out = {"alias": "", "authors": [], "year": None, "month": None, "venue": ""}
    text = clean_text(text)
    for match in _PAREN.finditer(text):
        inner = match.group("inner")
        date = date_only(inner)
        dated = re.match(rf"^(?P<who>.*?)\s*[:,]\s*(?P<when>(?:{_MONTH}\s+)?{YEAR})$", inner, re.I)
        # "(Jun 2002, JAIR)", "(ICLR 2020, Google AI)", "(Sep 2018, ICLR 2019, FAIR)".
        listed = next(
            (w for piece in inner.split(",") if (w := date_only(piece) or _venue_year(piece))),
            None,
        )
        if date and not out["year"]:
            out["year"], out["month"] = date
        elif dated and not out["year"]:
            out["year"], out["month"] = date_only(dated.group("when"))
            out["authors"] = out["authors"] or names(dated.group("who"))
        elif listed:
            if not out["year"]:
                out["year"], out["month"] = listed
            venue = next((p.strip() for p in inner.split(",") if VENUE.search(p)), "")
            out["venue"] = out["venue"] or venue
        elif (
            not out["alias"]
            and len(inner) <= 40
            and not re.search(r"https?:", inner)
            and not inner.rstrip().endswith("?")  # "(or swap for?)": a remark
            and re.search(r"[A-Z0-9]", inner)  # "(simpler)": a remark, not a name
        ):
            if not VENUE.search(inner) and (" " not in inner or not names(inner)):
                out["alias"] = inner
            elif VENUE.search(inner) and not out["venue"]:
                out["venue"] = inner
    rest = _PAREN.sub(" , ", text)
    # ". " ends a piece, except after an initial ("K. He").
    pieces = re.split(r"\s*(?:,|;|\s[-–—]\s|(?<!\b[A-Z])\.\s)\s*", rest)
    pieces = [p.strip(_TRIM) for p in pieces]
    pieces = [p for p in pieces if p]
    who = []
    for piece in pieces:
        year = re.search(rf"\b{YEAR}\b", piece)
        if VENUE.search(piece) and not out["venue"] and len(piece) <= 60:
            out["venue"] = piece
        if year and not out["year"]:
            out["year"] = int(year.group(0))
            month = re.search(rf"\b{_MONTH}", piece, re.I)
            out["month"] = parse_month(month.group(0)[:3]) if month else None
        elif not VENUE.search(piece) and not year:
            who.append(piece)
    if not out["authors"] and who:
        out["authors"] = names(", ".join(who))
    if not out["year"] and short_venue_year(text):
        out["year"] = short_venue_year(text)
    return out


# APA: "Yang, Z., He, X., & Smola, A. (2015). Title of the paper. arXiv:1511.02274."
_APA = re.compile(
    rf"^(?P<who>[^()]+?)\s*\((?P<year>{YEAR})[a-z]?\)\.\s*(?P<title>.+?)\.(?:\s+(?P<venue>.*?))?\.?$"
)


_QUOTED = re.compile(r"[\"“](?P<title>[^\"”]{10,300})[\"”]")


def _is_date_piece(text):
    return bool(re.fullmatch(rf"(?:{_MONTH}\s+)?{YEAR}", text, re.I))


def citation(text):
    """``Authors, Title, Venue, Year.`` → ``(authors, title, venue, year)``, else ``None``.

    The shape of a reference line under an item: names first, then the title, then the
    venue, year or arXiv id.
    """
    text = re.sub(r"\s*\([^()]*\)\W*$", "", clean_text(text))  # "(1st ranked in VOC2012)"
    quoted = _QUOTED.search(text)
    if quoted and len(quoted.group("title").split()) >= 3 and names(text[: quoted.start()]):
        after = text[quoted.end() :]
        year = re.search(rf"\b{YEAR}\b", after)
        venue = VENUE.search(after)
        return (
            names(text[: quoted.start()]),
            quoted.group("title").strip(" .,"),
            venue.group(0) if venue else "",
            int(year.group(0)) if year else None,
        )
    apa = _APA.match(text)
    if apa and len(apa.group("title").split()) >= 2:
        who = [n for n in re.split(r",\s*(?=[A-Z][\w'’\-]+,)|,?\s*&\s*", apa.group("who")) if n]
        return (
            [clean_text(n).strip(" ,") for n in who],
            apa.group("title"),
            apa.group("venue") or "",
            int(apa.group("year")),
        )
    text = re.sub(r",?\s*arXiv:\s*\d{4}\.\d{4,5}(?:v\d+)?\.?", ", arXiv", text, flags=re.I)
    parts = [part.strip(" .") for part in re.split(r",\s+", text) if part.strip(" .")]
    tail, year, venue = [], None, ""
    while parts and (_is_date_piece(parts[-1]) or VENUE.search(parts[-1]) and len(parts[-1]) < 60):
        piece = parts.pop()
        found = re.search(rf"\b{YEAR}\b", piece)
        if found and not year:
            year = int(found.group(0))
        if VENUE.search(piece) and not venue:
            venue = re.sub(rf"\s*\b{YEAR}\b", "", piece).strip()
        tail.append(piece)
    people = []
    while parts and (_people(parts[0]) and len(parts) > 1):
        people += _people(parts.pop(0))
    if not tail or not parts or not people:
        return None
    title = ", ".join(parts).strip(' "“”')
    if len(title.split()) < 2 or names(title) and (len(title.split()) <= 2 or "." in title):
        return None
    return people, title, venue, year


def strip_remark(title):
    """``Title (ELMo, AllenInst w/ Zettlemoyer)`` → ``("Title", "ELMo")``.

    For titles read from plain text, where a trailing parenthesis is the writer's remark
    (an alias, "long paper"); link texts keep theirs, which may be part of the title.
    """
    match = re.search(r"\s*\((?P<inner>[^()]{1,80})\)?\W*$", title)
    if not match or len(title[: match.start()].split()) < 3 or date_only(match.group("inner")):
        return title, ""
    first = re.split(r"[,;]", match.group("inner"))[0].strip(" \"'“”")
    alias = first if len(first) <= 20 and len(first.split()) <= 2 else ""
    if alias.lower() in ("long paper", "short paper", "paper") or not re.search(r"[A-Z0-9]", alias):
        alias = ""
    return title[: match.start()].strip(), alias


_ARXIV_WRITTEN = re.compile(r"\barXiv:\s*\d{4}[.:]\d{4,5}(?:v\d+)?", re.I)
_TAIL = re.compile(
    rf"\b{YEAR}\b|{VENUE.pattern}|\barxiv\b|\bworkshop\b|\b(?:vol|no|pp)\.\s*\d", re.I
)


def reference_under(text, short_name="", linked=False):
    """A reference line under an item that names its paper by a short name
    (``* Fast R-CNN, Microsoft Research [[Paper]](…)`` over ``* Ross Girshick, Fast R-CNN,
    arXiv:1504.08083.``): ``(authors, title, venue, year)`` or ``None``.

    Names lead, the venue/year/arXiv pieces trail; what is left is the title. It is
    trusted when it carries the item's short name ("Inside-Outside Net: Detecting…"), or
    when both names and a venue/year were found around it.
    """
    # "Title. ICCV, 2015": the venue after a full stop.
    strict = citation(re.sub(rf"\.\s+(?=(?:{VENUE.pattern})\s*,)", ", ", text))
    if strict:
        return strict
    linked = linked and re.sub(r"[\s\[(]+$", "", text).endswith(",")
    text = re.sub(r"\s*\([^()]*\)\W*$", "", clean_text(text)).strip(" .")
    # "Title. ICCV, 2015", "Title. International Journal of …, vol. 1, 2001"
    text = re.sub(rf"\.\s+(?=(?:[^,.]*{VENUE.pattern}[^,]*,|{YEAR}))", ", ", text)
    strict = citation(text)
    if strict:
        return strict
    text = _ARXIV_WRITTEN.sub("arXiv", text)
    parts = [part.strip(" .") for part in re.split(r",\s+", text) if part.strip(" .")]
    short = re.split(r",|\(", short_name)[0].strip().lower()
    people = []
    while (
        len(parts) > 1
        and _people(parts[0])
        and not _TAIL.search(parts[0])
        and not (len(short) >= 3 and short in parts[0].lower())
    ):
        people += _people(parts.pop(0))
    year, venue, tail = None, "", False
    while len(parts) > 1 and _TAIL.search(parts[-1]) and len(parts[-1]) < 90:
        piece = parts.pop()
        found = re.search(rf"\b{YEAR}\b", piece)
        year = year or (int(found.group(0)) if found else None)
        venue = venue or (VENUE.search(piece).group(0) if VENUE.search(piece) else "")
        tail = True
    if tail and len(parts) > 1 and not people and all(_people(part) for part in parts[1:]):
        # "Colorful Image Colorization Richard Zhang, Phillip Isola, …": the title runs
        # into the first author's name.
        run_on = re.match(r"^(?P<title>.+?)\s+(?P<who>[A-Z][\w'’\-]+\s+[A-Z][\w'’\-]+)$", parts[0])
        if run_on and len(run_on.group("title").split()) >= 2:
            people = [run_on.group("who"), *[n for part in parts[1:] for n in _people(part)]]
            return people, run_on.group("title"), venue, year
    title = ", ".join(parts).strip(' "“”')
    if not title or _TAIL.fullmatch(title):
        return None
    at = title.lower().find(short) if len(short.split()) >= 3 else -1
    if at > 0 and title[at - 2 : at] == ", ":
        # "Jure Žbontar, Yann LeCun, Computing the Stereo…": names the parser did not
        # know, before the title the item gives.
        title = title[at:]
    colon = re.match(r"^(?P<who>[^:]{3,60}):\s+(?P<rest>.+)$", title)
    if colon and _people(colon["who"]) and len(short) >= 3 and short in colon["rest"].lower():
        # "Sven Behnke: Learning Iterative Image Reconstruction" under "Iterative Image…"
        people, title = people or _people(colon["who"]), colon["rest"]
    carries = bool(short) and len(short) >= 3 and short in title.lower()
    if carries and (people or tail):
        return people, title, venue, year
    if people and tail and len(title.split()) >= 3 and not names(title):
        return people, title, venue, year
    if linked and people and len(title.split()) >= 4 and not names(title):
        return people, title, venue, year  # "Authors, Title, [[Paper]](…)": a list's last
    return None


def _people(piece):
    """Authors of a reference piece: full names ("Ross Girshick", "C. L. Zitnick"), never a
    lone capitalised word ("Seed, Expand and Constrain" is a title)."""
    found = names(piece)
    return (
        found
        if found
        and all(" " in name or "." in name for name in found)
        and all(len(re.findall(r"\b[A-Z][a-z]", name)) <= 4 for name in found)
        else []
    )


# "… CVPR 2019", "… IJCNN 2018", "… ACL 2019,short", "… iclr 2021", "… arXiv:2020": a venue
# (a known one, or an acronym: two capitals) and a year closing a reference.
_VENUE_YEAR_END = re.compile(
    rf"(?:^|[\s.,;(])(?P<venue>[A-Za-z][\w&\-]*(?:\s+[A-Z][\w&\-]*){{0,2}})[\s:’']*"
    rf"(?P<year>{YEAR})\)?(?:\s*[,(]\s*[\w\s]{{0,15}}\)?)?[\s.]*$"
)
_WRITTEN_ARXIV = re.compile(r"\barXiv\s*:\s*(?P<id>\d{4}\.\d{4,5})(?:v\d+)?\.?", re.I)
_AFFILIATION = re.compile(r"\s*\([^()]{1,40}\)")


def title_first(text):
    """``Title. Park, Wonpyo et al. CVPR 2019`` / ``Title. Kim, Yoon & Rush, Alexander M.
    arXiv:1606.07947`` / ``Title. ICLR 2020`` / ``Title. Li, Hao et al. Applied Sciences,
    2019`` / ``Title [KDD 2021]``: a reference written title first, then (optionally) the
    authors, then an arXiv id or a venue and year — the shape of the numbered lists of
    plain references many awesome lists keep.

    ``(authors, title, venue, year, arxiv_id)``, else ``None``. Only the first sentence
    is the title, and what lies between it and the venue must read as names (or be
    absent): prose that happens to end in "CVPR 2019" is no reference.
    """
    text = clean_text(text).rstrip(" .")
    bracket = _BRACKETED_VENUE.search(text)
    if bracket:  # "Title [KDD 2021]", "Title. Chen, Lei et al.[ArXiv 2107.07173v1]"
        found = _reference_tail(bracket.group("inner"))
        named = re.fullmatch(
            rf"(?P<venue>[A-Z][\w&\- ]{{1,40}}?)\s+(?P<year>{YEAR})", bracket.group("inner")
        )
        if not found and named:  # "[Information Sciences 2021]": a journal in brackets
            found = [], named.group("venue"), int(named.group("year")), ""
        if found and not found[0]:
            title, authors = text[: bracket.start()].strip(" ."), []
            first = _first_sentence(title)
            if first and _authors_of(first[1]):
                title, authors = first[0], _authors_of(first[1])
            if len(title.split()) >= 2 and not _ET_AL.search(title):
                return authors, title, found[1], found[2], found[3]
    for title, rest, question in _sentences(text):
        found = _reference_tail(rest)
        if found is None and question:
            continue  # "How many Observations are Enough? Knowledge Distillation for …"
        # Only the first sentence (ending in a period) is the title: "Title. Cha, han et
        # al. arXiv:…" whose names do not read as names is not retried with them in it.
        if found is None or len(title) > 300 or _ET_AL.search(title):
            return None
        authors, venue, year, arxiv_id = found
        return authors, title, venue, year, arxiv_id
    return None


def _sentences(text):
    """``(title, rest)`` at each period (or ``?``/``!``, kept) that may end the title: a
    sentence of two words or more — not an initial ("… Alexander M. arXiv…"), not
    "BAM! Born-Again …", not "1.5x"."""
    for split in re.finditer(r"(?<=[^\s.?!])(?P<end>[.?!]+)\s*(?=\S)", text):
        kept = split.group("end").rstrip(".")[:1]
        title = text[: split.start()].strip() + kept
        if re.search(r"(?:^|\s)[A-Z]$", title) or len(title.split()) < 2:
            continue
        if not split.group(0).strip(".?!") and not text[split.end() :][:1].isupper():
            continue  # "1.5x faster", "e.g.": no space after the period and no capital
        yield title, text[split.end() :].strip(), bool(kept)


def _first_sentence(text):
    return next(((title, rest) for title, rest, _ in _sentences(text)), None)


_BRACKETED_VENUE = re.compile(r"\s*\[(?P<inner>[^\[\]]{3,40})\]\s*$")
_ARXIV_BARE = re.compile(r"\barxiv\s*:?\s*(?P<id>\d{4}\.\d{4,5})(?:v\d+)?\b", re.I)


def _reference_tail(rest):
    """``Park, Wonpyo et al. CVPR 2019`` → ``(authors, venue, year, arxiv_id)``, else None."""
    arxiv = _WRITTEN_ARXIV.search(rest) or _ARXIV_BARE.search(rest)
    if arxiv and not parse_arxiv_id(arxiv.group("id")):
        return None  # "arXiv:2014.10510": no month 14, no such id, no year from it
    arxiv_id = arxiv.group("id") if arxiv else ""
    who = rest[: arxiv.start()] if arxiv else rest
    after = rest[arxiv.end() :] if arxiv else ""
    venue, year = "", None
    ending = _VENUE_YEAR_END.search(after if arxiv else rest)
    if ending and (VENUE.search(ending.group("venue")) or _acronym(ending.group("venue"))):
        venue, year = ending.group("venue"), int(ending.group("year"))
        if not arxiv:
            who = rest[: ending.start("venue")]
    elif arxiv and after.strip(" .,;"):
        alone = re.fullmatch(rf"[\s.,;]*\(?(?P<year>{YEAR})\)?[\s.]*", after)
        if not alone:
            return None  # something after the id that is not a venue: not this shape
        year = int(alone.group("year"))
    elif not arxiv:
        # "Huang, Zehao & Wang, Naiyan. 2017"; "Li, Hao et al. Applied Sciences, 2019":
        # after names, a bare year or a journal's name and a year.
        last = re.search(
            rf"(?P<venue>(?:\s*[A-Z][\w&\-]*){{0,6}}),?\s*(?P<year>{YEAR})[\s.]*$", rest
        )
        if last and _authors_of(rest[: last.start()]):
            venue, year = last.group("venue").strip(), int(last.group("year"))
            who = rest[: last.start()]
    if not arxiv_id and year is None:
        return None
    if venue.lower() == "arxiv":
        venue = ""
    authors = _authors_of(who)
    if authors is None and arxiv_id:
        authors = []  # "HIT and iFLYTEK. arXiv:2002.12620": the id says it is a paper
    if authors is None:
        return None
    return authors, venue, year, arxiv_id


def _acronym(venue):
    """``IJCNN``, ``ACM MM``, ``iclr``: a short venue written as an acronym."""
    word = venue.split()[0] if venue.split() else ""
    if len(venue) > 20:
        return False
    # A lower-case "iclr" counts when it is a known venue's name.
    return sum(c.isupper() for c in word) >= 2 or bool(VENUE.search(word.upper()))


def _authors_of(text):
    """``Park, Wonpyo et al.``, ``Kim, Yoon & Rush, Alexander M.``, ``Z. Meng et al.``,
    ``Xie, Qizhe et al.(Google)`` → names in "First Last" order; ``[]`` for nothing;
    ``None`` when the text is not names (prose)."""
    text = _AFFILIATION.sub("", text or "")
    text = _ET_AL.sub("", text).strip(_TRIM)
    if not text:
        return []
    people = []
    keep_initial = _TRIM.replace(".", "")  # "Alexander M." keeps its initial's period
    for person in re.split(r"\s*(?:&|\band\b|;)\s*", text):
        person = re.sub(r"(?<=[a-z]{2})\.$", "", person.strip(keep_initial))
        if not person:
            continue
        last, comma, first = person.partition(",")
        if comma and "," not in first:
            person = f"{first.strip(keep_initial)} {last.strip()}".strip()
        elif comma:
            return names(text) or None  # "He, Zhang, Ren": a list of surnames
        if not _NAME.match(person) or len(person) > 60:
            return None
        people.append(person)
    return people
