"""Video pages (upload, watch, my videos) and the media endpoints players use.

Media is private: playlists, posters, thumbnails and downloads are reached only through these
views, each behind `video_for_viewer`, and point on to signed, expiring URLs (see `playback`).
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from community.audience.services import view_record
from fieldcast.accounts.guards import AuthenticatedHttpRequest, has_permission
from fieldcast.core.errors import NotFound
from fieldcast.videos import playback, selectors
from fieldcast.videos.models import Video, VideoState

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
MEDIA_TYPES = {".ts": "video/mp2t", ".m4s": "video/iso.segment", ".m3u8": PLAYLIST_TYPE}


def _viewable(request: HttpRequest, video_id: int) -> Video:
    try:
        return selectors.video_for_viewer(video_id=video_id, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _with_outputs(request: HttpRequest, video_id: int) -> Video:
    video = _viewable(request, video_id)
    if not video.output_prefix:
        raise Http404
    return video


def _read_text(key: str) -> str:
    try:
        with default_storage.open(key, "rb") as playlist:
            return playlist.read().decode("utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc


def _playlist_response(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type=PLAYLIST_TYPE)
    # Signed URLs inside expire: never let a shared cache keep them.
    response["Cache-Control"] = "private, no-store"
    return response


def _upload_strings() -> dict[str, str]:
    """Every sentence upload.js may show, translated here (JavaScript has no gettext)."""
    return {
        "noFile": _("Choose a video or record one first."),
        "noTitle": _("Give your video a title."),
        "tooBig": _("This file is %(size)s; the largest file you can upload is %(limit)s."),
        # Sizes that would round to the same text are shown exactly (fieldcast.core.sizes).
        "bytes": _("%(count)s bytes"),
        "speed": _("%(speed)s/s"),
        "eta": _("about %(time)s left"),
        "paused": _("Paused. Press Resume to continue."),
        "offline": _("The connection dropped. The upload continues when you are back online."),
        "resumed": _("Found an unfinished upload of this file: continuing where it stopped."),
        "failed": _("The upload failed: %(reason)s"),
        "uploaded": _("Upload complete. Preparing your video…"),
        "processing": _("Processing your video…"),
        "waiting": _("Waiting for review. An editor will check your video before it is published."),
        "published": _("Your video is published."),
        "videoFailed": _("We could not process this video: %(reason)s"),
        "seconds": _("%(n)s s"),
        "minutes": _("%(n)s min"),
        "hours": _("%(n)s h"),
    }


# --- Pages --------------------------------------------------------------------------------------


@login_required
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The phone-first upload page (tus from the browser, then processing over /ws/me/)."""
    if not has_permission(request.user, "upload_video"):
        raise DjangoPermissionDenied
    return render(
        request,
        "videos/upload.html",
        {
            "assignment": request.GET.get("assignment", "")[:64],
            "max_bytes": settings.UPLOAD_MAX_BYTES,
            "strings": _upload_strings(),
        },
    )


@login_required
def my_videos(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A reporter's own videos with their state and, when one failed, why."""
    videos = selectors.video_list_for_owner(user=request.user)
    return render(request, "videos/my_videos.html", {"videos": videos})


def _viewer_identity(request: HttpRequest) -> str:
    """Who is watching, for counting a view once per viewer: the account, else a hash of the
    address and browser (no session is created just to count)."""
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    seen = f"{request.META.get('REMOTE_ADDR', '')}|{request.headers.get('User-Agent', '')}"
    return "a" + hashlib.sha256(seen.encode()).hexdigest()[:40]


def watch(request: HttpRequest, video_id: int) -> HttpResponse:
    """The watch page: hls.js player with a quality menu, poster, byline, description."""
    video = _viewable(request, video_id)
    counted = view_record(video=video, viewer=_viewer_identity(request))
    return render(
        request,
        "videos/watch.html",
        {
            "video": video,
            "is_published": video.state == VideoState.PUBLISHED,
            "renditions": sorted(video.renditions, key=lambda item: -int(item["height"])),
            "view_count": video.view_count + (1 if counted else 0),
        },
    )


# --- Media ----------------------------------------------------------------------------------


@require_GET
def hls_master(request: HttpRequest, video_id: int) -> HttpResponse:
    video = _with_outputs(request, video_id)
    text = _read_text(posixpath.join(video.output_prefix, "master.m3u8"))
    return _playlist_response(playback.rewrite_master(text, video))


@require_GET
def hls_rendition(request: HttpRequest, video_id: int, name: str) -> HttpResponse:
    video = _with_outputs(request, video_id)
    playlist = next(
        (str(item["playlist"]) for item in video.renditions if item.get("name") == name), None
    )
    if playlist is None:
        raise Http404
    text = _read_text(posixpath.join(video.output_prefix, playlist))
    return _playlist_response(playback.rewrite_rendition(text, video, playlist))


def _redirect_to(key: str) -> HttpResponse:
    if not key:
        raise Http404
    response = HttpResponseRedirect(playback.signed_media_url(key))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def poster(request: HttpRequest, video_id: int) -> HttpResponse:
    return _redirect_to(_with_outputs(request, video_id).poster_key)


@require_GET
def thumbnails(request: HttpRequest, video_id: int) -> HttpResponse:
    return _redirect_to(_with_outputs(request, video_id).thumbnails_key)


@require_GET
def download(request: HttpRequest, video_id: int) -> HttpResponse:
    return _redirect_to(_with_outputs(request, video_id).download_key)


@never_cache
@require_GET
def signed_media(request: HttpRequest, token: str, name: str) -> FileResponse:
    """A file behind an app-signed URL (local storage): the signature is the permission."""
    key = playback.media_key_from_token(token)
    if key is None or posixpath.basename(key) != name:
        raise Http404
    try:
        handle = default_storage.open(key, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    extension = posixpath.splitext(key)[1].lower()
    content_type = MEDIA_TYPES.get(extension) or mimetypes.guess_type(name)[0]
    return FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=extension == ".mp4",
        filename=name,
    )
