"""pcscd management helpers (the full private pcscd path is in test_cards_pcsc.py)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from simulators.cards import pcscd
from simulators.cards.errors import TransportError


def test_free_port_pair_gives_two_bindable_ports() -> None:
    port = pcscd.free_port_pair()
    for p in (port, port + 1):
        with socket.socket() as s:
            s.bind(("0.0.0.0", p))


def test_a_taken_preferred_port_is_not_used() -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen(1)
        taken = busy.getsockname()[1]
        assert pcscd.free_port_pair(taken) != taken


def test_missing_driver_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGUR_BENCH_VPCD_DRIVER", str(tmp_path / "absent.so"))
    assert not pcscd.pcsc_available()
    with pytest.raises(TransportError, match="pilote vpcd introuvable"):
        pcscd.PrivatePcscd(tmp_path).start()
    with pytest.raises(TransportError, match="mode pcscd « autre » inconnu"):
        pcscd.ensure_pcscd(tmp_path, "autre")


@pytest.mark.pcsc
def test_installed_debian_packages_are_found() -> None:
    driver = pcscd.find_vpcd_driver()
    assert driver is not None and driver.name == "libifdvpcd.so" and driver.exists()
    assert pcscd.find_pcscd() is not None


def test_long_run_dirs_fall_back_to_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 120)
    path = pcscd.PrivatePcscd(deep)._socket_path()
    assert len(str(path)) < 100 and path.parent == Path("/tmp")
    assert pcscd.PrivatePcscd(tmp_path)._socket_path() == tmp_path / "pcscd.comm"


def test_endpoint_client_env() -> None:
    private = pcscd.PcscEndpoint(Path("/x/pcscd.comm"), (40000, 40001), ("a 00 00", "a 00 01"), private=True)
    assert private.client_env() == {"PCSCLITE_CSOCK_NAME": "/x/pcscd.comm"}
    system = pcscd.PcscEndpoint(
        None, (35963, 35964), ("Virtual PCD 00 00", "Virtual PCD 00 01"), private=False
    )
    assert system.client_env() == {}


@pytest.mark.pcsc
def test_private_pcscd_does_not_outlive_a_killed_bench_process(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import sys,time;from pathlib import Path;from simulators.cards.pcscd import PrivatePcscd;"
        "d=PrivatePcscd(Path(sys.argv[1]));d.start();print(d.pid,flush=True);time.sleep(60)"
    )
    owner = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    pid = int(owner.stdout.readline())
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        pytest.fail("pcscd a survécu au processus du banc")


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status
