"""A real S3-compatible HTTP server for tests: moto in server mode, in its own process.

The site reaches it over HTTP exactly as it would reach a bucket elsewhere; nothing is
patched in the test process. moto keeps no data on disk and does not enforce bucket
policies, so the tests check what the site sends, not who the bucket lets in.
"""

import contextlib
import os
import subprocess
import sys

from tests.ports import free_port, wait_for_port

KEY_ID, SECRET = "papershelf-test", "papershelf-test-secret"  # noqa: S105 (moto accepts any)
REGION = "us-east-1"


@contextlib.contextmanager
def s3_server(log_path):
    """Start ``python -m moto.server``; yield its endpoint URL; stop it."""
    port = free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for_port(port, process, log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def s3_env(endpoint, bucket):
    """The environment variables that point the site at this bucket (docs/DEPLOY.md)."""
    return {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        # No instance-metadata lookups or local AWS config on the test machine.
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


def client(endpoint):
    """A boto3 client for the tests' own look at the bucket."""
    # Imported here: boto3 costs ~0.2 s of CPU to import, and every pytest-xdist worker
    # imports this module while collecting, where only the S3 tests (one worker) need it.
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        config=Config(s3={"addressing_style": "path"}),
    )
