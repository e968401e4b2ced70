"""Third-party senders against the real ingest: the ingest tests' fixtures, shared."""

from tests.integration.ingest.conftest import (  # noqa: F401 - fixtures, found by name
    _close_ingest_db_connection,
    enqueued,
    live_settings,
    stream_secret,
)
