"""The core every simulator plugs into: service shape, request pipeline, journal, faults, clock,
TLS listeners, control plane and the one-process runtime (docs/dev-interfaces.md, `simulators.core`)."""

from simulators.core.clock import BenchClock
from simulators.core.exchange import Exchange, current
from simulators.core.findings import Finding
from simulators.core.peer import PeerIdentity
from simulators.core.raw import RawRequest, RawResponse
from simulators.core.service import ASGIApp, Fidelity, ServiceContext, ServiceDescriptor, SimulatedService

__all__ = [
    "ASGIApp",
    "BenchClock",
    "Exchange",
    "Fidelity",
    "Finding",
    "PeerIdentity",
    "RawRequest",
    "RawResponse",
    "ServiceContext",
    "ServiceDescriptor",
    "SimulatedService",
    "current",
]
