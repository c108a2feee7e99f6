"""The audit trail: who did what, when and from where, on personal data and settings.

Append-only: this module only inserts and reads (the database refuses UPDATE and DELETE too).
Times are stored in UTC and shown in Europe/Paris.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from reference_lgo.models import AuditEvent
from reference_lgo.services.context import Actor

PARIS = ZoneInfo("Europe/Paris")

# action -> French label (the codes are stable: scenarios and exports use them).
ACTIONS: dict[str, str] = {
    "connexion": "Connexion",
    "deconnexion": "Déconnexion",
    "acces.refuse": "Accès refusé",
    "compte.creer": "Création de compte",
    "compte.modifier": "Modification de compte",
    "compte.mot_de_passe": "Changement de mot de passe",
    "compte.consulter": "Consultation d'un compte",
    "droits.role": "Droits d'un rôle modifiés",
    "droits.compte": "Droits d'un compte modifiés",
    "parametres.modifier": "Modification des paramètres",
    "audit.consulter": "Consultation de la piste d'audit",
    "audit.exporter": "Export de la piste d'audit",
    "banc.initialiser": "Chargement des données du banc",
    "patient.creer": "Création d'une identité patient",
    "patient.consulter": "Consultation d'une identité patient",
    "patient.rechercher": "Recherche de patients",
    "patient.modifier": "Modification d'une identité patient",
    "insi.rechercher": "Recherche de l'INS auprès du téléservice INSi",
    "insi.verifier": "Vérification de l'INS auprès du téléservice INSi",
    "vitale.lire": "Lecture de la carte Vitale",
    "journaux.consulter": "Consultation des journaux INS et INSi",
    "piece_identite.enregistrer": "Enregistrement d'une copie de pièce d'identité (chiffrée)",
    "piece_identite.consulter": "Consultation d'une copie de pièce d'identité",
    "piece_identite.purger": "Suppression d'une copie de pièce d'identité (conservation échue)",
    "patient.fiche_identite": "Impression de la fiche d'identité",
    "patient.importer": "Intégration d'une identité d'un autre domaine",
    "insi.verifier_masse": "Vérification en masse des INS auprès du téléservice INSi",
}
OUTCOMES = {"succes": "Succès", "echec": "Échec", "refus": "Refus"}
OBJECT_TYPES = {
    "compte": "Compte",
    "role": "Rôle",
    "parametres": "Paramètres",
    "session": "Session",
    "audit": "Piste d'audit",
    "page": "Page",
    "api": "Action de l'API",
    "banc": "Banc",
    "patient": "Patient",
    "carte": "Carte",
    "journal": "Journal INS",
    "verification_masse": "Vérification en masse",
}
CHANNELS = {"ui": "Interface", "driver": "API de pilotage", "systeme": "Système"}

MAX_PAGE = 500
MAX_EXPORT = 100_000


def record(
    session: Session,
    actor: Actor,
    at: datetime,
    action: str,
    summary: str,
    *,
    outcome: str = "succes",
    object_type: str | None = None,
    object_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    if action not in ACTIONS:
        raise ValueError(f"action d'audit inconnue : {action}")
    if outcome not in OUTCOMES:
        raise ValueError(f"issue d'audit inconnue : {outcome}")
    origin = actor.origin
    event = AuditEvent(
        at=at,
        account_id=actor.account_id,
        account_login=actor.login,
        actor_name=actor.display_name[:200],
        id_nat_ps=actor.id_nat_ps,
        auth_method=actor.auth_method,
        channel=origin.channel,
        ip=origin.ip,
        user_agent=(origin.user_agent or "")[:300] or None,
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:500],
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{"avant": {...}, "apres": {...}} restricted to the keys whose value changed."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {"avant": {key: before.get(key) for key in keys}, "apres": {key: after[key] for key in keys}}


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    login: str | None = None
    action: str | None = None  # exact code, or a family prefix ending with "." ("compte.")
    channel: str | None = None
    outcome: str | None = None
    object_type: str | None = None
    object_id: str | None = None

    def describe(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.__dict__.items() if value not in (None, "")}


def _query(filters: AuditFilter) -> Select[AuditEvent]:
    query = select(AuditEvent)
    if filters.since:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.at < filters.until)
    if filters.login:
        query = query.where(AuditEvent.account_login == filters.login)
    if filters.action:
        if filters.action.endswith("."):
            query = query.where(AuditEvent.action.startswith(filters.action, autoescape=True))
        else:
            query = query.where(AuditEvent.action == filters.action)
    if filters.channel:
        query = query.where(AuditEvent.channel == filters.channel)
    if filters.outcome:
        query = query.where(AuditEvent.outcome == filters.outcome)
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEvent.object_id == filters.object_id)
    return query


def search(
    session: Session, filters: AuditFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """A page of events, most recent first, and the total matching count."""
    limit = max(1, min(limit, MAX_PAGE))
    query = _query(filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    )
    return list(page), total


CSV_HEADER = [
    "id",
    "horodatage_utc",
    "horodatage_paris",
    "compte",
    "auteur",
    "idnatps",
    "authentification",
    "canal",
    "adresse_ip",
    "agent_utilisateur",
    "action",
    "libelle_action",
    "issue",
    "type_objet",
    "id_objet",
    "resume",
    "details_json",
]


def _csv_row(event: AuditEvent) -> list[str]:
    return [
        str(event.id),
        event.at.isoformat(),
        event.at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S"),
        event.account_login or "",
        event.actor_name,
        event.id_nat_ps or "",
        event.auth_method or "",
        event.channel,
        event.ip or "",
        event.user_agent or "",
        event.action,
        ACTIONS.get(event.action, event.action),
        event.outcome,
        event.object_type or "",
        event.object_id or "",
        event.summary,
        json.dumps(event.details, ensure_ascii=False, sort_keys=True),
    ]


def _safe_cell(value: str) -> str:
    # Spreadsheets execute cells starting with these characters as formulas (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(session: Session, filters: AuditFilter) -> str:
    """CSV (`;` separated, UTF-8 BOM so that spreadsheet software reads the accents), oldest first."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    query = _query(filters).order_by(AuditEvent.at, AuditEvent.id).limit(MAX_EXPORT)
    for event in session.scalars(query):
        writer.writerow([_safe_cell(cell) for cell in _csv_row(event)])
    return buffer.getvalue()


def to_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "account": event.account_login,
        "actor_name": event.actor_name,
        "id_nat_ps": event.id_nat_ps,
        "auth_method": event.auth_method,
        "channel": event.channel,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "action": event.action,
        "action_label": ACTIONS.get(event.action, event.action),
        "outcome": event.outcome,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "details": event.details,
    }
