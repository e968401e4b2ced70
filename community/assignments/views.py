"""Assignment pages: open calls, the editors' form, one call, and reporters' accepted calls."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.assignments import selectors, services
from community.assignments.forms import AssignmentForm
from fieldcast.accounts.guards import AuthenticatedHttpRequest, has_permission
from fieldcast.core.errors import ApplicationError


def assignments(request: HttpRequest) -> HttpResponse:
    """Open calls for footage, the visitor's city first; editors also see recently closed ones."""
    city = request.user.city if request.user.is_authenticated else ""
    editor = has_permission(request.user, "moderate_content")
    return render(
        request,
        "community/assignments.html",
        {
            "open": list(selectors.assignments_open(city=city)[:100]),
            "accepted_ids": selectors.assignment_accepted_ids(user=request.user),
            "closed": list(selectors.assignments_closed()[:20]) if editor else [],
            "is_editor": editor,
            "city": city,
        },
    )


@login_required
def assignment_new(request: HttpRequest) -> HttpResponse:
    if not has_permission(request.user, "moderate_content"):
        return render(
            request,
            "errors/403.html",
            {"message": _("Only editors can publish assignments.")},
            status=403,
        )
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_publish(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            exc.show_on(form)
        else:
            messages.success(request, _("Assignment published."))
            return redirect("community:assignment", assignment_id=assignment.pk)
    return render(request, "community/assignment_new.html", {"form": form})


def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    page = selectors.assignment_page(assignment_id=assignment_id, user=request.user)
    if page is None:
        raise Http404(_("We could not find that assignment."))
    return render(
        request,
        "community/assignment.html",
        {
            "page": page,
            "assignment": page.assignment,
            "is_editor": has_permission(request.user, "moderate_content"),
        },
    )


def _assignment_action(
    request: HttpRequest, assignment_id: int, action: Callable[[], object], done: str
) -> HttpResponse:
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("community:assignment", assignment_id=assignment_id)


@login_required
@require_POST
def assignment_close(request: HttpRequest, assignment_id: int) -> HttpResponse:
    return _assignment_action(
        request,
        assignment_id,
        lambda: services.assignment_close(user=request.user, assignment_id=assignment_id),
        _("Assignment closed."),
    )


@login_required
@require_POST
def assignment_use(request: HttpRequest, assignment_id: int, video_id: int) -> HttpResponse:
    return _assignment_action(
        request,
        assignment_id,
        lambda: services.assignment_mark_used(
            user=request.user, assignment_id=assignment_id, video_id=video_id
        ),
        _("Marked as used; the reporter earned the points."),
    )


@login_required
@require_POST
def assignment_accept(request: HttpRequest, assignment_id: int) -> HttpResponse:
    if request.POST.get("accept") == "0":
        return _assignment_action(
            request,
            assignment_id,
            lambda: services.assignment_withdraw(user=request.user, assignment_id=assignment_id),
            _("Taken off your list."),
        )
    return _assignment_action(
        request,
        assignment_id,
        lambda: services.assignment_accept(user=request.user, assignment_id=assignment_id),
        _("Accepted: it is on your list. Upload or go live for it when you have footage."),
    )


@login_required
def assignments_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reporter's accepted assignments, open ones first, with what they sent."""
    return render(
        request,
        "community/assignments_mine.html",
        {"accepted": list(selectors.assignments_accepted(user=request.user)[:100])},
    )
