"""The station slate: a picture staff upload, shown when nothing else is on air."""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from fieldcast.accounts.guards import require_permission
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import NotFound, ValidationFailed
from ingest.models import Program, ProgramAction
from ingest.program.services.common import _changed, _locked_program, _log

SLATE_MAX_BYTES = 5 * 1024 * 1024
SLATE_MAX_SIDE = 4096
SLATE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _slate_extension(upload: UploadedFile) -> str:
    """The checked image format's extension; refuses what is not a JPEG/PNG/WebP picture."""
    refusal = ValidationFailed(
        _("The slate must be a JPEG, PNG or WebP picture of at most 5 MB and 4096 pixels a side."),
        code=ErrorCode.INVALID_SLATE,
        fields={"image": [_("Not a usable picture.")]},
    )
    if upload.size is None or upload.size > SLATE_MAX_BYTES or upload.size == 0:
        raise refusal
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            kind, size = image.format, image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise refusal from error
    finally:
        upload.seek(0)
    if kind not in SLATE_FORMATS or max(size) > SLATE_MAX_SIDE:
        raise refusal
    return SLATE_FORMATS[kind]


def slate_missing_message() -> str:
    return _("Choose a picture for the slate.")


def program_set_slate_image(*, slug: str, staff: User, upload: UploadedFile | None) -> Program:
    """Staff upload the station slate (None: back to the default slate the engine draws)."""
    require_permission(staff, "promote_reporter", message=_("Only staff can change the slate."))
    if not Program.objects.filter(slug=slug).exists():
        raise NotFound(_("There is no channel called “%(slug)s”.") % {"slug": slug})
    stored = None
    if upload is not None:
        extension = _slate_extension(upload)
        stored = default_storage.save(f"slates/{slug}-{uuid.uuid4().hex[:12]}.{extension}", upload)
    try:
        with transaction.atomic():
            program = _locked_program(slug)
            old = program.slate_image.name if program.slate_image else None
            program.slate_image.name = stored
            _log(
                program,
                ProgramAction.SETTINGS,
                actor=staff,
                detail=_("new slate image") if stored else _("default slate"),
            )
            _changed(program, fields=["slate_image"])
            if old:
                transaction.on_commit(lambda: default_storage.delete(old))
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    return program
