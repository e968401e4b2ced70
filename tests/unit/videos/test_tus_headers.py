"""Parsing of the tus request headers (pure functions)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from fieldcast.videos.tus import BadRequest, parse_checksum, parse_metadata


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def test_metadata_pairs_are_decoded_including_keys_without_value():
    # when
    metadata = parse_metadata(f"filename {_b64('marché.mp4')}, title {_b64('À la gare')},is_draft")
    # then
    assert metadata == {"filename": "marché.mp4", "title": "À la gare", "is_draft": ""}


def test_empty_metadata_is_empty():
    # then
    assert parse_metadata("") == {}


def test_metadata_with_bad_base64_is_refused():
    # when / then
    with pytest.raises(BadRequest) as refused:
        parse_metadata("title not*base64")
    assert refused.value.message == "Upload-Metadata value for “title” is not valid base64 UTF-8."


def test_sha1_checksum_is_decoded():
    # given
    digest = hashlib.sha1(b"abc", usedforsecurity=False).digest()
    # then
    assert parse_checksum("sha1 " + base64.b64encode(digest).decode()) == digest
    assert parse_checksum("") is None


@pytest.mark.parametrize("header", ["md5 AAAA", "sha256 AAAA", "sha1 ***"])
def test_other_algorithms_and_bad_values_are_refused(header):
    # when / then
    with pytest.raises(BadRequest):
        parse_checksum(header)
