"""Static checks of the INS scenarios (features/ins) and their step library, without a stack:
every feature parses as behave reads it, carries the CONVENTIONS tags that match the REM catalogue,
every step has exactly one definition, the INS rows are covered (scenario or written reason), and
the library's helpers behave against a driver API played by httpx's mock transport."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from click.testing import CliRunner

from bench import exitcodes, paths
from bench.commands.rem import rem_group
from bench.steps_lib import ins, ins_insi, ins_patients
from bench.steps_lib.state import ScenarioBench
from bench.targets import DriverTarget, TargetSpec
from bench.targets.errors import BenchError
from scenarios import list_fault_packs, load_world
from scenarios.rem import load_catalogue, load_not_tested

FEATURES = paths.repo_root() / "features"
INS_FEATURES = sorted((FEATURES / "ins").glob("*.feature"))
ROWS = {row.bench_id: row for wave in (1, 2) for row in load_catalogue(wave)}


def _parse(path: Path) -> Any:
    from behave.parser import parse_file

    feature = parse_file(str(path))
    assert feature is not None, f"{path.name} est vide"
    return feature


def _scenarios() -> Iterator[tuple[str, Any, set[str]]]:
    """(feature file, scenario, its effective tags): outlines come as the scenarios behave generates
    from them, which carry the tags of their Examples block, as the runner sees them."""
    for path in INS_FEATURES:
        for scenario in _parse(path).walk_scenarios():
            yield path.name, scenario, {str(tag) for tag in scenario.effective_tags}


def test_every_ins_feature_parses_in_french_with_the_theme_tag() -> None:
    assert len(INS_FEATURES) >= 9
    for path in INS_FEATURES:
        assert path.read_text(encoding="utf-8").startswith("# language: fr\n"), path.name
        feature = _parse(path)
        assert feature.language == "fr", path.name
        assert "INS" in feature.tags, path.name
        assert feature.scenarios, f"{path.name} sans scénario"


def test_scenario_tags_follow_the_catalogue() -> None:
    packs = set(list_fault_packs("insi"))
    count = 0
    for name, scenario, tags in _scenarios():
        where = f"{name}:{scenario.line} « {scenario.name} »"
        reqs = [tag.removeprefix("REQ.") for tag in tags if tag.startswith("REQ.")]
        assert reqs, f"{where} : aucun tag @REQ"
        rows = [ROWS[req] for req in reqs if req in ROWS]
        assert len(rows) == len(reqs), f"{where} : @REQ inconnu du catalogue {set(reqs) - set(ROWS)}"
        assert all(row.theme == "INS" for row in rows), where
        obligations = {"DOIT", "PEUT"} & tags
        assert len(obligations) == 1, f"{where} : un seul de @DOIT/@PEUT attendu"
        assert {row.obligation for row in rows} == obligations, where
        waves = {tag for tag in tags if tag in ("vague1", "vague2")}
        assert waves == {f"vague{row.wave}" for row in rows}, where
        ans_tags = {tag.removeprefix("ANS.") for tag in tags if tag.startswith("ANS.")}
        assert ans_tags == {ans for row in rows for ans in row.ans_ids}, where
        for tag in tags:
            if tag.startswith("panne."):
                assert tag.removeprefix("panne.") in packs, f"{where} : pack de pannes inconnu {tag}"
        count += 1
    assert count >= 35


def test_outline_examples_carry_their_fault_pack() -> None:
    """behave gives an Examples block's tags to the scenarios it generates: the runner arms them."""
    found = {}
    for _, scenario, tags in _scenarios():
        for tag in tags:
            if tag.startswith("panne."):
                found[tag] = scenario.name
    assert {"panne.insi.coupure", "panne.insi.tls", "panne.insi.malformee", "panne.insi.erreur-http"} <= set(
        found
    )


@pytest.fixture
def registry() -> Iterator[Any]:
    """The step definitions of features/steps loaded into behave's registry (emptied afterwards)."""
    from behave import step_registry
    from behave.runner_util import load_step_modules

    step_registry.registry.clear()
    try:
        load_step_modules([str(FEATURES / "steps")])  # raises AmbiguousStep on overlapping definitions
        yield step_registry.registry
    finally:
        step_registry.registry.clear()


def test_every_step_has_a_definition(registry: Any) -> None:
    missing = []
    steps = 0
    for name, scenario, _ in _scenarios():
        for step in [*(scenario.background_steps or []), *scenario.steps]:
            steps += 1
            if registry.find_match(step) is None:
                missing.append(f"{name}:{step.line} {step.keyword} {step.name}")
    assert not missing, "Étapes sans définition :\n" + "\n".join(missing)
    assert steps > 300


def test_quoted_values_never_span_two_quotes(registry: Any) -> None:
    """« {x:Q} » stops at the next guillemet: a longer step is not swallowed by a shorter one."""
    from behave.model import Step

    step = Step(
        "x.feature", 1, "Quand", "when", "le compte « adjoint » recherche les patients nés le « 14/03/1975 »"
    )
    longer = Step(
        "x.feature",
        2,
        "Quand",
        "when",
        "le compte « adjoint » recherche les patients nés le « 14/03/1975 » dont le nom commence par « LEF »",
    )
    short, long = registry.find_match(step), registry.find_match(longer)
    assert short is not None and long is not None
    assert short.func is not long.func
    assert [arg.value for arg in long.arguments] == ["adjoint", "14/03/1975", "LEF"]


