"""Every URL pattern of the project, and one concrete URL for each.

The access walk and the CSP browser walk use this, so a route that an app adds is
checked without anyone listing it: patterns come from the resolver, concrete URLs from
crawling the site (links, ``src`` attributes and sitemap ``<loc>`` entries) as an
anonymous visitor and as a superuser, and, for what no page links to, from the pattern
itself with sample values (a real object's pk for admin object pages).
"""

import html
import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib import admin
from django.urls import NoReverseMatch, Resolver404, URLResolver, get_resolver, resolve, reverse

MAX_PAGES = 400  # a crawl fetches at most this many pages, whatever the site holds

_LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"'#]+)|<loc>\s*([^<\s]+)\s*</loc>""")
_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")
_SAMPLE_BY_CONVERTER = {"int": "1", "slug": "x", "str": "x", "path": "x", "uuid": "0" * 32}
_REGEX_SAMPLES = ["1", "2021", "x", "a", "0"]


@dataclass(frozen=True)
class Route:
    """One URL pattern, with its full route as ``ResolverMatch.route`` spells it."""

    route: str
    name: str | None
    callback: object
    namespace: str

    @property
    def model_admin(self):
        """The ModelAdmin behind an admin URL, also for extra URLs a ModelAdmin adds
        (the user admin's ``<id>/password/``), found by the URL prefix of its model."""
        found = getattr(self.callback, "model_admin", None)
        if found is None and self.in_admin:
            for model, model_admin in admin.site._registry.items():
                prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
                if self.route.startswith(prefix):
                    return model_admin
        return found

    @property
    def in_admin(self):
        return self.namespace == "admin"

    @property
    def is_catch_all(self):
        return getattr(self.callback, "__name__", "") == "catch_all_view"

    @property
    def has_params(self):
        return bool(_PARAM.search(self.route)) or bool(re.search(r"[\\\[\]()*+?{}|]", self._bare))

    @property
    def _bare(self):
        return self.route.removeprefix("^").removesuffix("$").replace("\\.", ".")

    def __str__(self):
        return f"{self.name or '(unnamed)'} [{self.route}]"


def all_routes(urlconf=None):
    """Every URL pattern reachable from the root URLconf (a list of :class:`Route`)."""
    routes = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = URLResolver._join_route(prefix, str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, route, ns)
            else:
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                routes.append(Route(route, name, pattern.callback, namespace))

    walk(get_resolver(urlconf).url_patterns, "", "")
    return routes


def route_of(path):
    """The full route that ``path`` resolves to, or ``None``."""
    try:
        return resolve(path).route
    except Resolver404:
        return None


def links_in(body):
    """Same-site paths linked from an HTML, Atom or sitemap document (query strings dropped)."""
    paths = []
    for match in _LINK.finditer(body):
        url = html.unescape(match.group(1) or match.group(2))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/"):
            continue
        host = parts.netloc.split(":")[0]
        if parts.netloc and host not in ("testserver", "localhost", "127.0.0.1"):
            continue
        paths.append(parts.path)
    return paths


def crawl(client, start, skip=(), per_route=1):
    """GET pages from ``start`` on, following links; return ``{route: (url, response)}``.

    Only ``per_route`` URLs of each route are fetched (the first one is returned), so the
    crawl is bounded by the number of routes (and by ``MAX_PAGES``). Routes in ``skip``
    (e.g. logout) are never requested.
    """
    return {route: hits[0] for route, hits in crawl_all(client, start, skip, per_route).items()}


def crawl_all(client, start, skip=(), per_route=1):
    """Like :func:`crawl`, with every fetched ``(url, response)`` of each route."""
    found, seen, queue, fetched = {}, set(), deque(start), 0
    # Pages link the same paths over and over (the header, the footer, tag lists):
    # resolving each path once, not at every link to it, was a tenth of a crawl's CPU.
    routes = {}
    while queue and fetched < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        if path not in routes:
            routes[path] = route_of(path)
        route = routes[path]
        if route is None or route in skip:
            continue
        if len(found.get(route, [])) >= per_route:
            continue
        seen.add(path)
        response = client.get(path)
        fetched += 1
        found.setdefault(route, []).append((path, response))
        if response.status_code == 200 and not response.streaming:
            content_type = response.get("Content-Type", "")
            if "html" in content_type or "xml" in content_type:
                queue.extend(links_in(response.content.decode("utf-8", "replace")))
    return found


