"""Virtual smart cards: Vitale 2 and CPS3 card operating systems, served to real PC/SC readers
(pcscd + vsmartcard-vpcd) or to the bench reader socket. A component without a national listener:
its control routes live under /_bench/cards/ and every APDU is journaled under service `cards`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators.core.service import Fidelity, ServiceContext, ServiceDescriptor

if TYPE_CHECKING:
    from simulators.cards.service import CardsService

# Journal operations are APDU commands (public, from the ANS CPS3 driver, Cardpeek and ISO 7816-4);
# the keys after them name what the bench invents (docs/contracts/{vitale,cps,bench-reader}.md).
OPERATIONS: dict[str, Fidelity] = {
    "SELECT": "public-spec",
    "READ BINARY": "public-spec",
    "GET RESPONSE": "public-spec",
    "VERIFY": "public-spec",
    "MSE SET": "public-spec",
    "PSO CDS": "public-spec",
    "PSO HASH": "public-spec",
    "INTERNAL AUTHENTICATE": "public-spec",
    "GET DATA": "public-spec",
    "GET CHALLENGE": "public-spec",
    "CHANGE REFERENCE DATA": "bench-contract",
    "RESET RETRY COUNTER": "bench-contract",
    "vitale:donnees-hors-tags-publics": "bench-contract",
    "cps:fichiers-porteur-et-situations": "bench-contract",
    "lecteur-du-banc": "bench-contract",
}


def _factory(context: ServiceContext) -> CardsService:
    from simulators.cards.service import CardsService

    return CardsService(context)


DESCRIPTOR = ServiceDescriptor(
    name="cards",
    default_port=None,
    mtls=False,
    base_path="",
    operations=OPERATIONS,
    factory=_factory,
)
