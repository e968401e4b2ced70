"""Where tus bytes go while an upload is unfinished: a local file, or an S3 multipart upload.

A writer serves one PATCH. It is synchronous (the tus ASGI app calls it in a thread) and holds at
most one S3 part in memory. `checkpoint()` makes everything written so far durable and returns
the state to commit to the Upload row; nothing is durable, as far as the protocol is concerned,
until that state is committed.

* Local: append to ``MEDIA_ROOT/<source_key>.part`` (the `uploads/` prefix); fsync at each
  checkpoint; on open, truncate back to the committed offset (bytes a killed process wrote after
  its last commit); on finish, rename to the source key.
* S3: a multipart upload to the source key, parts of exactly `part_size` bytes (S3 wants 5 MiB
  or more for all but the last). The bytes after the last full part (the tail) are kept between
  PATCHes in a small object of their own, under a new key per checkpoint, so the committed row
  always names a tail that matches its offset.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage

from fieldcast.core.s3 import s3_storage
from fieldcast.videos.models import Upload


@dataclass
class Checkpoint:
    """The durable state after a checkpoint: what the Upload row should now say."""

    offset: int
    s3_parts: list[dict[str, Any]] = field(default_factory=list)
    tail_key: str = ""


def storage_backend() -> str:
    return "s3" if settings.STORAGE == "s3" else "local"


def local_part_path(source_key: str) -> Path:
    return Path(settings.MEDIA_ROOT) / f"{source_key}.part"


def _s3() -> tuple[Any, str]:
    storage = s3_storage()
    return storage.connection.meta.client, storage.bucket_name


def _s3_key(name: str) -> str:
    return s3_storage()._normalize_name(name)


# --- Starting and discarding ------------------------------------------------------------------


def upload_storage_start(*, source_key: str) -> dict[str, Any]:
    """Prepare the target; returns the Upload fields that describe it."""
    if storage_backend() == "local":
        path = local_part_path(source_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        return {"backend": "local"}
    client, bucket = _s3()
    response = client.create_multipart_upload(Bucket=bucket, Key=_s3_key(source_key))
    return {
        "backend": "s3",
        "s3_upload_id": response["UploadId"],
        "part_size": max(int(settings.UPLOAD_S3_PART_SIZE), 5 * 1024 * 1024),
    }


def upload_storage_discard(*, upload: Upload) -> None:
    """Remove every byte of an unfinished upload (termination, expiry)."""
    if upload.backend == "local":
        local_part_path(upload.source_key).unlink(missing_ok=True)
        return
    client, bucket = _s3()
    if upload.s3_upload_id:
        try:
            client.abort_multipart_upload(
                Bucket=bucket, Key=_s3_key(upload.source_key), UploadId=upload.s3_upload_id
            )
        except client.exceptions.NoSuchUpload:
            pass
    _s3_delete_tails(upload, keep="")


def _tail_prefix(upload: Upload) -> str:
    return _s3_key(f"uploads/{upload.pk}/tail-")


def _s3_delete_tails(upload: Upload, *, keep: str) -> None:
    client, bucket = _s3()
    listing = client.list_objects_v2(Bucket=bucket, Prefix=_tail_prefix(upload))
    for item in listing.get("Contents", []):
        if item["Key"] != keep:
            client.delete_object(Bucket=bucket, Key=item["Key"])


# --- Writing ----------------------------------------------------------------------------------


class LocalWriter:
    def __init__(self, upload: Upload) -> None:
        self.start = upload.offset
        self.source_key = upload.source_key
        self.path = local_part_path(upload.source_key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.path, "r+b" if self.path.exists() else "w+b")  # noqa: SIM115
        size = os.fstat(self.file.fileno()).st_size
        if size < self.start:
            # Committed bytes are gone (someone removed the file): never pad with zeros.
            self.file.close()
            raise OSError(f"{self.path} holds {size} bytes, fewer than the committed {self.start}")
        self.file.truncate(self.start)
        self.file.seek(self.start)
        self.written = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.file.write(data)
        self.written += len(data)

    def checkpoint(self) -> Checkpoint:
        self.file.flush()
        os.fsync(self.file.fileno())
        return Checkpoint(offset=self.start + self.written)

    def rollback(self) -> None:
        """Forget this PATCH's bytes (checksum mismatch)."""
        self.file.truncate(self.start)
        self.file.flush()
        self.written = 0

    def finish(self) -> None:
        """All bytes are in: move the file to its source key."""
        self.checkpoint()
        self.close()
        target = Path(default_storage.path(self.source_key))
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path, target)

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()

    def committed(self, checkpoint: Checkpoint) -> None:
        """The row now holds `checkpoint` (nothing to clean up locally)."""

    def wants_checkpoint(self, *, unsaved_bytes: int, unsaved_seconds: float) -> bool:
        # An fsync is cheap: every 16 MiB or 2 s, so a kill loses little.
        return unsaved_bytes >= 16 * 1024 * 1024 or (unsaved_bytes > 0 and unsaved_seconds >= 2)


