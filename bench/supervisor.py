"""Starts, watches and stops the simulators process; keeps its state under $SEGUR_BENCH_HOME/run/.

`up` spawns `python -m simulators` in its own session (Ctrl-C in the terminal reaches only the CLI,
which then stops the stack cleanly), waits for its readiness file, then for `/_bench/health` to say
every service is up. The state file (`run/stack.json`) lets `down`, `status` and `endpoints` find it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import paths

STATE_NAME = "stack.json"
READY_NAME = "simulators.ready.json"
LOG_NAME = "simulators.log"
READY_TIMEOUT_S = 90.0
HEALTH_TIMEOUT_S = 30.0


class StackError(RuntimeError):
    """The stack could not be started or reached (French message for the user)."""


@dataclass
class StackOptions:
    services: list[str] | None = None
    cards: str = "bench"
    world: str = "default"
    extra_args: list[str] = field(default_factory=list)


@dataclass
class StackState:
    pid: int
    home: str
    control_url: str
    started_at: float
    cards: str
    log: str
    ready_s: float | None = None
    lgo_pid: int | None = None
    lgo_port: int | None = None
    lgo_log: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_dir(home: Path) -> Path:
    path = home / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pid_is_simulators(pid: int) -> bool:
    return _pid_runs(pid, b"simulators")


def _pid_runs(pid: int, marker: bytes) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # guards against a recycled pid
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return marker in cmdline


def read_state(home: Path) -> StackState | None:
    """The running stack's state, or None (a stale state file is removed)."""
    path = run_dir(home) / STATE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        state = StackState(**data)
    except (OSError, ValueError, TypeError):
        return None
    if not _pid_is_simulators(state.pid):
        path.unlink(missing_ok=True)
        return None
    return state


def _write_state(home: Path, state: StackState) -> None:
    path = run_dir(home) / STATE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state.to_json(), indent=2), encoding="utf-8")
    tmp.replace(path)


def _log_tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def spawn(home: Path, options: StackOptions) -> tuple[subprocess.Popen[bytes], Path, Path]:
    ready = run_dir(home) / READY_NAME
    ready.unlink(missing_ok=True)
    log = _logs(home) / LOG_NAME
    command = [sys.executable, "-m", "simulators", "--home", str(home), "--ready-file", str(ready)]
    command += ["--cards", options.cards, "--world", options.world]
    if options.services:
        command += ["--services", ",".join(options.services)]
    command += options.extra_args
    env = {**os.environ, "SEGUR_BENCH_HOME": str(home)}
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=paths.repo_root(),
            env=env,
            start_new_session=True,
        )
    return process, ready, log


def _logs(home: Path) -> Path:
    path = home / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(
    home: Path, options: StackOptions, while_starting: Callable[[], object] | None = None
) -> tuple[StackState, subprocess.Popen[bytes]]:
    """Starts the simulators and returns once every service answers its health check.

    `while_starting` runs right after the spawn, overlapping the child's start (e.g. the PKI export).
    """
    running = read_state(home)
    if running is not None:
        raise StackError(f"Une pile tourne déjà (pid {running.pid}) : « segur-bench down » pour l'arrêter.")
    started = time.monotonic()
    process, ready, log = spawn(home, options)
    try:
        if while_starting is not None:
            while_starting()
        info = _wait_ready(process, ready, log)
        state = StackState(
            pid=process.pid,
            home=str(home),
            control_url=str(info["control_url"]),
            started_at=time.time(),
            cards=str(info.get("cards") or options.cards),
            log=str(log),
        )
        _write_state(home, state)
        wait_healthy(state.control_url, process, log)
    except BaseException:
        _terminate(process.pid)
        (run_dir(home) / STATE_NAME).unlink(missing_ok=True)
        raise
    state.ready_s = time.monotonic() - started
    _write_state(home, state)
    return state, process


