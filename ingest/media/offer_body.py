"""Reading an SDP offer's body (WHIP and WHEP) with its size limit.

A client that sends no Content-Length (a chunked upload) used to get past the size check, and a
200 KB body was then judged as SDP: 400 malformed_sdp for what is simply too large. The body's
own length is checked as well as the header's, and a body past Django's upload limit is "too
large" too.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext

from fieldcast.core.errors import PayloadTooLarge
from fieldcast.core.parsers import content_length


def _too_large(size: int | None, limit: int) -> PayloadTooLarge:
    if size is None:
        return PayloadTooLarge(
            gettext("The SDP offer is larger than %(limit)s bytes, the most we accept.")
            % {"limit": f"{limit:,}"}
        )
    return PayloadTooLarge(
        gettext("The SDP offer is %(size)s bytes; we accept at most %(limit)s bytes.")
        % {"size": f"{size:,}", "limit": f"{limit:,}"}
    )


def offer_body(request: HttpRequest, *, limit: int) -> bytes:
    """The request's body, or PayloadTooLarge (413) past `limit` bytes."""
    declared = content_length(request.headers.get("Content-Length"))
    if declared > limit:
        raise _too_large(declared, limit)
    try:
        body = request.body
    except RequestDataTooBig:
        raise _too_large(None, limit) from None
    if len(body) > limit:
        raise _too_large(len(body), limit)
    return body
