"""The pharmacy's settings: identity (FINESS, IdNatStruct), software (IDAM, name, version), the
organisation certificates, the trust files for CPS certificates, the card reader, the inactivity
delay, the INSi service address, and the identity settings (displayed traits, evidence types). Stored as key/value rows holding only what differs from the defaults; every
change is audited with its before/after values."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from protocols import identifiers
from reference_lgo.domain.identity import DEFAULT_EVIDENCE_TYPES
from reference_lgo.models import Setting
from reference_lgo.services import audit
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import InvalidInput
from reference_lgo.settings import LGO_VERSION, LgoConfig

ORG_CREDENTIALS = ("insi-auto", "insi-manu", "org-auth", "org-sign")
# Traits a pharmacy may add to the always-shown ones (birth name, first birth first name, birth
# date, sex: W1-INS-05).
DisplayedTrait = Literal["first_names", "birth_place", "used_name", "used_first_name"]
OPTIONAL_DISPLAYED_TRAITS: tuple[DisplayedTrait, ...] = (
    "first_names",
    "birth_place",
    "used_name",
    "used_first_name",
)


# Extra traits a site may print on the identity sheet (W1-INS-23), among those the LGO holds.
SheetTrait = Literal["address", "phone", "email", "local_id", "id_document"]
SHEET_TRAITS: tuple[SheetTrait, ...] = ("address", "phone", "email", "local_id", "id_document")


class EvidenceTypeSetting(BaseModel):
    """One kind of identity document of the configurable list (W1-INS-13)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: str = Field(min_length=1, max_length=100)
    trust: Literal["haute", "faible"]
    # An inactive type stays on the documents already recorded but is no longer offered nor accepted.
    active: bool = True

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        value = value.strip()
        if not value or any(ord(c) < 32 for c in value):
            raise ValueError("libellé obligatoire, sans caractère de contrôle")
        return value


def default_evidence_types() -> list[EvidenceTypeSetting]:
    return [
        EvidenceTypeSetting(code=t.code, label=t.label_fr, trust="haute" if t.high_trust else "faible")
        for t in DEFAULT_EVIDENCE_TYPES
    ]


class PharmacySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    pharmacy_name: str = Field(default="", max_length=200)
    finess: str = ""
    id_nat_struct: str = ""
    idam: str = Field(default="", max_length=64)
    software_name: str = Field(default="LGO-REFERENCE-BANC", max_length=64)
    software_version: str = Field(default=LGO_VERSION, max_length=32)
    software_instance: str = Field(default="", max_length=64)
    cert_insi_auto: str = ""
    key_insi_auto: str = ""
    cert_insi_manu: str = ""
    key_insi_manu: str = ""
    cert_org_auth: str = ""
    key_org_auth: str = ""
    cert_org_sign: str = ""
    key_org_sign: str = ""
    trust_chain: str = ""
    trust_crl_dir: str = ""
    card_reader_mode: Literal["pcsc", "bench"] = "pcsc"
    bench_reader_address: str = "127.0.0.1:7920"
    cps_reader: str = "Banc Segur 00 01"
    vitale_reader: str = "Banc Segur 00 00"
    inactivity_minutes: int = Field(default=15, ge=1, le=720)
    insi_url: str = "https://localhost:7001/lps"
    insi_timeout_s: int = Field(default=15, ge=1, le=120)
    displayed_traits: list[DisplayedTrait] = Field(default_factory=lambda: list(OPTIONAL_DISPLAYED_TRAITS))
    evidence_types: list[EvidenceTypeSetting] = Field(default_factory=default_evidence_types, min_length=1)
    # Off: only a document a user declares checked validates an identity (W1-INS-13).
    evidence_auto_validation: bool = False
    # Copies of ID documents (W1-INS-24): optional, purged `retention` years after the last activity.
    id_document_copies: bool = True
    id_document_retention_years: int = Field(default=5, ge=1, le=30)
    identity_sheet_extra_traits: list[SheetTrait] = Field(default_factory=list)
    # CPx mode: where the professionals' exported `ps-<rpps>-auth` TLS credentials are.
    cpx_credentials_dir: str = ""

    @field_validator("finess")
    @classmethod
    def _finess(cls, value: str) -> str:
        value = value.strip()
        return identifiers.validate_finess(value) if value else value

    @field_validator("id_nat_struct")
    @classmethod
    def _id_nat_struct(cls, value: str) -> str:
        value = value.strip()
        if value:
            identifiers.parse_id_nat_struct(value)
        return value

    @field_validator("idam", "software_name", "software_version", "software_instance")
    @classmethod
    def _token(cls, value: str) -> str:
        value = value.strip()
        if value and not all(c.isalnum() or c in "._:-" for c in value):
            raise ValueError("seuls lettres, chiffres et . _ : - sont permis")
        return value

    @field_validator("bench_reader_address")
    @classmethod
    def _address(cls, value: str) -> str:
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("adresse attendue sous la forme hôte:port (ex. 127.0.0.1:7920)")
        return value.strip()

    @field_validator("insi_url")
    @classmethod
    def _insi_url(cls, value: str) -> str:
        value = value.strip()
        scheme, _, rest = value.partition("://")
        host = rest.split("/", 1)[0]
        if scheme != "https" or not host or any(c.isspace() or ord(c) < 32 for c in value):
            raise ValueError("adresse https:// attendue (ex. https://localhost:7001/lps)")
        return value

    @field_validator("displayed_traits")
    @classmethod
    def _displayed(cls, value: list[str]) -> list[str]:
        # Kept in a stable order, without repetition.
        return [name for name in OPTIONAL_DISPLAYED_TRAITS if name in value]

    @field_validator("identity_sheet_extra_traits")
    @classmethod
    def _sheet_traits(cls, value: list[str]) -> list[str]:
        return [name for name in SHEET_TRAITS if name in value]

    @field_validator("evidence_types")
    @classmethod
    def _evidence_types(cls, value: list[EvidenceTypeSetting]) -> list[EvidenceTypeSetting]:
        codes = [item.code for item in value]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError("code de justificatif en double : " + ", ".join(repeated))
        return value

    @field_validator("cps_reader", "vitale_reader", "pharmacy_name")
    @classmethod
    def _text(cls, value: str) -> str:
        value = value.strip()
        if any(ord(c) < 32 for c in value):
            raise ValueError("caractères de contrôle interdits")
        return value


# French labels, shown in the UI, in validation errors and in the audit trail.
LABELS: dict[str, str] = {
    "pharmacy_name": "Nom de l'officine",
    "finess": "N° FINESS",
    "id_nat_struct": "IdNatStruct",
    "idam": "IDAM (identifiant d'agrément du logiciel)",
    "software_name": "Nom du logiciel",
    "software_version": "Version du logiciel",
    "software_instance": "Instance du logiciel",
    "cert_insi_auto": "Certificat INSI-AUTO",
    "key_insi_auto": "Clé privée INSI-AUTO",
    "cert_insi_manu": "Certificat INSI-MANU",
    "key_insi_manu": "Clé privée INSI-MANU",
    "cert_org_auth": "Certificat d'authentification de l'organisation",
    "key_org_auth": "Clé privée d'authentification de l'organisation",
    "cert_org_sign": "Certificat de signature de l'organisation",
    "key_org_sign": "Clé privée de signature de l'organisation",
    "trust_chain": "Chaîne des AC de confiance (PEM)",
    "trust_crl_dir": "Dossier des listes de révocation (CRL)",
    "card_reader_mode": "Accès aux lecteurs de cartes",
    "bench_reader_address": "Adresse du lecteur du banc",
    "cps_reader": "Lecteur de la carte CPS",
    "vitale_reader": "Lecteur de la carte Vitale",
    "inactivity_minutes": "Déconnexion après inactivité (minutes)",
    "insi_url": "Adresse du téléservice INSi",
    "insi_timeout_s": "Délai d'attente du téléservice INSi (secondes)",
    "displayed_traits": "Traits affichés en plus des traits de base",
    "evidence_types": "Types de justificatifs d'identité",
    "evidence_auto_validation": "Validation automatique par un justificatif de haut niveau de confiance",
    "id_document_copies": "Conservation des copies de pièces d'identité",
    "id_document_retention_years": "Durée de conservation des copies de pièces d'identité (années)",
    "identity_sheet_extra_traits": "Traits complémentaires imprimés sur la fiche d'identité",
    "cpx_credentials_dir": "Dossier des certificats d'authentification des professionnels (mode CPx)",
}
PATH_FIELDS = tuple(
    name for name in LABELS if name.startswith(("cert_", "key_", "trust_")) or name == "cpx_credentials_dir"
)


