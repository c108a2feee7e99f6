"""A running service: its descriptor, instance, context, fault engine and listener state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from simulators.core.faults import FaultEngine
from simulators.core.service import ServiceContext, ServiceDescriptor, SimulatedService

HostState = Literal["starting", "up", "failed", "stopped"]
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

# Codes the core passes to `render_fault`; each service maps them to its own fault shape.
INTERNAL_ERROR_CODE = "erreur_interne"
BODY_TOO_LARGE_CODE = "requete_trop_volumineuse"


@dataclass
class ServiceHost:
    descriptor: ServiceDescriptor
    context: ServiceContext
    faults: FaultEngine
    service: SimulatedService | None = None
    port: int | None = None
    state: HostState = "starting"
    error: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    connection_closers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.descriptor.name

    def reset(self, scenario_id: str | None) -> None:
        """Empties the service's state, its faults and clock; later records carry `scenario_id`."""
        if self.service is not None:
            self.service.reset()
        self.faults.clear()
        self.context.clock.reset()
        self.context.scenario_id = scenario_id
        self.drop_connections()

    def drop_connections(self) -> None:
        """Closes the listener's idle kept-alive connections (busy ones close after their answer),
        so a scenario starts on fresh connections and a newly armed handshake fault is met."""
        for close in self.connection_closers:
            close()

    def health(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "state": self.state,
            "port": self.port,
            "mtls": self.descriptor.mtls,
            "base_path": self.descriptor.base_path,
            "fidelity": dict(self.descriptor.operations),
            "scenario_id": self.context.scenario_id,
        }
        if self.error:
            info["error"] = self.error
        extra = getattr(self.service, "health", None)
        if callable(extra):
            try:
                info["details"] = extra()
            except Exception as exc:  # a broken probe must not hide the others
                info["details"] = {"erreur": str(exc)}
        return info
