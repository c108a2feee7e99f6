"""What a run shares with its hooks and steps: the target, the control plane, the world, the
endpoints, and the scenarios run so far. Handed to behave through `config.userdata`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bench.runner.outcome import progress_line
from bench.runner.scenario_run import ScenarioRun
from bench.runner.stack import Endpoints
from bench.targets import ControlPlane, Target
from scenarios import World

USERDATA_KEY = "segur_bench.run"


@dataclass
class RunContext:
    run_id: str
    target: Target
    control: ControlPlane
    endpoints: Endpoints
    world: World
    features_dir: Path
    total: int
    progress_stream: TextIO
    scenarios: list[ScenarioRun] = field(default_factory=list)

    def scenario_id(self, index: int) -> str:
        """Unique in the journal across runs: the run id plus the scenario's rank."""
        return f"{self.run_id}-s{index:03d}"

    def report_progress(self, run: ScenarioRun) -> None:
        line = progress_line(run.index, self.total, run.result(), run.name, run.duration_s)
        self.progress_stream.write(line + "\n")
        self.progress_stream.flush()
