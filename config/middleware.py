"""Site-wide request guards."""

from django.http import HttpResponseBadRequest, JsonResponse


class RejectNulBytesMiddleware:
    """Answer 400 to a URL or query string containing a NUL byte.

    No page has a use for one, and PostgreSQL refuses NUL in text, so letting it reach a
    query would turn a junk request into a 500 (admin search, slugs, filters alike).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = "The address contains a NUL character."
            if request.path.startswith("/api/"):  # the API answers JSON, as its schema says
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain")
        return self.get_response(request)


class ReadOnlyApiCorsMiddleware:
    """Let any origin read the JSON API: it is public, read-only and uses no cookies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and request.method in ("GET", "HEAD", "OPTIONS"):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        return response
