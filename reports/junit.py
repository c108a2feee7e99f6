"""`junit.xml`: one testsuite per feature file, one testcase per scenario (the JUnit dialect read by
Jenkins, GitLab and GitHub test reporters).

fail -> <failure>, error -> <error> (the bench failed, not the LGO), skip -> <skipped>; the manual
target's wait and cancel are reported as skipped, an attestation as passed. Requirement ids go into
testcase properties so a CI view can trace a failure back to the REM row.
"""

from __future__ import annotations

import re
from collections import defaultdict

from lxml import etree

from reports.model import RESULT_LABELS_FR, RunResults, ScenarioResult

# XML 1.0 forbids most control characters; a step message may carry anything (an LGO's answer).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _classname(feature: str) -> str:
    return feature.removesuffix(".feature").replace("/", ".")


def _first_problem(scenario: ScenarioResult) -> tuple[str, str]:
    """(short message, details) from the first step that did not pass."""
    for step in scenario.steps:
        if step.result in ("fail", "error"):
            message = (step.message or "").strip()
            first_line = message.splitlines()[0] if message else RESULT_LABELS_FR[step.result]
            return _clean(f"{step.keyword} {step.name} : {first_line}"), _clean(message)
    return RESULT_LABELS_FR[scenario.result], ""


def _steps_text(scenario: ScenarioResult) -> str:
    return _clean(
        "\n".join(
            f"[{RESULT_LABELS_FR[step.result]}] {step.keyword} {step.name} ({step.duration_s:.2f} s)"
            for step in scenario.steps
        )
    )


def build_junit(results: RunResults) -> bytes:
    counts = results.counts()
    total_time = sum(s.duration_s for s in results.scenarios)
    root = etree.Element(
        "testsuites",
        name="segur-bench",
        tests=str(len(results.scenarios)),
        failures=str(counts["fail"]),
        errors=str(counts["error"]),
        skipped=str(counts["skip"] + counts["wait"] + counts["cancel"]),
        time=_seconds(total_time),
        timestamp=results.started_at.isoformat(),
    )
    by_feature: dict[str, list[ScenarioResult]] = defaultdict(list)
    for scenario in results.scenarios:
        by_feature[scenario.feature].append(scenario)
    for feature, scenarios in by_feature.items():
        suite = etree.SubElement(
            root,
            "testsuite",
            name=feature,
            tests=str(len(scenarios)),
            failures=str(sum(s.result == "fail" for s in scenarios)),
            errors=str(sum(s.result == "error" for s in scenarios)),
            skipped=str(sum(s.result in ("skip", "wait", "cancel") for s in scenarios)),
            time=_seconds(sum(s.duration_s for s in scenarios)),
            timestamp=results.started_at.isoformat(),
        )
        props = etree.SubElement(suite, "properties")
        etree.SubElement(props, "property", name="target", value=results.target)
        etree.SubElement(props, "property", name="bench_version", value=results.bench_version)
        for scenario in scenarios:
            _testcase(suite, scenario)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _testcase(suite: etree._Element, scenario: ScenarioResult) -> None:
    case = etree.SubElement(
        suite,
        "testcase",
        name=_clean(scenario.name),
        classname=_classname(scenario.feature),
        time=_seconds(scenario.duration_s),
    )
    if scenario.requirement_ids or scenario.tags:
        props = etree.SubElement(case, "properties")
        for requirement in scenario.requirement_ids:
            etree.SubElement(props, "property", name="requirement", value=requirement)
        etree.SubElement(props, "property", name="tags", value=" ".join(scenario.tags))
    message, details = _first_problem(scenario)
    if scenario.result == "fail":
        etree.SubElement(case, "failure", message=message, type="echec").text = details
    elif scenario.result == "error":
        etree.SubElement(case, "error", message=message, type="erreur-du-banc").text = details
    elif scenario.result in ("skip", "wait", "cancel"):
        reason = next((s.message for s in scenario.steps if s.message), None)
        etree.SubElement(case, "skipped", message=_clean(reason or RESULT_LABELS_FR[scenario.result]))
    etree.SubElement(case, "system-out").text = _steps_text(scenario)
