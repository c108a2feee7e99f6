"""Identities coming from another identification domain (W1-INS-21): an INS read from the DataMatrix
of a document, or an INS and traits received with data. Before anything is stored the identity is
re-verified through INSi (INSI-AUTO, unattended), and the calls are journaled whatever happens.

OK: the identity is integrated as RECUP (QUAL if a high-trust document already validated it): an
identity holding that INS is kept, a single local identity without INS whose traits match receives
it, otherwise a new identity is created. KO, an INSi fault or outage, or an ambiguous match: never
integrated, nothing stored but the journal (and the audit trail of the attempt).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from protocols import identifiers
from protocols.ins_datamatrix import InsDataMatrixError, decode
from reference_lgo.clients.insi import InsiExchange, InsiFault, InsiRequestRefused, InsiUnavailable
from reference_lgo.clients.insi.client import VerificationOutcome
from reference_lgo.domain import identity as rules
from reference_lgo.domain.identity_traits import StrictTraits, TraitsError, split_first_names
from reference_lgo.models import Patient
from reference_lgo.services import audit, identities, insi_calls, journals
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import InvalidInput, LgoError

if TYPE_CHECKING:
    from reference_lgo.runtime import Runtime

MODE = "import"  # the journal's mode column: a verification made for an integration
# What a keyboard-wedge scanner or a copy-paste may put in place of the GS separator (0x1D).
GS_SUBSTITUTES = ("<GS>", "{GS}", "[GS]", "\\x1d", "\\x1D", "␝")
SOURCES = {"datamatrix": "DataMatrix INS d'un document", "document": "données reçues d'un autre domaine"}


@dataclass(frozen=True)
class Incoming:
    source: str
    matricule: str
    oid: str
    traits: StrictTraits


def normalize_scanned(text: str) -> str:
    """The DataMatrix text as typed by a scanner: GS substitutes restored, `]d1` and blanks around
    removed (the codec itself stays strict)."""
    value = text.strip().removeprefix("]d1")
    for substitute in GS_SUBSTITUTES:
        value = value.replace(substitute, "\x1d")
    return value


def from_datamatrix(text: str) -> Incoming:
    try:
        payload = decode(normalize_scanned(text))
    except InsDataMatrixError as error:
        raise InvalidInput(
            f"DataMatrix INS illisible : {error.message}",
            code="datamatrix_invalide",
            reason=error.code,
            field=error.field,
        ) from None
    traits = StrictTraits(
        payload.birth_name, payload.first_names, payload.sex, payload.birth_date, payload.birth_place
    )
    return Incoming("datamatrix", payload.matricule, payload.oid, traits)


def from_document(matricule: str, oid: str, traits: dict[str, Any]) -> Incoming:
    try:
        ins = identifiers.parse_ins(matricule.replace(" ", "").upper(), oid.strip())
    except identifiers.IdentifierError as error:
        raise InvalidInput(f"INS reçu invalide : {error}", code="ins_invalide") from None
    missing = [name for name in ("birth_name", "first_names", "sex", "birth_date") if not traits.get(name)]
    if missing:
        raise InvalidInput(
            "Traits reçus incomplets : " + ", ".join(missing) + ".",
            code="traits_obligatoires_manquants",
            missing=missing,
        )
    first_names = traits["first_names"]
    if not isinstance(first_names, str | list) or (
        isinstance(first_names, list) and not all(isinstance(n, str) for n in first_names)
    ):
        raise InvalidInput("« first_names » : liste de prénoms attendue.", code="traits_invalides")
    strict = StrictTraits(
        str(traits["birth_name"]),
        split_first_names(first_names),
        str(traits["sex"]),
        str(traits["birth_date"]),
        str(traits["birth_place"]) if traits.get("birth_place") else None,
    )
    return Incoming("document", ins.matricule, ins.oid, strict)


# --- integration ------------------------------------------------------------------------------------


def _refused(
    runtime: Runtime,
    actor: Actor,
    incoming: Incoming,
    exchanges: Sequence[InsiExchange],
    *,
    code: str,
    reason: str,
    outcome: VerificationOutcome | None,
    audit_outcome: str,
) -> dict[str, Any]:
    """Not integrated: only the journal of the calls and the audit of the attempt are written."""
    group = str(uuid.uuid4())
    result = None if outcome is None else ("OK" if outcome.ok else "KO")
    with runtime.db.session() as session:
        entries = journals.record_calls(
            session,
            exchanges,
            journals.CallContext(
                actor, None, MODE, group, result=result, verdict=outcome.verdict.reason if outcome else None
            ),
        )
        audit.record(
            session,
            actor,
            runtime.clock.now(),
            "patient.importer",
            f"Identité d'un autre domaine non intégrée ({SOURCES[incoming.source]}) : {reason}"[:500],
            outcome=audit_outcome,
            object_type="patient",
            details={"source": incoming.source, "code": code, "verification": result, "appels": len(entries)},
        )
        calls = [entry.id for entry in entries]
    return {
        "result": "non_integre",
        "code": code,
        "reason": reason,
        "patient_id": None,
        "verification": {"result": result, "message": outcome.message if outcome else None},
        "calls": calls,
    }


def _matches(
    session: Session, incoming: Incoming, returned: StrictTraits
) -> tuple[Patient | None, list[Patient]]:
    """(the identity already holding this INS, local identities without INS whose traits match)."""
    holder = session.scalar(
        select(Patient).where(Patient.matricule == incoming.matricule).order_by(Patient.id)
    )
    if holder is not None:
        return holder, []
    pool = session.scalars(
        select(Patient).where(
            Patient.birth_date == returned.birth_date,
            Patient.matricule.is_(None),
            Patient.douteuse.is_(False),
            Patient.fictive.is_(False),
        )
    )
    found = [
        patient
        for patient in pool
        if not rules.check_reprise(
            identities.traits_of(patient), matricule=incoming.matricule, oid=incoming.oid, returned=returned
        )
    ]
    return None, found


def _attach(
    session: Session, actor: Actor, at: datetime, patient: Patient, incoming: Incoming, returned: StrictTraits
) -> None:
    before = identities.snapshot(patient)
    identity = identities.identity_of(patient, identities.evidence_rows(session, patient))
    try:
        updated = rules.attach_insi_identity(
            identity,
            matricule=incoming.matricule,
            oid=incoming.oid,
            returned=returned,
            at=at,
            author=identities.author(actor),
        )
    except rules.IdentityRuleError as error:
        raise identities.rule_error(error) from None
    identities.store(session, patient, updated, actor, at)
    identities.flush(session)
    identities.audit_change(
        session, actor, at, patient, before, "INS d'un autre domaine vérifié par INSi", source=incoming.source
    )


def integrate(runtime: Runtime, actor: Actor, incoming: Incoming) -> dict[str, Any]:
    actor.require("patients.modifier")
    actor.require("insi.appeler")
    with runtime.db.session() as session:
        settings = runtime.settings(session)
    client = runtime.insi.client(insi_calls.insi_settings(settings), runtime.clock.now)
    try:
        traits = incoming.traits.in_ins_form(today=runtime.clock.now().date())
    except TraitsError as error:
        raise InvalidInput(
            f"Traits reçus invalides : {error}", code="traits_invalides", problems=error.problems
        ) from None
    try:
        outcome = client.verify(traits, matricule=incoming.matricule, oid=incoming.oid, auth="auto")
    except InsiRequestRefused as error:
        raise InvalidInput(
            error.user_message, code="verification_insi_impossible", problems=error.problems
        ) from None
    except (InsiFault, InsiUnavailable) as error:
        code = "insi_erreur" if isinstance(error, InsiFault) else "insi_indisponible"
        return _refused(
            runtime, actor, incoming, error.exchanges,
            code=code, reason=error.user_message, outcome=None, audit_outcome="echec",
        )  # fmt: skip
    exchanges = list(outcome.search.exchanges)
    returned = outcome.search.identity.traits if outcome.search.identity is not None else None
    if not outcome.ok or returned is None:
        return _refused(
            runtime, actor, incoming, exchanges,
            code="verification_ko", reason=outcome.message, outcome=outcome, audit_outcome="refus",
        )  # fmt: skip
    returned = StrictTraits(
        returned.birth_name,
        returned.first_names,
        returned.sex,
        returned.birth_date,
        returned.birth_place or traits.birth_place,
    )
    try:
        return _integrate(runtime, actor, incoming, traits, returned, outcome, exchanges)
    except LgoError as error:
        if error.status == 403:
            raise
        return _refused(
            runtime, actor, incoming, exchanges,
            code=error.code, reason=error.message, outcome=outcome, audit_outcome="refus",
        )  # fmt: skip


def _integrate(
    runtime: Runtime,
    actor: Actor,
    incoming: Incoming,
    traits: StrictTraits,
    returned: StrictTraits,
    outcome: VerificationOutcome,
    exchanges: Sequence[InsiExchange],
) -> dict[str, Any]:
    with runtime.db.session() as session:
        at = runtime.clock.now()
        holder, matches = _matches(session, incoming, returned)
        created = False
        if holder is not None:
            patient, what = holder, "déjà présente (INS identique)"
        elif len(matches) > 1:
            raise InvalidInput(
                f"{len(matches)} identités locales correspondent à ces traits (n° "
                + ", ".join(str(p.id) for p in matches)
                + ") : intégration automatique impossible, rapprochez l'identité manuellement.",
                code="identites_multiples",
            )
        elif matches:
            patient, what = matches[0], "INS ajouté à l'identité locale correspondante"
            _attach(session, actor, at, patient, incoming, returned)
        else:
            patient = identities.create(
                session,
                actor,
                at,
                identities.NewPatient(
                    birth_name=traits.birth_name,
                    first_names=list(traits.first_names),
                    sex=traits.sex,
                    birth_date=traits.birth_date,
                    birth_place=returned.birth_place,
                ),
            )
            created, what = True, "identité créée"
            _attach(session, actor, at, patient, incoming, returned)
        entries = journals.record_calls(
            session,
            exchanges,
            journals.CallContext(actor, patient.id, MODE, str(uuid.uuid4()), result="OK", verdict="conforme"),
        )
        journals.record_access(
            session,
            actor,
            at,
            patient_id=patient.id,
            # Already held: the INS was only verified again; otherwise it entered the record.
            action="verification" if holder is not None else "integration",
            matricule=incoming.matricule,
            oid=incoming.oid,
            shown=actor.can("ins.voir_matricule"),
            details={"source": incoming.source, "autre_domaine": True},
        )
        audit.record(
            session,
            actor,
            at,
            "patient.importer",
            f"Identité d'un autre domaine intégrée ({SOURCES[incoming.source]}) après vérification INSi : "
            f"identité n° {patient.id}, {what}",
            object_type="patient",
            object_id=str(patient.id),
            details={
                "source": incoming.source,
                "cree": created,
                "statut": patient.status,
                "appels": len(entries),
            },
        )
        return {
            "result": "integre",
            "code": "integre",
            "reason": what,
            "patient_id": patient.id,
            "created": created,
            "status": patient.status,
            "verification": {"result": "OK", "message": outcome.message},
            "calls": [entry.id for entry in entries],
        }
