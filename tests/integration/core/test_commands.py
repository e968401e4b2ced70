"""`python -m fieldcast demo` and `storage_bucket`."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator

import boto3
import pytest
from allauth.account.models import EmailAddress
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from moto.server import ThreadedMotoServer

from fieldcast.accounts.models import User
from fieldcast.videos.models import Video

pytestmark = pytest.mark.integration

DEMO_ROLES = {
    "editor@demo.fieldcast": ["editor", "reporter", "viewer"],
    "reporter@demo.fieldcast": ["reporter", "viewer"],
    "staff@demo.fieldcast": ["editor", "reporter", "staff", "viewer"],
    "viewer@demo.fieldcast": ["viewer"],
}


def _run(command: str, **options: object) -> str:
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def _demo_state() -> dict[str, tuple[list[str], bool, str]]:
    return {
        user.email: (
            sorted(user.groups.values_list("name", flat=True)),
            user.is_staff,
            user.password,
        )
        for user in User.objects.order_by("email")
    }


@pytest.mark.django_db
def test_demo_creates_the_demo_accounts() -> None:
    # when a newcomer creates the demo data
    output = _run("demo")

    # then there is one account per role, verified, with the demo password
    assert {email: roles for email, (roles, _, _) in _demo_state().items()} == DEMO_ROLES
    assert User.objects.get(email="staff@demo.fieldcast").is_staff is True
    assert User.objects.get(email="editor@demo.fieldcast").is_staff is False
    reporter = User.objects.get(email="reporter@demo.fieldcast")
    assert reporter.check_password(settings.DEMO_PASSWORD)
    assert reporter.display_name == "Demo Reporter"
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 4
    assert "created  reporter@demo.fieldcast" in output
    assert f"Demo password: {settings.DEMO_PASSWORD}" in output


@pytest.mark.django_db
def test_demo_twice_changes_nothing() -> None:
    # given the demo data, and a demo user who changed their password
    _run("demo")
    reporter = User.objects.get(email="reporter@demo.fieldcast")
    reporter.set_password("my-own-new-passphrase")
    reporter.save(update_fields=["password"])
    before = _demo_state()

    # when the demo command runs again (make run does, on every start)
    output = _run("demo")

    # then no account is added or changed
    assert _demo_state() == before
    assert EmailAddress.objects.count() == 4
    assert output.count("exists ") == 4
    assert "created" not in output


def test_storage_bucket_on_local_storage_is_a_no_op(tmp_path) -> None:
    # given local storage
    with override_settings(STORAGE="local", MEDIA_ROOT=tmp_path):
        # when the bucket command runs
        output = _run("storage_bucket")

    # then it says there is nothing to do
    assert output == f"Local storage in {tmp_path}: nothing to create.\n"


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """A private S3 endpoint (moto, in a thread) so this test does not touch the suite's bucket."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_storage_bucket_creates_the_bucket_once(s3_endpoint: str) -> None:
    # given S3 storage whose bucket does not exist
    options = {
        "bucket_name": "fieldcast-bucket-test",
        "endpoint_url": s3_endpoint,
        "region_name": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
        "addressing_style": "path",
    }
    storages = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert client.list_buckets()["Buckets"] == []

    with override_settings(
        STORAGE="s3", STORAGES=storages, MEDIA_CORS_ORIGINS=["https://news.example"]
    ):
        # when the bucket command runs twice
        first = _run("storage_bucket")
        second = _run("storage_bucket")

    # then the bucket is created the first time and left alone the second
    cors_line = "CORS: GET allowed from https://news.example.\n"
    assert first == "Created bucket fieldcast-bucket-test.\n" + cors_line
    assert second == "Bucket fieldcast-bucket-test exists.\n" + cors_line
    # and players on the site's origin may fetch presigned segments
    rules = client.get_bucket_cors(Bucket="fieldcast-bucket-test")["CORSRules"]
    assert [(rule["AllowedOrigins"], rule["AllowedMethods"]) for rule in rules] == [
        (["https://news.example"], ["GET", "HEAD"])
    ]
    assert [bucket["Name"] for bucket in client.list_buckets()["Buckets"]] == [
        "fieldcast-bucket-test"
    ]


@pytest.mark.django_db
def test_demo_footage_is_transcoded_once_one_clip_published_one_in_review(client) -> None:
    # when the demo data is created twice
    _run("demo")
    _run("demo")

    # then the demo reporter has two transcoded clips: one public, one waiting for an editor
    videos = {v.title: v for v in Video.objects.filter(owner__email="reporter@demo.fieldcast")}
    assert {title: v.state for title, v in videos.items()} == {
        "Flooded underpass on Ring Road": "published",
        "Market traders clear the street": "pending_review",
    }
    assert all(v.renditions and v.output_prefix for v in videos.values())
    # and the home page shows the published one to anyone
    home = client.get("/").content.decode()
    assert "Flooded underpass on Ring Road" in home
    assert "Market traders clear the street" not in home


def test_storage_bucket_on_a_server_without_bucket_cors_says_what_to_do(
    s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an S3 server that, like MinIO's free edition, has no per-bucket CORS API
    real_call = BaseClient._make_api_call

    def minio_like(self, operation_name, api_params):
        if operation_name == "PutBucketCors":
            raise ClientError(
                {"Error": {"Code": "NotImplemented", "Message": "not implemented"}},
                operation_name,
            )
        return real_call(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", minio_like)
    options = {
        "bucket_name": "fieldcast-minio-like",
        "endpoint_url": s3_endpoint,
        "region_name": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
        "addressing_style": "path",
    }
    storages = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    with override_settings(
        STORAGE="s3", STORAGES=storages, MEDIA_CORS_ORIGINS=["https://news.example"]
    ):
        # when the bucket command runs
        output = _run("storage_bucket")

    # then the bucket exists and the operator is told to allow the origin on the server itself
    assert output == (
        "Created bucket fieldcast-minio-like.\n"
        "CORS: this S3 server does not set per-bucket CORS rules; allow GET from "
        "https://news.example in its own configuration.\n"
    )
