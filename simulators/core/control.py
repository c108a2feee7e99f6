"""The control plane: plain HTTP on 127.0.0.1, `/_bench/*` only (ARCHITECTURE principle 4).

Global routes here; per-service routes in `control_service`. Reads of the journal run in the thread
pool (database I/O); anything that touches a service's state runs on the event loop, like the
national listeners, so a service never sees two threads.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Body, FastAPI, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from simulators.core import control_service, problems
from simulators.core.clock import utcnow
from simulators.core.expect import Expectation, wait_for_exchange
from simulators.core.fault_payloads import rules_from_payload
from simulators.core.host import ServiceHost
from simulators.core.journal import ExchangeFilter, Journal
from simulators.core.journal.filters import DEFAULT_LIMIT, MAX_LIMIT
from simulators.core.problems import Problem

PREFIX = "/_bench"
RESERVED_NAMES = frozenset(
    {"health", "reset", "exchanges", "faults", "bodies", "expect", "pki", "openapi.json", "docs"}
)
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class ControlState:
    hosts: dict[str, ServiceHost]
    journal: Journal
    pki: Any | None = None
    started_at: datetime = field(default_factory=utcnow)

    def host(self, name: str) -> ServiceHost:
        host = self.hosts.get(name)
        if host is None:
            known = ", ".join(sorted(self.hosts)) or "aucun"
            raise Problem(404, f"Service inconnu : {name} (services démarrés : {known}).")
        return host


class ResetRequest(BaseModel):
    scenario_id: str | None = None


def exchange_filter(
    service: str | None,
    operation: str | None,
    correlation: list[str],
    scenario_id: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> ExchangeFilter:
    pairs: dict[str, str] = {}
    for item in correlation:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise Problem(
                400, f"Paramètre correlation invalide « {item} » : attendu clé=valeur (ex. ins=1234)."
            )
        pairs[key] = value
    return ExchangeFilter(service, operation, pairs, scenario_id, since, until, limit)


def create_control_app(state: ControlState) -> FastAPI:
    app = FastAPI(
        title="Plan de contrôle segur-bench",
        description="Santé, remise à zéro, journal des échanges, pannes, attentes et horloge des simulateurs.",
        version="1",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    problems.install(app)
    app.state.bench = state

    @app.get(f"{PREFIX}/health", tags=["banc"], summary="État de chaque service")
    async def health() -> JSONResponse:
        services = {name: host.health() for name, host in state.hosts.items()}
        states = {info["state"] for info in services.values()}
        status = "ok" if states <= {"up"} else ("starting" if "starting" in states else "degraded")
        body = {
            "status": status,
            "pid": os.getpid(),
            "started_at": state.started_at.isoformat(),
            "services": services,
        }
        return JSONResponse(body, status_code=200 if status == "ok" else 503)

    @app.post(f"{PREFIX}/reset", tags=["banc"], summary="Remet tous les services à zéro")
    async def reset_all(request: ResetRequest | None = None) -> dict[str, Any]:
        scenario_id = request.scenario_id if request else None
        for host in state.hosts.values():
            host.reset(scenario_id)
        return {"reset": sorted(state.hosts), "scenario_id": scenario_id}

    @app.get(f"{PREFIX}/exchanges", tags=["journal"], summary="Échanges de tous les services")
    def exchanges(
        service: str | None = None,
        operation: str | None = None,
        correlation: Annotated[
            list[str] | None, Query(description="clé=valeur, répétable (ex. ins=1234)")
        ] = None,
        scenario_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> dict[str, Any]:
        flt = exchange_filter(service, operation, correlation or [], scenario_id, since, until, limit)
        records = state.journal.query(flt)
        return {"count": len(records), "exchanges": [r.model_dump(mode="json") for r in records]}

    @app.get(PREFIX + "/exchanges/{record_id}", tags=["journal"], summary="Un échange")
    def exchange(record_id: str) -> dict[str, Any]:
        record = state.journal.get(record_id)
        if record is None:
            raise Problem(404, f"Échange inconnu : {record_id}.")
        return record.model_dump(mode="json")

    @app.get(PREFIX + "/bodies/{sha256}", tags=["journal"], summary="Corps brut d'une requête ou réponse")
    def body(sha256: str) -> Response:
        ref = state.journal.body(sha256.lower()) if _SHA256.fullmatch(sha256.lower()) else None
        if ref is None:
            raise Problem(404, f"Corps inconnu : {sha256}.")
        return Response(ref.data, media_type=ref.content_type, headers={"x-content-sha256": ref.sha256})

    @app.post(f"{PREFIX}/expect", tags=["journal"], summary="Attend un échange correspondant")
    async def expect(expectation: Expectation) -> dict[str, Any]:
        if expectation.service is not None:
            state.host(expectation.service)
        return await wait_for_exchange(state.journal, expectation)

    @app.get(f"{PREFIX}/faults", tags=["pannes"], summary="Règles de panne de tous les services")
    async def faults(service: str | None = None) -> dict[str, Any]:
        hosts = [state.host(service)] if service else list(state.hosts.values())
        return {"rules": [rule for host in hosts for rule in host.faults.describe()]}

    @app.post(f"{PREFIX}/faults", tags=["pannes"], status_code=201, summary="Ajoute des règles ou un pack")
    async def add_faults(payload: Annotated[Any, Body()]) -> dict[str, Any]:
        rules = rules_from_payload(payload, None)
        hosts = [state.host(rule.service) for rule in rules]  # every service known before adding any
        added = [host.faults.add(rule).id for host, rule in zip(hosts, rules, strict=True)]
        return {
            "added": added,
            "rules": [r for h in {id(h): h for h in hosts}.values() for r in h.faults.describe()],
        }

    @app.delete(f"{PREFIX}/faults", tags=["pannes"], summary="Retire les règles (d'un service ou toutes)")
    async def clear_faults(service: str | None = None) -> dict[str, Any]:
        hosts = [state.host(service)] if service else list(state.hosts.values())
        for host in hosts:
            host.faults.clear()
        return {"cleared": [host.name for host in hosts]}

    @app.delete(PREFIX + "/faults/{rule_id}", tags=["pannes"], summary="Retire une règle")
    async def remove_fault(rule_id: str) -> dict[str, Any]:
        for host in state.hosts.values():
            if host.faults.remove(rule_id):
                return {"removed": rule_id, "service": host.name}
        raise Problem(404, f"Règle de panne inconnue : {rule_id}.")

    @app.get(PREFIX + "/pki/crl/{ca}.crl", tags=["pki"], summary="CRL d'une autorité de test (DER)")
    def crl(ca: str) -> Response:
        if state.pki is None:
            raise Problem(503, "PKI de test non chargée.")
        try:
            data = state.pki.crl_der(ca)
        except ValueError:
            raise Problem(404, f"Autorité inconnue : {ca}.") from None
        return Response(data, media_type="application/pkix-crl")

    control_service.install(app, state)
    for name, host in state.hosts.items():
        router_factory = getattr(host.service, "control_router", None)
        router = router_factory() if callable(router_factory) else None
        if router is not None:
            app.include_router(router, prefix=f"{PREFIX}/{name}")
    return app
