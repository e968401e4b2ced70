"""Moderation pages: the queue, the review screen, reports, notices and appeals, audit, stats.

Thin: parse, check the role, call a service or selector, render. Refusals become page messages.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.notifications import notify
from fieldcast.accounts.guards import AuthenticatedHttpRequest, Requester, signed_in_user
from fieldcast.accounts.models import User
from fieldcast.core.errors import ApplicationError, PermissionDenied
from moderation import selectors, services
from moderation.models import (
    AuditAction,
    CaseKind,
    Decision,
    ReportReason,
    Verification,
)

FLAGS = ("term", "reupload", "black", "frozen", "silent", "short")


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _refused(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    if error.status_code in (401, 403):
        return render(
            request, "errors/403.html", {"message": error.message}, status=int(error.status_code)
        )
    raise Http404(error.message)


def _role_or_refuse(
    request: HttpRequest, ensure: Callable[[Requester], User]
) -> User | HttpResponse:
    """The person `ensure` lets in; an anonymous visitor goes to login, anyone else gets a 403 page."""
    if signed_in_user(request.user) is None:
        return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
    try:
        return ensure(request.user)
    except PermissionDenied as error:
        return _refused(request, error)


def _editor_or_refuse(request: HttpRequest) -> User | HttpResponse:
    return _role_or_refuse(request, services.ensure_editor)


def _staff_or_refuse(request: HttpRequest) -> User | HttpResponse:
    return _role_or_refuse(request, services.ensure_staff)


def _queue_filters(request: HttpRequest) -> dict[str, Any]:
    kind = request.GET.get("kind", "")
    flag = request.GET.get("flag", "")
    assignment = request.GET.get("assignment", "")
    order = request.GET.get("order", "newest")
    return {
        "kind": kind if kind in CaseKind.values else "",
        "flag": flag if flag in FLAGS else "",
        "reporter_id": _int_or_none(request.GET.get("reporter")),
        "assignment": assignment if assignment in selectors.ASSIGNMENT_FILTERS else "",
        "order": order if order in selectors.QUEUE_ORDERS else "newest",
    }


def queue(request: HttpRequest) -> HttpResponse:
    editor = _editor_or_refuse(request)
    if isinstance(editor, HttpResponse):
        return editor
    services.cases_sync_pending_videos()
    services.cases_sync_live_sources()
    services.cases_sync_held_comments()
    filters = _queue_filters(request)
    cases = selectors.queue_cases(editor=editor, **filters)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "case": case,
            "claimed": selectors.case_claim_is_live(case, now=now),
            "score": selectors.case_priority_score(case, now=now),
        }
        for case in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "moderation/queue.html",
        {
            "rows": rows,
            "page": page,
            "filters": filters,
            "kinds": CaseKind.choices,
            "flags": FLAGS,
            "reasons": services.reject_reasons().items(),
            "verifications": Verification.choices,
            "query": query.urlencode(),
        },
    )


def case_review(request: HttpRequest, case_id: int) -> HttpResponse:
    editor = _editor_or_refuse(request)
    if isinstance(editor, HttpResponse):
        return editor
    review = selectors.case_for_review(case_id=case_id)
    if review is None:
        raise Http404(_("We could not find that queue item."))
    filters = _queue_filters(request)
    previous_id, next_id = selectors.case_neighbours(
        case=review.case, ordered=selectors.queue_cases(editor=editor, **filters)
    )
    case = review.case
    decisions = [
        (value, label)
        for value, label in Decision.choices
        if value in services.DECISIONS_BY_KIND.get(case.kind, set())
    ]
    video = review.video
    hls_url = poster_url = ""
    if video is not None and video.output_prefix:
        if video.renditions:
            # The videos app's playlist and poster URLs let editors in whatever the state.
            hls_url = reverse("video-hls-master", args=[video.pk])
        if video.poster_key:
            poster_url = reverse("video-poster", args=[video.pk])
    return render(
        request,
        "moderation/case.html",
        {
            "review": review,
            "case": case,
            "video": video,
            "claimed": selectors.case_claim_is_live(case),
            "mine": case.claimed_by_id == editor.pk and selectors.case_claim_is_live(case),
            "decisions": decisions,
            "reasons": services.reject_reasons().items(),
            "verifications": Verification.choices,
            "previous_id": previous_id,
            "next_id": next_id,
            "hls_url": hls_url,
            "poster_url": poster_url,
            "capture_metadata": json.dumps(video.capture_metadata, indent=2, ensure_ascii=False)
            if video is not None and video.capture_metadata
            else "",
        },
    )


@require_POST
def case_claim(request: HttpRequest, case_id: int) -> HttpResponse:
    editor = _editor_or_refuse(request)
    if isinstance(editor, HttpResponse):
        return editor
    try:
        services.case_claim(case_id=case_id, editor=editor)
        messages.success(request, _("This item is yours for the next few minutes."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("moderation-case", case_id=case_id)


@require_POST
def case_release(request: HttpRequest, case_id: int) -> HttpResponse:
    editor = _editor_or_refuse(request)
    if isinstance(editor, HttpResponse):
        return editor
    try:
        services.case_release(case_id=case_id, editor=editor)
        messages.success(request, _("Released back to the queue."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("moderation-queue")


def _optional(request: HttpRequest, name: str) -> str | None:
    return request.POST[name] if name in request.POST else None


@require_POST
def case_decide(request: HttpRequest, case_id: int) -> HttpResponse:
    editor = _editor_or_refuse(request)
    if isinstance(editor, HttpResponse):
        return editor
    try:
        case = services.case_decide(
            case_id=case_id,
            editor=editor,
            decision=request.POST.get("decision", ""),
            reason_code=request.POST.get("reason_code", ""),
            reason_text=request.POST.get("reason_text", ""),
            verification=request.POST.get("verification", ""),
            title=_optional(request, "title"),
            description=_optional(request, "description"),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("moderation-case", case_id=case_id)
    messages.success(
        request, _("Decision saved: %(decision)s.") % {"decision": case.get_decision_display()}
    )
    next_id = _int_or_none(request.POST.get("next"))
    if next_id:
        return redirect("moderation-case", case_id=next_id)
    return redirect("moderation-queue")


@require_POST
def bulk_decide(request: HttpRequest) -> HttpResponse:
    editor = _editor_or_refuse(request)
    if isinstance(editor, HttpResponse):
        return editor
    ids = [int(value) for value in request.POST.getlist("case") if value.isdigit()]
    try:
        outcomes = services.cases_bulk_decide(
            case_ids=ids,
            editor=editor,
            decision=request.POST.get("decision", ""),
            reason_code=request.POST.get("reason_code", ""),
            reason_text=request.POST.get("reason_text", ""),
            verification=request.POST.get("verification", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("moderation-queue")
    done = sum(1 for outcome in outcomes if outcome.ok)
    messages.success(
        request, _("%(done)d of %(total)d decided.") % {"done": done, "total": len(ids)}
    )
    for outcome in outcomes:
        if not outcome.ok:
            messages.error(request, f"#{outcome.case_id}: {outcome.message}")
    return redirect("moderation-queue")


# --- Reports, notices, appeals (any logged-in person) -------------------------------------------


@login_required
def report_video(request: HttpRequest, video_id: int) -> HttpResponse:
    return _report(request, video_id=video_id, user_id=None)


@login_required
def report_user(request: HttpRequest, user_id: int) -> HttpResponse:
    return _report(request, video_id=None, user_id=user_id)


@login_required
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _report(request, video_id=None, user_id=None, comment_id=comment_id)


def _report(
    request: HttpRequest,
    *,
    video_id: int | None,
    user_id: int | None,
    comment_id: int | None = None,
) -> HttpResponse:
    subject = selectors.report_subject(video_id=video_id, user_id=user_id, comment_id=comment_id)
    if subject is None:
        raise Http404(_("We could not find that."))
    error = None
    if request.method == "POST":
        try:
            services.report_create(
                reporter=request.user,
                reason=request.POST.get("reason", ""),
                text=request.POST.get("text", ""),
                video_id=video_id,
                user_id=user_id,
                comment_id=comment_id,
            )
        except ApplicationError as refused:
            error = refused.message
        else:
            messages.success(request, _("Thank you. Editors will review your report."))
            return redirect("moderation-notices")
    return render(
        request,
        "moderation/report.html",
        {"subject": subject, "reasons": ReportReason.choices, "error": error},
        status=400 if error else 200,
    )


@login_required
def notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    notices = list(notify.moderation_notices(user=user)[:100])
    context = {
        "notices": notices,
        "appealable": list(selectors.appealable_videos(user=user)),
        "changes": list(selectors.changes_requested_cases(user=user)),
    }
    unread = [n.pk for n in notices if n.read_at is None]
    if unread:
        notify.moderation_notices_mark_read(user=user, ids=unread)
    return render(request, "moderation/notices.html", context)


@login_required
@require_POST
def appeal(request: HttpRequest, video_id: int) -> HttpResponse:
    try:
        services.appeal_create(
            user=request.user, video_id=video_id, note=request.POST.get("note", "")
        )
        messages.success(request, _("Your appeal was sent. Another editor will review it."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("moderation-notices")


@login_required
@require_POST
def resubmit(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    try:
        services.case_resubmit(
            case_id=case_id,
            user=request.user,
            title=_optional(request, "title"),
            description=_optional(request, "description"),
        )
        messages.success(request, _("Sent back to the editors."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("moderation-notices")


# --- Staff: audit log, stats, trusted reporters ------------------------------------------------


def _audit_filters(request: HttpRequest) -> dict[str, Any]:
    action = request.GET.get("action", "")
    since = parse_date(request.GET.get("since", "") or "")
    until = parse_date(request.GET.get("until", "") or "")
    tz = timezone.get_current_timezone()
    return {
        "action": action if action in AuditAction.values else "",
        "actor_id": _int_or_none(request.GET.get("actor")),
        "video_id": _int_or_none(request.GET.get("video")),
        "case_id": _int_or_none(request.GET.get("case")),
        "since": datetime.combine(since, time.min, tzinfo=tz) if since else None,
        "until": datetime.combine(until, time.max, tzinfo=tz) if until else None,
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_log(request: HttpRequest) -> HttpResponseBase:
    staff = _staff_or_refuse(request)
    if isinstance(staff, HttpResponse):
        return staff
    entries = selectors.audit_entries(**_audit_filters(request))
    if request.GET.get("format") == "csv":
        writer = csv.writer(_Echo())
        header = ["id", "created_at", "actor", "action", "case", "video", "user", "reason"]
        header += ["before", "after"]

        def rows() -> Any:
            yield writer.writerow(header)
            for entry in entries.iterator():
                yield writer.writerow(
                    [
                        entry.pk,
                        entry.created_at.isoformat(),
                        entry.actor.email if entry.actor else "",
                        entry.action,
                        entry.case_id or "",
                        entry.video_id or "",
                        entry.subject_user.email if entry.subject_user else "",
                        entry.reason,
                        json.dumps(entry.before, ensure_ascii=False, sort_keys=True),
                        json.dumps(entry.after, ensure_ascii=False, sort_keys=True),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="moderation-audit.csv"'
        return response
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "moderation/audit.html",
        {
            "page": page,
            "actions": AuditAction.choices,
            "filters": request.GET,
            "query": query.urlencode(),
        },
    )


def stats(request: HttpRequest) -> HttpResponse:
    staff = _staff_or_refuse(request)
    if isinstance(staff, HttpResponse):
        return staff
    data = selectors.moderation_stats()
    labels = dict(CaseKind.choices)
    reasons = services.reject_reasons()
    queue_rows = [{"label": labels[kind], "n": n} for kind, n in data["queue_by_kind"].items()]
    reason_rows = [
        {"label": reasons.get(row["reason"], row["reason"]), "n": row["n"]}
        for row in data["rejection_reasons"]
    ]
    return render(
        request,
        "moderation/stats.html",
        {
            "stats": data,
            "charts": [
                (_("Queue length by kind"), _bars(queue_rows)),
                (
                    _("Decisions per editor"),
                    _bars([{"label": row["editor"], "n": row["n"]} for row in data["per_editor"]]),
                ),
                (_("Rejection and removal reasons"), _bars(reason_rows)),
            ],
            "median_minutes": round(data["median_decision_seconds"] / 60, 1)
            if data["median_decision_seconds"] is not None
            else None,
        },
    )


def _bars(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with a width percentage for a CSS bar chart (no chart library needed)."""
    top = max((row["n"] for row in rows), default=0) or 1
    return [{**row, "width": round(100 * row["n"] / top)} for row in rows]


@require_POST
def trusted_set(request: HttpRequest, user_id: int) -> HttpResponse:
    staff = signed_in_user(request.user)
    if staff is None:
        return redirect("account_login")
    try:
        services.trusted_reporter_set(
            user_id=user_id, trusted=request.POST.get("trusted") == "1", staff=staff
        )
        messages.success(request, _("Saved."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("moderation-queue")
