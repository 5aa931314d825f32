"""A URL conf for tests/papers/test_fixed.py: what makes the same ``{% url %}`` differ."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import include, path


def view(request):
    return HttpResponse()


# Two instances of one application namespace: the current app chooses between them.
shelf = ([path("page/", view, name="page")], "shelf")

urlpatterns = [
    path("one/", include(shelf, namespace="one")),
    path("two/", include(shelf, namespace="two")),
    # A name the site's URL conf has too, at another address.
    path("elsewhere/about/", view, name="about"),
    # Autoescaping writes this address's "&" as "&amp;".
    path("a&b/", view, name="ampersand"),
    *i18n_patterns(path("translated/", view, name="translated")),
]
