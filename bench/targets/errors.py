"""What can go wrong when the bench drives a target or its own control plane.

The distinction matters for the verdict (CONVENTIONS "Runs and results"): when the LGO under test
answers with a refusal or an error status, the scenario *fails* (`DriverRefused` is an
AssertionError, so behave records a failure); when the bench cannot reach its control plane or the
target at all, the scenario is in *error* (`BenchError`), the bench's fault, not the LGO's.
"""

from __future__ import annotations

from typing import Any


class BenchError(Exception):
    """The bench itself failed (French message)."""


class ControlPlaneError(BenchError):
    """The control plane is unreachable or refused a request of the bench."""

    def __init__(
        self, message: str, *, status: int | None = None, problem: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.problem = problem or {}


class TargetUnreachable(BenchError):
    """No answer from the target's driver API (connection refused, timeout, TLS failure)."""


class TargetNotAvailable(BenchError):
    """The target does not offer this action (manual target, "pas encore disponible")."""


class DriverRefused(AssertionError):
    """The target answered a driver request with an error status: the LGO's verdict, not the bench's.

    `code` is the problem+json `code` when the target gives one (e.g. "pin_faux"), `detail` its French text.
    """

    def __init__(
        self, method: str, path: str, status: int, problem: dict[str, Any] | None, text: str
    ) -> None:
        self.method, self.path, self.status = method, path, status
        self.problem = problem or {}
        self.code: str | None = (
            self.problem.get("code") if isinstance(self.problem.get("code"), str) else None
        )
        detail = self.problem.get("detail")
        self.detail = detail if isinstance(detail, str) and detail else text[:500]
        super().__init__(f"Le LGO a répondu {status} à {method} {path} : {self.detail}")


class TargetSpecError(ValueError):
    """`--target` is not reference, driver:URL or manual (usage error, French message)."""
