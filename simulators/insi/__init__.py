"""INSi simulator (téléservice INS): SOAP 1.2 on /lps with the two actions of the public WSDL 1.5.0
and the logical verification operation. See README.md beside this file for the wire details."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators.core.service import ServiceDescriptor

if TYPE_CHECKING:
    from simulators.core.service import ServiceContext
    from simulators.insi.service import InsiService


def _factory(context: ServiceContext) -> InsiService:
    from simulators.insi.service import InsiService

    return InsiService(DESCRIPTOR, context)


DESCRIPTOR = ServiceDescriptor(
    name="insi",
    default_port=7001,
    mtls=True,
    base_path="/lps",
    operations={
        "rechercherInsAvecTraitsIdentite": "public-spec",
        "rechercherInsAvecCarteVitale": "public-spec",
        # Logical operation (digest §1.1): a traits search on the wire; see README.md.
        "verifierIns": "public-spec",
    },
    factory=_factory,
)
