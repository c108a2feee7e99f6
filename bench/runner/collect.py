"""After the scenarios: the journal records each one produced (by the scenario id its reset stamped),
read through the control plane, and their raw bodies copied into the run directory."""

from __future__ import annotations

from pathlib import Path

from bench.runner.scenario_run import ScenarioRun
from bench.targets import ControlPlane
from bench.targets.control import MAX_LIMIT
from reports.evidence import BodyStore
from reports.model import ExchangeRecord


def collect_exchanges(
    control: ControlPlane, scenarios: list[ScenarioRun], run_dir: Path
) -> tuple[dict[str, list[str]], list[ExchangeRecord]]:
    """(scenario id -> exchange ids, every record), bodies fetched once each."""
    store = BodyStore(run_dir)
    by_scenario: dict[str, list[str]] = {}
    records: list[ExchangeRecord] = []
    fetched: set[str] = set()
    for scenario in scenarios:
        raw = control.exchanges(scenario_id=scenario.scenario_id, limit=MAX_LIMIT)
        found = [ExchangeRecord.model_validate(item) for item in raw]
        by_scenario[scenario.scenario_id] = [record.id for record in found]
        records.extend(found)
        for record in found:
            for sha, content_type in record.body_refs():
                if sha in fetched:
                    continue
                data, served_type = control.body(sha)
                store.write(sha, data, content_type or served_type)
                fetched.add(sha)
    return by_scenario, records
