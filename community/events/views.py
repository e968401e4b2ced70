"""Event pages: the upcoming list, one event with sign-up/cancel, the staff form, the
attendance sheet, and the staff page that gives the guest expert badge.

Thin: parse, call a service from `community.events.services`, redirect with a page message.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from community.events import selectors as event_selectors
from community.events import services as event_services
from community.models import EventKind
from fieldcast.accounts.guards import has_permission
from fieldcast.core.errors import ApplicationError

_LOCAL = "%Y-%m-%dT%H:%M"


class EventForm(forms.Form):
    """Parses the staff form; the rules live in `event_services.event_create`."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), max_length=5000, widget=forms.Textarea
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=EventKind.choices)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts"),
        input_formats=[_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends"),
        input_formats=[_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL),
    )
    place = forms.CharField(
        label=gettext_lazy("Place (meet-ups and trainings)"), max_length=200, required=False
    )
    link = forms.CharField(label=gettext_lazy("Link (online Q&As)"), max_length=500, required=False)
    # No min_value: the service gives the one clear message for a capacity below one.
    capacity = forms.IntegerField(label=gettext_lazy("Places"), initial=20)


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "errors/403.html", {"message": message}, status=403)


def events(request: HttpRequest) -> HttpResponse:
    """Upcoming events soonest first, the person's own sign-ups, and recent past events."""
    mine = (
        {r.event_id: r for r in event_selectors.events_for_user(user=request.user)}
        if request.user.is_authenticated
        else {}
    )
    upcoming = list(event_selectors.events_upcoming()[:100])
    for event in upcoming:
        event.my_registration = mine.get(event.pk)
    return render(
        request,
        "community/events.html",
        {
            "upcoming": upcoming,
            "past": list(event_selectors.events_past()[:10]),
            "can_run": has_permission(request.user, "moderate_content"),
        },
    )


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    if not has_permission(request.user, "moderate_content"):
        return _forbidden(request, _("Only newsroom staff can create events."))
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_services.event_create(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            exc.show_on(form)
        else:
            messages.success(request, _("Event published."))
            return redirect("community:event", event_id=event.pk)
    return render(request, "community/event_new.html", {"form": form})


def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    page = event_selectors.event_page(event_id=event_id, user=request.user)
    if page is None:
        raise Http404(_("We could not find that event."))
    return render(
        request,
        "community/event.html",
        {
            "page": page,
            "event": page.event,
            "can_run": has_permission(request.user, "moderate_content"),
        },
    )


def _act(request: HttpRequest, event_id: int, action: Callable[[], str]) -> HttpResponse:
    try:
        done = action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("community:event", event_id=event_id)


@login_required
@require_POST
def event_sign_up(request: HttpRequest, event_id: int) -> HttpResponse:
    def sign_up() -> str:
        result = event_services.event_sign_up(user=request.user, event_id=event_id)
        return event_services.sign_up_message(result)

    return _act(request, event_id, sign_up)


@login_required
@require_POST
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    def cancel() -> str:
        event_services.event_cancel_sign_up(user=request.user, event_id=event_id)
        return _("Your sign-up is cancelled.")

    return _act(request, event_id, cancel)


@login_required
def event_attendance(request: HttpRequest, event_id: int) -> HttpResponse:
    """Staff: the list of people with a place; ticking them marks attendance (and pays)."""
    if not has_permission(request.user, "moderate_content"):
        return _forbidden(request, _("Only newsroom staff can mark attendance."))
    page = event_selectors.event_page(event_id=event_id, user=request.user)
    if page is None:
        raise Http404(_("We could not find that event."))
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("attended") if v.isdigit()]
        try:
            marked = event_services.event_attendance_mark(
                user=request.user, event_id=event_id, attendee_ids=ids
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(count)d marked as attended; they earned their points.")
                % {"count": len(marked)},
            )
        return redirect("community:event-attendance", event_id=event_id)
    return render(
        request,
        "community/event_attendance.html",
        {
            "page": page,
            "event": page.event,
            "sheet": event_selectors.event_attendance_sheet(event_id=event_id),
            "waiting": event_selectors.event_waiting_list(event_id=event_id),
        },
    )


@login_required
def guest_experts(request: HttpRequest) -> HttpResponse:
    """Staff: who carries the guest expert badge; give it by email, take it back."""
    if not has_permission(request.user, "promote_reporter"):
        return _forbidden(request, _("Only staff can give the guest expert badge."))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                event_services.guest_expert_revoke(
                    user=request.user, expert_id=_int(request.POST.get("user"))
                )
                messages.success(request, _("Badge taken back."))
            else:
                event_services.guest_expert_grant_by_email(
                    user=request.user,
                    email=request.POST.get("email", ""),
                    title=request.POST.get("title", ""),
                )
                messages.success(request, _("Guest expert badge given."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("community:guest-experts")
    return render(
        request,
        "community/event_experts.html",
        {"experts": list(event_selectors.guest_experts()[:500])},
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "0")
    except ValueError:
        return 0
