"""Our own processes started by tests (`fieldcast up`, Celery workers) on the test database.

Such a process shares the suite's PostgreSQL database and Redis: what it does reaches every
other process the suite runs. A second web process that also ran the live media side would run
a second program engine, which hears every studio command on Redis and, holding none of the
sources, cuts the program away from them (seen in CI: the studio journey's on-air source lost
its tally to a tus server started hours earlier). So a web process is a web replica unless a
test asks for live media: no program engine, no RTMP listener, as docker-compose runs `web`.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]

# What docker-compose sets on its `web` service: live media belongs to the ingest service.
WEB_REPLICA = {"PROGRAM_ENGINE_ENABLED": "0", "RTMP_PORT": "0"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def subprocess_database_url() -> str:
    """The database pytest-django created, as a DATABASE_URL for a subprocess."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = f"{auth}@" if auth else ""
    return f"postgres://{host}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(*, live_media: bool = False, **overrides: str) -> dict[str, str]:
    """The environment of one of our processes on the test database and storage.

    `live_media` keeps the program engine and the RTMP listener on: only the one server that the
    live tests publish to may have them."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=subprocess_database_url(),
        SECRET_KEY=settings.SECRET_KEY,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        LOG_FORMAT="plain",
    )
    if not live_media:
        env.update(WEB_REPLICA)
    env.update(overrides)
    return env
