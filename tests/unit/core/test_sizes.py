"""Sizes in messages: rounded, unless rounding makes two different sizes read the same."""

from __future__ import annotations

from fieldcast.core.sizes import exact_bytes, sizes_text


def _plain(texts: list[str]) -> list[str]:
    return [text.replace("\xa0", " ") for text in texts]


def test_sizes_that_round_differently_stay_rounded() -> None:
    assert _plain(sizes_text(100 * 1024**2, 64 * 1024**2)) == ["100.0 MB", "64.0 MB"]


def test_sizes_that_round_alike_are_given_in_bytes() -> None:
    assert sizes_text(4 * 1024**3 + 1, 4 * 1024**3) == [
        "4,294,967,297 bytes",
        "4,294,967,296 bytes",
    ]


def test_equal_sizes_are_not_a_clash() -> None:
    assert _plain(sizes_text(1024, 1024)) == ["1.0 KB", "1.0 KB"]


def test_exact_bytes_counts_one_byte_as_singular() -> None:
    assert [exact_bytes(1), exact_bytes(2)] == ["1 byte", "2 bytes"]
