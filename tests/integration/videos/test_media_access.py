"""Media of an unpublished video is unreachable for anonymous people and other reporters on every
path; published media goes out only as app playlists and signed, expiring URLs."""

from __future__ import annotations

import re
from unittest import mock

import pytest
import requests
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from fieldcast.videos import playback
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.integration

MASTER = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360
360p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240
240p/index.m3u8
"""
RENDITION = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXTINF:4.000000,
segment_00000.ts
#EXTINF:2.000000,
segment_00001.ts
#EXT-X-ENDLIST
"""
RENDITIONS = [
    {
        "name": "360p",
        "height": 360,
        "width": 640,
        "bandwidth": 800000,
        "playlist": "360p/index.m3u8",
    },
    {
        "name": "240p",
        "height": 240,
        "width": 320,
        "bandwidth": 400000,
        "playlist": "240p/index.m3u8",
    },
]


def _video_with_outputs(state: str, master: str = MASTER, rendition: str = RENDITION):
    video = VideoFactory(state=state, renditions=RENDITIONS)
    prefix = f"videos/{video.key}/v1/"
    files = {
        "master.m3u8": master,
        "360p/index.m3u8": rendition,
        "240p/index.m3u8": rendition,
        "360p/segment_00000.ts": "TS-360-0",
        "360p/segment_00001.ts": "TS-360-1",
        "240p/segment_00000.ts": "TS-240-0",
        "240p/segment_00001.ts": "TS-240-1",
        "poster.jpg": "JPEG-POSTER",
        "thumbnails.jpg": "JPEG-STRIP",
        "download.mp4": "MP4-DOWNLOAD",
    }
    for name, content in files.items():
        default_storage.save(prefix + name, ContentFile(content.encode()))
    video.output_prefix = prefix
    video.version = 1
    video.poster_key = prefix + "poster.jpg"
    video.thumbnails_key = prefix + "thumbnails.jpg"
    video.download_key = prefix + "download.mp4"
    video.save()
    return video


def _media_paths(video) -> list[str]:
    return [
        reverse("video-watch", args=[video.pk]),
        reverse("video-hls-master", args=[video.pk]),
        reverse("video-hls-rendition", args=[video.pk, "360p"]),
        reverse("video-hls-rendition", args=[video.pk, "240p"]),
        reverse("video-poster", args=[video.pk]),
        reverse("video-thumbnails", args=[video.pk]),
        reverse("video-download", args=[video.pk]),
        reverse("api-video", args=[video.pk]),
        f"/media/{video.output_prefix}360p/segment_00000.ts",
        f"/media/{video.output_prefix}poster.jpg",
        f"/media/{video.output_prefix}download.mp4",
        "/videos/media/x/segment_00000.ts",
    ]


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _fetch(client: Client, url: str) -> tuple[int, bytes]:
    """Follow a redirect to a signed URL: on local storage it is an app URL, on S3 the bucket."""
    response = client.get(url)
    if response.status_code == 302 and response["Location"].startswith("http"):
        remote = requests.get(response["Location"], timeout=10)  # the presigned S3 URL
        return remote.status_code, remote.content
    if response.status_code == 302 and response["Location"].startswith("/"):
        response = client.get(response["Location"])
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


@pytest.mark.parametrize(
    "state", ["uploaded", "processing", "pending_review", "rejected", "failed", "hidden", "removed"]
)
def test_unpublished_media_is_unreachable_for_anonymous_and_other_reporters(state, db):
    # given
    video = _video_with_outputs(state)
    others = [_client(), _client(UserFactory(roles=["reporter"])), _client(UserFactory())]
    # when
    statuses = {
        (index, path): client.get(path).status_code
        for index, client in enumerate(others)
        for path in _media_paths(video)
    }
    # then
    assert set(statuses.values()) == {404}


def test_owner_and_editor_reach_the_media_of_a_video_under_review(db, editor):
    # given
    video = _video_with_outputs("pending_review")
    # when / then
    for client in (_client(video.owner), _client(editor)):
        assert client.get(reverse("video-hls-master", args=[video.pk])).status_code == 200
        assert _fetch(client, reverse("video-poster", args=[video.pk])) == (200, b"JPEG-POSTER")


