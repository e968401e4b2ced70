"""ICE for aiortc from settings: which host addresses we offer, which remote ones we accept.

aioice gathers host candidates from every interface except 127.0.0.1 and has no option to choose
them, so a loopback-only run (tests, a single machine) could never connect. Instead of patching
aioice's module, each peer connection's ICE agent is given a subclass that gathers on the
configured addresses (ICE_HOST_ADDRESSES). Remote candidates outside ICE_REMOTE_NETWORKS are
dropped from the offer before aiortc sees them, and again if they arrive later.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Iterable, Sequence

import aioice
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from django.conf import settings


def ice_configuration() -> RTCConfiguration:
    """STUN/TURN servers from ICE_SERVERS (none by default: no traffic leaves the machine)."""
    servers = [
        RTCIceServer(
            urls=server["urls"],
            username=server.get("username"),
            credential=server.get("credential"),
        )
        for server in settings.ICE_SERVERS
    ]
    return RTCConfiguration(iceServers=servers)


def _networks(specs: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(spec, strict=False) for spec in specs if spec]


def address_allowed(
    host: str, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    """True when `host` is an IP inside one of `networks` (any host when there are none).

    mDNS names (xxx.local) are refused when networks are configured: they cannot be checked."""
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def filter_sdp_candidates(sdp: str, remote_networks: Sequence[str] | None = None) -> str:
    """Drop `a=candidate` lines whose address is outside the allowed remote networks."""
    networks = _networks(
        settings.ICE_REMOTE_NETWORKS if remote_networks is None else remote_networks
    )
    if not networks:
        return sdp
    kept = []
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            parts = line.split()
            if len(parts) < 6 or not address_allowed(parts[4], networks):
                continue
        kept.append(line)
    return "\r\n".join(kept) + "\r\n"


class ConfiguredIceConnection(aioice.Connection):
    """aioice's agent, gathering on the configured host addresses and filtering remote ones."""

    host_addresses: list[str]
    remote_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]

    async def gather_candidates(self) -> None:
        if self._local_candidates_start:
            return
        if not self.host_addresses:
            await super().gather_candidates()
            return
        self._local_candidates_start = True
        gathered = await asyncio.gather(
            *(
                self.get_component_candidates(component=component, addresses=self.host_addresses)
                for component in self._components
            )
        )
        for candidates in gathered:
            self._local_candidates += candidates
        self._local_candidates_end = True

    async def add_remote_candidate(self, remote_candidate: aioice.Candidate | None) -> None:
        if remote_candidate is not None and not address_allowed(
            remote_candidate.host, self.remote_networks
        ):
            return
        await super().add_remote_candidate(remote_candidate)


def configure_ice(
    pc: RTCPeerConnection,
    *,
    host_addresses: Sequence[str] | None = None,
    remote_networks: Sequence[str] | None = None,
) -> None:
    """Apply the settings to every ICE agent of `pc`. Call it after the transceivers exist
    (addTrack / setRemoteDescription) and before setLocalDescription gathers candidates."""
    hosts = list(settings.ICE_HOST_ADDRESSES if host_addresses is None else host_addresses)
    networks = _networks(
        settings.ICE_REMOTE_NETWORKS if remote_networks is None else remote_networks
    )
    for transceiver in pc.getTransceivers():
        gatherer = transceiver.receiver.transport.transport.iceGatherer
        connection = gatherer._connection
        if not isinstance(connection, ConfiguredIceConnection):
            # Same object, narrower class: aiortc keeps its references to this agent.
            connection.__class__ = ConfiguredIceConnection
        assert isinstance(connection, ConfiguredIceConnection)  # noqa: S101 - swapped just above
        connection.host_addresses = [address for address in hosts if address]
        connection.remote_networks = networks


async def answer_offer(
    pc: RTCPeerConnection, offer_sdp: str, *, before_answer: Callable[[], None] | None = None
) -> str:
    """Take a remote offer (its candidates filtered), apply the ICE settings and answer.

    WHIP (publishers) and WHEP (program monitors) both negotiate this way; `before_answer` adds
    what this side sends (WHEP's tracks) once the offer's transceivers exist."""
    await pc.setRemoteDescription(
        RTCSessionDescription(sdp=filter_sdp_candidates(offer_sdp), type="offer")
    )
    if before_answer is not None:
        before_answer()
    configure_ice(pc)
    await pc.setLocalDescription(await pc.createAnswer())
    return str(pc.localDescription.sdp)
