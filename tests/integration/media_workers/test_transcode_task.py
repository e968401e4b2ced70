"""The transcode task end to end, on a real tiny clip, in whatever storage the settings name."""

from __future__ import annotations

import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from fieldcast.media.ffmpeg_binary import ffmpeg_path
from fieldcast.videos import transcoding
from fieldcast.videos.models import Video
from fieldcast.videos.tasks import transcode_video
from tests.integration.media.clips import make_clip

EXPECTED_FILES = [
    "240p/index.m3u8",
    "240p/seg_00000.ts",
    "download.mp4",
    "master.m3u8",
    "poster.jpg",
    "thumbnails.jpg",
    "thumbnails.vtt",
]


def _files_under(prefix: str) -> list[str]:
    return sorted(key.removeprefix(prefix) for key in transcoding.storage_keys_under(prefix))


def test_transcode_task_publishes_one_hls_set_and_moves_the_video_to_review(
    upload_video, phone_clip: Path
) -> None:
    # given an uploaded 3 s 320x240 phone clip
    video = upload_video(phone_clip.read_bytes())
    # when
    transcode_video(video.pk)
    # then
    video.refresh_from_db()
    prefix = f"videos/{video.key}/v1/"
    assert video.state == "pending_review"
    assert video.state_reason == ""
    assert video.progress == 100
    assert video.version == 1
    assert video.output_prefix == prefix
    assert video.renditions == [
        {"name": "240p", "height": 240, "width": 320, "bandwidth": 464_000,
         "playlist": "240p/index.m3u8"}
    ]  # fmt: skip
    assert video.poster_key == prefix + "poster.jpg"
    assert video.thumbnails_key == prefix + "thumbnails.jpg"
    assert video.download_key == prefix + "download.mp4"
    assert (video.width, video.height, video.frame_rate) == (320, 240, 25.0)
    assert video.duration_seconds == pytest.approx(3.0, abs=0.1)
    assert video.capture_metadata["format"]["location"] == "+51.5007-000.1246/"
    assert video.capture_metadata["format"]["model"] == "iPhone 15"
    assert _files_under(f"videos/{video.key}/") == ["v1/" + name for name in EXPECTED_FILES]
    with default_storage.open(prefix + "master.m3u8") as master:
        text = master.read().decode()
    assert "240p/index.m3u8" in text
    assert "RESOLUTION=320x240" in text


def test_a_clip_shorter_than_a_second_still_gets_its_poster_and_thumbnail_strip(
    upload_video, clip_dir: Path
) -> None:
    # given a 0.6 s clip (a live an editor stopped at once, recorded and handed over)
    clip = make_clip(clip_dir / "blink.mp4", seconds=0.6)
    video = upload_video(clip.read_bytes())
    # when
    transcode_video(video.pk)
    # then it waits for review with every output, the strip holding its one picture
    video.refresh_from_db()
    assert (video.state, video.state_reason) == ("pending_review", "")
    assert _files_under(f"videos/{video.key}/") == ["v1/" + name for name in EXPECTED_FILES]


def test_transcode_task_output_download_plays_and_has_no_phone_tags(
    upload_video, phone_clip: Path
) -> None:
    # given a transcoded phone clip
    video = upload_video(phone_clip.read_bytes())
    transcode_video(video.pk)
    video.refresh_from_db()
    # when the download MP4 is read back from storage and decoded to the end
    with tempfile.TemporaryDirectory() as scratch:
        local = Path(scratch) / "download.mp4"
        with default_storage.open(video.download_key) as stored:
            local.write_bytes(stored.read())
        decoded = subprocess.run(
            [ffmpeg_path(), "-v", "error", "-i", str(local), "-f", "null", "-"],
            capture_output=True,
            text=True,
            check=False,
        )
        data = local.read_bytes()
    # then
    assert decoded.returncode == 0
    assert decoded.stderr == ""
    assert data.index(b"moov") < data.index(b"mdat")  # faststart: plays while downloading
    for value in (b"+51.5007", b"iPhone", b"Apple", b"2026-11-20"):
        assert value not in data


