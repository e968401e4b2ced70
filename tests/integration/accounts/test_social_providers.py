"""Social login providers are switched on by settings alone (no code change)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
RENDER_LOGIN = """
import django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="127.0.0.1").get("/accounts/login/")
print(response.status_code)
print(response.content.decode())
"""


def _run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(ROOT)),
            "DJANGO_SETTINGS_MODULE": "fieldcast.settings",
            "LOG_LEVEL": "ERROR",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_github_login_is_offered_when_configured(tmp_path: Path) -> None:
    # given an installation configured for GitHub login through the environment
    env = {
        "FIELDCAST_VAR_DIR": str(tmp_path),
        "SOCIAL_PROVIDER_APPS": "allauth.socialaccount.providers.github",
        "SOCIALACCOUNT_PROVIDERS": json.dumps(
            {"github": {"APPS": [{"client_id": "fieldcast-test", "secret": "not-a-secret"}]}}
        ),
    }
    _run(env, "-m", "fieldcast", "migrate", "--noinput", "-v", "0")

    # when a visitor opens the login page
    status, html = _run(env, "-c", RENDER_LOGIN).split("\n", 1)

    # then GitHub is offered
    assert status == "200"
    assert 'href="/accounts/github/login/?process=login"' in html


@pytest.mark.django_db
def test_no_social_login_by_default(client: Client) -> None:
    # when a visitor opens the login page of an installation with no provider configured
    response = client.get("/accounts/login/")

    # then only email login is there
    html = response.content.decode()
    assert response.status_code == 200
    assert "/accounts/github/login/" not in html
    assert 'name="login"' in html
