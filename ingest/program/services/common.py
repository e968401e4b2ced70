"""What every studio use case shares: the refusals, the locked rows, the on-air state of
sources, the program log, and `_changed` (save, bump `seq`, publish after commit).

The package's own helpers: callers outside `ingest.program.services` use the use cases.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fieldcast.accounts.guards import Requester, require_permission
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied
from fieldcast.core.events import publish
from fieldcast.points.rules import Rule
from fieldcast.points.services import points_award
from fieldcast.videos.models import Video
from ingest import events as ingest_events
from ingest.models import (
    SOURCE_TRANSITIONS,
    LiveSource,
    Program,
    ProgramLogEntry,
    ProgramMode,
    SourceState,
)
from ingest.program import selectors
from ingest.program.groups import ENGINE_GROUP, live_group, studio_group
from ingest.services import source_set_on_air


class NotSwitcherHolder(PermissionDenied):
    default_code = ErrorCode.NOT_SWITCHER_HOLDER


class SourceNotCuttable(Conflict):
    default_code = ErrorCode.SOURCE_NOT_APPROVED


def studio_only_message() -> str:
    return _("Only editors can use the studio.")


def ensure_studio_operator(user: Requester) -> User:
    """The editor or staff member who may work the studio; anyone else is refused (not_editor)."""
    return require_permission(
        user, "operate_studio", message=studio_only_message(), code=ErrorCode.NOT_EDITOR
    )


def _locked_program(slug: str) -> Program:
    program = Program.objects.select_for_update().filter(slug=slug).first()
    if program is None:
        raise NotFound(_("There is no channel called “%(slug)s”.") % {"slug": slug})
    return program


def _ensure_holder(program: Program, editor: User) -> None:
    ensure_studio_operator(editor)
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
        raise Conflict(_("Start the program first."), code=ErrorCode.PROGRAM_STOPPED)


def _locked_source(source_key: str) -> LiveSource:
    source = (
        LiveSource.objects.select_for_update()
        .select_related("reporter")
        .filter(key=source_key)
        .first()
    )
    if source is None:
        raise NotFound(_("We could not find that live source."), code=ErrorCode.SOURCE_NOT_FOUND)
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
