"""The bench clock: one per service, real, frozen or offset (CONVENTIONS "Journal, reset, clock")."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Literal

ClockMode = Literal["real", "frozen", "offset"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class BenchClock:
    """Time as a simulated service sees it. Thread-safe: the journal flusher and card threads read it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mode: ClockMode = "real"
        self._frozen_at: datetime | None = None
        self._offset = timedelta()

    @property
    def mode(self) -> ClockMode:
        return self._mode

    def now(self) -> datetime:
        with self._lock:
            if self._mode == "frozen" and self._frozen_at is not None:
                return self._frozen_at
            return utcnow() + self._offset

    def set(self, mode: ClockMode, now: datetime | None = None, offset_s: float | None = None) -> None:
        """real: wall clock; frozen: stops at `now` (default: the current bench time);
        offset: wall clock shifted by `offset_s`, or by whatever makes it read `now` at this instant."""
        if now is not None and now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        current = self.now()
        with self._lock:
            if mode == "real":
                self._mode, self._frozen_at, self._offset = "real", None, timedelta()
            elif mode == "frozen":
                self._mode, self._frozen_at, self._offset = "frozen", now or current, timedelta()
            elif mode == "offset":
                if offset_s is not None:
                    offset = timedelta(seconds=offset_s)
                elif now is not None:
                    offset = now - utcnow()
                else:
                    offset = current - utcnow()
                self._mode, self._frozen_at, self._offset = "offset", None, offset
            else:
                raise ValueError(f"mode d'horloge inconnu : {mode}")

    def advance(self, seconds: float) -> None:
        """Moves a frozen or offset clock forward (negative values move it back)."""
        with self._lock:
            if self._mode == "frozen" and self._frozen_at is not None:
                self._frozen_at += timedelta(seconds=seconds)
            else:
                self._mode = "offset" if self._mode == "real" else self._mode
                self._offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self.set("real")

    def state(self) -> dict[str, object]:
        """The control-plane shape: {mode, now, offset_s}."""
        now = self.now()
        with self._lock:
            offset_s = self._offset.total_seconds() if self._mode == "offset" else 0.0
            return {"mode": self._mode, "now": now.isoformat(), "offset_s": offset_s}
