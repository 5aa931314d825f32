"""Security helpers that settings point to by dotted path."""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render


def client_ip(request):
    """The client's address, for login throttling (``AXES_CLIENT_IP_CALLABLE``).

    Directly on the internet it is ``REMOTE_ADDR``. Behind ``PROXY_COUNT`` trusted proxies
    (``BEHIND_PROXY=1``) it is the X-Forwarded-For entry the outermost proxy appended:
    counting from the right, because entries further left come from the client and can
    be forged to dodge or cause a lockout.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.BEHIND_PROXY:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) >= settings.PROXY_COUNT:
        return hops[-settings.PROXY_COUNT]
    return remote


def lockout_response(request, original_response=None, credentials=None):
    """The 429 page a locked-out login gets (``AXES_LOCKOUT_CALLABLE``), with Retry-After."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cool_off_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    response = render(request, "axes_lockout.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
