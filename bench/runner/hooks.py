"""The runner's side of features/environment.py: before every scenario, reset the simulators with the
scenario id, reset and seed the target, arm the fault packs of its tags; after it, time it and print
its progress line. environment.py stays a thin list of sections calling these."""

from __future__ import annotations

import time
from typing import Any

from bench.runner.context import USERDATA_KEY, RunContext
from bench.runner.scenario_run import ScenarioRun, exception_message, feature_path
from bench.runner.tags import parse_tags
from bench.steps_lib.state import ScenarioBench
from bench.steps_lib.world import lgo_seed_payload
from bench.targets.errors import BenchError
from reports.model import StepResult

PREPARATION = "Préparation"
CLEANUP = "Nettoyage"


def run_context(context: Any) -> RunContext:
    run = context.config.userdata.get(USERDATA_KEY)
    if not isinstance(run, RunContext):
        raise BenchError("Ces scénarios se lancent avec « segur-bench run » (cible, pile et rapports).")
    return run


def before_all(context: Any) -> None:
    context.run = run_context(context)


def before_scenario(context: Any, scenario: Any) -> None:
    run: RunContext = context.run
    index = len(run.scenarios) + 1
    started = time.monotonic()
    scenario_run = ScenarioRun(
        index=index,
        scenario=scenario,
        scenario_id=run.scenario_id(index),
        tags=parse_tags([]),
        feature=feature_path(getattr(scenario, "filename", None), run.features_dir),
        started=started,
    )
    run.scenarios.append(scenario_run)
    context.bench = ScenarioBench(run=run, current=scenario_run)
    try:
        scenario_run.tags = parse_tags(str(tag) for tag in scenario.effective_tags)
        if scenario_run.tags.manual and run.target.spec.kind != "manual":
            reason = "scénario manuel (@manuel) : il ne s'exécute qu'avec la cible manual"
            scenario_run.preparation = StepResult(
                keyword=PREPARATION, name="sélection", result="skip", message=reason
            )
            scenario.skip(reason=reason)
            return
        done = _prepare(run, scenario_run)
    except Exception as exc:
        result = "fail" if isinstance(exc, AssertionError) else "error"
        scenario_run.preparation = StepResult(
            keyword=PREPARATION,
            name="remise à zéro du banc et du LGO",
            result=result,  # type: ignore[arg-type]
            duration_s=round(time.monotonic() - started, 3),
            message=exception_message(exc),
        )
        raise
    scenario_run.preparation = StepResult(
        keyword=PREPARATION, name=done, result="pass", duration_s=round(time.monotonic() - started, 3)
    )


def _prepare(run: RunContext, scenario_run: ScenarioRun) -> str:
    """Every scenario starts from zero: simulators (stamped with the scenario id), then the LGO."""
    run.control.reset(scenario_run.scenario_id)
    run.target.reset()
    run.target.seed(lgo_seed_payload(run.world))
    armed = []
    for pack in scenario_run.tags.fault_packs:
        run.control.arm_pack(pack)
        armed.append(pack)
    text = f"banc remis à zéro (scénario {scenario_run.scenario_id}), LGO remis à zéro et chargé (monde {run.world.name})"
    if armed:
        text += ", panne(s) armée(s) : " + ", ".join(armed)
    return text


def after_scenario(context: Any, scenario: Any) -> None:
    bench: ScenarioBench | None = getattr(context, "bench", None)
    if bench is None:
        return
    scenario_run = bench.current
    scenario_run.duration_s = time.monotonic() - scenario_run.started
    try:
        bench.close()
    except Exception as exc:
        scenario_run.cleanup = StepResult(
            keyword=CLEANUP, name="fermeture des sessions", result="error", message=exception_message(exc)
        )
    bench.run.report_progress(scenario_run)
