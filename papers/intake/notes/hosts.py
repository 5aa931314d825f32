"""What a link in a notes document points at: a paper (and which), or something else.

A link to a paper host is the strongest sign that a piece of notes is about a paper;
code, video, blog, slides and data links are typed links on the paper they accompany.
"""

import re
from urllib.parse import parse_qs, urlsplit

from papers.identifiers import parse_arxiv_id

# Hosts whose article pages are papers. Matched on the host and its subdomains.
PAPER_HOSTS = (
    "arxiv.org", "doi.org", "openreview.net", "aclanthology.org", "aclweb.org",
    "proceedings.neurips.cc", "papers.nips.cc", "papers.neurips.cc", "proceedings.mlr.press",
    "jmlr.org", "nature.com", "science.org", "sciencemag.org", "dl.acm.org",
    "ieeexplore.ieee.org", "link.springer.com", "openaccess.thecvf.com", "cv-foundation.org",
    "ecva.net", "biorxiv.org", "medrxiv.org", "semanticscholar.org", "paperswithcode.com",
    "papers.ssrn.com", "sciencedirect.com", "pnas.org", "cell.com", "ojs.aaai.org",
    "aaai.org", "ijcai.org", "transacl.org", "isca-speech.org", "bmva.org", "mlr.press",
    "iopscience.iop.org", "journals.aps.org", "plos.org", "frontiersin.org", "mdpi.com",
    "onlinelibrary.wiley.com", "tandfonline.com", "academic.oup.com", "europepmc.org",
    "ncbi.nlm.nih.gov", "researchgate.net", "hal.science", "ceur-ws.org", "jstor.org",
    "usenix.org", "vldb.org", "distill.pub", "thecvf.com", "dblp.org", "jair.org",
    "citeseerx.ist.psu.edu",
)  # fmt: skip
# Hosts that are never the paper itself, whatever the link text says.
NOT_PAPER_HOSTS = (
    "github.com", "gitlab.com", "bitbucket.org", "youtube.com", "youtu.be", "vimeo.com",
    "twitter.com", "x.com", "medium.com", "huggingface.co", "colab.research.google.com",
    "scholar.google.com", "slideshare.net", "speakerdeck.com", "reddit.com",
    "img.shields.io", "kaggle.com", "wikipedia.org",
)  # fmt: skip
# Link texts that name the kind of link, never the paper: "[pdf]", "[[arXiv]]", "[code]".
# Words that join generic labels ("Link to the paper", "the code for it"); alone, or in a
# title, they say nothing.
_LITTLE_WORDS = {"to", "the", "of", "for", "on", "at", "my", "its", "it", "and"}
GENERIC_LABELS = {
    "pdf", "paper", "arxiv", "link", "url", "html", "web", "abs", "abstract", "doi", "here",
    # "the original paper", "this workshop paper": which copy of the paper, not its title.
    "original", "workshop",
    "this", "openreview", "review", "code", "github", "project", "website", "page", "blog",
    "post", "video", "slides", "talk", "poster", "data", "dataset", "demo", "notes", "note",
    "summary", "article", "preprint", "official", "source", "ppt", "bib", "bibtex",
    "supplementary", "supp", "proceedings", "published version", "read more", "more",
    "full text", "acl", "pwc", "semantic scholar", "papers with code", "s2", "tweet",
    "thread", "pmlr", "neurips", "nips", "cvf", "ieee", "acm", "springer", "nature",
    "science", "biorxiv", "medrxiv", "openaccess", "cvpr", "iccv", "eccv", "iclr", "icml",
    "pytorch", "tensorflow", "jax", "keras", "implementation", "repo", "youtube", "medium",
    "reddit", "hn", "colab", "model", "models", "weights", "download", "official code",
    "paper link", "arxiv link", "pdf link", "my notes", "local", "translation", "zhihu",
    "open review", "open", "site", "web site", "homepage", "home page", "camera ready",
    "extended", "version", "full", "book",
}  # fmt: skip
UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")

_ARXIV_IN_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf|html|format|ps)/(?P<id>[a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})",
    re.I,
)
_ARXIV_TEXT = re.compile(
    r"(?:\barxiv:\s*|\babs/)(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.I
)
_DOI_IN_URL = re.compile(
    r"(?:doi\.org/|/doi/(?:abs/|full/|pdf/|epdf/|fulltext/)?|link\.springer\.com/"
    r"(?:article|chapter|content/pdf)/)(?P<doi>10\.\d{4,9}/[^\s?#]+)"
)
_DOI_TEXT = re.compile(r"\bdoi:\s*(?P<doi>10\.\d{4,9}/[^\s\]\)>,;]+)", re.I)
_NATURE = re.compile(r"nature\.com/articles/(?P<id>s\d{5}-\d{3}-\d{5}-[0-9a-z])", re.I)


def host_of(url):
    try:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


def _on(host, hosts):
    return any(host == name or host.endswith("." + name) for name in hosts)


def is_absolute(url):
    return (url or "").lower().startswith(("http://", "https://"))


def is_unsafe(url):
    return (url or "").strip().lower().startswith(UNSAFE_SCHEMES)


def unwrap(url):
    """A search engine's redirect (``google.com/url?…&url=https%3A…``) → its target."""
    if "/url?" in (url or "") and "url=" in url:
        target = (parse_qs(urlsplit(url).query).get("url") or [""])[0]
        if is_absolute(target):
            return target
    return url


