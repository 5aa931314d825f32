"""A URLconf with a careless write view, to show that the access walk catches it."""

from django.http import HttpResponse
from django.urls import include, path


def careless_upload(request):
    """Accepts uploads from anyone: exactly what the access walk must refuse."""
    if request.method == "POST":
        if not request.FILES:
            return HttpResponse("Send a file.", status=400)
        return HttpResponse("Stored.", status=201)
    return HttpResponse('<form method="post" enctype="multipart/form-data">…</form>')


urlpatterns = [
    path("careless-upload/", careless_upload, name="careless_upload"),
    path("", include("config.urls")),
]
