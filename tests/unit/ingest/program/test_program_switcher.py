"""The studio switcher's rules: who may switch, what may go on air, what each switch records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.models import Assignment
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fieldcast.points.models import PointEvent
from ingest.models import LiveSource, Program, ProgramLogEntry, SourceState
from ingest.program import selectors, services
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _snapshot(program: Program) -> tuple:
    program.refresh_from_db()
    return (
        program.seq,
        program.mode,
        program.program_source_id,
        program.preview_source_id,
        program.switcher_holder_id,
        program.running,
        ProgramLogEntry.objects.filter(program=program).count(),
    )


def test_the_default_channel_main_exists() -> None:
    # then (the migration made it)
    program = Program.objects.get(slug="main")
    assert (program.width, program.height, program.fps) == (1280, 720, 25)
    assert program.running is False
    assert services.program_default().pk == program.pk


def test_holder_cuts_an_approved_source_to_program(holder, program, make_source) -> None:
    # given
    source = make_source(SourceState.APPROVED)
    services.program_set_preview(slug="main", editor=holder, source_key=str(source.key))
    program.refresh_from_db()
    before = program.seq

    # when
    services.program_cut(slug="main", editor=holder)

    # then
    program.refresh_from_db()
    source.refresh_from_db()
    assert program.mode == "source"
    assert program.program_source_id == source.pk
    assert program.preview_source_id is None
    assert program.seq == before + 1
    assert source.state == SourceState.ON_AIR
    entry = ProgramLogEntry.objects.filter(program=program).first()
    assert (entry.action, entry.source_id, entry.actor_id) == ("cut", source.pk, holder.pk)


def test_cut_of_a_source_that_is_not_approved_is_refused_with_the_reason(
    holder, program, make_source
) -> None:
    # given a live but unapproved source on preview
    source = make_source(SourceState.LIVE, title="Market fire")
    services.program_set_preview(slug="main", editor=holder, source_key=str(source.key))
    before = _snapshot(program)

    # when
    with pytest.raises(Conflict) as refused:
        services.program_cut(slug="main", editor=holder)

    # then
    assert refused.value.code == "source_not_approved"
    assert "not approved yet" in refused.value.message
    assert "Market fire" in refused.value.message
    assert _snapshot(program) == before
    source.refresh_from_db()
    assert source.state == SourceState.LIVE


def test_an_ended_source_cannot_be_cut(holder, program, make_source) -> None:
    source = make_source(SourceState.ENDED)
    before = _snapshot(program)
    with pytest.raises(Conflict) as refused:
        services.program_cut(slug="main", editor=holder, source_key=str(source.key))
    assert "has ended" in refused.value.message
    assert _snapshot(program) == before


def test_an_editor_who_does_not_hold_the_switcher_is_refused(holder, program, make_source) -> None:
    # given another editor, and an approved source
    other = UserFactory(roles=["reporter", "editor"])
    source = make_source(SourceState.APPROVED)
    before = _snapshot(program)

    # when / then every switching action is refused
    for call in (
        lambda: services.program_cut(slug="main", editor=other, source_key=str(source.key)),
        lambda: services.program_set_preview(slug="main", editor=other, source_key=str(source.key)),
        lambda: services.program_show_slate(slug="main", editor=other),
        lambda: services.program_set_lower_third(slug="main", editor=other, visible=True),
        lambda: services.program_stop(slug="main", editor=other),
    ):
        with pytest.raises(PermissionDenied) as refused:
            call()
        assert refused.value.code == "not_switcher_holder"
        assert holder.public_name in refused.value.message
    assert _snapshot(program) == before
    source.refresh_from_db()
    assert source.state == SourceState.APPROVED


def test_nobody_holding_the_switcher_means_take_it_first(editor, program, make_source) -> None:
    source = make_source(SourceState.APPROVED)
    before = _snapshot(program)
    with pytest.raises(PermissionDenied) as refused:
        services.program_set_preview(slug="main", editor=editor, source_key=str(source.key))
    assert "Take the switcher first" in refused.value.message
    assert _snapshot(program) == before


def test_a_non_editor_can_neither_take_the_switcher_nor_kill(
    program, reporter, make_source
) -> None:
    source = make_source(SourceState.APPROVED)
    before = _snapshot(program)
    with pytest.raises(PermissionDenied) as refused:
        services.program_take_switcher(slug="main", editor=reporter)
    assert refused.value.code == "not_editor"
    with pytest.raises(PermissionDenied):
        services.program_kill_source(slug="main", editor=reporter, source_key=str(source.key))
    assert _snapshot(program) == before
    source.refresh_from_db()
    assert source.state == SourceState.APPROVED


def test_switching_needs_a_running_program(editor, program, make_source) -> None:
    services.program_take_switcher(slug="main", editor=editor)
    source = make_source(SourceState.APPROVED)
    before = _snapshot(program)
    with pytest.raises(Conflict) as refused:
        services.program_cut(slug="main", editor=editor, source_key=str(source.key))
    assert refused.value.code == "program_stopped"
    assert _snapshot(program) == before


def test_cut_without_a_preview_asks_for_one(holder, program) -> None:
    before = _snapshot(program)
    with pytest.raises(ValidationFailed) as refused:
        services.program_cut(slug="main", editor=holder)
    assert refused.value.code == "no_preview"
    assert _snapshot(program) == before


def test_cut_to_the_source_already_on_program_is_refused(holder, program, make_source) -> None:
    source = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(source.key))
    before = _snapshot(program)
    with pytest.raises(Conflict) as refused:
        services.program_cut(slug="main", editor=holder, source_key=str(source.key))
    assert refused.value.code == "already_on_program"
    assert _snapshot(program) == before


def test_cutting_away_returns_the_old_source_to_approved_and_to_preview(
    holder, program, make_source
) -> None:
    # given A on program
    a = make_source(SourceState.APPROVED)
    b = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    services.program_set_preview(slug="main", editor=holder, source_key=str(b.key))

    # when
    services.program_cut(slug="main", editor=holder)

    # then
    program.refresh_from_db()
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, b.state) == (SourceState.APPROVED, SourceState.ON_AIR)
    assert program.program_source_id == b.pk
    assert program.preview_source_id == a.pk
    assert selectors.tally_for(program=program, source=a) == "preview"
    assert selectors.tally_for(program=program, source=b) == "program"


def test_fade_records_its_duration_and_the_engine_state_says_fade(
    holder, program, make_source
) -> None:
    source = make_source(SourceState.APPROVED)
    services.program_set_preview(slug="main", editor=holder, source_key=str(source.key))

    services.program_fade(slug="main", editor=holder, duration_ms=800)

    program.refresh_from_db()
    assert program.program_source_id == source.pk
    entry = ProgramLogEntry.objects.filter(program=program).first()
    assert (entry.action, entry.detail) == ("fade", "800 ms")
    state = selectors.program_engine_state(program, transition={"kind": "fade", "duration_ms": 800})
    assert state["transition"] == {"kind": "fade", "duration_ms": 800}
    assert state["source"]["key"] == str(source.key)


@pytest.mark.parametrize("duration", [0, 99, 5001, "500", True, 1.5])
def test_fade_duration_out_of_range_is_refused(holder, program, make_source, duration) -> None:
    source = make_source(SourceState.APPROVED)
    services.program_set_preview(slug="main", editor=holder, source_key=str(source.key))
    before = _snapshot(program)
    with pytest.raises(ValidationFailed) as refused:
        services.program_fade(slug="main", editor=holder, duration_ms=duration)
    assert "milliseconds" in refused.value.message
    assert _snapshot(program) == before


def test_slate_takes_the_source_off_air(holder, program, make_source) -> None:
    source = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(source.key))

    services.program_show_slate(slug="main", editor=holder)

    program.refresh_from_db()
    source.refresh_from_db()
    assert (program.mode, program.program_source_id) == ("slate", None)
    assert source.state == SourceState.APPROVED
    assert selectors.program_engine_state(program)["source"] is None


def test_slate_twice_is_refused(holder, program) -> None:
    before = _snapshot(program)
    with pytest.raises(Conflict):
        services.program_show_slate(slug="main", editor=holder)
    assert _snapshot(program) == before


def test_only_a_published_clip_plays_to_program(holder, program) -> None:
    # given a clip waiting for review, and a published one
    waiting = VideoFactory(state="pending_review", download_key="v/1/download.mp4")
    published = VideoFactory(state="published", download_key="v/2/download.mp4")
    before = _snapshot(program)

    # when / then
    with pytest.raises(ValidationFailed) as refused:
        services.program_play_video(slug="main", editor=holder, video_id=waiting.pk)
    assert refused.value.code == "video_not_published"
    assert _snapshot(program) == before

    services.program_play_video(slug="main", editor=holder, video_id=published.pk)
    program.refresh_from_db()
    assert (program.mode, program.video_id) == ("video", published.pk)
    assert selectors.program_engine_state(program)["video_path"] == "v/2/download.mp4"


def test_a_missing_clip_is_refused(holder, program) -> None:
    before = _snapshot(program)
    with pytest.raises(ValidationFailed):
        services.program_play_video(slug="main", editor=holder, video_id=999999)
    assert _snapshot(program) == before


def test_kill_takes_the_source_off_air_and_stops_it(holder, program, make_source) -> None:
    # given B on program and also the standby
    b = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(b.key))
    services.program_set_standby(slug="main", editor=holder, source_key=str(b.key))

    # when any editor kills it
    other = UserFactory(roles=["reporter", "editor"])
    services.program_kill_source(
        slug="main", editor=other, source_key=str(b.key), reason="Faces of minors"
    )

    # then program shows the slate and the source is stopped for good
    program.refresh_from_db()
    b.refresh_from_db()
    assert (program.mode, program.program_source_id, program.standby_source_id) == (
        "slate",
        None,
        None,
    )
    assert b.state == SourceState.KILLED
    assert b.state_reason == "Faces of minors"
    entry = ProgramLogEntry.objects.filter(program=program).first()
    assert (entry.action, entry.source_id, entry.actor_id) == ("kill", b.pk, other.pk)


def test_kill_of_a_preview_source_clears_the_preview(holder, program, make_source) -> None:
    a = make_source(SourceState.LIVE)
    services.program_set_preview(slug="main", editor=holder, source_key=str(a.key))
    services.program_kill_source(slug="main", editor=holder, source_key=str(a.key))
    program.refresh_from_db()
    a.refresh_from_db()
    assert program.preview_source_id is None
    assert a.state == SourceState.KILLED


def test_kill_of_an_ended_source_is_refused(holder, program, make_source) -> None:
    a = make_source(SourceState.ENDED)
    before = _snapshot(program)
    with pytest.raises(Conflict):
        services.program_kill_source(slug="main", editor=holder, source_key=str(a.key))
    assert _snapshot(program) == before


def test_unknown_source_is_not_found(holder, program) -> None:
    before = _snapshot(program)
    with pytest.raises(NotFound):
        services.program_set_preview(
            slug="main", editor=holder, source_key="00000000-0000-0000-0000-000000000000"
        )
    assert _snapshot(program) == before


def test_unknown_channel_is_not_found(editor) -> None:
    with pytest.raises(NotFound):
        services.program_take_switcher(slug="nope", editor=editor)


def test_first_time_on_air_pays_used_on_air_once(holder, program, make_source) -> None:
    # given
    a = make_source(SourceState.APPROVED)
    b = make_source(SourceState.APPROVED)

    # when A goes to program twice
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    services.program_cut(slug="main", editor=holder, source_key=str(b.key))
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))

    # then A's reporter was paid once
    paid = PointEvent.objects.filter(user=a.reporter, rule="used_on_air")
    assert paid.count() == 1
    assert paid.get().key == f"used_on_air:live:{a.key}"


def test_take_and_hand_over(editor, program) -> None:
    # given
    other = UserFactory(roles=["reporter", "editor"])
    services.program_take_switcher(slug="main", editor=editor)

    # when the other editor takes it
    services.program_take_switcher(slug="main", editor=other)
    program.refresh_from_db()
    assert program.switcher_holder_id == other.pk

    # and hands it back
    services.program_hand_over(slug="main", editor=other, to_user_id=editor.pk)
    program.refresh_from_db()
    assert program.switcher_holder_id == editor.pk
    actions = list(ProgramLogEntry.objects.filter(program=program).values_list("action", flat=True))
    assert actions == ["hand_over", "take", "take"]


def test_hand_over_to_a_non_editor_is_refused(editor, program, reporter) -> None:
    services.program_take_switcher(slug="main", editor=editor)
    before = _snapshot(program)
    with pytest.raises(ValidationFailed) as refused:
        services.program_hand_over(slug="main", editor=editor, to_user_id=reporter.pk)
    assert "another editor" in refused.value.message
    assert _snapshot(program) == before


def test_lower_third_toggle_is_logged_and_sent_to_the_engine(holder, program, make_source) -> None:
    source = make_source(SourceState.APPROVED, title="Flooded bridge")
    services.program_cut(slug="main", editor=holder, source_key=str(source.key))

    services.program_set_lower_third(slug="main", editor=holder, visible=True)

    program.refresh_from_db()
    third = selectors.program_engine_state(program)["lower_third"]
    assert third == {
        "visible": True,
        "name": source.reporter.public_name,
        "location": "",
        "story": "Flooded bridge",
    }
    assert ProgramLogEntry.objects.filter(program=program).first().action == "lower_third"


def test_standby_must_be_approved(holder, program, make_source) -> None:
    source = make_source(SourceState.LIVE)
    before = _snapshot(program)
    with pytest.raises(Conflict):
        services.program_set_standby(slug="main", editor=holder, source_key=str(source.key))
    assert _snapshot(program) == before


@pytest.mark.parametrize(("after", "kbps"), [(0.1, 0), (31, 0), (1.0, -1), (1.0, 20001)])
def test_cutaway_settings_out_of_range_are_refused(holder, program, after, kbps) -> None:
    before = _snapshot(program)
    with pytest.raises(ValidationFailed):
        services.program_set_cutaway(slug="main", editor=holder, after_seconds=after, min_kbps=kbps)
    assert _snapshot(program) == before


def test_start_twice_and_stop_twice_are_refused(holder, program) -> None:
    before = _snapshot(program)
    with pytest.raises(Conflict):
        services.program_start(slug="main", editor=holder)
    assert _snapshot(program) == before
    services.program_stop(slug="main", editor=holder)
    stopped = _snapshot(program)
    with pytest.raises(Conflict):
        services.program_stop(slug="main", editor=holder)
    assert _snapshot(program) == stopped


def test_stop_takes_the_source_off_air(holder, program, make_source) -> None:
    source = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(source.key))
    services.program_stop(slug="main", editor=holder)
    program.refresh_from_db()
    source.refresh_from_db()
    assert (program.running, program.mode, program.program_source_id) == (False, "slate", None)
    assert source.state == SourceState.APPROVED


def test_staff_create_a_channel(staff_user) -> None:
    program = services.program_create(staff=staff_user, slug="Region-North", name="North")
    assert (program.slug, program.name, program.width) == ("region-north", "North", 1280)


@pytest.mark.parametrize(
    ("slug", "name", "fields"),
    [
        ("main", "Again", {}),
        ("whep", "Reserved", {}),
        ("no spaces", "Bad", {}),
        ("ok", "", {}),
        ("ok", "Odd", {"width": 641}),
        ("ok", "Huge", {"fps": 120}),
    ],
)
def test_bad_channels_are_refused(staff_user, slug, name, fields) -> None:
    before = Program.objects.count()
    with pytest.raises((ValidationFailed, Conflict)):
        services.program_create(staff=staff_user, slug=slug, name=name, **fields)
    assert Program.objects.count() == before


def test_an_editor_cannot_create_a_channel(editor) -> None:
    with pytest.raises(PermissionDenied):
        services.program_create(staff=editor, slug="north", name="North")
    assert not Program.objects.filter(slug="north").exists()


def test_source_state_is_kept_on_air_only_while_on_program(holder, program, make_source) -> None:
    a = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    assert LiveSource.objects.get(pk=a.pk).state == SourceState.ON_AIR
    services.program_show_slate(slug="main", editor=holder)
    assert LiveSource.objects.get(pk=a.pk).state == SourceState.APPROVED


def test_lower_third_names_the_assignment_city(holder, program, make_source) -> None:
    # given a source filmed for an assignment in Kumasi
    now = timezone.now()
    assignment = Assignment.objects.create(
        title="Kejetia market",
        brief="Footage of the market.",
        city="Kumasi",
        starts_at=now,
        ends_at=now + timedelta(days=1),
        created_by=holder,
    )
    source = make_source(SourceState.APPROVED, title="", assignment_ref=str(assignment.pk))

    # when it goes to program
    services.program_cut(slug="main", editor=holder, source_key=str(source.key))

    # then the engine gets the city, and the assignment's title stands in for a missing title
    program.refresh_from_db()
    state = selectors.program_engine_state(program)
    assert (state["source"]["location"], state["source"]["story_title"]) == (
        "Kumasi",
        "Kejetia market",
    )


def test_the_phone_tally_spans_every_running_channel(
    holder, program, make_source, staff_user
) -> None:
    # given a second running channel with A on preview, while main has A on program
    services.program_create(staff=staff_user, slug="north", name="North")
    services.program_take_switcher(slug="north", editor=holder)
    services.program_start(slug="north", editor=holder)
    a = make_source(SourceState.APPROVED)
    b = make_source(SourceState.APPROVED)
    services.program_set_preview(slug="north", editor=holder, source_key=str(a.key))
    services.program_set_preview(slug="main", editor=holder, source_key=str(b.key))

    # then
    assert selectors.source_tally(source=a) == "preview"
    services.program_cut(slug="main", editor=holder, source_key=str(a.key))
    assert selectors.source_tally(source=a) == "program"
    assert selectors.source_tally(source=b) == "preview"

    # and a stopped channel lights nothing
    services.program_stop(slug="north", editor=holder)
    services.program_show_slate(slug="main", editor=holder)
    assert selectors.source_tally(source=a) == "none"
