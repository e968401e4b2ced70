"""Reads for the studio: a program's state for the engine, the studio page and the viewer page."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from fieldcast.accounts.guards import Requester, has_permission
from fieldcast.accounts.models import User
from fieldcast.core.errors import NotFound
from fieldcast.videos.models import Video, VideoState
from ingest.assignments import assignment_city_and_title
from ingest.models import (
    FINISHED_STATES,
    LiveSource,
    Program,
    ProgramLogEntry,
    ProgramMode,
    SourceState,
)

DEFAULT_SLUG = "main"
LOG_LIMIT = 50

CUTTABLE_STATES = frozenset({SourceState.APPROVED, SourceState.ON_AIR})


def _program_queryset() -> QuerySet[Program]:
    return Program.objects.select_related(
        "program_source__reporter",
        "preview_source__reporter",
        "standby_source",
        "cutaway_from",
        "video",
        "switcher_holder",
    )


def program_for_slug(*, slug: str) -> Program:
    """The program (channel) named `slug`; NotFound otherwise."""
    program = _program_queryset().filter(slug=slug).first()
    if program is None:
        raise NotFound(gettext("There is no channel called “%(slug)s”.") % {"slug": slug})
    return program


def programs_all() -> QuerySet[Program]:
    return Program.objects.order_by("slug")


def studio_operators(*, exclude: User | None = None, limit: int = 50) -> list[User]:
    """Editors the switcher can be handed to (active, with the studio role), by name."""
    holders = User.objects.filter(is_active=True).filter(
        Q(
            groups__permissions__codename="operate_studio",
            groups__permissions__content_type__app_label="accounts",
        )
        | Q(is_superuser=True)
    )
    if exclude is not None:
        holders = holders.exclude(pk=exclude.pk)
    return list(holders.distinct().order_by("display_name", "email")[:limit])


def can_operate_studio(user: Requester) -> bool:
    """Who may open the studio page, its websocket and the WHEP monitor: editors and staff."""
    return has_permission(user, "operate_studio")


def source_on_air_info(source: LiveSource) -> dict[str, Any]:
    """Who and what a source is, as the lower third and the viewer page show it."""
    city, assignment_title = assignment_city_and_title(source.assignment_ref)
    return {
        "id": source.pk,
        "key": str(source.key),
        "reporter_name": source.reporter.public_name,
        "location": city,
        "story_title": source.title or assignment_title,
    }


def video_program_path(video: Video) -> str | None:
    """The storage name the engine plays for a published clip: the MP4, else the HLS master."""
    if video.download_key:
        return str(video.download_key)
    if video.output_prefix:
        return f"{video.output_prefix.rstrip('/')}/master.m3u8"
    return None


def program_engine_state(
    program: Program, *, transition: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The whole state the engine needs for one program (the contract's `program.command`).

    `transition` is how the engine reaches this state (the switch that made it); a plain cut
    otherwise (a state loaded at start-up, a slate, a lower third)."""
    source = program.program_source if program.mode == ProgramMode.SOURCE else None
    info = source_on_air_info(source) if source is not None else None
    transition = transition or {"kind": "cut", "duration_ms": 0}
    video_path = None
    if program.mode == ProgramMode.VIDEO and program.video is not None:
        video_path = video_program_path(program.video)
    return {
        "slug": program.slug,
        "program_id": program.pk,
        "seq": int(program.seq),
        "running": bool(program.running),
        "width": int(program.width),
        "height": int(program.height),
        "fps": int(program.fps),
        "mode": str(program.mode),
        "source": info,
        "transition": dict(transition),
        "video_path": video_path,
        "slate_path": program.slate_image.name if program.slate_image else None,
        "lower_third": {
            "visible": bool(program.lower_third_visible and info is not None),
            "name": info["reporter_name"] if info else "",
            "location": info["location"] if info else "",
            "story": info["story_title"] if info else "",
        },
        "standby_source_id": program.standby_source_id,
        "cutaway_after_seconds": float(program.cutaway_after_seconds),
        "cutaway_min_kbps": int(program.cutaway_min_kbps),
    }


def running_program_states() -> list[dict[str, Any]]:
    """The engine's start-up load: the states of every running program."""
    return [program_engine_state(p) for p in _program_queryset().filter(running=True)]


def program_log(*, program: Program, limit: int = LOG_LIMIT) -> list[ProgramLogEntry]:
    """What went to air when, newest first."""
    return list(
        ProgramLogEntry.objects.filter(program=program)
        .select_related("source__reporter", "video", "actor")
        .order_by("-created_at", "-id")[:limit]
    )


