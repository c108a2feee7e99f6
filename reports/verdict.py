"""How scenario results combine, for a requirement and for a whole run.

An error means the bench could not judge (control plane or target unreachable, an exception outside
an assertion): it outranks a failure, since the other verdicts of that run are then not reliable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["pass", "fail", "error", "empty"]


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    label: str  # French, for the report's banner


def run_outcome(results: Iterable[str]) -> Outcome:
    """pass when nothing failed (skips allowed), fail when the LGO failed, error when the bench did."""
    seen = set(results)
    if not seen:
        return "empty"
    if seen & {"error"}:
        return "error"
    if seen & {"fail", "cancel"}:
        return "fail"
    return "pass"


def run_verdict(results: Iterable[str]) -> Verdict:
    outcome = run_outcome(results)
    labels = {
        "pass": "Tous les scénarios exécutés sont réussis.",
        "fail": "Le LGO testé échoue sur au moins un scénario.",
        "error": "Le banc a rencontré une erreur : les verdicts de ce run ne sont pas tous fiables.",
        "empty": "Aucun scénario exécuté.",
    }
    return Verdict(outcome, labels[outcome])


def requirement_verdict(results: Iterable[str]) -> str:
    """The result shown for a requirement verified by several scenarios (a result key of RESULTS)."""
    seen = set(results)
    for result in ("error", "fail", "cancel", "wait"):
        if result in seen:
            return result
    if seen & {"pass", "attestation"}:
        return "attestation" if "pass" not in seen else "pass"
    return "skip"
