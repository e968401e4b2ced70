"""Avatar pictures: checked, fully decoded and re-encoded before anything is stored.

Django's ImageField only reads the header and runs Pillow's `verify()`: a 100-megapixel PNG and a
PNG whose pixel data was garbage (with valid checksums) were both accepted, and every thumbnail
render paid for them. Here the size, format and pixel limits are checked from the header, the
picture is decoded completely, and what is stored is a fresh encoding without any metadata (no
EXIF location from a reporter's phone). The side limit is the station slate's (4096 pixels).
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ValidationFailed

# Pillow format name → (stored extension, save options).
FORMATS: dict[str, tuple[str, dict[str, object]]] = {
    "JPEG": ("jpg", {"quality": 90}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 90}),
}


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, code=ErrorCode.INVALID_AVATAR, fields={"avatar": [message]})


def avatar_clean(upload: UploadedFile) -> ContentFile:
    """A re-encoded copy of `upload` to store, or ValidationFailed saying what is wrong."""
    max_bytes = int(settings.AVATAR_MAX_BYTES)
    max_side = int(settings.AVATAR_MAX_SIDE)
    if not upload.size:
        raise _refuse(_("The picture is empty."))
    if upload.size > max_bytes:
        raise _refuse(
            _("The picture is %(size)s bytes; the largest allowed is %(limit)s bytes.")
            % {"size": f"{upload.size:,}", "limit": f"{max_bytes:,}"}
        )
    unreadable = _("We could not read this picture. Use a JPEG, PNG or WebP file.")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns about huge pictures on open; the side limit below refuses them
            # before a single pixel is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                kind = image.format or ""
                width, height = image.size
                if kind not in FORMATS:
                    raise _refuse(unreadable)
                if max(width, height) > max_side:
                    raise _refuse(
                        _(
                            "The picture is %(width)d × %(height)d pixels; at most %(limit)d "
                            "pixels a side are allowed."
                        )
                        % {"width": width, "height": height, "limit": max_side}
                    )
                image.load()  # every pixel: corrupt data fails here, not in a later render
                picture = ImageOps.exif_transpose(image)
    except ValidationFailed:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as error:
        raise _refuse(unreadable) from error
    finally:
        upload.seek(0)
    extension, options = FORMATS[kind]
    if kind == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    elif picture.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        picture = picture.convert("RGBA")
    out = io.BytesIO()
    # A new encoding of the pixels only: no EXIF, XMP, ICC comments or text chunks carried over.
    picture.save(out, format=kind, **options)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
