"""The INSi requests the LGO builds: structure of §1.3/§1.5 and appendix 7bis, the simulator's XSDs,
and the simulator's own handler (in process) accepting them without an error finding."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from protocols import saml, soap
from protocols.identifiers import nir_key
from protocols.pki import TestPKI
from reference_lgo.clients.insi import (
    CpxAuth,
    HttpAnswer,
    InsiClient,
    InsiSettings,
    LpsSoftware,
    TlsCredential,
    TraitsQuery,
    VitaleBeneficiary,
    key_signer,
    vitale_query,
)
from reference_lgo.clients.insi.messages import (
    NS_CTXBAM,
    NS_CTXLPS,
    NS_RECSANS,
    NS_RECVIT,
    OP_TRAITS,
    OP_VITALE,
    build_request,
    traits_body,
    vitale_body,
)
from scenarios import load_world
from simulators.core.peer import PeerIdentity
from simulators.insi import schemas
from simulators.insi.models import InsiBackend
from simulators.insi.wire import InsiHandler, Outcome, Trust

SOFTWARE = LpsSoftware(
    "SEGURBANC-LGO-REF", "segur-bench-lgo", "0.1.0", "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"
)
EMITTER = "3692012347"
NOW = datetime(2026, 11, 22, 9, 30, 12, 345678, tzinfo=UTC)
PS_ID = "899700001011"
PS_NAME = "Hélène DAUMAS"


@pytest.fixture(scope="module")
def pki(bench_home: Path) -> TestPKI:
    return TestPKI.ensure(bench_home / "pki")


def parse(data: bytes) -> soap.ParsedEnvelope:
    return soap.parse_envelope(data)


def traits_request(**kw: object) -> bytes:
    query = TraitsQuery("GARNIER", ("JULIEN",), "M", "1984-06-12", None)
    return build_request(
        OP_TRAITS,
        traits_body(query),
        software=SOFTWARE,
        emitter=EMITTER,
        now=NOW,
        message_id="uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
        **kw,  # type: ignore[arg-type]
    )


def test_traits_request_structure() -> None:
    env = parse(traits_request())
    assert env.action == "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
    assert env.message_id == "uuid:0f8fad5b-d9cb-469f-a165-70867728950e"
    assert env.header is not None
    assert [etree.QName(b).localname for b in env.header] == [
        "Action",
        "MessageID",
        "ContexteBAM",
        "ContexteLPS",
    ]
    assert env.header_block(soap.NS_WSSE, "Security") is None  # certificate mode: no assertion
    body = env.body_child
    assert body is not None and body.tag == f"{{{NS_RECSANS}}}RECSANSVITALE"
    assert [etree.QName(c).localname for c in body] == ["NomNaissance", "Prenom", "Sexe", "DateNaissance"]
    assert body.findtext(f"{{{NS_RECSANS}}}Prenom") == "JULIEN"


def test_contexte_lps_and_bam() -> None:
    env = parse(traits_request())
    lps = env.header_block(NS_CTXLPS, "ContexteLPS")
    bam = env.header_block(NS_CTXBAM, "ContexteBAM")
    assert lps is not None and bam is not None
    assert (lps.get("Nature"), lps.get("Version")) == ("CTXLPS", "01_00")
    c = f"{{{NS_CTXLPS}}}"
    assert lps.findtext(c + "Temps") == "2026-11-22T09:30:12Z"
    assert lps.findtext(c + "Emetteur") == EMITTER
    idam = lps.find(f"{c}LPS/{c}IDAM")
    assert idam is not None and idam.text == "SEGURBANC-LGO-REF" and idam.get("R") == "4"
    assert lps.findtext(f"{c}LPS/{c}Nom") == "urn:lps:segur-bench-lgo:0.1.0"
    assert lps.findtext(f"{c}LPS/{c}Instance") == SOFTWARE.instance
    assert len(lps.findtext(c + "Id") or "") == 36
    assert bam.get("Version") == "01_02"
    couverture = bam.find(f"{{{NS_CTXBAM}}}COUVERTURE")
    assert couverture is not None and len(couverture) == 0  # present and empty for a traits search
    for element in (lps, bam, env.body_child):
        assert element is not None and schemas.errors(element) == []


def test_full_list_and_birth_place_go_in_the_body() -> None:
    query = TraitsQuery("LEFEBVRE", ("NICOLAS PIERRE",), "M", "1975-03-14", "59350")
    body = traits_body(query)
    assert body.findtext(f"{{{NS_RECSANS}}}Prenom") == "NICOLAS PIERRE"
    assert body.findtext(f"{{{NS_RECSANS}}}LieuNaissance") == "59350"
    assert schemas.errors(body) == []


def test_vitale_request_repeats_the_card_keys_in_contexte_bam() -> None:
    insured = "1840669383041"
    own = "2160969383207"
    query = vitale_query(
        VitaleBeneficiary(insured + nir_key(insured), "20160921", rang=1, nir=own, birth_name="Garnier")
    )
    assert (query.insured_num, query.insured_key, query.beneficiary_num) == (insured, nir_key(insured), own)
    data = build_request(
        OP_VITALE,
        vitale_body(query),
        software=SOFTWARE,
        emitter=EMITTER,
        now=NOW,
        message_id="uuid:x",
        coverage=query,
    )
    env = parse(data)
    assert env.action == "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale"
    body = env.body_child
    assert body is not None
    v = f"{{{NS_RECVIT}}}"
    assert [etree.QName(c).localname for c in body] == [
        "MatriculeIndividu",
        "MatriculeOD",
        "NomNaissance",
        "DateNaissance",
        "RangNaissance",
    ]
    assert body.findtext(f"{v}MatriculeOD/{v}NumIdentifiant") == insured
    assert body.findtext(f"{v}DateNaissance") == "2016-09-21"
    b = f"{{{NS_CTXBAM}}}"
    bam = env.header_block(NS_CTXBAM, "ContexteBAM")
    assert bam is not None
    assert bam.findtext(f"{b}COUVERTURE/{b}ASSURE/{b}Id/{b}Num") == insured
    assert bam.findtext(f"{b}COUVERTURE/{b}BENEFICIAIRE/{b}Nir/{b}Num") == own
    assert bam.findtext(f"{b}COUVERTURE/{b}BENEFICIAIRE/{b}DateNai") == "2016-09-21"
    assert bam.findtext(f"{b}COUVERTURE/{b}BENEFICIAIRE/{b}Rang") == "1"
    assert schemas.errors(body) == [] and schemas.errors(bam) == []


def test_lunar_card_date_is_sent_as_is() -> None:
    body = vitale_body(vitale_query(VitaleBeneficiary("1482099352046", "19480000")))
    assert body.findtext(f"{{{NS_RECVIT}}}DateNaissance") == "1948-00-00"
    assert body.find(f"{{{NS_RECVIT}}}MatriculeIndividu") is None
    assert schemas.errors(body) == []


def test_cpx_request_carries_a_verifiable_ps_assertion(pki: TestPKI) -> None:
    sign = pki.professional(PS_ID, "sign", PS_NAME)
    auth = CpxAuth.from_certificate(
        sign.cert,
        tls=TlsCredential("CPx", Path("auth.pem"), Path("auth.key")),
        signer=key_signer(sign.key, sign.chain),
        identifiant_facturation="691234567",
        code_specialite_amo="50",
        secteur_activite="SA33",
    )
    env = parse(traits_request(assertion=auth.signed_assertion(NOW)))
    assert env.header is not None and etree.QName(env.header[0]).localname == "Security"
    security = env.header_block(soap.NS_WSSE, "Security")
    assert security is not None
    assertion_el = security.find(f"{{{saml.NS_SAML}}}Assertion")
    assert assertion_el is not None
    assertion, signer = saml.verify_assertion(assertion_el, pki.trust_roots(), at=NOW)
    ps = saml.PsAssertion.from_assertion(assertion)
    assert ps.name_id == PS_ID and ps.secteur_activite == "SA33" and ps.code_specialite_amo == "50"
    assert ps.issuer == saml.subject_dn(sign.cert)
    assert signer.serial_number == sign.cert.serial_number


# --- the simulator's handler reads our requests without an error finding ---------------------


class HandlerTransport:
    """Routes the client's requests to the INSi simulator's handler in process."""

    endpoint = "https://localhost:7001/lps"

    def __init__(self, handler: InsiHandler, peers: dict[str, PeerIdentity | None]) -> None:
        self.handler = handler
        self.peers = peers
        self.outcomes: list[Outcome] = []
        self.content_types: list[str] = []

    def post(self, credential: TlsCredential, body: bytes, action: str) -> HttpAnswer:
        content_type = f'{soap.CONTENT_TYPE}; action="{action}"'
        self.content_types.append(content_type)
        out = self.handler.process(body, content_type, self.peers[credential.label], datetime.now(UTC))
        self.outcomes.append(out)
        return HttpAnswer(out.status, out.content_type, out.body)

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def handler(pki: TestPKI) -> InsiHandler:
    trust = Trust(
        roots=[*pki.trust_roots(), pki.personnes.cert],
        organisations=pki.organisations.cert.subject,
        personnes=pki.personnes.cert.subject,
    )
    return InsiHandler(InsiBackend(load_world("default")), trust)


@pytest.fixture()
def settings(tmp_path: Path) -> InsiSettings:
    return InsiSettings(
        endpoint="https://localhost:7001/lps",
        ca_chain_pem=tmp_path / "chain.pem",
        manu=TlsCredential("INSI-MANU", tmp_path / "m.pem", tmp_path / "m.key"),
        auto=TlsCredential("INSI-AUTO", tmp_path / "a.pem", tmp_path / "a.key"),
        software=SOFTWARE,
        emitter=EMITTER,
    )


def peers(pki: TestPKI) -> dict[str, PeerIdentity | None]:
    return {
        name.upper(): PeerIdentity.from_chain([pki.client(name).cert, pki.organisations.cert])
        for name in ("insi-manu", "insi-auto")
    } | {"CPx": PeerIdentity.from_chain([pki.professional(PS_ID, "auth", PS_NAME).cert, pki.personnes.cert])}


def error_findings(out: Outcome) -> list[tuple[str, str]]:
    return [(c.rule, c.message) for c in out.checks if c.severity != "info"]


def test_simulator_accepts_our_traits_search_without_findings(
    handler: InsiHandler, settings: InsiSettings, pki: TestPKI
) -> None:
    from reference_lgo.domain.identity_traits import StrictTraits

    transport = HandlerTransport(handler, peers(pki))
    client = InsiClient(settings, transport=transport)
    outcome = client.search_traits(StrictTraits("Garnier", ("Julien", "Marc"), "M", "1984-06-12", None))
    assert outcome.code == "00" and outcome.identity is not None
    assert outcome.identity.matricule == "184066938304193"
    assert [error_findings(o) for o in transport.outcomes] == [[]]
    assert transport.outcomes[0].correlation["auth"] == "INSI-MANU"


def test_simulator_accepts_our_vitale_search_without_findings(
    handler: InsiHandler, settings: InsiSettings, pki: TestPKI
) -> None:
    transport = HandlerTransport(handler, peers(pki))
    client = InsiClient(settings, transport=transport)
    outcome = client.search_vitale(VitaleBeneficiary("184066938304193", "20160921", rang=2), auth="auto")
    assert outcome.code == "00" and outcome.identity is not None
    assert outcome.identity.traits.first_names == ("INES", "JEANNE")  # twin of rang 2
    assert [error_findings(o) for o in transport.outcomes] == [[]]
    assert transport.outcomes[0].correlation["auth"] == "INSI-AUTO"


def test_simulator_accepts_our_cpx_search_without_findings(
    handler: InsiHandler, settings: InsiSettings, pki: TestPKI
) -> None:
    from reference_lgo.domain.identity_traits import StrictTraits

    sign = pki.professional(PS_ID, "sign", PS_NAME)
    auth = CpxAuth.from_certificate(
        sign.cert,
        tls=TlsCredential("CPx", Path("unused.pem"), Path("unused.key")),
        signer=key_signer(sign.key, sign.chain),
        identifiant_facturation="691234567",
        code_specialite_amo="50",
        secteur_activite="SA33",
    )
    transport = HandlerTransport(handler, peers(pki))
    outcome = InsiClient(settings, transport=transport).search_traits(
        StrictTraits("BLANCHARD", ("ISABELLE",), "F", "1979-11-03", None), auth=auth
    )
    assert outcome.code == "00"
    assert outcome.exchanges[0].credential == f"CPx {PS_ID}"
    assert transport.outcomes[0].correlation.get("auth") == "CPx"
    assert transport.outcomes[0].correlation.get("ps") == PS_ID
    assert [error_findings(o) for o in transport.outcomes] == [[]]
