"""The site identity with Redis stopped: pages still show it, and an edit shows at once."""

import pytest
from django.test import Client

from papers.identity import SiteSettings
from tests.config.redis_server import RedisServer, cache_settings
from tests.ports import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_on_redis(settings):
    server = RedisServer(free_port()).start()  # never the shared Redis
    settings.CACHES = cache_settings(server.url(3))
    yield server
    server.kill()


def test_with_redis_stopped_pages_show_the_identity_and_an_edit_shows_at_once(site_on_redis):
    SiteSettings(site_name="Shelf Before").save()
    visitor = Client()
    assert "Shelf Before" in visitor.get("/about/").content.decode()
    assert site_on_redis.keys() > 0  # the identity and the page were cached

    site_on_redis.kill()
    for url in ("/", "/about/", "/papers/"):
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert "Shelf Before" in response.content.decode(), url
    SiteSettings(site_name="Shelf After").save()  # no cache to invalidate: the row is read
    assert "Shelf After" in visitor.get("/about/").content.decode()
    assert "Shelf After" in visitor.get("/").content.decode()
