"""HTTPS hardening is on by default unless DEBUG, and each part can be set from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
PRINT = """
import json
from django.conf import settings
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "subdomains": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "preload": settings.SECURE_HSTS_PRELOAD,
    "media_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"],
}))
"""


def _settings(tmp_path: Path, **env: str) -> dict:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "DJANGO_SETTINGS_MODULE": "fieldcast.settings",
        "FIELDCAST_VAR_DIR": str(tmp_path),
        **env,
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", PRINT],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_debug_cookies_are_secure_and_hsts_is_on(tmp_path: Path) -> None:
    assert _settings(tmp_path) == {
        "session_secure": True,
        "csrf_secure": True,
        "hsts": 365 * 24 * 3600,
        "subdomains": True,
        "preload": True,
        "media_src": ["'self'", "blob:"],
    }


def test_debug_turns_the_https_defaults_off(tmp_path: Path) -> None:
    values = _settings(tmp_path, DEBUG="true")
    assert (values["session_secure"], values["csrf_secure"], values["hsts"]) == (False, False, 0)
    assert (values["subdomains"], values["preload"]) == (False, False)


def test_each_part_can_be_set(tmp_path: Path) -> None:
    values = _settings(
        tmp_path,
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="60",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
        STORAGE="s3",
        S3_ENDPOINT_URL="https://s3.example.org",
    )
    assert values == {
        "session_secure": False,
        "csrf_secure": False,
        "hsts": 60,
        "subdomains": False,
        "preload": False,
        "media_src": ["'self'", "blob:", "https://s3.example.org"],
    }
