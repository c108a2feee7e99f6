"""Reading the carte Vitale in the pharmacy's Vitale reader (protocols.apdu, PC/SC or the bench
reader as the settings say), and turning the beneficiary the user picked into an INSi query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from protocols.apdu import ApduError, CardConnection, CardIOError, CardTransport
from protocols.apdu.vitale import Beneficiary, VitaleCardData, read_vitale
from reference_lgo.clients.insi import VitaleBeneficiary
from reference_lgo.hardware.cards import CardFailure, ReaderConfig, transport
from reference_lgo.services import audit
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import InvalidInput, LgoError, ReaderUnavailable

CARD_SETTLE_S = 2.0


class VitaleCardError(LgoError):
    status = 409
    code = "carte_vitale_illisible"
    title = "Carte Vitale"


@dataclass(frozen=True)
class VitaleRead:
    reader: str
    card: VitaleCardData


def _config(settings: pharmacy_settings.PharmacySettings) -> ReaderConfig:
    return ReaderConfig(settings.card_reader_mode, settings.bench_reader_address)


def read_card(settings: pharmacy_settings.PharmacySettings, reader: str | None = None) -> VitaleRead:
    """Every beneficiary of the card in the Vitale reader (or `reader`: name, suffix or slot)."""
    try:
        with transport(_config(settings)) as readers:
            try:
                name = readers.find_reader(reader or settings.vitale_reader)
            except CardIOError as error:
                raise ReaderUnavailable(
                    f"Lecteur de carte Vitale introuvable : {error}", code="lecteur_introuvable"
                ) from None
            try:
                present = readers.wait_for_card(name, True, timeout=CARD_SETTLE_S)
            except CardIOError:
                present = False
            if not present:
                raise VitaleCardError(
                    f"Aucune carte dans le lecteur « {name} ». Insérez la carte Vitale du patient.",
                    code="carte_vitale_absente",
                )
            connection = _connect(readers, name)
            try:
                data = read_vitale(connection)
            except ApduError as error:
                raise VitaleCardError(
                    f"La carte du lecteur « {name} » n'est pas une carte Vitale lisible ({error}).",
                    code="carte_non_vitale",
                ) from None
            except CardIOError as error:
                raise VitaleCardError(f"Lecture de la carte Vitale interrompue : {error}") from None
            finally:
                connection.close()
    except CardFailure as failure:
        raise ReaderUnavailable(failure.message, code=failure.code) from None
    except CardIOError as error:
        raise ReaderUnavailable(f"Accès aux lecteurs de cartes impossible : {error}") from None
    if not data.beneficiaries:
        raise VitaleCardError("La carte Vitale ne porte aucun bénéficiaire.", code="carte_vitale_vide")
    return VitaleRead(name, data)


def _connect(readers: CardTransport, name: str) -> CardConnection:
    try:
        return readers.connect(name)  # retries while a card that just appeared settles
    except CardIOError as error:
        raise VitaleCardError(f"Connexion à la carte Vitale impossible : {error}") from None


def iso_date(card_date: str) -> str:
    """YYYYMMDD (tag 82) as YYYY-MM-DD; lunar parts stay 00."""
    text = card_date.strip()
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if len(text) == 8 and text.isdigit() else text


def beneficiaries_view(card: VitaleCardData) -> list[dict[str, Any]]:
    """The card's beneficiaries, numbered from 1 in card order (what the user picks from)."""
    return [
        {
            "index": index,
            "nir": b.nir,
            "birth_name": b.birth_name or b.usage_name,
            "usage_name": b.usage_name,
            "first_name": b.first_name,
            "birth_date": iso_date(b.birth_date),
            "rang": b.rang or 1,
            "qualite": b.qualite,
        }
        for index, b in enumerate(card.beneficiaries, start=1)
    ]


def read_for(
    session: Session,
    actor: Actor,
    at: datetime,
    settings: pharmacy_settings.PharmacySettings,
    reader: str | None = None,
) -> VitaleRead:
    """A user reads the card (NIRs of the household are personal data: audited)."""
    actor.require("patients.lire")
    read = read_card(settings, reader)
    audit.record(
        session,
        actor,
        at,
        "vitale.lire",
        f"Lecture de la carte Vitale ({len(read.card.beneficiaries)} bénéficiaire(s))",
        object_type="carte",
        object_id=read.card.serial,
        details={"lecteur": read.reader},
    )
    return read


def pick(card: VitaleCardData, index: int | None) -> Beneficiary:
    """The beneficiary the user chose; with one beneficiary only, that one."""
    listing = "; ".join(
        f"{i} : {b.first_name} {b.usage_name}" for i, b in enumerate(card.beneficiaries, start=1)
    )
    if index is None:
        if len(card.beneficiaries) == 1:
            return card.beneficiaries[0]
        raise InvalidInput(
            f"La carte Vitale porte {len(card.beneficiaries)} bénéficiaires : choisissez-en un ({listing}).",
            code="beneficiaire_a_choisir",
        )
    if not 1 <= index <= len(card.beneficiaries):
        raise InvalidInput(
            f"Bénéficiaire n° {index} absent de la carte Vitale ({listing}).", code="beneficiaire_inconnu"
        )
    return card.beneficiaries[index - 1]


def query_of(card: VitaleCardData, beneficiary: Beneficiary) -> VitaleBeneficiary:
    """The RECVITALE keys: the insured's matricule, and the beneficiary's own NIR when the card
    holds one different from the insured's (a child without its own NIR carries the insured's)."""
    insured = card.insured_nir or next(
        (b.nir for b in card.beneficiaries if b.qualite == "00"), beneficiary.nir
    )
    own = beneficiary.nir if beneficiary.nir and beneficiary.nir != insured else None
    return VitaleBeneficiary(
        insured_matricule=insured,
        birth_date=beneficiary.birth_date,
        rang=beneficiary.rang or 1,
        nir=own,
        birth_name=beneficiary.birth_name,
    )
