"""One scenario of a run as the runner sees it: behave's model plus what the hooks add (scenario id,
preparation and cleanup outcomes, screenshots), and its translation into the results vocabulary.

behave statuses -> results: passed -> pass, failed (an assertion) -> fail, skipped/untested -> skip,
anything else (an exception outside an assertion, an undefined step, a hook error) -> error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.runner.tags import ScenarioTags
from bench.targets.errors import BenchError
from reports.model import Attachment, ScenarioResult, Screenshot, StepResult

MAX_MESSAGE = 4000
_PASSED, _FAILED = "passed", "failed"
_SKIPPED = frozenset({"skipped", "untested"})


def status_to_result(status: Any) -> str:
    name = getattr(status, "name", str(status))
    if name == _PASSED:
        return "pass"
    if name == _FAILED:
        return "fail"
    if name in _SKIPPED:
        return "skip"
    return "error"


def exception_message(exc: BaseException | None, fallback: str | None = None) -> str | None:
    """French text of our own exceptions; type and text (or behave's traceback) for anything else."""
    if exc is None:
        return fallback[:MAX_MESSAGE] if fallback else None
    if isinstance(exc, (AssertionError, BenchError)):
        text = str(exc).strip()
        return (text or (fallback or "assertion non vérifiée"))[:MAX_MESSAGE]
    return (fallback or f"{type(exc).__name__} : {exc}")[:MAX_MESSAGE]


def worst(results: list[str]) -> str:
    for result in ("error", "fail", "cancel", "wait"):
        if result in results:
            return result
    if results and all(r == "skip" for r in results):
        return "skip"
    return "pass" if "pass" in results or "attestation" in results else "skip"


@dataclass
class ScenarioRun:
    index: int
    scenario: Any  # behave.model.Scenario
    scenario_id: str
    tags: ScenarioTags
    feature: str
    started: float = 0.0  # time.monotonic() when the hooks began preparing it
    duration_s: float = 0.0
    preparation: StepResult | None = None  # pseudo-step: the runner's reset, seed and fault packs
    cleanup: StepResult | None = None
    screenshots: list[Screenshot] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)  # documents kept as evidence

    @property
    def name(self) -> str:
        return str(self.scenario.name)

    def steps(self) -> list[StepResult]:
        out = [self.preparation] if self.preparation is not None else []
        # A step may skip the rest of its scenario (a conditional requirement that does not apply):
        # the first skipped step carries behave's reason.
        skip_reason = getattr(self.scenario, "skip_reason", None)
        for step in self.scenario.steps:
            result = status_to_result(step.status)
            message = None
            if result in ("fail", "error"):
                message = exception_message(
                    getattr(step, "exception", None), getattr(step, "error_message", None)
                )
            elif result == "skip" and skip_reason:
                message, skip_reason = str(skip_reason)[:MAX_MESSAGE], None
            out.append(
                StepResult(
                    keyword=str(step.keyword).strip(),
                    name=str(step.name),
                    result=result,  # type: ignore[arg-type]
                    duration_s=round(float(getattr(step, "duration", 0.0) or 0.0), 3),
                    message=message,
                )
            )
        if self.cleanup is not None:
            out.append(self.cleanup)
        return out

    def result(self) -> str:
        steps = self.steps()
        if self.preparation is not None and self.preparation.result != "pass":
            return self.preparation.result
        results: list[str] = [step.result for step in steps]
        if status_to_result(getattr(self.scenario, "status", None)) == "skip" and not {"fail", "error"} & set(
            results
        ):
            return "skip"  # skipped by one of its steps after the preparation passed
        return worst(results)

    def to_result(self, exchange_ids: list[str]) -> ScenarioResult:
        return ScenarioResult(
            name=self.name,
            feature=self.feature,
            tags=list(self.tags.tags),
            requirement_ids=list(self.tags.requirement_ids),
            result=self.result(),  # type: ignore[arg-type]
            duration_s=round(self.duration_s, 3),
            steps=self.steps(),
            exchange_ids=exchange_ids,
            screenshots=list(self.screenshots),
            attachments=list(self.attachments),
        )


def feature_path(filename: str | None, features_dir: Path) -> str:
    """The .feature file relative to the features folder (absolute when it lies elsewhere)."""
    if not filename:
        return "?"
    path = Path(filename).resolve()
    try:
        return path.relative_to(features_dir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
