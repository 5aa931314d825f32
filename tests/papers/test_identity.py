"""Site identity (papers/identity.py): edited in the admin, shown on pages and in feeds,
sanitised like every other Markdown, cached without a query per request."""

import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from papers import identity
from papers.identity import SiteSettings
from tests.blog.test_xss import assert_harmless
from tests.factories import PaperFactory, png_bytes
from tests.papers.test_xss import VECTORS

pytestmark = pytest.mark.django_db

HOSTILE = "Before.\n\n" + "\n\n".join(VECTORS) + "\n\nAfter."
ADMIN = "/admin/papers/sitesettings/"
ATOM = "{http://www.w3.org/2005/Atom}"


def settings_form(**values):
    """What the admin form posts; ``values`` replace the defaults."""
    data = {
        "site_name": "Spinoza's Shelf",
        "tagline": "Reports on papers I read",
        "introduction": "",
        "about": "",
        "footer": "",
        "profile_name": "",
        "profile_links": "",
        "time_zone": "",
    }
    data.update(values)
    return data


def save_settings(admin_client, **values):
    SiteSettings.load().save()  # the row exists: the admin edits it
    response = admin_client.post(f"{ADMIN}1/change/", settings_form(**values))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return SiteSettings.load()


def sql_of(context):
    return " ".join(query["sql"] for query in context.captured_queries)


def test_name_tagline_introduction_and_footer_from_the_admin_appear_on_the_home_page(
    admin_client, client
):
    save_settings(
        admin_client,
        introduction="Short reports on **papers**; everything is *work in progress*.",
        footer="Text under [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/).",
    )
    html = client.get("/").content.decode()
    assertInHTML("<h1>Spinoza&#x27;s Shelf</h1>", html)
    assertInHTML("<title>Home · Spinoza&#x27;s Shelf</title>", html)
    assertInHTML('<p class="lead">Reports on papers I read</p>', html)
    assert "<strong>papers</strong>" in html and "<em>work in progress</em>" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert "Papershelf" not in html


def test_hostile_markdown_in_every_site_text_is_sanitised_on_the_pages(admin_client, client):
    save_settings(
        admin_client,
        introduction=HOSTILE,
        about=HOSTILE,
        footer=HOSTILE,
        epigraph__home=HOSTILE,
        epigraph__reports=HOSTILE,
    )
    # admin_client is this same client: the pages a visitor gets, without the members'
    # logout form the footer shows someone logged in.
    client.logout()
    for url in ("/", "/about/", "/reports/"):
        html = client.get(url).content.decode()
        assert_harmless(html, allowed_scripts=("application/ld+json",))
        assert html.count("After.") >= 2, url  # the texts themselves are shown


def test_an_epigraph_is_shown_above_its_section_only(admin_client, client):
    save_settings(
        admin_client,
        **{"epigraph__reports": "> A method is worth more than a finding.\n>\n> —Someone"},
    )
    assert "A method is worth more" in client.get("/reports/").content.decode()
    assert "A method is worth more" not in client.get("/").content.decode()


def test_a_section_label_renames_the_report_kind_list_its_filter_and_its_feed(admin_client, client):
    save_settings(admin_client, label__reports__paper_of_the_week="Very Recent Papers")
    html = client.get("/reports/paper-of-the-week/").content.decode()
    assertInHTML("<h1>Very Recent Papers</h1>", html)
    assert "Very Recent Papers</a>" in client.get("/reports/").content.decode()
    feed = ET.fromstring(client.get(reverse("blog:feed_kind", args=["paper-of-the-week"])).content)  # noqa: S314 - our own output
    assert feed.find(f"{ATOM}title").text.startswith("Very Recent Papers · Spinoza")