def parameterless_paths(routes):
    """URLs of the routes that take no parameter."""
    return ["/" + route._bare for route in routes if not route.has_params]


def synthesize(route):
    """A URL for ``route`` built from the pattern, with a real object where one is needed."""
    if route.name == "admin:autocomplete":
        return _autocomplete_url()
    if route.model_admin is not None and route.has_params:
        # Object pages (<object_id>/change/, the user admin's <id>/password/…): a real object.
        obj = route.model_admin.model._default_manager.order_by("pk").first()
        return "/" + _PARAM.sub(str(obj.pk) if obj else "0", route.route)
    if route.name == "admin:app_list":
        return reverse("admin:app_list", args=[next(iter(admin.site._registry))._meta.app_label])
    if route.name in ("admin:view_on_site", "admin_view_on_site"):
        return _view_on_site_url() or "/admin/r/1/1/"
    return _fill_params(route)


def _fill_params(route):
    """Fill each parameter with a sample that makes the URL resolve to this very route."""
    for sample in _REGEX_SAMPLES:

        def value(match, sample=sample):
            conv = match.group("conv")
            if match.group("name"):
                return _SAMPLE_BY_CONVERTER.get(conv or "str", sample)
            return sample

        path = "/" + _PARAM.sub(value, route._bare)
        if route_of(path) == route.route:
            return path
    return None


def _autocomplete_url():
    """The admin autocomplete for the first ModelAdmin with an autocomplete field."""
    for model, model_admin in admin.site._registry.items():
        for field_name in model_admin.autocomplete_fields:
            opts = model._meta
            return (
                f"{reverse('admin:autocomplete')}?app_label={opts.app_label}"
                f"&model_name={opts.model_name}&field_name={field_name}"
            )
    return reverse("admin:autocomplete")


def _view_on_site_url():
    from django.contrib.contenttypes.models import ContentType

    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.order_by("pk").first()
        if obj is not None and hasattr(obj, "get_absolute_url") and model_admin.view_on_site:
            ct = ContentType.objects.get_for_model(model)
            try:
                return reverse("admin:view_on_site", args=[ct.pk, obj.pk])
            except NoReverseMatch:
                return None
    return None


@dataclass(frozen=True)
class Sample:
    """A route's sample URL and, when a crawl found it, the crawl's own GET of it and the
    client that made that GET (a walk that needs that client's GET reads it here)."""

    url: str | None
    response: object = None
    client: object = None


def sample_urls(anonymous, superuser_client, skip_names=("admin:logout",)):
    """``{route: Sample}`` for every route: crawled where possible, otherwise synthesized."""
    routes = all_routes()
    skip = {r.route for r in routes if r.name in skip_names}
    admin_routes = {r.route for r in routes if r.in_admin}
    public = [r for r in routes if not r.in_admin]
    # The visitor never enters the admin, so the superuser's crawl starts there afresh.
    by_visitor = crawl(anonymous, parameterless_paths(public), skip=skip | admin_routes)
    admin_start = parameterless_paths([r for r in routes if r.in_admin and not r.is_catch_all])
    admin_start += [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
    ]
    by_superuser = crawl(superuser_client, admin_start, skip=skip)
    urls = {}
    for route in routes:
        hit, client = by_visitor.get(route.route), anonymous
        if hit is None:
            hit, client = by_superuser.get(route.route), superuser_client
        # The autocomplete needs its query string, which a crawl drops.
        if hit and route.name != "admin:autocomplete":
            urls[route] = Sample(*hit, client)
        else:
            urls[route] = Sample(synthesize(route))
    return urls
