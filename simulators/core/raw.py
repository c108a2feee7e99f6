"""Raw HTTP messages as the core hands them to a service (classify, correlation, render_fault)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulators.core.peer import PeerIdentity


def headers_to_dict(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI header pairs -> lower-case dict; repeated fields are joined with ", " (RFC 9110 §5.3)."""
    out: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


@dataclass
class RawRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    peer: PeerIdentity | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class RawResponse:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    def header_pairs(self) -> list[tuple[bytes, bytes]]:
        pairs = [(b"content-type", self.content_type.encode("latin-1"))]
        pairs += [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in self.headers.items()
            if k.lower() not in ("content-type", "content-length")
        ]
        pairs.append((b"content-length", str(len(self.body)).encode()))
        return pairs