def log_entry_data(entry: ProgramLogEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "at": entry.created_at.isoformat(),
        "action": entry.action,
        "action_label": str(entry.get_action_display()),
        "source": str(entry.source.key) if entry.source is not None else None,
        "source_title": entry.source.title if entry.source is not None else "",
        "reporter": entry.source.reporter.public_name if entry.source is not None else "",
        "video_title": entry.video.title if entry.video is not None else "",
        "actor": entry.actor.public_name if entry.actor is not None else None,
        "automatic": entry.actor_id is None,
        "detail": entry.detail,
    }


def _source_data(source: LiveSource, program: Program) -> dict[str, Any]:
    tally = "none"
    if program.mode == ProgramMode.SOURCE and program.program_source_id == source.pk:
        tally = "program"
    elif program.preview_source_id == source.pk:
        tally = "preview"
    return {
        "id": source.pk,
        "key": str(source.key),
        "title": source.title,
        "reporter": source.reporter.public_name,
        "state": source.state,
        "state_label": str(SourceState(source.state).label),
        "connected": source.connected,
        "protocol": source.protocol,
        "cuttable": source.state in CUTTABLE_STATES,
        "tally": tally,
        "stats": source.stats or {},
    }


def studio_sources(*, program: Program) -> list[LiveSource]:
    """The multiview: every running source, oldest first (a stable grid: key 1 stays key 1)."""
    return list(
        LiveSource.objects.exclude(state__in=FINISHED_STATES)
        .select_related("reporter")
        .order_by("created_at", "id")
    )


def tally_for(*, program: Program, source: LiveSource) -> str:
    """program | preview | none: what the reporter's phone shows for this source."""
    if program.mode == ProgramMode.SOURCE and program.program_source_id == source.pk:
        return "program"
    if program.preview_source_id == source.pk:
        return "preview"
    return "none"


def source_tally(*, source: LiveSource) -> str:
    """A source's tally across every program (program wins over preview)."""
    best = "none"
    for program in Program.objects.filter(running=True).only(
        "mode", "program_source_id", "preview_source_id"
    ):
        tally = tally_for(program=program, source=source)
        if tally == "program":
            return tally
        if tally == "preview":
            best = tally
    return best


def program_public_state(program: Program) -> dict[str, Any]:
    """What viewers may know: running, and who/what is on air (no preview, no log)."""
    on_air = None
    if program.running and program.mode == ProgramMode.SOURCE and program.program_source:
        info = source_on_air_info(program.program_source)
        on_air = {
            "reporter": info["reporter_name"],
            "story": info["story_title"],
            "location": info["location"],
        }
    video_title = ""
    if program.running and program.mode == ProgramMode.VIDEO and program.video is not None:
        video_title = program.video.title
    return {
        "type": "program.public",
        "slug": program.slug,
        "name": program.name,
        "running": program.running,
        "mode": program.mode,
        "on_air": on_air,
        "video_title": video_title,
        "hls_url": f"/live/{program.slug}/index.m3u8",
    }


def program_studio_state(*, program: Program, user: User | None = None) -> dict[str, Any]:
    """Everything the studio page draws (it redraws from this on every change)."""
    sources = studio_sources(program=program)
    return {
        "type": "program.state",
        "slug": program.slug,
        "name": program.name,
        "seq": int(program.seq),
        "running": program.running,
        "mode": program.mode,
        "mode_label": str(ProgramMode(program.mode).label),
        "program_source": str(program.program_source.key) if program.program_source else None,
        "preview_source": str(program.preview_source.key) if program.preview_source else None,
        "standby_source": str(program.standby_source.key) if program.standby_source else None,
        "video": (
            {"id": program.video.pk, "title": program.video.title} if program.video else None
        ),
        "lower_third_visible": program.lower_third_visible,
        "auto_cutaway_active": program.auto_cutaway_active,
        "cutaway_from": str(program.cutaway_from.key) if program.cutaway_from else None,
        "cutaway_after_seconds": program.cutaway_after_seconds,
        "cutaway_min_kbps": program.cutaway_min_kbps,
        "switcher_holder": (
            {"id": program.switcher_holder.pk, "name": program.switcher_holder.public_name}
            if program.switcher_holder
            else None
        ),
        "holds_switcher": bool(
            user is not None and user.pk is not None and program.switcher_holder_id == user.pk
        ),
        "sources": [_source_data(s, program) for s in sources],
        "log": [log_entry_data(e) for e in program_log(program=program, limit=30)],
        "hls_url": f"/live/{program.slug}/index.m3u8",
        "whep_url": f"/live/whep/{program.slug}/",
    }


def playable_videos(*, limit: int = 30) -> list[Video]:
    """Published clips an editor can play to program, newest first."""
    return list(
        Video.objects.filter(state=VideoState.PUBLISHED)
        .select_related("owner")
        .order_by("-published_at")[:limit]
    )
