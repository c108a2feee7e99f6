"""Fault rules as data (CONVENTIONS "Journal, reset, clock, faults") and the named packs of
`scenarios/faults/<service>.<pack>.yaml`, switched on by the scenario tag `@panne.<service>.<pack>`.

This module only describes and validates rules; simulators.core applies them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from scenarios.datafile import DataError, Problem, problems_from_validation, read_yaml

FAULTS_DIR = Path(__file__).resolve().parent / "faults"
TAG_PREFIX = "panne."
_SERVICE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_PACK = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


class FaultPackError(DataError):
    """A fault pack is unknown or invalid (French message with path and line)."""


def _pattern(regexp: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not regexp.fullmatch(value):
            raise ValueError(f"{what} invalide « {value} »")
        return value

    return AfterValidator(check)


ServiceName = Annotated[str, _pattern(_SERVICE, "nom de service")]
RuleId = Annotated[str, _pattern(re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"), "identifiant de règle")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DelayAction(_Model):
    """Answer normally, after `ms` milliseconds."""

    kind: Literal["delay"]
    ms: int = Field(ge=1, le=600_000)


class HttpStatusAction(_Model):
    """Answer with this HTTP status instead of the service's answer."""

    kind: Literal["http_status"]
    status: int = Field(ge=400, le=599)
    body: str | None = Field(default=None, max_length=100_000)
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = {}


class ServiceFaultAction(_Model):
    """Answer with the service's own fault shape (SOAP fault, OperationOutcome...).

    For INSi, `code` is the subcode (`siram_100`) and `detail_code` the `siram:Erreur@code` (`desir_550`).
    """

    kind: Literal["service_fault"]
    code: Annotated[str, Field(min_length=1, max_length=64)]
    message: Annotated[str, Field(min_length=1, max_length=2000)]
    soap_code: Literal["Sender", "Receiver"] | None = None
    detail_code: str | None = Field(default=None, min_length=1, max_length=64)


class ResetAction(_Model):
    """Close the connection without any answer."""

    kind: Literal["reset"]


class MalformedAction(_Model):
    """Answer with a broken body (right content type): cut in the middle, garbled bytes, or empty."""

    kind: Literal["malformed"]
    variant: Literal["truncated", "garbled", "empty"] = "truncated"


class TlsFailureAction(_Model):
    """Abort the next matching TLS handshakes."""

    kind: Literal["tls_failure"]


class ExpiredTokenAction(_Model):
    """Refuse the bearer token as expired (token-based services)."""

    kind: Literal["expired_token"]


FaultAction = Annotated[
    DelayAction
    | HttpStatusAction
    | ServiceFaultAction
    | ResetAction
    | MalformedAction
    | TlsFailureAction
    | ExpiredTokenAction,
    Field(discriminator="kind"),
]


class FaultWindow(_Model):
    """Active from `start` (bench clock; None = when the rule is armed) for `duration_s` seconds."""

    start: datetime | None = None
    duration_s: float = Field(gt=0, le=7 * 24 * 3600)

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # A naive time is read as UTC, so windows compare with the bench clock's aware datetimes.
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class FaultRule(_Model):
    """{id, service, operation, match, probability, count, window, action} (CONVENTIONS).

    `operation` None matches every operation. `match` keys (all must match): `header.<name>`, `method`,
    `path`, `peer.subject`, `peer.cn`, or a correlation key of the service (ins, idam...); a value is
    one accepted string or a list of them. `count` None = unlimited.
    """

    id: RuleId
    service: ServiceName
    operation: str | None = Field(default=None, min_length=1, max_length=128)
    match: dict[Annotated[str, Field(min_length=1, max_length=128)], str | list[str]] = {}
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    count: int | None = Field(default=None, ge=1)
    window: FaultWindow | None = None
    action: FaultAction


_RULES = TypeAdapter(list[FaultRule])


def pack_path(service: str, pack: str) -> Path:
    return FAULTS_DIR / f"{service}.{pack}.yaml"


def list_fault_packs(service: str | None = None) -> list[str]:
    """Names "<service>.<pack>" of the packs available (for one service when given)."""
    names = sorted(path.name.removesuffix(".yaml") for path in FAULTS_DIR.glob("*.*.yaml"))
    return [name for name in names if service is None or name.split(".", 1)[0] == service]


def load_fault_pack(service: str, pack: str) -> list[FaultRule]:
    """Load and validate `scenarios/faults/<service>.<pack>.yaml` (a YAML list of fault rules)."""
    source = f"pack de pannes « {service}.{pack} »"
    if not _SERVICE.fullmatch(service) or not _PACK.fullmatch(pack):
        raise FaultPackError(source, [Problem("", "nom de service ou de pack invalide")])
    path = pack_path(service, pack)
    if not path.is_file():
        known = ", ".join(list_fault_packs(service)) or "aucun"
        raise FaultPackError(source, [Problem("", f"pack inconnu (packs disponibles : {known})")])
    return load_fault_file(path, service=service)


def load_fault_file(path: Path, *, service: str | None = None) -> list[FaultRule]:
    """Load a fault-rule list from any YAML file; every rule must target `service` when given."""
    source = f"pack de pannes ({path.name})"
    try:
        doc = read_yaml(path, source=source)
    except DataError as exc:
        raise FaultPackError(source, exc.problems) from None
    if not isinstance(doc.data, list) or not doc.data:
        raise FaultPackError(source, [doc.problem((), "le pack doit être une liste non vide de règles")])
    try:
        rules = _RULES.validate_python(doc.data)
    except ValidationError as exc:
        raise FaultPackError(source, problems_from_validation(doc, exc)) from None
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if service is not None and rule.service != service:
            problems.append(
                doc.problem((index, "service"), f"la règle vise « {rule.service} » et non « {service} »")
            )
        if rule.id in seen:
            problems.append(doc.problem((index, "id"), f"identifiant de règle « {rule.id} » en double"))
        seen.add(rule.id)
    if problems:
        raise FaultPackError(source, problems)
    return rules


def parse_pack_name(name: str) -> tuple[str, str]:
    """ "insi.indisponible" -> ("insi", "indisponible"); also accepts the tag form "@panne.insi.indisponible"."""
    text = name.removeprefix("@").removeprefix(TAG_PREFIX)
    service, _, pack = text.partition(".")
    if not _SERVICE.fullmatch(service) or not _PACK.fullmatch(pack):
        raise FaultPackError(
            f"pack de pannes « {name} »",
            [Problem("", "nom attendu « <service>.<pack> » ou « @panne.<service>.<pack> »")],
        )
    return service, pack


def pack_from_tag(tag: str) -> tuple[str, str] | None:
    """The (service, pack) a scenario tag switches on, or None when the tag is not a `@panne.` tag."""
    if not tag.removeprefix("@").startswith(TAG_PREFIX):
        return None
    return parse_pack_name(tag)
