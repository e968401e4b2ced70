"""Stream keys after a password change, and rotating them all at once (docs/security.md).

Accounts announces `PasswordReplaced` after commit (it may not import ingest, a higher layer);
`IngestConfig.ready()` subscribes `stream_keys_after_password_replaced` here.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.accounts.events import PasswordReplaced
from fieldcast.accounts.models import SecurityEventKind, User
from fieldcast.accounts.services import security_event_record
from ingest import services
from ingest.models import FINISHED_STATES, LiveSource, StreamKey


@transaction.atomic
def stream_keys_after_password_replaced(event: PasswordReplaced) -> list[int]:
    """Revoke the person's browser go-live keys; after a reset also end their live sessions.

    A browser key's secret lives in a page that the old password opened, so it goes in both
    cases. A voluntary change leaves a running stream alone (the reporter may be live right now);
    a reset means someone else may know the password, so sources fed by the revoked keys end
    (the ingest node hangs up at its next state check). Returns the ids of the ended sources.
    """
    now = timezone.now()
    keys = list(
        StreamKey.objects.select_for_update()
        .filter(user_id=event.user_id, for_browser=True, revoked_at__isnull=True)
        .values_list("pk", flat=True)
    )
    StreamKey.objects.filter(pk__in=keys).update(revoked_at=now)
    if not event.suspected_compromise:
        return []
    running = list(
        LiveSource.objects.filter(stream_key_id__in=keys)
        .exclude(state__in=FINISHED_STATES)
        .values_list("pk", flat=True)
    )
    for source_id in running:
        services.source_end(
            source_id=source_id, reason=_("The account's password was reset: the stream ended.")
        )
    return running


@transaction.atomic
def stream_keys_rotate_all(*, user: User) -> list[tuple[StreamKey, str]]:
    """New secrets for every active named key in one step; the old ones stop working at once.

    Returns (key, secret) pairs: the secrets are shown once. Browser keys are not listed: the
    go-live page asks for a fresh one itself.
    """
    ids = list(
        StreamKey.objects.filter(user=user, for_browser=False, revoked_at__isnull=True)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    rotated = [services.stream_key_rotate(user=user, key_id=key_id) for key_id in ids]
    security_event_record(
        kind=SecurityEventKind.STREAM_KEYS_ROTATED,
        user=user,
        detail={"stream_keys": len(rotated)},
    )
    return rotated
