"""The site identity with PostgreSQL unreachable: a page that needs no rows still renders
(with the default name) instead of failing on its header. PostgreSQL only, like the other
database fault tests whose fixtures this reuses."""

import pytest
from pytest_django.asserts import assertInHTML

from tests.config.test_database_failures import (  # noqa: F401 - fixtures
    _module_relay,
    _module_server,
    postgres,
    relay,
    server_through,
    static_root,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_not_found_page_with_the_database_down_is_the_styled_404_not_a_500(
    relay,  # noqa: F811 - the imported fixture
    server_through,  # noqa: F811 - the imported fixture
):
    server = server_through
    # Connected, but no page read the identity yet: the 404 below must read it.
    assert server.get("/healthz")[0] == 200
    relay.cut()
    status, body, _ = server.get("/no-such-page-after-the-cut/")
    assert status == 404
    assert "There is nothing at this address." in body
    assertInHTML('<a class="brand" href="/">Papershelf</a>', body)
