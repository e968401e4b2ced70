"""Staff upload the station slate; the engine gets its storage name; bad pictures are refused."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fieldcast.core.errors import PermissionDenied, ValidationFailed
from ingest.models import Program, ProgramLogEntry
from ingest.program import selectors, services

pytestmark = pytest.mark.django_db


def _png(width: int = 64, height: int = 36) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 40, 90)).save(out, format="PNG")
    return SimpleUploadedFile("card.png", out.getvalue(), content_type="image/png")


def _stored_slates() -> set[str]:
    if not default_storage.exists("slates/"):
        return set()
    return set(default_storage.listdir("slates")[1])


def test_staff_upload_a_slate_and_the_engine_gets_it(staff_user, program) -> None:
    # when
    services.program_set_slate_image(slug="main", staff=staff_user, upload=_png())

    # then
    program.refresh_from_db()
    name = program.slate_image.name
    assert name.startswith("slates/main-")
    assert name.endswith(".png")
    assert default_storage.exists(name)
    assert selectors.program_engine_state(program)["slate_path"] == name
    assert ProgramLogEntry.objects.filter(program=program).first().action == "settings"

    # and back to the default slate
    services.program_set_slate_image(slug="main", staff=staff_user, upload=None)
    program.refresh_from_db()
    assert not program.slate_image
    assert selectors.program_engine_state(program)["slate_path"] is None
    default_storage.delete(name)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("card.png", b"not a picture at all", content_type="image/png"),
        SimpleUploadedFile("card.png", b"", content_type="image/png"),
        "gif",
        "huge",
    ],
)
def test_bad_slates_are_refused(staff_user, program, upload) -> None:
    if upload == "gif":
        out = io.BytesIO()
        Image.new("RGB", (8, 8)).save(out, format="GIF")
        upload = SimpleUploadedFile("card.gif", out.getvalue(), content_type="image/gif")
    elif upload == "huge":
        upload = _png(5000, 10)
    seq = Program.objects.get(slug="main").seq
    stored_before = _stored_slates()
    with pytest.raises(ValidationFailed) as refused:
        services.program_set_slate_image(slug="main", staff=staff_user, upload=upload)
    assert refused.value.code == "invalid_slate"
    program.refresh_from_db()
    assert (program.seq, bool(program.slate_image)) == (seq, False)
    assert _stored_slates() == stored_before


def test_an_editor_cannot_change_the_slate(editor, program) -> None:
    with pytest.raises(PermissionDenied):
        services.program_set_slate_image(slug="main", staff=editor, upload=_png())
    program.refresh_from_db()
    assert not program.slate_image


def test_slate_upload_over_the_api(staff_user, editor, program) -> None:
    staff = Client()
    staff.force_login(staff_user)
    desk = Client()
    desk.force_login(editor)

    refused = desk.post("/api/v1/programs/main/slate-image/", {"image": _png()})
    missing = staff.post("/api/v1/programs/main/slate-image/", {})
    created = staff.post("/api/v1/programs/main/slate-image/", {"image": _png()})

    assert refused.status_code == 403
    assert missing.status_code == 400
    assert created.status_code == 200
    program.refresh_from_db()
    name = program.slate_image.name
    assert default_storage.exists(name)
    reset = staff.delete("/api/v1/programs/main/slate-image/")
    assert reset.status_code == 200
    program.refresh_from_db()
    assert not program.slate_image
    default_storage.delete(name)
