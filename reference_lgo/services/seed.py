"""Seeding from a world's `lgo_seed` (POST /driver/v1/seed): accounts, settings, local patients.

The payload mirrors scenarios.models.LgoSeed (accounts, local_patients, settings) without importing
it (the LGO only imports protocols). A world's accounts name their professional by world id and its
settings name the pharmacy by world id, so the caller adds the `professionals` and `pharmacies` it
refers to; an account may also give its `id_nat_ps` directly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from protocols import identifiers
from reference_lgo.models import Account
from reference_lgo.services import accounts, audit, identity_seed, passwords
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import InvalidInput
from reference_lgo.settings import LgoConfig


class _Open(BaseModel):
    # World sections carry more than the LGO needs (situation, address...): ignored, not refused.
    model_config = ConfigDict(extra="ignore")


class SeedAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str
    password: str | None = Field(default=None, min_length=8, max_length=128)
    role: Literal["titulaire", "adjoint", "preparateur", "etudiant", "administrateur"]
    display_name: str = Field(min_length=1, max_length=200)
    professional_id: str | None = None
    id_nat_ps: str | None = None
    active: bool = True


class SeedProfessional(_Open):
    id: str
    rpps: str | None = None
    id_nat_ps: str | None = None

    def national_id(self) -> str | None:
        if self.id_nat_ps:
            return self.id_nat_ps
        return identifiers.id_nat_ps_from_rpps(self.rpps) if self.rpps else None


class SeedPharmacy(_Open):
    id: str
    finess: str
    name: str = ""


class SeedSoftware(_Open):
    idam: str
    name: str
    version: str
    instance: str = ""


class SeedSettings(BaseModel):
    """World settings (pharmacy_id, software) plus any pharmacy setting by its API name."""

    model_config = ConfigDict(extra="allow")

    pharmacy_id: str | None = None
    software: SeedSoftware | None = None


class SeedPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accounts: list[SeedAccount] = []
    local_patients: list[dict[str, Any]] = []
    settings: SeedSettings | None = None
    professionals: list[SeedProfessional] = []
    pharmacies: list[SeedPharmacy] = []


def _settings_changes(payload: SeedPayload) -> dict[str, Any]:
    if payload.settings is None:
        return {}
    changes: dict[str, Any] = dict(payload.settings.model_extra or {})
    if payload.settings.pharmacy_id:
        pharmacy = next((p for p in payload.pharmacies if p.id == payload.settings.pharmacy_id), None)
        if pharmacy is None:
            raise InvalidInput(
                f"Officine « {payload.settings.pharmacy_id} » absente de la liste pharmacies du chargement."
            )
        try:
            id_nat_struct = identifiers.id_nat_struct_from_finess(pharmacy.finess)
        except identifiers.IdentifierError as error:
            raise InvalidInput(f"Officine « {pharmacy.id} » : {error}") from None
        changes.setdefault("finess", pharmacy.finess)
        changes.setdefault("id_nat_struct", id_nat_struct)
        if pharmacy.name:
            changes.setdefault("pharmacy_name", pharmacy.name)
    software = payload.settings.software
    if software is not None:
        changes.setdefault("idam", software.idam)
        changes.setdefault("software_name", software.name)
        changes.setdefault("software_version", software.version)
        changes.setdefault("software_instance", software.instance)
    return changes


def _id_nat_ps(item: SeedAccount, professionals: dict[str, SeedProfessional]) -> str | None:
    if item.id_nat_ps:
        return item.id_nat_ps
    if item.professional_id is None:
        return None
    professional = professionals.get(item.professional_id)
    if professional is None:
        raise InvalidInput(
            f"Compte « {item.login} » : professionnel « {item.professional_id} » absent de la liste "
            "professionals du chargement (ou donnez id_nat_ps)."
        )
    try:
        return professional.national_id()
    except identifiers.IdentifierError as error:
        raise InvalidInput(f"Professionnel « {professional.id} » : {error}") from None


def apply(
    session: Session, actor: Actor, now: datetime, config: LgoConfig, payload: SeedPayload
) -> dict[str, Any]:
    """Creates or updates the accounts (by login) and the settings; returns what was done."""
    professionals = {p.id: p for p in payload.professionals}
    created: list[str] = []
    updated: list[str] = []
    for item in payload.accounts:
        id_nat_ps = _id_nat_ps(item, professionals)
        existing = session.scalar(select(Account).where(Account.login == item.login))
        if existing is None:
            accounts.create(
                session,
                actor,
                now,
                accounts.AccountInput(
                    login=item.login,
                    display_name=item.display_name,
                    role=item.role,
                    password=item.password,
                    id_nat_ps=id_nat_ps,
                    professional_ref=item.professional_id,
                    active=item.active,
                ),
            )
            created.append(item.login)
            continue
        accounts.modify(
            session,
            actor,
            now,
            existing,
            {
                "display_name": item.display_name,
                "role": item.role,
                "id_nat_ps": id_nat_ps,
                "professional_ref": item.professional_id,
                "active": item.active,
            },
        )
        if item.password and not passwords.verify(existing.password_hash, item.password):
            accounts.set_password(session, actor, now, existing, item.password)
        updated.append(item.login)
    changes = _settings_changes(payload)
    before = pharmacy_settings.load(session, config)
    after = pharmacy_settings.update(session, actor, now, config, changes) if changes else before
    changed = sorted(audit.changes(before.model_dump(), after.model_dump())["apres"])
    patients = identity_seed.seed_patients(session, actor, now, payload.local_patients, after)
    result = {
        "accounts": {"created": created, "updated": updated},
        "settings": {"changed": changed},
        "patients": patients,
    }
    audit.record(
        session,
        actor,
        now,
        "banc.initialiser",
        f"Données du banc chargées : {len(created)} compte(s) créé(s), {len(updated)} mis à jour, "
        f"{len(changed)} paramètre(s) modifié(s), {len(patients['created'])} patient(s) chargé(s)",
        object_type="banc",
        details=result,
    )
    return result
