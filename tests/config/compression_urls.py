"""Two plain views for the compression tests: a long text and an uncompressed PNG."""

import io

from django.http import HttpResponse
from django.urls import path
from PIL import Image


def text(request):
    return HttpResponse("All work and no play. " * 100, content_type="text/plain")


def image(request):
    # compress_level=0: stored without deflate, so plain gzip would shrink it a lot.
    out = io.BytesIO()
    Image.new("RGB", (200, 200), (200, 30, 30)).save(out, "PNG", compress_level=0)
    return HttpResponse(out.getvalue(), content_type="image/png")


urlpatterns = [path("text/", text), path("image.png", image)]
