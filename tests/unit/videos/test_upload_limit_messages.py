"""A refused upload names limits a person can compare: 4 GiB + 1 byte is not "4.0 GB"."""

from __future__ import annotations

import pytest

from fieldcast.core.errors import RateLimited
from fieldcast.videos import services
from fieldcast.videos.services import UploadTooLarge
from tests.factories import UserFactory
from tests.stored_state import stored_state

pytestmark = pytest.mark.django_db


def test_one_byte_over_4_gib_shows_both_sizes_in_bytes(settings) -> None:
    # given the default limit and a reporter
    settings.UPLOAD_MAX_BYTES = 4 * 1024**3
    reporter = UserFactory(roles=["reporter"])
    before = stored_state()

    # when / then
    with pytest.raises(UploadTooLarge) as refusal:
        services.upload_create(
            user=reporter, length=4 * 1024**3 + 1, metadata={"filename": "a.mp4", "title": "A"}
        )
    assert refusal.value.message == (
        "This file is 4,294,967,297 bytes; the largest file you can upload is 4,294,967,296 bytes."
    )
    assert stored_state() == before


def test_the_daily_limit_is_exact_when_rounding_would_hide_it(settings) -> None:
    # given a daily allowance 1 byte short of the file
    settings.UPLOAD_MAX_BYTES = 8 * 1024**3
    settings.UPLOAD_DAILY_BYTES = 2 * 1024**3
    reporter = UserFactory(roles=["reporter"])

    # when / then
    with pytest.raises(RateLimited) as refusal:
        services.upload_create(
            user=reporter, length=2 * 1024**3 + 1, metadata={"filename": "a.mp4", "title": "A"}
        )
    assert refusal.value.message == (
        "You can upload 2,147,483,648 bytes in 24 hours and have 2,147,483,648 bytes left; "
        "this file is 2,147,483,649 bytes. Try again later or send a shorter clip."
    )
