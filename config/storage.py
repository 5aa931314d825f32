"""Where uploads live, from the environment: MEDIA_STORAGE=local or s3 (docs/DEPLOY.md)."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_str

# Stored names are random and never reused, so an object never changes under its URL.
IMMUTABLE = "public, max-age=31536000, immutable"


def media_storage(kind, local_media_url):
    """The default storage's settings, MEDIA_URL, and the origins pages load media from.

    ``local``: FileSystemStorage in MEDIA_ROOT, served by papers.site.media.serve_media.
    ``s3``: an S3-compatible bucket (django-storages). Images are public objects with
    plain URLs: pages are cached for hours, so a signed URL in them would expire.
    Slides are private objects; the slides view signs a short-lived URL for them.
    Credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, or an instance role) are read
    by boto3 itself and never put in settings.
    """
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}, local_media_url, []
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE={kind!r} must be local or s3.")
    bucket = env_str("AWS_STORAGE_BUCKET_NAME")
    endpoint = env_str("AWS_S3_ENDPOINT_URL")
    region = env_str("AWS_S3_REGION_NAME")
    custom_domain = env_str("AWS_S3_CUSTOM_DOMAIN")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    if endpoint:  # MinIO, Ceph, Garage, R2, moto…: path-style URLs on the endpoint
        if not endpoint.startswith(("https://", "http://")) or endpoint.rstrip("/").count("/") > 2:
            raise ImproperlyConfigured(
                "AWS_S3_ENDPOINT_URL must be an origin such as https://s3.example.org."
            )
        addressing, origin = "path", endpoint.rstrip("/")
        media_url = f"{origin}/{bucket}/"
    elif region:  # AWS itself: virtual-hosted URLs, one origin per bucket
        endpoint = f"https://s3.{region}.amazonaws.com"
        addressing, origin = "virtual", f"https://{bucket}.s3.{region}.amazonaws.com"
        media_url = f"{origin}/"
    else:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs AWS_S3_ENDPOINT_URL or (for AWS) AWS_S3_REGION_NAME."
        )
    origins = [origin]  # signed slides URLs always go to the endpoint itself
    if custom_domain:  # a CDN in front of the bucket serves the public images
        media_url = f"https://{custom_domain}/"
        origins.append(f"https://{custom_domain}")
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": region or None,
        "addressing_style": addressing,
        "signature_version": "s3v4",
        "custom_domain": custom_domain or None,
        "querystring_auth": False,
        # Names are random already; an existing name is never silently replaced
        # (restore checks what it wrote).
        "file_overwrite": False,
        "default_acl": None,  # the bucket policy decides who reads what (docs/DEPLOY.md)
        "object_parameters": {"CacheControl": IMMUTABLE},
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, media_url, origins
