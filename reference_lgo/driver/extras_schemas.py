"""Request and answer bodies of the issue-8 identity actions: ID-document copies, identity sheet and
partners, bulk verification, integration from another identification domain."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reference_lgo.services.identity_sheets import SiteTrait
from reference_lgo.services.partners import Recipient


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- ID-document copies -----------------------------------------------------------------------------


class IdDocumentOut(BaseModel):
    id: int
    patient_id: int
    type: str
    label: str
    filename: str
    media_type: str
    size: int
    sha256: str = Field(description="Empreinte du fichier en clair")
    stored_encrypted: bool
    uploaded_at: str
    uploaded_by: str
    purge_after: str = Field(description="Suppression automatique à partir de cette date")


class IdDocumentStorageOut(BaseModel):
    algorithm: str
    key_id: str
    nonce_hex: str
    ciphertext_sha256: str
    ciphertext_size: int
    plaintext_sha256: str
    key_location: str


class RetentionIn(_In):
    years: int | None = Field(default=None, ge=1, le=30, description="Durée de conservation (années)")
    enabled: bool | None = Field(default=None, description="Conservation des copies permise")


class RetentionOut(BaseModel):
    years: int
    enabled: bool


class PurgeOut(BaseModel):
    purged: int
    at: str


# --- identity sheet and partners ---------------------------------------------------------------------


class IdentitySheetIn(_In):
    recipient: Recipient | None = Field(default=None, description="Défaut : le patient lui-même")
    extra_traits: list[SiteTrait] | None = Field(
        default=None, description="Défaut : les traits complémentaires choisis pour le site"
    )


class IdentitySheetSettings(_In):
    extra_traits: list[SiteTrait]


class IdentitySheetSettingsOut(BaseModel):
    extra_traits: list[str]
    available: dict[str, str]


class RecipientOut(BaseModel):
    kind: str
    kind_label: str
    name: str
    identifier: str | None


class PartnerOut(BaseModel):
    id: int
    at: str
    account: str | None
    actor_name: str
    channel: str
    channel_label: str
    recipient: RecipientOut
    status: str
    ins_transmitted: bool
    document_sha256: str | None


# --- bulk verification ---------------------------------------------------------------------------


class BulkVerifyIn(_In):
    patient_ids: list[int] | None = Field(
        default=None, max_length=5000, description="Défaut : toutes les identités portant un INS"
    )


class BulkVerifyOut(BaseModel):
    id: int
    started_at: str
    ended_at: str
    requested: int
    checked: int
    ok: int
    ko: int
    downgraded: list[dict[str, Any]]
    ko_not_downgraded: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    interrupted: bool
    not_checked: list[int]
    credential: str


# --- another identification domain ------------------------------------------------------------------


class InsIn(_In):
    matricule: str = Field(max_length=30)
    oid: str = Field(max_length=64)


class ImportIn(_In):
    source: Literal["datamatrix", "document"]
    payload: str | None = Field(default=None, max_length=1000, description="Texte du DataMatrix INS")
    ins: InsIn | None = None
    traits: dict[str, Any] | None = Field(
        default=None, description="birth_name, first_names, sex, birth_date, birth_place"
    )


class ImportOut(BaseModel):
    result: Literal["integre", "non_integre"]
    code: str
    reason: str
    patient_id: int | None
    created: bool | None = None
    status: str | None = None
    verification: dict[str, Any]
    calls: list[int]
