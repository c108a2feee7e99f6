"""What can go wrong with an INSi call, as typed exceptions carrying a French message for the user
and every exchange made so far (so the LGO journals failed calls too: W1-INS-06/19/20)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from reference_lgo.clients.insi.exchange import InsiExchange

UnavailableKind = Literal[
    "tls", "timeout", "connexion", "coupure", "http", "reponse_invalide", "configuration"
]


class InsiError(Exception):
    """Base of the INSi client errors; `user_message` is French and safe to show."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.exchanges: list[InsiExchange] = []


class InsiRequestRefused(InsiError):
    """The LGO refuses to send the request: invalid traits or card data (no call was made)."""

    def __init__(self, user_message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(user_message)
        self.problems = problems or {}


class InsiUnavailable(InsiError):
    """No usable answer: TLS handshake refused, timeout, connection reset, HTTP error without SOAP,
    or an answer that cannot be read. The call may be retried later."""

    def __init__(
        self,
        kind: UnavailableKind,
        user_message: str,
        *,
        detail: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(user_message)
        self.kind = kind
        self.detail = detail
        self.http_status = http_status


# French messages for the public fault codes (digest §1.2 / §1.7); others use the service's reason.
_KNOWN_FAULTS = {
    "desir_550": (
        "Le téléservice INSi refuse ce logiciel : numéro d'autorisation CNDA (IDAM) inconnu. "
        "Contactez l'éditeur du logiciel."
    ),
    "desir_560": (
        "Le téléservice INSi refuse le certificat d'authentification présenté (certificat INSI-AUTO "
        "ou INSI-MANU de l'IGC-Santé attendu). Contactez votre responsable informatique."
    ),
}


class InsiFault(InsiError):
    """A SOAP fault from INSi: `soap_code` (Sender/Receiver), `subcodes` (local names, outermost
    first), `error_code` (siram:Erreur@code, else the innermost subcode), the service's own texts."""

    def __init__(
        self,
        *,
        soap_code: str,
        subcodes: list[str],
        error_code: str | None,
        severite: str | None,
        reason: str,
        detail_text: str | None,
        http_status: int,
    ) -> None:
        self.soap_code = soap_code
        self.subcodes = subcodes
        self.error_code = error_code or (subcodes[-1] if subcodes else None)
        self.severite = severite
        self.reason = reason
        self.detail_text = detail_text
        self.http_status = http_status
        super().__init__(self._message())

    @property
    def code(self) -> str:
        """The most precise code: siram:Erreur@code, else the innermost subcode, else the SOAP code."""
        return self.error_code or self.soap_code

    @property
    def retryable(self) -> bool:
        """A Receiver fault is the service's own failure: the same call may succeed later."""
        return self.soap_code == "Receiver" or self.severite == "fatale"

    def _message(self) -> str:
        known = _KNOWN_FAULTS.get((self.error_code or "").lower())
        if known:
            return known
        said = (self.detail_text or self.reason or "").strip()
        said = f" : {said}" if said else "."
        if self.retryable:
            return f"Le téléservice INSi est momentanément indisponible (code {self.code}){said} Réessayez plus tard."
        if "siram_100" in [s.lower() for s in self.subcodes]:
            return f"L'accès au téléservice INSi n'est pas autorisé (code {self.code}){said}"
        return f"Le téléservice INSi a refusé la demande (code {self.code}){said}"
