"""The world's data as steps need it: the LGO seed payload, accounts, cards and persons by id."""

from __future__ import annotations

from typing import Any

from bench.targets.errors import BenchError
from scenarios import Account, CpsCard, Person, World


def lgo_seed_payload(world: World) -> dict[str, Any]:
    """`POST /driver/v1/seed`: the world's `lgo_seed`, plus the professionals and pharmacies it names
    (docs/driver-api.md: accounts refer to professionals and settings to the pharmacy by world id)."""
    payload: dict[str, Any] = world.lgo_seed.model_dump(mode="json")
    payload["professionals"] = [p.model_dump(mode="json") for p in world.professionals]
    payload["pharmacies"] = [p.model_dump(mode="json") for p in world.pharmacies]
    return payload


def account(world: World, login: str) -> Account:
    for item in world.lgo_seed.accounts:
        if item.login == login:
            return item
    known = ", ".join(a.login for a in world.lgo_seed.accounts)
    raise BenchError(
        f"Scénario mal écrit : compte « {login} » absent du monde {world.name} (comptes : {known})"
    )


def cps_card(world: World, card_id: str) -> CpsCard:
    for card in world.cps_cards:
        if card.id == card_id:
            return card
    known = ", ".join(c.id for c in world.cps_cards)
    raise BenchError(
        f"Scénario mal écrit : carte « {card_id} » absente du monde {world.name} (cartes : {known})"
    )


def account_of_card(world: World, card: CpsCard) -> Account | None:
    """The LGO account the card's professional logs into (None when the world gives none)."""
    return next((a for a in world.lgo_seed.accounts if a.professional_id == card.professional_id), None)


def person(world: World, person_id: str) -> Person:
    for item in world.persons:
        if item.id == person_id:
            return item
    raise BenchError(f"Scénario mal écrit : personne « {person_id} » absente du monde {world.name}")
