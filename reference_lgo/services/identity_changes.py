"""Changes of a patient identity (RNIV): traits (strict traits locked once RECUP or QUAL: a
change then needs a reason, drops the INS and downgrades: W1-INS-17), the douteuse / fictive /
homonyme flags (W1-INS-16) and the identity documents that validate it (W1-INS-13).

Each change is audited with its before/after values; a dropped INS is journaled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from reference_lgo.domain import identity as rules
from reference_lgo.domain.identity_traits import STRICT_TRAITS, TRAIT_LABELS
from reference_lgo.models import Patient, PatientEvidence
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import InvalidInput, NotFound
from reference_lgo.services.identities import (
    COMPLEMENTARY,
    EXTRA_FIELDS,
    audit_change,
    author,
    check_extra,
    evidence_rows,
    evidence_types,
    flush,
    identity_of,
    journal_drop,
    load,
    rule_error,
    snapshot,
    status_evidence,
    store,
)

# --- traits ---------------------------------------------------------------------------------------

ChangeValue = str | list[str] | None


def modify(
    session: Session,
    actor: Actor,
    at: datetime,
    patient_id: int,
    changes: dict[str, ChangeValue],
    reason: str | None = None,
) -> Patient:
    """Complementary traits always; strict traits of a RECUP/QUAL identity only with a reason,
    and then the INS is dropped and the status downgraded, traced (W1-INS-17)."""
    actor.require("patients.modifier")
    if not changes:
        raise InvalidInput("Aucune modification demandée.", code="aucune_modification")
    unknown = sorted(set(changes) - {*STRICT_TRAITS, *COMPLEMENTARY, *EXTRA_FIELDS})
    if unknown:
        raise InvalidInput(
            f"Champ(s) non modifiable(s) ou inconnu(s) : {', '.join(unknown)}.",
            code="trait_inconnu",
            fields=unknown,
        )
    patient = load(session, patient_id)
    before = snapshot(patient)
    rows = evidence_rows(session, patient)
    identity = identity_of(patient, rows)
    dropped_ins = None
    dropped_evidence = False
    for trait in STRICT_TRAITS:
        if trait not in changes:
            continue
        value = changes[trait]
        if value is None or (isinstance(value, str | list) and not value):
            raise InvalidInput(
                f"Le {TRAIT_LABELS[trait]} ne peut pas être vidé.", code="trait_invalide", field=trait
            )
        try:
            change = rules.change_strict_trait(
                identity, trait, value, at=at, author=author(actor), reason=(reason or "").strip()
            )
        except rules.IdentityRuleError as error:
            raise rule_error(error) from None
        identity = change.identity
        dropped_ins = dropped_ins or change.dropped_ins
        dropped_evidence = dropped_evidence or change.dropped_evidence
    for name in COMPLEMENTARY:
        if name in changes:
            value = changes[name]
            if isinstance(value, list):
                raise InvalidInput(
                    f"Le {TRAIT_LABELS[name]} est un texte.", code="trait_invalide", field=name
                )
            try:
                identity = rules.change_complementary_trait(identity, name, value)
            except rules.IdentityRuleError as error:
                raise rule_error(error) from None
    extra_changes = {name: changes[name] for name in EXTRA_FIELDS if name in changes}
    if extra_changes:
        merged = {
            **(patient.extra or {}),
            **{k: v for k, v in extra_changes.items() if not isinstance(v, list)},
        }
        patient.extra = check_extra(merged)
    if dropped_evidence:
        _withdraw_all(rows, actor, at, "Trait strict modifié : le justificatif ne correspond plus")
    store(session, patient, identity, actor, at)
    journal_drop(session, actor, at, patient.id, dropped_ins, "modification d'un trait strict")
    flush(session)
    more: dict[str, Any] = {"motif": reason} if reason else {}
    audit_change(session, actor, at, patient, before, "modification", **more)
    return patient


def _withdraw_all(rows: Sequence[PatientEvidence], actor: Actor, at: datetime, reason: str) -> None:
    for row in rows:
        row.withdrawn_at, row.withdrawn_by_login, row.withdraw_reason = at, actor.login, reason[:300]


FLAG_REASONS = {
    ("douteuse", True): "Identité signalée douteuse",
    ("douteuse", False): "Attribut « identité douteuse » levé",
    ("fictive", True): "Identité signalée fictive",
    ("fictive", False): "Attribut « identité fictive » levé",
    ("homonyme", True): "Homonymie signalée",
    ("homonyme", False): "Signalement d'homonymie levé",
}


def set_flags(
    session: Session,
    actor: Actor,
    at: datetime,
    patient_id: int,
    flags: dict[str, bool],
    reason: str | None = None,
) -> Patient:
    """Douteuse / fictive force PROV, drop the INS and block INSi (W1-INS-16)."""
    actor.require("patients.modifier")
    patient = load(session, patient_id)
    before = snapshot(patient)
    identity = identity_of(patient, evidence_rows(session, patient))
    changed = [(name, value) for name, value in flags.items() if getattr(patient, name) != value]
    if not changed:
        return patient
    why = (reason or "").strip() or " ; ".join(FLAG_REASONS[item] for item in changed)
    updated = rules.set_flags(
        identity,
        douteuse=flags.get("douteuse"),
        fictive=flags.get("fictive"),
        homonyme=flags.get("homonyme"),
        at=at,
        author=author(actor),
        reason=why,
    )
    dropped = identity.ins if identity.ins is not None and updated.ins is None else None
    store(session, patient, updated, actor, at)
    journal_drop(session, actor, at, patient.id, dropped, why)
    flush(session)
    audit_change(session, actor, at, patient, before, "attributs", motif=why)
    return patient


# --- identity documents (W1-INS-13) ----------------------------------------------------------------


def add_evidence(
    session: Session,
    actor: Actor,
    at: datetime,
    patient_id: int,
    settings: pharmacy_settings.PharmacySettings,
    *,
    type_code: str,
    checked: bool,
    reference: str | None = None,
) -> Patient:
    """Records a document. It counts for the status when the user checked it, or (setting, off by
    default) automatically when its type is high-trust."""
    actor.require("identites.qualifier")
    patient = load(session, patient_id)
    before = snapshot(patient)
    rows = evidence_rows(session, patient)
    identity = identity_of(patient, rows)
    types = evidence_types(settings)
    try:
        evidence = rules.IdentityEvidence.checked(
            type_code, at=at, author=author(actor), reference=reference, types=types
        )
    except rules.IdentityRuleError as error:
        raise rule_error(error) from None
    reference = (reference or "").strip()[:100] or None
    if reference and any(ord(c) < 32 for c in reference):
        raise InvalidInput(
            "La référence du justificatif contient des caractères de contrôle.", field="reference"
        )
    validating = checked or (settings.evidence_auto_validation and evidence.high_trust)
    label = next(t.label_fr for t in types if t.code == type_code)
    session.add(
        PatientEvidence(
            patient_id=patient.id,
            type_code=type_code,
            type_label=label,
            high_trust=evidence.high_trust,
            checked=checked,
            validating=validating,
            reference=reference,
            recorded_at=at,
            recorded_by_login=actor.login,
            recorded_by_name=actor.display_name[:200],
        )
    )
    if validating and evidence.high_trust and not identity.high_trust_evidence:
        identity = rules.record_evidence(identity, evidence, at=at, author=author(actor))
    store(session, patient, identity, actor, at)
    flush(session)
    audit_change(
        session, actor, at, patient, before, "justificatif enregistré",
        justificatif={"type": type_code, "controle": checked, "validant": validating},
    )  # fmt: skip
    return patient


def withdraw_evidence(
    session: Session, actor: Actor, at: datetime, patient_id: int, evidence_id: int, reason: str | None = None
) -> Patient:
    actor.require("identites.qualifier")
    patient = load(session, patient_id)
    before = snapshot(patient)
    rows = evidence_rows(session, patient)
    row = next((r for r in rows if r.id == evidence_id), None)
    if row is None:
        raise NotFound(
            f"Aucun justificatif n° {evidence_id} en cours pour ce patient.", code="justificatif_introuvable"
        )
    why = (reason or "").strip() or f"Justificatif retiré ({row.type_label})"
    identity = identity_of(patient, rows)
    remaining = [r for r in rows if r.id != evidence_id]
    still = status_evidence(remaining)
    if still is None and identity.evidence is not None:
        identity = rules.withdraw_evidence(identity, at=at, author=author(actor), reason=why)
    else:
        identity = replace(identity, evidence=still)
    row.withdrawn_at, row.withdrawn_by_login, row.withdraw_reason = at, actor.login, why[:300]
    store(session, patient, identity, actor, at)
    flush(session)
    audit_change(
        session, actor, at, patient, before, "justificatif retiré", justificatif={"type": row.type_code}
    )
    return patient
