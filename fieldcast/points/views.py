"""Points pages: public boards, a reporter's card with the rating form, staff promotion and
adjustments, the staff dashboard. Thin: parse, authorise, call a service or selector, render."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fieldcast.accounts.guards import AuthenticatedHttpRequest, has_permission, signed_in_user
from fieldcast.accounts.models import User
from fieldcast.core.errors import ApplicationError, NotFound
from fieldcast.points import charts, selectors, services

BOARD_TITLES = {
    "week": gettext_lazy("This week"),
    "month": gettext_lazy("This month"),
    "all": gettext_lazy("All time"),
}


_P = ParamSpec("_P")
_R = TypeVar("_R", bound=HttpResponseBase)
_PageView = Callable[Concatenate[AuthenticatedHttpRequest, _P], _R]


def _needs(codename: str) -> Callable[[_PageView[_P, _R]], _PageView[_P, _R]]:
    """Pages for one role permission: a visitor logs in first, others get the 403 page (not a
    login loop)."""

    def decorator(view: _PageView[_P, _R]) -> _PageView[_P, _R]:
        @wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, *args: _P.args, **kwargs: _P.kwargs) -> _R:
            if not has_permission(request.user, codename):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def leaderboards(request: HttpRequest, board: str = "week") -> HttpResponse:
    city = request.GET.get("city", "").strip()[:80]
    page = _page_number(request)
    try:
        rows = selectors.leaderboard(board=board, city=city, page=page)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "points/leaderboards.html",
        {
            "board": board,
            "boards": [(key, BOARD_TITLES[key]) for key in selectors.BOARDS],
            "board_title": BOARD_TITLES[board],
            "rows": rows,
            "city": city,
            "page": page,
            "has_next": len(rows) == selectors.BOARD_PAGE_SIZE,
            # One reverse() for the page instead of one per row (boards are hot pages).
            "reporter_prefix": reverse("points-reporter", args=[0])[: -len("0/")],
        },
    )


def assignment_board(request: HttpRequest, assignment_ref: str) -> HttpResponse:
    page = _page_number(request)
    rows = selectors.assignment_leaderboard(assignment_ref=assignment_ref, page=page)
    return render(
        request,
        "points/leaderboards.html",
        {
            "board": "assignment",
            "boards": [(key, BOARD_TITLES[key]) for key in selectors.BOARDS],
            "board_title": _("Assignment %(ref)s") % {"ref": assignment_ref},
            "rows": rows,
            "city": "",
            "page": page,
            "has_next": len(rows) == selectors.BOARD_PAGE_SIZE,
            "reporter_prefix": reverse("points-reporter", args=[0])[: -len("0/")],
        },
    )


@login_required
@require_POST
def board_visibility(request: AuthenticatedHttpRequest) -> HttpResponse:
    hidden = request.POST.get("hidden") == "1"
    services.points_board_visibility_set(user=request.user, hidden=hidden)
    messages.success(
        request,
        _("You are hidden from the public boards.")
        if hidden
        else _("You appear on the public boards again."),
    )
    return redirect("profile")


def reporter_card(request: HttpRequest, user_id: int) -> HttpResponse:
    reporter = get_object_or_404(User, pk=user_id, is_active=True)
    month = timezone.localdate().replace(day=1)
    rating = None
    can_rate = must_watch = False
    viewer = signed_in_user(request.user)
    if viewer is not None and viewer.pk != reporter.pk:
        rating = selectors.rating_by(rater=viewer, reporter=reporter, month=month)
        if selectors.reporter_has_published(user=reporter):
            can_rate = selectors.has_watched(viewer=viewer, reporter=reporter)
            must_watch = not can_rate
    return render(
        request,
        "points/reporter.html",
        {
            "reporter": reporter,
            "summary": selectors.points_summary(user=reporter),
            "participation": selectors.participation(user=reporter)
            if has_permission(request.user, "view_dashboards")
            else None,
            "rating": rating,
            "can_rate": can_rate,
            "must_watch": must_watch,
        },
    )


@login_required
@require_POST
def rate_reporter(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    reporter = get_object_or_404(User, pk=user_id, is_active=True)
    try:
        services.rating_submit(
            rater=request.user,
            reporter=reporter,
            stars=request.POST.get("stars", ""),
        )
        messages.success(request, _("Thank you: your rating is in this month's ranking."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("points-reporter", user_id=reporter.pk)


# --- Staff ----------------------------------------------------------------------------------


@_needs("promote_reporter")
def promotions(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "points/promotions.html",
        {"stars": selectors.star_reporters(), "history": selectors.promotion_history()},
    )


@_needs("promote_reporter")
@require_POST
def promotion_decide(request: AuthenticatedHttpRequest, user_id: int, action: str) -> HttpResponse:
    reporter = get_object_or_404(User, pk=user_id)
    service = {"promote": services.reporter_promote, "demote": services.reporter_demote}.get(action)
    if service is None:
        raise Http404
    try:
        service(user=reporter, staff=request.user, reason=request.POST.get("reason", ""))
        messages.success(
            request,
            _("%(name)s is now a network reporter.") % {"name": reporter.public_name}
            if action == "promote"
            else _("%(name)s is no longer a network reporter.") % {"name": reporter.public_name},
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("points-promotions")


@_needs("promote_reporter")
@require_POST
def adjust(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    reporter = get_object_or_404(User, pk=user_id)
    try:
        services.points_adjust(
            user=reporter,
            points=request.POST.get("points", ""),
            reason=request.POST.get("reason", ""),
            staff=request.user,
        )
        messages.success(request, _("The adjustment is in the ledger."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("points-reporter", user_id=reporter.pk)


@_needs("view_dashboards")
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    active = selectors.active_reporters_by_week()
    distribution = selectors.points_distribution()
    funnel = selectors.tier_funnel()
    segments = selectors.user_segments()
    clips = selectors.uploads_and_approvals_by_week()
    daily = selectors.daily_active_users()
    return render(
        request,
        "points/dashboard.html",
        {
            "active_chart": charts.line_chart(
                title=_("Active reporters per week"),
                points=[(_short(start), count) for start, count in active],
            ),
            "distribution_chart": charts.bar_chart(
                title=_("Users per level"),
                bars=[(_("L%(n)s") % {"n": level}, count) for level, count in distribution],
            ),
            "funnel_chart": charts.funnel_chart(
                title=_("Tier funnel"), steps=[(label, count) for _code, label, count in funnel]
            ),
            "clips_chart": charts.paired_bar_chart(
                title=_("Uploads and approvals per week"),
                groups=[(_short(start), up, ok) for start, up, ok in clips],
                names=(_("Uploads"), _("Approvals")),
            ),
            "daily_chart": charts.line_chart(
                title=_("People active per day (30 days)"),
                points=[(_short(day), count) for day, count in daily],
            ),
            "segments": segments,
            "activity": selectors.activity_by_kind(),
        },
    )


def _short(day: date) -> str:
    """A chart label such as "3 Nov", in the reader's language."""
    return date_format(day, "j M")


class _Echo:
    def write(self, value: str) -> str:
        return value


@_needs("view_dashboards")
def segment_csv(request: AuthenticatedHttpRequest, segment: str) -> StreamingHttpResponse:
    if segment not in selectors.SEGMENTS:
        raise Http404
    writer = csv.writer(_Echo())
    users = selectors.segment_users(segment=segment).values_list(
        "pk", "email", "display_name", "city", "date_joined", "points_account__total"
    )

    def rows() -> Iterator[str]:
        yield writer.writerow(["id", "email", "display_name", "city", "joined", "points"])
        for pk, email, name, city, joined, total in users.iterator(chunk_size=2000):
            yield writer.writerow([pk, email, name, city, joined.date().isoformat(), total or 0])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{segment}.csv"'
    return response