def _wait_ready(process: subprocess.Popen[bytes], ready: Path, log: Path) -> dict[str, Any]:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(
                f"Le processus des simulateurs s'est arrêté (code {process.returncode}) :\n{_log_tail(log)}"
            )
        if ready.exists():
            try:
                return dict(json.loads(ready.read_text(encoding="utf-8")))
            except ValueError:
                pass  # being written: read again
        time.sleep(0.02)
    raise StackError(f"Les simulateurs ne sont pas prêts après {READY_TIMEOUT_S:.0f} s :\n{_log_tail(log)}")


def wait_healthy(
    control_url: str, process: subprocess.Popen[bytes] | None = None, log: Path | None = None
) -> dict[str, Any]:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    last: dict[str, Any] = {}
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                tail = _log_tail(log) if log else ""
                raise StackError(
                    f"Le processus des simulateurs s'est arrêté (code {process.returncode}) :\n{tail}"
                )
            try:
                last = client.get(f"{control_url}/health").json()
            except (httpx.HTTPError, ValueError):
                time.sleep(0.02)
                continue
            failed = {n: s for n, s in last.get("services", {}).items() if s.get("state") == "failed"}
            if failed:
                detail = "; ".join(f"{n} : {s.get('error') or 'échec'}" for n, s in failed.items())
                raise StackError(f"Service(s) en échec au démarrage : {detail}")
            if last.get("status") == "ok":
                return last
            time.sleep(0.02)
    raise StackError(f"Santé des simulateurs non confirmée après {HEALTH_TIMEOUT_S:.0f} s : {last}")


def _terminate(pid: int, timeout_s: float = 15.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)  # our own child: reap it
            if finished == pid:
                return
        except ChildProcessError:
            if not _pid_is_simulators(pid):
                return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def stop(home: Path) -> StackState | None:
    """Stops the running stack; returns what was stopped (None when nothing ran)."""
    state = read_state(home)
    if state is None:
        return None
    if state.lgo_pid is not None and _pid_runs(state.lgo_pid, b"reference_lgo"):
        _terminate(state.lgo_pid)
    _terminate(state.pid)
    (run_dir(home) / STATE_NAME).unlink(missing_ok=True)
    return state


def health(state: StackState) -> dict[str, Any] | None:
    try:
        return dict(httpx.get(f"{state.control_url}/health", timeout=5.0).json())
    except (httpx.HTTPError, ValueError):
        return None


def world_professionals(world: str) -> list[tuple[str, str]]:
    """(idNatPS, display name) of the world's professionals, for the PKI export."""
    from scenarios import load_world

    found: dict[str, str] = {}
    for professional in load_world(world).professionals:
        found.setdefault(professional.id_nat_ps, f"{professional.first_name} {professional.last_name}")
    return list(found.items())


def prepare_pki(
    directory: Path, progress: Callable[[str], None], *, world: str = "default", export: bool = True
) -> Path:
    """TestPKI.ensure, then (when asked) the export into <directory>/export that `endpoints` publishes."""
    from protocols.pki import TestPKI

    started = time.monotonic()
    pki = TestPKI.ensure(directory)
    target = directory / "export"
    if export:
        pki.export(target, world_professionals(world))
    elapsed = time.monotonic() - started
    if pki.generated:
        progress(f"PKI de test générée en {elapsed:.2f} s".replace(".", ","))
    return target


def _credential_files(export: Path) -> dict[str, dict[str, str]]:
    clients = export / "clients"
    files: dict[str, dict[str, str]] = {}
    for pem in sorted(clients.glob("*.pem")) if clients.is_dir() else []:
        if pem.name.endswith(".chain.pem"):
            continue
        name = pem.stem
        entry = {"pem": str(pem), "key": str(clients / f"{name}.key"), "p12": str(clients / f"{name}.p12")}
        chain = clients / f"{name}.chain.pem"
        if chain.exists():
            entry["chain"] = str(chain)
        files[name] = entry
    return files


def _cards_block(services: dict[str, Any], state: StackState) -> dict[str, Any]:
    details = services.get("cards", {}).get("details") or {}
    block: dict[str, Any] = {"mode": details.get("mode") or state.cards}
    for key in ("pcscd_socket", "bench_reader", "readers"):
        if details.get(key) is not None:
            block[key] = details[key]
    return block


