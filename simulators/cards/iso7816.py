"""ISO/IEC 7816-4 building blocks shared by the bench's card operating systems (Vitale 2, CPS3).

Written by hand: no maintained, permissively licensed Python library implements the card side of
ISO 7816-4 (the `virtualsmartcard` package is GPL-3 and is not used). What is here: short command
APDU parsing, BER-TLV, a transparent-file system with SELECT / READ BINARY, command chaining and
the T=0 response rules (case 3/4 answers come back as `61 xx` + GET RESPONSE, `6C xx` for a wrong
Le), since both emulated cards announce T=0 in their ATR.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from simulators.cards.errors import (
    SW1_BYTES_AVAILABLE,
    SW1_WRONG_LE,
    SW_CLA_NOT_SUPPORTED,
    SW_CONDITIONS_NOT_SATISFIED,
    SW_END_OF_FILE,
    SW_FILE_NOT_FOUND,
    SW_FUNCTION_NOT_SUPPORTED,
    SW_INCORRECT_P1P2,
    SW_INS_NOT_SUPPORTED,
    SW_LAST_COMMAND_EXPECTED,
    SW_LOGICAL_CHANNEL_NOT_SUPPORTED,
    SW_NO_CURRENT_EF,
    SW_OK,
    SW_SECURE_MESSAGING_NOT_SUPPORTED,
    SW_SECURITY_STATUS,
    SW_UNKNOWN,
    SW_WRONG_DATA,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
    CardError,
    sw_bytes,
)

log = logging.getLogger(__name__)

MAX_CHAINED_DATA = 4096  # bigger than any command these cards accept; bounds memory
INS_GET_RESPONSE = 0xC0
INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0


# --- command APDU --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    ne: int | None = None  # None: no Le field; Le = 00 means 256

    @property
    def case(self) -> int:
        if self.data:
            return 4 if self.ne is not None else 3
        return 2 if self.ne is not None else 1


def parse_command(raw: bytes) -> Command:
    """Parses a short command APDU (ISO 7816-3 cases 1 to 4). Extended lengths are not supported by
    the emulated cards, which answer them `67 00` like the short-only cards they imitate."""
    n = len(raw)
    if n < 4:
        raise CardError(SW_WRONG_LENGTH)
    cla, ins, p1, p2 = raw[0], raw[1], raw[2], raw[3]
    if n == 4:
        return Command(cla, ins, p1, p2)
    b4 = raw[4]
    if n == 5:
        return Command(cla, ins, p1, p2, ne=b4 or 256)
    if b4 == 0:
        raise CardError(SW_WRONG_LENGTH)  # extended length
    if n == 5 + b4:
        return Command(cla, ins, p1, p2, bytes(raw[5:]))
    if n == 6 + b4:
        return Command(cla, ins, p1, p2, bytes(raw[5:-1]), raw[-1] or 256)
    raise CardError(SW_WRONG_LENGTH)


# --- BER-TLV ---------------------------------------------------------------------------------------


def _tag_bytes(tag: int) -> bytes:
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def tlv(tag: int, value: bytes) -> bytes:
    """One BER-TLV data object (definite length, up to 65535 bytes)."""
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n <= 0xFF:
        length = bytes([0x81, n])
    elif n <= 0xFFFF:
        length = bytes([0x82]) + n.to_bytes(2, "big")
    else:
        raise ValueError("TLV value too long")
    return _tag_bytes(tag) + length + value


def iter_tlv(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yields (tag, value) of a sequence of BER-TLV objects; malformed input -> `6A 80`."""
    i, n = 0, len(data)
    while i < n:
        if data[i] in (0x00, 0xFF):  # padding between objects (ISO 7816-4 §5.2.2)
            i += 1
            continue
        start = i
        i += 1
        if data[start] & 0x1F == 0x1F:  # multi-byte tag
            while i < n and data[i] & 0x80:
                i += 1
            i += 1
            if i > n or i - start > 4:
                raise CardError(SW_WRONG_DATA)
        tag = int.from_bytes(data[start:i], "big")
        if i >= n:
            raise CardError(SW_WRONG_DATA)
        first = data[i]
        i += 1
        if first < 0x80:
            length = first
        elif first in (0x81, 0x82):
            width = first - 0x80
            if i + width > n:
                raise CardError(SW_WRONG_DATA)
            length = int.from_bytes(data[i : i + width], "big")
            i += width
        else:
            raise CardError(SW_WRONG_DATA)
        if i + length > n:
            raise CardError(SW_WRONG_DATA)
        yield tag, bytes(data[i : i + length])
        i += length


