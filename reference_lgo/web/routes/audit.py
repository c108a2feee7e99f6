"""The audit trail page (filters, paging) and its CSV export."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from reference_lgo.services import audit
from reference_lgo.services.errors import InvalidInput
from reference_lgo.web.deps import UiUser, db_session, runtime_of, ui_user
from reference_lgo.web.templating import render

router = APIRouter()
PARIS = ZoneInfo("Europe/Paris")
PAGE = 50
QUERY_KEYS = ("depuis", "jusqu", "compte", "action", "canal", "issue")


def _day(value: str, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"Date « {what} » invalide : format AAAA-MM-JJ attendu.") from None


def filters_from(query: dict[str, str]) -> audit.AuditFilter:
    """UI query (French names, Paris days) -> filter (UTC bounds, the end day included)."""
    since, until = _day(query.get("depuis", ""), "depuis"), _day(query.get("jusqu", ""), "jusqu'au")
    return audit.AuditFilter(
        since=datetime.combine(since, time(), PARIS) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), PARIS) if until else None,
        login=query.get("compte") or None,
        action=query.get("action") or None,
        channel=query.get("canal") or None,
        outcome=query.get("issue") or None,
    )


def _query(request: Request) -> dict[str, str]:
    return {
        key: request.query_params[key].strip()[:64] for key in QUERY_KEYS if request.query_params.get(key)
    }


@router.get("/audit")
def audit_page(
    request: Request,
    user: Annotated[UiUser, Depends(ui_user)],
    session: Annotated[Session, Depends(db_session)],
) -> Response:
    user.actor.require("audit.consulter")
    query = _query(request)
    filters = filters_from(query)
    try:
        offset = max(0, int(request.query_params.get("page_debut", "0")))
    except ValueError:
        offset = 0
    events, total = audit.search(session, filters, limit=PAGE, offset=offset)
    audit.record(
        session,
        user.actor,
        runtime_of(request).clock.now(),
        "audit.consulter",
        "Consultation de la piste d'audit",
        object_type="audit",
        details={"filtres": filters.describe(), "debut": offset},
    )
    context = {
        "events": events,
        "total": total,
        "offset": offset,
        "limit": PAGE,
        "query": query,
        "query_string": urlencode(query),
        "query_string_page": lambda start: urlencode({**query, "page_debut": max(0, start)}),
    }
    partial = (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "audit-results"
    )
    return render(request, "_audit_rows.html" if partial else "audit.html", context)


@router.get("/audit/export.csv")
def audit_export(
    request: Request,
    user: Annotated[UiUser, Depends(ui_user)],
    session: Annotated[Session, Depends(db_session)],
) -> Response:
    user.actor.require("audit.exporter")
    filters = filters_from(_query(request))
    now = runtime_of(request).clock.now()
    # The export is itself audited, and appears in the file it produces.
    audit.record(
        session,
        user.actor,
        now,
        "audit.exporter",
        "Export CSV de la piste d'audit",
        object_type="audit",
        details={"filtres": filters.describe()},
    )
    body = audit.export_csv(session, filters)
    name = f"piste-audit-{now.astimezone(PARIS):%Y%m%d-%H%M%S}.csv"
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
