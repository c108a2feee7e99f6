"""INSi fault catalogue, render_fault for the core's fault injection, and the software configuration."""

from __future__ import annotations

import pytest
from insi_testkit import fault_codes
from lxml import etree

from simulators.insi import errors, schemas
from simulators.insi.service import with_env_software
from simulators.insi.wire import fault_outcome


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("desir_550", ("soap:Sender", "soap:siram_100", "desir_550")),
        ("siram_100", ("soap:Sender", "soap:siram_100", "desir_550")),
        ("DESIR_560", ("soap:Sender", "soap:siram_100", "DESIR_560")),
        ("indisponible", ("soap:Receiver", "soap:siram_500", "desir_500")),
        ("BANC_INDISPONIBLE", ("soap:Receiver", "soap:siram_500", "desir_500")),
        ("siram_42", ("soap:Sender", "soap:siram_42", "siram_42")),
        ("desir_999", ("soap:Sender", "soap:siram_100", "desir_999")),
    ],
)
def test_fault_codes_and_aliases(code: str, expected: tuple[str, str, str]) -> None:
    out = fault_outcome(code, "Message du banc", message_id="uuid:0f8fad5b-d9cb-469f-a165-70867728950e")
    assert fault_codes(out.body) == expected
    assert out.status == (500 if expected[0] == "soap:Receiver" else 400)
    erreur = etree.fromstring(out.body).find(".//{urn:siram}Erreur")
    assert erreur is not None and schemas.errors(erreur) == []


def test_public_faults_keep_the_real_detail_text() -> None:
    assert (
        errors.fault_spec("desir_550", "autre texte").detail_text
        == "Numéro d'autorisation du logiciel inconnu."
    )
    assert errors.fault_spec("desir_400", "Sexe invalide").detail_text == "Sexe invalide"


def test_every_catalogue_fault_has_a_french_reason() -> None:
    for spec in errors.FAULTS.values():
        assert spec.reason and spec.detail_text
        assert spec.severite in ("information", "avertissement", "erreur", "fatale")


def test_software_from_the_environment() -> None:
    env = {"SEGUR_BENCH_INSI_SOFTWARE": "ED-1:mon-lgo:4.2, ED-2"}
    config = with_env_software({"software": [{"idam": "C-1"}]}, env)
    assert [s["idam"] for s in config["software"]] == ["C-1", "ED-1", "ED-2"]
    assert config["software"][1] == {"idam": "ED-1", "name": "mon-lgo", "version": "4.2"}
    assert with_env_software({"port": 1}, {}) == {"port": 1}
