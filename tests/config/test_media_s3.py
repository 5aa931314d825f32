"""Scale-out (MEDIA_STORAGE=s3): uploads in an S3-compatible bucket, talked to over HTTP.

The bucket is served by moto in server mode (tests/s3server.py), a separate process, with
the bucket policy shipped in docs/deploy/s3-bucket-policy.json; every URL the site hands
out is fetched over HTTP as a browser would, without credentials.
"""

import copy
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from pytest_django.asserts import assertInHTML

from blog.models import Report
from config.storage import media_storage
from papers.models import Author, Paper, Tag, Venue
from readinggroup.models import Presentation, Presenter
from tests import s3server
from tests.blog.factories import ReportFactory
from tests.factories import FigureFactory, png_bytes
from tests.jobs_worker import run_queued_jobs
from tests.readinggroup.factories import PresentationFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "docs" / "deploy" / "s3-bucket-policy.json"


def bucket_policy(bucket):
    return POLICY.read_text().replace("BUCKET", bucket)


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """A moto S3 server on its own port, for this module."""
    with s3server.s3_server(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint):
    """A fresh bucket for each test, set up as docs/DEPLOY.md says."""
    name = f"papershelf-test-{uuid.uuid4().hex[:12]}"
    client = s3server.client(s3_endpoint)
    client.create_bucket(Bucket=name)
    client.put_bucket_policy(Bucket=name, Policy=bucket_policy(name))
    return SimpleNamespace(endpoint=s3_endpoint, name=name, client=client)


@pytest.fixture
def s3(bucket, settings, monkeypatch):
    """The site configured by the same environment variables production would set."""
    for key, value in s3server.s3_env(bucket.endpoint, bucket.name).items():
        monkeypatch.setenv(key, value)
    storage, media_url, origins = media_storage("s3", "media/")
    settings.MEDIA_STORAGE = "s3"
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_URL = media_url
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    for directive in ("img-src", "media-src", "frame-src"):
        policy["DIRECTIVES"][directive] = [*policy["DIRECTIVES"][directive], *origins]
    settings.CONTENT_SECURITY_POLICY = policy
    return bucket


