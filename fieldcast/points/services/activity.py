"""The activity trail a person sees on their points page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ValidationFailed
from fieldcast.points.models import Activity, ActivityKind


def _activity(
    *, user: object, kind: str, obj: models.Model | str | None, now: datetime
) -> Activity:
    if kind not in ActivityKind.values:
        raise ValidationFailed(
            _("Unknown activity “%(kind)s”.") % {"kind": kind}, code=ErrorCode.UNKNOWN_ACTIVITY
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
