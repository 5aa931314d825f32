"""Endpoints behind the django-markdownx editor: live preview and image upload.

They replace markdownx's own views so that both are staff-only, answer bad requests
with a 4xx instead of a 500, and store only images that Pillow re-encoded. Being staff is
not enough: the user must be allowed to add or change something edited with the editor.
"""

import datetime
from functools import wraps

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST
from markdownx.admin import MarkdownxModelAdmin

from papers.images import reencode_image
from papers.markdown import markdown_problem, render_markdown


def can_use_editor(user):
    """True if ``user`` may add or change a model whose admin uses the markdownx editor."""
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, MarkdownxModelAdmin):
            continue
        opts = model._meta
        if any(
            user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("add", "change")
        ):
            return True
    return False


def editor_required(view):
    """Staff only (anonymous users go to the admin login), then 403 without the editor."""

    @staff_member_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_use_editor(request.user):
            raise PermissionDenied("You may not edit anything that uses the Markdown editor.")
        return view(request, *args, **kwargs)

    return wrapped


@require_POST
@editor_required
def markdown_preview(request):
    """Render the editor's Markdown exactly as the public page will."""
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest("Missing the “content” field.")
    problem = markdown_problem(content)
    if problem:
        return HttpResponseBadRequest(f"This text {problem}", content_type="text/plain")
    response = HttpResponse(render_markdown(content))
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@editor_required
def image_upload(request):
    """Store a dropped or pasted image and answer with the Markdown that shows it."""
    uploaded = request.FILES.get("image")
    if uploaded is None:
        return JsonResponse({"image": ["No image was sent."]}, status=400)
    try:
        clean = reencode_image(uploaded)
    except ValidationError as error:
        return JsonResponse({"image": error.messages}, status=400)
    name = default_storage.save(f"uploads/{datetime.date.today():%Y/%m}/{clean.name}", clean)
    return JsonResponse({"image_code": f"![]({default_storage.url(name)})"})
