"""Test harness: a real runtime (TLS listeners + control plane) in a background thread, free ports.

with running_stack(tmp_path, descriptors=[MY_DESCRIPTOR]) as stack:
    httpx.post(stack.url("insi"), ..., verify=str(stack.pki.chain_pem), cert=(...))
    httpx.get(stack.control_url + "/insi/exchanges")
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.core.host import ServiceHost
from simulators.core.runtime import Runtime
from simulators.core.service import ServiceDescriptor
from simulators.core.settings import RuntimeSettings


@dataclass
class RunningStack:
    runtime: Runtime
    loop: asyncio.AbstractEventLoop

    @property
    def control_url(self) -> str:
        return self.runtime.control_url

    @property
    def pki(self) -> Any:
        return self.runtime.pki

    def url(self, service: str) -> str:
        return self.runtime.service_url(service)

    def host(self, service: str) -> ServiceHost:
        return self.runtime.hosts[service]

    def call(self, fn: Any, *args: Any) -> Any:
        """Runs `fn(*args)` on the stack's event loop (services are single-threaded) and returns its result."""

        async def run() -> Any:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=30)


@contextmanager
def running_stack(
    home: Path,
    *,
    descriptors: list[ServiceDescriptor] | None = None,
    services: list[str] | None = None,
    database_url: str = "sqlite://",
    cards: str = "none",
    world: str = "default",
    fault_seed: int | None = 1234,
) -> Iterator[RunningStack]:
    settings = RuntimeSettings(
        home=Path(home),
        services=services,
        ports={d.name: 0 for d in descriptors or []},
        control_port=0,
        world=world,
        cards=cards,
        database_url=database_url,
        fault_seed=fault_seed,
    )
    if descriptors is None:
        from simulators import registry

        settings.ports = {d.name: 0 for d in registry.select(services)}
    runtime = Runtime(settings, descriptors)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="bench-stack", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(runtime.start(), loop).result(timeout=120)
        yield RunningStack(runtime, loop)
    finally:
        try:
            asyncio.run_coroutine_threadsafe(runtime.stop(), loop).result(timeout=30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()
