"""A finding: what a simulator's rules say about one exchange (ARCHITECTURE principle 2)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Severity = Literal["error", "warning", "info"]


class Finding(BaseModel):
    """One conformance observation. `message` is French; `evidence` points into the exchange
    (an XPath, a header name, a field) or holds a short excerpt."""

    rule: str
    severity: Severity = "error"
    requirement_ids: list[str] = Field(default_factory=list)
    message: str
    evidence: Any = None

    def __init__(
        self,
        rule: str,
        severity: Severity = "error",
        requirement_ids: list[str] | None = None,
        message: str = "",
        evidence: Any = None,
        **data: Any,
    ) -> None:
        # Positional construction, as written in docs/dev-interfaces.md: Finding(rule, severity, ids, message).
        super().__init__(
            rule=rule,
            severity=severity,
            requirement_ids=list(requirement_ids or []),
            message=message,
            evidence=evidence,
            **data,
        )
