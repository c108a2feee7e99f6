"""`segur-bench up --detach / status / endpoints --json / down` in a subprocess, and the endpoints shape."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from bench import supervisor
from bench.paths import repo_root
from bench.supervisor import StackState

SCHEMA = json.loads((repo_root() / "docs" / "endpoints.schema.json").read_text(encoding="utf-8"))
CLI = str(Path(sys.executable).parent / "segur-bench")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture
def stack_env(tmp_path: Path) -> Any:
    env = {
        **os.environ,
        "SEGUR_BENCH_HOME": str(tmp_path / "home"),
        "SEGUR_BENCH_PORT_CONTROL": str(free_port()),
        "SEGUR_BENCH_PORT_INSI": str(free_port()),
        "SEGUR_BENCH_PORT_LGO": str(free_port()),
    }
    env.pop("SEGUR_BENCH_SIM_DATABASE_URL", None)
    yield env
    run(env, "down")  # never leave a stack behind, whatever failed


@pytest.mark.stack
def test_up_detach_endpoints_health_and_down(stack_env: dict[str, str]) -> None:
    up = run(stack_env, "up", "--detach", "--cards", "none")
    assert up.returncode == 0, up.stdout + up.stderr
    assert re.search(r"Pile prête en \d+,\d\d s\.", up.stdout)
    lgo_base = f"http://127.0.0.1:{stack_env['SEGUR_BENCH_PORT_LGO']}"
    assert f"LGO de référence : {lgo_base}/" in up.stdout

    again = run(stack_env, "up", "--detach", "--cards", "none")
    assert again.returncode == 2 and "tourne déjà" in again.stderr

    endpoints = run(stack_env, "endpoints", "--json")
    assert endpoints.returncode == 0, endpoints.stderr
    document = json.loads(endpoints.stdout)
    jsonschema.validate(document, SCHEMA)
    control_port = stack_env["SEGUR_BENCH_PORT_CONTROL"]
    assert (
        document["services"]["insi"]["url"] == f"https://localhost:{stack_env['SEGUR_BENCH_PORT_INSI']}/lps"
    )
    assert document["services"]["insi"]["control"] == f"http://127.0.0.1:{control_port}/_bench/insi"
    assert document["cards"]["mode"] == "none"
    assert document["lgo"] == {"ui": f"{lgo_base}/", "driver": f"{lgo_base}/driver/v1"}
    assert httpx.get(f"{lgo_base}/health", timeout=5).json()["status"] == "ok"
    lgo_pid = supervisor.read_state(Path(stack_env["SEGUR_BENCH_HOME"])).lgo_pid  # type: ignore[union-attr]
    assert Path(document["credentials"]["files"]["insi-auto"]["p12"]).is_file()

    health = httpx.get(f"http://127.0.0.1:{control_port}/_bench/health", timeout=5).json()
    assert health["status"] == "ok" and health["services"]["insi"]["state"] == "up"

    # The exported credentials open a mutual-TLS connection to the published URL.
    files = document["credentials"]["files"]["insi-auto"]
    ctx = ssl.create_default_context(cafile=document["credentials"]["ca_chain"])
    ctx.load_cert_chain(files["chain"], files["key"])
    with httpx.Client(verify=ctx) as client:
        answer = client.get(document["services"]["insi"]["url"])
    assert answer.status_code < 600

    status = run(stack_env, "status")
    assert status.returncode == 0 and "insi" in status.stdout and "up" in status.stdout

    down = run(stack_env, "down")
    assert down.returncode == 0 and "Pile arrêtée" in down.stdout
    stopped = run(stack_env, "status")
    assert stopped.returncode == 2 and "Pile arrêtée" in stopped.stderr
    assert run(stack_env, "endpoints", "--json").returncode == 2
    assert "Aucune pile" in run(stack_env, "down").stdout
    assert lgo_pid is not None and not running(lgo_pid)  # the LGO stopped with the stack


def running(pid: int) -> bool:
    """True while the process runs (a zombie waiting for its reaper has stopped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.stack
def test_up_no_lgo_publishes_no_lgo(stack_env: dict[str, str]) -> None:
    up = run(stack_env, "up", "--detach", "--cards", "none", "--services", "insi", "--no-lgo")
    assert up.returncode == 0, up.stdout + up.stderr
    assert "non démarré (--no-lgo)" in up.stdout
    document = json.loads(run(stack_env, "endpoints", "--json").stdout)
    assert document["lgo"] is None


@pytest.mark.stack
def test_up_reports_a_busy_port_in_french(stack_env: dict[str, str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", int(stack_env["SEGUR_BENCH_PORT_INSI"])))
        busy.listen()
        up = run(stack_env, "up", "--detach", "--cards", "none", "--services", "insi")
    assert up.returncode == 2
    assert "insi" in up.stderr and "écoute impossible" in up.stderr
    assert supervisor.read_state(Path(stack_env["SEGUR_BENCH_HOME"])) is None


def test_unknown_service_fails_fast(stack_env: dict[str, str]) -> None:
    up = run(stack_env, "up", "--detach", "--cards", "none", "--services", "dmp-inexistant")
    assert up.returncode == 2 and "inconnu" in up.stderr


def fake_health() -> dict[str, Any]:
    return {
        "status": "ok",
        "services": {
            "insi": {
                "state": "up",
                "port": 7001,
                "mtls": True,
                "base_path": "/lps",
                "fidelity": {"rechercherInsAvecTraitsIdentite": "public-spec"},
            },
            "cards": {
                "state": "up",
                "port": None,
                "mtls": False,
                "base_path": "",
                "fidelity": {"apdu": "bench-contract"},
                "details": {
                    "mode": "bench",
                    "pcscd_socket": None,
                    "bench_reader": "127.0.0.1:7920",
                    "readers": {"vitale": "Banc Segur 00 00", "cps": "Banc Segur 00 01"},
                },
            },
        },
    }


def test_endpoints_document_matches_the_schema(tmp_path: Path) -> None:
    clients = tmp_path / "pki" / "export" / "clients"
    clients.mkdir(parents=True)
    for suffix in (".pem", ".key", ".p12", ".chain.pem"):
        (clients / f"insi-auto{suffix}").write_text("x")
    state = StackState(
        pid=1,
        home=str(tmp_path),
        control_url="http://127.0.0.1:7900/_bench",
        started_at=0.0,
        cards="bench",
        log="",
    )
    document = supervisor.endpoints_document(state, fake_health())
    jsonschema.validate(document, SCHEMA)
    assert list(document["services"]) == ["insi"]
    assert document["cards"] == {
        "mode": "bench",
        "bench_reader": "127.0.0.1:7920",
        "readers": {"vitale": "Banc Segur 00 00", "cps": "Banc Segur 00 01"},
    }
    assert list(document["credentials"]["files"]) == ["insi-auto"]
    broken = {**document, "version": 2}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_stale_state_file_is_ignored_and_removed(tmp_path: Path) -> None:
    run_dir = supervisor.run_dir(tmp_path)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (run_dir / supervisor.STATE_NAME).write_text(
        json.dumps(
            {
                "pid": dead.pid,
                "home": str(tmp_path),
                "control_url": "http://127.0.0.1:1/_bench",
                "started_at": 0.0,
                "cards": "none",
                "log": "",
                "ready_s": None,
            }
        )
    )
    assert supervisor.read_state(tmp_path) is None
    assert not (run_dir / supervisor.STATE_NAME).exists()


@pytest.mark.stack
def test_foreground_up_stops_cleanly_on_ctrl_c(stack_env: dict[str, str]) -> None:
    home = Path(stack_env["SEGUR_BENCH_HOME"])
    process = subprocess.Popen(
        [CLI, "up", "--cards", "none", "--services", "insi"],
        env=stack_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "Ctrl-C" in line:
            break
    state = supervisor.read_state(home)
    assert state is not None, "".join(seen)
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "Pile arrêtée." in out
    assert supervisor.read_state(home) is None
    with pytest.raises(ProcessLookupError):
        os.kill(state.pid, 0)
