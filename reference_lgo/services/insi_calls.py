"""INSi in the identity workflow: the client built from the pharmacy settings (one per runtime,
closed at shutdown), the search of an INS (traits, or the carte Vitale), the reprise of the
returned identity, and the verification of a stored INS.

Every exchange is journaled with all it returned, failed ones included, in its own unit of work;
the identity itself only changes on a usable answer, so a fault or an outage leaves it untouched
(W1-INS-19/20). User-triggered calls use INSI-MANU, unattended ones INSI-AUTO, and `cpx` the CPS
card of a session opened with it (services.cpx).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.orm import Session

from reference_lgo.clients.insi import (
    InsiClient,
    InsiExchange,
    InsiFault,
    InsiRequestRefused,
    InsiSettings,
    InsiUnavailable,
    LpsSoftware,
    TlsCredential,
)
from reference_lgo.clients.insi.client import Auth
from reference_lgo.domain import identity as rules
from reference_lgo.domain.identity_traits import StrictTraits
from reference_lgo.models import InsiCallEntry, InsiCandidate, Patient
from reference_lgo.services import audit, cpx, identities, journals, vitale
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import Conflict, InvalidInput, LgoError, NotFound

if TYPE_CHECKING:
    from reference_lgo.runtime import Runtime

Mode = Literal["traits", "vitale"]
CANDIDATE_VALIDITY = timedelta(hours=1)


class InsiCallFailed(LgoError):
    """INSi answered with a fault (`insi_erreur`) or gave no usable answer (`insi_indisponible`)."""

    status = 502
    code = "insi_erreur"
    title = "Téléservice INSi"


# --- the client --------------------------------------------------------------------------------


class InsiClients:
    """The runtime's INSi client. Rebuilt when the settings it depends on change; a replaced client
    may still be finishing a call, so it is only closed at shutdown."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: InsiClient | None = None
        self._retired: list[InsiClient] = []

    def client(self, settings: InsiSettings, clock: Callable[[], datetime]) -> InsiClient:
        with self._lock:
            if self._current is None or self._current.settings != settings:
                if self._current is not None:
                    self._retired.append(self._current)
                self._current = InsiClient(settings, clock=clock, on_exchange=_collect_exchange)
            return self._current

    def close(self) -> None:
        with self._lock:
            clients = [*self._retired, *([self._current] if self._current else [])]
            self._current, self._retired = None, []
        for client in clients:
            client.close()


def insi_settings(settings: pharmacy_settings.PharmacySettings) -> InsiSettings:
    """The client's settings: endpoint, INSI-MANU / INSI-AUTO credentials (the exported PKI files
    named in the settings), the CA chain to trust (the IGC-Santé-like chain also used for CPS
    cards), ContexteLPS (IDAM, software, instance) and the emitter (the pharmacy's IdNatStruct)."""
    missing = [
        pharmacy_settings.LABELS[name]
        for name in ("insi_url", "idam", "software_instance", "id_nat_struct", "trust_chain")
        if not getattr(settings, name)
    ]
    missing += [
        pharmacy_settings.LABELS[name]
        for name in ("cert_insi_manu", "key_insi_manu", "cert_insi_auto", "key_insi_auto")
        if not getattr(settings, name)
    ]
    if missing:
        raise Conflict(
            "Appel au téléservice INSi impossible : paramètres de l'officine incomplets ("
            + ", ".join(missing)
            + "). Complétez-les dans les paramètres.",
            code="parametrage_insi_incomplet",
        )
    return InsiSettings(
        endpoint=settings.insi_url,
        ca_chain_pem=Path(settings.trust_chain),
        manu=TlsCredential("INSI-MANU", Path(settings.cert_insi_manu), Path(settings.key_insi_manu)),
        auto=TlsCredential("INSI-AUTO", Path(settings.cert_insi_auto), Path(settings.key_insi_auto)),
        software=LpsSoftware(
            settings.idam, settings.software_name, settings.software_version, settings.software_instance
        ),
        emitter=settings.id_nat_struct,
        timeout_s=float(settings.insi_timeout_s),
        # The reference LGO tells the bench's simulator which INS a search verifies (a real INSi
        # ignores this header block: it is never mustUnderstand).
        verification_marker=True,
    )


# Every exchange of the current call, whatever happens (the client reports each one as it ends).
_exchanges: ContextVar[list[InsiExchange] | None] = ContextVar("insi_exchanges", default=None)


def _collect_exchange(exchange: InsiExchange) -> None:
    collected = _exchanges.get()
    if collected is not None:
        collected.append(exchange)


