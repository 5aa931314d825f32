"""The one-box recipe's nginx: docs/deploy/nginx.conf in front of gunicorn, uploads on disk.

The shipped file is used as it is, with only its addresses, paths and certificate
replaced for loopback: TLS termination, the proxy headers and the internal ``/_media/``
location that sends the files Django allowed (``MEDIA_ACCEL_REDIRECT``).
"""

import contextlib
import http.client
import os
import shutil
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from tests.config.test_database_failures import static_root  # noqa: F401 - a fixture
from tests.factories import png_bytes
from tests.ports import free_port, wait_for_port
from tests.readinggroup.pdfs import pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(
        not os.path.exists(NGINX) and os.environ.get("CI") != "true",
        reason="nginx is not installed (apt-get install nginx-light; .ci/run does)",
    ),
]


def _site_config(media, certificate, key, http_port, https_port, app_port):
    text = (ROOT / "docs" / "deploy" / "nginx.conf").read_text()
    for old, new in [
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("127.0.0.1:8000", f"127.0.0.1:{app_port}"),
        ("/etc/letsencrypt/live/papers.example.org/fullchain.pem", str(certificate)),
        ("/etc/letsencrypt/live/papers.example.org/privkey.pem", str(key)),
        ("/srv/papershelf/media/", f"{media}/"),
    ]:
        assert old in text, f"docs/deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def one_box(tmp_path_factory, static_root):  # noqa: F811 - the imported fixture
    directory = tmp_path_factory.mktemp("one-box")
    media = directory / "media"
    (media / "figures").mkdir(parents=True)
    (media / "figures" / "0f1e2d3c.png").write_bytes(png_bytes((12, 9)))
    (media / "figures" / "notes.html").write_bytes(b"<script>alert(1)</script>")
    (media / "readinggroup" / "slides").mkdir(parents=True)
    (media / "readinggroup" / "slides" / "draft.pdf").write_bytes(pdf_bytes())
    key, certificate = directory / "key.pem", directory / "cert.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S607
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    app_port = free_port()
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="one-box-test-" + "k" * 50,
        ALLOWED_HOSTS="papers.example.org",
        SITE_URL="https://papers.example.org",
        BEHIND_PROXY="1",
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        # The run's one collectstatic of the production settings, shared with the database
        # and cache fault tests (the same files: ~0.8 s of CPU a build).
        STATIC_ROOT=str(static_root),
        MEDIA_STORAGE="local",
        MEDIA_ROOT=str(media),
        MEDIA_ACCEL_REDIRECT="/_media/",
    )
    # Error pages use the hashed static files (static_root); media requests need no
    # database tables.
    with contextlib.ExitStack() as stack:
        log = directory / "gunicorn.log"
        gunicorn = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{app_port}",
             "--workers", "1", "--timeout", "30"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
        )  # fmt: skip
        stack.callback(lambda: (gunicorn.terminate(), gunicorn.wait(timeout=10)))
        wait_for_port(app_port, gunicorn, log)

        http_port = free_port()
        https_port = free_port()
        site = _site_config(media, certificate, key, http_port, https_port, app_port)
        (directory / "site.conf").write_text(site)
        (directory / "nginx.conf").write_text(
            f"""
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/nginx-error.log;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/site.conf;
}}
"""
        )
        nginx_log = directory / "nginx.log"
        nginx = subprocess.Popen(  # noqa: S603
            [NGINX, "-p", str(directory), "-c", str(directory / "nginx.conf")],
            stdout=nginx_log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        stack.callback(lambda: (nginx.terminate(), nginx.wait(timeout=10)))
        wait_for_port(https_port, nginx, nginx_log)
        yield https_port, http_port


def get(port, path, tls=True):
    """(status, headers, body) of a GET with the site's Host, over TLS unless told."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # self-signed
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": "papers.example.org"})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_nginx_sends_the_upload_django_allowed_with_its_headers(one_box):
    https_port, _ = one_box
    status, headers, body = get(https_port, "/media/figures/0f1e2d3c.png")
    assert status == 200
    assert body == png_bytes((12, 9))  # sent by nginx: Django's response had no body
    assert headers["Content-Type"] == "image/png"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert "X-Accel-Redirect" not in headers


@pytest.mark.parametrize(
    "path",
    [
        "/_media/figures/0f1e2d3c.png",  # the internal location itself
        "/media/figures/notes.html",
        "/media/readinggroup/slides/draft.pdf",
        "/media/figures/",
        "/media/figures/%2e%2e/%2e%2e/db.sqlite3",
    ],
)
def test_nothing_else_under_media_root_is_reachable(one_box, path):
    https_port, _ = one_box
    assert get(https_port, "/media/figures/0f1e2d3c.png")[0] == 200
    assert get(https_port, path)[0] == 404


def test_plain_http_is_redirected_to_https(one_box):
    _, http_port = one_box
    status, headers, _ = get(http_port, "/media/figures/0f1e2d3c.png", tls=False)
    assert status == 301
    assert headers["Location"] == "https://papers.example.org/media/figures/0f1e2d3c.png"
