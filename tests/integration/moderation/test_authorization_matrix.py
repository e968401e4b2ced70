"""Who may read a video, on every read path, in every moderation state
(docs/architecture.md, "Content states").

One parametrised test: read path x state x requester -> allowed or not. Only published videos are
public; the owner and editors see their / every video in any state; lists (API list, search, home
feed) show published only; a reporter's profile shows published work, and the owner their own.
The output files are written to storage (local or S3) so media paths serve real bytes.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory, VideoFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

STATES = ["pending_review", "rejected", "hidden", "removed", "published"]
REQUESTERS = ["anonymous", "other_reporter", "owner", "editor"]
SEGMENT = b"\x47" + b"fieldcast-segment" * 10
POSTER = b"\xff\xd8\xff-poster"
MP4 = b"\x00\x00\x00\x18ftypmp42-download"


def _write(key: str, content: bytes) -> None:
    if default_storage.exists(key):
        default_storage.delete(key)
    default_storage.save(key, ContentFile(content))


def _video(state: str):
    video = VideoFactory(
        state=state,
        published_at=timezone.now() if state in ("published", "hidden", "removed") else None,
    )
    prefix = f"videos/{video.key}/v1/"
    _write(
        prefix + "master.m3u8",
        b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240\n240p/index.m3u8\n",
    )
    _write(
        prefix + "240p/index.m3u8",
        b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nseg_00000.ts\n#EXT-X-ENDLIST\n",
    )
    _write(prefix + "240p/seg_00000.ts", SEGMENT)
    _write(prefix + "poster.jpg", POSTER)
    _write(prefix + "download.mp4", MP4)
    video.output_prefix = prefix
    video.version = 1
    video.renditions = [
        {
            "name": "240p",
            "height": 240,
            "width": 320,
            "bandwidth": 400000,
            "playlist": "240p/index.m3u8",
        }
    ]
    video.poster_key = prefix + "poster.jpg"
    video.download_key = prefix + "download.mp4"
    video.save()
    return video


def _fetch(client: Client, url: str) -> tuple[int, bytes]:
    """GET an app URL with the client, or an absolute (S3 presigned) URL over HTTP."""
    if url.startswith("http"):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, b""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def _decided(status: int) -> bool:
    assert status in (200, 302, 404), status
    return status in (200, 302)


def page(client, video):
    return _decided(client.get(f"/videos/{video.pk}/").status_code)


def api_detail(client, video):
    return _decided(client.get(f"/api/v1/videos/{video.pk}/").status_code)


def api_list(client, video):
    body = client.get("/api/v1/videos/").json()
    return video.pk in [item["id"] for item in body["results"]]


def reporter_profile_list(client, video):
    body = client.get("/api/v1/videos/", {"reporter": video.owner_id}).json()
    return video.pk in [item["id"] for item in body["results"]]


def hls_master(client, video):
    response = client.get(f"/videos/{video.pk}/hls/master.m3u8")
    if _decided(response.status_code):
        assert f"/videos/{video.pk}/hls/240p/index.m3u8" in response.content.decode()
        return True
    return False


def rendition_playlist(client, video):
    return _decided(client.get(f"/videos/{video.pk}/hls/240p/index.m3u8").status_code)


def segment(client, video):
    """A segment is reachable only through a signed URL in a playlist this person may read."""
    response = client.get(f"/videos/{video.pk}/hls/240p/index.m3u8")
    if not _decided(response.status_code):
        return False
    url = next(line for line in response.content.decode().splitlines() if not line.startswith("#"))
    status, body = _fetch(client, url)
    assert (status, body) == (200, SEGMENT)
    return True


def _redirected_media(client, url, expected):
    response = client.get(url)
    if not _decided(response.status_code):
        return False
    assert response.status_code == 302
    status, body = _fetch(client, response["Location"])
    assert (status, body) == (200, expected)
    return True


def poster(client, video):
    return _redirected_media(client, f"/videos/{video.pk}/poster.jpg", POSTER)


def mp4(client, video):
    return _redirected_media(client, f"/videos/{video.pk}/download.mp4", MP4)


def raw_storage_url(client, video):
    """The storage path itself is never served (no /media/ passthrough)."""
    return _decided(client.get(f"/media/{video.download_key}").status_code)


def _video_link(html: str, video) -> bool:
    return f'href="/videos/{video.pk}/"' in html


def search_page(client, video):
    response = client.get("/search/", {"q": video.title})
    assert response.status_code == 200
    return _video_link(response.content.decode(), video)


def search_api(client, video):
    body = client.get("/api/v1/community/search/", {"q": video.title}).json()
    return video.pk in [item["id"] for item in body["videos"]]


def feed_home(client, video):
    return _video_link(client.get("/").content.decode(), video)


def feed_api(client, video):
    body = client.get("/api/v1/community/feed/").json()
    sections = ("newest", "most_watched", "following_videos")
    return any(video.pk in [item["id"] for item in body[name]] for name in sections)


def reporter_profile_page(client, video):
    response = client.get(f"/reporters/{video.owner_id}/")
    assert response.status_code == 200
    return _video_link(response.content.decode(), video)


def reporter_profile_api(client, video):
    body = client.get(f"/api/v1/community/reporters/{video.owner_id}/").json()
    return video.pk in [item["id"] for item in body["videos"]]


PATHS: dict[str, Callable] = {
    "page": page,
    "api_detail": api_detail,
    "api_list": api_list,
    "reporter_profile_list": reporter_profile_list,
    "hls_master": hls_master,
    "rendition_playlist": rendition_playlist,
    "segment": segment,
    "poster": poster,
    "mp4": mp4,
    "raw_storage_url": raw_storage_url,
    "search_page": search_page,
    "search_api": search_api,
    "feed_home": feed_home,
    "feed_api": feed_api,
    "reporter_profile_page": reporter_profile_page,
    "reporter_profile_api": reporter_profile_api,
}
LISTS = {"api_list", "reporter_profile_list", "search_page", "search_api", "feed_home", "feed_api"}
# A reporter's profile lists published work, and to the reporter their own work in every state.
OWN_LISTS = {"reporter_profile_page", "reporter_profile_api"}


def expected(path: str, state: str, requester: str) -> bool:
    if path == "raw_storage_url":
        return False
    if state == "published":
        return True
    if path in LISTS:
        return False
    if path in OWN_LISTS:
        return requester == "owner"
    return requester in ("owner", "editor")


@pytest.mark.parametrize("requester", REQUESTERS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("path", list(PATHS))
def test_read_path_authorization_matrix(path, state, requester):
    # given
    video = _video(state)
    client = Client()
    if requester == "owner":
        client.force_login(video.owner)
    elif requester == "other_reporter":
        client.force_login(UserFactory(roles=["reporter"]))
    elif requester == "editor":
        client.force_login(UserFactory(roles=["reporter", "editor"]))
    # when
    allowed = PATHS[path](client, video)
    # then
    assert allowed is expected(path, state, requester)
    video.refresh_from_db()
    assert video.state == state
