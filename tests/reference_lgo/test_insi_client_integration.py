"""The LGO's INSi client against the real INSi simulator on its mutual-TLS listener (simulators/core
runtime, world `default`), with the credentials of `segur-bench pki export`: CR 00 / 01 / 02,
Vitale search, INSI-MANU vs INSI-AUTO as the simulator's journal sees them, CPx mode, refused
handshakes and fault packs becoming clear French errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from protocols.pki import TestPKI
from reference_lgo.clients.insi import (
    CpxAuth,
    InsiClient,
    InsiExchange,
    InsiFault,
    InsiSettings,
    InsiUnavailable,
    LpsSoftware,
    TlsCredential,
    VitaleBeneficiary,
    key_signer,
)
from reference_lgo.domain.identity import (
    IdentityStatus,
    RepriseRefused,
    attach_insi_identity,
    create_identity,
)
from reference_lgo.domain.identity_traits import StrictTraits
from simulators.core.testing import RunningStack, running_stack
from simulators.insi import DESCRIPTOR

SOFTWARE = LpsSoftware(
    "SEGURBANC-LGO-REF", "segur-bench-lgo", "0.1.0", "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"
)
PS_ID = "899700001011"  # pr-titulaire of the default world
PS_NAME = "Hélène DAUMAS"
GARNIER = StrictTraits("Garnier", ("Julien", "Marc"), "M", "1984-06-12", "69383")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    home = tmp_path_factory.mktemp("insi-client-home")
    with running_stack(
        home, descriptors=[DESCRIPTOR], database_url=f"sqlite:///{home / 'journal.sqlite'}"
    ) as s:
        assert s.host("insi").state == "up", s.host("insi").error
        yield s


@pytest.fixture(scope="module")
def export(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pki-export")
    pki: TestPKI = stack.pki
    pki.export(directory, [(PS_ID, PS_NAME)])
    return directory


@pytest.fixture()
def scenario(stack: RunningStack) -> str:
    control = stack.control_url + "/insi"
    scenario_id = f"lgo-insi-{uuid.uuid4().hex[:8]}"
    httpx.post(control + "/reset", json={"scenario_id": scenario_id}, timeout=20).raise_for_status()
    httpx.delete(control + "/faults", timeout=20).raise_for_status()
    return scenario_id


def exchanges(stack: RunningStack, scenario_id: str) -> list[dict[str, Any]]:
    response = httpx.get(
        stack.control_url + "/insi/exchanges", params={"scenario_id": scenario_id}, timeout=20
    )
    response.raise_for_status()
    found: list[dict[str, Any]] = response.json()["exchanges"]
    return found


@pytest.fixture()
def journal() -> list[InsiExchange]:
    return []


@pytest.fixture()
def client(stack: RunningStack, export: Path, journal: list[InsiExchange]) -> Iterator[InsiClient]:
    settings = InsiSettings.from_pki_export(
        export, endpoint=stack.url("insi"), software=SOFTWARE, emitter="3692012347", timeout_s=10
    )
    insi = InsiClient(settings, on_exchange=journal.append)
    yield insi
    insi.close()


def test_cr00_for_a_person_of_the_default_world(
    stack: RunningStack, scenario: str, client: InsiClient, journal: list[InsiExchange]
) -> None:
    outcome = client.search_traits(GARNIER)
    assert outcome.code == "00" and outcome.identity is not None
    assert outcome.identity.matricule == "184066938304193"
    assert outcome.identity.oid in ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.10")
    assert outcome.identity.traits.first_names == ("JULIEN", "MARC")
    assert journal == list(outcome.exchanges)
    # the identity rules accept this answer: PROV -> RECUP
    local = create_identity(
        birth_name="Garnier",
        first_names=["Julien"],
        sex="M",
        birth_date="1984-06-12",
        birth_place="69383",
        at=outcome.exchanges[0].started_at,
        author="preparateur",
    )
    recovered = attach_insi_identity(
        local,
        matricule=outcome.identity.matricule,
        oid=outcome.identity.oid,
        returned=outcome.identity.traits,
        at=outcome.exchanges[-1].ended_at,
        author="preparateur",
    )
    assert recovered.status == IdentityStatus.RECUP
    records = exchanges(stack, scenario)
    assert [r["operation"] for r in records] == ["rechercherInsAvecTraitsIdentite"]
    assert [f for r in records for f in r["findings"] if f["severity"] == "error"] == []


def test_cr01_for_an_unknown_person(stack: RunningStack, scenario: str, client: InsiClient) -> None:
    outcome = client.search_traits(StrictTraits("Schmidt", ("Jürgen", "Karl"), "M", "1961-04-04", "99109"))
    assert outcome.code == "01" and not outcome.found
    # one call per first name, then the whole list (§1.8)
    assert [e.code_cr for e in outcome.exchanges] == ["01", "01", "01"]
    assert len(exchanges(stack, scenario)) == 3


def test_homonyms_are_told_apart_by_the_birth_place(scenario: str, client: InsiClient) -> None:
    outcome = client.search_traits(
        StrictTraits("LEFEBVRE", ("NICOLAS", "PIERRE"), "M", "1975-03-14", "62041")
    )
    assert outcome.code == "00" and outcome.identity is not None
    assert outcome.identity.matricule == "175036204105458"
    assert [e.code_cr for e in outcome.exchanges] == ["02", "02", "00"]


def test_lunar_insi_date_is_found_but_not_stored(scenario: str, client: InsiClient) -> None:
    outcome = client.search_traits(StrictTraits("BENALI", ("AHMED",), "M", "1948-00-00", None))
    assert outcome.code == "00" and outcome.identity is not None
    local = create_identity(
        birth_name="Benali",
        first_names="Ahmed",
        sex="M",
        birth_date="1948-00-00",
        birth_place="99352",
        at=outcome.exchanges[0].started_at,
        author="preparateur",
    )
    with pytest.raises(RepriseRefused) as err:
        attach_insi_identity(
            local,
            matricule=outcome.identity.matricule,
            oid=outcome.identity.oid,
            returned=outcome.identity.traits,
            at=outcome.exchanges[0].ended_at,
            author="preparateur",
        )
    assert "date_incomplete" in {r.code for r in err.value.refusals}


def test_vitale_search_for_the_second_twin(stack: RunningStack, scenario: str, client: InsiClient) -> None:
    outcome = client.search_vitale(VitaleBeneficiary("184066938304193", "20160921", rang=2))
    assert outcome.code == "00" and outcome.identity is not None
    assert outcome.identity.matricule == "216096938320855"
    (record,) = exchanges(stack, scenario)
    assert record["operation"] == "rechercherInsAvecCarteVitale"


def test_insi_manu_and_insi_auto_credentials(stack: RunningStack, scenario: str, client: InsiClient) -> None:
    manu = client.search_traits(GARNIER, auth="manu")
    auto = client.search_traits(GARNIER, auth="auto")
    assert (manu.exchanges[0].credential, auto.exchanges[0].credential) == ("INSI-MANU", "INSI-AUTO")
    records = exchanges(stack, scenario)
    seen = sorted((r["correlation"].get("auth"), r["peer"]["subject"]) for r in records)
    assert [auth for auth, _ in seen] == ["INSI-AUTO", "INSI-MANU"]
    assert all(f"CN={auth}" in subject for auth, subject in seen)


def test_cpx_mode(stack: RunningStack, scenario: str, client: InsiClient, export: Path) -> None:
    pki: TestPKI = stack.pki
    sign = pki.professional(PS_ID, "sign", PS_NAME)
    base = f"ps-{PS_ID[1:]}"
    auth = CpxAuth.from_certificate(
        sign.cert,
        tls=TlsCredential(
            f"CPx {PS_ID}",
            export / "clients" / f"{base}-auth.chain.pem",
            export / "clients" / f"{base}-auth.key",
        ),
        signer=key_signer(sign.key, sign.chain),
        identifiant_facturation="691234567",
        code_specialite_amo="50",
        secteur_activite="SA33",
    )
    outcome = client.search_traits(GARNIER, auth=auth)
    assert outcome.code == "00"
    (record,) = exchanges(stack, scenario)
    assert record["correlation"].get("auth") == "CPx" and record["correlation"].get("ps") == PS_ID
    assert [f for f in record["findings"] if f["severity"] == "error"] == []


def test_wrong_ca_certificate_is_refused_at_the_handshake(
    stack: RunningStack, scenario: str, client: InsiClient, export: Path, journal: list[InsiExchange]
) -> None:
    clients = export / "clients"
    wrong = TlsCredential(
        "INSI-AUTO", clients / "insi-auto-wrong-ca.chain.pem", clients / "insi-auto-wrong-ca.key"
    )
    bad = InsiClient(
        replace(client.settings, auto=wrong),
        on_exchange=journal.append,
    )
    try:
        with pytest.raises(InsiUnavailable) as err:
            bad.search_traits(GARNIER, auth="auto")
    finally:
        bad.close()
    # TLS 1.3: the refusal comes after the client's handshake, as a closed connection
    assert err.value.kind in ("tls", "coupure")
    assert "certificat" in err.value.user_message
    assert len(journal) == 1 and journal[0].response is None and journal[0].credential == "INSI-AUTO"
    (record,) = exchanges(stack, scenario)
    assert record["operation"] == "tls-handshake" and "TEST AC INCONNUE" in record["peer"]["issuer"]


def test_unknown_idam_is_a_typed_fault(stack: RunningStack, scenario: str, client: InsiClient) -> None:
    other = LpsSoftware("IDAM-INCONNU-42", "segur-bench-lgo", "0.1.0", SOFTWARE.instance)
    bad = InsiClient(replace(client.settings, software=other))
    try:
        with pytest.raises(InsiFault) as err:
            bad.search_traits(GARNIER)
    finally:
        bad.close()
    assert err.value.code == "desir_550" and "IDAM" in err.value.user_message
    assert err.value.exchanges[0].fault_code == "desir_550"


def arm(stack: RunningStack, pack: str) -> None:
    httpx.post(stack.control_url + "/insi/faults", json={"pack": pack}, timeout=20).raise_for_status()


@pytest.mark.parametrize(
    ("pack", "kind", "fragment"),
    [
        ("coupure", "coupure", "interrompue"),
        ("malformee", "reponse_invalide", "aucune donnée n'a été enregistrée"),
        ("erreur-http", "http", "HTTP 503"),
        ("tls", "tls", "TLS"),
    ],
)
def test_fault_packs_give_insi_unavailable(
    stack: RunningStack,
    scenario: str,
    client: InsiClient,
    journal: list[InsiExchange],
    pack: str,
    kind: str,
    fragment: str,
) -> None:
    arm(stack, pack)
    with pytest.raises(InsiUnavailable) as err:
        client.search_traits(GARNIER)
    assert err.value.kind == kind
    assert fragment in err.value.user_message
    assert journal and journal[-1].error == err.value.user_message
    httpx.delete(stack.control_url + "/insi/faults", timeout=20).raise_for_status()
    assert client.search_traits(GARNIER).code == "00"  # the client recovers once the fault is gone


def test_unavailable_pack_is_a_retryable_fault(
    stack: RunningStack, scenario: str, client: InsiClient
) -> None:
    arm(stack, "indisponible")
    with pytest.raises(InsiFault) as err:
        client.search_traits(GARNIER)
    assert err.value.retryable and err.value.soap_code == "Receiver"
    assert "momentanément indisponible" in err.value.user_message


def test_slow_service_gives_a_timeout(stack: RunningStack, scenario: str, client: InsiClient) -> None:
    arm(stack, "lent")  # 3 s per answer
    impatient = InsiClient(replace(client.settings, timeout_s=1.0))
    try:
        with pytest.raises(InsiUnavailable) as err:
            impatient.search_traits(GARNIER)
    finally:
        impatient.close()
    assert err.value.kind == "timeout"
    assert "ne répond pas (délai de 1 s dépassé)" in err.value.user_message


def test_missing_certificate_files_are_a_configuration_error(client: InsiClient, tmp_path: Path) -> None:
    missing = TlsCredential("INSI-MANU", tmp_path / "absent.pem", tmp_path / "absent.key")
    broken = InsiClient(replace(client.settings, manu=missing))
    with pytest.raises(InsiUnavailable) as err:
        broken.search_traits(GARNIER)
    assert err.value.kind == "configuration"
    assert "Certificat INSI-MANU" in err.value.user_message
    assert err.value.exchanges[0].response is None
