"""The probe's child process: PyAV opens the original with a forced demuxer and prints JSON.

Kept free of Django so it starts fast, and run as `python -P .../probe_child.py PATH FORMAT
MAX_WIDTH MAX_HEIGHT MEMORY_BYTES` by `fieldcast.media.probe`, which explains why it is a separate
process. It caps its own address space before opening the file: a `preexec_fn` in the parent would
run Python between fork and exec, which can hang when the parent has other threads (the ingest's
codec threads live in the same process as the recordings' probe).
"""

from __future__ import annotations

import json
import re
import resource
import sys
from fractions import Fraction
from typing import Any

import av
import av.logging

# Only local files and pipes: no http, no tcp, no concat/subfile/data tricks.
PROTOCOL_WHITELIST = "file,pipe"
_METADATA_VALUE_MAX = 500
# FFmpeg zeroes dimensions it deems absurd (over ~16k x 16k) and only says so in its log; we read
# that line so the reporter hears "too large" rather than "damaged".
_INVALID_SIZE = re.compile(r"Picture size (\d+)x(\d+) is invalid")


def _clean_metadata(metadata: dict[str, str]) -> dict[str, str]:
    return {str(k)[:100]: str(v)[:_METADATA_VALUE_MAX] for k, v in list(metadata.items())[:50]}


def _rate(value: Fraction | None) -> float | None:
    if not value or value <= 0:
        return None
    return round(float(value), 3)


def probe(path: str, format_name: str, max_width: int, max_height: int) -> dict[str, Any]:
    facts: dict[str, Any] = {"format_name": format_name}
    av.logging.set_level(av.logging.ERROR)
    try:
        with av.logging.Capture(True) as logs:
            container = av.open(
                path,
                format=format_name,
                options={"protocol_whitelist": PROTOCOL_WHITELIST, "enable_drefs": "0"},
            )
    except (av.FFmpegError, OSError, ValueError):
        return {"error": "unreadable"}
    with container:
        facts["format_name"] = container.format.name
        streams = list(container.streams)
        video = next((s for s in streams if s.type == "video"), None)
        facts["stream_count"] = len(streams)
        facts["has_audio"] = any(s.type == "audio" for s in streams)
        facts["capture_metadata"] = {
            "format": _clean_metadata(dict(container.metadata)),
            "streams": [
                {
                    "index": s.index,
                    "type": s.type,
                    "codec": s.codec_context.name if s.codec_context else None,
                    "metadata": _clean_metadata(dict(s.metadata)),
                }
                for s in streams[:32]
            ],
        }
        if video is None:
            facts["error"] = "no_video"
            return facts
        codec: Any = video.codec_context
        facts["width"] = int(codec.width or 0)
        facts["height"] = int(codec.height or 0)
        facts["video_codec"] = codec.name
        facts["frame_rate"] = _rate(video.average_rate) or _rate(video.guessed_rate)
        duration = None
        if video.duration and video.time_base:
            duration = float(video.duration * video.time_base)
        elif container.duration:
            duration = container.duration / 1_000_000
        facts["duration_seconds"] = round(duration, 3) if duration else None
        declared = next((m for m in (_INVALID_SIZE.search(line) for _, _, line in logs) if m), None)
        if declared and not facts["width"]:
            facts["width"], facts["height"] = int(declared[1]), int(declared[2])
        if facts["width"] > max_width or facts["height"] > max_height:
            facts["error"] = "too_large"  # before decoding: never allocate such a frame
            return facts
        try:
            frame = next(container.decode(video=0))
        except (av.FFmpegError, StopIteration, ValueError):
            facts["error"] = "undecodable"
            return facts
        facts["rotation"] = int(getattr(frame, "rotation", 0) or 0)
        facts["width"], facts["height"] = frame.width, frame.height
    return facts


if __name__ == "__main__":
    _path, _format, _max_w, _max_h, _memory = sys.argv[1:6]
    resource.setrlimit(resource.RLIMIT_AS, (int(_memory), int(_memory)))
    print(json.dumps(probe(_path, _format, int(_max_w), int(_max_h))))
