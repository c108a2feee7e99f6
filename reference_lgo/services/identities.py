"""Patient identities (RNIV): rows <-> domain identities, the answers' views, and the use cases
creation (the five strict traits, nothing else), local search, reading (INS shown only with the
permission, every read of an INS journaled), status history and what would be transmitted.
Changes are in `identity_changes`, the seed of a bench world in `identity_seed`.

Rules live in `domain.identity*`; these modules map them to rows, enforce permissions, and write
the audit trail and the INS access journal in the caller's unit of work (all or nothing).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from protocols import identifiers
from reference_lgo.domain import identity as rules
from reference_lgo.domain import identity_search as searching
from reference_lgo.domain.identity_traits import (
    STRICT_TRAITS,
    TRAIT_LABELS,
    StrictTraits,
    search_key,
    split_first_names,
)
from reference_lgo.models import Patient, PatientEvidence, PatientStatusChange
from reference_lgo.services import audit, journals
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import Conflict, InvalidInput, LgoError, NotFound

CORE_DISPLAYED = ("birth_name", "first_name", "birth_date", "sex")
COMPLEMENTARY: tuple[Literal["used_name", "used_first_name"], ...] = ("used_name", "used_first_name")
EXTRA_FIELDS = ("phone", "email", "address")
LABELS: dict[str, str] = {
    **TRAIT_LABELS,
    "first_name": "premier prénom de naissance",
    "phone": "téléphone",
    "email": "courriel",
    "address": "adresse",
    "status": "statut",
    "ins": "INS",
    "douteuse": "identité douteuse",
    "fictive": "identité fictive",
    "homonyme": "homonymie signalée",
}
INS_PRESENT, INS_ABSENT = "présent", "aucun"

# Domain rule codes -> (HTTP status, stable API code).
_RULE_ERRORS: dict[str, tuple[int, str]] = {
    "traits_manquants": (422, "traits_obligatoires_manquants"),
    "traits_invalides": (422, "traits_invalides"),
    "motif_obligatoire": (409, "trait_verrouille"),
    "trait_invalide": (422, "trait_invalide"),
    "trait_inconnu": (422, "trait_inconnu"),
    "justificatif_inconnu": (422, "justificatif_inconnu"),
    "insi_bloque": (409, "insi_bloque"),
    "reprise_refusee": (422, "reprise_refusee"),
    "date_recherche_invalide": (422, "date_invalide"),
    "matricule_invalide": (422, "matricule_invalide"),
    "cle_manquante": (422, "cle_matricule_manquante"),
    "ins_incoherent": (409, "ins_incoherent"),
}


def rule_error(error: rules.IdentityRuleError) -> LgoError:
    status, code = _RULE_ERRORS.get(error.code, (422, error.code))
    extra: dict[str, Any] = {}
    if error.problems:
        extra["fields"] = sorted(error.problems)
        extra["problems"] = error.problems
    if isinstance(error, rules.RepriseRefused):
        extra["refusals"] = [{"code": r.code, "message": r.message} for r in error.refusals]
    failure = {409: Conflict, 422: InvalidInput}.get(status, InvalidInput)
    return failure(error.message, code=code, **extra)


def author(actor: Actor) -> str:
    return actor.login or actor.display_name


# --- rows <-> domain -----------------------------------------------------------------------------


def load(session: Session, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(f"Aucun patient n° {patient_id}.", code="patient_introuvable")
    return patient


def evidence_rows(session: Session, patient: Patient, *, active: bool = True) -> list[PatientEvidence]:
    query = select(PatientEvidence).where(PatientEvidence.patient_id == patient.id)
    if active:
        query = query.where(PatientEvidence.withdrawn_at.is_(None))
    return list(session.scalars(query.order_by(PatientEvidence.id)))


def status_evidence(rows: Sequence[PatientEvidence]) -> rules.IdentityEvidence | None:
    """The document that counts for the status: a validating high-trust one (the most recent)."""
    for row in reversed(rows):
        if row.validating and row.high_trust:
            return rules.IdentityEvidence(
                row.type_code,
                True,
                row.recorded_at,
                row.recorded_by_login or row.recorded_by_name,
                row.reference,
            )
    return None


def traits_of(patient: Patient) -> StrictTraits:
    return StrictTraits(
        patient.birth_name, tuple(patient.first_names), patient.sex, patient.birth_date, patient.birth_place
    )


def identity_of(patient: Patient, rows: Sequence[PatientEvidence]) -> rules.Identity:
    ins = identifiers.parse_ins(patient.matricule, patient.oid) if patient.matricule and patient.oid else None
    return rules.Identity(
        traits_of(patient),
        used_name=patient.used_name,
        used_first_name=patient.used_first_name,
        ins=ins,
        evidence=status_evidence(rows),
        douteuse=patient.douteuse,
        fictive=patient.fictive,
        homonyme=patient.homonyme,
    )


def search_keys(
    birth_name: str,
    first_names: Sequence[str],
    used_name: str | None,
    used_first_name: str | None,
) -> str:
    """Every name, first name and name + first name(s) in search form, as " KEY1 KEY2 … "."""
    names = [n for n in (birth_name, used_name) if n]
    firsts = [f for f in (*first_names, " ".join(first_names), used_first_name) if f]
    values = [
        *names,
        *firsts,
        *(f"{n} {f}" for n in names for f in firsts),
        *(f"{f} {n}" for n in names for f in firsts),
    ]
    keys = sorted({search_key(value) for value in values} - {""})
    return " " + " ".join(keys) + " "


def store(session: Session, patient: Patient, identity: rules.Identity, actor: Actor, at: datetime) -> None:
    """Writes the identity back on its row, with the status changes it recorded."""
    traits = identity.traits
    patient.birth_name = traits.birth_name
    patient.first_names = list(traits.first_names)
    patient.sex = traits.sex
    patient.birth_date = traits.birth_date
    patient.birth_place = traits.birth_place
    patient.used_name = identity.used_name
    patient.used_first_name = identity.used_first_name
    patient.matricule = identity.matricule
    patient.oid = identity.oid
    patient.douteuse, patient.fictive, patient.homonyme = (
        identity.douteuse,
        identity.fictive,
        identity.homonyme,
    )
    patient.status = identity.status.value
    patient.search_keys = search_keys(
        traits.birth_name, traits.first_names, identity.used_name, identity.used_first_name
    )
    patient.updated_at = at
    if patient.id is None:
        session.add(patient)
        session.flush()
    for change in identity.history:
        session.add(
            PatientStatusChange(
                patient_id=patient.id,
                old=change.old.value if change.old else None,
                new=change.new.value,
                at=change.at,
                author_login=actor.login,
                author_name=actor.display_name[:200],
                reason=change.reason[:500],
            )
        )


def flush(session: Session) -> None:
    """Writes now, so that a concurrent change of the same record is refused here (409)."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            "Ce dossier vient d'être modifié par ailleurs : rechargez-le puis recommencez.",
            code="modification_concurrente",
        ) from None


