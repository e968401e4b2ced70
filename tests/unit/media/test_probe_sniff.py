"""The demuxer allow-list: decided from the first bytes, never from the file name."""

from __future__ import annotations

import pytest

from fieldcast.media.probe import (
    AVI_FORMAT,
    FLV_FORMAT,
    MATROSKA_FORMAT,
    MOV_FORMAT,
    MPEGTS_FORMAT,
    sniff_format,
)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", MOV_FORMAT),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", MOV_FORMAT),
        (b"\x00\x00\x00\x18ftyp3gp5\x00\x00\x00\x00", MOV_FORMAT),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", MOV_FORMAT),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", MATROSKA_FORMAT),
        (b"RIFF\x00\x10\x00\x00AVI LIST", AVI_FORMAT),
        (b"FLV\x01\x05\x00\x00\x00\x09", FLV_FORMAT),
        (bytes([0x47] + [0] * 187) * 5, MPEGTS_FORMAT),
        (bytes([0, 0, 0, 0, 0x47] + [0] * 187) * 5, MPEGTS_FORMAT),
    ],
)
def test_sniff_format_recognises_allowed_containers(head: bytes, expected: str) -> None:
    # given the first bytes of a file in an allowed container
    # when
    found = sniff_format(head)
    # then
    assert found == expected


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:10,\n/etc/passwd\n",
        b"ffconcat version 1.0\nfile '/etc/passwd'\n",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b'<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011">',
        b"YUV4MPEG2 W20000 H20000 F30:1 Ip A1:1 C420jpeg\n",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        b"\x89PNG\r\n\x1a\n",
        b"RIFF\x00\x10\x00\x00WAVEfmt ",
        b"ID3\x04\x00\x00\x00\x00\x00\x00",
        bytes([0x47] + [0] * 187) + b"not a second packet",
    ],
)
def test_sniff_format_refuses_everything_else(head: bytes) -> None:
    # given playlists, lists, documents, images, raw streams and audio formats
    # when
    found = sniff_format(head)
    # then
    assert found is None
