"""The LGO's clock: real, frozen or offset, driven by the driver API (`/driver/v1/clock`) with the
same shape as the simulators' clocks, so a scenario moves both (CONVENTIONS "Journal, reset, clock").

Session expiry and audit timestamps read this clock, never `datetime.now()` directly.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Literal

ClockMode = Literal["real", "frozen", "offset"]


class LgoClock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mode: ClockMode = "real"
        self._frozen_at: datetime | None = None
        self._offset = timedelta()

    def now(self) -> datetime:
        """Current UTC time as the LGO sees it (timezone-aware)."""
        with self._lock:
            if self._mode == "frozen" and self._frozen_at is not None:
                return self._frozen_at
            return datetime.now(UTC) + self._offset

    def set(self, mode: ClockMode, now: datetime | None = None, offset_s: float | None = None) -> None:
        """real: wall clock; frozen: stops at `now` (default: the current LGO time); offset: wall clock
        shifted by `offset_s`, or by whatever makes it read `now` at this instant."""
        if now is not None:
            now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
        current = self.now()
        with self._lock:
            if mode == "real":
                self._mode, self._frozen_at, self._offset = "real", None, timedelta()
            elif mode == "frozen":
                self._mode, self._frozen_at, self._offset = "frozen", now or current, timedelta()
            elif mode == "offset":
                if offset_s is not None:
                    offset = timedelta(seconds=offset_s)
                else:
                    offset = (now or current) - datetime.now(UTC)
                self._mode, self._frozen_at, self._offset = "offset", None, offset
            else:
                raise ValueError(f"mode d'horloge inconnu : {mode}")

    def advance(self, seconds: float) -> None:
        """Moves a frozen or offset clock (a real one becomes offset)."""
        with self._lock:
            if self._mode == "frozen" and self._frozen_at is not None:
                self._frozen_at += timedelta(seconds=seconds)
            else:
                self._mode = "offset"
                self._offset += timedelta(seconds=seconds)

    def state(self) -> dict[str, object]:
        """{mode, now, offset_s}: the simulators' control-plane shape."""
        now = self.now()
        with self._lock:
            offset_s = self._offset.total_seconds() if self._mode == "offset" else 0.0
            return {"mode": self._mode, "now": now.isoformat(), "offset_s": offset_s}
