"""tus 1.0.0 against a real web process: resume after a dropped connection and after a killed
process (local storage in the default run, S3 in the scaled run), and every protocol refusal."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.core.files.storage import default_storage
from django.utils import timezone
from tusclient import client as tus

from fieldcast.videos.models import Upload, Video
from fieldcast.videos.services import uploads_expire
from fieldcast.videos.upload_storage import local_part_path
from tests.integration.videos.conftest import WebProcess
from tests.stored_state import stored_state

pytestmark = pytest.mark.integration

MiB = 1024 * 1024


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def _text(response: requests.Response) -> str:
    """The message, with filesizeformat's non-breaking spaces as plain ones."""
    return response.text.replace("\xa0", " ").strip()


def _clip(tmp_path: Path, size: int) -> tuple[Path, str]:
    path = tmp_path / "clip.mp4"
    data = os.urandom(size)
    path.write_bytes(data)
    return path, hashlib.sha1(data, usedforsecurity=False).hexdigest()


def _create(server: WebProcess, headers: dict[str, str], length: int, **meta: str):
    metadata = ",".join(f"{key} {_b64(value)}" for key, value in meta.items())
    return requests.post(
        server.uploads_url,
        headers={**headers, "Upload-Length": str(length), "Upload-Metadata": metadata},
        timeout=10,
    )


def _patch(url: str, headers: dict[str, str], offset: int, body: bytes, **extra: str):
    return requests.patch(
        url,
        data=body,
        headers={
            **headers,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            **extra,
        },
        timeout=30,
    )


def _start_patch(url: str, headers: dict[str, str], offset: int, total: int) -> socket.socket:
    """Open a PATCH announcing `total` bytes; the caller sends some and drops the line."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    lines = [
        f"PATCH {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Content-Type: application/offset+octet-stream",
        f"Upload-Offset: {offset}",
        f"Content-Length: {total}",
        *(f"{key}: {value}" for key, value in headers.items()),
    ]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def _settled_offset(url: str, headers: dict[str, str], above: int = 0) -> int:
    """HEAD until the server has committed past `above` and released the upload."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        response = requests.head(url, headers=headers, timeout=5)
        offset = int(response.headers["Upload-Offset"])
        upload = Upload.objects.get(pk=url.rstrip("/").rsplit("/", 1)[1])
        if offset > above and not upload.writer_token:
            return offset
        time.sleep(0.2)
    raise AssertionError("the server never committed the interrupted bytes")


def _stored_sha1(video: Video) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    with default_storage.open(video.source_key, "rb") as source:
        for block in iter(lambda: source.read(MiB), b""):
            digest.update(block)
    return digest.hexdigest()


def test_dropped_connection_then_resume_from_a_new_client_keeps_every_byte(
    tus_server, make_reporter, tmp_path
):
    # given: a reporter sent 7 MiB of a 12 MiB clip when the network dropped
    reporter, headers = make_reporter()
    path, sha1 = _clip(tmp_path, 12 * MiB)
    created = _create(tus_server, headers, 12 * MiB, filename="market.mp4", title="Market fire")
    url = tus_server.url + created.headers["Location"]
    sock = _start_patch(url, headers, 0, 12 * MiB)
    sock.sendall(path.read_bytes()[: 7 * MiB])
    time.sleep(0.5)
    sock.close()
    offset = _settled_offset(url, headers)
    # when: a brand new client (page reload) resumes the same upload URL
    resumer = tus.TusClient(tus_server.uploads_url, headers=headers)
    uploader = resumer.uploader(str(path), url=url, chunk_size=4 * MiB)
    resumed_from = uploader.offset
    uploader.upload()
    # then
    video = Video.objects.get(owner=reporter)
    assert 0 < resumed_from == offset <= 7 * MiB
    assert (video.state, video.title, video.source_name) == (
        "uploaded",
        "Market fire",
        "market.mp4",
    )
    assert video.source_size == 12 * MiB
    assert _stored_sha1(video) == sha1
    assert Upload.objects.get(video=video).state == "complete"


def test_tuspy_interrupted_half_way_and_resumed(tus_server, make_reporter, tmp_path):
    # given
    reporter, headers = make_reporter()
    path, sha1 = _clip(tmp_path, 9 * MiB)
    first = tus.TusClient(tus_server.uploads_url, headers=headers)
    uploader = first.uploader(
        str(path), chunk_size=2 * MiB, metadata={"filename": "a.mp4", "title": "Half"}
    )
    uploader.upload(stop_at=4 * MiB)
    # when
    second = tus.TusClient(tus_server.uploads_url, headers=headers)
    again = second.uploader(str(path), url=uploader.url, chunk_size=2 * MiB)
    again.upload()
    # then
    video = Video.objects.get(owner=reporter)
    assert uploader.offset == 4 * MiB
    assert video.state == "uploaded"
    assert _stored_sha1(video) == sha1


