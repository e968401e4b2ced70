"""Real third-party clients against Fieldcast's ingest: the ingest test fixtures, reused."""

from tests.integration.ingest.conftest import (  # noqa: F401 - fixtures pytest looks up by name
    _close_ingest_db_connection,
    enqueued,
    live_settings,
    stream_secret,
)
