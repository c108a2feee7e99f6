"""The exchange record shape that reports and steps read (CONVENTIONS "Records the reports read")."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from simulators.core.findings import Finding

Direction = Literal["inbound", "outbound"]
BODY_URL_PREFIX = "/_bench/bodies/"


def body_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def body_url(sha256: str) -> str:
    return BODY_URL_PREFIX + sha256


@dataclass(frozen=True)
class BodyRef:
    """A body waiting to be stored once, keyed by its sha256."""

    sha256: str
    data: bytes
    content_type: str

    @classmethod
    def of(cls, data: bytes, content_type: str) -> BodyRef:
        return cls(body_sha256(data), data, content_type)


class PeerRecord(BaseModel):
    subject: str
    issuer: str
    serial: str


class RequestRecord(BaseModel):
    headers: dict[str, str] = Field(default_factory=dict)
    body_sha256: str | None = None
    body_url: str | None = None
    # Additions to the CONVENTIONS shape (kept optional): the HTTP request line.
    method: str | None = None
    path: str | None = None


class ResponseRecord(BaseModel):
    status: int | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    body_sha256: str | None = None
    body_url: str | None = None


class ExchangeRecord(BaseModel):
    id: str
    service: str
    operation: str | None = None
    direction: Direction = "inbound"
    started_at: datetime
    ended_at: datetime
    peer: PeerRecord | None = None
    request: RequestRecord = Field(default_factory=RequestRecord)
    response: ResponseRecord = Field(default_factory=ResponseRecord)
    correlation: dict[str, str] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    scenario_id: str | None = None

    def to_json_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json")
