"""Avatars: pixel limits, fully decoded, re-encoded without metadata, replaced files deleted."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fieldcast.accounts import services
from fieldcast.core.errors import ValidationFailed
from tests.factories import UserFactory
from tests.stored_state import stored_state

pytestmark = pytest.mark.django_db


def _png(width: int = 64, height: int = 48, mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color=1 if mode == "1" else "teal").save(
        out, format="PNG", **save
    )
    return out.getvalue()


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        chunks.append((kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def _png_with_garbage_pixels() -> bytes:
    """A PNG whose header and checksums are right but whose compressed pixels are noise."""
    out = bytearray(b"\x89PNG\r\n\x1a\n")
    for kind, body in _chunks(_png(64, 64)):
        if kind == b"IDAT":
            body = zlib.compress(b"\x07" * 10)[:2] + bytes(range(256)) * 4
        out += struct.pack(">I", len(body)) + kind + body
        out += struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return bytes(out)


def _upload(data: bytes, name: str = "me.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def _update(user, data: bytes, name: str = "me.png"):
    return services.profile_update(
        user=user, display_name="New", bio="", city="", avatar=_upload(data, name)
    )


def test_a_100_megapixel_png_is_refused_and_nothing_is_stored() -> None:
    # given a person and a 10000 × 10000 picture (small on disk, 100 million pixels)
    user = UserFactory(display_name="Old")
    data = _png(10_000, 10_000, mode="1")
    before = stored_state(media=True)

    # when / then
    with pytest.raises(ValidationFailed) as refusal:
        _update(user, data)
    assert refusal.value.fields == {
        "avatar": ["The picture is 10000 × 10000 pixels; at most 4096 pixels a side are allowed."]
    }
    assert stored_state(media=True) == before


def test_a_png_with_corrupt_pixel_data_is_refused_and_nothing_is_stored() -> None:
    # given a PNG that Pillow's verify() accepts
    user = UserFactory(display_name="Old")
    data = _png_with_garbage_pixels()
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    before = stored_state(media=True)

    # when / then
    with pytest.raises(ValidationFailed) as refusal:
        _update(user, data)
    assert refusal.value.fields == {
        "avatar": ["We could not read this picture. Use a JPEG, PNG or WebP file."]
    }
    assert stored_state(media=True) == before


def test_a_picture_at_the_side_limit_is_accepted_and_re_encoded_without_metadata() -> None:
    # given a 4096-pixel-wide PNG carrying a text chunk
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 5.6037 N 0.1870 W")
    user = UserFactory()

    # when
    _update(user, _png(4096, 8, pnginfo=info))

    # then the stored picture is a fresh PNG of the same size, without the text
    user.refresh_from_db()
    with default_storage.open(user.avatar.name) as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("PNG", (4096, 8))
        assert "Comment" not in image.info
    assert user.avatar.name.startswith("avatars/")


def test_jpeg_exif_is_dropped() -> None:
    # given a JPEG with EXIF (a camera model)
    exif = Image.Exif()
    exif[0x0110] = "Phone X"
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(out, format="JPEG", exif=exif)
    user = UserFactory()

    # when
    _update(user, out.getvalue(), name="me.jpg")

    # then
    user.refresh_from_db()
    with default_storage.open(user.avatar.name) as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_a_replaced_avatar_file_is_deleted_after_commit(django_capture_on_commit_callbacks) -> None:
    # given a person with an avatar
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _update(user, _png())
    first = user.avatar.name
    assert default_storage.exists(first)

    # when they upload another one
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _update(user, _png(32, 32))

    # then the first file is gone once the change committed, the new one is there
    user.refresh_from_db()
    assert len(callbacks) == 1
    assert user.avatar.name != first
    assert not default_storage.exists(first)
    assert default_storage.exists(user.avatar.name)


def test_an_avatar_over_the_size_limit_is_refused(settings) -> None:
    # given
    settings.AVATAR_MAX_BYTES = 100
    user = UserFactory()
    before = stored_state(media=True)

    # when / then
    with pytest.raises(ValidationFailed) as refusal:
        _update(user, _png())
    assert refusal.value.code == "invalid_avatar"
    assert "the largest allowed is 100 bytes" in refusal.value.message
    assert stored_state(media=True) == before
