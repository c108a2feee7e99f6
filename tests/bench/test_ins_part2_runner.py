"""The runner with what the issue-8 scenarios add, end to end without a stack: a conditional
requirement that does not apply skips its scenario from a step (reported "skip" with the reason, not
"pass"), and a document a step attaches lands in pieces/ and in the results."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest

import bench.runner as runner_module
from bench import exitcodes, paths
from bench.runner import RunOptions, run_suite
from bench.runner.stack import Endpoints
from bench.targets import ControlPlane, DriverAnswer, DriverSession, Target, TargetSpec
from reports.model import Screenshot

FEATURE = """# language: fr
@INS
Fonctionnalité: Exigences conditionnelles et pièces jointes

  @REQ.W1-INS-24 @DOIT @vague1
  Scénario: Le LGO ne conserve pas de copie
    Étant donné que l'exigence ne s'applique pas à ce LGO
    Alors une étape qui échouerait

  @REQ.W1-INS-22 @DOIT @vague1
  Scénario: Une pièce est jointe
    Alors une pièce spécimen est jointe au rapport
"""

STEPS = """
from behave import given, step
from bench.steps_lib import evidence

@given("l'exigence ne s'applique pas à ce LGO")
def not_applicable(context):
    context.scenario.skip(reason="Exigence conditionnelle non applicable : pas de copie conservée")

@step("une étape qui échouerait")
def would_fail(context):
    raise AssertionError("ne doit pas s'exécuter")

@step("une pièce spécimen est jointe au rapport")
def attach(context):
    evidence.attach(context.bench, "Autorisation CNDA (spécimen banc)", "SPÉCIMEN BANC".encode(),
                    media_type="text/plain; charset=utf-8", version="0.1.0", specimen=True)
"""


class Control(ControlPlane):
    def health(self) -> dict[str, Any]:
        return {"status": "ok", "services": {}}

    def reset(self, scenario_id: str | None) -> dict[str, Any]:
        return {}

    def exchanges(self, **filters: Any) -> list[dict[str, Any]]:
        return []


class FakeTarget(Target):
    spec = TargetSpec("driver", "http://127.0.0.1:8000/driver/v1")

    def check(self) -> dict[str, Any]:
        return {}

    def reset(self) -> None:
        pass

    def seed(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {}

    def open_session(self, login: str, password: str) -> DriverSession:
        raise NotImplementedError

    def open_cps_session(self, pin: str, reader: str | None = None) -> DriverSession:
        raise NotImplementedError

    def call(self, method: str, path: str, **_: Any) -> DriverAnswer:
        raise NotImplementedError

    def capture(self, screen: str, name: str, session: DriverSession | None = None) -> Screenshot:
        return Screenshot(name=name, screen=screen, note="sans capture")


def test_skip_from_a_step_and_attachments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bench_home: Path
) -> None:
    features = tmp_path / "features"
    (features / "steps").mkdir(parents=True)
    shutil.copy(paths.repo_root() / "features" / "environment.py", features / "environment.py")
    (features / "steps" / "part2_runner_steps.py").write_text(STEPS, encoding="utf-8")
    (features / "conditionnel.feature").write_text(FEATURE, encoding="utf-8")
    monkeypatch.setattr(runner_module, "ControlPlane", lambda url: Control(url))
    monkeypatch.setattr(runner_module, "make_target", lambda spec, **_: FakeTarget())
    progress = io.StringIO()
    options = RunOptions(target=FakeTarget.spec, out_dir=tmp_path / "run", features_dir=features)
    report = run_suite(
        options, Endpoints(control="http://127.0.0.1:7900/_bench", services={}), progress=progress
    )

    results = {s.name: s for s in report.results.scenarios}
    skipped = results["Le LGO ne conserve pas de copie"]
    assert skipped.result == "skip" and report.exit_code == exitcodes.PASS
    assert [s.result for s in skipped.steps] == ["pass", "skip", "skip"]
    assert skipped.steps[1].message == "Exigence conditionnelle non applicable : pas de copie conservée"
    assert skipped.steps[2].message is None
    assert "IGNORÉ  Le LGO ne conserve pas de copie" in progress.getvalue()

    attached = results["Une pièce est jointe"]
    assert attached.result == "pass" and len(attached.attachments) == 1
    piece = attached.attachments[0]
    assert piece.specimen and piece.file is not None and piece.file.endswith(".txt")
    assert (report.run_dir / piece.file).read_bytes() == "SPÉCIMEN BANC".encode()
    html = (report.run_dir / "rapport.html").read_text(encoding="utf-8")
    assert "spécimen banc : non probant" in html