# Publication pages of labs and journals whose hosts also serve blogs and products: a
# paper only under these paths ("research.google.com/pubs/pub45400.html").
PAPER_PAGES = re.compile(
    r"^https?://(?:www\.)?(?:research\.google(?:\.com)?/(?:pubs/|archive/)|"
    r"research\.nvidia\.com/publication/|microsoft\.com/[a-z-]+/research/publication/|"
    r"research\.facebook\.com/publications/|jstage\.jst\.go\.jp/article/)",
    re.I,
)


def is_paper_url(url):
    """A link that leads to a paper itself (a paper host, a lab's publication page, or a
    PDF)."""
    if not is_absolute(url):
        return False
    host = host_of(url)
    if _on(host, NOT_PAPER_HOSTS):
        return False
    if PAPER_PAGES.match(url):
        return True
    if _on(host, PAPER_HOSTS) or arxiv_from_url(url):
        if "openreview.net" in host:
            return "id=" in url
        if "paperswithcode.com" in host:
            return "/paper/" in url
        if "usenix.org" in host:
            return "/presentation/" in url or "/system/files/" in url
        return True
    # "…/RMCMIL_BMVC2014.pdf/70cf3e1b-…": a PDF served by a document store.
    return bool(re.search(r"\.pdf(?:/[\w\-]*)?$", urlsplit(url).path.lower()))


def arxiv_from_url(url):
    """``(id, year, month)`` for an arXiv link, in any of its forms; else ``None``."""
    parsed = parse_arxiv_id(url)
    if parsed:
        return parsed
    match = _ARXIV_IN_URL.search(url or "")
    return parse_arxiv_id(match.group("id")) if match else None


def arxiv_from_text(text):
    match = _ARXIV_TEXT.search(text or "")
    return parse_arxiv_id(match.group("id")) if match else None


def doi_from_url(url):
    """The DOI a link carries (doi.org/…, …/doi/10.…, nature.com/articles/s…), or ``""``."""
    # Springer writes the DOI's slash encoded (…/chapter/10.1007%2F978-3-319-…).
    match = _DOI_IN_URL.search(re.sub(r"%2F", "/", url or "", flags=re.I))
    if match:
        return re.sub(r"\.pdf$", "", match.group("doi").rstrip("."))
    match = _NATURE.search(url or "")
    # Nature's article ids are the suffix of their DOIs (10.1038/s41586-024-08328-6).
    return f"10.1038/{match.group('id').lower()}" if match else ""


def doi_from_text(text):
    match = _DOI_TEXT.search(text or "")
    return match.group("doi").rstrip(".") if match else ""


def openreview_id(url):
    if "openreview.net" not in host_of(url):
        return ""
    return (parse_qs(urlsplit(url).query).get("id") or [""])[0]


def paper_key(url):
    """One key per paper, whichever of its pages a link points at."""
    arxiv = arxiv_from_url(url)
    if arxiv:
        return ("arxiv", arxiv[0])
    doi = doi_from_url(url)
    if doi:
        return ("doi", doi.lower())
    review = openreview_id(url)
    if review:
        return ("openreview", review)
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return ("url", host_of(url) + parts.path.rstrip("/") + query)


def is_generic_label(text):
    """True for link texts that say what kind of link it is, not which paper."""
    words = re.sub(r"[\W_]+", " ", (text or "").lower()).strip()
    if not words or is_absolute(text.strip()) or len(words) < 2:
        return True
    if words in GENERIC_LABELS:
        return True
    # "arXiv 1706.03762", "pdf 2", "[Paper] [Code]", "Link to the paper": every word
    # generic, a number or a little word around them.
    return all(
        word.rstrip("0123456789") in GENERIC_LABELS
        or word.isdigit()
        or "." in word
        or word in _LITTLE_WORDS
        for word in words.split()
    ) and any(word not in _LITTLE_WORDS for word in words.split())


_ACL_ID = re.compile(
    # aclweb.org/anthology/P16-1200, and mirrors: anthology.<host>/pdf/P/P17/P17-1106.pdf
    r"(?:anthology[\w.\-]*|aclweb\.org)/(?:pdf/)?(?:[A-Z]/[A-Z]\d{2}/)?"
    r"(?P<letter>[A-Z])(?P<yy>\d{2})-\d{4}"
)
_ACL_NEW = re.compile(r"aclanthology\.org/(?P<year>(?:19|20)\d{2})\.[a-z]")
# "/2017/", "content_cvpr_2016", "P16-…"; and a PDF named by its citation key,
# "fang2018async.pdf" (author, year, first word).
_URL_YEAR = re.compile(
    r"(?:(?<=[/_\-])|(?<=[a-z]))(?P<year>(?:19[89]|20[0-4])\d)"
    r"(?=[/_\-.]|$|[a-z]{2,20}\.pdf$)",
    re.I,
)


def year_from_url(url):
    """The year a paper page's address carries (ACL Anthology ids, ``/2017/``,
    ``content_cvpr_2016``), for entries that give no date; ``None`` if it has none."""
    if not is_paper_url(url):
        return None
    match = _ACL_NEW.search(url)
    if match:
        return int(match.group("year"))
    match = _ACL_ID.search(url)
    if match:
        yy = int(match.group("yy"))
        return 1900 + yy if yy > 60 else 2000 + yy
    years = {int(m.group("year")) for m in _URL_YEAR.finditer(urlsplit(url).path)}
    return years.pop() if len(years) == 1 else None
