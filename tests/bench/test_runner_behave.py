"""The runner end to end without a stack: behave runs a small feature set through the real
environment.py hooks, against a fake target and a fake control plane; the run directory then holds
results.json, junit.xml, rapport.html and the bodies of the journal records."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import bench.runner as runner_module
from bench import exitcodes, paths
from bench.runner import NothingSelected, RunOptions, run_suite
from bench.runner.stack import Endpoints
from bench.targets import ControlPlane, ControlPlaneError, DriverAnswer, DriverSession, Target, TargetSpec
from reports.model import Screenshot

SOAP = b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>'
SHA = hashlib.sha256(SOAP).hexdigest()

FEATURE = """# language: fr
@socle
Fonctionnalité: Banc de test du runner

  Scénario: Tout va bien
    Soit une étape réussie
    Et une capture de l'écran « accueil » est jointe au rapport

  @panne.insi.indisponible @REQ.W1-INS-06
  Scénario: Une assertion échoue
    Soit une étape réussie
    Alors une étape qui échoue
    Et une étape réussie

  Scénario: Le LGO refuse
    Alors le LGO refuse l'action

  Scénario: Une exception hors assertion
    Soit une étape qui plante

  @manuel
  Scénario: Il faut une personne
    Soit une étape réussie

  @casse
  Scénario: Le plan de contrôle tombe
    Soit une étape réussie

  Scénario: Étape non écrite
    Soit une étape que personne n'a écrite
"""

STEPS = """
from behave import step
from bench.steps_lib import evidence
from bench.targets import DriverRefused

@step("une étape réussie")
def ok(context):
    assert context.bench.scenario_id.startswith(context.run.run_id)

@step("une étape qui échoue")
def ko(context):
    raise AssertionError("le LGO n'a pas fait ce qui était attendu")

@step("le LGO refuse l'action")
def refused(context):
    raise DriverRefused("GET", "/audit", 403, {"detail": "Droit manquant : audit.consulter."}, "")

@step("une étape qui plante")
def boom(context):
    raise RuntimeError("bogue dans une étape")

@step("une capture de l'écran « {screen} » est jointe au rapport")
def capture(context, screen):
    evidence.capture(context.bench, screen)
