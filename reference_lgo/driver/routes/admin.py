"""Bench-level calls: reset, clock, seed, evidence (the bench token when one is configured)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse

from reference_lgo import evidence
from reference_lgo.driver import deps
from reference_lgo.driver.schemas import ClockIn, ClockOut, EvidenceDocument, EvidenceOut, ResetIn, ResetOut
from reference_lgo.services import seed
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import NotFound

router = APIRouter(tags=["banc"])
BenchActor = Annotated[Actor, Depends(deps.bench_actor)]


@router.post("/reset", response_model=ResetOut, summary="Revenir à une installation neuve")
def reset(request: Request, _actor: BenchActor, body: ResetIn | None = None) -> ResetOut:
    """Empties the database (accounts, sessions, audit trail, settings, patients, journals), drops the
    pooled connections to national services and puts the clock back to real time."""
    runtime = deps.runtime(request)
    runtime.db.reset()
    runtime.insi.close()  # a fresh install has no open TLS connection (the next call handshakes again)
    runtime.clock.set("real")
    return ResetOut(status="ok", scenario_id=body.scenario_id if body else None)


@router.get("/clock", response_model=ClockOut, summary="Horloge du LGO")
def get_clock(request: Request, _actor: BenchActor) -> dict[str, object]:
    return deps.runtime(request).clock.state()


@router.put("/clock", response_model=ClockOut, summary="Régler l'horloge du LGO (real, frozen, offset)")
def set_clock(request: Request, body: ClockIn, _actor: BenchActor) -> dict[str, object]:
    clock = deps.runtime(request).clock
    clock.set(body.mode, body.now, body.offset_s)
    return clock.state()


@router.post("/seed", summary="Charger les comptes et paramètres d'un monde (lgo_seed)")
def seed_world(request: Request, body: seed.SeedPayload, actor: BenchActor) -> dict[str, Any]:
    runtime = deps.runtime(request)
    with runtime.db.session() as session:
        return seed.apply(session, actor, runtime.clock.now(), runtime.config, body)


@router.get("/evidence", response_model=EvidenceOut, summary="Pièces justificatives d'une exigence")
def get_evidence(
    request: Request,
    _actor: BenchActor,
    ans_id: Annotated[str, Query(min_length=1, max_length=100, description="Identifiant ANS (ou du banc)")],
) -> EvidenceOut:
    base = str(request.url.replace(query=None)).rstrip("/") + "/files/"
    documents = [
        EvidenceDocument(
            file=item.file,
            url=base + item.file,
            title=item.title,
            sha256=item.sha256,
            version=item.version,
            specimen=item.specimen,
            media_type=item.media_type,
        )
        for item in evidence.for_requirement(ans_id)
    ]
    return EvidenceOut(ans_id=ans_id, documents=documents)


@router.get("/evidence/files/{name}", summary="Télécharger une pièce justificative")
def evidence_file(name: str, _actor: BenchActor) -> FileResponse:
    item = evidence.by_file(name)
    if item is None:
        raise NotFound(f"Aucune pièce justificative « {name} ».")
    return FileResponse(item.path, media_type=item.media_type, filename=item.file)
