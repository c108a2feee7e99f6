"""Fault engine: which rule, if any, applies to an exchange (ARCHITECTURE principle 5).

Rules are `scenarios.FaultRule` objects (CONVENTIONS: {id, service, operation, match, probability,
count, window: {start, duration_s}, action: {kind, ...}}); the engine reads them by attribute so it
stays independent of how the model is declared. First matching rule wins, in insertion order.

`match` keys: `header.<name>` (request header), `method`, `path`, `peer.subject`, `peer.cn`; any other
key is a correlation key of the service (e.g. `ins`). A value is a string or a list of accepted strings.
`tls_failure` rules are evaluated at the TLS handshake, before any request exists: their `operation`
and `match` cannot apply there and are ignored.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from simulators.core.clock import BenchClock
from simulators.core.peer import PeerIdentity

HANDSHAKE_KINDS = frozenset({"tls_failure"})


@dataclass
class MatchContext:
    """What a rule's `match` can look at."""

    method: str = ""
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    correlation: dict[str, str] = field(default_factory=dict)
    peer: PeerIdentity | None = None

    def value(self, key: str) -> str | None:
        if key.startswith(("header.", "header:")):
            return self.headers.get(key[7:].lower())
        if key == "method":
            return self.method
        if key == "path":
            return self.path
        if key == "peer.subject":
            return self.peer.subject if self.peer else None
        if key == "peer.cn":
            return self.peer.common_name if self.peer else None
        return self.correlation.get(key)


@dataclass
class _Slot:
    rule: Any
    added_at: datetime
    hits: int = 0


def action_kind(rule: Any) -> str:
    return str(getattr(rule.action, "kind", ""))


class FaultEngine:
    def __init__(self, service: str, clock: BenchClock, rng: random.Random | None = None) -> None:
        self.service = service
        self.clock = clock
        self.rng = rng or random.Random()
        self._lock = threading.Lock()
        self._slots: list[_Slot] = []
        self._counter = 0
        # Called when a handshake rule is armed: a client reusing a kept-alive connection would
        # otherwise never handshake again and never meet the fault (the listener drops idle ones).
        self.on_handshake_rule: Callable[[], None] | None = None

    # --- rule set -----------------------------------------------------------------------------
    def add(self, rule: Any) -> Any:
        """Adds a rule (assigning an id when it has none); returns the rule as stored."""
        if getattr(rule, "service", self.service) not in (None, self.service):
            raise ValueError(f"la règle vise le service {rule.service!r}, pas {self.service!r}")
        with self._lock:
            self._counter += 1
            if not getattr(rule, "id", None):
                rule = rule.model_copy(update={"id": f"{self.service}-{self._counter}"})
            self._slots = [s for s in self._slots if s.rule.id != rule.id]  # same id: replaced
            self._slots.append(_Slot(rule, self.clock.now()))
        kind = getattr(getattr(rule, "action", None), "kind", None)
        if kind in HANDSHAKE_KINDS and self.on_handshake_rule is not None:
            self.on_handshake_rule()
        return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._slots)
            self._slots = [s for s in self._slots if s.rule.id != rule_id]
            return len(self._slots) != before

    def clear(self) -> None:
        with self._lock:
            self._slots = []

    def seed(self, seed: int | str | None) -> None:
        """Reseeds the probability draws (deterministic runs)."""
        self.rng.seed(seed)

    def describe(self) -> list[dict[str, Any]]:
        """Rules with their state, as the control plane shows them."""
        with self._lock:
            slots = list(self._slots)
        out = []
        for slot in slots:
            data = slot.rule.model_dump(mode="json")
            count = getattr(slot.rule, "count", None)
            data["state"] = {
                "hits": slot.hits,
                "remaining": None if count is None else max(0, count - slot.hits),
                "active": self._in_window(slot, self.clock.now()) and (count is None or slot.hits < count),
            }
            out.append(data)
        return out

    # --- matching -----------------------------------------------------------------------------
    def pick(self, operation: str | None, ctx: MatchContext) -> Any | None:
        """The rule that fires for this request (consuming one of its `count`), or None."""
        return self._pick(lambda slot: self._applies(slot, operation, ctx), handshake=False)

    def pick_handshake(self) -> Any | None:
        """The `tls_failure` rule that aborts this handshake, or None."""
        return self._pick(lambda _slot: True, handshake=True)

    def _pick(self, applies: Any, *, handshake: bool) -> Any | None:
        now = self.clock.now()
        with self._lock:
            for slot in self._slots:
                if (action_kind(slot.rule) in HANDSHAKE_KINDS) != handshake:
                    continue
                count = getattr(slot.rule, "count", None)
                if count is not None and slot.hits >= count:
                    continue
                if not self._in_window(slot, now) or not applies(slot):
                    continue
                probability = getattr(slot.rule, "probability", None)
                if probability is not None and probability < 1 and self.rng.random() >= probability:
                    continue
                slot.hits += 1
                return slot.rule
        return None

    @staticmethod
    def _applies(slot: _Slot, operation: str | None, ctx: MatchContext) -> bool:
        wanted_op = getattr(slot.rule, "operation", None)
        if wanted_op not in (None, "", "*") and wanted_op != operation:
            return False
        for key, expected in (getattr(slot.rule, "match", None) or {}).items():
            actual = ctx.value(key)
            accepted = [str(v) for v in expected] if isinstance(expected, list | tuple) else [str(expected)]
            if actual is None or actual not in accepted:
                return False
        return True

    @staticmethod
    def _in_window(slot: _Slot, now: datetime) -> bool:
        window = getattr(slot.rule, "window", None)
        if window is None:
            return True
        start = getattr(window, "start", None) or slot.added_at
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        if now < start:
            return False
        duration = getattr(window, "duration_s", None)
        return duration is None or now < start + timedelta(seconds=duration)
