"""Background writer: flushes the journal's pending records every interval, or sooner when poked."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Flusher:
    def __init__(
        self, flush: Callable[[], int], interval_s: float = 0.1, name: str = "journal-flusher"
    ) -> None:
        self._flush = flush
        self._interval_s = interval_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        """Asks for a flush now (a full batch is waiting)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._interval_s)
            self._wake.clear()
            try:
                self._flush()
            except Exception:  # the records stay pending and are retried at the next tick
                log.exception("écriture du journal échouée ; nouvel essai au prochain cycle")
