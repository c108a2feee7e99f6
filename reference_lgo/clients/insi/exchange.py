"""The record the LGO journals for every INSi call: raw request and answer, timestamps, action,
credential, outcome (W1-INS-06 every call, W1-INS-19 recovery with all returned data, W1-INS-20
verification calls and results)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Purpose = Literal["recuperation", "verification"]


@dataclass(frozen=True)
class InsiExchange:
    id: str
    operation: str  # rechercherInsAvecTraitsIdentite | rechercherInsAvecCarteVitale
    action: str
    purpose: Purpose
    credential: str  # "INSI-MANU", "INSI-AUTO" or "CPx <idNatPS>"
    endpoint: str
    message_id: str
    started_at: datetime
    ended_at: datetime
    request: bytes
    response: bytes | None
    http_status: int | None
    code_cr: str | None = None
    libelle_cr: str | None = None
    returned_ins: str | None = None  # active matricule of a CR 00 (the raw answer holds the rest)
    fault_code: str | None = None
    error: str | None = None  # French message when the call gave no result

    @property
    def outcome(self) -> str:
        """One line for the journal screen."""
        if self.code_cr is not None and self.fault_code is None:
            return f"CR {self.code_cr} {self.libelle_cr or ''}".strip()
        if self.fault_code is not None:
            return f"faute {self.fault_code}"
        return f"échec : {self.error or 'inconnu'}"
