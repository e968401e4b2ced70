"""The studio's switcher: who holds it, start and stop, preview, cut, fade, slate, clip, kill,
lower third, standby and the cut-away settings."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import Conflict, ValidationFailed
from fieldcast.videos.models import Video, VideoState
from ingest.models import Program, ProgramAction, ProgramMode
from ingest.program import selectors
from ingest.program.services.common import (
    SourceNotCuttable,
    _bus_sources,
    _changed,
    _clear_cutaway,
    _ensure_cuttable,
    _ensure_holder,
    _ensure_running,
    _locked_program,
    _locked_source,
    _log,
    _on_program,
    _put_on_air,
    _take_off_air,
    ensure_studio_operator,
)
from ingest.services import source_decide

FADE_MIN_MS = 100
FADE_MAX_MS = 5000
FADE_DEFAULT_MS = 1000


@transaction.atomic
def program_take_switcher(*, slug: str, editor: User) -> Program:
    """An editor takes the switcher (from nobody, or from the editor who held it)."""
    ensure_studio_operator(editor)
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
        raise Conflict(_("The program is already running."), code=ErrorCode.PROGRAM_RUNNING)
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
        raise Conflict(_("The program is not running."), code=ErrorCode.PROGRAM_STOPPED)
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
                _("“%(title)s” has ended.") % {"title": source.title},
                code=ErrorCode.SOURCE_FINISHED,
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
        preview = program.preview_source
        if preview is None:
            raise ValidationFailed(
                _("Choose a source for preview first (keys 1–9)."), code=ErrorCode.NO_PREVIEW
            )
        source = _locked_source(str(preview.key))
    else:
        source = _locked_source(source_key)
    _ensure_cuttable(source)
    old = _on_program(program)
    if old is not None and old.pk == source.pk:
        raise Conflict(
            _("“%(title)s” is already on program.") % {"title": source.title},
            code=ErrorCode.ALREADY_ON_PROGRAM,
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
        raise Conflict(_("The slate is already on program."), code=ErrorCode.ALREADY_ON_PROGRAM)
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
            code=ErrorCode.VIDEO_NOT_PUBLISHED,
            fields={"video": [_("Not a published clip.")]},
        )
    if selectors.video_program_path(video) is None:
        raise Conflict(_("This clip has no playable file yet."), code=ErrorCode.VIDEO_NOT_PLAYABLE)
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
    ensure_studio_operator(editor)
    program = _locked_program(slug)
    source = _locked_source(source_key)
    if source.is_finished:
        raise Conflict(
            _("“%(title)s” has already ended.") % {"title": source.title},
            code=ErrorCode.SOURCE_FINISHED,
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
