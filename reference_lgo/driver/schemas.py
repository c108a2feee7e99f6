"""Request and answer bodies of the driver API (they make its published OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Literal["titulaire", "adjoint", "preparateur", "etudiant", "administrateur"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CpsCredentials(_In):
    reader: str | None = Field(
        default=None, max_length=200, description="Lecteur (nom, suffixe ou n°) ; défaut : paramètres"
    )
    pin: str = Field(pattern=r"^\d{4}$", description="Code porteur saisi (4 chiffres)")


class SessionRequest(_In):
    login: str | None = Field(default=None, max_length=64)
    password: str | None = Field(default=None, max_length=256)
    cps: CpsCredentials | None = None

    @model_validator(mode="after")
    def _one_method(self) -> SessionRequest:
        by_password = self.login is not None or self.password is not None
        if by_password == (self.cps is not None):
            raise ValueError("donnez soit login et password, soit cps (pas les deux)")
        if by_password and (not self.login or self.password is None):
            raise ValueError("login et password vont ensemble")
        return self


class AccountOut(BaseModel):
    login: str
    display_name: str
    role: Role
    role_label: str
    id_nat_ps: str | None
    professional_ref: str | None
    active: bool
    has_password: bool
    permissions: list[str]
    created_at: datetime
    updated_at: datetime


class SessionOut(BaseModel):
    token: str
    account: AccountOut
    auth_method: Literal["password", "cps"]
    id_nat_ps: str | None = None
    expires_at: datetime = Field(description="Fin si aucune activité d'ici là (glissante)")


class CurrentSessionOut(BaseModel):
    account: AccountOut
    auth_method: Literal["password", "cps"]
    id_nat_ps: str | None
    created_at: datetime
    expires_at: datetime


class AccountCreate(_In):
    login: str = Field(max_length=32)
    display_name: str = Field(max_length=200)
    role: Role
    password: str | None = Field(default=None, max_length=128)
    id_nat_ps: str | None = Field(default=None, max_length=40)
    professional_ref: str | None = Field(default=None, max_length=64)
    active: bool = True


class AccountPatch(_In):
    display_name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    id_nat_ps: str | None = Field(default=None, max_length=40)
    professional_ref: str | None = Field(default=None, max_length=64)
    active: bool | None = None
    password: str | None = Field(default=None, max_length=128)


class PermissionsIn(_In):
    permissions: list[str]


class PermissionsOut(BaseModel):
    permissions: list[str]


class RoleOut(BaseModel):
    role: Role
    label: str
    default_permissions: list[str]
    permissions: list[str]
    locked: list[str]


class ClockIn(_In):
    mode: Literal["real", "frozen", "offset"]
    now: datetime | None = None
    offset_s: float | None = None


class ClockOut(BaseModel):
    mode: Literal["real", "frozen", "offset"]
    now: datetime
    offset_s: float


class ResetIn(_In):
    scenario_id: str | None = Field(default=None, max_length=200)


class ResetOut(BaseModel):
    status: Literal["ok"]
    scenario_id: str | None


class EvidenceDocument(BaseModel):
    file: str
    url: str
    title: str
    sha256: str
    version: str
    specimen: bool
    media_type: str


class EvidenceOut(BaseModel):
    ans_id: str
    documents: list[EvidenceDocument]


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    account: str | None
    actor_name: str
    id_nat_ps: str | None
    auth_method: str | None
    channel: str
    ip: str | None
    user_agent: str | None
    action: str
    action_label: str
    outcome: str
    object_type: str | None
    object_id: str | None
    summary: str
    details: dict[str, Any]


class AuditPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[AuditEventOut]


class InfoOut(BaseModel):
    api_version: str
    lgo: dict[str, str]
    actions: list[str]
