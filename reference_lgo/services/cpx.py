"""CPx mode of the INSi client (W1-INS-22): the professional of a session opened with a CPS card.

TLS uses the professional's exported authentication credentials `ps-<rpps>-auth` (Python's ssl
cannot use a key held on a card: CONVENTIONS "CPx mode"); the PS assertion in wsse:Security is
signed ON the card in the reader the session was opened with (PSO CDS over a DigestInfo, behind
protocols.xmldsig.CallbackRSAKey). The PIN was verified at login: a card that asks for it again,
is gone, or is another professional's is refused with a 409 and a French message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from protocols import saml, xmldsig
from protocols.pki import id_nat_ps_of
from protocols.pki.profiles import rpps_part
from reference_lgo.clients.insi import CpxAuth, TlsCredential
from reference_lgo.hardware import cards
from reference_lgo.hardware.cps_signing import SigningCard, open_signing_card
from reference_lgo.models import UserSession
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import Conflict, LgoError, ReaderUnavailable

if TYPE_CHECKING:
    from lxml import etree

    from reference_lgo.runtime import Runtime

# AMO speciality of a pharmacy ("50", pharmacien) and the sector of an officine (SA33) when the card
# does not say: bench choices, the assertion only has to carry them (spec digest §1.4).
PHARMACY_SPECIALITY = "50"
OFFICINE_SECTOR = "SA33"
MAX_CHAIN_FILE = 1_000_000


class CardRefused(Conflict):
    """The session's card cannot sign now (absent, another card, PIN needed, refused signature)."""

    title = "Carte CPS"


_STATUS_OF = {"lecteur_indisponible": ReaderUnavailable, "lecteur_introuvable": ReaderUnavailable}


def card_error(failure: cards.CardFailure) -> LgoError:
    kind = _STATUS_OF.get(failure.code, CardRefused)
    return kind(failure.message, code=failure.code, **failure.extra)


def session_reader(runtime: Runtime, actor: Actor, settings: pharmacy_settings.PharmacySettings) -> str:
    """The reader the session's card was read in at login (the settings' CPS reader otherwise)."""
    if actor.session_id is not None:
        with runtime.db.session() as session:
            row = session.get(UserSession, actor.session_id)
            if row is not None and row.card_reader:
                return row.card_reader
    return settings.cps_reader


def tls_credential(settings: pharmacy_settings.PharmacySettings, id_nat_ps: str) -> TlsCredential:
    folder = Path(settings.cpx_credentials_dir)
    base = f"ps-{rpps_part(id_nat_ps)}-auth"
    credential = TlsCredential(f"CPx {id_nat_ps}", folder / f"{base}.chain.pem", folder / f"{base}.key")
    if not (credential.cert_pem.is_file() and credential.key_pem.is_file()):
        raise Conflict(
            f"Mode CPx impossible : certificat d'authentification du professionnel {id_nat_ps} introuvable "
            f"({credential.cert_pem.name} et {credential.key_pem.name} attendus dans {folder}). Vérifiez le "
            "dossier des certificats CPx dans les paramètres de l'officine.",
            code="certificat_cpx_introuvable",
        )
    return credential


def issuer_chain(certificate: x509.Certificate, chain_file: str) -> list[x509.Certificate]:
    """The signing certificate and its issuing CA from the trust chain (KeyInfo of the signature)."""
    try:
        path = Path(chain_file)
        if not chain_file or path.stat().st_size > MAX_CHAIN_FILE:
            return [certificate]
        found = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError):
        return [certificate]
    issuer = next((c for c in found if c.subject == certificate.issuer and c.subject != c.issuer), None)
    return [certificate, issuer] if issuer is not None else [certificate]


@dataclass
class _Signing:
    """Why a signature on the card failed during the call (the client only sees an exception)."""

    failure: LgoError | None = None


def _signer(
    card: SigningCard, certificate: x509.Certificate, chain: list[x509.Certificate], state: _Signing
) -> Callable[[etree._Element], etree._Element]:
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise CardRefused(
            "Le certificat de signature de la carte CPS n'est pas RSA.", code="certificat_invalide"
        )
    key = xmldsig.CallbackRSAKey(public_key, card.sign_digest)

    def sign(assertion: etree._Element) -> etree._Element:
        try:
            return saml.sign_assertion(assertion, key, chain)
        except cards.CardFailure as failure:
            state.failure = card_error(failure)
            raise
        except ValueError as error:  # CallbackRSAKey: the card's answer does not match its certificate
            state.failure = CardRefused(
                "La carte CPS a rendu une signature qui ne correspond pas à son certificat de signature "
                f"(carte altérée ou défectueuse) : appel INSi annulé. ({error})",
                code="signature_cps_invalide",
            )
            raise

    return sign


def _check_card(card: SigningCard, actor: Actor) -> x509.Certificate:
    certificates = card.certificates()
    holder = id_nat_ps_of(certificates.auth)
    if holder != actor.id_nat_ps:
        raise CardRefused(
            f"La carte du lecteur « {card.reader} » n'est pas celle de la session (professionnel "
            f"{holder or 'inconnu'} au lieu de {actor.id_nat_ps}) : réinsérez votre carte CPS.",
            code="carte_cps_differente",
        )
    pin = card.pin_status()
    if pin.blocked:
        raise CardRefused(
            "Carte CPS bloquée : débloquez-la avec son code de déblocage (CPS-Gestion).", code="carte_bloquee"
        )
    if not pin.verified:
        raise CardRefused(
            "La carte CPS demande à nouveau son code porteur (carte retirée depuis la connexion ?) : "
            "reconnectez-vous avec votre carte pour utiliser le mode CPx.",
            code="code_porteur_requis",
        )
    return certificates.sign


@contextmanager
def session_auth(
    runtime: Runtime, actor: Actor, settings: pharmacy_settings.PharmacySettings
) -> Iterator[CpxAuth]:
    """CpxAuth for INSi calls made inside the block (the card stays connected meanwhile)."""
    if actor.auth_method != "cps" or not actor.id_nat_ps:
        raise Conflict(
            "Le mode CPx utilise la carte CPS de la session : ouvrez la session avec votre carte CPS "
            "(connexion par mot de passe : utilisez « manu » ou « auto »).",
            code="session_cps_requise",
        )
    tls = tls_credential(settings, actor.id_nat_ps)
    reader = session_reader(runtime, actor, settings)
    config = cards.ReaderConfig(settings.card_reader_mode, settings.bench_reader_address)
    state = _Signing()
    try:
        with open_signing_card(config, reader) as card:
            certificate = _check_card(card, actor)
            situations = card.situations()
            chain = issuer_chain(certificate, settings.trust_chain)
            own = next((s for s in situations if s.structure_id == settings.id_nat_struct), None)
            situation = own or (situations[0] if situations else None)
            if id_nat_ps_of(certificate) != actor.id_nat_ps:
                raise CardRefused(
                    "Le certificat de signature de la carte ne désigne pas le professionnel de la session.",
                    code="carte_cps_differente",
                )
            auth = CpxAuth.from_certificate(
                certificate,
                tls=tls,
                signer=_signer(card, certificate, chain, state),
                identifiant_facturation=settings.finess or (settings.id_nat_struct[1:] or "000000000"),
                code_specialite_amo=PHARMACY_SPECIALITY,
                secteur_activite=(situation.sector if situation and situation.sector else OFFICINE_SECTOR),
            )
            try:
                yield auth
            except Exception:
                if state.failure is not None:
                    raise state.failure from None
                raise
    except cards.CardFailure as failure:
        raise card_error(failure) from None
