"""Per-service control routes: /_bench/<service>/{health,reset,seed,faults,exchanges,expect,clock}."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Body, FastAPI, Query
from pydantic import BaseModel

from simulators.core.expect import Expectation, wait_for_exchange
from simulators.core.fault_payloads import rules_from_payload
from simulators.core.journal.filters import DEFAULT_LIMIT, MAX_LIMIT
from simulators.core.problems import Problem

if TYPE_CHECKING:
    from simulators.core.control import ControlState

PREFIX = "/_bench/{service}"


class ResetRequest(BaseModel):
    scenario_id: str | None = None


class ClockRequest(BaseModel):
    mode: Literal["real", "frozen", "offset"] | None = None
    now: datetime | None = None
    offset_s: float | None = None
    advance_s: float | None = None


def install(app: FastAPI, state: ControlState) -> None:
    from simulators.core.control import exchange_filter

    @app.get(f"{PREFIX}/health", tags=["service"], summary="État d'un service")
    async def health(service: str) -> dict[str, Any]:
        return {"service": service, **state.host(service).health()}

    @app.post(f"{PREFIX}/reset", tags=["service"], summary="Remet un service à zéro")
    async def reset(service: str, request: ResetRequest | None = None) -> dict[str, Any]:
        scenario_id = request.scenario_id if request else None
        state.host(service).reset(scenario_id)
        return {"reset": [service], "scenario_id": scenario_id}

    @app.post(f"{PREFIX}/seed", tags=["service"], summary="Ajoute des données au service")
    async def seed(service: str, payload: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        host = state.host(service)
        if host.service is None:
            raise Problem(503, f"Service {service} non démarré.")
        try:
            return host.service.seed(payload)
        except ValueError as exc:
            raise Problem(422, f"Données refusées par {service} : {exc}") from None

    @app.get(f"{PREFIX}/faults", tags=["service"], summary="Règles de panne du service")
    async def faults(service: str) -> dict[str, Any]:
        return {"rules": state.host(service).faults.describe()}

    @app.post(f"{PREFIX}/faults", tags=["service"], status_code=201, summary="Ajoute des règles ou un pack")
    async def add_faults(service: str, payload: Annotated[Any, Body()]) -> dict[str, Any]:
        host = state.host(service)
        added = [host.faults.add(rule).id for rule in rules_from_payload(payload, service)]
        return {"added": added, "rules": host.faults.describe()}

    @app.delete(f"{PREFIX}/faults", tags=["service"], summary="Retire toutes les règles du service")
    async def clear_faults(service: str) -> dict[str, Any]:
        state.host(service).faults.clear()
        return {"cleared": [service]}

    @app.delete(PREFIX + "/faults/{rule_id}", tags=["service"], summary="Retire une règle")
    async def remove_fault(service: str, rule_id: str) -> dict[str, Any]:
        if not state.host(service).faults.remove(rule_id):
            raise Problem(404, f"Règle de panne inconnue pour {service} : {rule_id}.")
        return {"removed": rule_id, "service": service}

    @app.get(f"{PREFIX}/exchanges", tags=["service"], summary="Échanges du service")
    def exchanges(
        service: str,
        operation: str | None = None,
        correlation: Annotated[list[str] | None, Query(description="clé=valeur, répétable")] = None,
        scenario_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> dict[str, Any]:
        state.host(service)
        flt = exchange_filter(service, operation, correlation or [], scenario_id, since, until, limit)
        records = state.journal.query(flt)
        return {"count": len(records), "exchanges": [r.model_dump(mode="json") for r in records]}

    @app.post(f"{PREFIX}/expect", tags=["service"], summary="Attend un échange du service")
    async def expect(service: str, expectation: Expectation) -> dict[str, Any]:
        state.host(service)
        if expectation.service not in (None, service):
            raise Problem(422, f"Attente sur {expectation.service} envoyée à /_bench/{service}/expect.")
        return await wait_for_exchange(state.journal, expectation.model_copy(update={"service": service}))

    @app.get(f"{PREFIX}/clock", tags=["service"], summary="Horloge du service")
    async def clock(service: str) -> dict[str, Any]:
        return state.host(service).context.clock.state()

    @app.post(f"{PREFIX}/clock", tags=["service"], summary="Règle l'horloge : real, frozen ou offset")
    async def set_clock(service: str, request: ClockRequest) -> dict[str, Any]:
        bench_clock = state.host(service).context.clock
        if request.mode is not None:
            bench_clock.set(request.mode, request.now, request.offset_s)
        if request.advance_s is not None:
            bench_clock.advance(request.advance_s)
        if request.mode is None and request.advance_s is None:
            raise Problem(422, "Requête invalide : indiquer mode (real, frozen, offset) ou advance_s.")
        return bench_clock.state()
