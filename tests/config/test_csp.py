"""Content-Security-Policy: the header's rules, and no violation in Chromium on any page."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.config.browser_pages import WALK_GROUP, Violations
from tests.pages import add_walk_content
from tests.urlwalk import all_routes, crawl, parameterless_paths

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def policy(response):
    """The CSP header as ``{directive: [sources]}``."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/papers/", reverse("admin:login"), "/no-such-page/", reverse("healthz")],
)
def test_policy_is_strict_on_every_kind_of_response(client, url):
    rules = policy(client.get(url))
    assert "'unsafe-inline'" not in rules["script-src"]
    assert "'unsafe-eval'" not in rules["script-src"]
    assert rules["default-src"] == ["'self'"]
    assert rules["style-src"] == ["'self'"]
    assert rules["object-src"] == ["'none'"]
    assert rules["frame-ancestors"] == ["'none'"]
    assert rules["base-uri"] == ["'none'"]
    assert sorted(rules["frame-src"]) == [
        "'self'",
        "https://player.vimeo.com",
        "https://www.youtube-nocookie.com",
    ]


@pytest.mark.django_db
def test_policy_covers_the_editor_endpoints_and_admin_pages(admin_client):
    preview = admin_client.post(reverse("markdownx_markdownify"), {"content": "*x*"})
    changelist = admin_client.get(reverse("admin:papers_paper_changelist"))
    for response in (preview, changelist):
        assert response.status_code == 200
        assert policy(response)["script-src"][0] == "'self'"


@pytest.mark.django_db
def test_a_nonce_is_added_only_when_a_template_uses_one(rf):
    """Templates that need an inline script write nonce="{{ request.csp_nonce }}"."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    middleware = CSPMiddleware(view)
    request = rf.get("/")
    response = middleware(request)
    nonce = request.csp_nonce
    assert f"'nonce-{nonce}'" in policy(response)["script-src"]
    plain = CSPMiddleware(lambda request: HttpResponse("x"))(rf.get("/"))
    assert not any(s.startswith("'nonce-") for s in policy(plain)["script-src"])


def test_documented_way_to_let_the_site_frame_one_view(rf):
    """What config/settings.py tells the slides view to do: framed by the site only."""
    from csp.constants import SELF
    from csp.decorators import csp_replace
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.middleware.clickjacking import XFrameOptionsMiddleware
    from django.views.decorators.clickjacking import xframe_options_sameorigin

    @xframe_options_sameorigin
    @csp_replace({"frame-ancestors": [SELF]})
    def slides(request):
        return HttpResponse(b"%PDF-1.4", content_type="application/pdf")

    response = CSPMiddleware(XFrameOptionsMiddleware(slides))(rf.get("/"))
    assert policy(response)["frame-ancestors"] == ["'self'"]
    assert policy(response)["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


# --- in Chromium ----------------------------------------------------------------------


@pytest.fixture
def content(demo_loaded):
    return add_walk_content()  # after the demo (demo_loaded)


ADMIN_PAGES = ("_changelist", "_add", "_change", "admin:index", "admin:app_list")


def admin_pages(superuser):
    """The admin's index, every changelist, add page and the change page of a real object.

    The crawl requests only those routes: each is linked from one of them (a change page
    from its changelist, an app's index from the index). Following every link also
    rendered the other admin pages (history, delete, password…) and, through "View site",
    the public site, only to drop them."""
    client = Client()
    client.force_login(superuser)
    routes = all_routes()
    wanted = [r for r in routes if r.in_admin and (r.name or "").endswith(ADMIN_PAGES)]
    others = {r.route for r in routes} - {r.route for r in wanted}
    found = crawl(client, parameterless_paths(wanted), skip=others)
    return sorted(url for url, response in found.values() if response.status_code == 200)


def log_in(page, base):
    page.goto(f"{base}{reverse('admin:login')}")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-boss-123")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


@pytest.mark.browser
@pytest.mark.xdist_group(WALK_GROUP)
@pytest.mark.django_db(transaction=True)
def test_no_csp_violation_on_public_pages(public_walk):
    """Every page of the public-page walk (tests/config/browser_pages.py), each loaded once
    with its own resources, and the pages behind a query string."""
    statuses = {visit.url: visit.status for visit in public_walk.visits}
    assert "/" in statuses and "/papers/" in statuses
    assert any(url.startswith("/papers/") and url.count("/") == 3 for url in statuses), statuses
    # The walk would see a violation: an inline script was blocked and reported.
    assert public_walk.csp_proof == {"blocked": True, "event": True, "console": True}
    assert statuses == {visit.url: visit.expected_status for visit in public_walk.visits}
    # The paper page really shows what the policy could block: a figure, a table.
    assert public_walk.paper["figure visible"]
    assert public_walk.paper["figure width"] > 0
    assert public_walk.paper["right-aligned cells"] == 1
    assert public_walk.csp_violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_csp_violation_in_the_admin_and_the_editor_preview_updates(site, content, superuser):
    page, base = site
    pages = admin_pages(superuser)
    change = reverse("admin:papers_paper_change", args=[content.pk])
    assert reverse("admin:papers_paper_add") in pages, pages
    assert any(page.startswith("/admin/papers/paper/") and "/change/" in page for page in pages)
    violations = Violations(page)
    log_in(page, base)
    for url in pages:
        assert violations.visit(f"{base}{url}").status == 200, url

    # The markdownx live preview still works under the policy (its XHR and the HTML it
    # inserts), and the select2 autocomplete widgets open.
    violations.visit(f"{base}{change}")
    notes = page.locator("#id_notes")
    notes.fill("A **bold** claim with $x^2$.\n\n| a | b |\n|--:|:-:|\n| 1 | 2 |")
    notes.dispatch_event("input")
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("math")).to_have_count(1)
    expect(preview.locator("td[align=right]")).to_have_count(1)
    page.locator("#authorships-0 .select2-selection").click()
    expect(page.locator(".select2-container--open .select2-results__option").first).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "csp-admin-preview.png"), full_page=True)
    assert violations.found() == []
    assert Group.objects.filter(name="Editors").exists()  # nothing the walk did wrote data
