"""The API's JSON parser: a body size cap and a nesting cap before and after decoding.

DRF's own JSONParser reads any size and lets `json` recurse until Python gives up: a body of a
hundred thousand `[` answered 500 with a traceback. Every DRF view uses this parser by default
(REST_FRAMEWORK's DEFAULT_PARSER_CLASSES); the limits are settings (docs/security.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from fieldcast.core.errors import PayloadTooLarge


class SupportsRead(Protocol):
    """A request body: Django's request, DRF's stream, a WSGI/ASGI input."""

    def read(self, size: int = ..., /) -> bytes: ...


MALFORMED = "malformed_request"


def max_body_bytes() -> int:
    return int(settings.API_JSON_MAX_BYTES)


def max_depth() -> int:
    return int(settings.API_JSON_MAX_DEPTH)


def too_large(size_limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        _("The request body is larger than %(limit)s bytes, the most this address accepts.")
        % {"limit": f"{size_limit:,}"}
    )


def nesting_depth(value: object, *, stop_after: int) -> int:
    """How deeply lists and objects nest in `value` (a scalar is 0); counts no further than
    `stop_after` + 1. Iterative: the point is to never recurse on a client's data."""
    deepest = 0
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Iterable[object] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > stop_after:
            return deepest
        pending.extend((child, depth) for child in children)
    return deepest


def content_length(declared: str | int | None) -> int:
    """A declared Content-Length as a number: 0 when missing or not a number (the body's own
    length is checked as well, so a wrong header gains nothing)."""
    try:
        return int(declared or 0)
    except (TypeError, ValueError):
        return 0


def read_limited(
    stream: SupportsRead | None, *, declared_length: str | int | None, limit: int
) -> bytes:
    """The body, or PayloadTooLarge as soon as it is known to pass `limit` bytes."""
    if content_length(declared_length) > limit:
        raise too_large(limit)
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        raise too_large(limit)
    return bytes(data)


def loads_limited(raw: bytes | str, *, depth_limit: int) -> Any:
    """Decode JSON, refusing (ParseError, the API's 400 malformed_request) anything nested deeper
    than `depth_limit` levels, including bodies deep enough to exhaust Python's recursion."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text)
    except RecursionError as exc:
        raise ParseError(_too_deep(depth_limit), code=MALFORMED) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError() from exc
    if nesting_depth(data, stop_after=depth_limit) > depth_limit:
        raise ParseError(_too_deep(depth_limit), code=MALFORMED)
    return data


def _too_deep(limit: int) -> str:
    return _("The request body nests lists or objects more than %(limit)d levels deep.") % {
        "limit": limit
    }


class LimitedJSONParser(JSONParser):
    """JSONParser with API_JSON_MAX_BYTES and API_JSON_MAX_DEPTH."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        request = (parser_context or {}).get("request")
        meta = getattr(request, "META", {}) if request is not None else {}
        raw = read_limited(
            stream, declared_length=meta.get("CONTENT_LENGTH"), limit=max_body_bytes()
        )
        return loads_limited(raw, depth_limit=max_depth())
