"""Pure media pieces: offer checks, candidate filtering, previews, the recording's timeline."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import av
import pytest
from PIL import Image

from fieldcast.core.errors import ValidationFailed
from ingest.media.ice import address_allowed, filter_sdp_candidates
from ingest.media.pipeline import encode_preview
from ingest.media.recording import Recorder
from ingest.media.srt import (
    LISTENER_LOG_LINE_CHARS,
    LISTENER_LOG_LINES,
    ListenerLog,
    parse_port_range,
    report_failed_call,
    srt_listener_command,
)
from ingest.media.whip import check_offer

VIDEO_OFFER = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\na=rtpmap:96 {codec}/90000\r\n"
    "a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\n"
    "a=candidate:2 1 udp 2130706431 192.168.1.7 5001 typ host\r\n"
    "a=candidate:3 1 udp 2130706431 abcd.local 5002 typ host\r\n"
)


@pytest.mark.parametrize("codec", ["VP8", "H264"])
def test_offer_with_vp8_or_h264_is_accepted(codec) -> None:
    check_offer(VIDEO_OFFER.format(codec=codec))


@pytest.mark.parametrize(
    ("sdp", "code"),
    [
        ("", "malformed_sdp"),
        ("o=- 1 1 IN IP4 127.0.0.1\r\n", "malformed_sdp"),
        ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n", "no_video"),
        (VIDEO_OFFER.format(codec="AV1"), "unsupported_codec"),
        (VIDEO_OFFER.format(codec="VP8").replace("a=sendonly", "a=recvonly"), "malformed_sdp"),
    ],
)
def test_bad_offers_are_refused_with_a_code(sdp, code) -> None:
    with pytest.raises(ValidationFailed) as error:
        check_offer(sdp)
    assert error.value.code == code


def test_only_allowed_remote_candidates_are_kept() -> None:
    filtered = filter_sdp_candidates(VIDEO_OFFER.format(codec="VP8"), ["127.0.0.0/8"])
    assert " 127.0.0.1 5000 " in filtered
    assert "192.168.1.7" not in filtered
    assert "abcd.local" not in filtered


def test_no_networks_means_any_address() -> None:
    sdp = VIDEO_OFFER.format(codec="VP8")
    assert filter_sdp_candidates(sdp, []) == sdp
    assert address_allowed("8.8.8.8", []) is True


def test_preview_is_a_letterboxed_320x180_jpeg() -> None:
    frame = av.VideoFrame(640, 480, "yuv420p")
    jpeg = encode_preview(frame)
    assert jpeg[:2] == b"\xff\xd8"
    image = Image.open(io.BytesIO(jpeg))
    assert image.size == (320, 180)


def test_recording_keeps_the_gap_of_an_outage_and_rescales(tmp_path) -> None:
    # given frames for 1 s, a 5 s outage, then 1 s at another size (a quality change)
    recorder = Recorder(tmp_path / "rec.mp4")
    for index in range(15):
        recorder.write(av.VideoFrame(320, 240, "yuv420p"), at=100.0 + index / 15)
    for index in range(15):
        recorder.write(av.VideoFrame(160, 120, "yuv420p"), at=106.0 + index / 15)

    # when
    path = recorder.close()

    # then one file, first frame's size, spanning the outage
    assert path == tmp_path / "rec.mp4"
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
    assert len(frames) == 30
    assert (frames[-1].width, frames[-1].height) == (320, 240)
    assert frames[-1].time - frames[0].time == pytest.approx(6.93, abs=0.05)


def test_empty_recording_gives_nothing(tmp_path) -> None:
    assert Recorder(tmp_path / "none.mp4").close() is None


def test_srt_listener_command_and_ports() -> None:
    command = srt_listener_command(host="127.0.0.1", port=9001, passphrase="p" * 16, wait_seconds=5)
    url = command[command.index("-i") + 1]
    assert url.startswith("srt://127.0.0.1:9001?mode=listener&passphrase=pppppppppppppppp")
    assert "listen_timeout=5000000" in url
    assert command[-3:] == ["-f", "mpegts", "pipe:1"]
    assert list(parse_port_range("9000-9002")) == [9000, 9001, 9002]


def _chatty_listener(script: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter, our own script
        [sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def test_srt_listener_log_keeps_only_the_last_lines_and_a_failed_call_is_a_warning(
    caplog,
) -> None:
    # given a listener that writes far more (and longer) lines than we keep, then gives up
    process = _chatty_listener(
        "import sys\n"
        "for i in range(5000): print('[h264] non-existing PPS 0 referenced', 'x' * 500, i, "
        "file=sys.stderr)\n"
        "print('srt://h:1?mode=listener&passphrase=s3cret&pbkeylen=16: I/O error', file=sys.stderr)\n"
        "print('Output file is empty', file=sys.stderr); sys.exit(1)"
    )
    log = ListenerLog(process)
    process.wait(timeout=30)
    # when the call is reported
    with caplog.at_level(logging.INFO, logger="ingest.media.srt"):
        report_failed_call(9001, process, log)
    # then the last lines only, each cut short, at WARNING with what to change
    lines = log.text().splitlines()
    assert len(lines) == LISTENER_LOG_LINES
    assert lines[-2:] == [
        "srt://h:1?mode=listener&passphrase=…&pbkeylen=16: I/O error",  # no secret in the log
        "Output file is empty",
    ]
    assert max(len(line) for line in lines) == LISTENER_LOG_LINE_CHARS
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "tsparse" in record.getMessage()


def test_srt_listener_nobody_called_is_no_warning(caplog) -> None:
    process = _chatty_listener("import sys; sys.exit(1)")  # Debian's FFmpeg times out silently
    log = ListenerLog(process)
    process.wait(timeout=30)
    with caplog.at_level(logging.INFO, logger="ingest.media.srt"):
        report_failed_call(9001, process, log)
    assert [record.levelno for record in caplog.records] == [logging.INFO]


def test_recording_carries_audio_next_to_the_picture(tmp_path) -> None:
    # given 1 s of video and 1 s of 20 ms stereo audio frames (as aiortc decodes Opus)
    recorder = Recorder(tmp_path / "av.mp4")
    recorder.with_audio = True
    for index in range(15):
        recorder.write(av.VideoFrame(320, 240, "yuv420p"), at=10.0 + index / 15)
    for index in range(50):
        audio = av.AudioFrame(format="s16", layout="stereo", samples=960)
        for plane in audio.planes:
            plane.update(bytes(plane.buffer_size))
        audio.sample_rate = 48000
        recorder.write_audio(audio, at=10.0 + index * 0.02)

    # when
    path = recorder.close()

    # then the file has both streams, about a second each
    with av.open(str(path)) as container:
        assert [s.type for s in container.streams] == ["video", "audio"]
        samples = sum(frame.samples for frame in container.decode(audio=0))
    assert 44000 <= samples <= 52000
    assert recorder.audio_frames == 50
