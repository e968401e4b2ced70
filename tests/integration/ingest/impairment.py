"""A user-space netem: a UDP relay that impairs a loopback link like a 3G uplink.

The kernels of these machines (and of CI) have no `sch_netem`, so `tc qdisc ... netem` cannot build
the impaired link the 3G test needs. This relay does the same in the test's own event loop, on
127.0.0.1 only:

* rate: a token bucket of `rate_bps` with a one-packet bucket, i.e. a serializing link (as netem's
  `rate`): a packet leaves when the previous one has been "sent", queued packets beyond `limit` are
  dropped (netem's default limit is 1,000 packets);
* delay: `delay` ± `jitter` seconds per packet, uniformly drawn; packets keep their order (a packet
  never overtakes the previous one, which is netem's behaviour with a rate or with `jitter` and
  a pfifo child; plain netem with jitter may reorder);
* loss: each packet is dropped with probability `loss`, independently;
* all of it in both directions, each with its own bucket and queue;
* `outage()`: drop everything, both ways, until `restore()`.

The two peers must talk only through the relay: the caller rewrites the candidates of the offer
to `ingest_side` and those of the answer to `publisher_side`, so each peer believes the relay's
socket is the other peer and no direct path exists (the offer's candidates are rewritten too:
otherwise the ingest's own checks would find the direct loopback path around the relay).
"""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

Address = tuple[str, int]


@dataclass
class LinkStats:
    received: int = 0
    lost: int = 0
    overflowed: int = 0
    blacked_out: int = 0
    delivered: int = 0
    bytes_delivered: int = 0
    first_delivery: float = 0.0
    last_delivery: float = 0.0

    def bits_per_second(self) -> float:
        """The mean rate of what got through, from the first delivery to the last."""
        span = self.last_delivery - self.first_delivery
        return self.bytes_delivered * 8 / span if span > 0 else 0.0


@dataclass
class _Direction:
    """One direction of the link: its own bucket, queue and counters."""

    rate_bps: float
    delay: float
    jitter: float
    loss: float
    limit: int
    rng: random.Random
    stats: LinkStats = field(default_factory=LinkStats)
    link_free_at: float = 0.0
    last_delivery: float = 0.0
    queued: int = 0

    def schedule(self, now: float, size: int) -> float | None:
        """When this packet arrives at the far end, or None when the link drops it."""
        self.stats.received += 1
        if self.rng.random() < self.loss:
            self.stats.lost += 1
            return None
        if self.queued >= self.limit:
            self.stats.overflowed += 1
            return None
        sent = max(now, self.link_free_at) + size * 8 / self.rate_bps
        self.link_free_at = sent
        delay = self.delay + self.rng.uniform(-self.jitter, self.jitter)
        # Keep the order: never before the previous packet (strictly after, so timers stay FIFO).
        arrival = max(sent + delay, self.last_delivery + 1e-6)
        self.last_delivery = arrival
        return arrival


@runtime_checkable
class _Datagrams(Protocol):
    """What the relay uses of a UDP endpoint's transport. The selector loop's is a `Transport`
    with `sendto`, not a `DatagramTransport` by class: hence a protocol, checked once."""

    def sendto(self, data: bytes, addr: Address) -> None: ...

    def get_extra_info(self, name: str) -> object: ...

    def is_closing(self) -> bool: ...

    def close(self) -> None: ...


def _bound_to(transport: _Datagrams) -> Address:
    sockname = transport.get_extra_info("sockname")
    assert isinstance(sockname, tuple)
    return sockname[0], sockname[1]


class _Side(asyncio.DatagramProtocol):
    def __init__(self, relay: ImpairedLink, name: str) -> None:
        self.relay = relay
        self.name = name
        self.transport: _Datagrams | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, _Datagrams)
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Address) -> None:
        self.relay.received(self.name, data)


class ImpairedLink:
    """Publisher <-> [publisher_side | relay | ingest_side] <-> ingest, impaired both ways."""

    def __init__(
        self,
        *,
        publisher: Address,
        ingest: Address | None = None,
        rate_bps: float = 750_000,
        delay: float = 0.150,
        jitter: float = 0.050,
        loss: float = 0.03,
        limit: int = 1000,
        seed: int = 3,
    ) -> None:
        self.publisher = publisher
        self.ingest = ingest
        rng = random.Random(seed)  # noqa: S311 - a reproducible link, not cryptography
        # "up": publisher -> ingest; "down": ingest -> publisher.
        self.up = _Direction(rate_bps, delay, jitter, loss, limit, rng)
        self.down = _Direction(rate_bps, delay, jitter, loss, limit, rng)
        self.dark = False
        self._publisher_side: _Side | None = None
        self._ingest_side: _Side | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        _t1, self._publisher_side = await loop.create_datagram_endpoint(
            lambda: _Side(self, "publisher"), local_addr=("127.0.0.1", 0)
        )
        _t2, self._ingest_side = await loop.create_datagram_endpoint(
            lambda: _Side(self, "ingest"), local_addr=("127.0.0.1", 0)
        )

    @property
    def publisher_side(self) -> Address:
        """Where the publisher must send (put it in the answer's candidate)."""
        assert self._publisher_side is not None
        assert self._publisher_side.transport is not None
        return _bound_to(self._publisher_side.transport)

    @property
    def ingest_side(self) -> Address:
        """Where the ingest must send (put it in the offer's candidate)."""
        assert self._ingest_side is not None
        assert self._ingest_side.transport is not None
        return _bound_to(self._ingest_side.transport)

    def outage(self) -> None:
        self.dark = True

    def restore(self) -> None:
        self.dark = False

    def received(self, side: str, data: bytes) -> None:
        direction = self.up if side == "publisher" else self.down
        if self.dark:
            direction.stats.received += 1
            direction.stats.blacked_out += 1
            return
        loop = asyncio.get_running_loop()
        arrival = direction.schedule(loop.time(), len(data))
        if arrival is None:
            return
        direction.queued += 1
        loop.call_at(arrival, self._deliver, side, direction, data)

    def _deliver(self, side: str, direction: _Direction, data: bytes) -> None:
        direction.queued -= 1
        # Out through the other side's socket, so each peer sees the relay as the other peer.
        if side == "publisher":
            out, target = self._ingest_side, self.ingest
        else:
            out, target = self._publisher_side, self.publisher
        if target is None or out is None or out.transport is None or out.transport.is_closing():
            return
        stats = direction.stats
        now = asyncio.get_running_loop().time()
        stats.first_delivery = stats.first_delivery or now
        stats.last_delivery = now
        stats.delivered += 1
        stats.bytes_delivered += len(data)
        out.transport.sendto(data, target)

    def close(self) -> None:
        for side in (self._publisher_side, self._ingest_side):
            if side is not None and side.transport is not None:
                side.transport.close()


_CANDIDATE = re.compile(
    r"^(a=candidate:\S+ \d+ udp \d+ )(\S+) (\d+)( typ host.*)$", re.MULTILINE | re.IGNORECASE
)


def sdp_udp_address(sdp: str, host: str = "127.0.0.1") -> Address:
    """The first UDP host candidate on `host` (the BUNDLE transport of the first media section)."""
    for match in _CANDIDATE.finditer(sdp):
        if match.group(2) == host:
            return match.group(2), int(match.group(3))
    raise ValueError(f"the SDP has no UDP host candidate on {host}")


def sdp_point_at(sdp: str, address: Address) -> str:
    """The SDP with its UDP host candidate(s) replaced by `address` (the relay)."""
    host, port = address
    return _CANDIDATE.sub(lambda match: f"{match.group(1)}{host} {port}{match.group(4)}", sdp)
