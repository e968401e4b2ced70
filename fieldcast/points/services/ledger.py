"""The points ledger: award, reverse and adjust, each under the user's locked `PointsAccount`,
and what a write moves besides the total: the tier (and its notice) and the next nudge."""

from __future__ import annotations

import math
import re
import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from community.notifications import notify
from fieldcast.accounts.guards import require_permission
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fieldcast.points import levels, selectors
from fieldcast.points.models import (
    Nudge,
    NudgeKind,
    Period,
    PointEvent,
    PointsAccount,
    PointsPeriodTotal,
    TierChange,
)
from fieldcast.points.rules import Rule, apply_multiplier, rule_config

KEY_MAX_LENGTH = 200  # leaves room for the "reversal:" prefix in the 255-character column
_INTEGER = re.compile(r"[+-]?\d+")


# --- Ledger ---------------------------------------------------------------------------------


def points_award(
    *,
    user: User,
    rule: str,
    obj: models.Model | str | None,
    key: str,
    bonus: int = 0,
    assignment_ref: str = "",
) -> PointEvent | None:
    """Pay `user` for one deed under `rule`; the same `key` never pays twice.

    `obj` is what earned it (a model instance or a plain reference such as "assignment:12").
    `bonus` adds to the rule's points (an assignment's bonus); `assignment_ref` puts the deed on
    that assignment's board. Returns the ledger event (the one
    already recorded if this deed was delivered before), or None when the rule's daily cap is
    already reached. Safe to call from two processes at once with the same key.
    """
    config = rule_config(rule)
    if config is None or config.name == Rule.MANUAL_ADJUSTMENT:
        raise ValidationFailed(
            _("Unknown points rule “%(rule)s”.") % {"rule": rule}, code=ErrorCode.UNKNOWN_RULE
        )
    _check_key(key)
    if isinstance(bonus, bool) or not isinstance(bonus, int) or bonus < 0:
        raise ValidationFailed(_("A bonus must be a whole number of points, zero or more."))
    with transaction.atomic():
        account = _account_locked(user)
        existing = PointEvent.objects.filter(key=key).first()
        if existing is not None:
            return _same_deed(existing, user)
        now = timezone.now()
        base = config.points + bonus
        if config.daily_cap is not None:
            base = min(base, config.daily_cap - _paid_today(user, config.name, now))
            if base <= 0:
                return None
        event = PointEvent(
            user=user,
            rule=config.name,
            points=apply_multiplier(base_points=base, total_before=account.total),
            base_points=base,
            key=key,
            assignment_ref=str(assignment_ref or "")[:64],
            created_at=now,
            **_reference(obj),
        )
        return _record(account=account, user=user, event=event)


def points_reverse(*, event_key: str, reason: str) -> PointEvent:
    """Undo a deed's points with a new negative event (key "reversal:<event_key>").

    Reversing the same deed again returns the first reversal; a reversal itself cannot be
    reversed (award the deed again under a new key instead).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say why these points are taken back."),
            code=ErrorCode.REASON_REQUIRED,
            fields={"reason": [_("A reason is required.")]},
        )
    with transaction.atomic():
        original = PointEvent.objects.filter(key=event_key).select_related("user").first()
        if original is None:
            raise NotFound(_("There is no points event with that key."))
        if original.reverses_id is not None:
            raise Conflict(_("A reversal cannot be reversed."), code=ErrorCode.REVERSAL_OF_REVERSAL)
        account = _account_locked(original.user)
        already = PointEvent.objects.filter(reverses=original).first()
        if already is not None:
            return already
        event = PointEvent(
            user=original.user,
            rule=original.rule,
            points=-original.points,
            base_points=-original.base_points,
            content_type_id=original.content_type_id,
            object_id=original.object_id,
            obj_ref=original.obj_ref,
            assignment_ref=original.assignment_ref,
            key=f"reversal:{original.key}",
            reverses=original,
            reason=reason,
            created_at=timezone.now(),
        )
        return _record(account=account, user=original.user, event=event)


def points_adjust(
    *, user: User, points: object, reason: str, staff: User, key: str | None = None
) -> PointEvent:
    """A staff correction of `points` (a non-zero whole number, either sign), always with a reason."""
    require_permission(staff, "promote_reporter", message=_("Only staff can adjust points."))
    if staff.pk == user.pk:
        # Nobody moves their own standing: a second staff member makes the correction.
        raise PermissionDenied(
            _("You cannot adjust your own points: ask another staff member."),
            code=ErrorCode.OWN_POINTS,
        )
    amount = _whole_number(points)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if amount is None:
        errors["points"] = [_("Enter a whole number of points, such as 15 or -15.")]
    elif amount == 0:
        errors["points"] = [_("An adjustment of zero points changes nothing.")]
    elif abs(amount) > settings.POINTS_MANUAL_ADJUSTMENT_LIMIT:
        errors["points"] = [
            _("An adjustment can be at most %(limit)s points either way.")
            % {"limit": settings.POINTS_MANUAL_ADJUSTMENT_LIMIT}
        ]
    if not reason:
        errors["reason"] = [_("Say why you adjust these points: the reporter will see it.")]
    if errors or amount is None:
        raise ValidationFailed(
            " ".join(message for messages in errors.values() for message in messages),
            code=ErrorCode.INVALID_ADJUSTMENT,
            fields=errors,
        )
    key = key or f"manual:{uuid.uuid4()}"
    _check_key(key)
    with transaction.atomic():
        account = _account_locked(user)
        existing = PointEvent.objects.filter(key=key).first()
        if existing is not None:
            return _same_deed(existing, user)
        event = PointEvent(
            user=user,
            rule=Rule.MANUAL_ADJUSTMENT.value,
            points=amount,
            base_points=amount,
            key=key,
            reason=reason,
            actor=staff,
            obj_ref=f"adjustment by {staff.pk}",
            created_at=timezone.now(),
        )
        return _record(account=account, user=user, event=event)


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key.strip() or len(key) > KEY_MAX_LENGTH:
        raise ValidationFailed(
            _("A deed needs a key of 1 to %(n)s characters.") % {"n": KEY_MAX_LENGTH},
            code=ErrorCode.INVALID_KEY,
        )


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _same_deed(existing: PointEvent, user: User) -> PointEvent:
    if existing.user_id != user.pk:
        raise Conflict(
            _("This deed key already paid another user."),
            code=ErrorCode.KEY_BELONGS_TO_ANOTHER_USER,
        )
    return existing


def _reference(obj: models.Model | str | None) -> dict[str, object]:
    if obj is None:
        return {}
    if isinstance(obj, models.Model):
        return {
            "content_type": ContentType.objects.get_for_model(obj),
            "object_id": str(obj.pk),
        }
    return {"obj_ref": str(obj)[:200]}


def _account_locked(user: User) -> PointsAccount:
    """The user's account row, created if missing, locked until the transaction ends."""
    PointsAccount.objects.bulk_create(
        [PointsAccount(user=user, city=user.city)], ignore_conflicts=True
    )
    return PointsAccount.objects.select_for_update().get(user=user)


