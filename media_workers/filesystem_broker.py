"""Kombu's filesystem transport, with redelivery of messages whose worker died (the embedded mode).

The problem: kombu's filesystem transport deletes a message file the moment a worker fetches it.
`acks_late` then protects nothing on this broker: if the whole worker is SIGKILLed (OOM killer,
power cut, `kill -9`) mid-transcode, the task is gone for good and the video stays "processing".
(Killing only a pool child is fine: the parent rejects with requeue, `reject_on_worker_lost`.)

The fix, as Redis does it with its unacked hash:

* Fetching *renames* the message file into `unacked/` (atomic, so one consumer wins), tagged with
  the fetching process's lease id; acknowledging deletes it; rejecting or restoring it (requeue,
  warm shutdown) puts a new copy in the queue and deletes it.
* Each process holds an exclusive `flock` on its own lease file in `leases/` for as long as it
  lives. The kernel drops the lock when the process dies, however it dies.
* **Recovery**: every time a channel opens (worker start, reconnect) and then at most every
  `RECOVERY_INTERVAL` seconds while consuming, unacked files whose lease is no longer locked go
  back to the queue under their original name (so they keep their place in line).

Enabled in settings with `CELERY_BROKER_TRANSPORT = "media_workers.filesystem_broker:Transport"`
when the broker URL is `filesystem://`. Folders (`unacked/`, `leases/`, and `control/` for the
exchange tables) default to siblings of `data_folder_in`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads
from kombu.utils.objects import cached_property

logger = logging.getLogger(__name__)

RECOVERY_INTERVAL = 5.0
_SEPARATOR = "~"


class _Lease:
    """This process's lease: a locked file that exists exactly as long as the process lives."""

    _lock = threading.Lock()
    _held: dict[tuple[int, str], str] = {}
    _files: list[Any] = []

    @classmethod
    def id_for(cls, folder: Path) -> str:
        key = (os.getpid(), str(folder))  # a forked child needs a lease of its own
        with cls._lock:
            if key not in cls._held:
                folder.mkdir(parents=True, exist_ok=True)
                lease_id = uuid.uuid4().hex
                # Locked before it appears under its real name, so no one sees it unlocked.
                pending = folder / f"{lease_id}.pending"
                handle = pending.open("wb")
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                pending.rename(folder / f"{lease_id}.lease")
                cls._files.append(handle)  # kept open (and locked) until the process exits
                cls._held[key] = lease_id
            return cls._held[key]


def _lease_is_dead(lease_folder: Path, lease_id: str) -> bool:
    path = lease_folder / f"{lease_id}.lease"
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return True
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its process is alive
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return True


class Channel(filesystem.Channel):
    """Filesystem channel whose fetched messages stay on disk until acknowledged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unacked_paths: dict[str, Path] = {}
        self._last_recovery = 0.0
        self.recover_orphans()

    @cached_property
    def control_folder(self) -> Path:
        # kombu's default is `control/` relative to the working directory (the repository, for
        # `make run`); keep the exchange tables with the rest of the broker's files instead.
        default = Path(self.data_folder_in).parent / "control"
        return Path(self.transport_options.get("control_folder", default))

    @property
    def unacked_folder(self) -> Path:
        default = Path(self.data_folder_in).parent / "unacked"
        return Path(self.transport_options.get("unacked_folder", default))

    @property
    def lease_folder(self) -> Path:
        default = Path(self.data_folder_in).parent / "leases"
        return Path(self.transport_options.get("lease_folder", default))

    def recover_orphans(self) -> int:
        """Put back in the queue every unacked message whose worker process is dead, and drop
        the lease files of dead processes."""
        self._last_recovery = time.monotonic()
        own = _Lease.id_for(self.lease_folder)
        self.unacked_folder.mkdir(parents=True, exist_ok=True)
        by_lease: dict[str, list[str]] = {}
        for name in sorted(os.listdir(self.unacked_folder)):
            lease_id, sep, _original = name.partition(_SEPARATOR)
            if sep:
                by_lease.setdefault(lease_id, []).append(name)
        leases = {path.stem for path in self.lease_folder.glob("*.lease")}
        recovered = 0
        for lease_id in sorted((set(by_lease) | leases) - {own}):
            if not _lease_is_dead(self.lease_folder, lease_id):
                continue
            for name in by_lease.get(lease_id, []):
                original = name.partition(_SEPARATOR)[2]
                try:
                    os.rename(self.unacked_folder / name, Path(self.data_folder_in) / original)
                except FileNotFoundError:
                    continue  # another process recovered it first
                recovered += 1
                logger.warning("redelivering %s: the worker that fetched it died", original)
            (self.lease_folder / f"{lease_id}.lease").unlink(missing_ok=True)
        return recovered

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        if time.monotonic() - self._last_recovery > RECOVERY_INTERVAL:
            self.recover_orphans()
        own = _Lease.id_for(self.lease_folder)
        wanted = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != wanted:
                continue
            claimed = self.unacked_folder / f"{own}{_SEPARATOR}{filename}"
            try:
                os.rename(Path(self.data_folder_in) / filename, claimed)
            except FileNotFoundError:
                continue  # another consumer took it
            payload = loads(bytes_to_str(claimed.read_bytes()))
            tag = payload.get("properties", {}).get("delivery_tag")
            if tag is None:
                claimed.unlink(missing_ok=True)  # nothing could ever ack it
            else:
                self._unacked_paths[tag] = claimed
            return payload
        raise Empty()

    def _forget(self, delivery_tag: str) -> None:
        path = self._unacked_paths.pop(delivery_tag, None)
        if path is not None:
            path.unlink(missing_ok=True)

    def basic_ack(self, delivery_tag: str, multiple: bool = False) -> None:
        super().basic_ack(delivery_tag, multiple=multiple)
        self._forget(delivery_tag)

    def basic_reject(self, delivery_tag: str, requeue: bool = False) -> None:
        # With requeue, the QoS puts a new copy in the queue (`_restore`) before we forget it.
        super().basic_reject(delivery_tag, requeue=requeue)
        self._forget(delivery_tag)

    def _restore(self, message: Any) -> None:
        super()._restore(message)
        self._forget(message.delivery_tag)


class Transport(filesystem.Transport):
    """`filesystem://` with acknowledgements that survive a killed worker."""

    Channel = Channel
