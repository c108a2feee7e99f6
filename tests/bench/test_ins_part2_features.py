"""Static checks of the issue-8 INS scenarios (W1-INS-13, 21-25 and the CNDA evidence presence) and
their step library, without a stack: the features parse, carry the tags the catalogue asks for (the
conditional rows say so, W1-INS-25 is @PEUT), every step has exactly one definition, the INS theme
has no coverage gap in either wave, and the library's checks behave against a driver API played by
httpx's mock transport and a fake control plane."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from click.testing import CliRunner

from bench import exitcodes, paths
from bench.commands.rem import rem_group
from bench.steps_lib import (
    ins,
    ins_bulk,
    ins_copies,
    ins_cpx,
    ins_domains,
    ins_justificatifs,
    ins_part2,
    ins_sheet,
    proofs,
)
from bench.steps_lib.state import ScenarioBench
from bench.targets import DriverTarget, TargetSpec
from bench.targets.errors import BenchError
from protocols import ins_datamatrix
from scenarios import load_world
from scenarios.rem import load_catalogue, load_not_tested

FEATURES = paths.repo_root() / "features"
PART2 = {
    "justificatifs.feature": {"W1-INS-13"},
    "autre_domaine.feature": {"W1-INS-21"},
    "cpx.feature": {"W1-INS-22"},
    "fiche_identite.feature": {"W1-INS-23"},
    "copies_pieces.feature": {"W1-INS-24"},
    "verification_masse.feature": {"W1-INS-25"},
}
ROWS = {row.bench_id: row for wave in (1, 2) for row in load_catalogue(wave)}
WORLD = load_world()


def _parse(path: Path) -> Any:
    from behave.parser import parse_file

    feature = parse_file(str(path))
    assert feature is not None, f"{path.name} est vide"
    return feature


def _scenarios(name: str) -> list[tuple[Any, set[str]]]:
    feature = _parse(FEATURES / "ins" / name)
    return [(s, {str(tag) for tag in s.effective_tags}) for s in feature.walk_scenarios()]


# --- the features ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PART2))
def test_feature_parses_in_french_and_verifies_its_row(name: str) -> None:
    path = FEATURES / "ins" / name
    assert path.read_text(encoding="utf-8").startswith("# language: fr\n")
    feature = _parse(path)
    assert feature.language == "fr" and "INS" in feature.tags
    scenarios = _scenarios(name)
    assert len(scenarios) >= 3, f"{name} : scénarios positifs et négatifs attendus"
    for scenario, tags in scenarios:
        reqs = {tag.removeprefix("REQ.") for tag in tags if tag.startswith("REQ.")}
        assert PART2[name] <= reqs, f"{name} « {scenario.name} » : {reqs}"
        rows = [ROWS[r] for r in reqs]
        assert {f"vague{row.wave}" for row in rows} == {t for t in tags if t.startswith("vague")}
        assert {row.obligation for row in rows} == {"DOIT", "PEUT"} & tags
        assert {a for row in rows for a in row.ans_ids} == {
            t.removeprefix("ANS.") for t in tags if t.startswith("ANS.")
        }


def test_optional_and_conditional_rows_show_it() -> None:
    assert all(
        "PEUT" in tags and "ANS.SC.INS.58" in tags for _, tags in _scenarios("verification_masse.feature")
    )
    assert ROWS["W1-INS-24"].conditional and ROWS["W1-INS-21"].conditional
    for name in ("copies_pieces.feature", "autre_domaine.feature"):
        text = (FEATURES / "ins" / name).read_text(encoding="utf-8")
        assert "Exigence conditionnelle" in text
        for scenario, tags in _scenarios(name):
            assert "DOIT" in tags
            first = scenario.steps[0]
            assert first.step_type == "given" and "(exigence conditionnelle)" in first.name, scenario.name
    assert all("conditionnelle" in s.name for s, _ in _scenarios("copies_pieces.feature"))


def test_cnda_rows_have_an_evidence_presence_scenario() -> None:
    for name, row in (("cpx.feature", "W1-INS-22"), ("autre_domaine.feature", "W1-INS-21")):
        assert "cnda" in ROWS[row].evidence_type
        found = [
            s
            for s, tags in _scenarios(name)
            if f"REQ.{row}" in tags
            and any(f"pièce justificative pour l'exigence « {row} »" in step.name for step in s.steps)
        ]
        assert len(found) == 1, name
        names = [step.name for step in found[0].steps]
        assert any("empreinte SHA-256" in n and "jointe au rapport" in n for n in names)


@pytest.fixture
def registry() -> Iterator[Any]:
    from behave import step_registry
    from behave.runner_util import load_step_modules

    step_registry.registry.clear()
    try:
        load_step_modules([str(FEATURES / "steps")])  # AmbiguousStep on overlapping definitions
        yield step_registry.registry
    finally:
        step_registry.registry.clear()


def test_every_step_has_one_definition(registry: Any) -> None:
    missing, count = [], 0
    for name in PART2:
        for scenario, _ in _scenarios(name):
            for step in scenario.steps:
                count += 1
                if registry.find_match(step) is None:
                    missing.append(f"{name}:{step.line} {step.keyword} {step.name}")
    assert not missing, "Étapes sans définition :\n" + "\n".join(missing)
    assert count > 150


def test_a_long_label_with_parentheses_is_one_argument(registry: Any) -> None:
    from behave.model import Step

    text = (
        "le compte « titulaire » ajoute à la liste le justificatif « cni_ue » (« Carte d'identité d'un État "
        "de l'Union européenne ») de confiance « haute »"
    )
    match = registry.find_match(Step("x.feature", 1, "Quand", "when", text))
    assert match is not None
    assert [a.value for a in match.arguments] == [
        "titulaire",
        "cni_ue",
        "Carte d'identité d'un État de l'Union européenne",
        "haute",
    ]


@pytest.mark.parametrize("wave", [None, "1", "2"])
def test_rem_coverage_of_the_ins_theme_has_no_gap(wave: str | None) -> None:
    args = ["coverage", "--theme", "INS", "--json", *(["--wave", wave] if wave else [])]
    result = CliRunner().invoke(rem_group, args)
    assert result.exit_code == exitcodes.PASS, result.output
    report = json.loads(result.stdout)
    assert report["gaps"] == [] and report["stale_reasons"] == []
    covered = {row["bench_id"] for row in report["rows"] if row["scenarios"]}
    if wave != "2":
        assert {"W1-INS-13", "W1-INS-21", "W1-INS-22", "W1-INS-23", "W1-INS-24", "W1-INS-25"} <= covered


def test_no_wave_1_ins_reason_is_left() -> None:
    assert not [key for key in load_not_tested() if key.startswith("W1-INS-")]


# --- the library against a mock driver API ------------------------------------------------------------

Handler = Callable[[httpx.Request], httpx.Response]


class Driver:
    """A tiny driver API: routes (method, path) -> handler or canned answer; calls are recorded."""

    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Handler | tuple[int, Any]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path = request.url.path.removeprefix("/driver/v1")
        if request.method == "POST" and path == "/sessions":
            login = json.loads(request.content)["login"]
            return httpx.Response(201, json={"token": f"t-{login}", "account": {"login": login}})
        route = self.routes.get((request.method, path))
        if route is None:
            return httpx.Response(404, json={"code": "http_404", "detail": "Action inconnue."})
        if callable(route):
            return route(request)
        status, body = route
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        return httpx.Response(status, json=body)

    def bodies(self, method: str, path: str) -> list[Any]:
        return [
            json.loads(r.content) if r.content else None
            for r in self.calls
            if r.method == method and r.url.path == "/driver/v1" + path
        ]


class Control:
    """The control plane as the steps read it: the scenario's journal records, card removal."""

    base_url = "http://127.0.0.1:7900/_bench"

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.removed: list[int] = []

    def exchanges(
        self, *, service: str | None = None, operation: str | None = None, **_: Any
    ) -> list[dict[str, Any]]:
        return [
            r
            for r in self.records
            if (service is None or r["service"] == service)
            and (operation is None or r["operation"] == operation)
        ]

    def remove_card(self, slot: int) -> dict[str, Any]:
        self.removed.append(slot)
        return {}


