"""The program engine's pure parts: letterbox maths, the FFmpeg command, stamps, audio, decisions."""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest

from fieldcast.core.errors import ValidationFailed
from ingest.media.pipeline import SourceSample
from ingest.program.audio import AudioFollower
from ingest.program.compositor import Box, Scaler, letterbox
from ingest.program.encoder import hls_command, ladder, master_playlist
from ingest.program.engine import ProgramEngine
from ingest.program.graphics import Planes, draw_stamp, frame_luma, read_stamp
from ingest.program.hls import FILE_NAME, playlist_segments
from ingest.program.on_air import RECOVER_SECONDS, CutawayReport, CutbackReport, Decision
from ingest.program.runtime import ProgramRuntime
from ingest.program.whep import check_viewer_offer


# --- letterbox ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "target", "box"),
    [
        ((1280, 720), (1280, 720), Box(0, 0, 1280, 720)),
        ((640, 360), (1280, 720), Box(0, 0, 1280, 720)),
        ((640, 480), (1280, 720), Box(160, 0, 960, 720)),  # 4:3: bars left and right
        ((720, 1280), (1280, 720), Box(438, 0, 404, 720)),  # a phone held upright
        ((1920, 800), (1280, 720), Box(0, 94, 1280, 532)),  # cinema: bars top and bottom
        ((321, 241), (320, 180), Box(40, 0, 240, 180)),  # odd sizes: even results
    ],
)
def test_letterbox_keeps_the_aspect_centred_on_even_pixels(source, target, box) -> None:
    # when
    result = letterbox(*source, *target)

    # then
    assert result == box
    assert all(value % 2 == 0 for value in (result.x, result.y, result.width, result.height))


def test_letterbox_refuses_an_empty_picture() -> None:
    with pytest.raises(ValueError, match="positive"):
        letterbox(0, 480, 1280, 720)


def test_scaler_letterboxes_once_per_new_frame_and_repeats_it() -> None:
    # given a 4:3 white frame and a 16:9 program
    frame = av.VideoFrame(64, 48, "yuv420p")
    for index, plane in enumerate(frame.planes):
        plane.update(bytes([235 if index == 0 else 128]) * plane.buffer_size)
    scaler = Scaler(128, 72)

    # when the same frame is asked for twice
    first = scaler.picture(frame)
    second = scaler.picture(frame)

    # then it was scaled once, with black bars beside a white middle
    assert second is first
    assert scaler.scaled == 1
    assert first.y.getpixel((2, 36)) == 16
    assert first.y.getpixel((64, 36)) == 235
    assert len(first.to_bytes()) == 128 * 72 * 3 // 2


# --- the encoder command -----------------------------------------------------------------------
def test_ladder_is_the_program_size_half_and_a_third() -> None:
    rungs = ladder(1280, 720, 25)

    assert [(r.name, r.width, r.height) for r in rungs] == [
        ("720p", 1280, 720),
        ("360p", 640, 360),
        ("240p", 426, 240),
    ]
    assert rungs[0].video_kbps > rungs[1].video_kbps > rungs[2].video_kbps


def test_hls_command_encodes_once_and_splits_to_every_rendition() -> None:
    # given
    rungs = ladder(1280, 720, 25)

    # when
    command = hls_command(
        ffmpeg="ffmpeg",
        width=1280,
        height=720,
        fps=25,
        rungs=rungs,
        out_dir=Path("/work"),
        run_id="r1",
        audio_fd=7,
    )

    # then raw video on stdin and raw audio on fd 7, one split, three scaled outputs
    joined = " ".join(command)
    assert command[command.index("-i") + 1] == "pipe:0"
    assert "pipe:7" in command
    assert command[command.index("-s") + 1] == "1280x720"
    graph = command[command.index("-filter_complex") + 1]
    assert graph.startswith("[0:v]split=3[s0][s1][s2]")
    assert "[s0]null[v0]" in graph
    assert "scale=640:360" in graph
    assert "scale=426:240" in graph
    # x264 veryfast, zerolatency, one key frame a second, 1 s HLS segments in a sliding window
    assert "-preset veryfast" in joined
    assert "-tune zerolatency" in joined
    assert command[command.index("-g") + 1] == "25"
    assert command[command.index("-sc_threshold") + 1] == "0"
    assert command[command.index("-hls_time") + 1] == "1"
    assert command[command.index("-hls_list_size") + 1] == "6"
    assert command[command.index("-var_stream_map") + 1] == (
        "v:0,a:0,name:720p v:1,a:1,name:360p v:2,a:2,name:240p"
    )
    assert command[-1] == "/work/%v.m3u8"
    assert "/work/%v_r1_%05d.ts" in command


