"""The INS journals (W1-INS-06/19/20): every access to a patient's INS, and every exchange with
INSi with all the data it returned (read again from the raw answer, so nothing is lost).

Append-only: this module only inserts and reads (the database refuses UPDATE and DELETE too).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from reference_lgo.clients.insi import InsiError, InsiExchange, InsiResult
from reference_lgo.clients.insi.results import parse_answer
from reference_lgo.models import InsAccessEntry, InsiCallEntry
from reference_lgo.services import audit
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import NotFound

# action -> French label (stable codes).
ACCESS_ACTIONS: dict[str, str] = {
    "consultation": "Consultation du dossier",
    "modification": "Modification du dossier",
    "transmission": "Préparation d'une transmission à un partenaire",
    "resultat_insi": "INS renvoyé par une recherche INSi",
    "integration": "Intégration de l'INS renvoyé par INSi",
    "verification": "Vérification de l'INS auprès d'INSi",
    "suppression": "Suppression de l'INS du dossier",
}
CALL_ACTIONS = {"recuperation": "Récupération de l'INS", "verification": "Vérification de l'INS"}
MAX_PAGE = 500


def record_access(
    session: Session,
    actor: Actor,
    at: datetime,
    *,
    patient_id: int,
    action: str,
    matricule: str,
    oid: str,
    shown: bool,
    details: dict[str, Any] | None = None,
) -> InsAccessEntry:
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"action de journal INS inconnue : {action}")
    entry = InsAccessEntry(
        at=at,
        account_id=actor.account_id,
        account_login=actor.login,
        actor_name=actor.display_name[:200],
        channel=actor.origin.channel,
        patient_id=patient_id,
        action=action,
        matricule=matricule,
        oid=oid,
        shown=shown,
        details=details or {},
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class CallContext:
    """What the client's exchange does not know: who asked, for which patient, to do what."""

    actor: Actor
    patient_id: int | None
    mode: str  # traits | vitale
    group: str  # shared by the exchanges of one search or verification
    result: str | None = None  # verification: OK | KO
    verdict: str | None = None


def _returned(exchange: InsiExchange) -> InsiResult | None:
    """The answer read again from its raw bytes: every INS and trait returned, not a summary."""
    if exchange.response is None or exchange.http_status is None or exchange.code_cr is None:
        return None
    try:
        return parse_answer(exchange.http_status, exchange.response)
    except InsiError:
        return None


def _credential(label: str) -> tuple[str, str | None]:
    if label.startswith("CPx"):
        return "CPx", label.removeprefix("CPx").strip() or None
    return label, None


def _sha256(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def record_calls(
    session: Session, exchanges: Sequence[InsiExchange], context: CallContext
) -> list[InsiCallEntry]:
    entries = []
    for exchange in exchanges:
        returned = _returned(exchange)
        identity = returned.identity if returned else None
        credential, detail = _credential(exchange.credential)
        entry = InsiCallEntry(
            exchange_id=exchange.id,
            call_group=context.group,
            patient_id=context.patient_id,
            account_id=context.actor.account_id,
            account_login=context.actor.login,
            actor_name=context.actor.display_name[:200],
            channel=context.actor.origin.channel,
            action=exchange.purpose,
            mode=context.mode,
            operation=exchange.operation,
            credential=credential,
            credential_detail=detail,
            endpoint=exchange.endpoint[:300],
            message_id=exchange.message_id[:100],
            started_at=exchange.started_at,
            ended_at=exchange.ended_at,
            http_status=exchange.http_status,
            code_cr=exchange.code_cr,
            libelle_cr=(exchange.libelle_cr or "")[:200] or None,
            matricule_returned=identity.matricule if identity else None,
            oid=identity.oid if identity else None,
            history=[ins_number(h) for h in identity.history] if identity else [],
            traits=returned_traits(identity) if identity else None,
            fault_code=(exchange.fault_code or "")[:100] or None,
            error=(exchange.error or "")[:1000] or None,
            result=context.result,
            verdict=context.verdict,
            request=exchange.request,
            response=exchange.response,
            request_sha256=_sha256(exchange.request) or "",
            response_sha256=_sha256(exchange.response),
        )
        session.add(entry)
        entries.append(entry)
    session.flush()
    return entries


def ins_number(number: Any) -> dict[str, Any]:
    """An InsNumber (INSACTIF or INSHISTO) as JSON."""
    return {
        "matricule": number.matricule,
        "oid": number.oid,
        "start": number.start,
        "end": number.end,
        "key_valid": number.key_valid,
    }


def returned_traits(identity: Any) -> dict[str, Any]:
    """The TIQ of an InsiIdentity as JSON, as returned (empty values included)."""
    traits = identity.traits
    return {
        "birth_name": traits.birth_name,
        "first_names": list(traits.first_names),
        "first_name": identity.first_birth_first_name,
        "sex": traits.sex,
        "birth_date": traits.birth_date,
        "birth_place": traits.birth_place,
    }


# --- reading ---------------------------------------------------------------------------------


def _page(session: Session, query: Select[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.limit(max(1, min(limit, MAX_PAGE))).offset(max(0, offset))))
    return rows, total


def access_entries(
    session: Session, *, patient_id: int | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[InsAccessEntry], int]:
    query = select(InsAccessEntry)
    if patient_id is not None:
        query = query.where(InsAccessEntry.patient_id == patient_id)
    return _page(session, query.order_by(InsAccessEntry.at.desc(), InsAccessEntry.id.desc()), limit, offset)


def call_entries(
    session: Session, *, patient_id: int | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[InsiCallEntry], int]:
    query = select(InsiCallEntry)
    if patient_id is not None:
        query = query.where(InsiCallEntry.patient_id == patient_id)
    return _page(
        session, query.order_by(InsiCallEntry.started_at.desc(), InsiCallEntry.id.desc()), limit, offset
    )


def call_entry(session: Session, entry_id: int) -> InsiCallEntry | None:
    return session.get(InsiCallEntry, entry_id)


MASKED = "masqué"


def access_to_dict(entry: InsAccessEntry, *, can_see_ins: bool) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "account": entry.account_login,
        "actor_name": entry.actor_name,
        "channel": entry.channel,
        "action": entry.action,
        "action_label": ACCESS_ACTIONS.get(entry.action, entry.action),
        "patient_id": entry.patient_id,
        "matricule": entry.matricule if can_see_ins else None,
        "oid": entry.oid if can_see_ins else None,
        "ins_masked": not can_see_ins,
        "shown": entry.shown,
        "details": entry.details,
    }


