"""Screenshots as evidence: the target takes them (or says why not) and the runner files them."""

from __future__ import annotations

from bench.steps_lib.state import ScenarioBench
from reports.model import Screenshot


def capture(bench: ScenarioBench, screen: str, name: str | None = None) -> Screenshot:
    """A capture of `screen` as the account the scenario acts as; kept for the report either way."""
    shot = bench.target.capture(screen, name or f"Écran « {screen} »", bench.session)
    bench.current.screenshots.append(shot)
    return shot
