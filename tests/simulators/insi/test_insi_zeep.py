"""A generic SOAP toolkit (zeep) loads our WSDL, generates the client, and talks to the simulator's
handler in process (the same client goes through TLS in test_insi_server.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import zeep
import zeep.exceptions
from insi_testkit import IDAM, num
from lxml import etree
from zeep.transports import Transport

from protocols.pki import TestPKI
from simulators.core.peer import PeerIdentity
from simulators.insi import schemas
from simulators.insi.wire import InsiHandler, Outcome


class HandlerTransport(Transport):
    """zeep transport that hands the serialised request to the handler instead of the network."""

    def __init__(self, handler: InsiHandler, peer: PeerIdentity | None) -> None:
        super().__init__()
        self.handler = handler
        self.peer = peer
        self.sent: list[tuple[bytes, dict[str, str]]] = []
        self.outcomes: list[Outcome] = []

    def post(self, address: str, message: Any, headers: dict[str, str]) -> requests.Response:
        data = message if isinstance(message, bytes) else message.encode()
        self.sent.append((data, headers))
        out = self.handler.process(data, headers.get("Content-Type", ""), self.peer, datetime.now(UTC))
        self.outcomes.append(out)
        response = requests.Response()
        response.status_code = out.status
        response._content = out.body
        response.headers["Content-Type"] = out.content_type
        response.encoding = "utf-8"
        return response


def contexts(client: zeep.Client, idam: str = IDAM) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    lps_type = client.get_element("{urn:siram:lps:ctxlps}ContexteLPS")
    bam_type = client.get_element("{urn:siram:bam:ctxbam}ContexteBAM")
    lps = lps_type(
        Id=str(uuid.uuid4()),
        Temps=now,
        Emetteur="899700000001",
        Nature="CTXLPS",
        Version="01_00",
        LPS={
            "IDAM": {"_value_1": idam, "R": "4"},
            "Version": "1.2.0",
            "Instance": str(uuid.uuid4()),
            "Nom": "urn:lps:lgo-test:1.2.0",
        },
    )
    bam = bam_type(Id=str(uuid.uuid4()), Temps=now, Emetteur="899700000001", Version="01_02", COUVERTURE={})
    return {"ContexteLPS": lps, "ContexteBAM": bam}


@pytest.fixture()
def client_and_transport(handler: InsiHandler, pki: TestPKI) -> tuple[zeep.Client, HandlerTransport]:
    peer = PeerIdentity.from_chain([pki.client("insi-auto").cert, pki.organisations.cert])
    transport = HandlerTransport(handler, peer)
    # wsaw:UsingAddressing in the binding makes zeep add the WS-Addressing headers by itself.
    client = zeep.Client(str(schemas.WSDL_PATH), transport=transport)
    return client, transport


def test_zeep_traits_search_gets_a_parsed_00(
    client_and_transport: tuple[zeep.Client, HandlerTransport],
) -> None:
    client, transport = client_and_transport
    result = client.service.rechercherInsAvecTraitsIdentite(
        NomNaissance="MARTINEAU",
        Prenom=["LUCIE"],
        Sexe="F",
        DateNaissance="1985-04-12",
        _soapheaders=contexts(client),
    )
    assert result.CR.CodeCR == "00"
    assert (
        result.INDIVIDU.INSACTIF.IdIndividu.NumIdentifiant + result.INDIVIDU.INSACTIF.IdIndividu.Cle
        == num("lucie")
    )
    assert result.INDIVIDU.TIQ.ListePrenom == "LUCIE ANNE MARIE"
    assert [(c.rule, c.message) for c in transport.outcomes[0].checks] == []
    sent, headers = transport.sent[0]
    assert headers["Content-Type"].startswith("application/soap+xml")
    root = etree.fromstring(sent)
    assert root.findtext(".//{http://www.w3.org/2005/08/addressing}Action") == (
        "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
    )


def test_zeep_vitale_search(client_and_transport: tuple[zeep.Client, HandlerTransport]) -> None:
    client, _ = client_and_transport
    result = client.service.rechercherInsAvecCarteVitale(
        MatriculeOD={"NumIdentifiant": num("parent")[:13]},
        DateNaissance="2012-08-08",
        RangNaissance="1",
        _soapheaders=contexts(client),
    )
    assert result.CR.CodeCR == "00" and result.INDIVIDU.TIQ.ListePrenom == "HUGO"


def test_zeep_sees_the_unknown_idam_fault(client_and_transport: tuple[zeep.Client, HandlerTransport]) -> None:
    client, _ = client_and_transport
    with pytest.raises(zeep.exceptions.Fault) as info:
        client.service.rechercherInsAvecTraitsIdentite(
            NomNaissance="MARTINEAU",
            Prenom=["LUCIE"],
            Sexe="F",
            DateNaissance="1985-04-12",
            _soapheaders=contexts(client, idam="INCONNU"),
        )
    assert info.value.subcodes is not None and info.value.subcodes[0].localname == "siram_100"
    assert info.value.detail is not None
    erreur = info.value.detail.find("{urn:siram}Erreur")
    assert erreur is not None and erreur.get("code") == "desir_550"
