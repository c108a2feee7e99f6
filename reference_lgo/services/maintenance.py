"""Unattended work of the LGO: the purge of ID-document copies at start-up and once a day.

"Once a day" is measured on the LGO clock (the bench moves it through /driver/v1/clock): a light
ticker looks every minute whether a day has passed since the last purge run, so moving the clock
five years ahead purges within a minute, as the real calendar would have.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from reference_lgo.domain.permissions import PERMISSIONS
from reference_lgo.services import id_documents
from reference_lgo.services.context import Actor, Origin

if TYPE_CHECKING:
    from reference_lgo.runtime import Runtime

log = logging.getLogger(__name__)

DAY = timedelta(days=1)
TICK_S = 60.0
SYSTEM = Actor(
    display_name="LGO (tâche automatique)",
    origin=Origin("systeme"),
    permissions=frozenset(PERMISSIONS),
)


def purge_now(runtime: Runtime, trigger: str, actor: Actor = SYSTEM) -> int:
    """One purge run in its own unit of work; returns how many copies were deleted."""
    with runtime.db.session() as session:
        return id_documents.purge(session, actor, runtime.clock.now(), runtime.settings(session), trigger)


def purge_if_due(runtime: Runtime) -> int | None:
    """The daily purge when a day has passed on the LGO clock since the last run (None: not due)."""
    with runtime.db.session() as session:
        last = id_documents.last_purge(session)
        if last is not None and runtime.clock.now() - last.at < DAY:
            return None
    return purge_now(runtime, "quotidien")


class DailyMaintenance:
    """Background ticker, started and stopped with the application."""

    def __init__(self, runtime: Runtime, tick_s: float = TICK_S) -> None:
        self.runtime = runtime
        self.tick_s = tick_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="lgo-maintenance", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.tick_s):
            try:
                purge_if_due(self.runtime)
            except Exception:  # a failed run is retried at the next tick; never kill the ticker
                log.exception("purge quotidienne des copies de pièces d'identité en échec")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def start(runtime: Runtime, tick_s: float = TICK_S) -> DailyMaintenance:
    """Start-up purge, then the daily ticker (a failed start-up purge is logged, not fatal)."""
    try:
        purge_now(runtime, "demarrage")
    except Exception:
        log.exception("purge des copies de pièces d'identité au démarrage en échec")
    ticker = DailyMaintenance(runtime, tick_s)
    ticker.start()
    return ticker
