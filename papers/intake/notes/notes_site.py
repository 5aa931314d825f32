"""A "papers I read" list that links the writer's notes instead of the papers.

``## List of papers`` over ``- [Hints for Computer System Design](https://me.com/notes/…)``,
``- [Pregel: A System for …](https://gist.github.com/me/…)``: every item is one title
linking one notes page, and the links come from a handful of sites (the writer's blog,
gists, a Medium account). Each item is a paper of unknown year, its link kept as a typed
"notes" link. A list of resources (``[Explainpaper](…) — simplifies papers``), of
repositories, or of posts on many sites is not such a list: its items are listed as
skipped, as before.
"""

from urllib.parse import urlsplit

from papers.intake.notes import meta
from papers.intake.notes.hosts import host_of, is_absolute, is_generic_label
from papers.intake.notes.sections import empty
from papers.intake.records import LinkRecord, clean_text

# Fewer items say too little about a list.
MIN_ITEMS = 3
# At most this many sites, or this share of the items (a notes site, gists, Medium...):
# a list of posts on many sites is a list of resources, not the writer's notes.
MAX_SITES = 4
MAX_SITE_SHARE = 0.1
# Hosts where the first path segment names the owner (gist.github.com/me, medium.com/@me).
_SHARED_HOSTS = ("github.com", "gist.github.com", "medium.com", "gitlab.com", "bitbucket.org")
# A link to one of these is a repository, a video or a post on social media, never notes.
_NEVER_NOTES = ("youtube.com", "youtu.be", "vimeo.com", "twitter.com", "x.com", "reddit.com")


def site_of(url):
    """``shagun.com``, ``gist.github.com/shagun``, ``medium.com/@shagun``."""
    host = host_of(url)
    if host in _SHARED_HOSTS:
        first = urlsplit(url).path.strip("/").split("/")[0]
        return f"{host}/{first.lower()}"
    return host


def _title_link(node):
    """The item's one link when the item is that link and nothing else, else ``None``."""
    head = node.head or empty()
    links = head.links()
    if len(links) != 1:
        return None
    link = links[0]
    text = clean_text(head.text).strip(" .;,")
    if text != clean_text(link.text) or not is_absolute(link.url) or is_generic_label(text):
        return None
    host, path = host_of(link.url), urlsplit(link.url).path.strip("/").split("/")
    if any(host == h or host.endswith("." + h) for h in _NEVER_NOTES):
        return None
    if host in ("github.com", "gitlab.com", "bitbucket.org") and len(path) <= 2:
        return None  # a repository's front page: code, not notes
    return link


def notes_site_items(items):
    """``[(node, link)]`` when ``items`` (a list's items that named no paper, under a heading
    that names papers) is a list of paper titles linking the writer's notes; else ``[]``."""
    found = [(node, _title_link(node)) for node in items]
    if len(found) < MIN_ITEMS or any(link is None for _, link in found):
        return []
    sites = {site_of(link.url) for _, link in found}
    if len(sites) > max(MAX_SITES, MAX_SITE_SHARE * len(found)):
        return []
    return found


class NotesSiteList:
    """The ``Recogniser``'s notes-site lists (mixed into it)."""

    def _notes_site_list(self, items, context):
        """Entries for a list of paper titles linking the writer's notes (see the module);
        ``None`` when the list is not one."""
        found = notes_site_items(items)
        if not found:
            return None
        entries = []
        for node, link in found:
            title = meta.clean_title(link.text)  # "… in Chapel*": a footnote mark off
            if len(title.split()) < 2:
                # "[HyperNetworks](…)": a title or a nickname? Listed, not guessed.
                reason = f"only a short name (“{title}”) names the paper (its notes: {link.url})."
                self.skipped.append((node.start + 1, title, reason))
                continue
            entry = self._new(node.start, context, title=title)
            entry.links.append(LinkRecord(kind="notes", url=link.url, label="Notes"))
            entries.append(entry)
        return entries
