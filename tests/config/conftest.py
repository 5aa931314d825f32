"""The public-page walk (tests/config/browser_pages.py), made once per test process."""

import pytest

from tests.config.browser_pages import walk_public_pages
from tests.pages import add_walk_content
from tests.validators import AXE_JS


@pytest.fixture(scope="session")
def _public_walks():
    """Walks already made in this process. A fixture of a conftest, not of a test module:
    tests/conftest.py would put every test of a module using it in one xdist group, and the
    tests of the walk need their own (browser_pages.WALK_GROUP), shared across modules."""
    return {}


@pytest.fixture
def public_walk(
    _public_walks, _allow_orm_beside_playwright, transactional_db, demo_loaded, live_server, browser
):
    """The :class:`~tests.config.browser_pages.Walk` over every public page, made by the
    first test that asks for it in this process (on its database, flushed after it as
    usual); later tests read the same results. Without axe-core (``make validators``) the
    pages are walked for the CSP alone, and the axe test skips (or fails, in CI)."""
    if "walk" not in _public_walks:
        axe = AXE_JS if AXE_JS.exists() else None
        paper = add_walk_content()  # after the demo (demo_loaded)
        context = browser.new_context(color_scheme="light")
        try:
            page = context.new_page()
            page.set_default_timeout(20_000)
            _public_walks["walk"] = walk_public_pages(page, live_server.url, paper, axe)
        finally:
            context.close()
    return _public_walks["walk"]


@pytest.fixture(scope="session")
def production_stack(tmp_path_factory):
    """The production stack (tests/config/test_production.py's ``build_stack``), built once
    per test process for test_production.py and test_lighthouse.py. A fixture of a conftest
    for the same reason as ``_public_walks``: those modules' tests carry the xdist group
    ``STACK_GROUP``, shared across the two modules."""
    from tests.config.test_production import build_stack

    with build_stack(tmp_path_factory.mktemp("production")) as stack:
        yield stack
