"""A URLconf with a careless write view, to show that the access walk catches it."""

from django.http import HttpResponse
from django.urls import include, path


def careless_upload(request):
    """Accepts anything from anyone: exactly what the access walk must refuse."""
    return HttpResponse("stored")


urlpatterns = [
    path("careless-upload/", careless_upload, name="careless_upload"),
    path("", include("config.urls")),
]
