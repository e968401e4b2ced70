"""The program engine: one `ProgramRuntime` per running program, inside the ingest process.

`ProgramEngine` listens on the channel-layer group `program-engine` for the studio's
`program.command` events (the whole state of one program, applied newest `seq` first) and
starts, updates and stops runtimes (`ingest.program.runtime`). At start-up it loads the running
programs itself, so a restarted ingest resumes them. A program runs in one engine at a time: the
engine holds a lease on the program's row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from pathlib import Path
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings

from fieldcast.core import events as core_events
from ingest.program.groups import ENGINE_GROUP
from ingest.program.reporting import ProgramReporter, ServiceProgramReporter
from ingest.program.runtime import ProgramRuntime

logger = logging.getLogger(__name__)

SHUTDOWN_HANDOVER_SECONDS = 60.0


def work_root() -> Path:
    return Path(settings.PROGRAM_WORK_DIR)


def engine_node_name() -> str:
    """This process among the ingest processes (host and pid, and a nonce for a reused pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:100]


class ProgramEngine:
    """Every program runtime of this process, driven by the studio's commands.

    A program runs in one engine at a time: the engine holds a lease on the program's row,
    renewed every third of PROGRAM_ENGINE_LEASE_SECONDS. A running program whose lease another
    process holds waits here, and is taken over once that lease lapses (that process died)."""

    def __init__(
        self,
        reporter: ProgramReporter | None = None,
        root: Path | None = None,
        node: str | None = None,
    ) -> None:
        self.reporter: ProgramReporter = reporter or ServiceProgramReporter()
        self.root = root or work_root()
        self.node = node or engine_node_name()
        self.runtimes: dict[str, ProgramRuntime] = {}
        # Running programs another engine holds: the newest state of each, to take over.
        self.waiting: dict[str, dict[str, Any]] = {}
        self.seqs: dict[str, int] = {}
        # Which program row each slug's seq counts for: a program deleted and made again under the
        # same slug starts its seq afresh, and its old runtime must not carry on.
        self.program_ids: dict[str, int | None] = {}
        self._channel: str | None = None
        self._listener: asyncio.Task[None] | None = None
        self._leases: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Listen for commands and resume the programs that are running (in the process that
        holds the live sources: PROGRAM_ENGINE_ENABLED is off in web replicas)."""
        if self._leases is not None or not settings.PROGRAM_ENGINE_ENABLED:
            return
        self._leases = asyncio.create_task(self._keep_leases(), name="program-engine-leases")
        layer = get_channel_layer()
        if layer is not None:
            # The default prefix on purpose: channels_redis reads every process-local channel of
            # one prefix through one shared receive lock, and a waiting receive on a prefix of its
            # own would hold that lock and starve every websocket consumer in this process.
            self._channel = await layer.new_channel()
            await layer.group_add(ENGINE_GROUP, self._channel)
            self._listener = asyncio.create_task(self._listen(), name="program-engine")
            core_events.ensure_relay()
        try:
            states = await self.reporter.running_states()
        except Exception:
            logger.exception("the running programs could not be loaded")
            states = []
        for state in states:
            await self.apply(state)

    async def _listen(self) -> None:
        layer = get_channel_layer()
        assert layer is not None  # noqa: S101
        assert self._channel is not None  # noqa: S101
        while True:
            message = await layer.receive(self._channel)
            event = message.get("event") or {}
            if event.get("type") != "program.command" or not isinstance(event.get("program"), dict):
                continue
            try:
                await self.apply(event["program"])
            except Exception:
                logger.exception("program command failed")

    async def apply(self, state: dict[str, Any]) -> None:
        """Apply a program's state if it is newer than the last one seen for it."""
        async with self._lock:
            slug = str(state["slug"])
            seq = int(state["seq"])
            program_id = state.get("program_id")
            same_program = self.program_ids.get(slug, program_id) == program_id
            if same_program and seq <= self.seqs.get(slug, -1):
                return
            self.seqs[slug] = seq
            self.program_ids[slug] = program_id
            self.waiting.pop(slug, None)
            runtime = self.runtimes.get(slug)
            if runtime is not None and (
                not same_program or not state["running"] or runtime.needs_restart(state)
            ):
                await self._stop_runtime(slug, release=not same_program or not state["running"])
                runtime = None
            if not state["running"]:
                return
            if runtime is not None:
                runtime.update(state)
            elif await self._claim(state, held=False):
                await self._start_runtime(state)
            else:
                self.waiting[slug] = state
                logger.info("program %s runs in another ingest process; this one stands by", slug)

    async def _start_runtime(self, state: dict[str, Any]) -> None:
        runtime = ProgramRuntime(state, reporter=self.reporter, root=self.root, node=self.node)
        await runtime.start()
        self.runtimes[runtime.slug] = runtime

    async def _stop_runtime(self, slug: str, *, release: bool) -> asyncio.Task[Any]:
        runtime = self.runtimes.pop(slug)
        handover = await runtime.stop()
        program_id = runtime.state.get("program_id")
        if release and program_id is not None:
            try:
                await self.reporter.release(program_id=int(program_id), node=self.node)
            except Exception:
                logger.exception("the lease of program %s could not be released", slug)
        return handover

    async def _claim(self, state: dict[str, Any], *, held: bool) -> bool:
        """Take or renew the program's lease. A database that cannot be reached changes nothing:
        a running program goes on, a waiting one goes on waiting."""
        program_id = state.get("program_id")
        if program_id is None:
            return True  # a state without its row (an old studio's event): nothing to share
        try:
            return await self.reporter.claim(program_id=int(program_id), node=self.node)
        except Exception:
            logger.exception("the lease of program %s could not be renewed", state["slug"])
            return held

    async def _keep_leases(self) -> None:
        while True:
            await asyncio.sleep(float(settings.PROGRAM_ENGINE_LEASE_SECONDS) / 3)
            try:
                await self.renew_leases()
            except Exception:
                logger.exception("program leases could not be kept")

    async def renew_leases(self) -> None:
        """Renew the lease of every program running here, give up one another process took (this
        one stalled past the lease), and take over waiting programs whose holder went away."""
        async with self._lock:
            for slug, runtime in list(self.runtimes.items()):
                if not await self._claim(runtime.state, held=True):
                    # Taken over (this process stalled past its lease), or stopped or deleted
                    # while a command was lost: either way it is no longer ours to run.
                    logger.warning("program %s is no longer this ingest process's to run", slug)
                    await self._stop_runtime(slug, release=False)
                    self.waiting[slug] = runtime.state
            for slug, state in list(self.waiting.items()):
                if await self._claim(state, held=False):
                    del self.waiting[slug]
                    logger.info("program %s taken over by this ingest process", slug)
                    await self._start_runtime(state)

    async def stop(self) -> None:
        """Shutdown: stop listening, stop every runtime (recordings are handed over)."""
        layer = get_channel_layer()
        for task in (self._listener, self._leases):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._listener = self._leases = None
        if layer is not None and self._channel is not None:
            await layer.group_discard(ENGINE_GROUP, self._channel)
            self._channel = None
        async with self._lock:
            self.waiting.clear()
            handovers = [
                await self._stop_runtime(slug, release=True) for slug in list(self.runtimes)
            ]
        # Shutdown: the recordings are handed over before the process goes.
        if handovers:
            await asyncio.wait(handovers, timeout=SHUTDOWN_HANDOVER_SECONDS)


_engines: dict[asyncio.AbstractEventLoop, ProgramEngine] = {}


def program_engine() -> ProgramEngine:
    """This event loop's engine (one per process in production; tests run a loop per test)."""
    loop = asyncio.get_running_loop()
    engine = _engines.get(loop)
    if engine is None:
        for stale in [other for other in _engines if other.is_closed()]:
            del _engines[stale]
        engine = _engines[loop] = ProgramEngine()
    return engine
