"""The socle features through the real stack: `segur-bench up --detach` on a private home and free
ports, then `segur-bench run --target reference` and `--target driver:URL`; each run writes the three
reports, every scenario passes, the HTML shows a SOAP exchange (and, for reference, a screenshot).

Transitional: while `segur-bench up` does not start the reference LGO yet (endpoints --json has no
"lgo"), the test starts it itself (`python -m reference_lgo`, its documented entry point, with the
environment `up` is to give it) and runs the runner with the LGO's URLs added to the endpoints.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.paths import repo_root

RUN = "from bench.commands.run import run_cmd; run_cmd(prog_name='segur-bench run')"
CLI = "from bench.cli import main; main()"
# Used only while `up` does not publish the LGO: the runner with the LGO's URLs added to the endpoints.
RUN_WITH_LGO = """
import dataclasses, json, sys
from pathlib import Path
from bench.runner import RunOptions, run_suite
from bench.runner.stack import read_endpoints
from bench.targets import parse_target
lgo = json.loads(sys.argv[1])
endpoints = dataclasses.replace(read_endpoints(), lgo_ui=lgo["ui"], lgo_driver=lgo["driver"])
options = RunOptions(target=parse_target(sys.argv[2]), tags=sys.argv[3], out_dir=Path(sys.argv[4]))
report = run_suite(options, endpoints)
raise SystemExit(report.exit_code)
"""
SOCLE_SCENARIOS = 7


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def python(
    env: dict[str, str], code: str, *args: str, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=repo_root(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[dict[str, str], dict[str, Any]]]:
    env = {
        **os.environ,
        "SEGUR_BENCH_HOME": str(tmp_path / "home"),
        "SEGUR_BENCH_PORT_CONTROL": str(free_port()),
        "SEGUR_BENCH_PORT_INSI": str(free_port()),
        "SEGUR_BENCH_PORT_LGO": str(free_port()),
    }
    for name in ("SEGUR_BENCH_SIM_DATABASE_URL", "SEGUR_BENCH_LGO_DATABASE_URL", "SEGUR_BENCH_DRIVER_TOKEN"):
        env.pop(name, None)
    lgo: subprocess.Popen[bytes] | None = None
    try:
        up = python(env, CLI, "up", "--detach")
        assert up.returncode == 0, up.stdout + up.stderr
        shown = python(env, CLI, "endpoints", "--json")
        assert shown.returncode == 0, shown.stderr
        endpoints = json.loads(shown.stdout)
        if not endpoints.get("lgo"):
            lgo, endpoints["lgo"] = _start_lgo(env, endpoints, tmp_path)
            endpoints["lgo_started_by_test"] = True
        yield env, endpoints
    finally:
        if lgo is not None:
            lgo.terminate()
            lgo.wait(timeout=20)
        python(env, CLI, "down", timeout=120)


def _start_lgo(
    env: dict[str, str], endpoints: dict[str, Any], tmp_path: Path
) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """The reference LGO as `up` is to start it: same home, card transport and pcscd socket."""
    port = env["SEGUR_BENCH_PORT_LGO"]
    cards = endpoints.get("cards") or {}
    lgo_env = {**env, "SEGUR_BENCH_CARDS": str(cards.get("mode") or "bench")}
    if cards.get("pcscd_socket"):
        lgo_env["PCSCLITE_CSOCK_NAME"] = str(cards["pcscd_socket"])
    log = (tmp_path / "lgo.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reference_lgo",
            "--host",
            "127.0.0.1",
            "--port",
            port,
            "--log-level",
            "warning",
        ],
        env=lgo_env,
        cwd=repo_root(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp_path / "lgo.log").read_text(errors="replace")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return process, {"ui": f"{base}/", "driver": f"{base}/driver/v1"}
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("le LGO de référence n'a pas répondu sur /health en 60 s")


def _run(
    env: dict[str, str], endpoints: dict[str, Any], target: str, out: Path
) -> subprocess.CompletedProcess[str]:
    if endpoints.get("lgo_started_by_test"):
        return python(
            env, RUN_WITH_LGO, json.dumps(endpoints["lgo"]), target, "@socle", str(out), timeout=280
        )
    return python(env, RUN, "--target", target, "--tags", "@socle", "--out", str(out), timeout=280)


def _check_run(out: Path, done: subprocess.CompletedProcess[str]) -> tuple[dict[str, Any], str]:
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("junit.xml", "results.json", "rapport.html"):
        assert (out / name).is_file(), name
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    outcomes = {s["name"]: s["result"] for s in results["scenarios"]}
    assert len(outcomes) == SOCLE_SCENARIOS and set(outcomes.values()) == {"pass"}, outcomes
    progress = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert len(progress) == SOCLE_SCENARIOS and progress[0].startswith(f"[1/{SOCLE_SCENARIOS}] OK  ")
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "&lt;soap:Envelope" in html and "faute SOAP Receiver / siram_500" in html
    assert "rechercherInsAvecTraitsIdentite" in results["services"]["insi"]["operations"]
    return results, html


@pytest.mark.stack
@pytest.mark.browser
@pytest.mark.timeout(900)
def test_socle_against_reference_and_driver(
    stack: tuple[dict[str, str], dict[str, Any]], tmp_path: Path
) -> None:
    env, endpoints = stack

    out = tmp_path / "reference"
    results, html = _check_run(out, _run(env, endpoints, "reference", out))
    assert results["target"] == "reference"
    shots = [shot for s in results["scenarios"] for shot in s["screenshots"] if shot["file"]]
    assert shots and all((out / shot["file"]).is_file() for shot in shots)
    assert "data:image/png;base64," in html

    driver_url = endpoints["lgo"]["driver"]
    out = tmp_path / "driver"
    results, html = _check_run(out, _run(env, endpoints, f"driver:{driver_url}", out))
    assert results["target"] == f"driver:{driver_url}"
    assert "capture d&#39;écran non prise en charge par une cible driver" in html
    assert "data:image/png;base64," not in html
