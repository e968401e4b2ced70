"""What the engine reports back (automatic cut-away and cut back, the program recording), and what
control sends out after each change (engine command, studio state, viewers' state, tallies)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.storage import default_storage

from fieldcast.core import events as core_events
from fieldcast.core.models import RelayedEvent
from fieldcast.videos.models import VideoState
from ingest import events as ingest_events
from ingest.models import Program, ProgramLogEntry, SourceState
from ingest.program import selectors, services

pytestmark = pytest.mark.django_db

NODE = "ingest-a:101:abc"  # the ingest process whose engine runs `main` in these tests


@pytest.fixture(autouse=True)
def engine_runs_main(holder, program) -> None:
    assert services.program_engine_claim(program_id=program.pk, node=NODE)


def _switch_state(program: Program) -> tuple[int, str, int | None, bool]:
    """What the program shows and whether it is cut away, fresh from the database."""
    program.refresh_from_db()
    return (program.seq, program.mode, program.program_source_id, program.auto_cutaway_active)


def _seq() -> int:
    return services.program_default().seq


def test_auto_cutaway_shows_the_slate_and_remembers_the_source(
    holder, program, make_source
) -> None:
    # given A on program
    a = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    seq = _seq()

    # when the engine reports the stall for the state it shows
    services.program_auto_cutaway(slug="main", seq=seq, reason="no frame for 1.0 s", node=NODE)

    # then
    program.refresh_from_db()
    a.refresh_from_db()
    assert (program.mode, program.program_source_id) == ("slate", None)
    assert (program.auto_cutaway_active, program.cutaway_from_id) == (True, a.pk)
    assert program.seq == seq + 1
    assert a.state == SourceState.APPROVED
    entry = ProgramLogEntry.objects.filter(program=program).first()
    assert (entry.action, entry.actor_id, entry.source_id, entry.detail) == (
        "auto_cutaway",
        None,
        a.pk,
        "no frame for 1.0 s",
    )


def test_auto_cutaway_uses_an_approved_standby_source(holder, program, make_source) -> None:
    a = make_source(SourceState.APPROVED)
    standby = make_source(SourceState.APPROVED)
    services.program_set_standby(slug="main", editor=holder, source_key=str(standby.key))
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))

    services.program_auto_cutaway(slug="main", seq=_seq(), reason="bitrate 40 kbit/s", node=NODE)

    program.refresh_from_db()
    standby.refresh_from_db()
    assert (program.mode, program.program_source_id) == ("source", standby.pk)
    assert standby.state == SourceState.ON_AIR


def test_cutaway_with_a_seq_this_program_never_had_is_ignored(holder, program, make_source) -> None:
    # given A on program
    a = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    before = _switch_state(program)

    # when a report arrives from an engine that counted further (a program of this slug that was
    # deleted and made again)
    services.program_auto_cutaway(slug="main", seq=program.seq + 5, reason="no frame", node=NODE)

    # then nothing changed
    assert _switch_state(program) == before


def test_stale_seq_cutaway_is_ignored(holder, program, make_source) -> None:
    # given the engine saw A on program, then the editor cut to B
    a = make_source(SourceState.APPROVED)
    b = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    seen = _seq()
    services.program_cut(slug="main", editor=holder, source_key=str(b.key))
    before = _switch_state(program)
    entries = ProgramLogEntry.objects.count()

    # when the engine's late report about A arrives
    services.program_auto_cutaway(slug="main", seq=seen, reason="no frame", node=NODE)

    # then nothing changed
    assert _switch_state(program) == before
    assert ProgramLogEntry.objects.count() == entries


def test_auto_cutback_returns_to_the_source(holder, program, make_source) -> None:
    a = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    services.program_auto_cutaway(slug="main", seq=_seq(), reason="no frame", node=NODE)

    services.program_auto_cutback(slug="main", seq=_seq(), node=NODE)

    program.refresh_from_db()
    a.refresh_from_db()
    assert (program.mode, program.program_source_id) == ("source", a.pk)
    assert (program.auto_cutaway_active, program.cutaway_from_id) == (False, None)
    assert a.state == SourceState.ON_AIR
    assert ProgramLogEntry.objects.filter(program=program).first().action == "auto_cutback"


def test_no_cutback_when_the_editor_switched_meanwhile(holder, program, make_source) -> None:
    # given an automatic cut-away from A, then the editor cut to B
    a = make_source(SourceState.APPROVED)
    b = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    services.program_auto_cutaway(slug="main", seq=_seq(), reason="no frame", node=NODE)
    seen = _seq()
    services.program_cut(slug="main", editor=holder, source_key=str(b.key))
    program.refresh_from_db()
    assert program.auto_cutaway_active is False
    before = (program.seq, program.program_source_id)

    # when A recovers
    services.program_auto_cutback(slug="main", seq=seen, node=NODE)
    services.program_auto_cutback(slug="main", seq=program.seq, node=NODE)

    # then B stays
    program.refresh_from_db()
    assert (program.seq, program.program_source_id) == before


def test_no_cutback_to_a_source_killed_meanwhile(holder, program, make_source) -> None:
    a = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    services.program_auto_cutaway(slug="main", seq=_seq(), reason="no frame", node=NODE)
    a.state = SourceState.REJECTED
    a.save(update_fields=["state"])
    seq = _seq()

    services.program_auto_cutback(slug="main", seq=seq, node=NODE)

    program.refresh_from_db()
    assert (program.mode, program.seq) == ("slate", seq)


def test_recording_becomes_a_video_in_moderation(
    holder, program, tmp_path, django_capture_on_commit_callbacks
) -> None:
    # given a finished program recording on local disk
    path = tmp_path / "program.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)

    # when (the transcode task is enqueued after commit; not run here)
    with django_capture_on_commit_callbacks(execute=False):
        video = services.program_recording_finish(slug="main", path=str(path))

    # then
    assert video is not None
    assert video.owner_id == holder.pk
    assert video.state == VideoState.UPLOADED
    assert "Main program" in video.title
    assert default_storage.exists(video.source_key)
    assert not path.exists()
    default_storage.delete(video.source_key)
    # and a second report of the same file does nothing
    assert services.program_recording_finish(slug="main", path=str(path)) is None


def _listen(groups: list[str]) -> Any:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    for group in groups:
        async_to_sync(layer.group_add)(group, channel)
    return layer, channel


def _heard(layer: Any, channel: str, groups: list[str]) -> list[dict]:
    """Events published to `groups`, whichever way `publish` carried them."""
    if core_events.embedded_mode():
        rows = RelayedEvent.objects.filter(group__in=groups).order_by("id")
        return [row.payload for row in rows]

    async def drain() -> list[dict]:
        heard = []
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=0.5)
            except TimeoutError:
                return heard
            heard.append(message["event"])

    return async_to_sync(drain)()


def test_a_cut_publishes_engine_command_studio_state_viewer_state_and_tallies(
    holder, program, make_source, django_capture_on_commit_callbacks
) -> None:
    # given A on program, B on preview
    a = make_source(SourceState.APPROVED)
    b = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    services.program_set_preview(slug="main", editor=holder, source_key=str(b.key))
    groups = [
        services.ENGINE_GROUP,
        services.studio_group("main"),
        services.live_group("main"),
        ingest_events.source_group(str(a.key)),
        ingest_events.source_group(str(b.key)),
    ]
    RelayedEvent.objects.all().delete()
    layer, channel = _listen(groups)

    # when the editor cuts to B
    with django_capture_on_commit_callbacks(execute=True):
        services.program_cut(slug="main", editor=holder)

    # then
    heard = _heard(layer, channel, groups)
    by_type: dict[str, list[dict]] = {}
    for event in heard:
        by_type.setdefault(event["type"], []).append(event)
    command = by_type["program.command"][0]["program"]
    assert command["seq"] == _seq()
    assert command["mode"] == "source"
    assert command["source"]["key"] == str(b.key)
    assert command["transition"] == {"kind": "cut", "duration_ms": 0}
    assert by_type["program.state"][0]["program_source"] == str(b.key)
    assert by_type["program.public"][0]["on_air"]["reporter"] == b.reporter.public_name
    tallies = {event["source"]: event["tally"] for event in by_type["source.tally"]}
    assert tallies == {str(a.key): "preview", str(b.key): "program"}


def test_running_program_states_lists_only_running_programs(holder, program, staff_user) -> None:
    services.program_create(staff=staff_user, slug="north", name="North")
    states = selectors.running_program_states()
    assert [state["slug"] for state in states] == ["main"]
    assert states[0]["running"] is True
    assert set(states[0]) == {
        "slug",
        "program_id",
        "seq",
        "running",
        "width",
        "height",
        "fps",
        "mode",
        "source",
        "transition",
        "video_path",
        "slate_path",
        "lower_third",
        "standby_source_id",
        "cutaway_after_seconds",
        "cutaway_min_kbps",
    }
