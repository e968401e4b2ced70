"""Structured log lines: one JSON object each, carrying the request id."""

from __future__ import annotations

import json
import logging
import sys

from fieldcast.core.request_log import JsonFormatter, RequestIdFilter, request_id_var


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("fieldcast.test", logging.WARNING, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_filter_stamps_the_current_request_id() -> None:
    # given a request id in the current context
    token = request_id_var.set("req-42")
    try:
        record = _record("hello")

        # when the filter sees a record
        kept = RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)

    # then the record carries the id
    assert kept is True
    assert record.request_id == "req-42"


def test_filter_outside_a_request_uses_a_dash() -> None:
    # given no request in progress
    record = _record("background work")

    # when the filter sees a record
    RequestIdFilter().filter(record)

    # then the id is a placeholder
    assert record.request_id == "-"


def test_json_formatter_writes_one_json_object_with_extras() -> None:
    # given a record with a request id and extra fields
    record = _record("%s done", "upload", request_id="req-7", status=201)

    # when it is formatted
    line = JsonFormatter().format(record)

    # then the line is one JSON object with the message, level, logger and extras
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["msg"] == "upload done"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "fieldcast.test"
    assert entry["request_id"] == "req-7"
    assert entry["status"] == 201
    assert entry["ts"].endswith("+00:00")


def test_json_formatter_keeps_non_ascii_readable() -> None:
    # given a message in Chinese
    record = _record("上传完成")

    # when it is formatted
    line = JsonFormatter().format(record)

    # then the characters are written as they are
    assert "上传完成" in line
    assert json.loads(line)["msg"] == "上传完成"


def test_json_formatter_includes_the_traceback() -> None:
    # given a record logged while handling an exception
    try:
        raise ValueError("broken clip")
    except ValueError:
        record = logging.LogRecord(
            "fieldcast.test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )

    # when it is formatted
    entry = json.loads(JsonFormatter().format(record))

    # then the traceback is in the line
    assert "ValueError: broken clip" in entry["exc"]


def test_json_formatter_drops_terminal_colour_copies() -> None:
    # given a uvicorn record, which carries a coloured copy of its message
    record = _record("Uvicorn running on %s", "http://127.0.0.1:8000")
    record.color_message = "Uvicorn running on \x1b[1m%s\x1b[0m"

    # when it is formatted
    entry = json.loads(JsonFormatter().format(record))

    # then only the plain message is written
    assert entry["msg"] == "Uvicorn running on http://127.0.0.1:8000"
    assert "color_message" not in entry
