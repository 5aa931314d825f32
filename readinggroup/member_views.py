"""The member pages: join by invitation, profile, the queue, suggest, vote, volunteer, and
a presenter's materials for their own session.

Nothing here is cached or public by default: each page shows what this member did
(their votes, their suggestions). Writes are POST-only, CSRF-protected, and change only
the member's own rows; the organiser's side is in the admin (readinggroup/admin.py).
"""

import logging
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from papers.identity import site_name
from papers.models import Status
from readinggroup import limits, queue, queue_rows
from readinggroup.member_forms import MaterialsForm, ProfileForm, SignUpForm, SuggestForm
from readinggroup.members import (
    GroupSettings,
    Invitation,
    Member,
)
from readinggroup.models import Presentation

logger = logging.getLogger(__name__)

QUEUE_PAGE_SIZE = 25
ORGANISER_PERMISSION = "readinggroup.view_suggestion"


def member_of(request):
    """The signed-in person's Member row, or None (anonymous, staff who never joined)."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(request, "_member"):
        request._member = Member.objects.filter(user=user).first()
    return request._member


def member_required(view):
    """Anonymous → the member login; signed in but not a member → 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = member_of(request)
        if member is None:
            raise PermissionDenied("Only members of the reading group can do this.")
        return view(request, member, *args, **kwargs)

    return wrapper


def _too_many(request, what):
    return render(request, "readinggroup/members/too_many.html", {"what": what}, status=429)


