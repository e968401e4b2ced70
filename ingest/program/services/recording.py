"""The whole-program recording handed over by the engine when a program stops."""

from __future__ import annotations

import contextlib
import logging
import os

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.videos.models import Video
from fieldcast.videos.services import video_create_from_file
from ingest.models import Program, ProgramLogEntry
from ingest.program.services.common import _locked_program

logger = logging.getLogger(__name__)


def _recording_owner(program: Program) -> User | None:
    if program.switcher_holder_id is not None:
        return program.switcher_holder
    entry = (
        ProgramLogEntry.objects.filter(program=program, actor__isnull=False)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return entry.actor if entry is not None else None


def program_recording_finish(*, slug: str, path: str) -> Video | None:
    """The whole-program recording (an MP4 on local disk) becomes a Video in moderation.

    The file is copied to the default storage first (outside any transaction), then
    `video_create_from_file` makes the Video (transcode and review follow). The local file is
    removed afterwards, so a second call with the same path does nothing."""
    program = Program.objects.select_related("switcher_holder").filter(slug=slug).first()
    if program is None:
        return None
    if not path or not os.path.exists(path) or os.path.getsize(path) == 0:
        logger.warning("program %s stopped without a recording", slug)
        return None
    owner = _recording_owner(program)
    if owner is None:
        logger.warning("program %s recording has nobody to own it", slug)
        return None
    started = timezone.localtime(program.recording_started_at or timezone.now())
    storage_key = f"live/programs/{slug}/{started:%Y%m%d-%H%M%S}.mp4"
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        storage_key = default_storage.save(storage_key, File(handle))
    with transaction.atomic():
        locked = _locked_program(slug)
        video = video_create_from_file(
            owner=owner,
            title=_("%(name)s program (%(date)s)")
            % {"name": locked.name, "date": started.strftime("%Y-%m-%d %H:%M")},
            source_name=os.path.basename(storage_key),
            source_key=storage_key,
            source_size=size,
        )
        if not locked.running:
            locked.recording_started_at = None
            locked.save(update_fields=["recording_started_at"])
    with contextlib.suppress(OSError):
        os.remove(path)
    return video
