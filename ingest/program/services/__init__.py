"""Writes for the studio: the switcher of a program (channel) and the engine's reports.

One module per use case: `programs` (channels), `switcher`, `commands` (the studio's one entry
point), `slate`, `engine_lease`, `auto_switch` (the engine's cut-away and cut back) and
`recording`; `common` holds what they share. Import the names from this package.

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

from ingest.program.groups import ENGINE_GROUP, live_group, studio_group
from ingest.program.services.auto_switch import program_auto_cutaway, program_auto_cutback
from ingest.program.services.commands import COMMANDS, program_command
from ingest.program.services.common import (
    NotSwitcherHolder,
    SourceNotCuttable,
    ensure_studio_operator,
    studio_only_message,
)
from ingest.program.services.engine_lease import program_engine_claim, program_engine_release
from ingest.program.services.programs import RESERVED_SLUGS, program_create, program_default
from ingest.program.services.recording import program_recording_finish
from ingest.program.services.slate import (
    SLATE_FORMATS,
    SLATE_MAX_BYTES,
    SLATE_MAX_SIDE,
    program_set_slate_image,
    slate_missing_message,
)
from ingest.program.services.switcher import (
    FADE_DEFAULT_MS,
    FADE_MAX_MS,
    FADE_MIN_MS,
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

__all__ = [
    "COMMANDS",
    "ENGINE_GROUP",
    "FADE_DEFAULT_MS",
    "FADE_MAX_MS",
    "FADE_MIN_MS",
    "RESERVED_SLUGS",
    "SLATE_FORMATS",
    "SLATE_MAX_BYTES",
    "SLATE_MAX_SIDE",
    "NotSwitcherHolder",
    "SourceNotCuttable",
    "ensure_studio_operator",
    "live_group",
    "program_auto_cutaway",
    "program_auto_cutback",
    "program_command",
    "program_create",
    "program_cut",
    "program_default",
    "program_engine_claim",
    "program_engine_release",
    "program_fade",
    "program_hand_over",
    "program_kill_source",
    "program_play_video",
    "program_recording_finish",
    "program_set_cutaway",
    "program_set_lower_third",
    "program_set_preview",
    "program_set_slate_image",
    "program_set_standby",
    "program_show_slate",
    "program_start",
    "program_stop",
    "program_take_switcher",
    "slate_missing_message",
    "studio_group",
    "studio_only_message",
]
