"""``{% fixed %}`` (papers/site/fixed.py): a template's fixed links, rendered once per
process, give the HTML they gave when rendered every time, and are rendered again when
what they read changes (each part of the key has its test here)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.template import Context, RequestContext, Template, TemplateSyntaxError, engines
from django.template.defaulttags import URLNode
from django.test import RequestFactory
from django.urls import resolve, set_script_prefix, set_urlconf
from django.utils import translation

TEST_URLS = "tests.papers.fixed_urls"
# A CSRF token is masked anew on every render.
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def fixed(body):
    return Template("{% load static site_tags %}{% fixed %}" + body + "{% endfixed %}")


def request_for(path, user=None):
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.resolver_match = resolve(request.path)
    return request


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["visitor", "member", "staff"])
def test_the_frame_is_the_same_with_its_fixed_blocks_as_rendered_each_time(who, django_user_model):
    source = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    plain = source.replace("{% fixed %}", "").replace("{% endfixed %}", "")
    assert plain != source
    user = None
    if who != "visitor":
        user = django_user_model.objects.create_user(who, is_staff=who == "staff")
    request = request_for("/search/?q=diffusion", user)
    kept, each_time = engines["django"].from_string(source), engines["django"].from_string(plain)
    pages = [CSRF.sub("", template.render({}, request)) for template in (kept, each_time, kept)]
    assert pages[0] == pages[1] == pages[2]
    assert '<a href="/about/">About</a>' in pages[0]
    assert '<link rel="stylesheet" href="/static/css/site.css">' in pages[0]
    assert ('href="/admin/">Admin</a>' in pages[0]) is (who == "staff")
    assert ('action="/reading-group/logout/"' in pages[0]) is (who != "visitor")


def test_a_fixed_block_renders_its_links_once(monkeypatch):
    calls = []
    render = URLNode.render
    monkeypatch.setattr(
        URLNode, "render", lambda node, context: calls.append(1) or render(node, context)
    )
    template = fixed(
        "<a href=\"{% url 'about' %}\">About</a> <a href=\"{% url 'tag_index' %}\">Tags</a>"
    )
    pages = {template.render(Context()) for _ in range(3)}
    assert pages == {'<a href="/about/">About</a> <a href="/tags/">Tags</a>'}
    assert len(calls) == 2


@pytest.mark.parametrize(
    "content",
    [
        "{{ user }}",
        "{% csrf_token %}",
        "{% if user %}x{% endif %}",
        "{% url 'papers:paper_detail' slug %}",
        "{% url 'papers:paper_detail' slug='x' %}",
        "{% url name %}",
        "{% url 'about' as about %}",
        "{% static path %}",
        "{% static 'css/site.css' as css %}",
    ],
)
def test_a_fixed_block_refuses_what_a_request_could_vary(content):
    with pytest.raises(TemplateSyntaxError, match="fixed"):
        fixed(content)


def test_the_language_chooses_the_links(settings):
    settings.ROOT_URLCONF = TEST_URLS
    template = fixed("{% url 'translated' %}")
    with translation.override("fr"):
        assert template.render(Context()) == "/fr/translated/"
    with translation.override("de"):
        assert template.render(Context()) == "/de/translated/"


def test_the_url_conf_chooses_the_links():
    template = fixed("{% url 'about' %}")
    assert template.render(Context()) == "/about/"
    set_urlconf(TEST_URLS)  # as a middleware setting request.urlconf does
    try:
        assert template.render(Context()) == "/elsewhere/about/"
    finally:
        set_urlconf(None)


def test_the_script_prefix_chooses_the_links():
    template = fixed("{% url 'about' %}")
    assert template.render(Context()) == "/about/"
    set_script_prefix("/shelf/")  # the site served under /shelf/ (SCRIPT_NAME)
    try:
        assert template.render(Context()) == "/shelf/about/"
    finally:
        set_script_prefix("/")


def test_the_current_app_chooses_between_instances_of_a_namespace(settings):
    settings.ROOT_URLCONF = TEST_URLS
    template = fixed("{% url 'shelf:page' %}")
    for app in ("one", "two"):
        request = RequestFactory().get("/")
        request.current_app = app
        assert template.render(RequestContext(request)) == f"/{app}/page/"


def test_autoescaping_is_followed(settings):
    settings.ROOT_URLCONF = TEST_URLS
    template = fixed("{% url 'ampersand' %}")
    assert template.render(Context(autoescape=True)) == "/a&amp;b/"
    assert template.render(Context(autoescape=False)) == "/a&b/"


def test_a_changed_static_url_shows_at_the_next_render(settings):
    template = fixed("{% static 'css/site.css' %}")
    assert template.render(Context()) == "/static/css/site.css"
    settings.STATIC_URL = "https://assets.example.org/"
    assert template.render(Context()) == "https://assets.example.org/css/site.css"


def test_a_file_collected_again_shows_its_new_name_at_the_next_render(settings, tmp_path):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    template = fixed("{% static 'css/site.css' %}")
    names = []
    for css in ("a { color: red }", "a { color: blue }"):
        (source / "css" / "site.css").write_text(css)
        call_command("collectstatic", interactive=False, verbosity=0)
        names.append(template.render(Context()))
    assert all(re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", name) for name in names)
    assert names[0] != names[1]