def snapshot(patient: Patient) -> dict[str, Any]:
    """What the audit trail keeps of an identity (never the INS matricule: the trail is exported)."""
    extra = patient.extra or {}
    return {
        "birth_name": patient.birth_name,
        "first_names": " ".join(patient.first_names),
        "sex": patient.sex,
        "birth_date": patient.birth_date,
        "birth_place": patient.birth_place,
        "used_name": patient.used_name,
        "used_first_name": patient.used_first_name,
        "status": patient.status,
        "ins": INS_PRESENT if patient.matricule else INS_ABSENT,
        "douteuse": patient.douteuse,
        "fictive": patient.fictive,
        "homonyme": patient.homonyme,
        **{name: extra.get(name) for name in EXTRA_FIELDS},
    }


def audit_change(
    session: Session,
    actor: Actor,
    at: datetime,
    patient: Patient,
    before: dict[str, Any],
    what: str,
    **more: Any,
) -> None:
    diff = audit.changes(before, snapshot(patient))
    if not diff["apres"] and not more:
        return
    names = ", ".join(LABELS.get(key, key) for key in diff["apres"]) or what
    audit.record(
        session,
        actor,
        at,
        "patient.modifier",
        f"Identité n° {patient.id} : {what} ({names})",
        object_type="patient",
        object_id=str(patient.id),
        details={**diff, **more},
    )


def journal_drop(
    session: Session, actor: Actor, at: datetime, patient_id: int, dropped: Any, why: str
) -> None:
    if dropped is not None:
        journals.record_access(
            session,
            actor,
            at,
            patient_id=patient_id,
            action="suppression",
            matricule=dropped.matricule,
            oid=dropped.oid,
            shown=False,
            details={"motif": why},
        )


# --- views -----------------------------------------------------------------------------------------


def traits_view(traits: StrictTraits) -> dict[str, Any]:
    names = split_first_names(traits.first_names)
    return {
        "birth_name": traits.birth_name,
        "first_names": list(names),
        "first_name": names[0] if names else None,
        "sex": traits.sex,
        "birth_date": traits.birth_date,
        "birth_place": traits.birth_place,
    }