def defaults(config: LgoConfig, card_mode: str | None = None) -> PharmacySettings:
    """Defaults pointing at the PKI that `segur-bench up` exports under $SEGUR_BENCH_HOME."""
    export = config.pki_export
    values: dict[str, Any] = {
        "trust_chain": str(export / "ca" / "chain.pem"),
        "trust_crl_dir": str(export / "crl"),
        "cpx_credentials_dir": str(export / "clients"),
    }
    for name in ORG_CREDENTIALS:
        field = name.replace("-", "_")
        values[f"cert_{field}"] = str(export / "clients" / f"{name}.chain.pem")
        values[f"key_{field}"] = str(export / "clients" / f"{name}.key")
    if card_mode in ("pcsc", "bench"):
        values["card_reader_mode"] = card_mode
    if config.bench_reader:
        values["bench_reader_address"] = config.bench_reader
    if config.insi_url:
        values["insi_url"] = config.insi_url
    return PharmacySettings(**values)


def load(session: Session, config: LgoConfig) -> PharmacySettings:
    current = defaults(config, config.card_mode).model_dump()
    for row in session.scalars(select(Setting)):
        if row.key in current:
            current[row.key] = row.value
    return PharmacySettings.model_validate(current)


def french_errors(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        label = LABELS.get(field, field)
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "paramètre inconnu"
        elif item["type"] in ("greater_than_equal", "less_than_equal"):
            message = f"valeur hors limites ({message})"
        elif item["type"] == "literal_error":
            message = f"valeur non permise ({message})"
        elif item["type"] == "string_pattern_mismatch":
            message = "code invalide (lettres minuscules, chiffres et _ ; 32 caractères au plus)"
        elif item["type"] in ("too_short", "string_too_short"):
            message = "valeur vide interdite"
        elif item["type"] in ("string_type", "list_type", "bool_type", "bool_parsing", "int_parsing"):
            message = "type de valeur incorrect"
        # Inside a list (evidence types): say which item and which part.
        where = [str(part) for part in item["loc"][1:]]
        if where and where[0].isdigit():
            where[0] = f"n° {int(where[0]) + 1}"
        if where:
            label = f"{label} ({', '.join(where)})"
        parts.append(f"{label} : {message}")
    return " ; ".join(parts)


def validate(current: PharmacySettings, changes: dict[str, Any]) -> PharmacySettings:
    try:
        return PharmacySettings.model_validate({**current.model_dump(), **changes})
    except ValidationError as error:
        fields = sorted({str(item["loc"][0]) for item in error.errors() if item["loc"]})
        raise InvalidInput("Paramètres refusés : " + french_errors(error), fields=fields) from None


def update(
    session: Session, actor: Actor, now: datetime, config: LgoConfig, changes: dict[str, Any]
) -> PharmacySettings:
    """Applies `changes` (some fields), audits the before/after of what really changed."""
    actor.require("parametres.modifier")
    current = load(session, config)
    updated = validate(current, changes)
    diff = audit.changes(current.model_dump(), updated.model_dump())
    if not diff["apres"]:
        return current
    default_values = defaults(config, config.card_mode).model_dump()
    for key, value in diff["apres"].items():
        row = session.get(Setting, key)
        if value == default_values[key]:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(Setting(key=key, value=value, updated_at=now))
        else:
            row.value, row.updated_at = value, now
    names = ", ".join(LABELS[key] for key in diff["apres"])
    audit.record(
        session,
        actor,
        now,
        "parametres.modifier",
        f"Paramètres modifiés : {names}",
        object_type="parametres",
        object_id="officine",
        details=diff,
    )
    return updated


def path_status(settings: PharmacySettings) -> dict[str, str]:
    """For the settings page: whether each configured file or folder exists."""
    status = {}
    for name in PATH_FIELDS:
        value = getattr(settings, name)
        if not value:
            status[name] = "non renseigné"
        else:
            status[name] = "présent" if Path(value).exists() else "introuvable"
    return status