@pytest.fixture
def driver() -> Driver:
    return Driver()


@pytest.fixture
def control() -> Control:
    return Control()


@pytest.fixture
def bench(driver: Driver, control: Control) -> ScenarioBench:
    target = DriverTarget(
        TargetSpec("driver", "http://lgo.test/driver/v1"), transport=httpx.MockTransport(driver)
    )
    run = SimpleNamespace(target=target, control=control, world=WORLD)
    current = SimpleNamespace(scenario_id="run-s001", screenshots=[], attachments=[])
    return ScenarioBench(run=cast(Any, run), current=cast(Any, current))


def _patient(pid: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "status": status, "traits": {}, "ins": None, **extra}


def test_datamatrix_texts_built_from_world_persons(bench: ScenarioBench) -> None:
    text = ins_domains.datamatrix_text(bench, "roussel-thomas")
    payload = ins_datamatrix.decode(text)
    roussel = WORLD.person("roussel-thomas")
    assert (payload.matricule, payload.birth_name, payload.first_names) == (
        roussel.matricule,
        "ROUSSEL",
        ("THOMAS", "ADRIEN"),
    )
    mixed = ins_datamatrix.decode(
        ins_domains.datamatrix_text(bench, "roussel-thomas", matricule_of="morel-sophie")
    )
    assert mixed.matricule == WORLD.person("morel-sophie").matricule and mixed.birth_name == "ROUSSEL"
    with pytest.raises(ins_datamatrix.InsDataMatrixError) as refused:
        ins_datamatrix.decode(ins_domains.datamatrix_text(bench, "roussel-thomas", wrong_key=True))
    assert refused.value.field == "S1"
    with pytest.raises(BenchError, match="pas d'INS"):
        ins_domains.datamatrix_text(bench, "schmidt-jurgen")


