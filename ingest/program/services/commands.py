"""One entry point for the studio's websocket and REST commands."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ValidationFailed
from ingest.models import Program
from ingest.program.services.switcher import (
    FADE_DEFAULT_MS,
    program_cut,
    program_fade,
    program_hand_over,
    program_kill_source,
    program_play_video,
    program_set_cutaway,
    program_set_lower_third,
    program_set_preview,
    program_set_standby,
    program_show_slate,
    program_start,
    program_stop,
    program_take_switcher,
)

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
        code=ErrorCode.UNKNOWN_COMMAND,
    )
