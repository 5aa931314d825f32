"""Endpoints behind the django-markdownx editor: live preview and image upload.

They replace markdownx's own views so that both are staff-only, answer bad requests
with a 4xx instead of a 500, and store only images that Pillow re-encoded. Being staff is
not enough: the user must be allowed to add or change something edited with the editor.
"""

import functools
import os

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST
from markdownx.admin import MarkdownxModelAdmin

from papers.site.images import reencode_image
from papers.site.markdown import markdown_problem, render_markdown
from papers.site.media import editor_upload_name

# What a file's name may say it is, for each format Pillow found in it.
_EXTENSIONS = {"png": {".png"}, "jpg": {".jpg", ".jpeg"}}
_FORMAT_NAMES = {"png": "PNG", "jpg": "JPEG"}


def _editor_only(error_response):
    """Staff who may edit something with the editor; anyone else gets a 403.

    A 403 rather than ``staff_member_required``'s redirect: the editor calls these from a
    script, which would take a login page for a broken response.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not (user.is_active and user.is_staff):
                return error_response("Only logged-in staff can do this.")
            if not can_use_editor(user):
                return error_response("You may not edit anything that uses the Markdown editor.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _text_error(message):
    return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")


def _json_error(message):
    return JsonResponse({"image": [message]}, status=403)


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


@require_POST
@_editor_only(_text_error)
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
@_editor_only(_json_error)
def image_upload(request):
    """Store a dropped or pasted image and answer with the Markdown that shows it."""
    uploaded = request.FILES.get("image")
    if uploaded is None:
        return JsonResponse({"image": ["No image was sent."]}, status=400)
    try:
        clean = reencode_image(uploaded)
    except ValidationError as error:
        return JsonResponse({"image": error.messages}, status=400)
    kind = clean.name.rsplit(".", 1)[1]
    extension = os.path.splitext(uploaded.name or "")[1].lower()
    if extension and extension not in _EXTENSIONS[kind]:
        # A file that lies about its type was not made by a tool the author trusts.
        return JsonResponse(
            {
                "image": [
                    f"The file is named “{extension}” but is a {_FORMAT_NAMES[kind]} image; "
                    "rename it or save it again as what it claims to be."
                ]
            },
            status=400,
        )
    name = default_storage.save(editor_upload_name(clean.name), clean)
    return JsonResponse({"image_code": f"![]({default_storage.url(name)})"})
