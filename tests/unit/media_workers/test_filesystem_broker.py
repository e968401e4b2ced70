"""The filesystem broker keeps fetched messages until acked and redelivers a dead worker's."""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kombu import Connection

from media_workers.filesystem_broker import Transport


@pytest.fixture
def broker(tmp_path: Path) -> Path:
    (tmp_path / "queue").mkdir()
    return tmp_path


@pytest.fixture
def connection(broker: Path) -> Iterator[Connection]:
    options = {"data_folder_in": str(broker / "queue"), "data_folder_out": str(broker / "queue")}
    with Connection("filesystem://", transport=Transport, transport_options=options) as conn:
        yield conn


@pytest.fixture
def queue_name() -> str:
    # kombu keeps declared bindings in process-wide state: a fresh name per test makes each
    # test's broker folder get its own exchange table.
    return f"jobs-{uuid.uuid4().hex[:8]}"


def _names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


def _orphan(broker: Path, message_file: str, lease_id: str = "deadbeef") -> None:
    """A message fetched by a process that has since died (its lease file is not locked)."""
    (broker / "leases").mkdir(exist_ok=True)
    (broker / "leases" / f"{lease_id}.lease").touch()
    os.rename(broker / "queue" / message_file, broker / "unacked" / f"{lease_id}~{message_file}")


def test_a_fetched_message_stays_on_disk_until_acked(
    connection: Connection, broker: Path, queue_name: str
) -> None:
    # given
    queue = connection.SimpleQueue(queue_name)
    queue.put({"video_id": 7})
    # when
    message = queue.get(timeout=1)
    # then
    assert message.payload == {"video_id": 7}
    assert _names(broker / "queue") == []
    assert len(_names(broker / "unacked")) == 1
    # and when
    message.ack()
    # then
    assert _names(broker / "unacked") == []


def test_a_rejected_message_with_requeue_goes_back_to_the_queue(
    connection: Connection, broker: Path, queue_name: str
) -> None:
    # given
    queue = connection.SimpleQueue(queue_name)
    queue.put({"video_id": 7})
    message = queue.get(timeout=1)
    # when
    message.reject(requeue=True)
    # then
    assert _names(broker / "unacked") == []
    assert queue.get(timeout=1).payload == {"video_id": 7}


def test_the_unacked_message_of_a_dead_worker_is_redelivered(
    connection: Connection, broker: Path, queue_name: str
) -> None:
    # given a message a dead process had fetched
    queue = connection.SimpleQueue(queue_name)
    queue.put({"video_id": 7})
    [message_file] = _names(broker / "queue")
    _orphan(broker, message_file)
    # when the recovery runs (at channel open, i.e. worker start, and every few seconds)
    recovered = queue.channel.recover_orphans()
    # then it is back in the queue under its own name, and the dead lease is gone
    assert recovered == 1
    assert _names(broker / "queue") == [message_file]
    assert "deadbeef.lease" not in _names(broker / "leases")
    assert queue.get(timeout=1).payload == {"video_id": 7}


def test_the_unacked_message_of_a_live_worker_is_left_alone(
    connection: Connection, broker: Path, queue_name: str
) -> None:
    # given a message fetched by a process that is still alive (it holds its lease's lock)
    queue = connection.SimpleQueue(queue_name)
    queue.put({"video_id": 7})
    [message_file] = _names(broker / "queue")
    _orphan(broker, message_file, lease_id="alive")
    with (broker / "leases" / "alive.lease").open("rb") as lease:
        fcntl.flock(lease.fileno(), fcntl.LOCK_EX)
        # when
        recovered = queue.channel.recover_orphans()
        # then
        assert recovered == 0
        assert _names(broker / "queue") == []
        assert _names(broker / "unacked") == [f"alive~{message_file}"]


def test_a_new_channel_recovers_orphans_when_it_opens(
    connection: Connection, broker: Path, queue_name: str
) -> None:
    # given a message a dead process had fetched
    queue = connection.SimpleQueue(queue_name)
    queue.put({"video_id": 8})
    [message_file] = _names(broker / "queue")
    _orphan(broker, message_file)
    # when a worker starts and opens its channel
    connection.channel()
    # then
    assert _names(broker / "queue") == [message_file]
    assert _names(broker / "unacked") == []


def test_exchange_tables_live_with_the_broker_files_not_in_the_working_directory(
    connection: Connection, broker: Path, queue_name: str
) -> None:
    # given / when a queue is declared and used
    queue = connection.SimpleQueue(queue_name)
    queue.put({"video_id": 9})
    # then
    assert _names(broker / "control") == [f"{queue_name}.exchange"]