def parse_tlv(data: bytes) -> dict[int, bytes]:
    """The first value of each tag of a flat TLV sequence."""
    found: dict[int, bytes] = {}
    for tag, value in iter_tlv(data):
        found.setdefault(tag, value)
    return found


def bcd(digits: str) -> bytes:
    """Packed BCD of an even number of decimal digits ("20260101" -> 20 26 01 01)."""
    if len(digits) % 2 or not digits.isdigit():
        raise ValueError(f"BCD needs an even number of digits: {digits!r}")
    return bytes.fromhex(digits)


# --- file system -----------------------------------------------------------------------------------

Access = Literal["always", "pin", "never"]


@dataclass(eq=False)
class EF:
    """A transparent elementary file."""

    fid: int
    content: bytes
    read: Access = "always"
    sfi: int | None = None
    name: str = ""
    parent: DF | None = field(default=None, repr=False)


@dataclass(eq=False)
class DF:
    """A dedicated file (the MF is the DF with FID 3F00), optionally named by an AID."""

    fid: int | None
    aid: bytes | None = None
    name: str = ""
    children: list[EF | DF] = field(default_factory=list)
    parent: DF | None = field(default=None, repr=False)

    def add(self, node: EF | DF) -> EF | DF:
        node.parent = self
        self.children.append(node)
        return node

    def child(self, fid: int) -> EF | DF | None:
        return next((c for c in self.children if c.fid == fid), None)

    def walk(self) -> Iterator[EF | DF]:
        yield self
        for c in self.children:
            if isinstance(c, DF):
                yield from c.walk()
            else:
                yield c


MF_FID = 0x3F00


def fcp(node: EF | DF, template: int) -> bytes:
    """File control parameters (template 62) or information (6F) of a node."""
    body = b""
    if isinstance(node, EF):
        body += tlv(0x80, len(node.content).to_bytes(2, "big")) + tlv(0x82, b"\x01")
    else:
        body += tlv(0x82, b"\x38")
    if node.fid is not None:
        body += tlv(0x83, node.fid.to_bytes(2, "big"))
    if isinstance(node, DF) and node.aid:
        body += tlv(0x84, node.aid)
    if isinstance(node, EF) and node.sfi is not None:
        body += tlv(0x88, bytes([node.sfi << 3]))
    body += tlv(0x8A, b"\x05")  # life cycle: operational, activated
    return tlv(template, body)


# --- card operating system ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    data: bytes = b""
    sw: int = SW_OK


Handler = Callable[[Command], Reply]


