"""The scenario runner: behave over features/ against a target, then the evidence of the run
(results.json, junit.xml, rapport.html, exchanges/, screenshots/) in its run directory.

Order of a run: control plane and target answer -> scenarios selected by the tag expression ->
behave runs them (features/environment.py resets, seeds and arms faults per scenario) -> the journal
records of each scenario are read through the control plane -> reports are written.
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TextIO

from bench import exitcodes, paths
from bench.runner.collect import collect_exchanges
from bench.runner.context import RunContext
from bench.runner.execute import count_selected, run_behave
from bench.runner.outcome import exit_code_for
from bench.runner.stack import Endpoints
from bench.targets import ControlPlane, TargetSpec, make_target
from bench.targets.errors import BenchError
from reports import write_reports
from reports.model import RunResults, ServiceOperations

__all__ = ["NothingSelected", "RunOptions", "RunReport", "bench_version", "new_run_id", "run_suite"]


class NothingSelected(ValueError):
    """The tag expression selects no scenario (usage error, French message)."""


@dataclass
class RunOptions:
    target: TargetSpec
    tags: str | None = None
    out_dir: Path | None = None
    features_dir: Path = field(default_factory=lambda: paths.repo_root() / "features")
    world: str = "default"


@dataclass
class RunReport:
    run_id: str
    run_dir: Path
    results: RunResults
    exit_code: int
    log: Path  # behave's own output, for debugging (never read by the reports)
    warnings: list[str] = field(default_factory=list)


def bench_version() -> str:
    try:
        return version("segur-bench")
    except PackageNotFoundError:
        return "inconnue"


def new_run_id(now: datetime | None = None) -> str:
    """`<UTC>-<id>`, e.g. 20261122T093000Z-4f2a9c: sortable, unique in the journal across runs."""
    return f"{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _fidelity(endpoints: Endpoints, health: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per service and operation: public-spec | bench-contract. `endpoints` lists the services with a
    national listener; the control plane's health adds the others (cards)."""
    merged = endpoints.fidelity()
    services = health.get("services") if isinstance(health.get("services"), dict) else {}
    for name, info in (services or {}).items():
        declared = info.get("fidelity") if isinstance(info, dict) else None
        if isinstance(declared, dict):
            merged.setdefault(str(name), {}).update({str(op): str(level) for op, level in declared.items()})
    return merged


def run_suite(options: RunOptions, endpoints: Endpoints, *, progress: TextIO | None = None) -> RunReport:
    """Runs the selected scenarios; raises BenchError when the bench cannot run them at all."""
    from scenarios import load_world

    stream = progress or sys.stdout
    run_id = new_run_id()
    run_dir = (options.out_dir or paths.sub("runs") / run_id).resolve()
    total = count_selected([options.features_dir], options.tags)
    if total == 0:
        raise NothingSelected(
            f"aucun scénario de {options.features_dir} ne correspond à l'expression de tags « {options.tags} »"
            if options.tags
            else f"aucun scénario dans {options.features_dir}"
        )
    control = ControlPlane(endpoints.control)
    target = None
    try:
        fidelity = _fidelity(endpoints, control.health())
        target = make_target(
            options.target,
            control=control,
            lgo_driver_url=endpoints.lgo_driver,
            lgo_ui_url=endpoints.lgo_ui,
            screenshots_dir=run_dir / "screenshots",
        )
        target.check()
        context = RunContext(
            run_id=run_id,
            target=target,
            control=control,
            endpoints=endpoints,
            world=load_world(options.world),
            features_dir=options.features_dir,
            total=total,
            progress_stream=stream,
        )
        started = datetime.now(UTC)
        log = paths.sub("logs") / f"run-{run_id}.log"
        run_behave([options.features_dir], options.tags, context, log)
        ended = datetime.now(UTC)
        if not context.scenarios:
            raise BenchError(f"behave n'a exécuté aucun scénario (détails dans {log})")
        warnings: list[str] = []
        try:
            by_scenario, records = collect_exchanges(control, context.scenarios, run_dir)
        except BenchError as exc:  # keep the verdicts: write the reports without the exchanges
            by_scenario, records = {}, []
            warnings.append(f"échanges du journal non récupérés : {exc}")
        results = RunResults(
            bench_version=bench_version(),
            target=str(options.target),
            started_at=started,
            ended_at=ended,
            services={name: ServiceOperations(operations=ops) for name, ops in fidelity.items()},
            scenarios=[s.to_result(by_scenario.get(s.scenario_id, [])) for s in context.scenarios],
        )
        write_reports(run_dir, results, records)
    finally:
        if target is not None:
            target.close()
        control.close()
    code = exit_code_for(s.result for s in results.scenarios)
    return RunReport(run_id, run_dir, results, exitcodes.BENCH_FAILED if warnings else code, log, warnings)