def test_killed_web_process_then_restarted_upload_resumes(
    django_db_setup, transactional_db, make_reporter, tmp_path
):
    # given: an upload streaming into a web process that is then SIGKILLed
    server = WebProcess(tmp_path / "server.log")
    server.start()
    try:
        reporter, headers = make_reporter()
        path, sha1 = _clip(tmp_path, 14 * MiB)
        data = path.read_bytes()
        created = _create(server, headers, len(data), filename="kill.mp4", title="Killed")
        url = server.url + created.headers["Location"]
        sock = _start_patch(url, headers, 0, len(data))
        sock.sendall(data[: 6 * MiB])
        time.sleep(2.5)  # past the 2 s checkpoint interval
        sock.sendall(data[6 * MiB : 6 * MiB + 64 * 1024])
        deadline = time.monotonic() + 20
        while Upload.objects.get(video__owner=reporter).offset == 0:
            assert time.monotonic() < deadline, "no checkpoint was committed"
            time.sleep(0.1)
        server.kill()
        sock.close()
        committed = Upload.objects.get(video__owner=reporter).offset
        # when: the process is back (same port) and the client resumes
        server.start()
        uploader = tus.TusClient(server.uploads_url, headers=headers).uploader(
            str(path), url=url, chunk_size=4 * MiB
        )
        resumed_from = uploader.offset
        uploader.upload()
    finally:
        server.stop()
    # then
    video = Video.objects.get(owner=reporter)
    assert resumed_from == committed > 0
    assert video.state == "uploaded"
    assert _stored_sha1(video) == sha1


def test_silent_connection_is_taken_over_and_cannot_write_afterwards(
    tus_server, make_reporter, tmp_path
):
    # given: a PATCH that sent 2 MiB and then went silent (a phone that lost its network)
    reporter, headers = make_reporter()
    path, sha1 = _clip(tmp_path, 6 * MiB)
    data = path.read_bytes()
    url = tus_server.url + _create(tus_server, headers, len(data), title="T").headers["Location"]
    stale = _start_patch(url, headers, 0, len(data))
    stale.sendall(data[: 2 * MiB])
    time.sleep(0.5)
    # when: the phone comes back on a new connection and finishes the upload
    uploader = tus.TusClient(tus_server.uploads_url, headers=headers).uploader(
        str(path), url=url, chunk_size=2 * MiB
    )
    uploader.upload()
    # and the stale connection wakes up and sends the rest
    stale.settimeout(20)
    stale.sendall(data[2 * MiB :])
    reply = stale.recv(4096).decode(errors="replace")
    stale.close()
    # then: the stale writer was refused and every stored byte is right
    video = Video.objects.get(owner=reporter)
    assert reply.startswith("HTTP/1.1 409")
    assert video.state == "uploaded"
    assert _stored_sha1(video) == sha1


def test_creation_with_upload_in_one_request(tus_server, make_reporter):
    # given
    reporter, headers = make_reporter()
    body = os.urandom(300_000)
    # when
    response = requests.post(
        tus_server.uploads_url,
        data=body,
        headers={
            **headers,
            "Upload-Length": str(len(body)),
            "Upload-Metadata": f"filename {_b64('one.mov')},title {_b64('One go')},"
            f"description {_b64('From the bridge')},assignment {_b64('flood-2026')}",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": "sha1 "
            + base64.b64encode(hashlib.sha1(body, usedforsecurity=False).digest()).decode(),
        },
        timeout=10,
    )
    # then
    video = Video.objects.get(owner=reporter)
    assert response.status_code == 201
    assert response.headers["Upload-Offset"] == str(len(body))
    assert "Upload-Expires" in response.headers
    assert (video.state, video.description, video.assignment_ref) == (
        "uploaded",
        "From the bridge",
        "flood-2026",
    )
    assert video.source_key.endswith("/original.mov")
    assert _stored_sha1(video) == hashlib.sha1(body, usedforsecurity=False).hexdigest()


