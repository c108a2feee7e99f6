"""One process, one event loop: every service's TLS listener plus the control plane.

`Runtime.start()` returns once every listener accepts connections and every service's `start()` has
run; it then writes the readiness file (JSON: pid, control URL, each service's port and state), which
the supervisor of `segur-bench up` waits for before checking `/_bench/health`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
from pathlib import Path
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from simulators.core.app import build_app
from simulators.core.clock import BenchClock
from simulators.core.control import RESERVED_NAMES, ControlState, create_control_app
from simulators.core.faults import FaultEngine
from simulators.core.host import ServiceHost
from simulators.core.journal import Journal
from simulators.core.service import ServiceContext, ServiceDescriptor
from simulators.core.settings import RuntimeSettings
from simulators.core.tls import TLSListener, server_context, uvicorn_config

log = logging.getLogger("simulators.runtime")


def load_world(name: str) -> Any | None:
    try:
        from scenarios import load_world as load
    except ImportError:
        log.warning("paquet scenarios indisponible : services démarrés sans monde")
        return None
    return load(name)


def load_pki(home: Path) -> Any | None:
    from protocols.pki import TestPKI

    return TestPKI.ensure(home / "pki")


class Runtime:
    def __init__(self, settings: RuntimeSettings, descriptors: list[ServiceDescriptor] | None = None) -> None:
        self.settings = settings
        self._descriptors = descriptors
        self.hosts: dict[str, ServiceHost] = {}
        self.journal: Journal | None = None
        self.pki: Any = None
        self.world: Any | None = None
        self.control_port: int | None = None
        self._listeners: list[TLSListener] = []
        self._control_server: asyncio.Server | None = None
        self._control_state = ServerState()

    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self.control_port}/_bench"

    def service_url(self, name: str) -> str:
        host = self.hosts[name]
        return f"https://localhost:{host.port}{host.descriptor.base_path}"

    async def start(self) -> None:
        settings = self.settings
        settings.home.mkdir(parents=True, exist_ok=True)
        descriptors = self._descriptors
        if descriptors is None:
            from simulators import registry

            descriptors = registry.select(settings.services)
        self.journal = Journal(settings.database_url)
        self.pki = await asyncio.to_thread(load_pki, settings.home)
        self.world = await asyncio.to_thread(load_world, settings.world)
        cards = settings.resolved_cards()
        for descriptor in descriptors:
            self.hosts[descriptor.name] = host = self._host(descriptor, cards)
            self._instantiate(host)
        control = ControlState(self.hosts, self.journal, self.pki)
        await self._start_control(create_control_app(control))
        for host in self.hosts.values():
            await self._start_host(host)
        self._write_ready_file()
        log.info("simulateurs prêts : %s", ", ".join(f"{h.name}={h.state}" for h in self.hosts.values()))

    def _host(self, descriptor: ServiceDescriptor, cards: str) -> ServiceHost:
        if descriptor.name in RESERVED_NAMES:
            raise ValueError(f"nom de service réservé au plan de contrôle : {descriptor.name}")
        assert self.journal is not None
        clock = BenchClock()
        rng = random.Random(self.settings.fault_seed)
        config = {
            "home": str(self.settings.home),
            "cards": cards,
            "world": self.settings.world,
            "port": self.settings.port_for(descriptor.name, descriptor.default_port),
        }
        context = ServiceContext(self.pki, self.world, clock, self.journal, config, name=descriptor.name)
        return ServiceHost(descriptor, context, FaultEngine(descriptor.name, clock, rng))

    def _instantiate(self, host: ServiceHost) -> None:
        """Services exist before the control plane is built: it mounts their `control_router()`."""
        try:
            host.service = host.descriptor.factory(host.context)
        except Exception as exc:
            host.state, host.error = "failed", f"{type(exc).__name__} : {exc}"
            log.exception("service %s : échec de la création", host.name)

    async def _start_host(self, host: ServiceHost) -> None:
        descriptor = host.descriptor
        if host.service is None:
            return
        try:
            port = host.context.config["port"]
            national = host.service.app() if port is not None else None
            if national is not None and port is not None:
                credential = await asyncio.to_thread(self.pki.server, descriptor.name)
                context = server_context(
                    credential.chain_pem,
                    credential.key_pem,
                    mtls=descriptor.mtls,
                    trust_pem=self.pki.chain_pem,
                    crl_pems=[self.pki.crl_pem(ca) for ca in _trusted_cas()],
                )
                listener = TLSListener(host, context, build_app(host, national))
                try:
                    host.port = await listener.start(self.settings.bind, port)
                except OSError as exc:
                    raise RuntimeError(
                        f"écoute impossible sur {self.settings.bind}:{port} ({exc.strerror})"
                    ) from exc
                self._listeners.append(listener)
                host.connection_closers.append(listener.drop_connections)
                host.faults.on_handshake_rule = host.drop_connections
            starter = getattr(host.service, "start", None)
            if callable(starter):
                await starter()
            host.state = "up"
        except Exception as exc:
            host.state, host.error = "failed", f"{type(exc).__name__} : {exc}"
            log.exception("service %s : échec du démarrage", descriptor.name)

    async def _start_control(self, app: Any) -> None:
        config = uvicorn_config(app, protocol=H11Protocol)
        loop = asyncio.get_running_loop()
        port = self.settings.resolved_control_port()

        def factory() -> H11Protocol:
            return H11Protocol(config=config, server_state=self._control_state, app_state={})

        try:
            self._control_server = await loop.create_server(factory, "127.0.0.1", port, reuse_address=True)
        except OSError as exc:
            raise RuntimeError(
                f"plan de contrôle : écoute impossible sur 127.0.0.1:{port} ({exc.strerror})"
            ) from exc
        self.control_port = int(self._control_server.sockets[0].getsockname()[1])

    def _write_ready_file(self) -> None:
        path = self.settings.ready_file
        if path is None:
            return
        data = {
            "pid": os.getpid(),
            "control_url": self.control_url,
            "control_port": self.control_port,
            "cards": self.hosts and next(iter(self.hosts.values())).context.config["cards"],
            "services": {
                name: {"port": h.port, "state": h.state, "error": h.error} for name, h in self.hosts.items()
            },
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        tmp.replace(path)

    async def stop(self) -> None:
        for listener in self._listeners:
            await listener.stop()
        for host in self.hosts.values():
            stopper = getattr(host.service, "stop", None)
            if callable(stopper):
                try:
                    await stopper()
                except Exception:
                    log.exception("service %s : échec de l'arrêt", host.name)
            host.state = "stopped"
        if self._control_server is not None:
            self._control_server.close()
            for connection in list(self._control_state.connections):
                connection.shutdown()
        if self.journal is not None:
            await asyncio.to_thread(self.journal.close)
        if self.settings.ready_file is not None:
            self.settings.ready_file.unlink(missing_ok=True)


def _trusted_cas() -> tuple[str, ...]:
    from protocols.pki import TRUSTED_CAS

    return tuple(TRUSTED_CAS)
