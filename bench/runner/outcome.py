"""Result vocabulary (pass, fail, skip, error) -> the exit codes of CONVENTIONS."""

from __future__ import annotations

from collections.abc import Iterable

from bench import exitcodes
from reports.verdict import run_outcome

PROGRESS_LABELS = {
    "pass": "OK",
    "fail": "ÉCHEC",
    "error": "ERREUR",
    "skip": "IGNORÉ",
    "wait": "ATTENTE",
    "cancel": "ANNULÉ",
    "attestation": "ATTESTÉ",
}


def exit_code_for(results: Iterable[str]) -> int:
    """0 when every scenario run passed (skips allowed), 1 when the LGO failed, 2 when the bench did.

    An error outranks a failure: the run's verdicts are then not all reliable. No scenario at all is
    a usage problem (a tag expression that selects nothing), code 3.
    """
    outcome = run_outcome(results)
    return {
        "pass": exitcodes.PASS,
        "fail": exitcodes.LGO_FAILED,
        "error": exitcodes.BENCH_FAILED,
        "empty": exitcodes.USAGE,
    }[outcome]


def progress_line(index: int, total: int, result: str, name: str, duration_s: float) -> str:
    """ "[3/7] OK  Connexion par carte CPS (1,2 s)"."""
    seconds = f"{duration_s:.1f}".replace(".", ",")
    return f"[{index}/{total}] {PROGRESS_LABELS.get(result, result.upper())}  {name} ({seconds} s)"
