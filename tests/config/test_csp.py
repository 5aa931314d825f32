"""Content-Security-Policy: the header's rules, and no violation in Chromium on any page."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.pages import make_content, public_pages
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

# Runs before any page script (Playwright injects it outside the page's CSP) and records
# every violation the browser reports, which the console alone may summarise.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
});
"""


class Violations:
    """Collects CSP complaints from the console and from securitypolicyviolation events."""

    def __init__(self, page):
        self.page, self.console = page, []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def visit(self, url):
        response = self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return response

    def prove_they_are_seen(self):
        """Inject an inline script: it must be blocked and reported, else we see nothing."""
        self.page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__ran = true'; document.body.append(s); }"
        )
        self.page.wait_for_function("window.__csp.length > 0")
        assert self.page.evaluate("window.__ran === undefined")
        self.page.wait_for_timeout(200)
        assert any("inline script" in message for message in self.console), self.console
        self.console.clear()
        self.page.evaluate("window.__csp = []")

    def found(self):
        events = self.page.evaluate("window.__csp || []")
        return self.console + [f"{self.page.url}: {event}" for event in events]


@pytest.fixture
def content():
    return make_content()


def admin_pages(superuser):
    """The admin's index, every changelist, add page and the change page of a real object."""
    client = Client()
    client.force_login(superuser)
    routes = [r for r in all_routes() if r.in_admin and not r.is_catch_all]
    start = parameterless_paths(routes)
    found = crawl(client, start, skip={r.route for r in routes if r.name == "admin:logout"})
    wanted = ("_changelist", "_add", "_change", "admin:index", "admin:app_list")
    by_route = {r.route: r for r in routes}
    return sorted(
        url
        for route, (url, response) in found.items()
        if response.status_code == 200
        and route in by_route
        and (by_route[route].name or "").endswith(wanted)
    )


def log_in(page, base):
    page.goto(f"{base}{reverse('admin:login')}")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-boss-123")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_csp_violation_on_public_pages(site, content):
    page, base = site
    pages = public_pages()
    assert "/" in pages and "/papers/" in pages
    assert any(page.startswith("/papers/") and page.count("/") == 3 for page in pages), pages
    violations = Violations(page)
    violations.visit(f"{base}/")
    violations.prove_they_are_seen()
    for url in pages:
        assert violations.visit(f"{base}{url}").status == 200, url
    # The paper page really shows what the policy could block: a figure, math, a table.
    violations.visit(f"{base}{content.get_absolute_url()}")
    expect(page.locator("figure img").first).to_be_visible()
    assert page.locator("figure img").first.evaluate("img => img.naturalWidth") > 0
    assert page.locator("td[align=right]").count() == 1
    assert violations.found() == []


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