def ins_view(matricule: str, oid: str) -> dict[str, Any]:
    return {"matricule": matricule, "oid": oid, "oid_label": identifiers.INS_OIDS.get(oid, oid)}


def summary_view(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "status": patient.status,
        "status_label": rules.IdentityStatus(patient.status).label_fr,
        "birth_name": patient.birth_name,
        "first_names": list(patient.first_names),
        "used_name": patient.used_name,
        "used_first_name": patient.used_first_name,
        "sex": patient.sex,
        "birth_date": patient.birth_date,
        "birth_place": patient.birth_place,
    }


def displayed(traits: dict[str, Any], patient: Patient, chosen: Sequence[str]) -> dict[str, Any]:
    """The core traits always, plus the ones the pharmacy chose (W1-INS-05)."""
    values = {**traits, "used_name": patient.used_name, "used_first_name": patient.used_first_name}
    return {name: values[name] for name in (*CORE_DISPLAYED, *chosen)}


def evidence_view(row: PatientEvidence) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type_code,
        "label": row.type_label,
        "trust": "haute" if row.high_trust else "faible",
        "checked": row.checked,
        "validating": row.validating,
        "reference": row.reference,
        "at": row.recorded_at.isoformat(),
        "author": row.recorded_by_login or row.recorded_by_name,
    }


def patient_view(
    session: Session,
    actor: Actor,
    at: datetime,
    patient: Patient,
    settings: pharmacy_settings.PharmacySettings,
    *,
    journal_action: str = "consultation",
) -> dict[str, Any]:
    """The Patient answer. The INS only for an account with ins.voir_matricule; any read of a
    record holding an INS is journaled (W1-INS-06)."""
    rows = evidence_rows(session, patient)
    identity = identity_of(patient, rows)
    can_see = actor.can("ins.voir_matricule")
    if identity.ins is not None:
        journals.record_access(
            session,
            actor,
            at,
            patient_id=patient.id,
            action=journal_action,
            matricule=identity.ins.matricule,
            oid=identity.ins.oid,
            shown=can_see,
        )
    traits = traits_view(identity.traits)
    return {
        "id": patient.id,
        "status": identity.status.value,
        "status_label": identity.status.label_fr,
        "traits": traits,
        "used_name": patient.used_name,
        "used_first_name": patient.used_first_name,
        "locked_traits": sorted(rules.locked_traits(identity), key=STRICT_TRAITS.index),
        "ins": ins_view(identity.ins.matricule, identity.ins.oid) if identity.ins and can_see else None,
        "ins_masked": identity.ins is not None and not can_see,
        "ins_transmissible": rules.may_transmit_ins(identity),
        "flags": {"douteuse": patient.douteuse, "fictive": patient.fictive, "homonyme": patient.homonyme},
        "insi_allowed": rules.may_call_insi(identity).allowed,
        "evidence": [evidence_view(row) for row in rows],
        "displayed": displayed(traits, patient, settings.displayed_traits),
        "extra": {name: (patient.extra or {}).get(name) for name in EXTRA_FIELDS},
        "created_at": patient.created_at.isoformat(),
        "updated_at": patient.updated_at.isoformat(),
    }


def history_view(session: Session, patient: Patient) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(PatientStatusChange)
        .where(PatientStatusChange.patient_id == patient.id)
        .order_by(PatientStatusChange.at, PatientStatusChange.id)
    )
    return [
        {
            "old": row.old,
            "new": row.new,
            "old_label": rules.IdentityStatus(row.old).label_fr if row.old else None,
            "new_label": rules.IdentityStatus(row.new).label_fr,
            "at": row.at.isoformat(),
            "author": row.author_login or row.author_name,
            "author_name": row.author_name,
            "reason": row.reason,
        }
        for row in rows
    ]


# --- creation --------------------------------------------------------------------------------------

_PHONE = re.compile(r"[0-9+().\- ]{4,30}")


class PatientExtra(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=300)


@dataclass(frozen=True)
class NewPatient:
    """What the counter typed. Only the five strict traits are required (W1-INS-02/03)."""

    birth_name: str | None
    first_names: str | Sequence[str] | None
    sex: str | None
    birth_date: str | None
    birth_place: str | None
    used_name: str | None = None
    used_first_name: str | None = None
    extra: PatientExtra | None = None


