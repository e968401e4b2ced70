"""Fieldcast settings, configured by environment variables.

With nothing set, Fieldcast runs in the embedded mode (SQLite, local media, in-memory channel layer,
Celery broker on the local filesystem). DATABASE_URL, REDIS_URL and STORAGE=s3 switch to the scaled
mode. See docs/configuration.md for every variable. Django reads this package's names: `base` holds
the project, storage, media, live, points and moderation; `accounts` holds accounts and security.
"""

from fieldcast.settings.accounts import *  # noqa: F403  (after base: it extends base's Celery lists)
from fieldcast.settings.base import *  # noqa: F403
