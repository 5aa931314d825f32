"""Admin views that tighten Django's defaults."""

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.http import Http404


def view_on_site(request, content_type_id, object_id):
    """The admin's "View on site" redirect, for staff who may view that model only.

    Django's own lets any staff member turn a content type and a pk into the object's
    URL, which names drafts (their slugs) to staff who may not see them in the admin.
    """
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None:
        raise Http404("No such content type.")
    opts = model._meta
    if not any(
        request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
        for action in ("view", "change")
    ):
        raise PermissionDenied
    return shortcut(request, content_type_id, object_id)


view_on_site = admin.site.admin_view(view_on_site)