class CardOS:
    """Base of a card OS: `execute(apdu) -> response` never raises and never crashes."""

    atr: bytes = b""
    kind: str = "carte"
    chainable: frozenset[int] = frozenset()

    def __init__(self, mf: DF) -> None:
        self.lock = threading.RLock()  # one card, several callers (transport, control plane)
        self.mf = mf
        self.powered = False
        self._df: DF = mf
        self._ef: EF | None = None
        self._pending = b""
        self._chain: tuple[int, int, int, bytearray] | None = None
        self.handlers: dict[int, Handler] = {
            INS_SELECT: self.select,
            INS_READ_BINARY: self.read_binary,
        }

    # power ---------------------------------------------------------------------------------
    def power_on(self) -> None:
        with self.lock:
            self.powered = True
            self._reset_volatile()

    def power_off(self) -> None:
        with self.lock:
            self.powered = False
            self._reset_volatile()

    def _reset_volatile(self) -> None:
        self._df, self._ef, self._pending, self._chain = self.mf, None, b"", None
        self.on_reset()

    def on_reset(self) -> None:
        """Subclasses clear their security status here (power off, reset, removal)."""

    # dispatch ------------------------------------------------------------------------------
    def execute(self, raw: bytes) -> bytes:
        with self.lock:
            try:
                return self._execute(bytes(raw))
            except CardError as err:
                self._pending = b""
                return sw_bytes(err.sw)
            except Exception:  # a card never crashes: it answers "no precise diagnosis"
                log.exception("carte %s : erreur interne sur l'APDU %s", self.kind, bytes(raw).hex())
                self._pending, self._chain = b"", None
                return sw_bytes(SW_UNKNOWN)

    def _execute(self, raw: bytes) -> bytes:
        cmd = parse_command(raw)
        if cmd.cla == 0xFF or cmd.cla & 0x80:
            raise CardError(SW_CLA_NOT_SUPPORTED)
        if cmd.cla & 0x40 or cmd.cla & 0x03:
            raise CardError(SW_LOGICAL_CHANNEL_NOT_SUPPORTED)
        if cmd.cla & 0x0C:
            raise CardError(SW_SECURE_MESSAGING_NOT_SUPPORTED)
        whole = self._unchain(cmd)
        if whole is None:
            return sw_bytes(SW_OK)
        cmd = whole
        if cmd.ins == INS_GET_RESPONSE:
            return self._get_response(cmd)
        self._pending = b""
        handler = self.handlers.get(cmd.ins)
        if handler is None:
            raise CardError(SW_INS_NOT_SUPPORTED)
        return self._respond(cmd, handler(cmd))

    def _unchain(self, cmd: Command) -> Command | None:
        """ISO command chaining (CLA bit 0x10): returns the complete command, or None mid-chain."""
        chaining = bool(cmd.cla & 0x10)
        if self._chain is not None:
            ins, p1, p2, buffer = self._chain
            if (ins, p1, p2) != (cmd.ins, cmd.p1, cmd.p2):
                self._chain = None
                raise CardError(SW_LAST_COMMAND_EXPECTED)
            buffer += cmd.data
            if len(buffer) > MAX_CHAINED_DATA:
                self._chain = None
                raise CardError(SW_WRONG_LENGTH)
            if chaining:
                return None
            self._chain = None
            return replace(cmd, cla=cmd.cla & ~0x10, data=bytes(buffer))
        if chaining:
            if cmd.ins not in self.chainable:
                raise CardError(0x6884)  # command chaining not supported
            self._chain = (cmd.ins, cmd.p1, cmd.p2, bytearray(cmd.data))
            return None
        return cmd

    def _respond(self, cmd: Command, reply: Reply) -> bytes:
        data, sw = reply.data, reply.sw
        if not data:
            return sw_bytes(sw)
        if cmd.case == 2:
            assert cmd.ne is not None
            if len(data) > 256 and cmd.ne == 256:  # more than one short response: chain with 61 xx
                self._pending = data[256:]
                return data[:256] + bytes([SW1_BYTES_AVAILABLE, min(len(self._pending), 256) & 0xFF])
            if len(data) > cmd.ne:
                return bytes([SW1_WRONG_LE, len(data) & 0xFF])
            return data + sw_bytes(sw)
        if sw != SW_OK:  # T=0: a warning ends the command, the data cannot follow
            return sw_bytes(sw)
        self._pending = data
        return bytes([SW1_BYTES_AVAILABLE, min(len(data), 256) & 0xFF])

    def _get_response(self, cmd: Command) -> bytes:
        if cmd.data:
            raise CardError(SW_WRONG_LENGTH)
        if cmd.p1 or cmd.p2:
            raise CardError(SW_INCORRECT_P1P2)
        if not self._pending:
            raise CardError(SW_CONDITIONS_NOT_SATISFIED)
        ne = cmd.ne or 256
        if ne > len(self._pending) and ne != 256:
            return bytes([SW1_WRONG_LE, len(self._pending)])
        chunk, self._pending = self._pending[:ne], self._pending[ne:]
        if self._pending:
            return chunk + bytes([SW1_BYTES_AVAILABLE, min(len(self._pending), 256) & 0xFF])
        return chunk + sw_bytes(SW_OK)

    # SELECT ----------------------------------------------------------------------------------
    def select(self, cmd: Command) -> Reply:
        if cmd.p2 & 0x03:
            raise CardError(SW_FUNCTION_NOT_SUPPORTED)  # next/previous occurrence
        answer = cmd.p2 & 0x0C
        if answer == 0x08:
            raise CardError(SW_INCORRECT_P1P2)  # FMD: none on these cards
        node = self._resolve(cmd.p1, cmd.data)
        sw = self.on_select(node)
        if isinstance(node, DF):
            self._df, self._ef = node, None
        else:
            assert node.parent is not None
            self._df, self._ef = node.parent, node
        if answer == 0x0C:
            return Reply(b"", sw)
        return Reply(fcp(node, 0x62 if answer == 0x04 else 0x6F), sw)

    def on_select(self, node: EF | DF) -> int:
        """Status word of a successful selection (a deactivated application answers 62 83)."""
        return SW_OK

    def _resolve(self, p1: int, data: bytes) -> EF | DF:
        if p1 == 0x00:
            if not data:
                return self.mf
            return self._by_fid(self._fid(data))
        if p1 in (0x01, 0x02):
            node = self._df.child(self._fid(data))
            if node is None or isinstance(node, DF) != (p1 == 0x01):
                raise CardError(SW_FILE_NOT_FOUND)
            return node
        if p1 == 0x03:
            if data:
                raise CardError(SW_WRONG_LENGTH)
            if self._df.parent is None:
                raise CardError(SW_FILE_NOT_FOUND)
            return self._df.parent
        if p1 == 0x04:
            return self._by_name(data)
        if p1 in (0x08, 0x09):
            return self._by_path(data, from_mf=p1 == 0x08)
        raise CardError(SW_INCORRECT_P1P2)

    @staticmethod
    def _fid(data: bytes) -> int:
        if len(data) != 2:
            raise CardError(SW_WRONG_LENGTH)
        return int.from_bytes(data, "big")

    def _by_fid(self, fid: int) -> EF | DF:
        if fid == MF_FID:
            return self.mf
        current = self._df
        candidates: list[EF | DF | None] = [current.child(fid), current if current.fid == fid else None]
        if current.parent is not None:
            parent = current.parent
            candidates += [parent if parent.fid == fid else None, parent.child(fid)]
        for node in candidates:
            if node is not None:
                return node
        raise CardError(SW_FILE_NOT_FOUND)

    def _by_name(self, name: bytes) -> DF:
        if not 1 <= len(name) <= 16:
            raise CardError(SW_WRONG_LENGTH)
        named = [n for n in self.mf.walk() if isinstance(n, DF) and n.aid]
        for node in named:  # exact match first, then a right-truncated name (ISO 7816-4)
            if node.aid == name:
                return node
        for node in named:
            if len(name) >= 5 and node.aid is not None and node.aid.startswith(name):
                return node
        raise CardError(SW_FILE_NOT_FOUND)

    def _by_path(self, data: bytes, *, from_mf: bool) -> EF | DF:
        if not data or len(data) % 2:
            raise CardError(SW_WRONG_LENGTH)
        fids = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
        if fids[0] == MF_FID:  # the CPS3 driver sends paths that start with the MF
            fids, from_mf = fids[1:], True
        node: EF | DF = self.mf if from_mf else self._df
        for fid in fids:
            if not isinstance(node, DF):
                raise CardError(SW_FILE_NOT_FOUND)
            child = node.child(fid)
            if child is None:
                raise CardError(SW_FILE_NOT_FOUND)
            node = child
        return node

    # READ BINARY -----------------------------------------------------------------------------
    def read_binary(self, cmd: Command) -> Reply:
        if cmd.data or cmd.ne is None:
            raise CardError(SW_WRONG_LENGTH)
        if cmd.p1 & 0x80:  # short EF identifier in P1, offset in P2
            if cmd.p1 & 0x60:
                raise CardError(SW_INCORRECT_P1P2)
            sfi = cmd.p1 & 0x1F
            ef = next((c for c in self._df.children if isinstance(c, EF) and c.sfi == sfi), None)
            if ef is None:
                raise CardError(SW_FILE_NOT_FOUND)
            self._ef, offset = ef, cmd.p2
        else:
            if self._ef is None:
                raise CardError(SW_NO_CURRENT_EF)
            ef, offset = self._ef, (cmd.p1 << 8) | cmd.p2
        if not self.read_allowed(ef):
            raise CardError(SW_SECURITY_STATUS)
        self.check_read(ef)
        content = ef.content
        if offset > len(content) or (offset == len(content) and content):
            raise CardError(SW_WRONG_P1P2)
        chunk = content[offset : offset + cmd.ne]
        # Ne is a maximum; ISO 7816-4 flags a short READ BINARY with 62 82.
        return Reply(chunk, SW_END_OF_FILE if len(chunk) < cmd.ne else SW_OK)

    def read_allowed(self, ef: EF) -> bool:
        return ef.read == "always"

    def check_read(self, ef: EF) -> None:
        """Hook for card-specific refusals (a blocked application)."""

    @property
    def current_df(self) -> DF:
        return self._df


def require(condition: bool, sw: int) -> None:
    """Ends the command with `sw` unless `condition` holds."""
    if not condition:
        raise CardError(sw)


__all__ = [
    "DF",
    "EF",
    "MF_FID",
    "SW_WRONG_DATA",
    "CardOS",
    "Command",
    "Reply",
    "bcd",
    "fcp",
    "iter_tlv",
    "parse_command",
    "parse_tlv",
    "require",
    "tlv",
]
