"""How a viewer's player reaches a video's private outputs.

Playlists are served by the app (after `video_for_viewer`), rewritten so that every URI in them is
either another app playlist URL or a signed, expiring media URL: S3 presigned URLs on S3 storage,
app-signed URLs (`django.core.signing`, served by `views.signed_media`) on local storage. Nothing
under MEDIA_ROOT is served any other way.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse

from fieldcast.videos.models import Video

SALT = "fieldcast.videos.media"
_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')


def signed_media_url(key: str) -> str:
    """A URL that serves storage object `key` for MEDIA_URL_TTL seconds, to whoever holds it."""
    if settings.STORAGE == "s3":
        return str(default_storage.url(key))  # presigned (querystring_auth, querystring_expire)
    token = signing.dumps(key, salt=SALT, compress=True)
    return reverse("video-signed-media", args=[token, posixpath.basename(key)])


def media_key_from_token(token: str) -> str | None:
    """The storage key a signed local URL names, or None if forged or expired."""
    try:
        key = signing.loads(token, salt=SALT, max_age=settings.MEDIA_URL_TTL)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return key if isinstance(key, str) else None


def _inside(prefix: str, base: str, uri: str) -> str | None:
    """The storage key of a relative playlist URI, or None if it leaves the video's outputs."""
    if not uri or "://" in uri or uri.startswith("/") or "?" in uri or "#" in uri:
        return None
    key = posixpath.normpath(posixpath.join(base, uri))
    return key if key.startswith(prefix) and ".." not in key.split("/") else None


def _rewrite(text: str, replace: Callable[[str], str | None]) -> str:
    """Replace every URI line and URI="..." attribute; a URI that cannot be replaced is dropped
    (with its tag), never passed through."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if 'URI="' in line:
                bad = False

                def attribute(match: re.Match[str]) -> str:
                    nonlocal bad
                    new = replace(match.group(1))
                    if new is None:
                        bad = True
                        return match.group(0)
                    return f'URI="{new}"'

                line = _URI_ATTRIBUTE.sub(attribute, line)
                if bad:
                    continue
            out.append(line)
            continue
        new = replace(line)
        if new is None:
            # Drop the URI and the #EXTINF / #EXT-X-STREAM-INF that announced it.
            if out and out[-1].startswith(("#EXTINF", "#EXT-X-STREAM-INF")):
                out.pop()
            continue
        out.append(new)
    return "\n".join(out) + "\n"


def rewrite_master(text: str, video: Video) -> str:
    """Master playlist: each rendition playlist becomes its app URL (known renditions only)."""
    names = {str(rendition["name"]): str(rendition["playlist"]) for rendition in video.renditions}
    by_playlist = {posixpath.normpath(playlist): name for name, playlist in names.items()}

    def replace(uri: str) -> str | None:
        key = _inside(video.output_prefix, video.output_prefix, uri)
        if key is None:
            return None
        name = by_playlist.get(posixpath.relpath(key, video.output_prefix))
        if name is None:
            return None
        return reverse("video-hls-rendition", args=[video.pk, name])

    return _rewrite(text, replace)


def rewrite_rendition(text: str, video: Video, playlist: str) -> str:
    """Rendition playlist: each segment (and init section) becomes a signed media URL."""
    base = posixpath.dirname(posixpath.join(video.output_prefix, playlist))

    def replace(uri: str) -> str | None:
        key = _inside(video.output_prefix, base, uri)
        return None if key is None else signed_media_url(key)

    return _rewrite(text, replace)
