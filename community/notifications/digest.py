"""Email digests of notifications (opt-in: off, daily or weekly), and the choices behind them.

One email per person and period with their unread notifications since the last digest, in their
language, plain text and HTML, with an unsubscribe link. A `DigestRun` row per (person, period)
is taken in the database before the email goes out, so a retried or doubled task never sends the
same digest twice (at most once: if the mail server fails, the run records the error and the
notifications stay unread in the app).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.models import (
    DigestFrequency,
    DigestRun,
    Notification,
    NotificationChannel,
    NotificationMute,
    NotificationSettings,
)
from community.notifications import notify, services
from fieldcast.accounts.guards import require_user
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import NotFound, ValidationFailed

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "community.digest.unsubscribe"
DIGEST_MAX_ITEMS = 50  # the email lists at most this many; the count covers them all


def settings_for(*, user: User) -> NotificationSettings:
    """The person's digest settings (defaults, unsaved, when they never chose)."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found if found is not None else NotificationSettings(user=user)


@transaction.atomic
def notification_digest_set(
    *, user: User | AnonymousUser, digest: str, language: str = ""
) -> NotificationSettings:
    """Choose the email digest (off / daily / weekly) and the language it is written in."""
    person = require_user(user)
    if digest not in DigestFrequency.values:
        message = _("Choose no email, daily or weekly.")
        raise ValidationFailed(message, fields={"digest": [message]})
    codes = {code for code, _label in settings.LANGUAGES}
    if language and language not in codes:
        message = _("Choose one of the listed languages.")
        raise ValidationFailed(message, fields={"language": [message]})
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(user=person)
    if row.digest == DigestFrequency.OFF and digest != DigestFrequency.OFF:
        # Opting in starts from now: the first digest does not dig up the whole history.
        row.last_digest_at = timezone.now()
    row.digest = digest
    row.language = language
    row.save()
    return row


@transaction.atomic
def notification_settings_save(
    *,
    user: User | AnonymousUser,
    in_app: dict[str, bool],
    email: dict[str, bool] | None = None,
    digest: str | None = None,
    language: str = "",
) -> None:
    """The preferences form in one go: kinds in the app, kinds by email, the digest. All or
    nothing: a refused digest choice leaves the switches as they were."""
    services.notification_preferences_set(user=user, enabled=in_app)
    if email is not None:
        services.notification_preferences_set(
            user=user, enabled=email, channel=NotificationChannel.EMAIL
        )
    if digest is not None:
        notification_digest_set(user=user, digest=digest, language=language)


# --- Unsubscribe ------------------------------------------------------------------------------