# --- joining -------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
def join(request, token):
    """Sign up through an invitation link: forged → 404, used or expired → 410."""
    invitation = Invitation.for_token(token)
    if invitation is None:
        return render(request, "readinggroup/members/invitation_invalid.html", status=404)
    if not invitation.is_usable:
        return render(
            request,
            "readinggroup/members/invitation_invalid.html",
            {"invitation": invitation, "used": invitation.used_at is not None},
            status=410,
        )
    form = SignUpForm(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            # Locked and checked again: the same link sent from two tabs signs up once.
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if not invitation.is_usable:
                return render(
                    request,
                    "readinggroup/members/invitation_invalid.html",
                    {"invitation": invitation, "used": True},
                    status=410,
                )
            user = get_user_model().objects.create_user(
                data["username"], data["email"], data["password1"]
            )
            member = Member.objects.create(user=user, name=data["name"])
            invitation.used_at, invitation.used_by = timezone.now(), member
            invitation.save(update_fields=["used_at", "used_by"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {member.name}!")
        return redirect("readinggroup:queue")
    return render(request, "readinggroup/members/join.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, with the mailed link on the site's own address (SITE_URL), never
    the Host header of whoever asked (papers/site/addresses.py)."""

    template_name = "readinggroup/members/password_reset.html"
    email_template_name = "readinggroup/members/password_reset_email.txt"
    subject_template_name = "readinggroup/members/password_reset_subject.txt"
    success_url = reverse_lazy("readinggroup:password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL, "site_name": site_name()}
        return super().form_valid(form)


# --- profile -------------------------------------------------------------------------------
@require_safe
@member_required
def member_detail(request, me, pk):
    """A member's profile, for members: name, links, sessions presented (never the email)."""
    member = get_object_or_404(Member.objects.select_related("presenter"), pk=pk)
    sessions = []
    if member.presenter_id:
        sessions = member.presenter.presentations.published().newest_first()
    return render(
        request,
        "readinggroup/members/member_detail.html",
        {"member": member, "sessions": sessions, "is_me": member.pk == me.pk},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def account(request, me):
    form = ProfileForm(request.POST or None, instance=me)
    if request.method == "POST" and form.is_valid():
        form.save()
        if me.presenter_id and me.presenter.name != me.name:
            # Sessions show the presenter's name: it follows the member's.
            from readinggroup.models import Presenter

            if (
                not Presenter.objects.filter(name__iexact=me.name)
                .exclude(pk=me.presenter_id)
                .exists()
            ):
                me.presenter.name = me.name
                me.presenter.save()
        messages.success(request, "Your profile is saved.")
        return redirect("readinggroup:account")
    presenting = []
    if me.presenter_id:
        presenting = me.presenter.presentations.newest_first()
    return render(
        request,
        "readinggroup/members/account.html",
        {"form": form, "member": me, "presenting": presenting},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def account_delete(request, me):
    """Delete the account: votes and volunteering go, presented sessions keep the name."""
    if request.method == "POST":
        with transaction.atomic():
            queue.recount_votes(me)
            me.user.delete()  # cascades to the member, their votes and offers
        logout(request)
        return render(request, "readinggroup/members/account_deleted.html")
    return render(request, "readinggroup/members/account_delete.html", {"member": me})


# --- the queue -----------------------------------------------------------------------------
def _arg(name, row):
    if name == "paper":
        return quote(row["slug"])
    return row["suggested_by_id"] if name == "member_detail" else row["pk"]


@require_safe
def queue_page(request):
    member = member_of(request)
    group = GroupSettings.current()
    # (A member needs no permission check: two queries saved on every member's visit.)
    organiser = member is None and request.user.has_perm(ORGANISER_PERMISSION)
    if member is None and not organiser and not group.queue_is_public:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("The queue is for members of the reading group.")
    page = queue_rows.queue_page(member, request.GET.get("page"), QUEUE_PAGE_SIZE)
    # Each row has up to five links and forms: reversed once per kind, not per row (a
    # quarter of the page's time went to reverse() with 50 rows; docs/PERFORMANCE.md).
    urls = {
        name: reverse(f"readinggroup:{name}", args=[0]).replace("/0/", "/{}/")
        for name in ("vote", "volunteer", "withdraw", "member_detail")
    }
    urls["paper"] = reverse("papers:paper_detail", args=["-"]).replace("/-/", "/{}/")
    for row in page.object_list:
        row["urls"] = {name: url.format(_arg(name, row)) for name, url in urls.items()}
    return render(
        request,
        "readinggroup/members/queue.html",
        {
            "page_obj": page,
            "member": member,
            "member_pk": member.pk if member is not None else None,
            "page_number": str(page.number),  # in every row's forms: text, not localised
            # Drafts show their title only to members and organisers (issue 19, privacy).
            "show_drafts": member is not None or organiser,
            # Read once as a string: each row has up to three forms, and the context's
            # lazy token costs a proxy lookup at every use.
            "csrf_value": get_token(request) if member is not None else "",
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def suggest(request, me):
    form = SuggestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not limits.allow("suggest", me.pk):
            return _too_many(request, "suggestions")
        data = form.cleaned_data
        try:
            paper = data["paper"] or queue.paper_for_identifier(data["identifier"])
            existing = queue.already_queued(paper)
            if existing is not None:
                raise queue.QueueError("This paper is already in the queue: vote for it instead.")
            queue.suggest(me, paper, data["reason"])
        except (queue.QueueError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            form.add_error(None, message)
        else:
            if paper.status != Status.PUBLISHED:
                messages.info(
                    request,
                    "The paper was new to the library: it is added as a draft for the "
                    "organiser to review.",
                )
            messages.success(request, "Your suggestion is in the queue.")
            return redirect("readinggroup:queue")
    return render(request, "readinggroup/members/suggest.html", {"form": form})


def _back_to_queue(request):
    page = request.POST.get("page", "")
    url = reverse("readinggroup:queue")
    return redirect(f"{url}?page={int(page)}" if page.isdigit() else url)


def _queue_action(action):
    """A POST from the queue: do ``action`` for this member; refusals become a message."""

    def decorator(view):
        @wraps(view)
        @require_POST
        @member_required
        def wrapper(request, me, pk):
            if action == "vote" and not limits.allow("vote", me.pk):
                return _too_many(request, "votes")
            try:
                view(request, me, pk)
            except queue.QueueError as error:
                messages.error(request, str(error))
            return _back_to_queue(request)

        return wrapper

    return decorator


@_queue_action("vote")
def vote(request, me, pk):
    queue.set_vote(me, pk, on=request.POST.get("on") != "0")


@_queue_action("volunteer")
def volunteer(request, me, pk):
    queue.set_volunteer(me, pk, on=request.POST.get("on") != "0")


@_queue_action("withdraw")
def withdraw(request, me, pk):
    queue.withdraw(me, pk)
    messages.success(request, "Your suggestion is withdrawn.")


# --- a presenter's own session -----------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def materials(request, me, number):
    """Slides and recording link of a session this member presents (nobody else's)."""
    presentation = get_object_or_404(Presentation, number=int(number))
    if not me.presenter_id or not presentation.presenters.filter(pk=me.presenter_id).exists():
        raise PermissionDenied("Only the session's presenter can add its slides and recording.")
    form = MaterialsForm(request.POST or None, request.FILES or None, instance=presentation)
    if request.method == "POST" and form.is_valid():
        session = form.save(commit=False)
        session.slides_uploaded_by = request.user
        session.save()
        messages.success(request, "Saved. New slides are checked before they appear.")
        return redirect("readinggroup:materials", number=presentation.number)
    return render(
        request,
        "readinggroup/members/materials.html",
        {"form": form, "presentation": presentation},
    )
