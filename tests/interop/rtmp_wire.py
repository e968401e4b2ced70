"""A minimal RTMP publisher speaking the wire protocol itself, to replay an encoder's exact
command sequence and see every answer the server sends (message stream, transaction id)."""

from __future__ import annotations

import asyncio
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bitstring import BitStream
from pyrtmp.amf.serializers import AMF0Serializer

CHUNK_SIZE = 128  # what a client uses until it sends Set Chunk Size
COMMAND, DATA, AUDIO, VIDEO, SET_CHUNK_SIZE = 0x14, 0x12, 0x08, 0x09, 0x01


@dataclass
class Message:
    type_id: int
    stream_id: int
    timestamp: int
    payload: bytes

    def command(self) -> list[object]:
        """[name, transaction id, arguments...] of an AMF0 command."""
        values: list[object] = []
        offset = 0
        while offset < len(self.payload):
            value, offset = amf0_value(self.payload, offset)
            values.append(value)
        return values


def amf0_value(data: bytes, offset: int) -> tuple[object, int]:
    """One AMF0 value at `offset` (the types servers answer with) and the offset after it."""
    marker, offset = data[offset], offset + 1
    if marker == 0x00:
        return struct.unpack(">d", data[offset : offset + 8])[0], offset + 8
    if marker == 0x01:
        return bool(data[offset]), offset + 1
    if marker == 0x02:
        size = int.from_bytes(data[offset : offset + 2], "big")
        return data[offset + 2 : offset + 2 + size].decode(), offset + 2 + size
    if marker in (0x05, 0x06):
        return None, offset
    if marker in (0x03, 0x08):  # object, or ECMA array (a count, then the same layout)
        offset += 4 if marker == 0x08 else 0
        result: dict[str, object] = {}
        while data[offset : offset + 3] != b"\x00\x00\x09":
            size = int.from_bytes(data[offset : offset + 2], "big")
            key = data[offset + 2 : offset + 2 + size].decode()
            result[key], offset = amf0_value(data, offset + 2 + size)
        return result, offset + 3
    raise AssertionError(f"AMF0 type {marker:#x} not expected in an answer")


def amf0(*values: object) -> bytes:
    data = BitStream()
    for value in values:
        AMF0Serializer.create_object(data, value)
    return data.bytes


class WireClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.in_chunk_size = CHUNK_SIZE
        # per chunk stream: (timestamp, length, type id, message stream id) of the last header,
        # which the spec's compressed headers (types 1-3) refer to
        self._headers: dict[int, tuple[int, int, int, int]] = {}
        self._partial: dict[int, bytearray] = {}

    @classmethod
    async def connect(cls, host: str, port: int) -> WireClient:
        reader, writer = await asyncio.open_connection(host, port)
        client = cls(reader, writer)
        # handshake: C0 C1, read S0 S1 S2, send C2 (S1 echoed)
        writer.write(b"\x03" + bytes(8) + os.urandom(1528))
        s0s1s2 = await reader.readexactly(1 + 1536 + 1536)
        writer.write(s0s1s2[1:1537])
        await writer.drain()
        return client

    def send(self, type_id: int, payload: bytes, *, stream_id: int = 0, timestamp: int = 0,
             chunk_stream: int = 3) -> None:  # fmt: skip
        """One message: a type 0 chunk, then type 3 continuations every CHUNK_SIZE bytes."""
        header = bytes([chunk_stream]) + struct.pack(">I", min(timestamp, 0xFFFFFF))[1:]
        header += struct.pack(">I", len(payload))[1:] + bytes([type_id])
        header += struct.pack("<I", stream_id)
        out = bytearray(header)
        for offset in range(0, len(payload), CHUNK_SIZE):
            if offset:
                out.append(0xC0 | chunk_stream)
            out += payload[offset : offset + CHUNK_SIZE]
        self.writer.write(bytes(out))

    def command(
        self, name: str, transaction_id: int, *arguments: object, stream_id: int = 0
    ) -> None:
        self.send(COMMAND, amf0(name, transaction_id, *arguments), stream_id=stream_id)

    async def receive(self) -> Message:
        """The next whole message from the server, decoding headers as the spec says."""
        while True:
            first = (await self.reader.readexactly(1))[0]
            fmt, csid = first >> 6, first & 0x3F
            if csid == 0:
                csid = (await self.reader.readexactly(1))[0] + 64
            elif csid == 1:
                low, high = await self.reader.readexactly(2)
                csid = high * 256 + low + 64
            timestamp, length, type_id, stream_id = self._headers.get(csid, (0, 0, 0, 0))
            if fmt == 0:
                raw = await self.reader.readexactly(11)
                timestamp = int.from_bytes(raw[0:3], "big")
                length, type_id = int.from_bytes(raw[3:6], "big"), raw[6]
                stream_id = int.from_bytes(raw[7:11], "little")
            elif fmt == 1:
                raw = await self.reader.readexactly(7)
                timestamp += int.from_bytes(raw[0:3], "big")
                length, type_id = int.from_bytes(raw[3:6], "big"), raw[6]
            elif fmt == 2:
                timestamp += int.from_bytes(await self.reader.readexactly(3), "big")
            self._headers[csid] = (timestamp, length, type_id, stream_id)
            partial = self._partial.setdefault(csid, bytearray())
            partial += await self.reader.readexactly(min(self.in_chunk_size, length - len(partial)))
            if len(partial) < length:
                continue
            del self._partial[csid]
            message = Message(type_id, stream_id, timestamp, bytes(partial))
            if type_id == SET_CHUNK_SIZE:
                self.in_chunk_size = int.from_bytes(message.payload[:4], "big") & 0x7FFFFFFF
            return message

    async def commands_until(
        self, predicate: Callable[[Message], bool], *, within: float = 10.0
    ) -> list[Message]:
        """Every command message received until one satisfies `predicate` (that one included)."""
        seen: list[Message] = []

        async def collect() -> None:
            while True:
                message = await self.receive()
                if message.type_id == COMMAND:
                    seen.append(message)
                    if predicate(message):
                        return

        try:
            await asyncio.wait_for(collect(), within)
        except TimeoutError as error:
            got = [(m.stream_id, m.command()[:2]) for m in seen]
            raise AssertionError(f"answer not received in {within} s; got {got}") from error
        return seen

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except ConnectionError:
            pass


def flv_tags(path: Path) -> list[tuple[int, int, bytes]]:
    """(tag type, timestamp ms, body) of every tag of an FLV file."""
    data = path.read_bytes()
    offset = int.from_bytes(data[5:9], "big") + 4  # header, then PreviousTagSize0
    tags = []
    while offset + 11 <= len(data):
        tag_type = data[offset] & 0x1F
        size = int.from_bytes(data[offset + 1 : offset + 4], "big")
        timestamp = int.from_bytes(data[offset + 4 : offset + 7], "big") | data[offset + 7] << 24
        tags.append((tag_type, timestamp, data[offset + 11 : offset + 11 + size]))
        offset += 11 + size + 4
    return tags
