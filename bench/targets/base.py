"""The Target abstraction (ARCHITECTURE principle 7): what a scenario may ask of the LGO under test.

A step never reaches into an LGO's database; it acts as an account through a driver session, and
asks the target for screenshots as evidence.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Literal

from bench.targets.errors import TargetNotAvailable
from bench.targets.spec import TargetSpec
from reports.model import Screenshot

AuthMethod = Literal["password", "cps"]


@dataclass
class DriverSession:
    """A per-user token returned by `POST /driver/v1/sessions`: calls made with it act as that account.

    `secret` (the password or PIN of a test account) is kept so that a screenshot can log into the
    LGO's UI as the same account.
    """

    token: str
    account: dict[str, Any]
    method: AuthMethod
    expires_at: str | None = None
    login: str | None = None
    secret: str | None = field(default=None, repr=False)
    reader: str | None = None


@dataclass
class DriverAnswer:
    status: int
    data: Any
    headers: dict[str, str]
    text: str = ""
    content: bytes = field(default=b"", repr=False)  # the raw body (a PDF, a copy of a document...)

    def json_object(self) -> dict[str, Any]:
        return self.data if isinstance(self.data, dict) else {}


def slug(text: str, max_len: int = 48) -> str:
    """ASCII file-name form of a French label ("Journal d'audit" -> "journal-d-audit")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:max_len].rstrip("-") or "capture"


class Target(ABC):
    spec: TargetSpec

    @property
    def label(self) -> str:
        return str(self.spec)

    @abstractmethod
    def check(self) -> dict[str, Any]:
        """Reachability check before the run (raises TargetUnreachable); returns what the target says."""

    @abstractmethod
    def reset(self) -> None:
        """Back to a fresh install (every scenario starts with it)."""

    @abstractmethod
    def seed(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Loads the world's `lgo_seed` (accounts, settings, local patients)."""

    @abstractmethod
    def open_session(self, login: str, password: str) -> DriverSession:
        """Logs in with a local password; raises DriverRefused when the LGO refuses."""

    @abstractmethod
    def open_cps_session(self, pin: str, reader: str | None = None) -> DriverSession:
        """Logs in with the CPS card present in the reader (inserted through the cards control plane)."""

    @abstractmethod
    def call(
        self,
        method: str,
        path: str,
        *,
        session: DriverSession | None = None,
        json: Any = None,
        params: Any = None,
        ok: bool = True,
    ) -> DriverAnswer:
        """A driver action, as `session`'s account (or with the admin token when None).

        `ok=True` raises DriverRefused on an error status; `ok=False` returns the answer whatever it is.
        """

    def fetch(
        self,
        method: str,
        path: str,
        *,
        session: DriverSession | None = None,
        json: Any = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        data: dict[str, str] | None = None,
        accept: str = "*/*",
    ) -> DriverAnswer:
        """A driver action whose answer is a file (`content`: PDF, image, document) or whose request is a
        multipart upload (`files`: field -> (file name, bytes, media type), `data`: the other fields).
        Returns the answer whatever its status, like `call(..., ok=False)`."""
        raise TargetNotAvailable(
            f"Cible {self.label} : téléchargement et envoi de fichiers non pris en charge"
        )

    @abstractmethod
    def capture(self, screen: str, name: str, session: DriverSession | None = None) -> Screenshot:
        """A screenshot of `screen` as `session`'s account, or a Screenshot whose note says why not."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Releases connections and browsers."""