def test_master_playlist_lists_every_rendition_best_first() -> None:
    text = master_playlist(ladder(1280, 720, 25), 25)

    assert text.startswith("#EXTM3U\n")
    assert [line for line in text.splitlines() if not line.startswith("#")] == [
        "720p.m3u8",
        "360p.m3u8",
        "240p.m3u8",
    ]
    assert "RESOLUTION=426x240" in text


def test_hls_file_names_and_playlist_segments() -> None:
    assert FILE_NAME.match("index.m3u8")
    assert FILE_NAME.match("720p_17_00001.ts")
    for bad in ("../secret.ts", "a/b.ts", "x.mp4", ".hidden.ts", "index.m3u8?x"):
        assert FILE_NAME.match(bad) is None
    text = "#EXTM3U\n#EXTINF:1.0,\na_00001.ts\n#EXTINF:1.0,\na_00002.ts\n"
    assert playlist_segments(text) == ["a_00001.ts", "a_00002.ts"]


# --- frame stamps ------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0, 1, 1234, 65535])
def test_stamp_reads_back_also_after_scaling(value) -> None:
    # given a stamped picture
    planes = Planes.black(640, 360)
    planes.y.paste(120, (0, 100, 640, 360))
    draw_stamp(planes, value)

    # when it is read at its size and scaled down to 240p
    smaller = planes.to_frame().reformat(width=426, height=240)

    # then the value survives
    assert read_stamp(planes.y) == value
    assert read_stamp(frame_luma(smaller)) == value


def test_a_picture_without_stamp_reads_as_none() -> None:
    assert read_stamp(Planes.black(320, 180).y) is None


# --- audio -------------------------------------------------------------------------------------
def _tone(samples: int, *, rate: int = 48000, value: int = 1000) -> av.AudioFrame:
    frame = av.AudioFrame(format="s16", layout="stereo", samples=samples)
    frame.planes[0].update(value.to_bytes(2, "little", signed=True) * (samples * 2))
    frame.sample_rate = rate
    frame.pts, frame.time_base = 0, Fraction(1, rate)
    return frame


def test_audio_is_silence_until_prebuffered_then_the_source_sound() -> None:
    # given a 25 fps program (1920 samples a tick)
    follower = AudioFollower(25)

    # when one tick of sound arrives (less than the two-tick prebuffer), then two more
    follower.feed("a", [_tone(1920)])
    first = follower.take()
    follower.feed("a", [_tone(1920), _tone(1920)])
    second = follower.take()

    # then silence first, then the tone, always exactly one tick long
    assert first == bytes(1920 * 4)
    assert len(second) == 1920 * 4
    assert second[:4] == (1000).to_bytes(2, "little", signed=True) * 2


def test_audio_of_another_rate_is_resampled_and_a_new_input_starts_afresh() -> None:
    follower = AudioFollower(25)
    follower.feed("a", [_tone(1920 * 2)] * 2)
    follower.feed("b", [_tone(960, rate=16000)])  # 60 ms at 16 kHz: 2880 samples at 48 kHz

    # the new input's sound replaced the old; it is still under the prebuffer: silence
    assert follower.take() == bytes(1920 * 4)


