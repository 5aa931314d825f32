"""A strict Atom reader for the tests: what RFC 4287 requires of a feed, checked by parsers
nobody here wrote.

- libxml2's RELAX NG validator (through lxml) against the RFC's structure (tests/atom.rng:
  one id, title and updated per feed and entry, date formats, a person's name…);
- feedparser, as feed readers parse it (no "bozo" error, Atom 1.0);
- the rules the RFC states in prose, checked here on lxml's tree: an author for the feed
  or for every entry (4.1.1), absolute link and id addresses (4.2.6, 4.2.7), entry ids
  unique in the feed (4.1.1), a self link (4.1.1: SHOULD), an alternate link for an
  entry without content (4.1.2), and absolute addresses inside entry HTML, which a reader
  shows away from the page they were written for.
"""

from pathlib import Path
from urllib.parse import urlsplit

import feedparser
from lxml import etree
from lxml import html as lxml_html

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).with_name("atom.rng"))))
_URL_ATTRIBUTES = ("href", "src", "poster", "cite")


# Schemes of a permanent, globally unique id (4.2.6): "paper:20" is an IRI too, but of a
# scheme nobody registered, which two sites could both mint.
ID_SCHEMES = ("http", "https", "tag", "urn")


def is_absolute(address):
    parts = urlsplit(address or "")
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("mailto", "tel"))


def is_global_id(address):
    scheme = urlsplit(address or "").scheme
    return scheme in ID_SCHEMES and (scheme not in ("http", "https") or is_absolute(address))


def relative_addresses(fragment_html):
    """Addresses in an HTML fragment that a reader could not follow without its page."""
    if not (fragment_html or "").strip():
        return []
    root = lxml_html.fragment_fromstring(fragment_html, create_parent="div")
    found = []
    for node in root.iter():
        for name in _URL_ATTRIBUTES:
            value = node.get(name)
            if value is not None and not is_absolute(value.strip()):
                found.append(value)
        for candidate in (node.get("srcset") or "").split(","):
            url = candidate.strip().split(" ")[0]
            if url and not is_absolute(url):
                found.append(url)
    return found


def entries(body):
    """``[(id, alternate link, title)]`` of a feed, in document order."""
    root = etree.fromstring(body)
    return [
        (
            entry.findtext(f"{ATOM}id"),
            next(
                (
                    link.get("href")
                    for link in entry.findall(f"{ATOM}link")
                    if link.get("rel", "alternate") == "alternate"
                ),
                None,
            ),
            entry.findtext(f"{ATOM}title"),
        )
        for entry in root.findall(f"{ATOM}entry")
    ]


def atom_problems(body):
    """Everything wrong with the Atom document ``body`` (bytes), as sentences; ``[]`` if none."""
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    problems = []
    if not SCHEMA.validate(root):
        problems += [f"schema, line {e.line}: {e.message}" for e in SCHEMA.error_log]

    parsed = feedparser.parse(body)
    if parsed.bozo:
        problems.append(f"feedparser: {parsed.bozo_exception}")
    if parsed.version != "atom10":
        problems.append(f"feedparser reads it as {parsed.version!r}, not Atom 1.0")

    links = root.findall(f"{ATOM}link")
    if not any(link.get("rel") == "self" for link in links):
        problems.append("the feed has no rel=self link")
    for link in root.iter(f"{ATOM}link"):
        if not is_absolute(link.get("href")):
            problems.append(f"relative link {link.get('href')!r}")
    for element in root.iter(f"{ATOM}id"):
        if not is_global_id(element.text):
            problems.append(f"id {element.text!r} is not a tag:, urn: or http(s) address")
    for element in root.iter(f"{ATOM}uri", f"{ATOM}icon", f"{ATOM}logo"):
        if not is_absolute(element.text):
            problems.append(f"<{etree.QName(element).localname}> {element.text!r} is not absolute")

    feed_has_author = root.find(f"{ATOM}author") is not None
    seen = set()
    for entry in root.findall(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id")
        if entry_id in seen:
            problems.append(f"entry id {entry_id!r} is used twice")
        seen.add(entry_id)
        if not feed_has_author and entry.find(f"{ATOM}author") is None:
            problems.append(f"entry {entry_id!r} has no author, nor has the feed")
        has_alternate = any(
            link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{ATOM}link")
        )
        if not has_alternate and entry.find(f"{ATOM}content") is None:
            problems.append(f"entry {entry_id!r} has neither content nor an alternate link")
        for element in (entry.find(f"{ATOM}summary"), entry.find(f"{ATOM}content")):
            if element is not None and element.get("type") == "html":
                for address in relative_addresses(element.text):
                    problems.append(f"entry {entry_id!r}: relative address {address!r} in HTML")
    return problems