def test_evidence_types_are_written_back_whole(bench: ScenarioBench, driver: Driver) -> None:
    listing = {
        "types": [
            {"code": "passeport", "label": "Passeport", "trust": "haute", "active": True},
            {"code": "livret_famille", "label": "Livret de famille", "trust": "faible", "active": True},
        ],
        "auto_validation": False,
    }

    def put(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "types" in body:
            listing["types"] = body["types"]
        return httpx.Response(200, json=listing)

    driver.routes[("GET", "/settings/evidence-types")] = lambda r: httpx.Response(200, json=listing)
    driver.routes[("PUT", "/settings/evidence-types")] = put
    ins_justificatifs.check_listed(bench, [("passeport", "haute"), ("livret_famille", "faible")])
    with pytest.raises(AssertionError, match="cni"):
        ins_justificatifs.check_listed(bench, [("cni", "haute")])
    ins_justificatifs.add_type(bench, "titulaire", "cni_ue", "Carte d'identité UE", "haute")
    assert [t["code"] for t in driver.bodies("PUT", "/settings/evidence-types")[-1]["types"]] == [
        "passeport",
        "livret_famille",
        "cni_ue",
    ]
    ins_justificatifs.withdraw_type(bench, "titulaire", "livret_famille")
    sent = driver.bodies("PUT", "/settings/evidence-types")[-1]["types"]
    assert {t["code"]: t.get("active") for t in sent}["livret_famille"] is False
    ins_justificatifs.check_auto_validation_off(bench)
    with pytest.raises(BenchError):
        ins_justificatifs.add_type(bench, "titulaire", "x", "X", "moyenne")


def test_an_lgo_without_the_active_flag_drops_the_type(bench: ScenarioBench, driver: Driver) -> None:
    types = [
        {"code": "cni", "label": "CNI", "trust": "haute"},
        {"code": "autre", "label": "Autre", "trust": "faible"},
    ]
    driver.routes[("GET", "/settings/evidence-types")] = (200, {"types": types, "auto_validation": False})
    driver.routes[("PUT", "/settings/evidence-types")] = lambda r: httpx.Response(
        200, json={**json.loads(r.content), "auto_validation": False}
    )
    ins_justificatifs.withdraw_type(bench, "titulaire", "autre")
    assert driver.bodies("PUT", "/settings/evidence-types")[-1] == {"types": [types[0]]}


def test_recorded_evidence_names_its_author_and_trust(bench: ScenarioBench, driver: Driver) -> None:
    ins.remember_patient(bench, "lp-ferreira", "7")
    item = {
        "type": "passeport",
        "trust": "haute",
        "checked": True,
        "author": "adjoint",
        "at": "2026-11-22T10:00:00Z",
    }
    driver.routes[("GET", "/patients/7")] = (200, _patient("7", "QUAL", evidence=[item]))
    ins_justificatifs.check_recorded(bench, "lp-ferreira", "passeport", "haute", "adjoint")
    with pytest.raises(AssertionError, match="confiance « haute » et non « faible »"):
        ins_justificatifs.check_recorded(bench, "lp-ferreira", "passeport", "faible", "adjoint")
    with pytest.raises(AssertionError, match="contrôlé par « preparateur »"):
        ins_justificatifs.check_recorded(bench, "lp-ferreira", "passeport", "haute", "preparateur")
    item["author"] = "Karim Ouali"  # the display name of the account is accepted too
    ins_justificatifs.check_recorded(bench, "lp-ferreira", "passeport", "haute", "adjoint")


def test_import_outcomes(bench: ScenarioBench, driver: Driver) -> None:
    driver.routes[("POST", "/patients/import-ins")] = (
        422,
        {"code": "donnees_invalides", "detail": "source ?"},
    )
    assert ins_domains.offered(bench)
    driver.routes[("POST", "/patients/import-ins")] = (
        200,
        {"result": "integre", "patient_id": 31, "reason": "créée"},
    )
    driver.routes[("GET", "/patients/31")] = (200, _patient("31", "RECUP"))
    ins_domains.import_datamatrix(
        bench, "preparateur", ins_domains.datamatrix_text(bench, "roussel-thomas"), "x"
    )
    assert driver.bodies("POST", "/patients/import-ins")[-1]["source"] == "datamatrix"
    ins_domains.check_integrated(bench, "roussel-thomas", "RECUP")
    assert ins.patient_id(bench, "roussel-thomas") == "31"
    with pytest.raises(AssertionError, match="intégrée"):
        ins_domains.check_not_integrated(bench)
    driver.routes[("POST", "/patients/import-ins")] = (
        200,
        {
            "result": "non_integre",
            "patient_id": None,
            "reason": "INSi ne connaît pas cet INS : identité non intégrée.",
        },
    )
    ins_domains.import_document(bench, "adjoint", "payet-jean-luc")
    sent = driver.bodies("POST", "/patients/import-ins")[-1]
    assert (
        sent["ins"]["matricule"] == WORLD.person("payet-jean-luc").matricule and sent["source"] == "document"
    )
    ins_domains.check_not_integrated(bench)
    driver.routes[("POST", "/patients/import-ins")] = (200, {"result": "non_integre", "reason": "KO"})
    ins_domains.import_document(bench, "adjoint", "payet-jean-luc")
    with pytest.raises(AssertionError, match="illisible"):
        ins_domains.check_not_integrated(bench)
    del driver.routes[("POST", "/patients/import-ins")]
    assert not ins_domains.offered(bench)


def test_nothing_stored_looks_by_matricule_and_by_traits(bench: ScenarioBench, driver: Driver) -> None:
    morel = WORLD.person("morel-sophie")

    def patients(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("birth_date") == str(morel.birth_date):
            items = [{"id": 3, "birth_name": "Morel", "first_names": ["Sophie"], "birth_date": "1968-05-19"}]
            return httpx.Response(200, json={"items": items, "total": 1})
        return httpx.Response(200, json={"items": [], "total": 0})

    driver.routes[("GET", "/patients")] = patients
    ins_domains.check_nothing_stored(bench, "roussel-thomas")
    with pytest.raises(AssertionError, match="morel-sophie"):
        ins_domains.check_nothing_stored(bench, "morel-sophie")


def test_lgo_verification_journal(bench: ScenarioBench, driver: Driver) -> None:
    items = [{"at": "t", "credential": "INSI-AUTO", "result": "KO", "action": "verification"}]
    driver.routes[("GET", "/journals/insi-calls")] = (200, {"items": items, "total": 1})
    ins_domains.check_lgo_verification(bench, "KO")
    with pytest.raises(AssertionError, match="résultat OK"):
        ins_domains.check_lgo_verification(bench, "OK")


def _insi(operation: str, **correlation: str) -> dict[str, Any]:
    return {
        "service": "insi",
        "operation": operation,
        "correlation": correlation,
        "response": {"status": 200},
    }


def test_cpx_checks_read_the_insi_and_cards_journals(
    bench: ScenarioBench, driver: Driver, control: Control
) -> None:
    ins.remember_patient(bench, "lp-garnier-julien", "4")
    driver.routes[("GET", "/patients/4")] = (200, _patient("4", "PROV"))
    driver.routes[("POST", "/patients/4/insi/search")] = (200, {"code_cr": "00"})
    signature = {"service": "cards", "operation": "PSO CDS", "correlation": {"card_id": "cps-titulaire"}}
    control.records.append(dict(signature))  # the login's own signature: before the call
    ins_cpx.search(bench, "titulaire", "lp-garnier-julien")
    assert driver.bodies("POST", "/patients/4/insi/search")[-1] == {"mode": "traits", "auth": "cpx"}
    titulaire = ins_cpx.id_nat_ps_of(bench, "titulaire")
    assert titulaire == "8" + WORLD.professional("pr-titulaire").rpps
    with pytest.raises(AssertionError, match="n'a rien signé"):
        ins_cpx.check_card_signed(bench)
    control.records.append(dict(signature))
    ins_cpx.check_card_signed(bench)
    with pytest.raises(AssertionError, match="mode CPx"):
        ins_cpx.check_bench_cpx(bench, "par les traits", "titulaire")
    control.records.append(_insi("rechercherInsAvecTraitsIdentite", auth="CPx", ps=titulaire, code_cr="00"))
    ins_cpx.check_bench_cpx(bench, "par les traits", "titulaire", "00")
    with pytest.raises(AssertionError, match="mode CPx au nom"):
        ins_cpx.check_bench_cpx(bench, "par les traits", "adjoint")
    with pytest.raises(AssertionError, match="codes retour 00 et non 01"):
        ins_cpx.check_bench_cpx(bench, "par les traits", "titulaire", "01")
    ins_cpx.check_no_error_finding(bench)
    control.records[-1]["findings"] = [
        {"rule": "INSI-CPX-03", "severity": "error", "message": "Issuer absent"}
    ]
    with pytest.raises(AssertionError, match="INSI-CPX-03"):
        ins_cpx.check_no_error_finding(bench)
    ins_cpx.remove_card(bench)
    assert control.removed == [1]


def test_cpx_refusal_must_be_a_4xx_with_a_message(bench: ScenarioBench, driver: Driver) -> None:
    ins.remember_patient(bench, "lp-garnier-julien", "4")
    driver.routes[("GET", "/patients/4")] = (200, _patient("4", "PROV"))
    driver.routes[("POST", "/patients/4/insi/search")] = (
        409,
        {"code": "session_cps_requise", "detail": "Le mode CPx utilise la carte CPS de la session."},
    )
    ins_cpx.search(bench, "adjoint", "lp-garnier-julien")
    ins_cpx.check_refused_without_card(bench)
    driver.routes[("POST", "/patients/4/insi/search")] = (200, {"code_cr": "00"})
    ins_cpx.search(bench, "adjoint", "lp-garnier-julien")
    with pytest.raises(AssertionError, match="devait refuser"):
        ins_cpx.check_refused_without_card(bench)


def _sheet_pdf(status: str, **extra: Any) -> bytes:
    from reference_lgo.documents.identity_sheet import IdentitySheetData, PharmacyHeader, build_identity_sheet

    data = IdentitySheetData(
        status=status,
        birth_name="BLANCHARD",
        first_names=("ISABELLE", "MARTINE"),
        sex="F",
        birth_date="1979-11-03",
        birth_place="67482",
        **extra,
    )
    return build_identity_sheet(
        data,
        pharmacy=PharmacyHeader(name="Pharmacie des Tilleuls"),
        extra_traits=["phone"] if data.extra else [],
        printed_by="Hélène Daumas",
        printed_at=datetime(2026, 11, 22, 10, tzinfo=UTC),
    )


def test_identity_sheets_are_read_like_an_auditor(bench: ScenarioBench, driver: Driver) -> None:
    ins.remember_patient(bench, "lp-blanchard", "8")
    traits = {"birth_name": "BLANCHARD", "first_names": ["ISABELLE", "MARTINE"], "birth_date": "1979-11-03"}
    driver.routes[("GET", "/patients/8")] = (200, _patient("8", "QUAL", traits=traits))
    qualified = _sheet_pdf("QUAL", matricule="279116748235053", oid="1.2.250.1.213.1.4.8")
    driver.routes[("POST", "/patients/8/identity-sheet")] = lambda r: httpx.Response(
        200, content=qualified, headers={"content-type": "application/pdf"}
    )
    ins_sheet.print_sheet(bench, "titulaire", "lp-blanchard", "patient", "Isabelle Blanchard")
    sent = driver.calls[-1]
    assert sent.headers["accept"] == "application/pdf"
    assert json.loads(sent.content) == {"recipient": {"kind": "patient", "name": "Isabelle Blanchard"}}
    attachment = bench.current.attachments[-1]
    assert (
        attachment.media_type == "application/pdf"
        and attachment.sha256 == hashlib.sha256(qualified).hexdigest()
    )
    ins_sheet.check_minimal_traits(bench, "lp-blanchard")
    ins_sheet.check_qualified_sheet(bench, "lp-blanchard", "blanchard-isabelle")
    with pytest.raises(AssertionError, match="traits de « garnier-julien »"):
        ins_sheet.check_qualified_sheet(bench, "lp-blanchard", "garnier-julien")
    with pytest.raises(AssertionError, match="porte un DataMatrix INS"):
        ins_sheet.check_unqualified_sheet(bench, "lp-blanchard")
    # A non-qualified identity that holds its INS: neither the symbol nor the (spaced) matricule.
    recup = _sheet_pdf(
        "RECUP", matricule="279116748235053", oid="1.2.250.1.213.1.4.8", extra={"phone": "03 88 12 34 56"}
    )
    driver.routes[("POST", "/patients/8/identity-sheet")] = lambda r: httpx.Response(
        200, content=recup, headers={"content-type": "application/pdf"}
    )
    ins_sheet.print_sheet(bench, "titulaire", "lp-blanchard", "professionnel", "Dr Bernard Roux")
    ins_sheet.check_unqualified_sheet(bench, "lp-blanchard")
    ins_sheet.check_prints(bench, "lp-blanchard", "03 88 12 34 56", True)
    with pytest.raises(AssertionError, match="imprime « 03 88"):
        ins_sheet.check_prints(bench, "lp-blanchard", "03 88 12 34 56", False)
    with pytest.raises(AssertionError, match="un seul attendu"):
        ins_sheet.check_qualified_sheet(bench, "lp-blanchard", "blanchard-isabelle")


def test_a_sheet_that_is_not_a_pdf_fails(bench: ScenarioBench, driver: Driver) -> None:
    ins.remember_patient(bench, "lp-blanchard", "8")
    driver.routes[("POST", "/patients/8/identity-sheet")] = lambda r: httpx.Response(
        200, content=b"<html>fiche</html>", headers={"content-type": "text/html"}
    )
    with pytest.raises(AssertionError, match="non en PDF"):
        ins_sheet.print_sheet(bench, "titulaire", "lp-blanchard", "patient", "X")
    with pytest.raises(AssertionError, match="pas un PDF"):
        ins_sheet.read_pdf(b"<html>")
    with pytest.raises(AssertionError, match="illisible"):
        ins_sheet.read_pdf(b"%PDF-1.4 tronque")
    with pytest.raises(BenchError, match="destinataire"):
        ins_sheet.print_sheet(bench, "titulaire", "lp-blanchard", "voisin", "X")


def test_partner_traces(bench: ScenarioBench, driver: Driver) -> None:
    ins.remember_patient(bench, "lp-ferreira", "7")
    trace = {
        "at": "2026-11-22T10:00:00Z",
        "account": "titulaire",
        "channel": "impression",
        "recipient": {"kind": "patient", "name": "João Ferreira"},
        "ins_transmitted": False,
    }
    driver.routes[("GET", "/patients/7/partners")] = (200, [trace])
    ins_sheet.check_partner(bench, "lp-ferreira", "titulaire", "patient", "Joao Ferreira", False)
    with pytest.raises(AssertionError, match="ins_transmitted"):
        ins_sheet.check_partner(bench, "lp-ferreira", "titulaire", "patient", "João Ferreira", True)
    with pytest.raises(AssertionError, match="Aucune trace"):
        ins_sheet.check_partner(bench, "lp-ferreira", "adjoint", "patient", "João Ferreira", False)


def test_copies_are_proven_encrypted_and_read_back(bench: ScenarioBench, driver: Driver) -> None:
    ins.remember_patient(bench, "lp-blanchard", "8")
    scan = ins_copies.specimen_scan()
    assert scan.startswith(b"\x89PNG") and scan == ins_copies.specimen_scan()  # deterministic
    now = datetime(2026, 11, 22, 10, tzinfo=UTC)
    plain_sha = hashlib.sha256(scan).hexdigest()
    stored: dict[str, Any] = {"sha256": plain_sha, "stored_encrypted": True}

    def upload(request: httpx.Request) -> httpx.Response:
        assert request.headers["content-type"].startswith("multipart/form-data")
        assert scan in request.content and b'name="type"' in request.content
        return httpx.Response(
            201, json={"id": 5, **stored, "purge_after": (now.replace(year=2031)).isoformat()}
        )

    storage = {"algorithm": "AES-256-GCM", "key_id": "k1", "ciphertext_sha256": "ab" * 32}
    driver.routes[("POST", "/patients/8/id-documents")] = upload
    driver.routes[("GET", "/patients/8/id-documents/5/storage")] = lambda r: httpx.Response(200, json=storage)
    driver.routes[("GET", "/patients/8/id-documents/5")] = (200, scan)
    driver.routes[("GET", "/clock")] = (200, {"mode": "real", "now": now.isoformat()})
    ins_copies.upload(bench, "preparateur", "lp-blanchard", "passeport")
    ins_copies.check_stored_encrypted(bench)
    assert bench.current.attachments[-1].media_type == "application/json"
    ins_copies.check_readable(bench, "adjoint")
    ins_copies.check_kept(bench)
    ins_copies.check_purge_date(bench, 5)
    with pytest.raises(AssertionError, match="et non 4 ans"):
        ins_copies.check_purge_date(bench, 4)
    with pytest.raises(AssertionError, match="toujours lisible"):
        ins_copies.check_purged(bench)
    storage["ciphertext_sha256"] = plain_sha  # the plain bytes stored as they came
    with pytest.raises(AssertionError, match="non chiffré"):
        ins_copies.check_stored_encrypted(bench)
    driver.routes[("GET", "/patients/8/id-documents/5")] = (
        404,
        {"code": "piece_introuvable", "detail": "Purgée."},
    )
    ins_copies.check_purged(bench)
    with pytest.raises(AssertionError, match="pas le fichier déposé"):
        ins_copies.check_readable(bench, "adjoint")


def test_copies_precondition_and_purge(bench: ScenarioBench, driver: Driver) -> None:
    assert not ins_copies.offered(bench)  # no such action: not applicable
    state = {"years": 5, "enabled": False}

    def put(request: httpx.Request) -> httpx.Response:
        state.update(json.loads(request.content))
        return httpx.Response(200, json=state)

    driver.routes[("GET", "/settings/id-document-retention")] = lambda r: httpx.Response(200, json=state)
    driver.routes[("PUT", "/settings/id-document-retention")] = put
    assert ins_copies.offered(bench) and state["enabled"] is True
    ins_copies.check_retention(bench, 5)
    with pytest.raises(AssertionError, match="et non 10"):
        ins_copies.check_retention(bench, 10)
    driver.routes[("POST", "/maintenance/purge-id-documents")] = (200, {"purged": 1})
    ins_copies.purge(bench)
    purge = [r for r in driver.calls if r.url.path.endswith("/purge-id-documents")][-1]
    assert "authorization" not in purge.headers  # bench level: no session token (no bench token set)
    driver.routes[("POST", "/maintenance/purge-id-documents")] = (200, {"purged": "beaucoup"})
    with pytest.raises(AssertionError, match="illisible"):
        ins_copies.purge(bench)


def test_the_lgo_clock_moves_and_sessions_are_reopened(
    bench: ScenarioBench, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SEGUR_BENCH_DRIVER_TOKEN", raising=False)
    clock = {"mode": "real", "now": "2028-02-29T10:00:00+00:00"}

    def put(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        clock.update(mode=body["mode"], now=body["now"])
        return httpx.Response(200, json=clock)

    driver.routes[("GET", "/clock")] = lambda r: httpx.Response(200, json=clock)
    driver.routes[("PUT", "/clock")] = put
    ins.acting(bench, "preparateur")
    reached = ins_part2.advance_clock(bench, "5 ans et 1 jour")
    assert reached == datetime(2033, 3, 1, 10, tzinfo=UTC)  # 29 February -> 28 February, then one day
    assert clock["mode"] == "offset" and not bench.sessions and bench.session is None
    assert ins_part2.shift(datetime(2026, 1, 1, tzinfo=UTC), "30 jours") == datetime(2026, 1, 31, tzinfo=UTC)
    assert ins_part2.shift(datetime(2026, 1, 1, tzinfo=UTC), "1 an") == datetime(2027, 1, 1, tzinfo=UTC)
    with pytest.raises(BenchError, match="durée"):
        ins_part2.shift(datetime(2026, 1, 1, tzinfo=UTC), "longtemps")
    with pytest.raises(AssertionError, match="illisible"):
        ins_part2.parse_instant("hier", "Horloge")
    assert ins_part2.parse_instant("2026-11-22T10:00:00", "x") - datetime(
        2026, 11, 22, 10, tzinfo=UTC
    ) == timedelta(0)


def test_bulk_verification_report(bench: ScenarioBench, driver: Driver, control: Control) -> None:
    ins.remember_patient(bench, "lp-ferreira", "7")
    ins.remember_patient(bench, "lp-blanchard", "8")
    report = {
        "checked": 2,
        "ok": 1,
        "ko": 1,
        "downgraded": [{"patient_id": 7, "reason": "INSi ne reconnaît plus cet INS : statut abaissé."}],
        "errors": [],
    }
    driver.routes[("POST", "/insi/bulk-verify")] = (200, report)
    ins_bulk.run(bench, "titulaire")
    ins_bulk.check_counts(bench, 2, 1, 1)
    with pytest.raises(AssertionError, match="au lieu de 2, 2, 0"):
        ins_bulk.check_counts(bench, 2, 2, 0)
    ins_bulk.check_downgraded(bench, ["lp-ferreira"])
    with pytest.raises(AssertionError, match="abaissées"):
        ins_bulk.check_downgraded(bench, [])
    with pytest.raises(AssertionError, match="aucune erreur"):
        ins_bulk.check_errors_reported(bench)
    ferreira = WORLD.lgo_seed.local_patients
    matricule = next(p.matricule for p in ferreira if p.id == "lp-ferreira")
    control.records.append(_insi("verifierIns", auth="INSI-AUTO", ins=str(matricule)))
    ins_bulk.check_verified_by_insi(bench, ["lp-ferreira"], "INSI-AUTO")
    with pytest.raises(AssertionError, match="279116748235053"):
        ins_bulk.check_verified_by_insi(bench, ["lp-blanchard"], "INSI-AUTO")
    items = [{"action": "verification", "result": "KO", "credential": "INSI-AUTO", "at": "t"}]
    driver.routes[("GET", "/journals/insi-calls")] = (200, {"items": items, "total": 1})
    ins_bulk.check_lgo_journal(bench, "lp-ferreira", "KO", "INSI-AUTO")
    with pytest.raises(AssertionError, match="INSI-MANU"):
        ins_bulk.check_lgo_journal(bench, "lp-ferreira", "KO", "INSI-MANU")


SPECIMEN = "SPÉCIMEN BANC — DOCUMENT NON PROBANT\nAutorisation CNDA INSi\n".encode()


def _evidence(
    driver: Driver, content: bytes, *, specimen: bool, sha: str | None = None, version: str = "0.1.0"
) -> None:
    document = {
        "file": "specimen-autorisation-cnda-insi.txt",
        "title": "Autorisation CNDA du téléservice INSi (spécimen banc)",
        "sha256": sha or hashlib.sha256(content).hexdigest(),
        "version": version,
        "specimen": specimen,
        "media_type": "text/plain; charset=utf-8",
    }
    driver.routes[("GET", "/evidence")] = (200, {"ans_id": "W1-INS-22", "documents": [document]})
    driver.routes[("GET", "/evidence/files/specimen-autorisation-cnda-insi.txt")] = (200, content)
    driver.routes[("GET", "/")] = (200, {"lgo": {"name": "LGO", "version": "0.1.0"}})


def test_evidence_presence_checks_digest_version_and_specimen(bench: ScenarioBench, driver: Driver) -> None:
    _evidence(driver, SPECIMEN, specimen=True)
    proofs.present(bench, "W1-INS-22")
    assert driver.calls[-1].url.params["ans_id"] == "W1-INS-22"
    proofs.check_and_attach(bench)
    proofs.check_version(bench)
    attachment = bench.current.attachments[-1]
    assert attachment.specimen and attachment.version == "0.1.0" and attachment.content == SPECIMEN
    assert attachment.file is not None and attachment.file.startswith("pieces/run-s001-01-")
    assert (
        attachment.file.endswith(".txt") and attachment.source == "GET /driver/v1/evidence?ans_id=W1-INS-22"
    )
    # a specimen passed off as a real homologation
    _evidence(driver, SPECIMEN, specimen=False)
    proofs.present(bench, "W1-INS-22")
    with pytest.raises(AssertionError, match="déclare probante"):
        proofs.check_and_attach(bench)
    assert bench.current.attachments[-1].specimen  # still flagged in the report
    # a file that is not the one announced, a version of another software release
    _evidence(driver, b"Autorisation CNDA n 1234", specimen=False, sha="0" * 64)
    proofs.present(bench, "W1-INS-22")
    with pytest.raises(AssertionError, match="différente de celle annoncée"):
        proofs.check_and_attach(bench)
    _evidence(driver, b"Autorisation", specimen=False, version="0.0.9")
    proofs.present(bench, "W1-INS-22")
    with pytest.raises(AssertionError, match="autre version"):
        proofs.check_version(bench)


def test_evidence_presence_refusals(bench: ScenarioBench, driver: Driver) -> None:
    driver.routes[("GET", "/evidence")] = (200, {"ans_id": "W1-INS-22", "documents": []})
    with pytest.raises(AssertionError, match="aucune pièce justificative"):
        proofs.present(bench, "W1-INS-22")
    driver.routes[("GET", "/evidence")] = (
        200,
        {"documents": [{"file": "../../etc/passwd", "sha256": "0" * 64, "version": "0.1.0"}]},
    )
    proofs.present(bench, "W1-INS-22")
    with pytest.raises(AssertionError, match="nom de fichier invalide"):
        proofs.check_and_attach(bench)


def test_driver_target_fetch_keeps_raw_bytes_and_uploads_multipart() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"%PDF-1.7\x00\xff", headers={"content-type": "application/pdf"})

    target = DriverTarget(
        TargetSpec("driver", "http://lgo.test/driver/v1"), transport=httpx.MockTransport(handler)
    )
    answer = target.fetch("POST", "/patients/1/identity-sheet", json={"a": 1}, accept="application/pdf")
    assert answer.status == 200 and answer.content == b"%PDF-1.7\x00\xff" and answer.data is None
    assert seen[-1].headers["accept"] == "application/pdf" and json.loads(seen[-1].content) == {"a": 1}
    target.fetch("POST", "/x", files={"file": ("a.png", b"PNGDATA", "image/png")}, data={"type": "cni"})
    assert (
        seen[-1].headers["content-type"].startswith("multipart/form-data") and b"PNGDATA" in seen[-1].content
    )
    assert target.call("GET", "/y", ok=False).content == b"%PDF-1.7\x00\xff"