def test_one_long_patch_committed_along_the_way_completes(tus_server, make_reporter, tmp_path):
    # given: a 20 MiB file in a single PATCH (the server commits durable bytes mid-request)
    reporter, headers = make_reporter()
    path, sha1 = _clip(tmp_path, 20 * MiB)
    url = tus_server.url + _create(tus_server, headers, 20 * MiB, title="Long").headers["Location"]
    # when
    response = _patch(url, headers, 0, path.read_bytes())
    # then
    video = Video.objects.get(owner=reporter)
    assert (response.status_code, response.headers["Upload-Offset"]) == (204, str(20 * MiB))
    assert video.state == "uploaded"
    assert _stored_sha1(video) == sha1


def test_options_advertises_the_protocol_and_cors(tus_server):
    # when
    response = requests.options(
        tus_server.uploads_url, headers={"Origin": "https://partner.example"}, timeout=5
    )
    # then
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert response.headers["Tus-Extension"] == (
        "creation,creation-with-upload,termination,checksum,expiration"
    )
    assert response.headers["Tus-Max-Size"] == str(64 * MiB)
    assert response.headers["Tus-Checksum-Algorithm"] == "sha1"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Upload-Offset" in response.headers["Access-Control-Allow-Headers"]
    assert "Location" in response.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_zero_byte_file_is_refused(tus_server, make_reporter):
    # given
    reporter, headers = make_reporter()
    # when
    response = _create(tus_server, headers, 0, filename="empty.mp4", title="Empty")
    # then
    assert response.status_code == 400
    assert response.text.strip() == (
        "This file is empty (0 bytes). Choose a video that has something in it."
    )
    assert Video.objects.filter(owner=reporter).count() == 0


def test_over_size_file_is_refused(tus_server, make_reporter):
    # given
    reporter, headers = make_reporter()
    # when
    response = _create(tus_server, headers, 100 * MiB, filename="big.mp4", title="Big")
    # then
    assert response.status_code == 413
    assert _text(response) == "This file is 100.0 MB; the largest file you can upload is 64.0 MB."
    assert Upload.objects.filter(owner=reporter).count() == 0


def test_wrong_offset_is_a_conflict(tus_server, make_reporter):
    # given
    reporter, headers = make_reporter()
    url = tus_server.url + _create(tus_server, headers, 1000, title="T").headers["Location"]
    assert _patch(url, headers, 0, b"x" * 400).status_code == 204
    # when
    response = _patch(url, headers, 100, b"y" * 100)
    # then
    assert response.status_code == 409
    assert response.text.strip() == "The upload is at byte 400, not 100. Resume from there."
    assert Upload.objects.get(owner=reporter).offset == 400


def test_checksum_mismatch_stores_nothing(tus_server, make_reporter):
    # given
    reporter, headers = make_reporter()
    url = tus_server.url + _create(tus_server, headers, 1000, title="T").headers["Location"]
    body = b"z" * 1000
    wrong = base64.b64encode(hashlib.sha1(b"other", usedforsecurity=False).digest()).decode()
    right = base64.b64encode(hashlib.sha1(body, usedforsecurity=False).digest()).decode()
    # when
    refused = _patch(url, headers, 0, body, **{"Upload-Checksum": f"sha1 {wrong}"})
    after_refusal = requests.head(url, headers=headers, timeout=5).headers["Upload-Offset"]
    unsupported = _patch(url, headers, 0, body, **{"Upload-Checksum": f"md5 {wrong}"})
    accepted = _patch(url, headers, 0, body, **{"Upload-Checksum": f"sha1 {right}"})
    # then
    assert refused.status_code == 460
    assert refused.text.strip() == (
        "The data did not match its checksum; nothing was stored. Send it again."
    )
    assert after_refusal == "0"
    assert unsupported.status_code == 400
    assert accepted.status_code == 204
    assert Video.objects.get(owner=reporter).state == "uploaded"


def test_patch_after_expiry_is_gone_and_cleanup_removes_the_bytes(tus_server, make_reporter):
    # given
    reporter, headers = make_reporter()
    url = tus_server.url + _create(tus_server, headers, 1000, title="T").headers["Location"]
    assert _patch(url, headers, 0, b"a" * 500).status_code == 204
    upload = Upload.objects.get(owner=reporter)
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # when
    late = _patch(url, headers, 500, b"b" * 500)
    cleaned = uploads_expire()
    after_cleanup = _patch(url, headers, 500, b"b" * 500)
    # then
    upload.refresh_from_db()
    video = Video.objects.get(owner=reporter)
    assert late.status_code == 410
    assert late.text.strip() == "This upload expired before it finished. Start the upload again."
    assert cleaned == 1
    assert after_cleanup.status_code == 410
    assert (upload.state, upload.offset) == ("expired", 500)
    assert video.state == "failed"
    assert video.state_reason.startswith("The upload stopped before the whole file arrived")
    if upload.backend == "local":
        assert not local_part_path(upload.source_key).exists()