class S3Writer:
    def __init__(self, upload: Upload) -> None:
        self.client, self.bucket = _s3()
        self.upload = upload
        self.key = _s3_key(upload.source_key)
        self.part_size = int(upload.part_size)
        self.parts: list[dict[str, Any]] = list(upload.s3_parts)
        self.old_tail_key = upload.tail_key
        self.tail_key = upload.tail_key
        self.tail_dirty = False
        # The only buffer: at most one part (plus the chunk being added).
        self.buffer = bytearray()
        if upload.tail_key:
            body = self.client.get_object(Bucket=self.bucket, Key=upload.tail_key)["Body"]
            self.buffer += body.read()
        expected = upload.offset - self.part_size * len(self.parts)
        if len(self.buffer) != expected:
            raise OSError(
                f"upload {upload.pk}: tail holds {len(self.buffer)} bytes, not {expected}"
            )
        self.start_parts = list(self.parts)
        self.checkpointed_parts = len(self.parts)
        self.start_buffer_len = len(self.buffer)
        self.written_tails: list[str] = []

    @property
    def offset(self) -> int:
        return self.part_size * len(self.parts) + len(self.buffer)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data)
        while view:
            room = self.part_size - len(self.buffer)
            self.buffer += view[:room]
            view = view[room:]
            self.tail_dirty = True
            if len(self.buffer) == self.part_size:
                self._upload_part(self.buffer)
                self.buffer = bytearray()

    def _upload_part(self, data: bytes | bytearray) -> None:
        number = len(self.parts) + 1
        response = self.client.upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload.s3_upload_id,
            PartNumber=number,
            Body=data,  # no copy: botocore takes a bytearray
        )
        self.parts.append({"PartNumber": number, "ETag": response["ETag"]})

    def checkpoint(self) -> Checkpoint:
        if self.tail_dirty:
            if self.buffer:
                key = f"{_tail_prefix(self.upload)}{self.offset}-{uuid.uuid4().hex[:8]}"
                self.client.put_object(Bucket=self.bucket, Key=key, Body=self.buffer)
                self.written_tails.append(key)
                self.tail_key = key
            else:
                self.tail_key = ""
            self.tail_dirty = False
        self.checkpointed_parts = len(self.parts)
        return Checkpoint(offset=self.offset, s3_parts=list(self.parts), tail_key=self.tail_key)

    def wants_checkpoint(self, *, unsaved_bytes: int, unsaved_seconds: float) -> bool:
        # Right after a part went up the tail is small: the cheapest moment to save it.
        return len(self.parts) > self.checkpointed_parts

    def committed(self, checkpoint: Checkpoint) -> None:
        """The row now names `checkpoint.tail_key`: older tails can go."""
        for key in [self.old_tail_key, *self.written_tails]:
            if key and key != checkpoint.tail_key:
                self.client.delete_object(Bucket=self.bucket, Key=key)
        self.written_tails = [k for k in self.written_tails if k == checkpoint.tail_key]
        self.old_tail_key = checkpoint.tail_key

    def rollback(self) -> None:
        """Forget this PATCH's bytes: parts past the committed ones get overwritten later."""
        for key in self.written_tails:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        self.written_tails = []
        self.parts = list(self.start_parts)
        self.buffer = self.buffer[:0]
        self.tail_key = self.old_tail_key
        self.tail_dirty = False

    def finish(self) -> None:
        """All bytes are in: the tail becomes the last part and S3 assembles the object."""
        if self.buffer:
            self._upload_part(self.buffer)
            self.buffer = bytearray()
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload.s3_upload_id,
            MultipartUpload={"Parts": self.parts},
        )
        _s3_delete_tails(self.upload, keep="")

    def close(self) -> None:
        self.buffer = bytearray()


def open_writer(upload: Upload) -> LocalWriter | S3Writer:
    if upload.backend == "local":
        return LocalWriter(upload)
    return S3Writer(upload)