def endpoints_document(state: StackState, health_info: dict[str, Any]) -> dict[str, Any]:
    """`endpoints --json`, version 1 (CONVENTIONS); `control` and `credentials.ca_chain` are additions."""
    home = Path(state.home)
    export = home / "pki" / "export"
    services = health_info.get("services", {})
    published = {
        name: {
            "url": f"https://localhost:{info['port']}{info.get('base_path', '')}",
            "control": f"{state.control_url}/{name}",
            "mtls": bool(info.get("mtls")),
            "operations": dict(info.get("fidelity") or {}),
        }
        for name, info in services.items()
        if info.get("port")
    }
    return {
        "version": 1,
        "home": str(home),
        "control": state.control_url,
        "services": published,
        "lgo": lgo_urls(state),
        "credentials": {
            "dir": str(export),
            "ca_chain": str(export / "ca" / "chain.pem"),
            "files": _credential_files(export),
        },
        "cards": _cards_block(services, state),
    }


# --- the reference LGO (its own process, CONVENTIONS "Runtime layout and processes") ---------------

LGO_LOG_NAME = "lgo.log"
LGO_HEALTH_TIMEOUT_S = 60.0
DEFAULT_LGO_PORT = 8000


def lgo_port() -> int:
    return int(os.environ.get("SEGUR_BENCH_PORT_LGO", DEFAULT_LGO_PORT))


def lgo_urls(state: StackState) -> dict[str, str] | None:
    if state.lgo_port is None:
        return None
    base = f"http://127.0.0.1:{state.lgo_port}"
    return {"ui": f"{base}/", "driver": f"{base}/driver/v1"}


def lgo_env(home: Path, health_info: dict[str, Any]) -> dict[str, str]:
    """The LGO's environment: where its data lives and how it reaches the card readers."""
    details = health_info.get("services", {}).get("cards", {}).get("details") or {}
    env = {**os.environ, "SEGUR_BENCH_HOME": str(home)}
    mode = details.get("mode")
    if mode in ("pcsc", "bench"):
        env["SEGUR_BENCH_CARDS"] = str(mode)
    if details.get("pcscd_socket"):
        env["PCSCLITE_CSOCK_NAME"] = str(details["pcscd_socket"])
    if details.get("bench_reader"):
        env["SEGUR_BENCH_BENCH_READER"] = str(details["bench_reader"])
    return env


def start_lgo(home: Path, state: StackState, health_info: dict[str, Any]) -> StackState:
    """Starts `python -m reference_lgo` beside the simulators and waits for its /health."""
    port = lgo_port()
    log = _logs(home) / LGO_LOG_NAME
    command = [sys.executable, "-m", "reference_lgo", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=paths.repo_root(),
            env=lgo_env(home, health_info),
            start_new_session=True,
        )
    state.lgo_pid, state.lgo_port, state.lgo_log = process.pid, port, str(log)
    _write_state(home, state)
    deadline = time.monotonic() + LGO_HEALTH_TIMEOUT_S
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StackError(
                    f"Le LGO de référence s'est arrêté (code {process.returncode}) :\n{_log_tail(log)}"
                )
            try:
                if client.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    return state
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    raise StackError(
        f"Le LGO de référence ne répond pas après {LGO_HEALTH_TIMEOUT_S:.0f} s :\n{_log_tail(log)}"
    )


def seed_lgo(state: StackState, world: str = "default") -> dict[str, Any]:
    """Demo data enters the LGO through its driver API (CONVENTIONS "Data and facts settled")."""
    from bench.steps_lib.world import lgo_seed_payload
    from scenarios import load_world

    urls = lgo_urls(state)
    if urls is None:
        raise StackError("Le LGO de référence n'est pas démarré.")
    headers = {}
    token = os.environ.get("SEGUR_BENCH_DRIVER_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(base_url=urls["driver"], headers=headers, timeout=30.0) as client:
        client.post("/reset").raise_for_status()
        answer = client.post("/seed", json=lgo_seed_payload(load_world(world)))
        answer.raise_for_status()
        return dict(answer.json())