"""


class FakeControl(ControlPlane):
    def __init__(self, base_url: str, **_: Any) -> None:
        super().__init__(base_url)
        self.calls: list[tuple[str, str | None]] = []
        self.current: str | None = None

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "services": {"cards": {"port": None, "fidelity": {"VERIFY": "public-spec"}}}}

    def reset(self, scenario_id: str | None) -> dict[str, Any]:
        if scenario_id is not None and scenario_id.endswith("-s006"):
            raise ControlPlaneError("Plan de contrôle injoignable (POST /reset) : connexion refusée")
        self.calls.append(("reset", scenario_id))
        self.current = scenario_id
        return {}

    def arm_pack(self, pack: str) -> list[str]:
        self.calls.append(("pack", pack))
        return [pack]

    journal_down = False

    def exchanges(self, **filters: Any) -> list[dict[str, Any]]:
        if self.journal_down:
            raise ControlPlaneError("Plan de contrôle injoignable (GET /exchanges) : connexion refusée")
        scenario_id = filters.get("scenario_id")
        if not scenario_id or not scenario_id.endswith("-s002"):
            return []
        return [
            {
                "id": "ex-1",
                "service": "insi",
                "operation": "rechercherInsAvecTraitsIdentite",
                "started_at": "2026-11-22T09:00:00+00:00",
                "ended_at": "2026-11-22T09:00:01+00:00",
                "request": {"headers": {"content-type": "application/soap+xml"}, "body_sha256": SHA},
                "response": {
                    "status": 500,
                    "headers": {"content-type": "application/soap+xml"},
                    "body_sha256": SHA,
                },
                "scenario_id": scenario_id,
            }
        ]

    def body(self, sha256: str) -> tuple[bytes, str | None]:
        assert sha256 == SHA
        return SOAP, "application/soap+xml"


class FakeTarget(Target):
    def __init__(self, control: FakeControl) -> None:
        self.spec = TargetSpec("driver", "http://127.0.0.1:8000/driver/v1")
        self.control = control
        self.closed = False

    def check(self) -> dict[str, Any]:
        return {}

    def reset(self) -> None:
        self.control.calls.append(("target.reset", None))

    def seed(self, payload: dict[str, Any]) -> dict[str, Any]:
        assert {"accounts", "settings", "professionals", "pharmacies"} <= set(payload)
        self.control.calls.append(("target.seed", None))
        return {}

    def open_session(self, login: str, password: str) -> DriverSession:
        raise NotImplementedError

    def open_cps_session(self, pin: str, reader: str | None = None) -> DriverSession:
        raise NotImplementedError

    def call(self, method: str, path: str, **_: Any) -> DriverAnswer:
        raise NotImplementedError

    def capture(self, screen: str, name: str, session: DriverSession | None = None) -> Screenshot:
        return Screenshot(name=name, screen=screen, note="capture non prise en charge (cible de test)")

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def features(tmp_path: Path) -> Path:
    folder = tmp_path / "features"
    (folder / "steps").mkdir(parents=True)
    shutil.copy(paths.repo_root() / "features" / "environment.py", folder / "environment.py")
    (folder / "steps" / "runner_test_steps.py").write_text(STEPS, encoding="utf-8")
    (folder / "banc.feature").write_text(FEATURE, encoding="utf-8")
    return folder


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    made: dict[str, Any] = {}

    def control_factory(base_url: str) -> FakeControl:
        made["control"] = FakeControl(base_url)
        return made["control"]

    def target_factory(spec: TargetSpec, *, control: FakeControl, **_: Any) -> FakeTarget:
        made["target"] = FakeTarget(control)
        return made["target"]

    monkeypatch.setattr(runner_module, "ControlPlane", control_factory)
    monkeypatch.setattr(runner_module, "make_target", target_factory)
    return made


ENDPOINTS = Endpoints(
    control="http://127.0.0.1:7900/_bench",
    services={
        "insi": {
            "url": "https://localhost:7001/lps",
            "operations": {"rechercherInsAvecTraitsIdentite": "public-spec"},
        }
    },
)


def test_a_run_end_to_end(features: Path, fakes: dict[str, Any], tmp_path: Path, bench_home: Path) -> None:
    out = tmp_path / "run"
    progress = io.StringIO()
    options = RunOptions(
        target=TargetSpec("driver", "http://127.0.0.1:8000/driver/v1"), out_dir=out, features_dir=features
    )
    report = run_suite(options, ENDPOINTS, progress=progress)

    results = {s.name: s for s in report.results.scenarios}
    assert {name: s.result for name, s in results.items()} == {
        "Tout va bien": "pass",
        "Une assertion échoue": "fail",
        "Le LGO refuse": "fail",
        "Une exception hors assertion": "error",
        "Il faut une personne": "skip",
        "Le plan de contrôle tombe": "error",
        "Étape non écrite": "error",
    }
    assert report.exit_code == exitcodes.BENCH_FAILED
    # one progress line per scenario, in order, with the agreed labels
    lines = progress.getvalue().splitlines()
    assert len(lines) == 7
    assert lines[0].startswith("[1/7] OK  Tout va bien (") and lines[1].startswith(
        "[2/7] ÉCHEC  Une assertion échoue"
    )
    assert lines[4].startswith("[5/7] IGNORÉ  Il faut une personne")
    # every scenario starts with a reset stamped with its id, then the target's reset and seed; the
    # fault pack of the tag comes after the reset
    control = fakes["control"]
    run_id = report.run_id
    assert control.calls[:4] == [
        ("reset", f"{run_id}-s001"),
        ("target.reset", None),
        ("target.seed", None),
        ("reset", f"{run_id}-s002"),
    ]
    assert control.calls[6] == ("pack", "insi.indisponible")
    assert ("reset", f"{run_id}-s005") not in control.calls  # @manuel: skipped before any preparation
    assert fakes["target"].closed
    # preparation and failure details are kept as steps
    failing = results["Une assertion échoue"]
    assert failing.steps[0].keyword == "Préparation" and "insi.indisponible" in failing.steps[0].name
    assert failing.steps[2].message == "le LGO n'a pas fait ce qui était attendu"
    assert [s.result for s in failing.steps] == ["pass", "pass", "fail", "skip"]
    assert failing.requirement_ids == ["W1-INS-06"] and failing.exchange_ids == ["ex-1"]
    assert (
        results["Le LGO refuse"].steps[1].message
        == "Le LGO a répondu 403 à GET /audit : Droit manquant : audit.consulter."
    )
    broken = results["Le plan de contrôle tombe"]
    assert broken.steps[0].result == "error" and "Plan de contrôle injoignable" in (
        broken.steps[0].message or ""
    )
    assert "RuntimeError" in (results["Une exception hors assertion"].steps[1].message or "")
    assert results["Il faut une personne"].steps[0].message is not None
    assert results["Tout va bien"].screenshots[0].note == "capture non prise en charge (cible de test)"
    # the run directory
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved["target"] == "driver:http://127.0.0.1:8000/driver/v1"
    assert saved["services"] == {
        "insi": {"operations": {"rechercherInsAvecTraitsIdentite": "public-spec"}},
        "cards": {"operations": {"VERIFY": "public-spec"}},  # from the control plane's health
    }
    assert (out / "exchanges" / f"{SHA}.xml").read_bytes() == SOAP
    assert b"<testsuites" in (out / "junit.xml").read_bytes()
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "W1-INS-06" in html and "&lt;soap:Envelope" in html


def test_tags_select_and_nothing_selected(
    features: Path, fakes: dict[str, Any], tmp_path: Path, bench_home: Path
) -> None:
    progress = io.StringIO()
    options = RunOptions(
        target=TargetSpec("driver", "http://127.0.0.1:8000/driver/v1"),
        tags="@REQ.W1-INS-*",
        out_dir=tmp_path / "r1",
        features_dir=features,
    )
    report = run_suite(options, ENDPOINTS, progress=progress)
    assert [s.name for s in report.results.scenarios] == ["Une assertion échoue"]
    assert report.exit_code == exitcodes.LGO_FAILED
    assert progress.getvalue().startswith("[1/1] ÉCHEC")
    with pytest.raises(NothingSelected, match="aucun scénario"):
        run_suite(
            RunOptions(target=options.target, tags="@DMP", out_dir=tmp_path / "r2", features_dir=features),
            ENDPOINTS,
        )


def test_journal_lost_after_the_scenarios_still_writes_the_verdicts(
    features: Path, fakes: dict[str, Any], tmp_path: Path, bench_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FakeControl, "journal_down", True)
    out = tmp_path / "run"
    options = RunOptions(
        target=TargetSpec("driver", "http://127.0.0.1:8000/driver/v1"),
        tags="not @REQ.W1-INS-06",
        out_dir=out,
        features_dir=features,
    )
    report = run_suite(options, ENDPOINTS, progress=io.StringIO())
    assert report.exit_code == exitcodes.BENCH_FAILED
    assert report.warnings and "échanges du journal non récupérés" in report.warnings[0]
    assert (out / "results.json").is_file() and (out / "rapport.html").is_file()
    assert report.log.is_file() and "Tout va bien" in report.log.read_text(encoding="utf-8")
