"""/healthz and /readyz against whatever services the environment configures.

Run in the embedded mode (SQLite, filesystem broker, in-memory layer, local media) and in the
scaled mode (PostgreSQL, Redis, S3): the checks read the configured services either way.
"""

from __future__ import annotations

import socket

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client, override_settings

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CHECK_NAMES = {"database", "broker", "storage", "channel_layer"}


def _closed_port() -> int:
    # Bind and close: nothing listens there afterwards, so a connection is refused at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _probe_files() -> list[str]:
    try:
        return sorted(default_storage.listdir("readiness")[1])
    except FileNotFoundError:  # local storage: the folder is made by the first probe
        return []


def test_healthz_says_ok(client: Client) -> None:
    # when a load balancer asks whether the process is up
    response = client.get("/healthz")

    # then it is, and the answer is never cached
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_every_configured_service(client: Client) -> None:
    # when an orchestrator asks whether the process can serve
    response = client.get("/readyz")

    # then every dependency is reachable and named in the answer
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == CHECK_NAMES
    for name, check in body["checks"].items():
        assert check["ok"] is True, (name, check)
        assert "error" not in check
        assert isinstance(check["ms"], float)


def test_readyz_leaves_no_probe_file_in_storage(client: Client) -> None:
    # given the storage before a readiness probe
    before = _probe_files()

    # when the probe runs
    client.get("/readyz")

    # then it cleaned up after itself
    assert _probe_files() == before


def test_readyz_names_the_broker_when_it_is_down(client: Client) -> None:
    # given a broker address where nothing listens
    port = _closed_port()
    with override_settings(
        CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0",
        CELERY_BROKER_TRANSPORT_OPTIONS={},
        READY_CHECK_TIMEOUT=1.0,
    ):
        # when the readiness probe runs
        response = client.get("/readyz")

    # then the process is not ready, and the broker is the failing check
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert "refused" in body["checks"]["broker"]["error"].lower()
    assert {name for name, check in body["checks"].items() if not check["ok"]} == {"broker"}


def test_readyz_names_the_channel_layer_when_it_is_down(client: Client) -> None:
    # given a channel layer on a Redis where nothing listens
    port = _closed_port()
    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{port}/0"]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers, READY_CHECK_TIMEOUT=1.0):
        # when the readiness probe runs
        response = client.get("/readyz")

    # then only the channel layer fails
    body = response.json()
    assert response.status_code == 503
    assert {name for name, check in body["checks"].items() if not check["ok"]} == {"channel_layer"}
    assert body["checks"]["channel_layer"]["error"]


def test_readyz_names_the_storage_when_it_cannot_write(client: Client, tmp_path) -> None:
    # given media storage in a folder this process may not write
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked / "media")},
        },
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    with override_settings(STORAGES=storages):
        # when the readiness probe runs
        response = client.get("/readyz")

    # then only the storage fails, with the reason
    body = response.json()
    assert response.status_code == 503
    assert {name for name, check in body["checks"].items() if not check["ok"]} == {"storage"}
    assert body["checks"]["storage"]["error"].startswith(("NotADirectoryError", "FileExistsError"))