def unsubscribe_token(*, user_id: int) -> str:
    return signing.dumps({"u": user_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user_id: int) -> str:
    path = reverse("community:digest-unsubscribe", args=[unsubscribe_token(user_id=user_id)])
    return settings.SITE_URL.rstrip("/") + path


def user_for_unsubscribe_token(*, token: str) -> User:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.filter(pk=int(data["u"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        user = None
    if user is None:
        raise NotFound(_("This unsubscribe link is not valid."), code=ErrorCode.BAD_TOKEN)
    return user


@transaction.atomic
def digest_unsubscribe(*, token: str) -> User:
    """The link in every digest: turns the digest off (no login needed, the token is signed)."""
    user = user_for_unsubscribe_token(token=token)
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    if row.digest != DigestFrequency.OFF:
        row.digest = DigestFrequency.OFF
        row.save(update_fields=["digest", "updated_at"])
    return user


# --- Sending ----------------------------------------------------------------------------------


def digest_period(*, frequency: str, now: datetime) -> str:
    """The period a digest sent at `now` belongs to: one digest per period and person."""
    local = timezone.localtime(now)
    if frequency == DigestFrequency.WEEKLY:
        year, week, _weekday = local.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"daily:{local.date().isoformat()}"


def digests_due(*, now: datetime | None = None) -> list[tuple[int, str]]:
    """(user id, period) for everyone opted in whose digest of this period was not taken yet.

    Nothing is due before NOTIFICATION_DIGEST_HOUR (local time), so a digest arrives in the
    morning rather than just after midnight.
    """
    now = now or timezone.now()
    if timezone.localtime(now).hour < settings.NOTIFICATION_DIGEST_HOUR:
        return []
    due = []
    rows = NotificationSettings.objects.filter(user__is_active=True).exclude(
        digest=DigestFrequency.OFF
    )
    for row in rows.only("user_id", "digest").order_by("user_id"):
        due.append((row.user_id, digest_period(frequency=row.digest, now=now)))
    taken = set(
        DigestRun.objects.filter(
            user_id__in=[user_id for user_id, _period in due],
            period__in={period for _user_id, period in due},
        ).values_list("user_id", "period")
    )
    return [item for item in due if item not in taken]


@dataclass(frozen=True)
class DigestEmail:
    subject: str
    text: str
    html: str


def _email_for(*, user: User, items: list[Notification], total: int) -> DigestEmail:
    lines = [
        {
            "text": notify.notification_text(item),
            "url": settings.SITE_URL.rstrip("/") + notify.notification_url(item),
            "created_at": item.created_at,
        }
        for item in items
    ]
    context = {
        "user": user,
        "lines": lines,
        "total": total,
        "more": max(0, total - len(lines)),
        "site_url": settings.SITE_URL.rstrip("/"),
        "notifications_url": settings.SITE_URL.rstrip("/") + reverse("community:notifications"),
        "unsubscribe_url": unsubscribe_url(user_id=user.pk),
    }
    subject = ngettext(
        "%(count)d new notification on Fieldcast",
        "%(count)d new notifications on Fieldcast",
        total,
    ) % {"count": total}
    return DigestEmail(
        subject=subject,
        text=render_to_string("community/notification_digest_email.txt", context),
        html=render_to_string("community/notification_digest_email.html", context),
    )


def digest_send(*, user_id: int, period: str, now: datetime | None = None) -> DigestRun | None:
    """Send one person's digest for one period, at most once. None when there is nothing to do
    (digest off, or this period's digest already taken by an earlier or concurrent run)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            NotificationSettings.objects.select_for_update()
            .select_related("user")
            .filter(user_id=user_id)
            .first()
        )
        if row is None or row.digest == DigestFrequency.OFF or not row.user.is_active:
            return None
        try:
            with transaction.atomic():
                run = DigestRun.objects.create(user_id=user_id, period=period, cutoff=now)
        except IntegrityError:
            return None  # this period's digest was taken already: never twice
        email_off = NotificationMute.objects.filter(
            user_id=user_id, channel=NotificationChannel.EMAIL
        ).values_list("kind", flat=True)
        pending = (
            Notification.objects.filter(
                recipient_id=user_id, read_at__isnull=True, created_at__lte=now
            )
            .exclude(kind__in=list(email_off))
            .select_related("actor", "video", "story", "assignment")
            .order_by("-created_at", "-id")
        )
        if row.last_digest_at is not None:
            pending = pending.filter(created_at__gt=row.last_digest_at)
        total = pending.count()
        items = list(pending[:DIGEST_MAX_ITEMS])
        row.last_digest_at = now
        row.save(update_fields=["last_digest_at", "updated_at"])
        run.notification_count = total
        run.save(update_fields=["notification_count"])
        user = row.user
        language = row.language or settings.LANGUAGE_CODE
    if total == 0:
        return run  # nothing new: no email
    with translation.override(language):
        email = _email_for(user=user, items=items, total=total)
    unsubscribe = unsubscribe_url(user_id=user.pk)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except Exception as error:  # the mail server refused: record it, do not retry (at most once)
        logger.warning("digest not sent", extra={"user_id": user_id, "period": period})
        DigestRun.objects.filter(pk=run.pk).update(error=str(error)[:1000])
        run.error = str(error)[:1000]
        return run
    DigestRun.objects.filter(pk=run.pk).update(sent_at=timezone.now())
    run.refresh_from_db()
    return run


def digests_send_due(*, now: datetime | None = None) -> int:
    """Send every digest that is due (the periodic task). Returns how many emails went out."""
    sent = 0
    for user_id, period in digests_due(now=now):
        run = digest_send(user_id=user_id, period=period, now=now)
        if run is not None and run.sent_at is not None:
            sent += 1
    return sent
