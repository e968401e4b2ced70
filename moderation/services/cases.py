"""The case rows themselves: opening one, locking it, its flags and priority, who may act on it,
closing it with a decision. Shared by the queue, the decisions, the reports and the appeals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied
from fieldcast.points import selectors as points_selectors
from moderation import priority
from moderation.models import Case, CaseKind, CaseStatus, TrustedReporter


class CaseClaimed(Conflict):
    default_code = ErrorCode.CLAIMED


class AlreadyDecided(Conflict):
    default_code = ErrorCode.ALREADY_DECIDED


def _is_trusted(user_id: int | None) -> bool:
    """Trusted by staff here, or by the points tiers (trusted and star reporters)."""
    if user_id is None:
        return False
    return TrustedReporter.objects.filter(
        user_id=user_id
    ).exists() or points_selectors.user_id_is_trusted(user_id=user_id)


def set_priority(case: Case) -> None:
    """Recompute the case's boost and queue position (the caller saves)."""
    report_count = 0
    if case.kind == CaseKind.REPORT and case.pk is not None:
        report_count = case.reports.values("reporter_id").distinct().count()
    boost = priority.priority_boost_hours(
        kind=case.kind,
        flags=list(case.flags),
        trusted_reporter=_is_trusted(case.submitted_by_id),
        report_count=report_count,
    )
    case.priority_boost_hours = boost
    case.priority_at = priority.priority_at(created_at=case.created_at, boost_hours=boost)


def set_flags(case: Case, flags: Iterable[str]) -> None:
    case.flags = sorted(set(flags))
    case.flag_index = "".join(f" {flag} " for flag in case.flags)


def new_case(*, kind: str, **fields: Any) -> Case:
    case = Case(kind=kind, created_at=timezone.now(), **fields)
    set_flags(case, fields.get("flags", []))
    set_priority(case)
    case.save()
    return case


def locked_case(case_id: int) -> Case:
    try:
        return Case.objects.select_for_update().get(pk=case_id)
    except Case.DoesNotExist as exc:
        raise NotFound(_("We could not find that queue item.")) from exc


def _claim_is_live(case: Case) -> bool:
    return bool(
        case.claimed_by_id is not None
        and case.claimed_until is not None
        and case.claimed_until > timezone.now()
    )


def check_open_for(case: Case, editor: User) -> None:
    """The case is open and this editor may act on it (no one else holds it)."""
    if case.status != CaseStatus.OPEN:
        raise AlreadyDecided(_("This item has already been decided."))
    if case.excluded_editor_id is not None and case.excluded_editor_id == editor.pk:
        raise PermissionDenied(
            _("You made the decision under appeal: another editor must review the appeal."),
            code=ErrorCode.OWN_DECISION,
        )
    if _claim_is_live(case) and case.claimed_by_id != editor.pk:
        holder = case.claimed_by
        raise CaseClaimed(
            _("%(name)s is reviewing this item until %(time)s.")
            % {
                "name": holder.public_name if holder else "",
                "time": time_format(timezone.localtime(case.claimed_until), "H:i"),
            }
        )


def finish_case(case: Case, editor: User, decision: str, **fields: Any) -> None:
    """Record the editor's decision on the case and let go of its claim."""
    case.status = CaseStatus.DECIDED
    case.decision = decision
    case.decided_by = editor
    case.decided_at = timezone.now()
    case.claimed_by = None
    case.claimed_until = None
    for name, value in fields.items():
        setattr(case, name, value)
    case.save()
