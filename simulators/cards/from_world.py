"""The cards of a world: Vitale cards from `vitale_cards` + persons, CPS cards from `cps_cards` +
professionals + pharmacies, with the professionals' keys and certificates from the test PKI."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from protocols import identifiers
from simulators.cards.cps import CpsCard, CpsData, CpsSituation
from simulators.cards.models import CardEntry
from simulators.cards.vitale import VitaleBeneficiary, VitaleCard, VitaleData

if TYPE_CHECKING:
    from protocols.pki import TestPKI
    from scenarios import CpsCard as WorldCps
    from scenarios import VitaleCard as WorldVitale
    from scenarios import World

log = logging.getLogger(__name__)

NO_END_DATE = "00000000"  # bench contract: rights without an end date
ROLE_OF_CARD = {"CPE": "Préparateur en pharmacie", "CPA": "Personnel autorisé"}


def _yyyymmdd(iso: str) -> str:
    return iso.replace("-", "")


def vitale_data(world: World, card: WorldVitale) -> VitaleData:
    insured = world.person(card.insured_person_id)
    if insured.matricule is None:
        raise ValueError(f"carte Vitale {card.id} : l'assuré {insured.id} n'a pas de NIR")
    beneficiaries = []
    for item in card.beneficiaries:
        person = world.person(item.person_id)
        own = person.matricule if item.nir_on_card and person.matricule else None
        beneficiaries.append(
            VitaleBeneficiary(
                nir=own or insured.matricule,
                usage_name=person.used_name or person.birth_name,
                first_name=person.used_first_name or (person.first_names[0] if person.first_names else ""),
                birth_date=_yyyymmdd(person.birth_date),
                rang=item.rang,
                qualite=item.qualite,
                birth_name=person.birth_name,
                rights_start=card.rights_start.strftime("%Y%m%d"),
                rights_end=card.rights_end.strftime("%Y%m%d") if card.rights_end else NO_END_DATE,
            )
        )
    return VitaleData(
        card_id=card.id,
        serial=card.serial,
        insured_nir=insured.matricule,
        regime=card.regime,
        caisse=card.caisse,
        centre=card.centre,
        beneficiaries=tuple(beneficiaries),
        validity_start=card.valid_from.strftime("%Y%m%d"),
    )


def cps_data(world: World, pki: TestPKI, card: WorldCps) -> CpsData:
    pro = world.professional(card.professional_id)
    id_nat_ps = pro.id_nat_ps
    auth = pki.professional(id_nat_ps, "auth", pro.display_name)
    sign = pki.professional(id_nat_ps, "sign", pro.display_name)
    situations: list[CpsSituation] = []
    if pro.pharmacy_id:
        pharmacy = world.pharmacy(pro.pharmacy_id)
        situations.append(
            CpsSituation(
                structure_id=identifiers.id_nat_struct_from_finess(pharmacy.finess),
                structure_name=pharmacy.name,
                profession=pro.profession,
                section=pro.section,
                practice_mode=pro.practice_mode or ("L" if pro.section == "A" else "S"),
                sector=pharmacy.sector,
                role=ROLE_OF_CARD.get(card.card_type),
            )
        )
    else:
        raise ValueError(f"carte {card.id} : le professionnel {pro.id} n'a pas de structure d'exercice")
    return CpsData(
        card_id=card.id,
        card_type=card.card_type,
        serial=card.serial,
        id_nat_ps=id_nat_ps,
        last_name=pro.last_name,
        first_name=pro.first_name,
        auth_key=auth.key,
        auth_cert=auth.cert,
        sign_key=sign.key,
        sign_cert=sign.cert,
        situations=tuple(situations),
        pin=card.pin,
        puk=card.puk,
    )


def catalog_from_world(world: World, pki: TestPKI | None) -> tuple[dict[str, CardEntry], dict[int, str]]:
    """Card entries (built lazily: certificates come from the PKI on first use) and the default
    slots (0: the world's default Vitale card, 1: its default CPS)."""
    catalog: dict[str, CardEntry] = {}
    for vitale in world.vitale_cards:
        data = vitale_data(world, vitale)
        insured = world.person(vitale.insured_person_id)
        name = f"{insured.used_name or insured.birth_name} {insured.first_name or ''}".strip()

        def build_vitale(data: VitaleData = data) -> VitaleCard:
            return VitaleCard(data)

        catalog[vitale.id] = CardEntry(
            vitale.id,
            "vitale",
            f"Vitale de {name}",
            build_vitale,
            {"nirs": [b.nir for b in data.beneficiaries], "serial": vitale.serial},
        )
    if pki is None:
        if world.cps_cards:
            log.warning("PKI de test absente : cartes CPS non disponibles")
    else:
        for cps in world.cps_cards:
            pro = world.professional(cps.professional_id)

            def build(card: WorldCps = cps) -> CpsCard:
                return CpsCard(cps_data(world, pki, card))

            catalog[cps.id] = CardEntry(
                cps.id,
                "cps",
                f"{cps.card_type} de {pro.first_name} {pro.last_name}",
                build,
                {"card_type": cps.card_type, "id_nat_ps": pro.id_nat_ps, "serial": cps.serial},
            )
    defaults: dict[int, str] = {}
    if world.default_cards.vitale in catalog:
        defaults[0] = world.default_cards.vitale
    if world.default_cards.cps in catalog:
        defaults[1] = world.default_cards.cps
    return catalog, defaults
