"""Which links name a paper: paper hosts, org-ref citations, a page labelled as the paper,
a PDF kept beside the notes; and which local links are notes files."""

import re

from papers.intake.notes.hosts import (
    NOT_PAPER_HOSTS,
    host_of,
    is_absolute,
    is_generic_label,
    is_paper_url,
    is_unsafe,
)

# A dated title link (an MM.YYYY badge) names a paper even on a code host (a paper's
# repository); videos and social posts never do.
NEVER_DATED_PAPER = ("youtube.com", "youtu.be", "vimeo.com", "twitter.com", "x.com", "reddit.com")


def is_cite(url):
    return (url or "").lower().startswith("cite:")


def is_paper(url):
    return is_paper_url(url) or is_cite(url)


# ("article" is not among them: it is as often a blog article about the paper.)
_PAPER_WORDS = {"paper", "pdf", "arxiv", "publication", "full paper", "preprint"}


# A PDF kept in a GitHub repository (a list that stores its papers beside it).
_REPOSITORY_PDF = re.compile(
    r"^https?://(?:(?:www\.)?github\.com/[^/]+/[^/]+/(?:blob|raw)/|raw\.githubusercontent\.com/)"
    r"[^?#]+\.pdf(?:[?#].*)?$",
    re.I,
)
# Link texts that say the PDF is something else than a paper: "Thompson Sampling Slides",
# "[Baidu slides] DNN in Baidu Ads", "Recommender Systems Handbook", "… Introduction by
# Wang Zhe" (a talk).
_NOT_A_PAPER = re.compile(
    r"\b(?:slides?|talks?|handbook|tutorials?|books?|lectures?|ppt|notes|keynote|poster|"
    r"(?:introduction|overview|presentation)\s+by)\b",
    re.I,
)


def stored_in_repository(url):
    """``github.com/<owner>/<repo>`` when ``url`` is a PDF kept in a GitHub repository."""
    match = _REPOSITORY_PDF.match(url or "")
    if not match:
        return ""
    parts = re.sub(r"^https?://(?:www\.)?", "", url).split("/")
    return "github.com/" + "/".join(parts[1:3])


def repository_pdf(link):
    """``[[DCN] Deep & Cross Network for Ad Click Predictions (Stanford 2017)](https://
    github.com/…/blob/master/….pdf)``: a PDF stored in a GitHub repository whose link text
    reads as a paper's title (at least three words, no label such as "pdf" or "slides") is
    the paper, though a code host is otherwise never one. Slides, handbooks, talks stored
    the same way say so in their text and stay no paper."""
    if not _REPOSITORY_PDF.match(link.url or ""):
        return False
    text = re.sub(r"^\s*\[[^\]]*\]\s*|\([^()]*\)\s*$", "", link.text or "").strip()
    return (
        len(re.findall(r"[^\W\d_]{2,}", text)) >= 3
        and not is_generic_label(text)
        and not _NOT_A_PAPER.search(link.text or "")
    )


def is_paper_link(link):
    """A paper host, or any page the writer labels as the paper (``[Paper](distill.pub/…)``)."""
    if is_paper(link.url) or repository_pdf(link):
        return True
    if _local_pdf(link.url):
        return True  # the paper kept beside the notes ([[file:paper.pdf][PDF]])
    label = re.sub(r"[\W_]+", " ", link.text.lower()).strip()
    return (
        label in _PAPER_WORDS
        and is_absolute(link.url)
        and not any(host_of(link.url).endswith(h) for h in NOT_PAPER_HOSTS)
    )


def on_host(host, hosts):
    # huggingface.co pages can be papers (hf.co/papers) or blog posts: not excluded here.
    return any(host == h or host.endswith("." + h) for h in hosts if h != "huggingface.co")


def local_notes_link(url):
    return not is_absolute(url) and url.split("#")[0].lower().endswith((".md", ".markdown", ".org"))


def _local_pdf(url):
    path = (url or "").split("#")[0].split("?")[0].lower()
    return not is_absolute(url) and not is_unsafe(url) and path.endswith(".pdf")


def names_its_file(link):
    """``[Mask R-CNN](neural-nets/Mask_R-CNN.md)``: the link text is the name of the file it
    links (a notes page per paper, named after the paper), so a short text is still the
    paper's name, not a label such as "notes"."""
    stem = link.url.split("#")[0].rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return _name_key(stem) == _name_key(link.text) != ""


def _name_key(text):
    return re.sub(r"[\W_]+", "", text).lower()


def in_papers_folder(url):
    return any("paper" in part.lower() for part in url.split("/")[:-1])


def urls(line):
    from papers.intake.notes.body import urls_in

    return urls_in(line)
