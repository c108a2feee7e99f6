"""The stack a run talks to: a running one (found through `segur-bench endpoints --json`), or one the
run starts with `segur-bench up --detach` and stops with `segur-bench down` when it is over.

The run goes through the public commands rather than the supervisor's insides, so it sees exactly
what a user or an editor's CI sees.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.targets.errors import BenchError

UP_TIMEOUT_S = 240.0


class StackUnavailable(BenchError):
    """The stack could not be found or started (French message)."""


@dataclass(frozen=True)
class Endpoints:
    """`endpoints --json` version 1 (CONVENTIONS), the parts a run needs."""

    control: str  # the control plane's /_bench URL
    services: dict[str, dict[str, Any]]
    lgo_ui: str | None = None
    lgo_driver: str | None = None
    credentials_dir: Path | None = None
    credential_files: dict[str, dict[str, str]] = field(default_factory=dict)
    ca_chain: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> Endpoints:
        if not isinstance(data, dict) or data.get("version") != 1:
            raise StackUnavailable("« segur-bench endpoints --json » : document de version 1 attendu")
        services = _dict(data.get("services"))
        control = data.get("control")
        if not isinstance(control, str):  # CONVENTIONS publishes it per service: /_bench/<service>
            control = next(
                (
                    str(info["control"]).rsplit("/", 1)[0]
                    for info in services.values()
                    if isinstance(info, dict) and isinstance(info.get("control"), str)
                ),
                None,
            )
        if not control:
            raise StackUnavailable(
                "« segur-bench endpoints --json » ne donne pas l'adresse du plan de contrôle"
            )
        lgo = _dict(data.get("lgo"))
        credentials = _dict(data.get("credentials"))
        cred_dir = Path(credentials["dir"]) if isinstance(credentials.get("dir"), str) else None
        chain = credentials.get("ca_chain")
        return cls(
            control=control.rstrip("/"),
            services={name: info for name, info in services.items() if isinstance(info, dict)},
            lgo_ui=lgo.get("ui") if isinstance(lgo.get("ui"), str) else None,
            lgo_driver=lgo.get("driver") if isinstance(lgo.get("driver"), str) else None,
            credentials_dir=cred_dir,
            credential_files=dict(credentials.get("files") or {}),
            ca_chain=Path(chain)
            if isinstance(chain, str)
            else (cred_dir / "ca" / "chain.pem" if cred_dir else None),
            raw=data,
        )

    def fidelity(self) -> dict[str, dict[str, str]]:
        """service -> operation -> public-spec | bench-contract."""
        return {
            name: {str(op): str(level) for op, level in (info.get("operations") or {}).items()}
            for name, info in self.services.items()
        }


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def cli(*args: str) -> list[str]:
    """`segur-bench ARGS` with this interpreter, whatever the PATH."""
    return [sys.executable, "-c", "from bench.cli import main; main()", *args]


def read_endpoints() -> Endpoints | None:
    """The running stack's endpoints, or None when no stack answers."""
    done = subprocess.run(cli("endpoints", "--json"), capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        return None
    try:
        return Endpoints.from_json(json.loads(done.stdout))
    except ValueError:
        raise StackUnavailable("« segur-bench endpoints --json » a rendu un JSON illisible") from None


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@contextmanager
def stack_for_run(*, with_lgo: bool, progress: Callable[[str], None]) -> Iterator[Endpoints]:
    """Uses the running stack, or starts one for the run and stops it afterwards."""
    endpoints = read_endpoints()
    started = False
    if endpoints is None:
        args = ["up", "--detach"] + ([] if with_lgo else ["--no-lgo"])
        progress(f"Aucune pile en cours : démarrage (segur-bench {' '.join(args)})…")
        try:
            done = subprocess.run(cli(*args), capture_output=True, text=True, timeout=UP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise StackUnavailable(f"La pile n'a pas démarré en {UP_TIMEOUT_S:.0f} s") from None
        if done.returncode != 0:
            raise StackUnavailable(f"Démarrage de la pile impossible :\n{_tail(done.stderr or done.stdout)}")
        started = True
        endpoints = read_endpoints()
        if endpoints is None:
            _down(progress)
            raise StackUnavailable("Pile démarrée mais « segur-bench endpoints --json » ne répond pas")
    try:
        yield endpoints
    finally:
        if started:
            _down(progress)


def _down(progress: Callable[[str], None]) -> None:
    done = subprocess.run(cli("down"), capture_output=True, text=True, timeout=120)
    if done.returncode == 0:
        progress("Pile démarrée pour ce run : arrêtée.")
    else:
        progress(f"Arrêt de la pile incomplet : {_tail(done.stderr or done.stdout, 3)}")