def test_transcode_task_run_again_after_a_killed_attempt_leaves_exactly_one_hls_set(
    upload_video, phone_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a first attempt that uploaded everything and died before the database update
    video = upload_video(phone_clip.read_bytes())

    def killed(**kwargs: object) -> None:
        raise KeyboardInterrupt  # stands for SIGKILL: nothing after this line runs

    with monkeypatch.context() as patch:
        patch.setattr(transcoding.services, "video_processing_succeed", killed)
        with pytest.raises(KeyboardInterrupt):
            transcode_video(video.pk)
    video.refresh_from_db()
    first_files = _files_under(f"videos/{video.key}/")
    assert (video.state, video.version) == ("processing", 0)
    # and stray objects a half-written attempt would leave under the same prefix
    prefix = f"videos/{video.key}/v1/"
    default_storage.save(prefix + "720p/seg_00009.ts", ContentFile(b"half"))
    default_storage.save(prefix + "240p/seg_00007.ts", ContentFile(b"half"))
    # when the message is redelivered and the task runs again
    transcode_video(video.pk)
    # then one complete set, under the same keys as the first attempt, no leftovers
    video.refresh_from_db()
    assert (video.state, video.version, video.output_prefix) == ("pending_review", 1, prefix)
    assert first_files == ["v1/" + name for name in EXPECTED_FILES]
    assert _files_under(f"videos/{video.key}/") == first_files


def test_transcode_task_delivered_again_after_success_changes_nothing(
    upload_video, phone_clip: Path
) -> None:
    # given a video already transcoded
    video = upload_video(phone_clip.read_bytes())
    transcode_video(video.pk)
    before = Video.objects.values().get(pk=video.pk)
    files = _files_under(f"videos/{video.key}/")
    # when the same message is delivered once more
    transcode_video(video.pk)
    # then
    assert Video.objects.values().get(pk=video.pk) == before
    assert _files_under(f"videos/{video.key}/") == files


def test_transcode_task_retries_storage_trouble_then_fails_with_a_readable_reason(
    upload_video, phone_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given storage that is unreachable on every attempt
    video = upload_video(phone_clip.read_bytes())
    attempts: list[str] = []

    def unreachable(out: Path, prefix: str) -> list[str]:
        attempts.append(prefix)
        raise EndpointConnectionError(endpoint_url="http://storage.invalid")

    monkeypatch.setattr(transcoding, "publish_outputs", unreachable)
    # when the task runs eagerly through its retries
    transcode_video.apply(args=[video.pk])
    # then the first run and every retry tried the same prefix, then the video failed
    video.refresh_from_db()
    assert attempts == [f"videos/{video.key}/v1/"] * (1 + transcode_video.max_retries)
    assert video.state == "failed"
    assert video.state_reason == (
        "We could not process this video because of a problem on our side. "
        "Please try uploading it again later."
    )
    assert _files_under(f"videos/{video.key}/") == []


def test_transcode_task_crash_fails_the_video_instead_of_leaving_it_processing(
    upload_video, phone_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a bug somewhere in the pipeline
    video = upload_video(phone_clip.read_bytes())

    def bug(**kwargs: object) -> str:
        raise ValueError("a bug")

    monkeypatch.setattr(transcoding.commands, "thumbnails_vtt", bug)
    # when
    transcode_video(video.pk)
    # then
    video.refresh_from_db()
    assert video.state == "failed"
    assert video.state_reason == (
        "We could not process this video because of a problem on our side. "
        "Please try uploading it again later."
    )
    assert _files_under(f"videos/{video.key}/") == []


def test_publish_outputs_uploads_segments_first_and_the_master_playlist_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a finished output folder and leftovers of an earlier attempt under the prefix
    out = tmp_path / "out"
    for name in ["master.m3u8", "240p/index.m3u8", "240p/seg_00000.ts", "240p/seg_00001.ts",
                 "360p/index.m3u8", "360p/seg_00000.ts", "poster.jpg"]:  # fmt: skip
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(name.encode())
    prefix = f"videos/test-{uuid.uuid4()}/v1/"
    default_storage.save(prefix + "720p/seg_00003.ts", ContentFile(b"leftover"))
    saved: list[str] = []
    real_save = default_storage.save

    def recording_save(name: str, content: object, **kwargs: object) -> str:
        saved.append(name.removeprefix(prefix))
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(default_storage, "save", recording_save)
    # when
    transcoding.publish_outputs(out, prefix)
    # then: media, then variant playlists, then the master; the leftover is gone
    assert saved == [
        "240p/seg_00000.ts",
        "240p/seg_00001.ts",
        "360p/seg_00000.ts",
        "poster.jpg",
        "240p/index.m3u8",
        "360p/index.m3u8",
        "master.m3u8",
    ]
    assert _files_under(prefix) == sorted(saved)
    for key in transcoding.storage_keys_under(prefix):
        default_storage.delete(key)