def test_audio_ran_dry_counts_an_underrun_and_pads_with_silence() -> None:
    follower = AudioFollower(25)
    follower.feed("a", [_tone(1920 * 2 + 100)])
    follower.take()
    follower.take()
    tail = follower.take()

    assert follower.underruns == 1
    assert len(tail) == 1920 * 4
    assert tail[400:] == bytes(len(tail) - 400)


def test_audio_needs_a_frame_rate_dividing_48000() -> None:
    with pytest.raises(ValueError, match="divide"):
        AudioFollower(7)


# --- WHEP offers -------------------------------------------------------------------------------
def test_viewer_offers_must_receive_video_in_a_known_codec() -> None:
    video = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\na=recvonly\r\n"
    audio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"
    head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"

    assert check_viewer_offer(head + video + audio) is True
    assert check_viewer_offer(head + video) is False
    for sdp, code in [
        ("hello", "malformed_sdp"),
        (head + audio, "no_video"),
        (head + video.replace("VP8", "AV1"), "unsupported_codec"),
        (head + video.replace("recvonly", "sendonly"), "malformed_sdp"),
    ]:
        with pytest.raises(ValidationFailed) as error:
            check_viewer_offer(sdp)
        assert error.value.code == code


# --- what goes on air: auto cut-away and cut back ----------------------------------------------
def _source(latest_frame_at: float = 100.0, bitrate_kbps: int | None = None) -> SourceSample:
    return SourceSample(
        latest_frame=av.VideoFrame(16, 16, "yuv420p"),
        latest_frame_at=latest_frame_at,
        bitrate_kbps=bitrate_kbps,
    )


class Reports:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def running_states(self) -> list[dict[str, Any]]:
        return []

    async def claim(self, **kwargs: Any) -> bool:
        return True

    async def release(self, **kwargs: Any) -> None: ...

    async def auto_cutaway(self, **kwargs: Any) -> None:
        self.calls.append(("cutaway", kwargs))

    async def auto_cutback(self, **kwargs: Any) -> None:
        self.calls.append(("cutback", kwargs))

    async def recording_finished(self, **kwargs: Any) -> None:
        self.calls.append(("recording", kwargs))


def _state(seq: int, mode: str = "source", source_id: int | None = 1, **extra: Any) -> dict:
    return {
        "slug": "main",
        "seq": seq,
        "running": True,
        "width": 320,
        "height": 180,
        "fps": 25,
        "mode": mode,
        "source": {"id": source_id} if source_id is not None else None,
        "transition": {"kind": "cut", "duration_ms": 0},
        "video_path": None,
        "slate_path": None,
        "lower_third": {"visible": False},
        "standby_source_id": extra.pop("standby", None),
        "cutaway_after_seconds": 1.0,
        "cutaway_min_kbps": extra.pop("min_kbps", 0),
    }


def _runtime() -> ProgramRuntime:
    return ProgramRuntime(_state(5), reporter=Reports(), root=Path("/nonexistent"))


def _on_air(decisions: list[Decision]) -> list[tuple[Any, bool]]:
    return [(decision.target, decision.lower_third) for decision in decisions]


def _reports(decisions: list[Decision]) -> list[tuple[str, int]]:
    """The reports the decisions asked the caller to send, as (kind, seq)."""
    out = []
    for decision in decisions:
        for report in decision.reports:
            if isinstance(report, CutawayReport):
                out.append(("cutaway", report.cutaway.seq))
            else:
                assert isinstance(report, CutbackReport)
                out.append(("cutback", report.seq))
    return out


def test_a_fresh_source_is_on_air_with_its_lower_third() -> None:
    decisions = [_runtime().decide(100.5, {1: _source()})]

    assert _on_air(decisions) == [(("source", 1), True)]
    assert _reports(decisions) == []


def test_a_stalled_source_goes_to_the_slate_at_once_and_is_reported_once() -> None:
    runtime = _runtime()
    stalled = {1: _source(latest_frame_at=100.0)}

    decisions = [runtime.decide(101.2, stalled), runtime.decide(101.3, stalled)]

    assert _on_air(decisions) == [(("slate", None), False)] * 2
    assert _reports(decisions) == [("cutaway", 5)]
    report = decisions[0].reports[0]
    assert isinstance(report, CutawayReport)
    assert "1.2 s" in report.cutaway.reason


