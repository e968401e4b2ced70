"""Writes for live ingest: stream keys, and the one state machine every live source goes through.

The media code (WHIP/aiortc today, RTMP/SRT later) never touches the ORM: it calls these services
through `ingest.media.reporting`, off the event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.notifications import notify
from fieldcast.accounts import roles
from fieldcast.accounts.guards import require_permission
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from fieldcast.points import services as points_services
from fieldcast.videos.models import Video
from fieldcast.videos.services import video_create_from_file
from ingest import events
from ingest.models import (
    FINISHED_STATES,
    SOURCE_TRANSITIONS,
    LiveSource,
    Protocol,
    SourceState,
    StreamKey,
)

logger = logging.getLogger(__name__)

KEY_PREFIX = "fck_"
KEY_PREFIX_LENGTH = 10
MAX_KEYS_PER_USER = 20
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_stream_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(24)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(
            _("Give the key a name, for example the phone it is for."),
            fields={"name": [_("This field is required.")]},
        )
    if len(name) > 80:
        raise ValidationFailed(
            _("The name is too long (80 characters at most)."),
            fields={"name": [_("80 characters at most.")]},
        )
    return name


def _clean_assignment(assignment_ref: str) -> str:
    assignment_ref = (assignment_ref or "").strip()
    if len(assignment_ref) > 64:
        raise ValidationFailed(
            _("The assignment reference is too long (64 characters at most)."),
            fields={"assignment_ref": [_("64 characters at most.")]},
        )
    return assignment_ref


def _ensure_can_go_live(user: User) -> None:
    require_permission(
        user, "go_live", message=_("Only reporters can stream live. Verify your email first.")
    )


@transaction.atomic
def stream_key_create(*, user: User, name: str, assignment_ref: str = "") -> tuple[StreamKey, str]:
    """Issue a named stream key. Returns the key row and the secret, which is shown only once."""
    _ensure_can_go_live(user)
    name = _clean_name(name)
    assignment_ref = _clean_assignment(assignment_ref)
    active = StreamKey.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_KEYS_PER_USER:
        raise Conflict(
            _("You already have %(count)d stream keys. Revoke one you no longer use first.")
            % {"count": active},
            code=ErrorCode.TOO_MANY_KEYS,
        )
    secret = _new_secret()
    key = StreamKey.objects.create(
        user=user,
        name=name,
        assignment_ref=assignment_ref,
        key_hash=hash_stream_key(secret),
        prefix=secret[:KEY_PREFIX_LENGTH],
    )
    return key, secret


def _locked_own_key(*, user: User, key_id: int) -> StreamKey:
    key = StreamKey.objects.select_for_update().filter(pk=key_id, user=user).first()
    if key is None:
        raise NotFound(_("We could not find that stream key."), code=ErrorCode.STREAM_KEY_NOT_FOUND)
    return key


@transaction.atomic
def stream_key_update(
    *, user: User, key_id: int, name: str | None = None, assignment_ref: str | None = None
) -> StreamKey:
    """Rename a key or change the assignment it covers."""
    key = _locked_own_key(user=user, key_id=key_id)
    fields = []
    if name is not None:
        key.name = _clean_name(name)
        fields.append("name")
    if assignment_ref is not None:
        key.assignment_ref = _clean_assignment(assignment_ref)
        fields.append("assignment_ref")
    if fields:
        key.save(update_fields=fields)
    return key


@transaction.atomic
def stream_key_rotate(*, user: User, key_id: int) -> tuple[StreamKey, str]:
    """Replace a key's secret; the old secret stops working at once. Returns the new secret."""
    key = _locked_own_key(user=user, key_id=key_id)
    if key.revoked_at is not None:
        raise Conflict(
            _("This stream key was revoked; create a new one."), code=ErrorCode.KEY_REVOKED
        )
    secret = _new_secret()
    key.key_hash = hash_stream_key(secret)
    key.prefix = secret[:KEY_PREFIX_LENGTH]
    key.rotated_at = timezone.now()
    key.save(update_fields=["key_hash", "prefix", "rotated_at"])
    return key, secret


