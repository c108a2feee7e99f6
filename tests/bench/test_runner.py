"""Runner units: tag parsing, exit codes, progress lines, endpoints, scenario selection, step mapping."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bench import exitcodes
from bench.runner import new_run_id
from bench.runner.execute import count_selected
from bench.runner.outcome import exit_code_for, progress_line
from bench.runner.scenario_run import ScenarioRun, exception_message, feature_path, status_to_result
from bench.runner.stack import Endpoints, StackUnavailable
from bench.runner.tags import TagError, parse_tags, validate_tag_expression
from bench.targets import BenchError, DriverRefused


def test_parse_tags() -> None:
    parsed = parse_tags(
        ["socle", "REQ.w1-ins-06", "@REQ.W1-INS-07", "panne.insi.indisponible", "manuel", "socle"]
    )
    assert parsed.tags == ("socle", "REQ.w1-ins-06", "REQ.W1-INS-07", "panne.insi.indisponible", "manuel")
    assert parsed.requirement_ids == ("W1-INS-06", "W1-INS-07")
    assert parsed.fault_packs == ("insi.indisponible",)
    assert parsed.manual
    assert not parse_tags(["INS"]).manual


@pytest.mark.parametrize("tag", ["panne.insi", "panne.INSI.x", "REQ."])
def test_bad_tags(tag: str) -> None:
    with pytest.raises(TagError):
        parse_tags([tag])


def test_tag_expressions() -> None:
    validate_tag_expression("@REQ.W1-DMP-* and not @manuel")
    with pytest.raises(TagError, match="expression de tags invalide"):
        validate_tag_expression("@a and (")


@pytest.mark.parametrize(
    ("results", "code"),
    [
        (["pass", "pass", "skip"], exitcodes.PASS),
        (["pass", "fail"], exitcodes.LGO_FAILED),
        (["fail", "error"], exitcodes.BENCH_FAILED),
        (["skip"], exitcodes.PASS),
        ([], exitcodes.USAGE),
    ],
)
def test_exit_codes(results: list[str], code: int) -> None:
    assert exit_code_for(results) == code


def test_progress_line() -> None:
    assert (
        progress_line(3, 7, "pass", "Connexion par carte CPS", 1.24)
        == "[3/7] OK  Connexion par carte CPS (1,2 s)"
    )
    assert progress_line(4, 7, "error", "X", 0.0) == "[4/7] ERREUR  X (0,0 s)"


def test_run_id_is_sortable_and_unique() -> None:
    first, second = new_run_id(), new_run_id()
    assert first != second and len(first) == len("20261122T093000Z-4f2a9c") and first[8] == "T"


def test_endpoints_from_conventions_shape() -> None:
    document = {
        "version": 1,
        "home": "var",
        "services": {
            "insi": {
                "url": "https://localhost:7001/lps",
                "control": "http://127.0.0.1:7900/_bench/insi",
                "mtls": True,
                "operations": {"rechercherInsAvecTraitsIdentite": "public-spec"},
            }
        },
        "lgo": {"ui": "http://127.0.0.1:8000/", "driver": "http://127.0.0.1:8000/driver/v1"},
        "credentials": {
            "dir": "var/pki/export",
            "files": {"insi-auto": {"pem": "a", "key": "b", "p12": "c"}},
        },
    }
    endpoints = Endpoints.from_json(document)
    assert endpoints.control == "http://127.0.0.1:7900/_bench"  # derived from the per-service URL
    assert endpoints.lgo_driver == "http://127.0.0.1:8000/driver/v1"
    assert endpoints.ca_chain == Path("var/pki/export/ca/chain.pem")
    assert endpoints.fidelity() == {"insi": {"rechercherInsAvecTraitsIdentite": "public-spec"}}
    without_lgo = Endpoints.from_json({**document, "lgo": None, "control": "http://127.0.0.1:7999/_bench/"})
    assert without_lgo.lgo_driver is None and without_lgo.control == "http://127.0.0.1:7999/_bench"
    with pytest.raises(StackUnavailable):
        Endpoints.from_json({"version": 2})


def test_count_selected(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.feature").write_text(
        "# language: fr\n@INS\nFonctionnalité: F\n\n"
        "  @REQ.W1-INS-06\n  Scénario: un\n    Soit rien\n\n"
        "  @REQ.W1-DMP-01 @manuel\n  Scénario: deux\n    Soit rien\n\n"
        "  Plan du scénario: trois\n    Soit <x>\n    Exemples:\n      | x |\n      | 1 |\n      | 2 |\n",
        encoding="utf-8",
    )
    assert count_selected([tmp_path], None) == 4
    assert count_selected([tmp_path], "@REQ.W1-INS-*") == 1
    assert count_selected([tmp_path], "not @manuel") == 3
    assert count_selected([tmp_path], "@DMP") == 0


def test_status_mapping_and_messages() -> None:
    def status(name: str) -> SimpleNamespace:
        return SimpleNamespace(name=name)

    assert [
        status_to_result(status(n))
        for n in ("passed", "failed", "skipped", "untested", "error", "hook_error", "undefined")
    ] == ["pass", "fail", "skip", "skip", "error", "error", "error"]
    refusal = DriverRefused("POST", "/sessions", 401, {"detail": "Refusé."}, "")
    assert exception_message(refusal) == "Le LGO a répondu 401 à POST /sessions : Refusé."
    assert exception_message(BenchError("Plan de contrôle injoignable")) == "Plan de contrôle injoignable"
    assert exception_message(KeyError("x"), "Traceback…") == "Traceback…"
    assert exception_message(KeyError("x")) == "KeyError : 'x'"


def test_scenario_result_from_behave_model(tmp_path: Path) -> None:
    def step(keyword: str, name: str, status: str, exc: BaseException | None = None) -> SimpleNamespace:
        return SimpleNamespace(
            keyword=keyword,
            name=name,
            status=SimpleNamespace(name=status),
            duration=0.25,
            exception=exc,
            error_message=None,
        )

    scenario = SimpleNamespace(
        name="Connexion",
        steps=[
            step("Quand ", "x", "passed"),
            step("Alors", "y", "failed", AssertionError("mauvais compte")),
            step("Et", "z", "skipped"),
        ],
    )
    run = ScenarioRun(1, scenario, "run-s001", parse_tags(["REQ.W1-INS-06"]), "socle/x.feature")
    result = run.to_result(["e1"])
    assert result.result == "fail"
    assert [s.result for s in result.steps] == ["pass", "fail", "skip"]
    assert result.steps[1].message == "mauvais compte" and result.steps[0].keyword == "Quand"
    assert result.requirement_ids == ["W1-INS-06"] and result.exchange_ids == ["e1"]
    assert feature_path(str(tmp_path / "socle" / "x.feature"), tmp_path) == "socle/x.feature"
