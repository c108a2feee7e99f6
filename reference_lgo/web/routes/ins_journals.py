"""The INS journal screens: accesses to an INS, INSi calls, and one call with everything INSi
returned and its raw SOAP request and answer (W1-INS-06/19)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from lxml import etree
from sqlalchemy.orm import Session
from starlette.responses import Response

from protocols import xmlsafe
from reference_lgo.services import journals
from reference_lgo.web.deps import UiUser, db_session, runtime_of, ui_user
from reference_lgo.web.templating import render

router = APIRouter()
PAGE = 100


def _patient_filter(request: Request) -> int | None:
    value = request.query_params.get("patient_id", "").strip()
    return int(value) if value.isdigit() else None


def _offset(request: Request) -> int:
    value = request.query_params.get("debut", "0")
    return int(value) if value.isdigit() else 0


@router.get("/journaux/acces-ins")
def access_journal(
    request: Request,
    user: Annotated[UiUser, Depends(ui_user)],
    session: Annotated[Session, Depends(db_session)],
) -> Response:
    patient_id, offset = _patient_filter(request), _offset(request)
    page = journals.access_page(
        session, user.actor, runtime_of(request).clock.now(), patient_id=patient_id, limit=PAGE, offset=offset
    )
    context = {"page": page, "patient_id": patient_id, "ACCESS_ACTIONS": journals.ACCESS_ACTIONS}
    return render(request, "patients/journal_access.html", context)


@router.get("/journaux/appels-insi")
def calls_journal(
    request: Request,
    user: Annotated[UiUser, Depends(ui_user)],
    session: Annotated[Session, Depends(db_session)],
) -> Response:
    patient_id, offset = _patient_filter(request), _offset(request)
    page = journals.calls_page(
        session, user.actor, runtime_of(request).clock.now(), patient_id=patient_id, limit=PAGE, offset=offset
    )
    return render(request, "patients/journal_calls.html", {"page": page, "patient_id": patient_id})


def pretty_xml(data: bytes | None) -> str | None:
    """Indented for reading (hardened parser); shown as received when it is not well-formed."""
    if data is None:
        return None
    try:
        root = xmlsafe.parse(data)
    except xmlsafe.XmlRejected:
        return data.decode("utf-8", "replace")
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")


@router.get("/journaux/appels-insi/{entry_id}")
def call_page(
    request: Request,
    entry_id: int,
    user: Annotated[UiUser, Depends(ui_user)],
    session: Annotated[Session, Depends(db_session)],
) -> Response:
    now = runtime_of(request).clock.now()
    call = journals.call(session, user.actor, now, entry_id)
    context: dict[str, Any] = {"call": call, "raw": None}
    if user.actor.can("ins.voir_matricule"):
        entry = journals.call_entry(session, entry_id)
        assert entry is not None
        context["raw"] = {"request": pretty_xml(entry.request), "response": pretty_xml(entry.response)}
    return render(request, "patients/journal_call.html", context)