def test_a_renamed_report_kind_is_named_so_on_cards_feed_entries_and_paper_pages(
    admin_client, client
):
    # Before, only the kind's own list page and feed used the label: every card, feed
    # entry and paper page still said "Paper of the week".
    from blog.models import Kind
    from tests.blog.factories import ReportFactory

    paper = PaperFactory(title="Were RNNs All We Needed?")
    ReportFactory(kind=Kind.PAPER_OF_THE_WEEK, title="Gates without time", papers=[paper])
    ReportFactory(kind=Kind.PAPER_REPORT, number=3, title="A numbered one")
    save_settings(
        admin_client,
        label__reports__paper_of_the_week="Very Recent Papers",
        label__reports__paper_report="Reports on papers",
    )
    pages = {
        "home": client.get("/").content.decode(),
        "reports": client.get("/reports/").content.decode(),
        "kind page": client.get("/reports/paper-of-the-week/").content.decode(),
        "paper page": client.get(paper.get_absolute_url()).content.decode(),
        "feed": client.get(reverse("blog:feed")).content.decode(),
    }
    for name, html in pages.items():
        assert "Paper of the week" not in html, name
    assert ">Very Recent Papers</a>" in pages["home"]
    assert ">Reports on papers #3</a>" in pages["reports"]
    assert "Very Recent Papers: Gates without time" in pages["paper page"]
    feed = ET.fromstring(pages["feed"])  # noqa: S314 - our own output
    titles = {entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")}
    assert titles == {
        "Very Recent Papers: Gates without time",
        "Reports on papers #3: A numbered one",
    }


def test_feeds_name_the_profile_as_their_author(admin_client, client):
    save_settings(admin_client, profile_name="Ada Reader")
    feed = ET.fromstring(client.get(reverse("blog:feed")).content)  # noqa: S314 - our own output
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Ada Reader"
    assert identity.site_name_and_author() == ("Spinoza's Shelf", "Ada Reader")


def test_about_page_shows_the_about_text_profile_photo_and_links(admin_client, client):
    photo = SimpleUploadedFile("me.png", png_bytes((40, 40)), content_type="image/png")
    save_settings(
        admin_client,
        about="I read papers on *learning*.",
        profile_name="Ada Reader",
        profile_photo=photo,
        profile_links="Homepage | https://ada.example.org\nGoogle Scholar | https://scholar.example.org/ada",
    )
    row = SiteSettings.load()
    assert row.profile_photo.name.startswith("site/") and "me" not in row.profile_photo.name
    html = client.get("/about/").content.decode()
    assertInHTML("<em>learning</em>", html)
    assert "Ada Reader" in html
    assert f'src="{row.profile_photo.url}"' in html
    assertInHTML(
        '<a href="https://scholar.example.org/ada" rel="me noopener">Google Scholar</a>', html
    )


def test_the_about_page_exists_with_no_settings_saved(client):
    response = client.get("/about/")
    assert response.status_code == 200
    assert "About Papershelf" in response.content.decode()
    assert not SiteSettings.objects.exists()  # a read never writes the row


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("profile_links", "Homepage https://no-bar.example"),
        ("profile_links", "Evil | javascript:alert(1)"),
        ("time_zone", "Mars/Olympus_Mons"),
        ("epigraph__home", "[" * 5000),
    ],
)
def test_bad_settings_are_form_errors_and_nothing_is_saved(admin_client, field, value):
    SiteSettings.load().save()
    response = admin_client.post(f"{ADMIN}1/change/", settings_form(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert SiteSettings.load().site_name == "Papershelf"


def test_a_disguised_svg_photo_is_refused(admin_client):
    svg = SimpleUploadedFile("me.png", b"<svg onload=alert(1)></svg>", content_type="image/png")
    SiteSettings.load().save()
    response = admin_client.post(f"{ADMIN}1/change/", settings_form(profile_photo=svg))
    assert response.status_code == 200
    assert "profile_photo" in response.context["adminform"].form.errors


def test_the_settings_are_one_row_added_once_and_never_deleted(admin_client):
    assert admin_client.get(f"{ADMIN}add/").status_code == 200
    SiteSettings.load().save()
    assert f'href="{ADMIN}1/change/"' in admin_client.get(ADMIN).content.decode()
    assert admin_client.get(f"{ADMIN}add/").status_code == 403
    assert admin_client.post(f"{ADMIN}1/delete/", {"post": "yes"}).status_code == 403
    SiteSettings(site_name="Second").save()
    assert SiteSettings.objects.count() == 1


def test_the_identity_costs_no_query_on_a_warm_cache():
    SiteSettings(site_name="Warm").save()
    with CaptureQueriesContext(connection) as cold:
        assert identity.current().name == "Warm"
    assert "papers_sitesettings" in sql_of(cold)
    with CaptureQueriesContext(connection) as warm:
        for _ in range(3):
            assert identity.current().name == "Warm"
    assert len(warm) == 0


def test_pages_read_the_settings_once_per_content_version_not_per_request(client):
    PaperFactory(title="Something to list")
    with CaptureQueriesContext(connection) as first:
        assert client.get("/papers/?q=something").status_code == 200
    assert "papers_sitesettings" in sql_of(first)
    with CaptureQueriesContext(connection) as later:  # other pages, not cached yet
        for url in ("/", "/about/", "/topics/", "/papers/?q=list"):
            assert client.get(url).status_code == 200
    assert "papers_sitesettings" not in sql_of(later)


def test_a_saved_edit_shows_on_the_next_request(admin_client, client):
    save_settings(admin_client, site_name="First Name")
    assert "First Name" in client.get("/about/").content.decode()
    save_settings(admin_client, site_name="Second Name")
    assert "Second Name" in client.get("/about/").content.decode()
