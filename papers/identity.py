"""The site's identity, edited in the admin: name, tagline, introduction, about page, profile.

One row (``SiteSettings``, primary key 1) holds it all, the per-section texts included
(a JSON map, so loading the identity is one query). Apps register their sections with
``register_section()`` in ``AppConfig.ready()``: papers knows nothing of report kinds.

Every page shows the identity, so it is read through ``current()``:

- a process-local copy keyed by the content version (papers/site/cache.py), which every
  request reads anyway: on a warm cache a page costs no query and no extra cache read;
- else the shared cache (``cached_value``), else one query.

A save bumps the content version (``cache.watch``), so every process sees an edit on its
next request. With Redis down the version is new on every request and the identity costs
one primary-key query per page: the pages are rendered uncached then anyway, and a
process-local copy with a TTL would show an edited name for that long in one process
but not another.
"""

import logging
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, models

from papers.site.markdown import render_markdown, validate_markdown

logger = logging.getLogger(__name__)

# key -> default label, in registration order (home first: papers registers it).
_SECTIONS = {}


def register_section(key, label):
    """Declare a page section that can carry an epigraph and a relabelled heading."""
    _SECTIONS.setdefault(key, label)


def sections():
    """``[(key, default label), …]`` of every registered section."""
    return list(_SECTIONS.items())


def _profile_upload_to(instance, filename):
    # The admin form re-encodes the photo and names it; the user's file name is never used.
    return f"site/{filename.rsplit('/', 1)[-1]}"


_LINK_LINE = re.compile(r"^(?P<label>[^|]{1,80})\|\s*(?P<url>\S+)\s*$")
_http_url = URLValidator(schemes=["http", "https"])


def parse_links(text):
    """``[(label, url), …]`` from lines ``Label | https://…``; ``ValidationError`` if one is bad."""
    links, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINK_LINE.match(line.strip())
        url = match.group("url") if match else ""
        try:
            if not match:
                raise ValidationError("bad line")
            _http_url(url)
        except ValidationError:
            errors.append(f"line {number}: write “Label | https://…”")
            continue
        links.append((" ".join(match.group("label").split()), url))
    if errors:
        raise ValidationError("; ".join(errors))
    return links


def default_site_name():
    return settings.SITE_NAME


class SiteSettings(models.Model):
    """The one row of site identity (primary key 1); see the module docstring."""

    site_name = models.CharField(max_length=100, default=default_site_name)
    tagline = models.CharField(
        max_length=200,
        blank=True,
        default="Notes on machine-learning papers, reports and reading-group sessions.",
        help_text="One line under the name on the home page, and the pages' description.",
    )
    introduction = models.TextField(
        blank=True,
        validators=[validate_markdown],
        help_text="Markdown shown on the home page under the tagline.",
    )
    introduction_html = models.TextField(blank=True, editable=False)
    about = models.TextField(
        "about page",
        blank=True,
        validators=[validate_markdown],
        help_text="Markdown of the /about/ page.",
    )
    about_html = models.TextField(blank=True, editable=False)
    profile_name = models.CharField(
        "author or group", max_length=200, blank=True, help_text="Feeds name it as the author."
    )
    profile_photo = models.ImageField(
        "photo", upload_to=_profile_upload_to, blank=True, help_text="PNG or JPEG, re-encoded."
    )
    profile_links = models.TextField(
        "links",
        blank=True,
        help_text="One per line: “Label | https://…” (homepage, Google Scholar, GitHub…).",
    )
    footer = models.TextField(
        blank=True,
        max_length=2000,
        validators=[validate_markdown],
        help_text="Markdown at the bottom of every page (e.g. a licence).",
    )
    footer_html = models.TextField(blank=True, editable=False)
    section_texts = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Per section: {'label': …, 'epigraph': Markdown, 'epigraph_html': …}.",
    )
    time_zone = models.CharField(
        max_length=60,
        blank=True,
        help_text="The reading group's time zone (e.g. Europe/Berlin): session times are "
        "typed and shown in it. Blank: the server's (TIME_ZONE).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = 1  # a singleton: every save writes the one row
        self.introduction_html = render_markdown(self.introduction)
        self.about_html = render_markdown(self.about)
        self.footer_html = render_markdown(self.footer)
        for text in (self.section_texts or {}).values():
            text["epigraph_html"] = str(render_markdown(text.get("epigraph", "")))
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        try:
            parse_links(self.profile_links)
        except ValidationError as error:
            errors["profile_links"] = error
        if self.time_zone:
            try:
                ZoneInfo(self.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                errors["time_zone"] = "Not a time zone name such as Europe/Berlin or UTC."
        if errors:
            raise ValidationError(errors)

    @classmethod
    def load(cls):
        """The row, or an unsaved one with the defaults (never written by a read)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


@dataclass(frozen=True)
class Identity:
    """What pages and feeds read of the settings: plain values, cheap to cache."""

    name: str = "Papershelf"
    tagline: str = ""
    introduction_html: str = ""
    about_html: str = ""
    footer_html: str = ""
    author: str = ""
    photo_url: str = ""
    links: tuple = ()
    time_zone: str = ""
    labels: dict = field(default_factory=dict)
    epigraphs: dict = field(default_factory=dict)

    def label(self, key, default=""):
        """The section's heading: the editor's label, else ``default`` or the registered one."""
        return self.labels.get(key) or default or _SECTIONS.get(key, "")

    @property
    def zone(self):
        """The reading group's time zone (``settings.TIME_ZONE`` when unset or unknown)."""
        try:
            return ZoneInfo(self.time_zone or settings.TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):  # a row written by a script, not the form
            return ZoneInfo(settings.TIME_ZONE)


def _identity_of(row):
    texts = row.section_texts or {}
    return Identity(
        name=row.site_name,
        tagline=row.tagline,
        introduction_html=row.introduction_html,
        about_html=row.about_html,
        footer_html=row.footer_html,
        author=row.profile_name,
        photo_url=row.profile_photo.url if row.profile_photo else "",
        links=tuple(_links_or_none(row.profile_links)),
        time_zone=row.time_zone,
        labels={key: t["label"] for key, t in texts.items() if t.get("label")},
        epigraphs={key: t["epigraph_html"] for key, t in texts.items() if t.get("epigraph_html")},
    )


def _links_or_none(text):
    try:
        return parse_links(text)
    except ValidationError:  # a row written by a script: show no links rather than a 500
        return []


_local = (None, None)  # (content version, Identity): this process's copy


def current(request=None):
    """The site's identity; no query on a warm cache (see the module docstring)."""
    global _local
    from papers.site.cache import cached_value, content_version

    if request is not None and hasattr(request, "_site_identity"):
        return request._site_identity
    version = content_version(request)
    if _local[0] == version:
        identity = _local[1]
    else:
        try:
            identity = cached_value(
                request, "site-identity", (), lambda: _identity_of(SiteSettings.load())
            )
        except DatabaseError:
            # A page that needs no database (a 404 from the URL resolver, a page whose
            # rows are cached) must not fail on its header: the defaults, not remembered.
            logger.warning("Site settings unreadable: the defaults are shown", exc_info=True)
            return Identity(name=settings.SITE_NAME)
        _local = (version, identity)
    if request is not None:
        request._site_identity = identity
    return identity


def site_name():
    """The site's name, as the settings say (``SITE_NAME`` until an editor changes it)."""
    return current().name


def site_name_and_author():
    """``(site name, author or group)`` for feeds, calendars and JSON-LD."""
    identity = current()
    return identity.name, identity.author or identity.name