def check_extra(extra: PatientExtra | dict[str, Any] | None) -> dict[str, str]:
    """Contact data: optional, lightly checked, stored without blanks."""
    if extra is None:
        return {}
    try:
        data = extra if isinstance(extra, PatientExtra) else PatientExtra.model_validate(extra)
    except ValidationError:
        raise InvalidInput(
            "Coordonnées invalides : téléphone (30 caractères), courriel (254) et adresse (300) seulement.",
            code="coordonnees_invalides",
        ) from None
    out: dict[str, str] = {}
    for name in EXTRA_FIELDS:
        value = (getattr(data, name) or "").strip()
        if not value:
            continue
        if any(ord(c) < 32 for c in value):
            raise InvalidInput(f"Le champ {LABELS[name]} contient des caractères de contrôle.", field=name)
        if name == "phone" and not _PHONE.fullmatch(value):
            raise InvalidInput(
                f"Téléphone « {value} » invalide (chiffres, espaces, + . - ( ) seulement).", field=name
            )
        if name == "email" and (value.count("@") != 1 or value.startswith("@") or value.endswith("@")):
            raise InvalidInput(f"Courriel « {value} » invalide.", field=name)
        out[name] = value
    return out


def create(session: Session, actor: Actor, at: datetime, data: NewPatient) -> Patient:
    actor.require("patients.modifier")
    missing = rules.missing_traits(
        birth_name=data.birth_name,
        first_names=data.first_names,
        sex=data.sex,
        birth_date=data.birth_date,
        birth_place=data.birth_place,
    )
    if missing:
        labels = ", ".join(TRAIT_LABELS[name] for name in missing)
        raise InvalidInput(
            f"Création impossible : trait(s) obligatoire(s) manquant(s) : {labels}.",
            code="traits_obligatoires_manquants",
            missing=list(missing),
        )
    extra = check_extra(data.extra)
    try:
        identity = rules.create_identity(
            birth_name=data.birth_name,
            first_names=data.first_names,
            sex=data.sex,
            birth_date=data.birth_date,
            birth_place=data.birth_place,
            used_name=data.used_name,
            used_first_name=data.used_first_name,
            at=at,
            author=author(actor),
        )
    except rules.IdentityRuleError as error:
        raise rule_error(error) from None
    patient = Patient(created_at=at, extra=extra)
    store(session, patient, identity, actor, at)
    audit.record(
        session,
        actor,
        at,
        "patient.creer",
        f"Création de l'identité n° {patient.id} ({identity.status.label_fr.lower()})",
        object_type="patient",
        object_id=str(patient.id),
        details=audit.changes({}, snapshot(patient)),
    )
    return patient


# --- reading ---------------------------------------------------------------------------------------


def read(
    session: Session,
    actor: Actor,
    at: datetime,
    patient_id: int,
    settings: pharmacy_settings.PharmacySettings,
) -> dict[str, Any]:
    actor.require("patients.lire")
    patient = load(session, patient_id)
    view = patient_view(session, actor, at, patient, settings)
    audit.record(
        session,
        actor,
        at,
        "patient.consulter",
        f"Consultation de l'identité n° {patient.id}",
        object_type="patient",
        object_id=str(patient.id),
        details={"ins_affiche": view["ins"] is not None},
    )
    return view


def status_history(session: Session, actor: Actor, patient_id: int) -> list[dict[str, Any]]:
    actor.require("patients.lire")
    return history_view(session, load(session, patient_id))


def transmission(session: Session, actor: Actor, at: datetime, patient_id: int) -> dict[str, Any]:
    """What the LGO would send a partner (DMP, MSSanté…): the INS only for a qualified identity
    (W1-INS-18), the traits otherwise."""
    actor.require("patients.lire")
    patient = load(session, patient_id)
    identity = identity_of(patient, evidence_rows(session, patient))
    sent = rules.transmissible_ins(identity)
    if sent is not None:
        reason = "Identité qualifiée : le matricule INS et son OID accompagnent les traits."
    elif identity.ins is not None:
        reason = (
            f"{identity.status.label_fr} : le matricule INS n'est pas transmis tant que l'identité n'est "
            "pas qualifiée ; seuls les traits le sont."
        )
    else:
        reason = f"{identity.status.label_fr} sans INS : seuls les traits sont transmis."
    can_see = actor.can("ins.voir_matricule")
    if sent is not None:
        journals.record_access(
            session,
            actor,
            at,
            patient_id=patient.id,
            action="transmission",
            matricule=sent.matricule,
            oid=sent.oid,
            shown=can_see,
        )
    return {
        "patient_id": patient.id,
        "status": identity.status.value,
        "traits": {**traits_view(identity.traits), "used_name": patient.used_name},
        "ins": ins_view(sent.matricule, sent.oid) if sent is not None and can_see else None,
        "ins_masked": sent is not None and not can_see,
        "reason": reason,
    }


