"""Runtime settings of the simulators process: ports, bind address, cards mode (env or flags)."""

from __future__ import annotations

import glob
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONTROL_PORT = 7900
VPCD_DRIVER_GLOB = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so*"


def env_port(name: str) -> int | None:
    """SEGUR_BENCH_PORT_<NAME> (CONTROL for the control plane); 0 = any free port."""
    raw = os.environ.get(f"SEGUR_BENCH_PORT_{name.upper().replace('-', '_')}")
    if raw is None or raw.strip() == "":
        return None
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"SEGUR_BENCH_PORT_{name.upper()} invalide : {raw!r} (entier attendu)") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"SEGUR_BENCH_PORT_{name.upper()} hors plage : {port}")
    return port


def vpcd_driver() -> str | None:
    override = os.environ.get("SEGUR_BENCH_VPCD_DRIVER")
    if override:
        return override if Path(override).exists() else None
    found = sorted(glob.glob(VPCD_DRIVER_GLOB))
    return found[0] if found else None


def default_cards_mode() -> str:
    """CONVENTIONS: `pcsc` when pcscd and vsmartcard-vpcd are installed, else `bench`."""
    pcscd = (
        os.environ.get("SEGUR_BENCH_PCSCD")
        or shutil.which("pcscd")
        or shutil.which("pcscd", path="/usr/sbin")
    )
    return "pcsc" if pcscd and vpcd_driver() else "bench"


@dataclass
class RuntimeSettings:
    home: Path
    services: list[str] | None = None  # None: every registered service
    ports: dict[str, int] = field(default_factory=dict)  # explicit ports; others from env, then defaults
    control_port: int | None = None
    bind: str = "127.0.0.1"
    world: str = "default"
    cards: str | None = None
    database_url: str | None = None
    ready_file: Path | None = None
    fault_seed: int | None = None

    def port_for(self, service: str, default: int | None) -> int | None:
        if default is None:
            return None
        if service in self.ports:
            return self.ports[service]
        from_env = env_port(service)
        return default if from_env is None else from_env

    def resolved_control_port(self) -> int:
        if self.control_port is not None:
            return self.control_port
        from_env = env_port("control")
        return DEFAULT_CONTROL_PORT if from_env is None else from_env

    def resolved_cards(self) -> str:
        return self.cards or os.environ.get("SEGUR_BENCH_CARDS") or default_cards_mode()
