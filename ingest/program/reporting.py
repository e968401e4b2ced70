"""The program engine's narrow way to the database: what it tells the studio services.

The media loop never calls the ORM. It awaits these calls, which run the services in the
ingest's database thread (`ingest.media.reporting.in_db_thread`, the same thread and reason as
the sources' reports: media tasks outlive the request that started them). Tests pass their own.

`node` names the engine's ingest process: it holds a program's lease (one engine per program),
and the studio takes automatic switches only from the holder.
"""

from __future__ import annotations

from typing import Any, Protocol

from ingest.media.reporting import in_db_thread
from ingest.program import selectors, services


class ProgramReporter(Protocol):
    async def running_states(self) -> list[dict[str, Any]]: ...

    async def claim(self, *, program_id: int, node: str) -> bool: ...

    async def release(self, *, program_id: int, node: str) -> None: ...

    async def auto_cutaway(self, *, slug: str, seq: int, reason: str, node: str) -> None: ...

    async def auto_cutback(self, *, slug: str, seq: int, node: str) -> None: ...

    async def recording_finished(self, *, slug: str, path: str) -> None: ...


class ServiceProgramReporter:
    async def running_states(self) -> list[dict[str, Any]]:
        return await in_db_thread(selectors.running_program_states)

    async def claim(self, *, program_id: int, node: str) -> bool:
        return await in_db_thread(services.program_engine_claim, program_id=program_id, node=node)

    async def release(self, *, program_id: int, node: str) -> None:
        await in_db_thread(services.program_engine_release, program_id=program_id, node=node)

    async def auto_cutaway(self, *, slug: str, seq: int, reason: str, node: str) -> None:
        await in_db_thread(
            services.program_auto_cutaway, slug=slug, seq=seq, reason=reason, node=node
        )

    async def auto_cutback(self, *, slug: str, seq: int, node: str) -> None:
        await in_db_thread(services.program_auto_cutback, slug=slug, seq=seq, node=node)

    async def recording_finished(self, *, slug: str, path: str) -> None:
        await in_db_thread(services.program_recording_finish, slug=slug, path=path)
