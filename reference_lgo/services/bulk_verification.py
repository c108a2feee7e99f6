"""Bulk verification of the stored INS through INSi (W1-INS-25, optional): each identity holding an
INS is verified with the INSI-AUTO credential (unattended work), journaled per call like a single
verification; a KO drops the INS and downgrades (W1-INS-20). The report lists the downgrades and
the failures, and is kept.

INSi unavailable (no usable answer): the run stops there rather than hammering a service that is
down; the identities not checked are listed. A fault on one identity does not stop the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from reference_lgo.models import BulkVerification, Patient
from reference_lgo.services import audit, insi_calls
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import InvalidInput, LgoError

if TYPE_CHECKING:
    from reference_lgo.runtime import Runtime

MAX_IDENTITIES = 5000
# Refusals that concern the whole run, not one identity: nothing is worth trying after them.
FATAL = {"parametrage_insi_incomplet", "acces_refuse"}


def candidates(runtime: Runtime) -> list[int]:
    """Every identity holding an INS (douteuse and fictive ones never do)."""
    with runtime.db.session() as session:
        return list(
            session.scalars(select(Patient.id).where(Patient.matricule.is_not(None)).order_by(Patient.id))
        )


def run(runtime: Runtime, actor: Actor, patient_ids: Sequence[int] | None = None) -> dict[str, Any]:
    actor.require("insi.appeler")
    actor.require("patients.lire")
    with runtime.db.session() as session:
        insi_calls.insi_settings(runtime.settings(session))  # a missing setting fails before any call
    ids = list(dict.fromkeys(patient_ids)) if patient_ids is not None else candidates(runtime)
    if len(ids) > MAX_IDENTITIES:
        raise InvalidInput(
            f"Vérification en masse limitée à {MAX_IDENTITIES} identités par lancement.",
            code="trop_d_identites",
        )
    started = runtime.clock.now()
    ok = ko = 0
    downgraded: list[dict[str, Any]] = []
    kept_ko: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    not_checked: list[int] = []
    for position, patient_id in enumerate(ids):
        try:
            outcome = insi_calls.verify(runtime, actor, patient_id, auth="auto")
        except LgoError as error:
            errors.append({"patient_id": patient_id, "code": error.code, "message": error.message})
            if error.code in FATAL or error.code == "insi_indisponible":
                not_checked = ids[position + 1 :]
                break
            continue
        if outcome["result"] == "OK":
            ok += 1
            continue
        ko += 1
        item = {"patient_id": patient_id, "reason": outcome["message"], "verdict": outcome.get("reason")}
        if outcome["downgraded"]:
            downgraded.append({**item, "status": outcome["status"]})
        else:
            kept_ko.append(item)
    report: dict[str, Any] = {
        "checked": ok + ko,
        "ok": ok,
        "ko": ko,
        "downgraded": downgraded,
        "ko_not_downgraded": kept_ko,
        "errors": errors,
        "interrupted": bool(not_checked),
        "not_checked": not_checked,
        "requested": len(ids),
        "credential": "INSI-AUTO",
    }
    with runtime.db.session() as session:
        ended = runtime.clock.now()
        row = BulkVerification(
            started_at=started,
            ended_at=ended,
            account_login=actor.login,
            actor_name=actor.display_name[:200],
            channel=actor.origin.channel,
            report=report,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            ended,
            "insi.verifier_masse",
            f"Vérification en masse n° {row.id} : {ok + ko} identité(s) vérifiée(s), {ok} OK, {ko} KO, "
            f"{len(downgraded)} statut(s) abaissé(s), {len(errors)} erreur(s)"
            + (", interrompue (INSi indisponible)" if not_checked else ""),
            outcome="echec" if not_checked else "succes",
            object_type="verification_masse",
            object_id=str(row.id),
            details={k: report[k] for k in ("checked", "ok", "ko", "interrupted", "requested")},
        )
        return {"id": row.id, "started_at": started.isoformat(), "ended_at": ended.isoformat(), **report}


def reports(runtime: Runtime, actor: Actor, limit: int = 20) -> list[dict[str, Any]]:
    actor.require("patients.lire")
    with runtime.db.session() as session:
        rows = session.scalars(
            select(BulkVerification)
            .order_by(BulkVerification.started_at.desc(), BulkVerification.id.desc())
            .limit(limit)
        )
        return [
            {
                "id": row.id,
                "started_at": row.started_at.isoformat(),
                "ended_at": row.ended_at.isoformat(),
                "account": row.account_login,
                "actor_name": row.actor_name,
                **row.report,
            }
            for row in rows
        ]
