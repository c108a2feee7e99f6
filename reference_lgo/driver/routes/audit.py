"""The audit trail: filtered list and CSV export, acting as the session's account."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from reference_lgo.driver import deps
from reference_lgo.driver.schemas import AuditEventOut, AuditPage
from reference_lgo.services import audit
from reference_lgo.services.context import Actor

router = APIRouter(tags=["audit"])
UserActor = Annotated[Actor, Depends(deps.user_actor)]
Db = Annotated[Session, Depends(deps.db_session)]


def audit_filter(
    since: Annotated[datetime | None, Query(description="Début inclus (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="Fin exclue (ISO 8601)")] = None,
    account: Annotated[str | None, Query(max_length=32)] = None,
    action: Annotated[
        str | None, Query(max_length=64, description="Code exact, ou famille terminée par « . »")
    ] = None,
    channel: Annotated[str | None, Query(max_length=10)] = None,
    outcome: Annotated[str | None, Query(max_length=10)] = None,
    object_type: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=100)] = None,
) -> audit.AuditFilter:
    # A time without zone is read as UTC.
    since = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
    until = until.replace(tzinfo=UTC) if until and until.tzinfo is None else until
    return audit.AuditFilter(since, until, account, action, channel, outcome, object_type, object_id)


Filter = Annotated[audit.AuditFilter, Depends(audit_filter)]


@router.get("/audit", response_model=AuditPage, summary="Piste d'audit (la plus récente d'abord)")
def list_audit(
    request: Request,
    actor: UserActor,
    session: Db,
    filters: Filter,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    actor.require("audit.consulter")
    events, total = audit.search(session, filters, limit=limit, offset=offset)
    items = [AuditEventOut.model_validate(audit.to_dict(event)) for event in events]
    audit.record(
        session,
        actor,
        deps.runtime(request).clock.now(),
        "audit.consulter",
        "Consultation de la piste d'audit",
        object_type="audit",
        details={"filtres": filters.describe(), "debut": offset},
    )
    return AuditPage(total=total, offset=offset, limit=limit, items=items)


@router.get(
    "/audit/export",
    summary="Export CSV de la piste d'audit",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_audit(request: Request, actor: UserActor, session: Db, filters: Filter) -> Response:
    actor.require("audit.exporter")
    audit.record(
        session,
        actor,
        deps.runtime(request).clock.now(),
        "audit.exporter",
        "Export CSV de la piste d'audit",
        object_type="audit",
        details={"filtres": filters.describe()},
    )
    return Response(
        audit.export_csv(session, filters).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="piste-audit.csv"'},
    )
