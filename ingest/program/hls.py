"""Program HLS through the storage layer, and the view that serves it at /live/<slug>/<file>.

FFmpeg writes the ladder into a local work directory. `HlsUploader` (a thread) copies every
finished segment to storage under `live/<slug>/`, then the variant playlist that names it, then
(once) the master playlist: a player or a CDN never sees a playlist naming a missing segment, on
local disk or S3 alike. Segments that left the sliding window are deleted from storage a little
later (a slow player may still be fetching them). The top rendition's segments are appended to
`recording.ts` before they leave the work directory: the program recording, remuxed to MP4 on stop.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
import threading
from collections import deque
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from ingest.program.encoder import Rung, master_playlist

logger = logging.getLogger(__name__)

STORAGE_PREFIX = "live"
MASTER_NAME = "index.m3u8"
KEEP_EXTRA_SEGMENTS = 4  # segments kept in storage after they leave a playlist
POLL_SECONDS = 0.1
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,80}\.(m3u8|ts)$")
CONTENT_TYPES = {"m3u8": "application/vnd.apple.mpegurl", "ts": "video/mp2t"}


def storage_name(slug: str, file_name: str) -> str:
    return f"{STORAGE_PREFIX}/{slug}/{file_name}"


def put(name: str, data: bytes) -> None:
    """Write (or replace) a storage object; on local disk atomically (rename over the old one)."""
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:  # S3 and other remote storages: an overwriting PUT
        default_storage.save(name, ContentFile(data))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".up-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.chmod(temp, 0o644)  # noqa: S103 - world-readable media, as Django saves it
    os.replace(temp, path)


def playlist_segments(text: str) -> list[str]:
    """The segment names a media playlist lists, in order."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


class HlsUploader:
    """Mirrors the work directory's finished HLS files to storage (a thread of its own)."""

    def __init__(self, *, slug: str, work_dir: Path, rungs: list[Rung], fps: int) -> None:
        self.slug = slug
        self.work_dir = work_dir
        self.rungs = rungs
        self.fps = fps
        self.recording_path = work_dir / "recording.ts"
        self.segments_uploaded = 0
        self.failures = 0
        self._uploaded: dict[str, deque[str]] = {rung.name: deque() for rung in rungs}
        self._playlists: dict[str, str] = {}
        self._master_written = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"program-hls-{slug}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        self.clear_previous_run()
        while not self._stop.wait(POLL_SECONDS):
            self.sync()

    def clear_previous_run(self) -> None:
        """Remove the last run's playlists and segments: a player must not start on them."""
        prefix = storage_name(self.slug, "")
        try:
            _dirs, files = default_storage.listdir(prefix)
        except (FileNotFoundError, NotADirectoryError):
            return
        for name in files:
            if FILE_NAME.match(name):
                default_storage.delete(prefix + name)

    def stop(self) -> None:
        """Stop polling and upload what the encoder wrote last (call after it exited)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
        self.sync()

    def sync(self) -> None:
        for rung in self.rungs:
            try:
                self._sync_rung(rung)
            except Exception:
                self.failures += 1
                logger.exception("uploading program HLS %s/%s failed", self.slug, rung.name)

    def _sync_rung(self, rung: Rung) -> None:
        playlist = self.work_dir / f"{rung.name}.m3u8"
        try:
            text = playlist.read_text()
        except FileNotFoundError:
            return
        if text == self._playlists.get(rung.name) or "#EXTM3U" not in text:
            return
        uploaded = self._uploaded[rung.name]
        listed = playlist_segments(text)
        for segment in listed:
            if segment in uploaded:
                continue
            local = self.work_dir / segment
            data = local.read_bytes()
            put(storage_name(self.slug, segment), data)
            if rung is self.rungs[0]:
                with open(self.recording_path, "ab") as recording:
                    recording.write(data)
            local.unlink(missing_ok=True)
            uploaded.append(segment)
            self.segments_uploaded += 1
        put(storage_name(self.slug, f"{rung.name}.m3u8"), text.encode())
        self._playlists[rung.name] = text
        if not self._master_written:
            put(
                storage_name(self.slug, MASTER_NAME), master_playlist(self.rungs, self.fps).encode()
            )
            self._master_written = True
        while len(uploaded) > len(listed) + KEEP_EXTRA_SEGMENTS:
            old = uploaded.popleft()
            if old not in listed:
                default_storage.delete(storage_name(self.slug, old))


def remux_recording(*, ffmpeg: str, source: Path, target: Path) -> Path | None:
    """The recorded MPEG-TS as an MP4 (no re-encode); None when nothing was recorded."""
    if not source.exists() or source.stat().st_size == 0:
        return None
    result = subprocess.run(  # noqa: S603 - our own argument list
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(source),
            "-c",
            "copy",
            "-bsf:a",
            "aac_adtstoasc",
            "-movflags",
            "+faststart",
            str(target),
        ],
        capture_output=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0 or not target.exists():
        logger.error("remuxing the program recording failed: %s", result.stderr[-500:])
        return None
    source.unlink(missing_ok=True)
    return target


@require_GET
def hls_file(request: HttpRequest, slug: str, file_name: str) -> FileResponse:
    """A program playlist or segment from storage. Public: the program is what viewers watch."""
    match = FILE_NAME.match(file_name)
    if match is None:
        raise Http404
    name = storage_name(slug, file_name)
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=CONTENT_TYPES[match.group(1)])
    if match.group(1) == "m3u8":
        response["Cache-Control"] = "no-cache"
    else:
        response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