@contextmanager
def _collecting() -> Iterator[list[InsiExchange]]:
    collected: list[InsiExchange] = []
    token = _exchanges.set(collected)
    try:
        yield collected
    finally:
        _exchanges.reset(token)


def _auth(value: str | None, default: Literal["manu", "auto"]) -> Literal["manu", "auto", "cpx"]:
    chosen = value or default
    if chosen == "manu":
        return "manu"
    if chosen == "auto":
        return "auto"
    if chosen == "cpx":
        return "cpx"
    raise InvalidInput(
        f"Mode d'authentification INSi « {chosen} » inconnu (manu, auto, cpx).", code="auth_inconnue"
    )


@contextmanager
def _credential(
    runtime: Runtime,
    actor: Actor,
    settings: pharmacy_settings.PharmacySettings,
    chosen: Literal["manu", "auto", "cpx"],
) -> Iterator[Auth]:
    """INSI-MANU / INSI-AUTO, or CPx: the session's CPS card stays connected during the calls."""
    if chosen == "cpx":
        with cpx.session_auth(runtime, actor, settings) as auth:
            yield auth
        return
    yield chosen


def _failure(error: InsiFault | InsiUnavailable) -> InsiCallFailed:
    if isinstance(error, InsiFault):
        return InsiCallFailed(error.user_message, code="insi_erreur", fault_code=error.code)
    return InsiCallFailed(error.user_message, code="insi_indisponible", kind=error.kind)


def _exchanges_view(entries: list[InsiCallEntry]) -> list[dict[str, Any]]:
    return [
        {
            "id": entry.id,
            "exchange_id": entry.exchange_id,
            "message_id": entry.message_id,
            "operation": entry.operation,
            "credential": entry.credential,
            "code_cr": entry.code_cr,
            "fault_code": entry.fault_code,
        }
        for entry in entries
    ]


def _load(
    runtime: Runtime, patient_id: int
) -> tuple[rules.Identity, int, pharmacy_settings.PharmacySettings]:
    with runtime.db.session() as session:
        patient = identities.load(session, patient_id)
        identity = identities.identity_of(patient, identities.evidence_rows(session, patient))
        return identity, patient.version, runtime.settings(session)


def _refuse_blocked(
    runtime: Runtime, actor: Actor, patient_id: int, identity: rules.Identity, action: str
) -> None:
    blocked = rules.may_call_insi(identity)
    if blocked.allowed:
        return
    reason = blocked.reason or "Appel au téléservice INSi bloqué."
    with runtime.db.session() as session:  # the refusal is traced even though nothing else is saved
        audit.record(
            session,
            actor,
            runtime.clock.now(),
            action,
            f"Appel INSi refusé pour l'identité n° {patient_id} : {reason}",
            outcome="refus",
            object_type="patient",
            object_id=str(patient_id),
        )
    raise Conflict(reason, code="insi_bloque")


# --- search ------------------------------------------------------------------------------------


def search(
    runtime: Runtime,
    actor: Actor,
    patient_id: int,
    *,
    mode: Mode = "traits",
    auth: str | None = None,
    reader: str | None = None,
    beneficiary_index: int | None = None,
) -> dict[str, Any]:
    """Asks INSi for the patient's INS. A CR 00 answer is kept as a candidate to integrate (after
    the coherence checks); nothing of the identity changes here."""
    actor.require("insi.appeler")
    actor.require("patients.lire")
    identity, version, settings = _load(runtime, patient_id)
    _refuse_blocked(runtime, actor, patient_id, identity, "insi.rechercher")
    chosen = _auth(auth, "manu")
    client = runtime.insi.client(insi_settings(settings), runtime.clock.now)
    card = None
    if mode == "vitale":
        with runtime.db.session() as session:
            read = vitale.read_for(session, actor, runtime.clock.now(), settings, reader)
        card = vitale.query_of(read.card, vitale.pick(read.card, beneficiary_index))
    failure: InsiCallFailed | None = None
    outcome = None
    with _credential(runtime, actor, settings, chosen) as credential, _collecting() as exchanges:
        try:
            if card is not None:
                outcome = client.search_vitale(card, auth=credential)
            else:
                outcome = client.search_traits(identity.traits, auth=credential)
        except InsiRequestRefused as error:
            raise InvalidInput(
                error.user_message, code="recherche_insi_impossible", problems=error.problems
            ) from None
        except (InsiFault, InsiUnavailable) as error:
            failure = _failure(error)
    group = str(uuid.uuid4())
    with runtime.db.session() as session:
        entries = journals.record_calls(
            session, exchanges, journals.CallContext(actor, patient_id, mode, group)
        )
        summary = f"Recherche INSi ({mode}) pour l'identité n° {patient_id} : " + (
            f"échec, {failure.message}" if failure else f"CR {outcome.code if outcome else '?'}"
        )
        audit.record(
            session,
            actor,
            runtime.clock.now(),
            "insi.rechercher",
            summary[:500],
            outcome="echec" if failure else "succes",
            object_type="patient",
            object_id=str(patient_id),
            details={"mode": mode, "appels": len(entries), "groupe": group},
        )
        exchanges_view = _exchanges_view(entries)
        final_call = entries[-1].id if entries else None
    if failure is not None:
        raise failure
    assert outcome is not None
    view = _search_view(runtime, actor, patient_id, identity, version, outcome.result, mode, final_call)
    return {**view, "exchanges": exchanges_view}