def fetch(url):
    """(status, headers, body) of an anonymous GET, as a browser would make it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local moto
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def stored_keys(bucket):
    listing = bucket.client.list_objects_v2(Bucket=bucket.name)
    return {item["Key"] for item in listing.get("Contents", [])}


def test_figure_is_stored_in_the_bucket_and_its_page_url_answers_200(s3, client):
    figure = FigureFactory(image=ContentFile(png_bytes((30, 20)), name="figure.png"))
    assert figure.image.name in stored_keys(s3)
    html = client.get(figure.paper.get_absolute_url()).content.decode()
    url = figure.image.url
    assert url.startswith(f"{s3.endpoint}/{s3.name}/figures/") and f'src="{url}"' in html
    status, headers, body = fetch(url)
    assert (status, headers["Content-Type"], body) == (200, "image/png", png_bytes((30, 20)))
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_report_cover_and_its_opengraph_image_point_at_the_bucket(s3, client):
    report = ReportFactory(cover=ContentFile(png_bytes((120, 63)), name="cover.png"))
    html = client.get(report.get_absolute_url()).content.decode()
    url = report.cover.url
    assert url.startswith(s3.endpoint)
    assertInHTML(f'<meta property="og:image" content="{url}">', html)
    assert fetch(url)[0] == 200


def test_slides_redirect_to_a_signed_url_and_the_cover_is_rendered_from_the_bucket(s3, client):
    session = PresentationFactory(with_slides=True)
    slides_key, first_cover = session.slides.name, session.cover.name
    assert {slides_key, first_cover} <= stored_keys(s3)
    # Rendering the cover again reads the stored PDF back from the bucket, not a local path.
    session.cover = None
    session.save()
    [job] = run_queued_jobs("readinggroup.slides")  # the check's job renders it
    assert job.state == "done", job.message
    session.refresh_from_db()
    assert session.cover.name != first_cover and session.cover.name in stored_keys(s3)

    page = client.get(session.get_absolute_url())
    html = page.content.decode()
    assert f'src="{session.cover.url}"' in html
    assertInHTML(f'<meta property="og:image" content="{session.cover.url}">', html)
    assert fetch(session.cover.url)[0] == 200
    csp = page["Content-Security-Policy"]
    frame_src = next(part for part in csp.split(";") if part.strip().startswith("frame-src"))
    assert s3.endpoint in frame_src

    response = client.get(f"/reading-group/{session.number}/slides.pdf")
    assert response.status_code == 302
    signed = response["Location"]
    assert urlsplit(signed).netloc == urlsplit(s3.endpoint).netloc
    assert "X-Amz-Signature=" in signed
    assert "private" in response["Cache-Control"]
    status, headers, body = fetch(signed)
    assert status == 200 and body.startswith(b"%PDF-")
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("inline")

    download = client.get(f"/reading-group/{session.number}/slides/download/")
    status, headers, _ = fetch(download["Location"])
    assert status == 200
    assert headers["Content-Disposition"] == f'attachment; filename="{session.slides_filename}"'


def test_slides_objects_are_private_by_name(s3):
    """A draft's slides cannot be read even by someone who learns the object's name."""
    session = PresentationFactory(with_slides=True, draft=True)
    assert fetch(session.slides.url)[0] == 403
    assert fetch(session.cover.url)[0] == 200  # covers are public, like every image


def test_draft_slides_are_not_signed_for_visitors(s3, client):
    session = PresentationFactory(with_slides=True, draft=True)
    response = client.get(f"/reading-group/{session.number}/slides.pdf")
    assert response.status_code == 404
    assert "Location" not in response  # no redirect to a signed bucket address
    assert "X-Amz-Signature" not in response.content.decode()


def test_editor_upload_lands_in_the_bucket(s3, editor_client):
    upload = SimpleUploadedFile("pasted.png", png_bytes((40, 30)), "image/png")
    response = editor_client.post("/markdownx/upload/", {"image": upload})
    assert response.status_code == 200
    code = response.json()["image_code"]
    url = code[len("![](") : -1]
    assert url.startswith(f"{s3.endpoint}/{s3.name}/uploads/")
    status, headers, _ = fetch(url)
    assert (status, headers["Content-Type"]) == (200, "image/png")


def test_export_and_restore_through_the_bucket(s3, tmp_path):
    figure = FigureFactory()
    session = PresentationFactory(with_slides=True)
    upload = default_storage.save("uploads/2026/12/editor.png", ContentFile(png_bytes()))
    # The figure's and the cover's WebP renditions are media files of their own.
    assert figure.image_webp and session.cover_webp
    renditions = {figure.image_webp, session.cover_webp}
    names = {figure.image.name, session.slides.name, session.cover.name, upload, *renditions}
    originals = {name: default_storage.open(name).read() for name in names}

    call_command("export", str(tmp_path / "backup"), verbosity=0)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert {item["name"] for item in manifest["media"]} == names
    assert manifest["missing_media"] == []

    # A new, empty site: no rows and an empty bucket.
    for model in (Presentation, Presenter, Report, Paper, Author, Tag, Venue):
        model.objects.all().delete()
    for name in names:
        s3.client.delete_object(Bucket=s3.name, Key=name)
    assert not names & stored_keys(s3)

    call_command("restore", str(tmp_path / "backup"), verbosity=0)
    assert names <= stored_keys(s3)
    for name in names:
        body = s3.client.get_object(Bucket=s3.name, Key=name)["Body"].read()
        assert body == originals[name]
    assert Presentation.objects.get().slides.name == session.slides.name


def _settings_in_a_fresh_process(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MEDIA_"))}
    clean.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings", **env)
    # The settings module alone, as production reads it at start-up (its checks raise
    # there); ``django.setup()`` would add ~0.35 s of app and model imports per process.
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.MEDIA_URL, s.STORAGES['default']['BACKEND'], "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']], default=str))"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_environment_selects_the_bucket_and_the_csp_allows_its_origin():
    env = s3server.s3_env("http://127.0.0.1:9100", "media-bucket")
    result = _settings_in_a_fresh_process(**env, AWS_S3_CUSTOM_DOMAIN="media.example.org")
    assert result.returncode == 0, result.stderr
    media_url, backend, directives = json.loads(result.stdout)
    assert media_url == "https://media.example.org/"
    assert backend == "storages.backends.s3.S3Storage"
    for directive in ("img-src", "frame-src", "media-src"):
        assert "http://127.0.0.1:9100" in directives[directive]
        assert "https://media.example.org" in directives[directive]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE='ftp' must be local or s3"),
        ({"MEDIA_STORAGE": "s3"}, "needs AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "b"}, "needs AWS_S3_ENDPOINT_URL"),
        (
            {
                "MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": "b",
                "AWS_S3_ENDPOINT_URL": "s3.example.org",
            },
            "AWS_S3_ENDPOINT_URL must be an origin",
        ),
        ({"MEDIA_ACCEL_REDIRECT": "_media"}, "MEDIA_ACCEL_REDIRECT must start and end"),
    ],
)
def test_unusable_media_settings_stop_start_up_with_a_message(env, message):
    result = _settings_in_a_fresh_process(**env)
    assert result.returncode != 0
    assert message in result.stderr
