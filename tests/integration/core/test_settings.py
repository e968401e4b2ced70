"""Settings come from the environment: embedded defaults with nothing set, scaled mode by env.

Each case runs a fresh interpreter with a clean environment, as a newcomer's shell would be.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
PRINT_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "var_dir": str(settings.VAR_DIR),
    "db_engine": db["ENGINE"],
    "db_name": str(db["NAME"]),
    "db_host": db.get("HOST", ""),
    "db_test_name": str(db.get("TEST", {}).get("NAME")),
    "broker": settings.CELERY_BROKER_URL,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "channel_hosts": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "storage": settings.STORAGES["default"]["BACKEND"],
    "storage_options": {k: str(v) for k, v in settings.STORAGES["default"]["OPTIONS"].items()},
    "media_root": str(settings.MEDIA_ROOT),
    "debug": settings.DEBUG,
    "secret_key": settings.SECRET_KEY,
}))
"""


def _settings_in(env: dict[str, str]) -> dict:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "DJANGO_SETTINGS_MODULE": "fieldcast.settings",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_mode_with_nothing_set(tmp_path: Path) -> None:
    # when Fieldcast starts with only its data folder named
    values = _settings_in({"FIELDCAST_VAR_DIR": str(tmp_path)})

    # then everything lives under that folder and needs no service
    assert values["var_dir"] == str(tmp_path)
    assert values["db_engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(tmp_path / "fieldcast.sqlite3")
    assert values["db_test_name"] == str(tmp_path / "test.sqlite3")
    assert values["broker"] == "filesystem://"
    assert values["broker_options"] == {
        "data_folder_in": str(tmp_path / "broker" / "queue"),
        "data_folder_out": str(tmp_path / "broker" / "queue"),
        "processed_folder": str(tmp_path / "broker" / "processed"),
        "store_processed": False,
        "control_folder": str(tmp_path / "broker" / "control"),
    }
    assert (tmp_path / "broker" / "queue").is_dir()
    assert (tmp_path / "broker" / "processed").is_dir()
    assert values["channel_layer"] == "channels.layers.InMemoryChannelLayer"
    assert values["storage"] == "django.core.files.storage.FileSystemStorage"
    assert values["storage_options"]["location"] == str(tmp_path / "media")
    assert values["media_root"] == str(tmp_path / "media")
    assert values["debug"] is False
    assert (tmp_path / "static").is_dir()


def test_scaled_mode_from_the_environment(tmp_path: Path) -> None:
    # when the environment names PostgreSQL, Redis and an S3 endpoint
    values = _settings_in(
        {
            "FIELDCAST_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://fieldcast:pw@db.internal:5432/fieldcast",
            "REDIS_URL": "redis://cache.internal:6379/2",
            "STORAGE": "s3",
            "S3_ENDPOINT_URL": "http://minio.internal:9000",
            "AWS_ACCESS_KEY_ID": "key-id",
            "AWS_SECRET_ACCESS_KEY": "key-secret",
            "AWS_STORAGE_BUCKET_NAME": "media-bucket",
        }
    )

    # then each service is the scaled one
    assert values["db_engine"] == "django.db.backends.postgresql"
    assert values["db_name"] == "fieldcast"
    assert values["db_host"] == "db.internal"
    assert values["broker"] == "redis://cache.internal:6379/2"
    assert values["channel_layer"] == "channels_redis.core.RedisChannelLayer"
    assert values["channel_hosts"] == ["redis://cache.internal:6379/2"]
    assert values["storage"] == "storages.backends.s3.S3Storage"
    assert values["storage_options"]["bucket_name"] == "media-bucket"
    assert values["storage_options"]["endpoint_url"] == "http://minio.internal:9000"
    assert values["storage_options"]["access_key"] == "key-id"
    assert values["storage_options"]["querystring_auth"] == "True"
    assert not (tmp_path / "broker").exists()


def test_debug_only_when_asked(tmp_path: Path) -> None:
    # when DEBUG is asked for
    values = _settings_in({"FIELDCAST_VAR_DIR": str(tmp_path), "DEBUG": "true"})

    # then it is on
    assert values["debug"] is True


def test_secret_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    # given a fresh data folder
    key_file = tmp_path / "secret_key"
    assert not key_file.exists()

    # when Fieldcast starts twice
    first = _settings_in({"FIELDCAST_VAR_DIR": str(tmp_path)})["secret_key"]
    second = _settings_in({"FIELDCAST_VAR_DIR": str(tmp_path)})["secret_key"]

    # then the key was written once, privately, and reused
    assert first == second
    assert len(first) >= 50
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_the_environment_is_not_written(tmp_path: Path) -> None:
    # when the environment gives the key
    values = _settings_in(
        {"FIELDCAST_VAR_DIR": str(tmp_path), "SECRET_KEY": "from-the-environment-" + "x" * 40}
    )

    # then it is used and nothing is written to the data folder
    assert values["secret_key"] == "from-the-environment-" + "x" * 40
    assert not (tmp_path / "secret_key").exists()


def test_two_data_folders_get_different_keys(tmp_path: Path) -> None:
    # when two installations start
    one = _settings_in({"FIELDCAST_VAR_DIR": str(tmp_path / "one")})["secret_key"]
    two = _settings_in({"FIELDCAST_VAR_DIR": str(tmp_path / "two")})["secret_key"]

    # then each has its own key
    assert one != two