def outcome_of(entry: InsiCallEntry) -> str:
    """One French line for the journal screens."""
    if entry.code_cr is not None:
        line = f"CR {entry.code_cr} {entry.libelle_cr or ''}".strip()
        return f"{line} — vérification {entry.result}" if entry.result else line
    if entry.fault_code:
        return f"faute SOAP {entry.fault_code}"
    return f"échec : {entry.error or 'inconnu'}"


def call_to_dict(entry: InsiCallEntry, *, can_see_ins: bool) -> dict[str, Any]:
    """All the returned data; matricules hidden from an account without ins.voir_matricule."""
    history = entry.history if can_see_ins else [{**item, "matricule": None} for item in entry.history]
    return {
        "id": entry.id,
        "exchange_id": entry.exchange_id,
        "call_group": entry.call_group,
        "at": entry.started_at.isoformat(),
        "ended_at": entry.ended_at.isoformat(),
        "account": entry.account_login,
        "actor_name": entry.actor_name,
        "channel": entry.channel,
        "action": entry.action,
        "action_label": CALL_ACTIONS.get(entry.action, entry.action),
        "mode": entry.mode,
        "patient_id": entry.patient_id,
        "operation": entry.operation,
        "credential": entry.credential,
        "credential_detail": entry.credential_detail,
        "endpoint": entry.endpoint,
        "message_id": entry.message_id,
        "http_status": entry.http_status,
        "code_cr": entry.code_cr,
        "libelle_cr": entry.libelle_cr,
        "matricule_returned": entry.matricule_returned if can_see_ins else None,
        "oid": entry.oid,
        "history": history,
        "traits": entry.traits,
        "ins_masked": not can_see_ins and entry.matricule_returned is not None,
        "fault_code": entry.fault_code,
        "error": entry.error,
        "result": entry.result,
        "verdict": entry.verdict,
        "outcome": outcome_of(entry),
        "request_sha256": entry.request_sha256,
        "response_sha256": entry.response_sha256,
    }


# --- use cases: reading the journals (audit.consulter) ----------------------------------------


def _consulted(session: Session, actor: Actor, at: datetime, what: str, patient_id: int | None) -> None:
    audit.record(
        session,
        actor,
        at,
        "journaux.consulter",
        f"Consultation du {what}" + (f" (patient n° {patient_id})" if patient_id is not None else ""),
        object_type="journal",
        object_id=str(patient_id) if patient_id is not None else None,
    )


def access_page(
    session: Session, actor: Actor, at: datetime, *, patient_id: int | None, limit: int, offset: int
) -> dict[str, Any]:
    actor.require("audit.consulter")
    rows, total = access_entries(session, patient_id=patient_id, limit=limit, offset=offset)
    _consulted(session, actor, at, "journal des accès à l'INS", patient_id)
    can_see = actor.can("ins.voir_matricule")
    items = [access_to_dict(row, can_see_ins=can_see) for row in rows]
    return {"total": total, "offset": offset, "limit": limit, "items": items}


def calls_page(
    session: Session, actor: Actor, at: datetime, *, patient_id: int | None, limit: int, offset: int
) -> dict[str, Any]:
    actor.require("audit.consulter")
    rows, total = call_entries(session, patient_id=patient_id, limit=limit, offset=offset)
    _consulted(session, actor, at, "journal des appels INSi", patient_id)
    can_see = actor.can("ins.voir_matricule")
    items = [call_to_dict(row, can_see_ins=can_see) for row in rows]
    return {"total": total, "offset": offset, "limit": limit, "items": items}


def _entry(session: Session, entry_id: int) -> InsiCallEntry:
    entry = call_entry(session, entry_id)
    if entry is None:
        raise NotFound(f"Aucun appel INSi n° {entry_id} dans le journal.", code="appel_introuvable")
    return entry


def call(session: Session, actor: Actor, at: datetime, entry_id: int) -> dict[str, Any]:
    actor.require("audit.consulter")
    entry = _entry(session, entry_id)
    _consulted(session, actor, at, f"détail de l'appel INSi n° {entry_id}", entry.patient_id)
    return call_to_dict(entry, can_see_ins=actor.can("ins.voir_matricule"))


def raw_message(session: Session, actor: Actor, at: datetime, entry_id: int, part: str) -> bytes:
    """The SOAP request or answer as exchanged (it holds the INS: ins.voir_matricule needed)."""
    actor.require("audit.consulter")
    actor.require("ins.voir_matricule")
    entry = _entry(session, entry_id)
    body = entry.request if part == "request" else entry.response
    if body is None:
        raise NotFound("Aucune réponse n'a été reçue pour cet appel INSi.", code="reponse_absente")
    _consulted(session, actor, at, f"message brut ({part}) de l'appel INSi n° {entry_id}", entry.patient_id)
    return body
