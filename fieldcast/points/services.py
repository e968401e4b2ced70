"""Every write about points. Nothing else in Fieldcast writes points.

The ledger (`PointEvent`) is append-only: a deed pays through `points_award`, a mistake is undone
by `points_reverse` (a new, negative event), staff corrections go through `points_adjust`. Each
of these locks the user's `PointsAccount` row first, so every write for one user is serialised:
the idempotency check, the cached totals (updated with `F()`), the tier and the nudge all happen
in that one transaction.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from community import notify
from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.accounts.services import user_grant_role
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fieldcast.points import levels, selectors
from fieldcast.points.models import (
    Activity,
    ActivityKind,
    Nudge,
    NudgeKind,
    Period,
    PointEvent,
    PointsAccount,
    PointsPeriodTotal,
    PromotionAction,
    PromotionRecord,
    Tier,
    TierChange,
    ViewerRating,
)
from fieldcast.points.rules import RATING_TOP_RULES, Rule, apply_multiplier, rule_config
from fieldcast.videos.models import Video, VideoState
from ingest.models import LiveSource
from moderation.models import CheckResult

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
            _("Unknown points rule “%(rule)s”.") % {"rule": rule}, code="unknown_rule"
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
            code="reason_required",
            fields={"reason": [_("A reason is required.")]},
        )
    with transaction.atomic():
        original = PointEvent.objects.filter(key=event_key).select_related("user").first()
        if original is None:
            raise NotFound(_("There is no points event with that key."))
        if original.reverses_id is not None:
            raise Conflict(_("A reversal cannot be reversed."), code="reversal_of_reversal")
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
    if not roles.has_role_permission(staff, "promote_reporter"):
        raise PermissionDenied(_("Only staff can adjust points."))
    if staff.pk == user.pk:
        # Nobody moves their own standing: a second staff member makes the correction.
        raise PermissionDenied(
            _("You cannot adjust your own points: ask another staff member."),
            code="own_points",
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
            code="invalid_adjustment",
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
            code="invalid_key",
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
            _("This deed key already paid another user."), code="key_belongs_to_another_user"
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
        raise Conflict(_("This deed was already recorded."), code="duplicate_deed") from exc
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
    """Tell the user their tier changed (runs after commit), through community/notify.py."""
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


# --- Board visibility -----------------------------------------------------------------------


def points_board_visibility_set(*, user: User, hidden: bool) -> PointsAccount:
    """Hide the user from (or show them on) every public board, past periods included."""
    with transaction.atomic():
        account = _account_locked(user)
        account.hide_from_boards = bool(hidden)
        account.save(update_fields=["hide_from_boards", "updated_at"])
        PointsPeriodTotal.objects.filter(user=user).update(hidden=account.hide_from_boards)
        return account


# --- Promotion ------------------------------------------------------------------------------


def reporter_promote(*, user: User, staff: User, reason: str) -> PromotionRecord:
    """Staff make a star reporter a network reporter (the configured role); who/when/why kept."""
    _check_promoter(staff)
    reason = _required_reason(reason)
    with transaction.atomic():
        account = _account_locked(user)
        if account.tier != Tier.STAR:
            raise Conflict(
                _("Only star reporters can be promoted to network reporter."), code="not_star"
            )
        if selectors.is_network_reporter(user=user):
            raise Conflict(_("This reporter is already a network reporter."), code="already")
        role = settings.POINTS_NETWORK_REPORTER_ROLE
        user_grant_role(user=user, role=role, granted_by=staff)
        return PromotionRecord.objects.create(
            user=user, action=PromotionAction.PROMOTE, role=role, by=staff, reason=reason
        )


def reporter_demote(*, user: User, staff: User, reason: str) -> PromotionRecord:
    """Staff take the network reporter role back; who/when/why kept."""
    _check_promoter(staff)
    reason = _required_reason(reason)
    with transaction.atomic():
        _account_locked(user)
        if not selectors.is_network_reporter(user=user):
            raise Conflict(_("This reporter is not a network reporter."), code="not_promoted")
        role = settings.POINTS_NETWORK_REPORTER_ROLE
        # accounts has no "revoke role" service yet; the group is the role (accounts/roles.py).
        user.groups.remove(Group.objects.get(name=role))
        return PromotionRecord.objects.create(
            user=user, action=PromotionAction.DEMOTE, role=role, by=staff, reason=reason
        )


def _check_promoter(staff: User) -> None:
    if not roles.has_role_permission(staff, "promote_reporter"):
        raise PermissionDenied(_("Only staff can promote or demote reporters."))


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say why: the record keeps it."),
            code="reason_required",
            fields={"reason": [_("A reason is required.")]},
        )
    return reason


# --- Viewer ratings -------------------------------------------------------------------------


def rating_submit(*, rater: User, reporter: User, stars: object) -> ViewerRating:
    """A viewer rates a reporter whose work they watched 1-5 for the current month; once per
    reporter per month."""
    if not rater.is_authenticated:
        raise PermissionDenied(_("Log in to rate reporters."))
    if rater.pk == reporter.pk:
        raise ValidationFailed(_("You cannot rate yourself."), code="rating_self")
    value = _whole_number(stars)
    if value is None or not 1 <= value <= 5:
        raise ValidationFailed(
            _("A rating is a whole number of stars from 1 to 5."),
            code="invalid_rating",
            fields={"stars": [_("Choose 1 to 5 stars.")]},
        )
    if not selectors.reporter_has_published(user=reporter):
        raise ValidationFailed(
            _("You can rate reporters once they have published work."), code="not_a_reporter"
        )
    if not selectors.has_watched(viewer=rater, reporter=reporter):
        raise ValidationFailed(
            _("Watch this reporter's work before you rate it."), code="not_watched"
        )
    month = timezone.localdate().replace(day=1)
    try:
        with transaction.atomic():
            return ViewerRating.objects.create(
                rater=rater, reporter=reporter, month=month, stars=value
            )
    except IntegrityError as exc:
        raise Conflict(
            _("You already rated this reporter this month."), code="rating_twice"
        ) from exc


def rating_month_bonus_pay(*, month: date) -> list[PointEvent]:
    """Pay the month's top-3 rated reporters (+100/+60/+30). Safe to run any number of times.

    Each place has its own deed key ("rating_top:<month>:<place>"), so a month pays each place
    at most once even if late ratings reorder the ranking between runs.
    """
    month = month.replace(day=1)
    paid: list[PointEvent] = []
    ranking = selectors.rating_month_ranking(month=month, limit=len(RATING_TOP_RULES))
    for place, (row, rule) in enumerate(zip(ranking, RATING_TOP_RULES, strict=False), start=1):
        reporter = User.objects.get(pk=row.reporter_id)
        event = points_award(
            user=reporter,
            rule=rule,
            obj=f"rating:{month:%Y-%m}",
            key=f"rating_top:{month:%Y-%m}:{place}",
        )
        if event is not None:
            paid.append(event)
    return paid


# --- Activity trail -------------------------------------------------------------------------


def _activity(
    *, user: object, kind: str, obj: models.Model | str | None, now: datetime
) -> Activity:
    if kind not in ActivityKind.values:
        raise ValidationFailed(
            _("Unknown activity “%(kind)s”.") % {"kind": kind}, code="unknown_activity"
        )
    if isinstance(user, int) and not isinstance(user, bool):
        user_id: int | None = user
    elif getattr(user, "is_authenticated", False):
        user_id = getattr(user, "pk", None)
    else:
        user_id = None
    if isinstance(obj, models.Model):
        ref = f"{obj._meta.model_name}:{obj.pk}"
    else:
        ref = str(obj or "")
    return Activity(
        user_id=user_id,
        kind=kind,
        obj_ref=ref[:64],
        day=timezone.localdate(now),
        created_at=now,
    )


def activity_record(
    *, user: User | AnonymousUser | int | None, kind: str, obj: models.Model | str | None = None
) -> Activity:
    """Add one line to the activity trail: one insert, no reads (safe on hot paths).

    `kind` is an `ActivityKind` ("upload", "live", "comment", "view", "login", "like"); `obj` is
    what it was about (a model instance or a plain reference). `user` may be a user id (callers
    that hold only the id need no read). Anonymous people are recorded without a user (views).
    """
    row = _activity(user=user, kind=kind, obj=obj, now=timezone.now())
    row.save(force_insert=True)
    return row


def activities_record(
    *, rows: Iterable[tuple[User | AnonymousUser | int | None, str, models.Model | str | None]]
) -> int:
    """Many activities in one INSERT (imports, backfills, benchmarks): (user, kind, obj) rows."""
    now = timezone.now()
    batch = [_activity(user=user, kind=kind, obj=obj, now=now) for user, kind, obj in rows]
    Activity.objects.bulk_create(batch, batch_size=1000)
    return len(batch)


# --- Deeds decided elsewhere (moderation, live) -----------------------------------------------
#
# Each function is called by the service that makes the decision, inside its transaction (and is
# one transaction itself when called alone), and keys every deed so a repeated delivery pays (or
# costs) once.

APPROVAL_RULES = (Rule.VIDEO_PUBLISHED, Rule.ORIGINAL_FOOTAGE)


def _in_state(video: Video, state: str) -> bool:
    """The clip's state in the database now (the caller's instance may predate the change)."""
    return Video.objects.filter(pk=video.pk, state=state).exists()


def _award_revision(
    *, user: User, rule: str, obj: models.Model, base_key: str, assignment_ref: str = ""
) -> PointEvent | None:
    """Pay a deed that may be undone and done again (an approval, then a removal, then an
    appeal granted): the first time under `base_key`, after each reversal under
    "<base_key>:again:<n>". While one of them stands unreversed, nothing more is paid."""
    paid = list(
        PointEvent.objects.filter(
            models.Q(key=base_key) | models.Q(key__startswith=f"{base_key}:again:"),
            reverses__isnull=True,
        ).values_list("key", "reversed_by__pk")
    )
    if any(reversal is None for _key, reversal in paid):
        return None
    key = base_key if not paid else f"{base_key}:again:{len(paid)}"
    return points_award(user=user, rule=rule, obj=obj, key=key, assignment_ref=assignment_ref)


@transaction.atomic
def points_original_footage(*, video: Video) -> PointEvent | None:
    """At approval: "original_footage" when the fingerprint check found no earlier match.

    A video the checks never looked at earns nothing (originality is not known). Re-approval
    after a removal and a granted appeal pays again (the removal reversed the first payment).
    """
    if not _in_state(video, VideoState.PUBLISHED):
        return None  # a late or stray delivery: only a published clip earns it
    checks = CheckResult.objects.filter(video_id=video.pk).values_list("similar", "original_id")
    found = checks.first()
    if found is None or found[0] or found[1] is not None:
        return None
    return _award_revision(
        user=video.owner,
        rule=Rule.ORIGINAL_FOOTAGE,
        obj=video,
        base_key=f"{Rule.ORIGINAL_FOOTAGE}:{video.pk}",
    )


@transaction.atomic
def points_approval_undo(*, video: Video, reason: str) -> list[PointEvent]:
    """An approval was undone (the video removed or unpublished): every standing approval
    payment for it ("video_published", "original_footage") gets a reversal event."""
    content_type = ContentType.objects.get_for_model(Video)
    standing = (
        PointEvent.objects.filter(
            content_type=content_type,
            object_id=str(video.pk),
            rule__in=[str(rule) for rule in APPROVAL_RULES],
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
        .order_by("pk")
        .values_list("key", flat=True)
    )
    return [points_reverse(event_key=key, reason=reason) for key in list(standing)]


@transaction.atomic
def points_content_removed(*, video: Video, reason: str) -> PointEvent | None:
    """Published content removed after review: its approval payments are reversed and the
    owner pays the "content_removed" penalty, once per removal."""
    if not _in_state(video, VideoState.REMOVED):
        return None
    points_approval_undo(video=video, reason=reason)
    return _award_revision(
        user=video.owner,
        rule=Rule.CONTENT_REMOVED,
        obj=video,
        base_key=f"{Rule.CONTENT_REMOVED}:{video.pk}",
    )


@transaction.atomic
def points_video_reinstated(*, video: Video, reason: str = "") -> list[PointEvent]:
    """An appeal was granted (rejected or removed -> published): a removal penalty is reversed,
    and the approval pays again like a first publication (original footage included)."""
    reason = reason.strip() or _("Appeal granted")
    events: list[PointEvent] = []
    if not _in_state(video, VideoState.PUBLISHED):
        return events
    penalty = PointEvent.objects.filter(
        models.Q(key=f"{Rule.CONTENT_REMOVED}:{video.pk}")
        | models.Q(key__startswith=f"{Rule.CONTENT_REMOVED}:{video.pk}:again:"),
        reverses__isnull=True,
        reversed_by__isnull=True,
    ).first()
    if penalty is not None:
        events.append(points_reverse(event_key=penalty.key, reason=reason))
    published = _award_revision(
        user=video.owner,
        rule=Rule.VIDEO_PUBLISHED,
        obj=video,
        base_key=f"{Rule.VIDEO_PUBLISHED}:{video.pk}",
        assignment_ref=video.assignment_ref,
    )
    original = points_original_footage(video=video)
    events.extend(event for event in (published, original) if event is not None)
    return events


def points_report_upheld(*, offender: User, case_id: int) -> PointEvent | None:
    """Editors upheld viewer reports against a person: "abuse_report_upheld", once per case."""
    return points_award(
        user=offender,
        rule=Rule.ABUSE_REPORT_UPHELD,
        obj=f"case:{case_id}",
        key=f"{Rule.ABUSE_REPORT_UPHELD}:case:{case_id}",
    )


def points_live_approved(*, source: LiveSource) -> PointEvent | None:
    """An editor approved a live source: "live_approved", once per source."""
    return points_award(
        user=source.reporter,
        rule=Rule.LIVE_APPROVED,
        obj=source,
        key=f"{Rule.LIVE_APPROVED}:{source.pk}",
        assignment_ref=source.assignment_ref,
    )