def test_another_users_upload_is_not_found(tus_server, make_reporter):
    # given
    owner, owner_headers = make_reporter()
    _other, other_headers = make_reporter()
    url = tus_server.url + _create(tus_server, owner_headers, 1000, title="T").headers["Location"]
    # when
    head = requests.head(url, headers=other_headers, timeout=5)
    patch = _patch(url, other_headers, 0, b"x" * 10)
    delete = requests.delete(url, headers=other_headers, timeout=5)
    # then
    assert (head.status_code, patch.status_code, delete.status_code) == (404, 404, 404)
    assert patch.text.strip() == "There is no such upload. Start the upload again."
    upload = Upload.objects.get(owner=owner)
    assert (upload.state, upload.offset) == ("active", 0)


def test_only_reporters_and_signed_in_people_may_upload(tus_server, make_reporter):
    # given
    _viewer, viewer_headers = make_reporter(roles=())
    # when
    as_viewer = _create(tus_server, viewer_headers, 10, title="T")
    anonymous = _create(tus_server, {"Tus-Resumable": "1.0.0"}, 10, title="T")
    no_version = requests.post(tus_server.uploads_url, headers={"Upload-Length": "10"}, timeout=5)
    # then
    assert (as_viewer.status_code, as_viewer.text.strip()) == (
        403,
        "Only reporters can upload videos.",
    )
    assert anonymous.status_code == 401
    assert no_version.status_code == 412
    assert no_version.headers["Tus-Version"] == "1.0.0"
    assert Upload.objects.count() == 0


def test_termination_removes_the_upload(tus_server, make_reporter):
    # given
    reporter, headers = make_reporter()
    url = tus_server.url + _create(tus_server, headers, 1000, title="T").headers["Location"]
    assert _patch(url, headers, 0, b"a" * 500).status_code == 204
    upload = Upload.objects.get(owner=reporter)
    # when
    deleted = requests.delete(url, headers=headers, timeout=5)
    head = requests.head(url, headers=headers, timeout=5)
    # then
    upload.refresh_from_db()
    assert (deleted.status_code, head.status_code) == (204, 404)
    assert upload.state == "terminated"
    assert Video.objects.filter(owner=reporter).count() == 0
    if upload.backend == "local":
        assert not local_part_path(upload.source_key).exists()


def test_too_many_uploads_at_once_and_daily_bytes(tus_server, make_reporter):
    # given
    reporter, headers = make_reporter()
    for index in range(3):
        assert _create(tus_server, headers, 10, title=f"T{index}").status_code == 201
    other, other_headers = make_reporter()
    assert _create(tus_server, other_headers, 60 * MiB, title="A").status_code == 201
    assert _create(tus_server, other_headers, 60 * MiB, title="B").status_code == 201
    # when
    fourth = _create(tus_server, headers, 10, title="T4")
    over_daily = _create(tus_server, other_headers, 60 * MiB, title="C")
    # then
    assert fourth.status_code == 429
    assert fourth.text.strip() == (
        "You already have 3 uploads in progress. Let one finish or cancel it, then try again."
    )
    assert over_daily.status_code == 429
    assert _text(over_daily) == (
        "You can upload 150.0 MB in 24 hours and have 30.0 MB left; this file is 60.0 MB. "
        "Try again later or send a shorter clip."
    )
    assert Upload.objects.filter(owner=reporter).count() == 3
    assert Upload.objects.filter(owner=other).count() == 2


def test_metadata_without_a_title_or_filename_is_refused(tus_server, make_reporter):
    # given
    reporter, headers = make_reporter()
    # when
    response = _create(tus_server, headers, 10, description="no title")
    broken = requests.post(
        tus_server.uploads_url,
        headers={**headers, "Upload-Length": "10", "Upload-Metadata": "title !!notbase64"},
        timeout=5,
    )
    # then
    assert (response.status_code, response.text.strip()) == (400, "Give your video a title.")
    assert broken.status_code == 400
    assert Upload.objects.filter(owner=reporter).count() == 0


def test_one_byte_over_the_limit_names_both_sizes_exactly(tus_server, make_reporter):
    # given the server's limit of 64 MiB
    reporter, headers = make_reporter()
    before = stored_state()
    # when
    response = _create(tus_server, headers, 64 * MiB + 1, filename="big.mp4", title="Big")
    # then
    assert response.status_code == 413
    assert _text(response) == (
        "This file is 67,108,865 bytes; the largest file you can upload is 67,108,864 bytes."
    )
    assert stored_state() == before
