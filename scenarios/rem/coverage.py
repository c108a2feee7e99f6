"""REM coverage: which catalogue rows the Gherkin scenarios verify (`@REQ.<bench_id>` tags) and which
have a not-tested reason (`non-testees.yaml`).

A gap is a DOIT row (conditional ones included) with neither a scenario nor a reason. Errors are
`@REQ` tags and reasons naming ids the catalogue does not know: they would hide a gap.
Feature files are read with behave's own parser, so `# language: fr` Gherkin parses as behave runs it;
feature-level and rule-level tags apply to every scenario below them (behave's `effective_tags`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenarios.rem import BENCH_ID_RE, RemRow, load_catalogue, load_not_tested

REQ_TAG_PREFIX = "REQ."


class FeatureParseError(Exception):
    """A feature file cannot be read; the message (French) names it."""


@dataclass(frozen=True, order=True)
class ScenarioRef:
    feature: str  # path relative to the features folder, POSIX spelling
    line: int
    name: str

    def __str__(self) -> str:
        return f"{self.feature}:{self.line} « {self.name} »"


@dataclass(frozen=True)
class RowCoverage:
    row: RemRow
    scenarios: tuple[ScenarioRef, ...]
    reason: str | None

    @property
    def is_gap(self) -> bool:
        return self.row.obligation == "DOIT" and not self.scenarios and self.reason is None

    @property
    def has_stale_reason(self) -> bool:
        """A reason kept although scenarios now cover the row: the reason should go."""
        return bool(self.scenarios) and self.reason is not None


@dataclass(frozen=True)
class ThemeSummary:
    wave: int
    theme: str
    rows: int
    doit: int
    covered: int  # rows with at least one scenario
    reason_only: int  # rows without scenario but with a reason
    gaps: int


@dataclass(frozen=True)
class CoverageReport:
    rows: tuple[RowCoverage, ...]
    unknown_tag_ids: dict[str, tuple[ScenarioRef, ...]] = field(default_factory=dict)
    unknown_reason_ids: tuple[str, ...] = ()

    @property
    def gaps(self) -> list[RowCoverage]:
        return [item for item in self.rows if item.is_gap]

    @property
    def stale_reasons(self) -> list[RowCoverage]:
        return [item for item in self.rows if item.has_stale_reason]

    @property
    def has_errors(self) -> bool:
        return bool(self.unknown_tag_ids or self.unknown_reason_ids)

    @property
    def ok(self) -> bool:
        return not self.gaps and not self.has_errors

    def summaries(self) -> list[ThemeSummary]:
        """One line per (wave, theme) present in the selection, in catalogue order."""
        groups: dict[tuple[int, str], list[RowCoverage]] = {}
        for item in self.rows:
            groups.setdefault((item.row.wave, item.row.theme), []).append(item)
        return [
            ThemeSummary(
                wave=wave,
                theme=theme,
                rows=len(items),
                doit=sum(item.row.obligation == "DOIT" for item in items),
                covered=sum(bool(item.scenarios) for item in items),
                reason_only=sum(not item.scenarios and item.reason is not None for item in items),
                gaps=sum(item.is_gap for item in items),
            )
            for (wave, theme), items in groups.items()
        ]

    def to_json(self) -> dict[str, Any]:
        def ref(scenario: ScenarioRef) -> dict[str, Any]:
            return {"feature": scenario.feature, "line": scenario.line, "name": scenario.name}

        return {
            "version": 1,
            "ok": self.ok,
            "themes": [summary.__dict__ for summary in self.summaries()],
            "rows": [
                {
                    "bench_id": item.row.bench_id,
                    "obligation": item.row.obligation,
                    "conditional": item.row.conditional,
                    "scenarios": [ref(s) for s in item.scenarios],
                    "reason": item.reason,
                    "gap": item.is_gap,
                }
                for item in self.rows
            ],
            "gaps": [item.row.bench_id for item in self.gaps],
            "stale_reasons": [item.row.bench_id for item in self.stale_reasons],
            "unknown_tag_ids": {
                bench_id: [ref(s) for s in refs] for bench_id, refs in sorted(self.unknown_tag_ids.items())
            },
            "unknown_reason_ids": list(self.unknown_reason_ids),
        }


def _scenario_tags(feature: Any) -> Iterable[tuple[Any, set[str]]]:
    """(scenario or outline, its effective tags); an outline counts once, with its examples' tags."""
    from behave.model import ScenarioOutline

    generated: set[int] = set()
    for scenario in feature.walk_scenarios(with_outlines=True):
        if id(scenario) in generated:
            continue
        tags = {str(tag) for tag in scenario.effective_tags}
        if isinstance(scenario, ScenarioOutline):
            for example in scenario.scenarios:  # generated ones carry their Examples' tags
                generated.add(id(example))
                tags |= {str(tag) for tag in example.effective_tags}
        yield scenario, tags


def collect_requirement_tags(features_dir: Path) -> dict[str, list[ScenarioRef]]:
    """`@REQ.<id>` found in every `*.feature` below features_dir -> the scenarios that carry it."""
    from behave.parser import ParserError, parse_file

    found: dict[str, list[ScenarioRef]] = {}
    for path in sorted(features_dir.rglob("*.feature")):
        relative = path.relative_to(features_dir).as_posix()
        try:
            feature = parse_file(str(path))
        except ParserError as exc:
            raise FeatureParseError(
                f"{relative}, ligne {exc.line} : Gherkin illisible ({str(exc).splitlines()[-1].strip()})"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise FeatureParseError(f"{relative} : fichier illisible ({exc})") from None
        if feature is None:  # empty file
            continue
        for scenario, tags in _scenario_tags(feature):
            ref = ScenarioRef(relative, scenario.line, scenario.name)
            for tag in sorted(tags):
                if tag.startswith(REQ_TAG_PREFIX):
                    found.setdefault(tag[len(REQ_TAG_PREFIX) :], []).append(ref)
    return found


def _selected(bench_id: str, wave: int | None, themes: frozenset[str] | None) -> bool:
    """Whether an id (known or not) falls in the selection; ids out of format are always reported."""
    match = BENCH_ID_RE.match(bench_id)
    if not match:
        return True
    return (wave is None or int(match["wave"]) == wave) and (themes is None or match["theme"] in themes)


def compute_coverage(
    features_dir: Path,
    *,
    wave: int | None = None,
    themes: Iterable[str] | None = None,
    not_tested: dict[str, str] | None = None,
    catalogue: list[RemRow] | None = None,
) -> CoverageReport:
    """Coverage of the selected rows (a wave, some themes, or all) by the scenarios of features_dir."""
    theme_set = frozenset(t.upper() for t in themes) if themes else None
    rows = catalogue if catalogue is not None else load_catalogue()
    reasons = not_tested if not_tested is not None else load_not_tested()
    tags = collect_requirement_tags(features_dir)
    known = {row.bench_id for row in rows}
    coverage = tuple(
        RowCoverage(row, tuple(sorted(set(tags.get(row.bench_id, [])))), reasons.get(row.bench_id))
        for row in rows
        if _selected(row.bench_id, wave, theme_set)
    )
    unknown_tags = {
        bench_id: tuple(sorted(set(refs)))
        for bench_id, refs in tags.items()
        if bench_id not in known and _selected(bench_id, wave, theme_set)
    }
    unknown_reasons = tuple(
        sorted(
            bench_id for bench_id in reasons if bench_id not in known and _selected(bench_id, wave, theme_set)
        )
    )
    return CoverageReport(coverage, unknown_tags, unknown_reasons)