@transaction.atomic
def stream_key_revoke(*, user: User, key_id: int) -> StreamKey:
    """Revoke a key for good: new publishes with it are refused (a live source keeps running)."""
    key = _locked_own_key(user=user, key_id=key_id)
    if key.revoked_at is not None:
        raise Conflict(_("This stream key is already revoked."), code=ErrorCode.KEY_REVOKED)
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    return key


@transaction.atomic
def stream_key_for_go_live_page(*, user: User, assignment_ref: str = "") -> tuple[StreamKey, str]:
    """The go-live page's key, with a fresh secret for this page (a phone needs no copy-paste).

    A reporter has one browser key: each opening of the page rotates its secret (the secret is
    only known hashed, so it cannot be handed out again), which stops an older tab's secret at
    once; the page reconnects with the secret it holds, which keeps "same key = same source" for
    its session. Opening the page never adds a key: browser keys left over from a race or an
    older version are revoked here.
    """
    _ensure_can_go_live(user)
    assignment_ref = _clean_assignment(assignment_ref)
    # Lock the reporter's row: two tabs opening at once must not both create a browser key.
    User.objects.select_for_update().filter(pk=user.pk).first()
    secret = _new_secret()
    browser_keys = list(
        StreamKey.objects.select_for_update()
        .filter(user=user, for_browser=True, revoked_at__isnull=True)
        .order_by("created_at", "pk")
    )
    if not browser_keys:
        key = StreamKey.objects.create(
            user=user,
            name=_("Go-live page"),
            for_browser=True,
            assignment_ref=assignment_ref,
            key_hash=hash_stream_key(secret),
            prefix=secret[:KEY_PREFIX_LENGTH],
        )
        return key, secret
    key, extra = browser_keys[0], browser_keys[1:]
    if extra:
        StreamKey.objects.filter(pk__in=[other.pk for other in extra]).update(
            revoked_at=timezone.now()
        )
    key.key_hash = hash_stream_key(secret)
    key.prefix = secret[:KEY_PREFIX_LENGTH]
    key.rotated_at = timezone.now()
    key.assignment_ref = assignment_ref
    key.save(update_fields=["key_hash", "prefix", "rotated_at", "assignment_ref"])
    return key, secret


