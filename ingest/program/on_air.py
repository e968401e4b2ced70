"""What a running program puts on air each tick, and when it cuts away from a failing source.

`OnAir.decide` is the engine's policy: the studio's state says what should be on air; a source
that gives no picture (or too low a bitrate) is replaced at once by the standby source or the
slate (an automatic cut-away), and once it has been healthy for RECOVER_SECONDS the studio is
asked to cut back. It reads only frozen `SourceSample`s and starts nothing: the reports to the
studio come back in the `Decision`, for the runtime's clock to send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from ingest.media.pipeline import SourceSample

RECOVER_SECONDS = 3.0  # a cut-away source must be healthy this long before the cut back

# What is on air: ("source", id), ("slate", storage name or None), ("video", storage name).
Target = tuple[str, Any]


@dataclass
class Cutaway:
    """An automatic cut-away in progress: the source that failed and the state it failed in."""

    from_id: int
    seq: int
    reason: str
    healthy_since: float | None = None
    cutback_reported: bool = False


@dataclass(frozen=True)
class CutawayReport:
    """Tell the studio the source of `cutaway` failed (it moves the program to the fallback)."""

    cutaway: Cutaway


@dataclass(frozen=True)
class CutbackReport:
    """Ask the studio to cut back to the recovered source, for the program state `seq`."""

    cutaway: Cutaway
    seq: int


Report = CutawayReport | CutbackReport


@dataclass(frozen=True)
class Decision:
    """The target on air this tick, whether the lower third may show over it, and the reports
    to send the studio."""

    target: Target
    lower_third: bool
    reports: tuple[Report, ...] = ()


class OnAir:
    """The on-air policy of one program, and the automatic cut-away it is in, if any."""

    def __init__(self) -> None:
        self.cutaway: Cutaway | None = None

    def decide(
        self, state: dict[str, Any], now: float, sources: Mapping[int, SourceSample]
    ) -> Decision:
        """The program's `state` (from the studio) at `now`, given the sources' samples."""
        seq = int(state["seq"])
        cutaway = self.cutaway
        if state["mode"] == "source" and state.get("source"):
            source_id = int(state["source"]["id"])
            problem = self._healthy(state, source_id, now, sources)
            if cutaway is not None and cutaway.from_id == source_id and cutaway.seq == seq:
                # Cut away here, the studio has not answered yet (or could not be reached).
                if self._recovered(state, cutaway, now, sources):
                    self.cutaway = None
                    return Decision(("source", source_id), True)
                return Decision(self._fallback(state, now, sources), False)
            if not problem:
                reports: tuple[Report, ...] = ()
                if cutaway is not None:
                    if source_id == state.get("standby_source_id") and cutaway.from_id != source_id:
                        reports = self._watch_recovery(state, cutaway, now, sources)  # on standby
                    else:
                        self.cutaway = None
                return Decision(("source", source_id), True, reports)
            self.cutaway = Cutaway(from_id=source_id, seq=seq, reason=problem)
            return Decision(
                self._fallback(state, now, sources), False, (CutawayReport(self.cutaway),)
            )
        reports = ()
        if cutaway is not None:
            reports = self._watch_recovery(state, cutaway, now, sources)
        if state["mode"] == "video" and state.get("video_path"):
            return Decision(("video", state["video_path"]), False, reports)
        return Decision(slate_target(state), False, reports)

    def cutback_sent(self, cutaway: Cutaway) -> None:
        """The cut back of `cutaway` was reported: the cut-away is over (unless a newer one began)."""
        if self.cutaway is cutaway:
            self.cutaway = None

    def _healthy(
        self,
        state: dict[str, Any],
        source_id: int | None,
        now: float,
        sources: Mapping[int, SourceSample],
    ) -> str:
        """ "" when the source gives pictures, else why not (for the studio's log)."""
        if source_id is None:
            return gettext("no source")
        sample = sources.get(source_id)
        if sample is None or sample.latest_frame is None:
            return gettext("the source is not connected")
        after = float(state.get("cutaway_after_seconds") or 1.0)
        age = now - sample.latest_frame_at
        if age > after:
            return gettext("no picture for %(seconds).1f s") % {"seconds": age}
        min_kbps = int(state.get("cutaway_min_kbps") or 0)
        kbps = sample.bitrate_kbps
        if min_kbps > 0 and kbps is not None and kbps < min_kbps:
            return gettext("bitrate %(kbps)s kbit/s under %(min)s kbit/s") % {
                "kbps": kbps,
                "min": min_kbps,
            }
        return ""

    def _fallback(
        self, state: dict[str, Any], now: float, sources: Mapping[int, SourceSample]
    ) -> Target:
        standby = state.get("standby_source_id")
        if standby is not None and not self._healthy(state, standby, now, sources):
            return ("source", standby)
        return slate_target(state)

    def _recovered(
        self,
        state: dict[str, Any],
        cutaway: Cutaway,
        now: float,
        sources: Mapping[int, SourceSample],
    ) -> bool:
        if self._healthy(state, cutaway.from_id, now, sources):
            cutaway.healthy_since = None
            return False
        if cutaway.healthy_since is None:
            cutaway.healthy_since = now
        return now - cutaway.healthy_since >= RECOVER_SECONDS

    def _watch_recovery(
        self,
        state: dict[str, Any],
        cutaway: Cutaway,
        now: float,
        sources: Mapping[int, SourceSample],
    ) -> tuple[Report, ...]:
        if cutaway.cutback_reported or not self._recovered(state, cutaway, now, sources):
            return ()
        cutaway.cutback_reported = True
        return (CutbackReport(cutaway, int(state["seq"])),)


def slate_target(state: dict[str, Any]) -> Target:
    return ("slate", state.get("slate_path"))