def _search_view(
    runtime: Runtime,
    actor: Actor,
    patient_id: int,
    local: rules.Identity,
    version: int,
    result: Any,
    mode: str,
    final_call: int | None,
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "patient_id": patient_id,
        "mode": mode,
        "code_cr": result.code,
        "label": result.label,
        "local": identities.traits_view(local.traits),
        "candidate": None,
        "candidate_id": None,
        "ins_masked": False,
        "coherence": {"ok": False, "refusals": []},
    }
    found = result.identity if result.found else None
    if found is None:
        return view
    refusals = rules.check_reprise(
        local.traits, matricule=found.matricule, oid=found.oid, returned=found.traits
    )
    can_see = actor.can("ins.voir_matricule")
    now = runtime.clock.now()
    history = [journals.ins_number(h) for h in found.history]
    with runtime.db.session() as session:
        candidate = InsiCandidate(
            id=str(uuid.uuid4()),
            patient_id=patient_id,
            patient_version=version,
            mode=mode,
            matricule=found.matricule,
            oid=found.oid,
            traits=journals.returned_traits(found),
            history=history,
            call_id=final_call,
            account_id=actor.account_id,
            created_at=now,
        )
        session.add(candidate)
        journals.record_access(
            session,
            actor,
            now,
            patient_id=patient_id,
            action="resultat_insi",
            matricule=found.matricule,
            oid=found.oid,
            shown=can_see,
        )
    view.update(
        candidate={
            "ins": identities.ins_view(found.matricule, found.oid) if can_see else None,
            "history": history if can_see else [{**h, "matricule": None} for h in history],
            "traits": journals.returned_traits(found),
        },
        candidate_id=candidate.id,
        ins_masked=not can_see,
        coherence={
            "ok": not refusals,
            "refusals": [{"code": r.code, "message": r.message} for r in refusals],
        },
    )
    return view


# --- reprise -----------------------------------------------------------------------------------


def accept(session: Session, actor: Actor, at: datetime, patient_id: int, candidate_id: str) -> Patient:
    """Integrates an INSi answer: the coherence checks of the reprise, then the INS and the INSi
    traits are stored, the status becomes RECUP (or QUAL with a checked high-trust document)."""
    actor.require("insi.appeler")
    actor.require("patients.modifier")
    patient = identities.load(session, patient_id)
    candidate = session.get(InsiCandidate, candidate_id)
    if candidate is None or candidate.patient_id != patient.id:
        raise NotFound(
            "Aucune identité INSi à intégrer sous cette référence pour ce patient.",
            code="candidat_introuvable",
        )
    if candidate.consumed_at is not None:
        raise Conflict("Cette identité INSi a déjà été intégrée.", code="candidat_deja_integre")
    if at - candidate.created_at > CANDIDATE_VALIDITY:
        raise Conflict(
            "La réponse INSi date de plus d'une heure : relancez la recherche avant de l'intégrer.",
            code="candidat_expire",
        )
    if candidate.patient_version != patient.version:
        raise Conflict(
            "Le dossier a été modifié depuis la recherche INSi : relancez la recherche avant d'intégrer.",
            code="candidat_perime",
        )
    before = identities.snapshot(patient)
    identity = identities.identity_of(patient, identities.evidence_rows(session, patient))
    returned = StrictTraits(
        candidate.traits.get("birth_name") or "",
        tuple(candidate.traits.get("first_names") or ()),
        candidate.traits.get("sex") or "",
        candidate.traits.get("birth_date") or "",
        candidate.traits.get("birth_place"),
    )
    try:
        updated = rules.attach_insi_identity(
            identity,
            matricule=candidate.matricule,
            oid=candidate.oid,
            returned=returned,
            at=at,
            author=identities.author(actor),
        )
    except rules.IdentityRuleError as error:
        raise identities.rule_error(error) from None
    identities.store(session, patient, updated, actor, at)
    candidate.consumed_at = at
    journals.record_access(
        session,
        actor,
        at,
        patient_id=patient.id,
        action="integration",
        matricule=candidate.matricule,
        oid=candidate.oid,
        shown=actor.can("ins.voir_matricule"),
        details={"mode": candidate.mode, "appel": candidate.call_id},
    )
    identities.flush(session)
    identities.audit_change(
        session, actor, at, patient, before, "reprise de l'identité INSi", mode=candidate.mode
    )
    return patient