def test_published_master_lists_only_app_rendition_urls(db):
    # given
    video = _video_with_outputs("published")
    # when
    response = _client().get(reverse("video-hls-master", args=[video.pk]))
    # then
    uris = [
        line for line in response.content.decode().splitlines() if line and not line.startswith("#")
    ]
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    assert response["Cache-Control"] == "private, no-store"
    assert uris == [
        f"/videos/{video.pk}/hls/360p/index.m3u8",
        f"/videos/{video.pk}/hls/240p/index.m3u8",
    ]


def test_published_rendition_lists_signed_segment_urls_that_serve_the_bytes(db):
    # given
    video = _video_with_outputs("published")
    client = _client()
    # when
    response = client.get(reverse("video-hls-rendition", args=[video.pk, "360p"]))
    uris = [
        line for line in response.content.decode().splitlines() if line and not line.startswith("#")
    ]
    # then
    assert response.status_code == 200
    assert len(uris) == 2
    if settings.STORAGE == "s3":
        assert all(("X-Amz-Signature=" in uri or "Signature=" in uri) for uri in uris)
        assert all(f"{video.output_prefix}360p/segment_0000" in uri for uri in uris)
        assert requests.get(uris[0], timeout=10).content == b"TS-360-0"
    else:
        assert all(re.fullmatch(r"/videos/media/[^/]+/segment_0000[01]\.ts", uri) for uri in uris)
        first = client.get(uris[0])
        assert first.status_code == 200
        assert first["Content-Type"] == "video/mp2t"
        assert b"".join(first.streaming_content) == b"TS-360-0"


def test_published_poster_and_download_redirect_to_signed_urls(db):
    # given
    video = _video_with_outputs("published")
    client = _client()
    # when
    poster = _fetch(client, reverse("video-poster", args=[video.pk]))
    download = client.get(reverse("video-download", args=[video.pk]))
    # then
    assert download.status_code == 302
    assert poster == (200, b"JPEG-POSTER")
    assert _fetch(client, reverse("video-download", args=[video.pk])) == (200, b"MP4-DOWNLOAD")
    if settings.STORAGE == "s3":
        assert "Signature=" in download["Location"]


def test_forged_or_expired_signed_urls_are_refused(db, settings):
    # given
    settings.STORAGE = "local"
    video = _video_with_outputs("pending_review")
    key = video.output_prefix + "download.mp4"
    with mock.patch("django.core.signing.time.time", return_value=1_000_000.0):
        old = playback.signed_media_url(key)
    forged = reverse(
        "video-signed-media",
        args=[signing.dumps(key, salt="another-salt", compress=True), "download.mp4"],
    )
    renamed = playback.signed_media_url(key).replace("download.mp4", "poster.jpg")
    client = _client()
    # when / then
    assert client.get(old).status_code == 404
    assert client.get(forged).status_code == 404
    assert client.get(renamed).status_code == 404


def test_playlist_uris_outside_the_video_are_dropped(db):
    # given: outputs that try to point the player elsewhere
    master = MASTER + "#EXT-X-STREAM-INF:BANDWIDTH=1\n../../../sources/x/original.mp4\n"
    master += "#EXT-X-STREAM-INF:BANDWIDTH=1\nhttp://evil.example/x.m3u8\n"
    rendition = RENDITION.replace(
        "#EXT-X-ENDLIST",
        "#EXTINF:4.0,\n/etc/passwd\n#EXTINF:4.0,\n../../../sources/x/original.mp4\n"
        '#EXT-X-KEY:METHOD=AES-128,URI="http://evil.example/key"\n#EXT-X-ENDLIST',
    )
    video = _video_with_outputs("published", master=master, rendition=rendition)
    client = _client()
    # when
    master_text = client.get(reverse("video-hls-master", args=[video.pk])).content.decode()
    rendition_text = client.get(
        reverse("video-hls-rendition", args=[video.pk, "360p"])
    ).content.decode()
    # then
    assert "original.mp4" not in master_text + rendition_text
    assert "evil" not in master_text + rendition_text
    assert "passwd" not in rendition_text
    assert master_text.count("#EXT-X-STREAM-INF") == 2
    assert rendition_text.count("#EXTINF") == 2


def test_unknown_rendition_is_not_found(db):
    # given
    video = _video_with_outputs("published")
    # when
    response = _client().get(f"/videos/{video.pk}/hls/..%2F..%2Fsources/index.m3u8")
    # then
    assert response.status_code == 404
