"""Files the worker must refuse, each with the message the reporter sees on their page."""

from __future__ import annotations

import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from fieldcast.media.ffmpeg_binary import ffmpeg_path
from fieldcast.videos import transcoding
from fieldcast.videos.tasks import transcode_video
from tests.integration.media.clips import make_clip

NOT_A_VIDEO = (
    "This file is not a video format we accept. Please upload an MP4, MOV, 3GP, WebM, MKV, "
    "AVI, FLV or MPEG-TS video, as your phone or camera recorded it."
)
DAMAGED = (
    "We could not read this video: the file seems incomplete or damaged. Please upload it "
    "again, or export it again from your phone or camera."
)
SECRET = b"SECRET-NEWSROOM-SOURCE-"


@pytest.fixture(scope="module")
def secret_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real local video that a crafted upload tries to pull into our outputs."""
    path = tmp_path_factory.mktemp("secret") / "secret.ts"
    make_clip(path, seconds=2, extra=["-metadata", f"title={SECRET.decode()}", "-f", "mpegts"])
    return path


def _refused(upload_video: Callable[..., object], data: bytes, name: str = "clip.mp4"):
    video = upload_video(data, name=name)
    transcode_video(video.pk)
    video.refresh_from_db()
    return video


def _assert_no_outputs(video) -> None:
    assert (video.version, video.output_prefix, video.renditions) == (0, "", [])
    assert transcoding.storage_keys_under(f"videos/{video.key}/") == []


def test_zero_bytes_are_refused(upload_video) -> None:
    # given / when
    video = _refused(upload_video, b"")
    # then
    assert video.state == "failed"
    assert video.state_reason == "The uploaded file is empty. Please upload the video again."
    _assert_no_outputs(video)


def test_a_truncated_mp4_is_refused(upload_video, phone_clip: Path) -> None:
    # given the first half of an MP4 whose index (moov) is at the end
    data = phone_clip.read_bytes()
    # when
    video = _refused(upload_video, data[: len(data) // 2])
    # then
    assert video.state == "failed"
    assert video.state_reason == DAMAGED
    _assert_no_outputs(video)


def test_a_pdf_named_mp4_is_refused(upload_video) -> None:
    # given
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    # when
    video = _refused(upload_video, pdf)
    # then
    assert video.state == "failed"
    assert video.state_reason == NOT_A_VIDEO
    _assert_no_outputs(video)


def test_an_hls_playlist_named_mp4_pointing_at_a_local_file_is_refused(
    upload_video, secret_video: Path
) -> None:
    # given a playlist that lists another local video, by path and by file: URL
    playlist = (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
        f"#EXTINF:2.0,\n{secret_video}\n#EXTINF:2.0,\nfile://{secret_video}\n#EXT-X-ENDLIST\n"
    ).encode()
    # when
    video = _refused(upload_video, playlist)
    # then
    assert video.state == "failed"
    assert video.state_reason == NOT_A_VIDEO
    _assert_no_outputs(video)
    assert SECRET in secret_video.read_bytes()  # the bytes a leak would carry
    for key in transcoding.storage_keys_under(f"videos/{video.key}/"):
        with default_storage.open(key) as stored:
            assert SECRET not in stored.read()


def test_a_concat_list_is_refused(upload_video, secret_video: Path) -> None:
    # given
    concat = f"ffconcat version 1.0\nfile '{secret_video}'\n".encode()
    # when
    video = _refused(upload_video, concat)
    # then
    assert video.state == "failed"
    assert video.state_reason == NOT_A_VIDEO
    _assert_no_outputs(video)


def test_declared_20000x20000_dimensions_are_refused(upload_video, clip_dir: Path) -> None:
    # given an AVI whose headers declare 20000x20000 raw frames
    path = clip_dir / "giant.avi"
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i",
         "color=c=gray:size=16x16:rate=1:duration=1", "-c:v", "rawvideo", "-pix_fmt", "gray",
         str(path)],
        check=True,
    )  # fmt: skip
    data = bytearray(path.read_bytes())
    main_header = data.index(b"avih") + 8
    struct.pack_into("<II", data, main_header + 32, 20000, 20000)
    bitmap_header = data.index(b"strf") + 8
    struct.pack_into("<ii", data, bitmap_header + 4, 20000, 20000)
    # when
    video = _refused(upload_video, bytes(data), name="giant.mp4")
    # then
    assert video.state == "failed"
    assert video.state_reason == (
        "This video's picture is 20000x20000 pixels; we accept at most 4096x4096. "
        "Please export it at a smaller size."
    )
    _assert_no_outputs(video)


def test_an_audio_only_file_is_refused(upload_video, clip_dir: Path) -> None:
    # given an M4A voice memo
    path = make_clip(clip_dir / "memo.m4a", video=False)
    # when
    video = _refused(upload_video, path.read_bytes(), name="memo.m4a")
    # then
    assert video.state == "failed"
    assert video.state_reason == (
        "This file has no video, only sound or other data. Please upload a video recording."
    )
    _assert_no_outputs(video)


@override_settings(TRANSCODE_MAX_SOURCE_BYTES=10_000)
def test_an_over_size_file_is_refused(upload_video, phone_clip: Path) -> None:
    # given a limit of 10 kB
    # when
    video = _refused(upload_video, phone_clip.read_bytes())
    # then
    assert video.state == "failed"
    assert video.state_reason == "This file is too large: we accept videos up to 9.8\xa0KB."
    _assert_no_outputs(video)


@override_settings(TRANSCODE_MAX_DURATION_SECONDS=60)
def test_an_over_long_video_is_refused(upload_video, clip_dir: Path) -> None:
    # given a limit of one minute and a 2 minute clip (kept tiny: 64x48, 1 fps, silent)
    path = make_clip(clip_dir / "long.mp4", seconds=120, size="64x48", rate=1, audio=False)
    # when
    video = _refused(upload_video, path.read_bytes())
    # then
    assert video.state == "failed"
    assert video.state_reason == "This video is 2 minutes long; we accept up to 1 minute."
    _assert_no_outputs(video)


@override_settings(TRANSCODE_MAX_FRAME_RATE=24.0)
def test_an_over_fast_frame_rate_is_refused(upload_video, phone_clip: Path) -> None:
    # given a 25 fps clip and a 24 fps limit
    # when
    video = _refused(upload_video, phone_clip.read_bytes())
    # then
    assert video.state == "failed"
    assert video.state_reason == "This video has 25 frames per second; we accept up to 24."
    _assert_no_outputs(video)


@override_settings(TRANSCODE_MAX_STREAMS=1)
def test_too_many_streams_are_refused(upload_video, phone_clip: Path) -> None:
    # given a clip with video and audio and a one-track limit
    # when
    video = _refused(upload_video, phone_clip.read_bytes())
    # then
    assert video.state == "failed"
    assert video.state_reason == "This file has 2 tracks; we accept at most 1."
    _assert_no_outputs(video)
