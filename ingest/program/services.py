"""Writes for the studio: the switcher of a program (channel) and the engine's reports.

Every change runs in one transaction on the locked program row, writes one `ProgramLogEntry`,
bumps `seq`, and after commit publishes (through `fieldcast.core.events.publish`):

* the engine command ``{"type": "program.command", "program": program_engine_state(...)}`` to the
  group ``program-engine``;
* the studio state to ``studio-<slug>`` (editors' pages) and the public on-air info to
  ``live-<slug>`` (viewers);
* a ``source.tally`` event to the go-live page of every source whose tally changed.

Rules: only the editor holding the switcher switches; only `approved`/`on_air` sources go to
program (approve-before-air); `kill` is open to every editor in the studio (pulling a source off
air must never wait for the switcher). A source on program is `on_air`; cut away it is
`approved` again (it keeps the approval an editor gave it, so cutting back needs no new approval).
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.core import domain_events
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fieldcast.core.events import publish
from fieldcast.points.rules import Rule
from fieldcast.points.services import points_award
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.services import video_create_from_file
from ingest import events as ingest_events
from ingest.models import (
    SOURCE_TRANSITIONS,
    LiveSource,
    Program,
    ProgramAction,
    ProgramLogEntry,
    ProgramMode,
    SourceState,
)
from ingest.program import selectors
from ingest.program.domain_events import ProgramCreated
from ingest.services import source_decide, source_set_on_air

logger = logging.getLogger(__name__)

ENGINE_GROUP = "program-engine"
FADE_MIN_MS = 100
FADE_MAX_MS = 5000
FADE_DEFAULT_MS = 1000
# /live/<slug>/ shares its prefix with the ingest's own pages.
RESERVED_SLUGS = frozenset({"go", "sources", "whip", "whep", "srt", "keys", "recordings"})


def studio_group(slug: str) -> str:
    return f"studio-{slug}"


def live_group(slug: str) -> str:
    return f"live-{slug}"


class NotSwitcherHolder(PermissionDenied):
    default_code = "not_switcher_holder"


class SourceNotCuttable(Conflict):
    default_code = "source_not_approved"


# --- Helpers -----------------------------------------------------------------------------------


def studio_only_message() -> str:
    return _("Only editors can use the studio.")


def _ensure_studio_operator(user: User) -> None:
    if not selectors.can_operate_studio(user):
        raise PermissionDenied(studio_only_message(), code="not_an_editor")


def _locked_program(slug: str) -> Program:
    program = Program.objects.select_for_update().filter(slug=slug).first()
    if program is None:
        raise NotFound(_("There is no channel called “%(slug)s”.") % {"slug": slug})
    return program


def _ensure_holder(program: Program, editor: User) -> None:
    _ensure_studio_operator(editor)
    if program.switcher_holder_id == editor.pk:
        return
    if program.switcher_holder_id is None:
        raise NotSwitcherHolder(_("Take the switcher first: nobody holds it."))
    holder = User.objects.filter(pk=program.switcher_holder_id).first()
    raise NotSwitcherHolder(
        _("%(name)s holds the switcher. Ask them to hand it over, or take it.")
        % {"name": holder.public_name if holder else _("Another editor")}
    )


def _ensure_running(program: Program) -> None:
    if not program.running:
        raise Conflict(_("Start the program first."), code="program_stopped")


def _locked_source(source_key: str) -> LiveSource:
    source = (
        LiveSource.objects.select_for_update()
        .select_related("reporter")
        .filter(key=source_key)
        .first()
    )
    if source is None:
        raise NotFound(_("We could not find that live source."), code="source_not_found")
    return source


def _ensure_cuttable(source: LiveSource) -> None:
    if source.state in selectors.CUTTABLE_STATES:
        return
    if source.is_finished:
        message = _("“%(title)s” has ended and cannot go on air.") % {"title": source.title}
    else:
        message = _(
            "“%(title)s” is not approved yet (%(state)s): approve it before it goes on air."
        ) % {"title": source.title, "state": SourceState(source.state).label}
    raise SourceNotCuttable(message)


def _log(
    program: Program,
    action: str,
    *,
    actor: User | None,
    source: LiveSource | None = None,
    video: Video | None = None,
    detail: str = "",
) -> None:
    ProgramLogEntry.objects.create(
        program=program, action=action, actor=actor, source=source, video=video, detail=detail
    )


def _on_program(program: Program) -> LiveSource | None:
    if program.mode != ProgramMode.SOURCE or program.program_source_id is None:
        return None
    return program.program_source


def _source_on_other_program(source: LiveSource, program: Program) -> bool:
    return (
        Program.objects.filter(running=True, mode=ProgramMode.SOURCE, program_source_id=source.pk)
        .exclude(pk=program.pk)
        .exists()
    )


def _take_off_air(program: Program, source: LiveSource | None) -> None:
    """on_air -> approved for the source leaving program (unless another program airs it)."""
    if source is None:
        return
    locked = LiveSource.objects.select_for_update().filter(pk=source.pk).first()
    if locked is None or locked.state != SourceState.ON_AIR:
        return
    if _source_on_other_program(locked, program):
        return
    if SourceState.APPROVED not in SOURCE_TRANSITIONS[locked.state]:
        return
    locked.state = SourceState.APPROVED
    locked.state_reason = ""
    locked.save(update_fields=["state", "state_reason"])
    source_id = locked.pk
    transaction.on_commit(
        lambda: ingest_events.publish_state(
            LiveSource.objects.select_related("reporter").get(pk=source_id)
        )
    )


def _put_on_air(program: Program, source: LiveSource, *, operator: User | None) -> None:
    """approved -> on_air (through the ingest's own rule), and the "used on air" points."""
    if source.state == SourceState.APPROVED:
        if operator is not None:
            source_set_on_air(source_key=str(source.key), operator=operator, on_air=True)
        else:
            # An automatic cut back or standby: the engine acts for the editor who approved it.
            source.state = SourceState.ON_AIR
            source.state_reason = ""
            source.save(update_fields=["state", "state_reason"])
            source_id = source.pk
            transaction.on_commit(
                lambda: ingest_events.publish_state(
                    LiveSource.objects.select_related("reporter").get(pk=source_id)
                )
            )
    points_award(
        user=source.reporter,
        rule=Rule.USED_ON_AIR,
        obj=source,
        key=f"used_on_air:live:{source.key}",
        assignment_ref=source.assignment_ref,
    )


def _changed(
    program: Program,
    *,
    fields: list[str],
    tally_sources: set[int | None] | None = None,
    transition: dict[str, Any] | None = None,
) -> Program:
    """Save, bump seq, and publish everything after commit."""
    program.seq += 1
    program.save(update_fields=[*fields, "seq"])
    _publish_on_commit(program, tally_sources=tally_sources or set(), transition=transition)
    return program


def _publish_on_commit(
    program: Program,
    *,
    tally_sources: set[int | None],
    transition: dict[str, Any] | None,
) -> None:
    slug = program.slug
    source_ids = {sid for sid in tally_sources if sid is not None}

    def send() -> None:
        fresh = selectors.program_for_slug(slug=slug)
        state = selectors.program_engine_state(fresh, transition=transition)
        publish(group=ENGINE_GROUP, event={"type": "program.command", "program": state})
        publish(group=studio_group(slug), event=selectors.program_studio_state(program=fresh))
        publish(group=live_group(slug), event=selectors.program_public_state(fresh))
        for source in LiveSource.objects.filter(pk__in=source_ids):
            publish(
                group=ingest_events.source_group(str(source.key)),
                event={
                    "type": "source.tally",
                    "source": str(source.key),
                    "tally": selectors.source_tally(source=source),
                },
            )

    transaction.on_commit(send)


def _bus_sources(program: Program) -> set[int | None]:
    return {program.program_source_id, program.preview_source_id}


def _clear_cutaway(program: Program) -> list[str]:
    """An editor's own switch ends an automatic cut-away: no cut back after it."""
    if not program.auto_cutaway_active and program.cutaway_from_id is None:
        return []
    program.auto_cutaway_active = False
    program.cutaway_from = None
    return ["auto_cutaway_active", "cutaway_from"]


# --- Channels ----------------------------------------------------------------------------------


def program_default() -> Program:
    """The default channel `main` (the migration creates it; a wiped database gets it back)."""
    program, _created = Program.objects.get_or_create(
        slug=selectors.DEFAULT_SLUG, defaults={"name": "Main"}
    )
    return program


def _check_dimension(value: int, *, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(
            _("%(name)s must be a whole number from %(low)d to %(high)d.")
            % {"name": name, "low": low, "high": high},
            fields={name: [_("Out of range.")]},
        )
    return value


@transaction.atomic
def program_create(
    *,
    staff: User,
    slug: str,
    name: str,
    width: int = 1280,
    height: int = 720,
    fps: int = 25,
) -> Program:
    """Staff add a channel (the default `main` always exists)."""
    if not roles.has_role_permission(staff, "promote_reporter"):
        raise PermissionDenied(_("Only staff can create channels."))
    slug = (slug or "").strip().lower()
    name = (name or "").strip()
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise ValidationFailed(
            _("Use letters, numbers, hyphens or underscores for the channel's address."),
            fields={"slug": [_("Not a valid address.")]},
        ) from error
    if len(slug) > 50 or slug in RESERVED_SLUGS:
        raise ValidationFailed(
            _("This address cannot be used for a channel."),
            fields={"slug": [_("Reserved or too long.")]},
        )
    if not name or len(name) > 100:
        raise ValidationFailed(
            _("Give the channel a name (100 characters at most)."),
            fields={"name": [_("This field is required.")]},
        )
    width = _check_dimension(width, name="width", low=160, high=3840)
    height = _check_dimension(height, name="height", low=120, high=2160)
    fps = _check_dimension(fps, name="fps", low=1, high=60)
    if width % 2 or height % 2:
        raise ValidationFailed(
            _("Width and height must be even numbers."),
            fields={"width": [_("Even numbers only.")], "height": [_("Even numbers only.")]},
        )
    if Program.objects.filter(slug=slug).exists():
        raise Conflict(_("A channel with this address already exists."), code="slug_taken")
    program = Program.objects.create(slug=slug, name=name, width=width, height=height, fps=fps)
    # The community opens the channel's chat (chats exist only for the newsroom's channels).
    domain_events.publish_on_commit(ProgramCreated(slug=program.slug))
    return program


# --- The switcher ------------------------------------------------------------------------------


@transaction.atomic
def program_take_switcher(*, slug: str, editor: User) -> Program:
    """An editor takes the switcher (from nobody, or from the editor who held it)."""
    _ensure_studio_operator(editor)
    program = _locked_program(slug)
    if program.switcher_holder_id == editor.pk:
        return program
    previous = program.switcher_holder
    program.switcher_holder = editor
    detail = previous.public_name if previous is not None else ""
    _log(program, ProgramAction.TAKE, actor=editor, detail=detail)
    return _changed(program, fields=["switcher_holder"])


@transaction.atomic
def program_hand_over(*, slug: str, editor: User, to_user_id: int | None) -> Program:
    """The holder hands the switcher to another editor, or releases it (`to_user_id` None)."""
    program = _locked_program(slug)
    _ensure_holder(program, editor)
    target: User | None = None
    if to_user_id is not None:
        target = User.objects.filter(pk=to_user_id, is_active=True).first()
        if target is None or not selectors.can_operate_studio(target):
            raise ValidationFailed(
                _("The switcher can only go to another editor."),
                fields={"to_user": [_("Not an editor.")]},
            )
    program.switcher_holder = target
    _log(
        program,
        ProgramAction.HAND_OVER,
        actor=editor,
        detail=target.public_name if target is not None else "",
    )
    return _changed(program, fields=["switcher_holder"])


@transaction.atomic
def program_start(*, slug: str, editor: User) -> Program:
    """Start the program: the engine runs the compositor, outputs and recording (slate first)."""
    program = _locked_program(slug)
    _ensure_holder(program, editor)
    if program.running:
        raise Conflict(_("The program is already running."), code="program_running")
    program.running = True
    program.mode = ProgramMode.SLATE
    program.program_source = None
    program.video = None
    program.recording_started_at = timezone.now()
    fields = ["running", "mode", "program_source", "video", "recording_started_at"]
    fields += _clear_cutaway(program)
    _log(program, ProgramAction.START, actor=editor)
    return _changed(program, fields=fields, tally_sources=_bus_sources(program))


@transaction.atomic
def program_stop(*, slug: str, editor: User) -> Program:
    """Stop the program: whatever was on air leaves it; the recording becomes a Video."""
    program = _locked_program(slug)
    _ensure_holder(program, editor)
    if not program.running:
        raise Conflict(_("The program is not running."), code="program_stopped")
    old = _on_program(program)
    tally = _bus_sources(program)
    program.running = False
    program.mode = ProgramMode.SLATE
    program.program_source = None
    program.video = None
    fields = ["running", "mode", "program_source", "video"] + _clear_cutaway(program)
    _log(program, ProgramAction.STOP, actor=editor)
    _changed(program, fields=fields, tally_sources=tally)
    _take_off_air(program, old)
    return program


@transaction.atomic
def program_set_preview(*, slug: str, editor: User, source_key: str | None) -> Program:
    """Put a running source on the preview bus (any state but ended: the editor may look at an
    unapproved feed); None clears the preview."""
    program = _locked_program(slug)
    _ensure_holder(program, editor)
    source = None
    if source_key is not None:
        source = _locked_source(source_key)
        if source.is_finished:
            raise SourceNotCuttable(
                _("“%(title)s” has ended.") % {"title": source.title}, code="source_finished"
            )
    if program.preview_source_id == (source.pk if source else None):
        return program
    tally = _bus_sources(program)
    program.preview_source = source
    _log(program, ProgramAction.PREVIEW, actor=editor, source=source)
    return _changed(
        program, fields=["preview_source"], tally_sources=tally | {program.preview_source_id}
    )


def _switch_to_source(
    *,
    slug: str,
    editor: User,
    source_key: str | None,
    action: str,
    transition: dict[str, Any],
) -> Program:
    program = _locked_program(slug)
    _ensure_holder(program, editor)
    _ensure_running(program)
    if source_key is None:
        if program.preview_source_id is None:
            raise ValidationFailed(
                _("Choose a source for preview first (keys 1–9)."), code="no_preview"
            )
        source = _locked_source(str(program.preview_source.key))  # type: ignore[union-attr]
    else:
        source = _locked_source(source_key)
    _ensure_cuttable(source)
    old = _on_program(program)
    if old is not None and old.pk == source.pk:
        raise Conflict(
            _("“%(title)s” is already on program.") % {"title": source.title},
            code="already_on_program",
        )
    tally = _bus_sources(program) | {source.pk}
    # Like a vision mixer: what was on program comes back on preview (if it can go on air).
    new_preview = old if old is not None and old.state in selectors.CUTTABLE_STATES else None
    program.mode = ProgramMode.SOURCE
    program.program_source = source
    program.video = None
    if program.preview_source_id == source.pk:
        program.preview_source = new_preview
    fields = ["mode", "program_source", "video", "preview_source", *_clear_cutaway(program)]
    detail = f"{transition['duration_ms']} ms" if transition["kind"] == "fade" else ""
    _log(program, action, actor=editor, source=source, detail=detail)
    _take_off_air(program, old)
    _put_on_air(program, source, operator=editor)
    return _changed(program, fields=fields, tally_sources=tally, transition=transition)


@transaction.atomic
def program_cut(*, slug: str, editor: User, source_key: str | None = None) -> Program:
    """Cut to a source on the next frame: the preview source, or `source_key` directly."""
    return _switch_to_source(
        slug=slug,
        editor=editor,
        source_key=source_key,
        action=ProgramAction.CUT,
        transition={"kind": "cut", "duration_ms": 0},
    )


@transaction.atomic
def program_fade(
    *,
    slug: str,
    editor: User,
    duration_ms: int = FADE_DEFAULT_MS,
    source_key: str | None = None,
) -> Program:
    """Fade (cross-dissolve) to the preview source (or `source_key`) over `duration_ms`."""
    if (
        isinstance(duration_ms, bool)
        or not isinstance(duration_ms, int)
        or not FADE_MIN_MS <= duration_ms <= FADE_MAX_MS
    ):
        raise ValidationFailed(
            _("A fade lasts from %(low)d to %(high)d milliseconds.")
            % {"low": FADE_MIN_MS, "high": FADE_MAX_MS},
            fields={"duration_ms": [_("Out of range.")]},
        )
    return _switch_to_source(
        slug=slug,
        editor=editor,
        source_key=source_key,
        action=ProgramAction.FADE,
        transition={"kind": "fade", "duration_ms": duration_ms},
    )


@transaction.atomic
def program_show_slate(*, slug: str, editor: User) -> Program:
    """Cut to the station slate (always available)."""
    program = _locked_program(slug)
    _ensure_holder(program, editor)
    _ensure_running(program)
    if program.mode == ProgramMode.SLATE:
        raise Conflict(_("The slate is already on program."), code="already_on_program")
    old = _on_program(program)
    tally = _bus_sources(program)
    program.mode = ProgramMode.SLATE
    program.program_source = None
    program.video = None
    fields = ["mode", "program_source", "video", *_clear_cutaway(program)]
    _log(program, ProgramAction.SLATE, actor=editor)
    _take_off_air(program, old)
    return _changed(program, fields=fields, tally_sources=tally)


@transaction.atomic
def program_play_video(*, slug: str, editor: User, video_id: int) -> Program:
    """Play a published clip to program (a package between two lives)."""
    program = _locked_program(slug)
    _ensure_holder(program, editor)
    _ensure_running(program)
    video = Video.objects.filter(pk=video_id).first()
    if video is None or video.state != VideoState.PUBLISHED:
        raise ValidationFailed(
            _("Only published clips can be played to air."),
            code="video_not_published",
            fields={"video": [_("Not a published clip.")]},
        )
    if selectors.video_program_path(video) is None:
        raise Conflict(_("This clip has no playable file yet."), code="video_not_playable")
    old = _on_program(program)
    tally = _bus_sources(program)
    program.mode = ProgramMode.VIDEO
    program.program_source = None
    program.video = video
    fields = ["mode", "program_source", "video", *_clear_cutaway(program)]
    _log(program, ProgramAction.VIDEO, actor=editor, video=video)
    _take_off_air(program, old)
    return _changed(program, fields=fields, tally_sources=tally)


@transaction.atomic
def program_kill_source(*, slug: str, editor: User, source_key: str, reason: str = "") -> Program:
    """Take a source off air and off preview at once, and stop it for good (rejected as
    "stopped by an editor" through the ingest's own service). Any editor may kill."""
    _ensure_studio_operator(editor)
    program = _locked_program(slug)
    source = _locked_source(source_key)
    if source.is_finished:
        raise Conflict(
            _("“%(title)s” has already ended.") % {"title": source.title}, code="source_finished"
        )
    tally = _bus_sources(program) | {source.pk}
    fields: list[str] = []
    if program.program_source_id == source.pk:
        program.program_source = None
        if program.mode == ProgramMode.SOURCE:
            program.mode = ProgramMode.SLATE
        fields += ["program_source", "mode"]
    if program.preview_source_id == source.pk:
        program.preview_source = None
        fields.append("preview_source")
    if program.standby_source_id == source.pk:
        program.standby_source = None
        fields.append("standby_source")
    if program.cutaway_from_id == source.pk:
        fields += _clear_cutaway(program)
    _log(program, ProgramAction.KILL, actor=editor, source=source, detail=reason.strip()[:500])
    source_decide(
        source_key=str(source.key),
        editor=editor,
        action="kill",
        reason=reason or _("Stopped from the studio."),
    )
    return _changed(program, fields=fields, tally_sources=tally)


@transaction.atomic
def program_set_lower_third(*, slug: str, editor: User, visible: bool) -> Program:
    """Show or hide the reporter's name, location and story over program."""
    program = _locked_program(slug)
    _ensure_holder(program, editor)
    if program.lower_third_visible == bool(visible):
        return program
    program.lower_third_visible = bool(visible)
    _log(
        program,
        ProgramAction.LOWER_THIRD,
        actor=editor,
        detail=_("shown") if visible else _("hidden"),
    )
    return _changed(program, fields=["lower_third_visible"])


@transaction.atomic
def program_set_standby(*, slug: str, editor: User, source_key: str | None) -> Program:
    """The source an automatic cut-away shows instead of the slate (must be approved)."""
    program = _locked_program(slug)
    _ensure_holder(program, editor)
    source = None
    if source_key is not None:
        source = _locked_source(source_key)
        _ensure_cuttable(source)
    program.standby_source = source
    _log(program, ProgramAction.STANDBY, actor=editor, source=source)
    return _changed(program, fields=["standby_source"])


@transaction.atomic
def program_set_cutaway(*, slug: str, editor: User, after_seconds: float, min_kbps: int) -> Program:
    """Tune the automatic cut-away: a frame older than `after_seconds`, or a bitrate under
    `min_kbps` (0 = no bitrate threshold), sends program to the slate or standby."""
    program = _locked_program(slug)
    _ensure_holder(program, editor)
    if isinstance(after_seconds, bool) or not isinstance(after_seconds, int | float):
        after_seconds = -1
    if not 0.2 <= float(after_seconds) <= 30:
        raise ValidationFailed(
            _("The cut-away delay must be from 0.2 to 30 seconds."),
            fields={"after_seconds": [_("Out of range.")]},
        )
    if isinstance(min_kbps, bool) or not isinstance(min_kbps, int) or not 0 <= min_kbps <= 20000:
        raise ValidationFailed(
            _("The minimum bitrate must be from 0 to 20000 kbit/s."),
            fields={"min_kbps": [_("Out of range.")]},
        )
    program.cutaway_after_seconds = float(after_seconds)
    program.cutaway_min_kbps = min_kbps
    _log(
        program,
        ProgramAction.SETTINGS,
        actor=editor,
        detail=f"cut-away after {float(after_seconds):g} s, min {min_kbps} kbit/s",
    )
    return _changed(program, fields=["cutaway_after_seconds", "cutaway_min_kbps"])


# --- Engine callbacks (called through ingest/program/reporting.py, off the media loop) ---------


def program_engine_claim(*, program_id: int, node: str) -> bool:
    """The engine of ingest process `node` takes or renews the lease of a running program.

    True when `node` holds it now. Another node's lease stands until it has gone unrenewed for
    PROGRAM_ENGINE_LEASE_SECONDS (that process died or lost the database): two engines on one
    program would both write its HLS, and the one without the on-air source would cut it away."""
    now = timezone.now()
    lapsed = now - timedelta(seconds=settings.PROGRAM_ENGINE_LEASE_SECONDS)
    free = Q(engine_node="") | Q(engine_node=node) | Q(engine_seen_at__lt=lapsed)
    claimed = Program.objects.filter(free, pk=program_id, running=True).update(
        engine_node=node, engine_seen_at=now
    )
    return claimed == 1


def program_engine_release(*, program_id: int, node: str) -> None:
    """The engine of `node` stopped running the program: another may take it at once."""
    Program.objects.filter(pk=program_id, engine_node=node).update(
        engine_node="", engine_seen_at=None
    )


@transaction.atomic
def program_auto_cutaway(*, slug: str, seq: int, reason: str, node: str) -> None:
    """The on-air source stalled or dropped under the bitrate: slate (or standby) on program.

    Ignored unless the engine acted on the program's current state (`seq` equal): after any
    change the engine re-checks the source and reports again if it still stalls. Ignored too
    from an engine that does not hold the program's lease (it may not have the source at all)."""
    program = Program.objects.select_for_update().filter(slug=slug).first()
    if program is None or seq != program.seq or not program.running:
        return
    if program.engine_node != node:
        return
    old = _on_program(program)
    if old is None or program.auto_cutaway_active:
        return
    tally = _bus_sources(program)
    program.auto_cutaway_active = True
    program.cutaway_from = old
    standby = None
    if program.standby_source_id is not None and program.standby_source_id != old.pk:
        candidate = LiveSource.objects.select_for_update().get(pk=program.standby_source_id)
        if candidate.state in selectors.CUTTABLE_STATES and candidate.connected:
            standby = candidate
    if standby is not None:
        program.mode = ProgramMode.SOURCE
        program.program_source = standby
        tally.add(standby.pk)
    else:
        program.mode = ProgramMode.SLATE
        program.program_source = None
    _log(program, ProgramAction.AUTO_CUTAWAY, actor=None, source=old, detail=reason[:500])
    _take_off_air(program, old)
    if standby is not None:
        _put_on_air(program, standby, operator=None)
    _changed(
        program,
        fields=["auto_cutaway_active", "cutaway_from", "mode", "program_source"],
        tally_sources=tally,
    )


@transaction.atomic
def program_auto_cutback(*, slug: str, seq: int, node: str) -> None:
    """The source an automatic cut-away left recovered: back to it, if nothing changed since
    (and the report comes from the engine holding the program's lease)."""
    program = Program.objects.select_for_update().filter(slug=slug).first()
    if program is None or not program.auto_cutaway_active or seq != program.seq:
        return
    if program.engine_node != node:
        return
    if program.cutaway_from_id is None or not program.running:
        return
    source = (
        LiveSource.objects.select_for_update()
        .select_related("reporter")
        .get(pk=program.cutaway_from_id)
    )
    if source.state not in selectors.CUTTABLE_STATES:
        return
    standby = _on_program(program)
    tally = _bus_sources(program) | {source.pk}
    program.mode = ProgramMode.SOURCE
    program.program_source = source
    program.auto_cutaway_active = False
    program.cutaway_from = None
    _log(program, ProgramAction.AUTO_CUTBACK, actor=None, source=source)
    _take_off_air(program, standby)
    _put_on_air(program, source, operator=None)
    _changed(
        program,
        fields=["auto_cutaway_active", "cutaway_from", "mode", "program_source"],
        tally_sources=tally,
    )


def _recording_owner(program: Program) -> User | None:
    if program.switcher_holder_id is not None:
        return program.switcher_holder
    entry = (
        ProgramLogEntry.objects.filter(program=program, actor__isnull=False)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return entry.actor if entry is not None else None


def program_recording_finish(*, slug: str, path: str) -> Video | None:
    """The whole-program recording (an MP4 on local disk) becomes a Video in moderation.

    The file is copied to the default storage first (outside any transaction), then
    `video_create_from_file` makes the Video (transcode and review follow). The local file is
    removed afterwards, so a second call with the same path does nothing."""
    program = Program.objects.select_related("switcher_holder").filter(slug=slug).first()
    if program is None:
        return None
    if not path or not os.path.exists(path) or os.path.getsize(path) == 0:
        logger.warning("program %s stopped without a recording", slug)
        return None
    owner = _recording_owner(program)
    if owner is None:
        logger.warning("program %s recording has nobody to own it", slug)
        return None
    started = timezone.localtime(program.recording_started_at or timezone.now())
    storage_key = f"live/programs/{slug}/{started:%Y%m%d-%H%M%S}.mp4"
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        storage_key = default_storage.save(storage_key, File(handle))
    with transaction.atomic():
        locked = _locked_program(slug)
        video = video_create_from_file(
            owner=owner,
            title=_("%(name)s program (%(date)s)")
            % {"name": locked.name, "date": started.strftime("%Y-%m-%d %H:%M")},
            source_name=os.path.basename(storage_key),
            source_key=storage_key,
            source_size=size,
        )
        if not locked.running:
            locked.recording_started_at = None
            locked.save(update_fields=["recording_started_at"])
    with contextlib.suppress(OSError):
        os.remove(path)
    return video


# --- One entry point for the studio's websocket and REST commands -------------------------------

COMMANDS = (
    "take",
    "hand_over",
    "start",
    "stop",
    "preview",
    "cut",
    "fade",
    "slate",
    "video",
    "kill",
    "lower_third",
    "standby",
    "cutaway",
)


def _optional_key(params: dict[str, Any], name: str = "source") -> str | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValidationFailed(
            _("A source is named by its key."), fields={name: [_("Not a source key.")]}
        )
    return value


def _required_key(params: dict[str, Any], name: str = "source") -> str:
    value = _optional_key(params, name)
    if value is None:
        raise ValidationFailed(
            _("Say which source."), fields={name: [_("This field is required.")]}
        )
    return value


def _int_param(params: dict[str, Any], name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(
            _("“%(name)s” must be a whole number.") % {"name": name},
            fields={name: [_("A whole number.")]},
        )
    return value


def program_command(*, slug: str, editor: User, action: str, params: Any) -> Program:
    """Run one studio command by name (the websocket and the REST API both come through here),
    with its parameters taken from a JSON object."""
    if not isinstance(params, dict):
        raise ValidationFailed(_("Send the command's parameters as a JSON object."))
    if action == "take":
        return program_take_switcher(slug=slug, editor=editor)
    if action == "hand_over":
        to_user = params.get("to_user")
        return program_hand_over(
            slug=slug,
            editor=editor,
            to_user_id=None if to_user in (None, "") else _int_param(params, "to_user"),
        )
    if action == "start":
        return program_start(slug=slug, editor=editor)
    if action == "stop":
        return program_stop(slug=slug, editor=editor)
    if action == "preview":
        return program_set_preview(slug=slug, editor=editor, source_key=_optional_key(params))
    if action == "cut":
        return program_cut(slug=slug, editor=editor, source_key=_optional_key(params))
    if action == "fade":
        return program_fade(
            slug=slug,
            editor=editor,
            duration_ms=_int_param(params, "duration_ms", FADE_DEFAULT_MS),
            source_key=_optional_key(params),
        )
    if action == "slate":
        return program_show_slate(slug=slug, editor=editor)
    if action == "video":
        return program_play_video(slug=slug, editor=editor, video_id=_int_param(params, "video"))
    if action == "kill":
        reason = params.get("reason") or ""
        return program_kill_source(
            slug=slug,
            editor=editor,
            source_key=_required_key(params),
            reason=reason if isinstance(reason, str) else "",
        )
    if action == "lower_third":
        visible = params.get("visible")
        if not isinstance(visible, bool):
            raise ValidationFailed(
                _("Say whether the lower third is visible (true or false)."),
                fields={"visible": [_("true or false.")]},
            )
        return program_set_lower_third(slug=slug, editor=editor, visible=visible)
    if action == "standby":
        return program_set_standby(slug=slug, editor=editor, source_key=_optional_key(params))
    if action == "cutaway":
        after = params.get("after_seconds")
        return program_set_cutaway(
            slug=slug,
            editor=editor,
            after_seconds=after if isinstance(after, int | float) else -1,
            min_kbps=_int_param(params, "min_kbps", 0),
        )
    raise ValidationFailed(
        _("Unknown studio command “%(action)s”.") % {"action": str(action)[:40]},
        code="unknown_command",
    )


# --- The station slate (staff) -----------------------------------------------------------------

SLATE_MAX_BYTES = 5 * 1024 * 1024
SLATE_MAX_SIDE = 4096
SLATE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _slate_extension(upload: UploadedFile) -> str:
    """The checked image format's extension; refuses what is not a JPEG/PNG/WebP picture."""
    refusal = ValidationFailed(
        _("The slate must be a JPEG, PNG or WebP picture of at most 5 MB and 4096 pixels a side."),
        code="invalid_slate",
        fields={"image": [_("Not a usable picture.")]},
    )
    if upload.size is None or upload.size > SLATE_MAX_BYTES or upload.size == 0:
        raise refusal
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            kind, size = image.format, image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise refusal from error
    finally:
        upload.seek(0)
    if kind not in SLATE_FORMATS or max(size) > SLATE_MAX_SIDE:
        raise refusal
    return SLATE_FORMATS[kind]


def slate_missing_message() -> str:
    return _("Choose a picture for the slate.")


def program_set_slate_image(*, slug: str, staff: User, upload: UploadedFile | None) -> Program:
    """Staff upload the station slate (None: back to the default slate the engine draws)."""
    if not roles.has_role_permission(staff, "promote_reporter"):
        raise PermissionDenied(_("Only staff can change the slate."))
    if not Program.objects.filter(slug=slug).exists():
        raise NotFound(_("There is no channel called “%(slug)s”.") % {"slug": slug})
    stored = None
    if upload is not None:
        extension = _slate_extension(upload)
        stored = default_storage.save(f"slates/{slug}-{uuid.uuid4().hex[:12]}.{extension}", upload)
    try:
        with transaction.atomic():
            program = _locked_program(slug)
            old = program.slate_image.name if program.slate_image else None
            program.slate_image.name = stored  # type: ignore[assignment]
            _log(
                program,
                ProgramAction.SETTINGS,
                actor=staff,
                detail=_("new slate image") if stored else _("default slate"),
            )
            _changed(program, fields=["slate_image"])
            if old:
                transaction.on_commit(lambda: default_storage.delete(old))
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    return program