# --- verification ------------------------------------------------------------------------------


def verify(runtime: Runtime, actor: Actor, patient_id: int, *, auth: str | None = None) -> dict[str, Any]:
    """Checks the stored INS against INSi. KO: matricule and OID dropped, status downgraded
    (W1-INS-20). A fault or an outage changes nothing."""
    actor.require("insi.appeler")
    actor.require("patients.lire")
    identity, _version, settings = _load(runtime, patient_id)
    if identity.ins is None:
        raise Conflict("Cette identité ne porte pas d'INS à vérifier.", code="ins_absent")
    _refuse_blocked(runtime, actor, patient_id, identity, "insi.verifier")
    chosen = _auth(auth, "auto")
    client = runtime.insi.client(insi_settings(settings), runtime.clock.now)
    held = identity.ins
    failure: InsiCallFailed | None = None
    outcome = None
    with _credential(runtime, actor, settings, chosen) as credential, _collecting() as exchanges:
        try:
            outcome = client.verify(identity.traits, matricule=held.matricule, oid=held.oid, auth=credential)
        except InsiRequestRefused as error:
            raise InvalidInput(
                error.user_message, code="verification_insi_impossible", problems=error.problems
            ) from None
        except (InsiFault, InsiUnavailable) as error:
            failure = _failure(error)
    result = None if outcome is None else ("OK" if outcome.ok else "KO")
    group = str(uuid.uuid4())
    with runtime.db.session() as session:
        now = runtime.clock.now()
        entries = journals.record_calls(
            session,
            exchanges,
            journals.CallContext(
                actor,
                patient_id,
                "traits",
                group,
                result=result,
                verdict=outcome.verdict.reason if outcome else None,
            ),
        )
        journals.record_access(
            session,
            actor,
            now,
            patient_id=patient_id,
            action="verification",
            matricule=held.matricule,
            oid=held.oid,
            shown=False,
            details={"resultat": result, "groupe": group},
        )
        audit.record(
            session,
            actor,
            now,
            "insi.verifier",
            (
                f"Vérification INSi de l'identité n° {patient_id} : "
                + (f"échec, {failure.message}" if failure else f"{result}")
            )[:500],
            outcome="echec" if failure else "succes",
            object_type="patient",
            object_id=str(patient_id),
            details={
                "resultat": result,
                "motif": outcome.verdict.reason if outcome else None,
                "appels": len(entries),
            },
        )
        exchanges_view = _exchanges_view(entries)
    if failure is not None:
        raise failure
    assert outcome is not None
    downgraded = False
    status = identity.status.value
    if not outcome.ok:
        downgraded, status = _drop_after_ko(runtime, actor, patient_id, held.matricule, outcome.message)
    return {
        "result": result,
        "message": outcome.message,
        "reason": outcome.verdict.reason,
        "downgraded": downgraded,
        "status": status,
        "exchanges": exchanges_view,
    }


def _drop_after_ko(
    runtime: Runtime, actor: Actor, patient_id: int, matricule: str, message: str
) -> tuple[bool, str]:
    with runtime.db.session() as session:
        now = runtime.clock.now()
        patient = identities.load(session, patient_id)
        if patient.matricule != matricule:  # changed meanwhile: that INS is no longer held
            return False, patient.status
        before = identities.snapshot(patient)
        identity = identities.identity_of(patient, identities.evidence_rows(session, patient))
        dropped = rules.drop_ins(identity, at=now, author=identities.author(actor), reason=message[:500])
        identities.store(session, patient, dropped, actor, now)
        identities.journal_drop(session, actor, now, patient.id, identity.ins, "vérification INSi KO")
        identities.flush(session)
        identities.audit_change(session, actor, now, patient, before, "INS supprimé après vérification KO")
        return dropped.status != identity.status, dropped.status.value
