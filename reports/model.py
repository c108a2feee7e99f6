"""What the reports are built from: scenario results (`results.json`, CONVENTIONS "Runs and results")
and the journal records read through the control plane (CONVENTIONS "Records the reports read").

Both shapes are owned by CONVENTIONS; these models read them leniently (unknown keys kept) so a
newer simulator adding a field never breaks an older report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# pass, fail, skip, error for every target; the manual target adds wait, cancel and attestation.
Result = Literal["pass", "fail", "skip", "error", "wait", "cancel", "attestation"]
RESULTS: tuple[str, ...] = ("pass", "fail", "skip", "error", "wait", "cancel", "attestation")
RESULT_LABELS_FR: dict[str, str] = {
    "pass": "réussi",
    "fail": "échec",
    "skip": "ignoré",
    "error": "erreur du banc",
    "wait": "en attente",
    "cancel": "annulé",
    "attestation": "attestation",
}


class StepResult(BaseModel):
    """One Gherkin step, or a pseudo-step for the preparation and cleanup done by the runner's hooks."""

    keyword: str
    name: str
    result: Result
    duration_s: float = 0.0
    message: str | None = None


class Screenshot(BaseModel):
    """A capture of the LGO's screen; `file` is relative to the run directory, None when the target
    could not take it (then `note` says why, in French)."""

    name: str
    screen: str
    file: str | None = None
    note: str | None = None


class Attachment(BaseModel):
    """A document a scenario kept as evidence: a homologation the LGO presents (`GET /driver/v1/evidence`),
    a printout it produced... `file` is relative to the run directory (None when it could not be kept:
    `note` says why). A `specimen` ("spécimen banc") is never probatory, whatever its scenario's verdict.

    `content` holds the bytes until the reports write them to `file`; it is never serialised."""

    name: str
    file: str | None = None
    media_type: str | None = None
    sha256: str | None = None
    size: int | None = None
    version: str | None = None
    source: str | None = None  # where the bench got it, e.g. "GET /driver/v1/evidence?ans_id=W1-INS-22"
    specimen: bool = False
    note: str | None = None
    content: bytes | None = Field(default=None, exclude=True, repr=False)


class ScenarioResult(BaseModel):
    name: str
    feature: str  # path of the .feature file, relative to the features folder
    tags: list[str] = Field(default_factory=list)
    requirement_ids: list[str] = Field(default_factory=list)
    result: Result
    duration_s: float = 0.0
    steps: list[StepResult] = Field(default_factory=list)
    exchange_ids: list[str] = Field(default_factory=list)
    screenshots: list[Screenshot] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)


class ServiceOperations(BaseModel):
    operations: dict[str, str] = Field(default_factory=dict)  # operation -> public-spec | bench-contract


class RunResults(BaseModel):
    """`results.json`: exactly the CONVENTIONS keys."""

    bench_version: str
    target: str
    started_at: datetime
    ended_at: datetime
    services: dict[str, ServiceOperations] = Field(default_factory=dict)
    scenarios: list[ScenarioResult] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(RESULTS, 0)
        for scenario in self.scenarios:
            out[scenario.result] += 1
        return out


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow")


class PeerRecord(_Lenient):
    subject: str | None = None
    issuer: str | None = None
    serial: str | None = None


class MessageRecord(_Lenient):
    headers: dict[str, str] = Field(default_factory=dict)
    body_sha256: str | None = None
    body_url: str | None = None
    status: int | None = None  # responses only
    method: str | None = None  # requests only (addition of the journal)
    path: str | None = None

    def content_type(self) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == "content-type":
                return value
        return None


class FindingRecord(_Lenient):
    rule: str
    severity: str = "error"
    requirement_ids: list[str] = Field(default_factory=list)
    message: str = ""
    evidence: Any = None


class ExchangeRecord(_Lenient):
    id: str
    service: str
    operation: str | None = None
    direction: str = "inbound"
    started_at: datetime
    ended_at: datetime
    peer: PeerRecord | None = None
    request: MessageRecord = Field(default_factory=MessageRecord)
    response: MessageRecord = Field(default_factory=MessageRecord)
    correlation: dict[str, str] = Field(default_factory=dict)
    findings: list[FindingRecord] = Field(default_factory=list)
    scenario_id: str | None = None

    def body_refs(self) -> list[tuple[str, str | None]]:
        """(sha256, content type) of the request and response bodies present."""
        return [
            (message.body_sha256, message.content_type())
            for message in (self.request, self.response)
            if message.body_sha256
        ]
