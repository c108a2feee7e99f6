"""Runs the whole test suite the way CI does (called by `make test`).

1. pytest: units, simulators through their real servers, PC/SC, browser, PostgreSQL. Its "no tests
   collected" exit (5) counts as a failure so an empty run never looks green.
2. The REM scenarios (`segur-bench run`) against the reference LGO and against the same LGO seen as
   an editor's `driver:URL` target, on a private stack (own home, free ports) so a developer's
   running stack is left alone. `--no-scenarios` skips this phase; extra arguments go to pytest.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_TAGS = "@INS or @socle"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from bench.cli import main; main()", *args]
    return subprocess.run(command, env=env, cwd=ROOT, text=True, capture_output=True, check=False)


def run_scenarios() -> int:
    home = Path(tempfile.mkdtemp(prefix="segur-ci-"))
    env = {**os.environ, "SEGUR_BENCH_HOME": str(home / "home")}
    for name in ("CONTROL", "INSI", "LGO"):
        env[f"SEGUR_BENCH_PORT_{name}"] = str(free_port())
    for name in ("SEGUR_BENCH_SIM_DATABASE_URL", "SEGUR_BENCH_LGO_DATABASE_URL"):
        env.pop(name, None)
    up = bench(env, "up", "--detach")
    print(up.stdout, up.stderr, sep="", flush=True)
    if up.returncode != 0:
        return up.returncode
    worst = 0
    counts = {"pass": 0, "fail": 0, "skip": 0, "error": 0}
    try:
        document = json.loads(bench(env, "endpoints", "--json").stdout)
        driver = document["lgo"]["driver"]
        for target in ("reference", f"driver:{driver}"):
            started = time.monotonic()
            out = home / ("run-" + target.split(":", 1)[0])
            print(f"==> segur-bench run --target {target} --tags '{SCENARIO_TAGS}'", flush=True)
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from bench.cli import main; main()",
                    "run",
                    "--target",
                    target,
                    "--tags",
                    SCENARIO_TAGS,
                    "--out",
                    str(out),
                ],
                env=env,
                cwd=ROOT,
                check=False,
            )
            print(
                f"==> {target} : code {done.returncode} en {time.monotonic() - started:.0f} s ; {out}",
                flush=True,
            )
            worst = max(worst, done.returncode)
            results = out / "results.json"
            if results.is_file():
                for scenario in json.loads(results.read_text(encoding="utf-8"))["scenarios"]:
                    result = scenario["result"]
                    counts[result if result in counts else "error"] += 1
    finally:
        print(bench(env, "down").stdout, end="", flush=True)
    # The plain closing line CI reads (a bench error counts as a failure).
    failed = counts["fail"] + counts["error"]
    print(f"scenarios: {counts['pass']} passed, {failed} failed, {counts['skip']} skipped", flush=True)
    return worst


def main() -> int:
    args = sys.argv[1:]
    scenarios = "--no-scenarios" not in args
    args = [a for a in args if a != "--no-scenarios"]
    code = subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT)
    if code == 5:
        print("aucun test collecté : échec", file=sys.stderr)
        return 1
    if code != 0 or not scenarios:
        return code
    return run_scenarios()


if __name__ == "__main__":
    raise SystemExit(main())