def stream_key_touch(*, key: StreamKey) -> None:
    """Record use, at most once a minute so authenticating a publish stays a read."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > _LAST_USED_RESOLUTION:
        StreamKey.objects.filter(pk=key.pk).update(last_used_at=now)


# --- Live sources: one state machine for every protocol ---------------------------------------


class InvalidSourceTransition(Conflict):
    default_code = ErrorCode.INVALID_STATE


class PublishGrant:
    """What a publish was granted: the source to feed and the session it replaced, if any."""

    def __init__(self, *, source: LiveSource, replaced_session: str, resumed: bool) -> None:
        self.source = source
        self.source_id: int = source.pk
        self.source_key = str(source.key)
        self.replaced_session = replaced_session
        self.resumed = resumed


def _grace() -> timedelta:
    return timedelta(seconds=settings.LIVE_RECONNECT_GRACE_SECONDS)


def _locked_source(*, source_id: int) -> LiveSource:
    source = LiveSource.objects.select_for_update().filter(pk=source_id).first()
    if source is None:
        raise NotFound(_("We could not find that live source."), code=ErrorCode.SOURCE_NOT_FOUND)
    return source


def _transition(source: LiveSource, target: str, *, reason: str = "") -> None:
    if target not in SOURCE_TRANSITIONS[source.state]:
        raise InvalidSourceTransition(
            _("This source is %(state)s and cannot become %(target)s.")
            % {
                "state": SourceState(source.state).label,
                "target": SourceState(target).label,
            }
        )
    source.state = target
    source.state_reason = reason
    if target in FINISHED_STATES:
        source.ended_at = timezone.now()
        source.connected = False


def _publish_on_commit(source: LiveSource) -> None:
    source_id = source.pk

    def send() -> None:
        fresh = LiveSource.objects.select_related("reporter").get(pk=source_id)
        events.publish_state(fresh)

    transaction.on_commit(send)


@transaction.atomic
def source_publish_start(
    *, secret: str, protocol: str, session_id: str, title: str = ""
) -> PublishGrant:
    """A publisher presents a stream key: continue its source or start a new one.

    * Unknown or rotated key: NotAuthenticated (401). Revoked key, or a reporter who lost the
      right to go live: PermissionDenied (403).
    * The key's source is still running (connected, or dropped less than the grace period ago):
      the publish continues it; a still-connected earlier session is replaced (the newest publish
      wins: a phone that reconnects usually does so before the server noticed the drop).
    * An editor rejected or stopped the key's last source within the grace period: refused, so
      an automatic reconnect cannot bring back what an editor took off.

    `title` names a new source (the key's name when blank); a continued source keeps its own.
    """
    if protocol not in Protocol.values:
        raise ValidationFailed(_("Unknown protocol."), code=ErrorCode.UNKNOWN_PROTOCOL)
    key = (
        StreamKey.objects.select_for_update()
        .select_related("user")
        .filter(key_hash=hash_stream_key(secret or ""))
        .first()
    )
    if key is None:
        raise NotAuthenticated(
            _("This stream key is not valid. Check it on your profile page."),
            code=ErrorCode.INVALID_STREAM_KEY,
        )
    if key.revoked_at is not None:
        raise PermissionDenied(
            _("This stream key was revoked. Create a new one on your profile page."),
            code=ErrorCode.STREAM_KEY_REVOKED,
        )
    if not key.user.is_active or not roles.has_role_permission(key.user, "go_live"):
        raise PermissionDenied(
            _("This account may not stream live."), code=ErrorCode.CANNOT_GO_LIVE
        )
    stream_key_touch(key=key)
    now = timezone.now()
    latest = LiveSource.objects.select_for_update().filter(stream_key=key).first()
    replaced = ""
    resumed = False
    source: LiveSource | None = None
    if latest is not None and not latest.is_finished:
        within_grace = latest.connected or (
            latest.disconnected_at is not None and now - latest.disconnected_at <= _grace()
        )
        if within_grace:
            source = latest
            resumed = True
            replaced = latest.session_id if latest.connected else ""
        else:
            _transition(latest, SourceState.ENDED, reason=_("The connection did not come back."))
            latest.save(update_fields=["state", "state_reason", "ended_at", "connected"])
            _publish_on_commit(latest)
    elif (
        latest is not None
        and latest.state in (SourceState.REJECTED, SourceState.KILLED)
        and latest.ended_at is not None
        and now - latest.ended_at <= _grace()
    ):
        raise PermissionDenied(
            _("An editor stopped your last live stream. Wait a moment before going live again."),
            code=ErrorCode.SOURCE_STOPPED_BY_EDITOR,
        )
    if source is None:
        source = LiveSource.objects.create(
            stream_key=key,
            reporter=key.user,
            title=(title.strip() or key.name)[:200],
            assignment_ref=key.assignment_ref,
            protocol=protocol,
        )
    source.protocol = protocol
    source.session_id = session_id
    source.connected = True
    source.disconnected_at = None
    source.connection_count += 1
    source.save(
        update_fields=["protocol", "session_id", "connected", "disconnected_at", "connection_count"]
    )
    _publish_on_commit(source)
    return PublishGrant(source=source, replaced_session=replaced, resumed=resumed)


@transaction.atomic
def source_mark_live(*, source_id: int, session_id: str) -> LiveSource:
    """The first frame arrived: connecting -> live (a resumed source keeps its state)."""
    source = _locked_source(source_id=source_id)
    if source.session_id != session_id or source.is_finished:
        return source  # a late report from a replaced session
    if source.state == SourceState.CONNECTING:
        _transition(source, SourceState.LIVE)
        source.live_at = timezone.now()
        source.save(update_fields=["state", "state_reason", "live_at"])
        points_services.activity_record(user=source.reporter_id, kind="live", obj=source)
        _publish_on_commit(source)
    return source


@transaction.atomic
def source_disconnected(*, source_id: int, session_id: str) -> LiveSource:
    """The publisher's connection dropped: the source waits the grace period for a reconnect."""
    source = _locked_source(source_id=source_id)
    if source.session_id != session_id or source.is_finished or not source.connected:
        return source
    source.connected = False
    source.disconnected_at = timezone.now()
    source.save(update_fields=["connected", "disconnected_at"])
    _publish_on_commit(source)
    return source


@transaction.atomic
def source_end_if_abandoned(*, source_id: int) -> LiveSource:
    """End a source whose publisher has not come back within the grace period."""
    source = _locked_source(source_id=source_id)
    if source.is_finished or source.connected or source.disconnected_at is None:
        return source
    if timezone.now() - source.disconnected_at < _grace():
        return source
    _transition(source, SourceState.ENDED, reason=_("The connection did not come back."))
    source.save(update_fields=["state", "state_reason", "ended_at", "connected"])
    _publish_on_commit(source)
    return source


@transaction.atomic
def source_end(*, source_id: int, session_id: str | None = None, reason: str = "") -> LiveSource:
    """The publisher ended the stream (WHIP DELETE, RTMP/SRT close): -> ended.

    With `session_id`, only that session may end the source (a replaced session cannot)."""
    source = _locked_source(source_id=source_id)
    if session_id is not None and source.session_id != session_id:
        raise NotFound(_("This live session is over."), code=ErrorCode.SESSION_NOT_FOUND)
    if source.is_finished:
        return source
    _transition(source, SourceState.ENDED, reason=reason)
    source.save(update_fields=["state", "state_reason", "ended_at", "connected"])
    _publish_on_commit(source)
    return source


@transaction.atomic
def source_end_by_session(*, session_id: str, secret: str) -> LiveSource:
    """WHIP DELETE that reached a node not holding the session: end its source in the database.

    The node holding the session sees the source ended at its next state check (every second)
    and hangs up, finishing the recording; browsers hear the new state through the events.
    Same answers as the node holding it: 401 unknown key, 404 unknown or replaced session,
    403 another reporter's session.
    """
    key = (
        StreamKey.objects.select_related("user")
        .filter(key_hash=hash_stream_key(secret or ""))
        .first()
    )
    if key is None:
        raise NotAuthenticated(
            _("This stream key is not valid."), code=ErrorCode.INVALID_STREAM_KEY
        )
    source = (
        LiveSource.objects.select_for_update()
        .filter(session_id=session_id)
        .exclude(session_id="")
        .exclude(state__in=FINISHED_STATES)
        .first()
    )
    if source is None:
        raise NotFound(
            _("This live session is over or does not exist."), code=ErrorCode.SESSION_NOT_FOUND
        )
    if source.reporter_id != key.user_id:
        raise PermissionDenied(
            _("This live session is not yours."), code=ErrorCode.NOT_YOUR_SESSION
        )
    _transition(source, SourceState.ENDED)
    source.save(update_fields=["state", "state_reason", "ended_at", "connected"])
    _publish_on_commit(source)
    return source


EDITOR_ACTIONS: dict[str, str] = {
    "approve": SourceState.APPROVED,
    "unapprove": SourceState.LIVE,
    "reject": SourceState.REJECTED,
    "kill": SourceState.KILLED,
}


@transaction.atomic
def source_decide(*, source_key: str, editor: User, action: str, reason: str = "") -> LiveSource:
    """An editor approves, un-approves, rejects or stops (kills) a live source."""
    require_permission(
        editor, "moderate_content", message=_("Only editors can approve or stop live sources.")
    )
    target = EDITOR_ACTIONS.get(action)
    if target is None:
        raise ValidationFailed(_("Unknown action."), code=ErrorCode.UNKNOWN_ACTION)
    source = LiveSource.objects.select_for_update().filter(key=source_key).first()
    if source is None:
        raise NotFound(_("We could not find that live source."), code=ErrorCode.SOURCE_NOT_FOUND)
    if action == "unapprove" and source.state != SourceState.APPROVED:
        raise InvalidSourceTransition(_("Only an approved source can be un-approved."))
    _transition(source, target, reason=reason.strip()[:500])
    source.decided_by = editor
    source.save(update_fields=["state", "state_reason", "ended_at", "connected", "decided_by"])
    if action == "approve":
        points_services.points_live_approved(source=source)
    _publish_on_commit(source)
    return source


@transaction.atomic
def source_set_on_air(*, source_key: str, operator: User, on_air: bool) -> LiveSource:
    """approved -> on_air, and on_air -> live when cut away (the studio switcher calls this)."""
    require_permission(
        operator, "operate_studio", message=_("Only studio operators can put a source on air.")
    )
    source = LiveSource.objects.select_for_update().filter(key=source_key).first()
    if source is None:
        raise NotFound(_("We could not find that live source."), code=ErrorCode.SOURCE_NOT_FOUND)
    if on_air and source.state != SourceState.APPROVED:
        raise InvalidSourceTransition(_("Only an approved source can go on air."))
    if not on_air and source.state != SourceState.ON_AIR:
        raise InvalidSourceTransition(_("This source is not on air."))
    _transition(source, SourceState.ON_AIR if on_air else SourceState.LIVE)
    source.save(update_fields=["state", "state_reason"])
    _publish_on_commit(source)
    if on_air:
        notify.notify_followed_on_air(source=source)  # followers hear it (once per source)
    return source


def source_store_stats(*, source_id: int, stats: dict[str, Any]) -> None:
    """Keep the latest stats on the row (for pages that load before the first push); the write
    is also the source's heartbeat."""
    LiveSource.objects.filter(pk=source_id).update(stats=stats, heartbeat_at=timezone.now())


STALE_AFTER = timedelta(seconds=60)


def sources_end_stale() -> int:
    """End running sources whose ingest stopped beating (a process that crashed or restarted):
    nothing will ever end them otherwise. Returns how many were ended."""
    now = timezone.now()
    limit = now - max(STALE_AFTER, _grace() + timedelta(seconds=15))
    candidates = (
        LiveSource.objects.exclude(state__in=FINISHED_STATES)
        .filter(created_at__lt=limit)
        .exclude(heartbeat_at__gte=limit)
        .values_list("pk", flat=True)
    )
    ended = 0
    for source_id in list(candidates):
        with transaction.atomic():
            source = _locked_source(source_id=source_id)
            beat = source.heartbeat_at or source.created_at
            if source.is_finished or beat >= limit:
                continue
            _transition(source, SourceState.ENDED, reason=_("The live ingest lost this stream."))
            source.save(update_fields=["state", "state_reason", "ended_at", "connected"])
            _publish_on_commit(source)
            ended += 1
    return ended


# --- Recording: every source becomes a Video when it ends --------------------------------------


def _recording_title(source: LiveSource) -> str:
    started = timezone.localtime(source.live_at or source.created_at)
    return _("%(title)s (live, %(date)s)") % {
        "title": source.title,
        "date": started.strftime("%Y-%m-%d %H:%M"),
    }


def source_recording_finish(*, source_id: int, path: str | None) -> Video | None:
    """The recording of a finished source is complete: store it and make it a Video.

    The file is copied to the default storage first (outside any transaction: it can take a
    while), then `video_create_from_file` makes the Video (`uploaded`, transcode enqueued after
    commit); the transcode moves it to `pending_review`. Safe to call twice: a source gets at
    most one Video.
    """
    source = LiveSource.objects.select_related("reporter").filter(pk=source_id).first()
    if source is None or source.video_id is not None:
        return None
    if not path or not os.path.exists(path) or os.path.getsize(path) == 0:
        logger.warning("live source %s ended without a recording", source_id)
        return None
    storage_key = f"live/recordings/{source.key}.mp4"
    with open(path, "rb") as handle:
        storage_key = default_storage.save(storage_key, File(handle))
    size = os.path.getsize(path)
    with transaction.atomic():
        source = LiveSource.objects.select_for_update().get(pk=source_id)
        if source.video_id is not None:
            default_storage.delete(storage_key)
            return None
        video = video_create_from_file(
            owner=source.reporter,
            title=_recording_title(source),
            assignment_ref=source.assignment_ref,
            source_name=os.path.basename(storage_key),
            source_key=storage_key,
            source_size=size,
        )
        source.video = video
        source.recording_path = storage_key
        source.save(update_fields=["video", "recording_path"])
    with contextlib.suppress(OSError):
        os.remove(path)
    return video
