"""Every response carries a request id, and the request's log line carries the same id."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.test import Client

from fieldcast.core.request_log import JsonFormatter

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "fieldcast.access"]


def test_sane_request_id_is_echoed(client: Client) -> None:
    # when a proxy sends its own request id
    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-7f3a.42_b")

    # then the response carries the same id
    assert response["X-Request-ID"] == "edge-7f3a.42_b"


@pytest.mark.parametrize(
    "incoming",
    ["", "has spaces", "x" * 65, 'quote"s', "new\nline", "über"],
)
def test_unsafe_or_missing_request_id_is_replaced(client: Client, incoming: str) -> None:
    # when the client sends no id, or one unfit for a log line
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    # then a fresh id is generated
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_gets_its_own_id(client: Client) -> None:
    # when two requests arrive without ids
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    # then they are told apart
    assert first != second


def test_error_responses_carry_the_request_id(client: Client) -> None:
    # when an API call fails
    response = client.get("/api/v1/nope/", HTTP_X_REQUEST_ID="trace-404")

    # then the failure can be traced too
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-404"


def test_access_log_line_is_json_with_the_request_id(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    # given the access log is captured
    caplog.set_level(logging.INFO, logger="fieldcast.access")

    # when a request is served
    client.get("/healthz", HTTP_X_REQUEST_ID="trace-abc")

    # then exactly one access line is written, and as JSON it carries the request id
    records = _access_records(caplog)
    assert len(records) == 1
    entry = json.loads(JsonFormatter().format(records[0]))
    assert entry["request_id"] == "trace-abc"
    assert entry["msg"] == "GET /healthz 200"
    assert entry["method"] == "GET"
    assert entry["path"] == "/healthz"
    assert entry["status"] == 200
    assert entry["logger"] == "fieldcast.access"
    assert isinstance(entry["ms"], float)


def test_generated_request_id_is_the_one_logged(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    # given the access log is captured
    caplog.set_level(logging.INFO, logger="fieldcast.access")

    # when a request without an id is served
    response = client.get("/healthz")

    # then the log line and the response header name the same id
    (record,) = _access_records(caplog)
    assert json.loads(JsonFormatter().format(record))["request_id"] == response["X-Request-ID"]
