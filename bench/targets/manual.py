"""`manual`: a person operates the LGO; the bench shows instructions, then waits on `/_bench/<svc>/expect`
for the exchange the LGO should make (Inferno's "wait for the client to call us").

Designed, not yet offered: every driver action answers "pas encore disponible". The two primitives
below are what manual steps will be built on (results wait, cancel and attestation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.targets.base import DriverAnswer, DriverSession, Target
from bench.targets.control import ControlPlane
from bench.targets.errors import TargetNotAvailable
from bench.targets.spec import TargetSpec
from reports.model import Screenshot

NOT_AVAILABLE = "cible manual : pas encore disponible dans cette version du banc"


class ManualTarget(Target):
    def __init__(self, control: ControlPlane, show: Callable[[str], None] = print) -> None:
        self.spec = TargetSpec("manual")
        self.control = control
        self.show = show

    def instruct(self, text: str) -> None:
        """Tells the person what to do in their LGO (French)."""
        self.show(text)

    def await_exchange(
        self,
        service: str,
        operation: str | None = None,
        correlation: dict[str, str] | None = None,
        timeout_s: float = 300.0,
    ) -> dict[str, Any]:
        """The exchange the person's action produced, or `{timeout: true, near_misses}`."""
        return self.control.expect(service, operation=operation, correlation=correlation, timeout_s=timeout_s)

    def check(self) -> dict[str, Any]:
        raise TargetNotAvailable(NOT_AVAILABLE)

    def reset(self) -> None:
        raise TargetNotAvailable(NOT_AVAILABLE)

    def seed(self, payload: dict[str, Any]) -> dict[str, Any]:
        raise TargetNotAvailable(NOT_AVAILABLE)

    def open_session(self, login: str, password: str) -> DriverSession:
        raise TargetNotAvailable(NOT_AVAILABLE)

    def open_cps_session(self, pin: str, reader: str | None = None) -> DriverSession:
        raise TargetNotAvailable(NOT_AVAILABLE)

    def call(
        self,
        method: str,
        path: str,
        *,
        session: DriverSession | None = None,
        json: Any = None,
        params: Any = None,
        ok: bool = True,
    ) -> DriverAnswer:
        raise TargetNotAvailable(NOT_AVAILABLE)

    def capture(self, screen: str, name: str, session: DriverSession | None = None) -> Screenshot:
        return Screenshot(name=name, screen=screen, note="cible manuelle : joindre la capture à la main")