# --- local search (recherche d'antériorité) -------------------------------------------------------


@dataclass(frozen=True)
class SearchCriteria:
    birth_date: str | None = None
    name_prefix: str | None = None
    first_name_prefix: str | None = None
    matricule: str | None = None
    q: str | None = None

    def given(self) -> list[str]:
        return [name for name, value in self.__dict__.items() if value not in (None, "")]


@dataclass(frozen=True)
class _Searchable:
    traits: StrictTraits
    used_name: str | None
    used_first_name: str | None
    matricule: str | None
    row: Patient


def parse_matricule(text: str) -> str:
    """The full matricule typed by a user, its key checked (W1-INS-08)."""
    value = re.sub(r"[\s.]", "", text).upper()
    try:
        return identifiers.validate_ins_matricule(value)
    except identifiers.IdentifierError as error:
        if error.defect == identifiers.Defect.WRONG_KEY:
            num13, key = value[:13], value[13:]
            expected = identifiers.nir_key(num13)
            raise InvalidInput(
                f"Clé du matricule INS incorrecte : « {key} » saisie pour {num13}, la clé attendue est "
                f"{expected}. Vérifiez la saisie du matricule.",
                code="cle_matricule_invalide",
                expected_key=expected,
            ) from None
        try:
            searching.parse_matricule_query(text)
        except rules.IdentityRuleError as rule:
            raise rule_error(rule) from None
        raise InvalidInput(f"Recherche impossible : {error}.", code="matricule_invalide") from None


def _text_matches(item: _Searchable, text: str) -> bool:
    wanted = search_key(text)
    keys = search_keys(item.traits.birth_name, item.traits.first_names, item.used_name, item.used_first_name)
    return f" {wanted}" in keys


def search(
    session: Session,
    actor: Actor,
    at: datetime,
    criteria: SearchCriteria,
    *,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Patient], int]:
    """Patients matching every given criterion (names by prefix, insensitive to case, accents,
    hyphens, apostrophes and spaces; every first name searched alike: W1-INS-01/08/09/10)."""
    actor.require("patients.lire")
    if not criteria.given():
        raise InvalidInput(
            "Indiquez un critère de recherche : date de naissance, matricule INS ou nom / prénom.",
            code="critere_manquant",
        )
    query = select(Patient)
    birth_date = None
    if criteria.birth_date:
        try:
            birth_date = searching.parse_search_date(criteria.birth_date)
        except rules.IdentityRuleError as error:
            raise rule_error(error) from None
        query = query.where(Patient.birth_date == birth_date)
    if criteria.matricule:
        query = query.where(Patient.matricule == parse_matricule(criteria.matricule))
    for text, what in (
        (criteria.q, "saisie"),
        (criteria.name_prefix, "nom"),
        (criteria.first_name_prefix, "prénom"),
    ):
        if text is None or text == "":
            continue
        key = search_key(text)
        if not key:
            raise InvalidInput(
                f"Recherche impossible : la {what} « {text} » ne contient aucune lettre.", code="saisie_vide"
            )
        # Keys hold only A-Z and 0-9: no LIKE wildcard can come from the user.
        query = query.where(Patient.search_keys.like(f"% {key}%"))
    rows = session.scalars(query.order_by(Patient.birth_name, Patient.id))
    candidates = [_Searchable(traits_of(r), r.used_name, r.used_first_name, r.matricule, r) for r in rows]
    found = [
        item
        for item in candidates
        if (not criteria.name_prefix or searching.name_matches(item, criteria.name_prefix))
        and (not criteria.first_name_prefix or searching.first_name_matches(item, criteria.first_name_prefix))
        and (not criteria.q or _text_matches(item, criteria.q))
    ]
    audit.record(
        session,
        actor,
        at,
        "patient.rechercher",
        f"Recherche de patients ({', '.join(criteria.given())}) : {len(found)} résultat(s)",
        object_type="patient",
        details={"criteres": criteria.given(), "resultats": len(found)},
    )
    page = found[max(0, offset) : max(0, offset) + max(1, limit)]
    return [item.row for item in page], len(found)


def evidence_types(settings: pharmacy_settings.PharmacySettings) -> list[rules.EvidenceType]:
    """The types a user may record now (inactive ones stay only on documents already recorded)."""
    return [
        rules.EvidenceType(t.code, t.label, t.trust == "haute") for t in settings.evidence_types if t.active
    ]