def test_a_source_under_the_minimum_bitrate_is_cut_away_to_the_standby() -> None:
    runtime = _runtime()
    runtime.update(_state(6, standby=2, min_kbps=300))
    sources = {1: _source(bitrate_kbps=120), 2: _source()}

    decisions = [runtime.decide(100.2, sources)]

    assert _on_air(decisions) == [(("source", 2), False)]
    report = decisions[0].reports[0]
    assert isinstance(report, CutawayReport)
    assert "120" in report.cutaway.reason


def test_when_the_studio_acknowledged_the_cut_away_recovery_asks_for_the_cut_back() -> None:
    runtime = _runtime()
    decisions = [runtime.decide(101.5, {1: _source(latest_frame_at=100.0)})]  # cut away at seq 5
    runtime.update(_state(6, mode="slate", source_id=None))  # the studio's answer
    for now in (102.0, 102.0 + RECOVER_SECONDS - 0.1, 102.0 + RECOVER_SECONDS):
        decisions.append(runtime.decide(now, {1: _source(latest_frame_at=now)}))

    # the slate stays until the studio cuts back; the cut back is asked for once, at seq 6
    assert [target for target, _lower in _on_air(decisions[1:])] == [("slate", None)] * 3
    assert _reports(decisions) == [("cutaway", 5), ("cutback", 6)]


def test_without_an_answer_from_the_studio_the_engine_cuts_back_by_itself() -> None:
    runtime = _runtime()
    decisions = [runtime.decide(101.5, {1: _source(latest_frame_at=100.0)})]
    for now in (102.0, 102.0 + RECOVER_SECONDS):
        decisions.append(runtime.decide(now, {1: _source(latest_frame_at=now)}))

    assert [target for target, _lower in _on_air(decisions[1:])] == [
        ("slate", None),
        ("source", 1),
    ]
    assert [name for name, _seq in _reports(decisions)] == ["cutaway"]


def test_an_editor_cut_elsewhere_ends_the_cut_away() -> None:
    runtime = _runtime()
    runtime.decide(101.5, {1: _source(latest_frame_at=100.0)})
    runtime.update(_state(7, source_id=3))

    first = runtime.decide(101.6, {3: _source(latest_frame_at=101.6)})

    assert _on_air([first]) == [(("source", 3), True)]
    assert runtime.cutaway is None


def test_the_runtime_sends_the_reports_a_decision_returns(tmp_path) -> None:
    # given a runtime whose source stalled
    reports = Reports()
    runtime = ProgramRuntime(_state(5), reporter=reports, root=tmp_path)

    async def scenario() -> None:
        decision = runtime.decide(101.5, {1: _source(latest_frame_at=100.0)})
        # when the caller sends what the decision returned, and the cut back later
        runtime.send_reports(decision.reports)
        cutaway = runtime.cutaway
        assert cutaway is not None
        runtime.send_reports([CutbackReport(cutaway, 6)])
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        await asyncio.gather(*pending)

    asyncio.run(scenario())

    # then the studio heard both, and the cut-away is over once its cut back was sent
    assert [(name, call["seq"]) for name, call in reports.calls] == [("cutaway", 5), ("cutback", 6)]
    assert runtime.cutaway is None


def test_a_program_made_again_under_its_slug_starts_its_seq_afresh(tmp_path) -> None:
    engine = ProgramEngine(reporter=Reports(), root=tmp_path)

    async def seen_after(*states: dict[str, Any]) -> int:
        for state in states:
            await engine.apply(state)
        return engine.seqs["main"]

    old = {"slug": "main", "program_id": 1, "seq": 9, "running": False}
    # a late, older state of the same program is ignored
    assert asyncio.run(seen_after(old, {**old, "seq": 3})) == 9
    # the first state of a new program row under the same slug is applied
    assert asyncio.run(seen_after({**old, "program_id": 2, "seq": 1})) == 1
