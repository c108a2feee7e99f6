"""Targets: the LGO a run drives (ARCHITECTURE principle 7), and the control-plane client the steps
use to reach the simulators. `reference` and `driver:URL` share one HTTP client of the driver API."""

from __future__ import annotations

from pathlib import Path

from bench.targets.base import DriverAnswer, DriverSession, Target, slug
from bench.targets.control import ControlPlane
from bench.targets.driver import DriverTarget, ReferenceTarget
from bench.targets.errors import (
    BenchError,
    ControlPlaneError,
    DriverRefused,
    TargetNotAvailable,
    TargetSpecError,
    TargetUnreachable,
)
from bench.targets.manual import ManualTarget
from bench.targets.spec import TargetSpec, parse_target

__all__ = [
    "BenchError",
    "ControlPlane",
    "ControlPlaneError",
    "DriverAnswer",
    "DriverRefused",
    "DriverSession",
    "DriverTarget",
    "ManualTarget",
    "ReferenceTarget",
    "Target",
    "TargetNotAvailable",
    "TargetSpec",
    "TargetSpecError",
    "TargetUnreachable",
    "make_target",
    "parse_target",
    "slug",
]


def make_target(
    spec: TargetSpec,
    *,
    control: ControlPlane,
    lgo_driver_url: str | None,
    lgo_ui_url: str | None,
    screenshots_dir: Path,
) -> Target:
    """The Target for a spec; `reference` needs the reference LGO's URLs (from `endpoints --json`)."""
    if spec.kind == "driver":
        return DriverTarget(spec)
    if spec.kind == "manual":
        return ManualTarget(control)
    if not lgo_driver_url or not lgo_ui_url:
        raise TargetUnreachable(
            "Cible reference : le LGO de référence n'est pas publié par la pile (« lgo » absent de "
            "« segur-bench endpoints --json ») ; démarrer la pile avec le LGO (« segur-bench up »)"
        )
    return ReferenceTarget(
        spec, driver_url=lgo_driver_url, ui_url=lgo_ui_url, screenshots_dir=screenshots_dir
    )