def _paid_today(user: User, rule: str, now: datetime) -> int:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    paid = PointEvent.objects.filter(user=user, rule=rule, created_at__gte=start).aggregate(
        paid=Sum("base_points")
    )["paid"]
    return int(paid or 0)


def period_starts(moment: datetime) -> dict[str, date]:
    """The week (Monday) and month a moment falls in, in the site's time zone."""
    day = timezone.localtime(moment).date()
    return {
        Period.WEEK.value: day - timedelta(days=day.weekday()),
        Period.MONTH.value: day.replace(day=1),
    }


def _record(*, account: PointsAccount, user: User, event: PointEvent) -> PointEvent:
    """Insert the event and update every cache, inside the caller's transaction."""
    starts = period_starts(event.created_at)
    event.week, event.month = starts[Period.WEEK], starts[Period.MONTH]
    try:
        with transaction.atomic():
            event.save(force_insert=True)
    except IntegrityError as exc:
        # The account lock makes this rare: only a key reused for a different user gets here.
        raise Conflict(_("This deed was already recorded."), code=ErrorCode.DUPLICATE_DEED) from exc
    PointsAccount.objects.filter(pk=account.pk).update(
        total=F("total") + event.points, city=user.city
    )
    account.refresh_from_db(fields=["total", "city"])
    level = levels.level_for(account.total)
    if level != account.level:
        account.level = level
        account.save(update_fields=["level", "updated_at"])
    for period, start in ((Period.WEEK.value, event.week), (Period.MONTH.value, event.month)):
        row, _created = PointsPeriodTotal.objects.get_or_create(
            user=user,
            period=period,
            start=start,
            defaults={"city": user.city, "hidden": account.hide_from_boards},
        )
        PointsPeriodTotal.objects.filter(pk=row.pk).update(
            points=F("points") + event.points, city=user.city, hidden=account.hide_from_boards
        )
    _tier_refresh(account=account, user=user)
    _nudge_maybe(account=account, user=user)
    return event


# --- Tiers ----------------------------------------------------------------------------------


def points_tier_refresh(*, user: User) -> TierChange | None:
    """Re-evaluate a user's tier now (e.g. after moderation rejected one of their clips)."""
    with transaction.atomic():
        account = _account_locked(user)
        return _tier_refresh(account=account, user=user)


def _tier_refresh(*, account: PointsAccount, user: User) -> TierChange | None:
    record = selectors.reporter_record(user=user, total=account.total)
    tier = levels.tier_for(record)
    if tier == account.tier:
        return None
    change = TierChange.objects.create(
        user=user, from_tier=account.tier, to_tier=tier, total_at_change=account.total
    )
    account.tier = tier
    account.save(update_fields=["tier", "updated_at"])
    transaction.on_commit(lambda: tier_change_notify(change=change))
    return change


def tier_change_notify(*, change: TierChange) -> None:
    """Tell the user their tier changed (runs after commit), through community/notifications/notify.py."""
    notify.notify_tier_changed(
        user_id=change.user_id, from_tier=change.from_tier, to_tier=change.to_tier
    )


# --- Nudges ---------------------------------------------------------------------------------


def _nudge_maybe(*, account: PointsAccount, user: User) -> Nudge | None:
    """If the next level or tier is near, leave one nudge for today (at most one a day)."""
    today = timezone.localdate()
    if Nudge.objects.filter(user=user, day=today).exists():
        return None
    options: list[tuple[int, str, str]] = []
    upcoming = levels.next_level(account.total)
    if upcoming is not None:
        options.append((upcoming[1] - account.total, NudgeKind.LEVEL.value, str(upcoming[0])))
    record = selectors.reporter_record(user=user, total=account.total)
    next_tier = levels.tier_next(record)
    if next_tier is not None and next_tier.min_points > account.total:
        options.append((next_tier.min_points - account.total, NudgeKind.TIER.value, next_tier.code))
    near = [option for option in options if 0 < option[0] <= settings.POINTS_NUDGE_WITHIN]
    if not near:
        return None
    gap, kind, target = min(near)
    clip_rule = rule_config(Rule.VIDEO_PUBLISHED)
    per_clip = apply_multiplier(
        base_points=clip_rule.points if clip_rule else 1, total_before=account.total
    )
    return Nudge.objects.create(
        user=user,
        day=today,
        kind=kind,
        gap=gap,
        target=target,
        clips=max(1, math.ceil(gap / max(1, per_clip))),
    )
