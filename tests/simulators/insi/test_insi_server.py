"""The INSi simulator through its real TLS listener (mutual TLS with the test PKI), the control
plane and the journal: every CR, every fault, CPx mode, the 01-as-fault switch, fault injection,
and a zeep client built from the WSDL the listener serves."""

from __future__ import annotations

import asyncio
import ssl
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import zeep
import zeep.exceptions
from insi_testkit import (
    ACTION_VERIFY,
    ACTION_VITALE,
    IDAM,
    PS_ID,
    PS_NAME,
    code_cr,
    contexte_lps,
    envelope,
    fault_codes,
    ins_a_verifier,
    num,
    security,
    seed_payload,
    traits_body,
    vitale_body,
)
from lxml import etree
from zeep.transports import Transport

from protocols import saml
from protocols.pki import Credential, TestPKI
from simulators.core.runtime import Runtime
from simulators.core.settings import RuntimeSettings

SOAP12 = {"Content-Type": "application/soap+xml; charset=utf-8"}


class Stack:
    def __init__(self, runtime: Runtime, pki: TestPKI) -> None:
        self.runtime = runtime
        self.pki = pki
        self.url = runtime.service_url("insi").replace("localhost", "127.0.0.1")
        self.control = runtime.control_url + "/insi"
        self.scenario_id: str | None = None

    def client(self, credential: Credential | None) -> httpx.Client:
        ctx = ssl.create_default_context(cafile=str(self.pki.chain_pem))
        if credential is not None:
            ctx.load_cert_chain(str(credential.chain_pem), str(credential.key_pem))
        return httpx.Client(verify=ctx, timeout=20)

    def post(
        self, data: bytes, credential: Credential | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        with self.client(credential or self.pki.client("insi-auto")) as c:
            return c.post(self.url, content=data, headers=headers or SOAP12)

    def exchanges(self, **params: Any) -> list[dict[str, Any]]:
        """This test's records (the reset of the `seeded` fixture stamps a fresh scenario id)."""
        response = httpx.get(
            self.control + "/exchanges", params={"scenario_id": self.scenario_id, **params}, timeout=20
        )
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()["exchanges"]
        return found


@pytest.fixture(scope="module")
def stack(pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = Path(pki.directory).parent
    db = tmp_path_factory.mktemp("insi-journal") / "journal.sqlite"
    settings = RuntimeSettings(
        home=home,
        services=["insi"],
        ports={"insi": 0},
        control_port=0,
        cards="none",
        database_url=f"sqlite:///{db}",
    )
    runtime = Runtime(settings)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(runtime.start(), loop).result(120)
    assert runtime.hosts["insi"].state == "up", runtime.hosts["insi"].error
    try:
        yield Stack(runtime, pki)
    finally:
        asyncio.run_coroutine_threadsafe(runtime.stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@pytest.fixture()
def seeded(stack: Stack) -> Stack:
    scenario = f"insi-{uuid.uuid4().hex[:8]}"
    httpx.post(stack.control + "/reset", json={"scenario_id": scenario}, timeout=20).raise_for_status()
    stack.scenario_id = scenario
    httpx.delete(stack.control + "/faults", timeout=20).raise_for_status()
    response = httpx.post(stack.control + "/seed", json=seed_payload(), timeout=20)
    assert response.status_code == 200, response.text
    return stack


def traits(name: str, first: str, sex: str, born: str, cog: str | None = None, **kw: Any) -> bytes:
    return envelope(traits_body(name, first, sex, born, cog), **kw)


@pytest.mark.parametrize(
    ("name", "first", "sex", "born", "expected"),
    [
        ("MARTINEAU", "LUCIE", "F", "1985-04-12", "00"),
        ("MARTINEAU", "LUCIA", "F", "1985-04-12", "01"),
        ("BERNARDIN", "LEA", "F", "2001-06-03", "02"),
    ],
)
def test_every_cr_code_over_mtls(
    seeded: Stack, name: str, first: str, sex: str, born: str, expected: str
) -> None:
    mid = f"uuid:{uuid.uuid4()}"
    response = seeded.post(traits(name, first, sex, born, message_id=mid))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/soap+xml")
    assert code_cr(response.content) == expected
    (record,) = seeded.exchanges(correlation=f"message_id={mid}")
    assert record["operation"] == "rechercherInsAvecTraitsIdentite"
    assert record["correlation"]["idam"] == IDAM and record["correlation"]["code_cr"] == expected
    assert record["peer"]["subject"].startswith("CN=INSI-AUTO")
    if expected == "00":
        assert record["correlation"]["ins"] == num("lucie")


def test_vitale_search_over_mtls(seeded: Stack) -> None:
    response = seeded.post(envelope(vitale_body(num("parent")[:13], "2012-08-08", 1), action=ACTION_VITALE))
    assert code_cr(response.content) == "00"
    (record,) = seeded.exchanges(operation="rechercherInsAvecCarteVitale")
    assert record["correlation"]["ins"] == num("enfant")


def test_unknown_idam_fault(seeded: Stack) -> None:
    response = seeded.post(traits("MARTINEAU", "LUCIE", "F", "1985-04-12", lps=contexte_lps(idam="INCONNU")))
    assert response.status_code == 400
    assert fault_codes(response.content) == ("soap:Sender", "soap:siram_100", "desir_550")


def test_editor_idam_through_the_control_plane(seeded: Stack) -> None:
    data = traits("MARTINEAU", "LUCIE", "F", "1985-04-12", lps=contexte_lps(idam="EDITEUR-X"))
    assert fault_codes(seeded.post(data).content)[2] == "desir_550"
    seed = {"software": [{"idam": "EDITEUR-X", "name": "lgo-test", "version": "1.2.0"}]}
    httpx.post(seeded.control + "/seed", json=seed, timeout=20).raise_for_status()
    assert code_cr(seeded.post(data).content) == "00"


def test_bad_seed_is_a_french_422(seeded: Stack) -> None:
    response = httpx.post(seeded.control + "/seed", json={"switches": {"oops": True}}, timeout=20)
    assert response.status_code == 422 and "invalides" in response.text


def test_wrong_cn_org_auth_is_desir_560(seeded: Stack) -> None:
    response = seeded.post(traits("MARTINEAU", "LUCIE", "F", "1985-04-12"), seeded.pki.client("org-auth"))
    assert fault_codes(response.content) == ("soap:Sender", "soap:siram_100", "DESIR_560")
    (record,) = seeded.exchanges()
    assert "INSI-SEC-01" in {f["rule"] for f in record["findings"]}


def test_no_client_certificate_is_refused_at_the_handshake(seeded: Stack) -> None:
    with pytest.raises(httpx.HTTPError), seeded.client(None) as c:
        c.post(seeded.url, content=traits("MARTINEAU", "LUCIE", "F", "1985-04-12"), headers=SOAP12)


def test_malformed_body(seeded: Stack) -> None:
    response = seeded.post(b"<soap:Envelope xmlns:soap='http://www.w3.org/2003/05/soap-envelope'><soap:Body>")
    assert response.status_code == 400 and fault_codes(response.content)[0] == "soap:Sender"


def test_soap11_envelope(seeded: Stack) -> None:
    data = envelope(
        traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"),
        soap_ns="http://schemas.xmlsoap.org/soap/envelope/",
    )
    response = seeded.post(data, headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
    assert response.status_code == 500 and fault_codes(response.content)[0] == "soap:VersionMismatch"


def test_missing_contexte_lps(seeded: Stack) -> None:
    response = seeded.post(traits("MARTINEAU", "LUCIE", "F", "1985-04-12", lps=None))
    assert fault_codes(response.content) == ("soap:Sender", "soap:siram_400", "desir_400")


def test_cr01_as_fault_switch(seeded: Stack) -> None:
    httpx.post(
        seeded.control + "/seed", json={"switches": {"cr01_as_fault": True}}, timeout=20
    ).raise_for_status()
    response = seeded.post(traits("MARTINEAU", "LUCIA", "F", "1985-04-12"))
    assert fault_codes(response.content)[2] == "desir_201"
    httpx.post(
        seeded.control + "/reset", json={"scenario_id": seeded.scenario_id}, timeout=20
    ).raise_for_status()
    httpx.post(seeded.control + "/seed", json=seed_payload(), timeout=20).raise_for_status()
    assert code_cr(seeded.post(traits("MARTINEAU", "LUCIA", "F", "1985-04-12")).content) == "01"


def test_verification_is_journaled_as_verifier_ins(seeded: Stack) -> None:
    data = envelope(
        traits_body("MARTINEAU", "LUCIE", "F", "1985-04-12"),
        action=ACTION_VERIFY,
        extra=[ins_a_verifier(num("lucie"))],
    )
    assert code_cr(seeded.post(data).content) == "00"
    (record,) = seeded.exchanges(operation="verifierIns")
    assert record["correlation"]["verification"] == "conforme" and record["correlation"]["ins"] == num(
        "lucie"
    )


def test_injected_unavailability_pack(seeded: Stack) -> None:
    httpx.post(seeded.control + "/faults", json={"pack": "indisponible"}, timeout=20).raise_for_status()
    response = seeded.post(traits("MARTINEAU", "LUCIE", "F", "1985-04-12"))
    assert response.status_code == 500
    assert fault_codes(response.content) == ("soap:Receiver", "soap:siram_500", "desir_500")


def test_fault_rule_matching_an_ins(seeded: Stack) -> None:
    action = {"kind": "service_fault", "code": "siram_100", "message": "IDAM refusé pour ce patient"}
    rule = {"match": {"ins": num("parent")[:13]}, "action": action}
    httpx.post(seeded.control + "/faults", json=rule, timeout=20).raise_for_status()
    hit = seeded.post(envelope(vitale_body(num("parent")[:13], "2012-08-08", 1), action=ACTION_VITALE))
    assert fault_codes(hit.content)[2] == "desir_550"
    assert code_cr(seeded.post(traits("MARTINEAU", "LUCIE", "F", "1985-04-12")).content) == "00"


# ---- CPx mode ----------------------------------------------------------------------------------


def _assertion(pki: TestPKI) -> etree._Element:
    sign = pki.professional(PS_ID, "sign", PS_NAME)
    return saml.PsAssertion(
        issuer=saml.subject_dn(sign.cert),
        name_id=PS_ID,
        name_qualifier="1.2.250.1.71.4.2.1",
        identifiant_facturation="991234567",
        code_specialite_amo="50",
        secteur_activite="SA33",
    ).sign(sign.key, [sign.cert, pki.personnes.cert])


def test_cpx_mode_signed_assertion(seeded: Stack) -> None:
    auth = seeded.pki.professional(PS_ID, "auth", PS_NAME)
    data = traits("MARTINEAU", "LUCIE", "F", "1985-04-12", security=security(_assertion(seeded.pki)))
    response = seeded.post(data, auth)
    assert code_cr(response.content) == "00"
    (record,) = seeded.exchanges()
    assert record["correlation"]["auth"] == "CPx" and record["correlation"]["ps"] == PS_ID


def test_cpx_mode_tampered_assertion(seeded: Stack) -> None:
    auth = seeded.pki.professional(PS_ID, "auth", PS_NAME)
    assertion = _assertion(seeded.pki)
    attribute = assertion.find(f".//{{{saml.NS_SAML}}}AttributeValue")
    assert attribute is not None
    attribute.text = "000000000"
    response = seeded.post(
        traits("MARTINEAU", "LUCIE", "F", "1985-04-12", security=security(assertion)), auth
    )
    assert fault_codes(response.content) == ("soap:Sender", "soap:siram_100", "desir_570")


# ---- a toolkit-generated client ------------------------------------------------------------------


def test_zeep_client_from_the_served_wsdl(seeded: Stack) -> None:
    cred = seeded.pki.client("insi-auto")
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise win over session.verify
    session.verify = str(seeded.pki.chain_pem)
    session.cert = (str(cred.chain_pem), str(cred.key_pem))
    client = zeep.Client(seeded.url + "?wsdl", transport=Transport(session=session))
    assert client.service._binding_options["address"] == seeded.url
    now = datetime.now(UTC).replace(microsecond=0)
    lps = client.get_element("{urn:siram:lps:ctxlps}ContexteLPS")(
        Id=str(uuid.uuid4()),
        Temps=now,
        Emetteur="899700000001",
        Nature="CTXLPS",
        Version="01_00",
        LPS={
            "IDAM": {"_value_1": IDAM, "R": "4"},
            "Version": "1.2.0",
            "Instance": str(uuid.uuid4()),
            "Nom": "urn:lps:lgo-test:1.2.0",
        },
    )
    bam = client.get_element("{urn:siram:bam:ctxbam}ContexteBAM")(
        Id=str(uuid.uuid4()), Temps=now, Emetteur="899700000001", Version="01_02", COUVERTURE={}
    )
    result = client.service.rechercherInsAvecTraitsIdentite(
        NomNaissance="MARTINEAU",
        Prenom=["LUCIE"],
        Sexe="F",
        DateNaissance="1985-04-12",
        _soapheaders={"ContexteLPS": lps, "ContexteBAM": bam},
    )
    assert result.CR.CodeCR == "00" and result.INDIVIDU.TIQ.NomNaissance == "MARTINEAU"
    (record,) = seeded.exchanges(operation="rechercherInsAvecTraitsIdentite")
    assert record["correlation"]["message_id"].startswith("urn:uuid:")
    assert [f for f in record["findings"] if f["severity"] == "error"] == []
    with pytest.raises(zeep.exceptions.Fault) as info:
        client.service.rechercherInsAvecTraitsIdentite(
            NomNaissance="MARTINEAU",
            Prenom=["LUCIA"],
            Sexe="X",
            DateNaissance="1985-04-12",
            _soapheaders={"ContexteLPS": lps, "ContexteBAM": bam},
        )
    assert info.value.detail is not None and info.value.detail.find("{urn:siram}Erreur") is not None