def test_rem_coverage_of_the_ins_theme_wave_1_passes() -> None:
    result = CliRunner().invoke(rem_group, ["coverage", "--theme", "INS", "--wave", "1", "--json"])
    assert result.exit_code == exitcodes.PASS, result.output
    report = json.loads(result.stdout)
    assert report["gaps"] == [] and report["stale_reasons"] == []
    covered = {row["bench_id"] for row in report["rows"] if row["scenarios"]}
    expected = {f"W1-INS-{n:02d}" for n in range(1, 26)}  # issue 8 covered W1-INS-13 and 21-25
    assert covered == expected


def test_ins_reasons_name_the_later_pieces() -> None:
    reasons = {key: value for key, value in load_not_tested().items() if "-INS-" in key}
    assert set(reasons) == {"W2-INS-01", "W2-INS-02"}  # issue 8 replaced the wave-1 reasons by scenarios
    assert "PSC" in reasons["W2-INS-01"] and "ApCV" in reasons["W2-INS-02"]


# --- the step library against a mock driver API -----------------------------------------------------

WORLD = load_world()


class Driver:
    """A tiny driver API: the seeded patients of the default world by birth date, plus what a test adds."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.answers: dict[tuple[str, str], tuple[int, Any]] = {}
        self.patients = [
            {
                "id": f"P{index}",
                "status": p.status,
                "birth_name": p.birth_name,
                "first_names": list(p.first_names),
                "sex": p.sex,
                "birth_date": str(p.birth_date),
            }
            for index, p in enumerate(WORLD.lgo_seed.local_patients, start=1)
        ]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/driver/v1")
        body: Any = json.loads(request.content) if request.content else None
        self.calls.append((request.method, path, body or dict(request.url.params)))
        if request.method == "POST" and path == "/sessions":
            return httpx.Response(201, json={"token": "t", "account": {"login": body["login"]}})
        if (request.method, path) in self.answers:
            status, data = self.answers[(request.method, path)]
            return httpx.Response(status, json=data)
        if request.method == "GET" and path == "/patients":
            date = request.url.params.get("birth_date")
            items = [p for p in self.patients if p["birth_date"] == date]
            return httpx.Response(200, json={"items": items, "total": len(items)})
        return httpx.Response(404, json={"code": "introuvable", "detail": "Introuvable."})


@pytest.fixture
def driver() -> Driver:
    return Driver()


@pytest.fixture
def bench(driver: Driver) -> ScenarioBench:
    target = DriverTarget(
        TargetSpec("driver", "http://lgo.test/driver/v1"), transport=httpx.MockTransport(driver)
    )
    run = SimpleNamespace(target=target, control=None, world=WORLD)
    current = SimpleNamespace(scenario_id="run-s001", screenshots=[])
    return ScenarioBench(run=cast(Any, run), current=cast(Any, current))


def test_vocabulary_helpers() -> None:
    assert ins.iso_date("14/03/1975") == "1975-03-14"
    assert ins.iso_date("00/00/1948") == "1948-00-00"
    assert ins.iso_date("1952-06-00") == "1952-06-00"
    with pytest.raises(BenchError):
        ins.iso_date("14 mars 1975")
    assert ins.fold("D'Halluin") == ins.fold("DHALLUIN") == "DHALLUIN"
    assert ins.fold("Lætitia Françon") == "LAETITIAFRANCON"
    assert ins.trait_keys("lieu de naissance, prénoms de naissance et nom utilisé") == [
        "birth_place",
        "first_names",
        "used_name",
    ]
    with pytest.raises(BenchError, match="trait « couleur des yeux » inconnu"):
        ins.trait_key("couleur des yeux")


def test_person_body_is_typed_from_the_id_document(bench: ScenarioBench) -> None:
    body = ins_patients.person_body(bench, "bellanger-camille")
    assert body == {
        "birth_name": "Bellanger",
        "first_names": ["Camille", "Élodie"],
        "sex": "F",
        "birth_date": "1986-02-03",
        "birth_place": "44109",
        "used_name": "Garnier",
    }
    table = ins_patients.table_body(
        [
            ("nom de naissance", "LEFEBVRE"),
            ("prénoms de naissance", "NICOLAS ANDRE"),
            ("sexe", "M"),
            ("date de naissance", "14/03/1975"),
        ]
    )
    assert table == {
        "birth_name": "LEFEBVRE",
        "first_names": ["NICOLAS", "ANDRE"],
        "sex": "M",
        "birth_date": "1975-03-14",
    }


def test_a_seeded_patient_is_found_by_its_birth_date_and_typed_traits(
    bench: ScenarioBench, driver: Driver
) -> None:
    assert ins.patient_id(bench, "lp-lefebvre-typo") == "P2"
    assert ins.patient_id(bench, "lp-lefebvre-typo") == "P2"  # remembered: one search only
    searches = [call for call in driver.calls if call[1] == "/patients"]
    assert searches == [("GET", "/patients", {"birth_date": "1975-03-14"})]
    with pytest.raises(BenchError, match="ni un patient local"):
        ins.patient_id(bench, "garnier-julien")


def test_a_seeded_patient_missing_from_the_lgo_fails_the_scenario(
    bench: ScenarioBench, driver: Driver
) -> None:
    driver.patients = [p for p in driver.patients if p["birth_name"] != "Schmidt"]
    with pytest.raises(AssertionError, match=r"lp-schmidt.*0 dossier"):
        ins.patient_id(bench, "lp-schmidt")


def test_found_exactly_names_the_missing_and_extra(bench: ScenarioBench, driver: Driver) -> None:
    ins_patients.search_by_date(bench, "adjoint", "14/03/1975")
    ins_patients.check_found_exactly(bench, ["lp-lefebvre-typo"])
    with pytest.raises(AssertionError, match="manquants : lp-schmidt"):
        ins_patients.check_found_exactly(bench, ["lp-lefebvre-typo", "lp-schmidt"])
    ins_patients.search_by_date(bench, "adjoint", "01/01/1900")
    ins_patients.check_found_none(bench)


def test_refusals_are_checked_by_status_code_and_message(bench: ScenarioBench, driver: Driver) -> None:
    driver.answers[("POST", "/patients/P1/insi/search")] = (
        409,
        {"code": "insi_bloque", "detail": "Identité douteuse : appel au téléservice INSi bloqué."},
    )
    ins.remember_patient(bench, "lp-garnier-julien", "P1")
    driver.answers[("GET", "/patients/P1")] = (200, {"id": "P1", "status": "PROV", "traits": {}, "ins": None})
    ins_insi.search_traits(bench, "preparateur", "lp-garnier-julien")
    ins.check_refused(bench, 409, "insi_bloque")
    ins.check_clear_message(bench)
    ins.check_unchanged(bench, "lp-garnier-julien")
    with pytest.raises(AssertionError, match="« insi_bloque » au lieu de 502 « insi_erreur »"):
        ins_insi.check_insi_refused(bench, "insi_erreur")
    driver.answers[("GET", "/patients/P1")] = (
        200,
        {"id": "P1", "status": "RECUP", "traits": {}, "ins": None},
    )
    with pytest.raises(AssertionError, match="a changé"):
        ins.check_unchanged(bench, "lp-garnier-julien")


def test_an_unreadable_refusal_message_fails(bench: ScenarioBench, driver: Driver) -> None:
    driver.answers[("GET", "/patients")] = (
        422,
        {"code": "cle_matricule_invalide", "detail": "Traceback (most recent call last)"},
    )
    ins_patients.search(bench, "adjoint", {"matricule": "279116748235099"}, "matricule")
    ins.check_refused(bench, 422, "cle_matricule_invalide")
    with pytest.raises(AssertionError, match="pas lisible"):
        ins.check_clear_message(bench)


def test_search_answer_checks(bench: ScenarioBench, driver: Driver) -> None:
    ins.remember_patient(bench, "roussel-thomas", "P9")
    driver.answers[("GET", "/patients/P9")] = (200, {"id": "P9", "status": "PROV", "traits": {}, "ins": None})
    roussel = WORLD.person("roussel-thomas")
    driver.answers[("POST", "/patients/P9/insi/search")] = (
        200,
        {
            "code_cr": "00",
            "label": "OK",
            "candidate_id": "c1",
            "candidate": {
                "ins": {"matricule": roussel.matricule, "oid": roussel.oid},
                "history": [{"matricule": "190109913490830", "oid": "1.2.250.1.213.1.4.9"}],
                "traits": {"birth_name": "ROUSSEL", "birth_date": "1990-10-02"},
            },
            "coherence": {"ok": True, "refusals": []},
        },
    )
    ins_insi.search_traits(bench, "preparateur", "roussel-thomas")
    ins_insi.check_code(bench, "00")
    ins_insi.check_candidate_person(bench, "roussel-thomas")
    ins_insi.check_candidate_history(bench, "190109913490830")
    ins_insi.check_coherence(bench, None)
    with pytest.raises(AssertionError, match="signalée impossible pour « date_incomplete »"):
        ins_insi.check_coherence(bench, "date_incomplete")
    with pytest.raises(AssertionError, match=r"code retour 00 \(OK\) et non 01"):
        ins_insi.check_code(bench, "01")
    driver.answers[("POST", "/patients/P9/insi/accept")] = (
        422,
        {
            "code": "reprise_refusee",
            "detail": "Données INSi non reprises.",
            "refusals": [{"code": "date_incomplete"}],
        },
    )
    ins_insi.accept(bench, "preparateur", "roussel-thomas")
    assert driver.calls[-1][2] == {"candidate_id": "c1"}
    ins_insi.check_reprise_refused(bench, "date_incomplete")
