"""Per-scenario state the steps share (`context.bench`): who the scenario currently acts as, the
sessions it opened, and the last answers the `Alors` steps check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench.targets import ControlPlane, DriverSession, Target
from bench.targets.errors import BenchError

if TYPE_CHECKING:
    from bench.runner.context import RunContext
    from bench.runner.scenario_run import ScenarioRun
    from scenarios import World


@dataclass
class ScenarioBench:
    run: RunContext
    current: ScenarioRun
    sessions: dict[str, DriverSession] = field(default_factory=dict)  # by account login
    session: DriverSession | None = None  # the account the scenario acts as now
    last: dict[str, Any] = field(default_factory=dict)  # answers kept for later checks

    @property
    def target(self) -> Target:
        return self.run.target

    @property
    def control(self) -> ControlPlane:
        return self.run.control

    @property
    def world(self) -> World:
        return self.run.world

    @property
    def scenario_id(self) -> str:
        return self.current.scenario_id

    def act_as(self, session: DriverSession) -> None:
        key = session.login or str(session.account.get("login") or f"session-{len(self.sessions) + 1}")
        self.sessions[key] = session
        self.session = session

    def session_of(self, login: str) -> DriverSession:
        session = self.sessions.get(login)
        if session is None:
            raise BenchError(f"Scénario mal écrit : aucune session ouverte pour « {login} » à ce stade")
        return session

    def remember(self, key: str, value: Any) -> None:
        self.last[key] = value

    def recall(self, key: str) -> Any:
        if key not in self.last:
            raise BenchError(
                f"Scénario mal écrit : aucune valeur « {key} » produite par une étape précédente"
            )
        return self.last[key]

    def close(self) -> None:
        """Sessions end with the next scenario's reset of the LGO; nothing to release here yet."""
        self.session = None
        self.sessions.clear()
