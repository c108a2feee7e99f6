"""pcscd management: use a running pcscd that has the vpcd driver, or start a private one.

A private pcscd gets its own reader configuration (FRIENDLYNAME "Banc Segur", so the readers are
"Banc Segur 00 00" and "Banc Segur 00 01") and its own client socket. pcscd 1.9 always binds the
socket path compiled in (/run/pcscd/pcscd.comm) and ignores PCSCLITE_CSOCK_NAME; but it accepts a
listening socket passed by systemd-style socket activation (LISTEN_FDS / LISTEN_PID, fd 3). The
bench binds the socket at its own path and hands it over that way, so that several pcscd (the
system's, the bench's, a test session's) never share a socket. Clients reach it with
PCSCLITE_CSOCK_NAME. Side effect of pcscd that cannot be avoided: it writes /run/pcscd/pcscd.pid.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from simulators.cards.errors import TransportError

FRIENDLY_NAME = "Banc Segur"
DEFAULT_VPCD_PORT = 0x9C40  # 40000 (slot 0) and 40001 (slot 1), STACK-NOTES
SYSTEM_SOCKET = Path("/run/pcscd/pcscd.comm")
DRIVER_NAME = "libifdvpcd.so"
_DRIVER_DIRS = ("/usr/lib/pcsc/drivers/serial", "/usr/local/lib/pcsc/drivers/serial")
# The launcher puts the socket on fd 3, sets LISTEN_PID to the pid pcscd will have (exec keeps it),
# and asks Linux to stop pcscd when the bench process dies (PR_SET_PDEATHSIG, kept across exec).
_LAUNCHER = (
    "import ctypes,os,signal,sys;fd=int(sys.argv[1]);os.dup2(fd,3);os.set_inheritable(3,True)\n"
    "try:ctypes.CDLL(None,use_errno=True).prctl(1,int(signal.SIGTERM))\n"
    "except Exception:pass\n"
    "os.environ.update(LISTEN_FDS='1',LISTEN_PID=str(os.getpid()));os.execv(sys.argv[2],sys.argv[2:])"
)


@dataclass(frozen=True)
class PcscEndpoint:
    """Where the cards' pcscd is: its socket (None = the system default), its vpcd ports and readers."""

    socket: Path | None
    ports: tuple[int, int]
    readers: tuple[str, str]
    private: bool
    host: str = "127.0.0.1"

    def client_env(self) -> dict[str, str]:
        return {"PCSCLITE_CSOCK_NAME": str(self.socket)} if self.socket else {}


def find_pcscd() -> Path | None:
    override = os.environ.get("SEGUR_BENCH_PCSCD")
    if override:
        return Path(override) if Path(override).exists() else None
    found = shutil.which("pcscd") or shutil.which("pcscd", path="/usr/sbin:/sbin")
    return Path(found) if found else None


def find_vpcd_driver() -> Path | None:
    """The vpcd pcscd driver: $SEGUR_BENCH_VPCD_DRIVER, else what dpkg says, else known folders."""
    override = os.environ.get("SEGUR_BENCH_VPCD_DRIVER")
    if override:
        return Path(override) if Path(override).exists() else None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        listing = subprocess.run(
            ["dpkg", "-L", "vsmartcard-vpcd"], capture_output=True, text=True, timeout=10
        )
        for line in listing.stdout.splitlines():
            if line.endswith("/" + DRIVER_NAME) and Path(line).exists():
                return Path(line)
    return next((Path(d) / DRIVER_NAME for d in _DRIVER_DIRS if (Path(d) / DRIVER_NAME).exists()), None)


def pcsc_available() -> bool:
    """True when pcscd and the vpcd driver are installed (the `--cards` default is then `pcsc`)."""
    return find_pcscd() is not None and find_vpcd_driver() is not None


def _port_pair_free(port: int) -> bool:
    for p in (port, port + 1):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("0.0.0.0", p))
            except OSError:
                return False
    return True


def free_port_pair(preferred: int | None = None) -> int:
    """A port P with P and P+1 free (vpcd binds all interfaces). Random picks stay below the
    Linux ephemeral range so that outgoing connections do not take them meanwhile."""
    if preferred and _port_pair_free(preferred):
        return preferred
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32000, 2)
        if _port_pair_free(port):
            return port
    raise TransportError("aucune paire de ports libre pour les lecteurs virtuels (vpcd)")


def _system_vpcd_entry() -> tuple[str, int] | None:
    """FRIENDLYNAME and port of the system's vpcd reader entry (/etc/reader.conf.d)."""
    for conf in sorted(Path("/etc/reader.conf.d").glob("*")):
        with contextlib.suppress(OSError):
            text = conf.read_text(encoding="utf-8", errors="replace")
            if DRIVER_NAME not in text:
                continue
            name = re.search(r'^\s*FRIENDLYNAME\s+"([^"]+)"', text, re.M)
            device = re.search(r"^\s*DEVICENAME\s+/dev/null:(0x[0-9A-Fa-f]+|\d+)", text, re.M)
            if name and device:
                return name.group(1), int(device.group(1), 0)
    return None


def _listening(port: int) -> bool:
    """True when something listens on a local TCP port (read from /proc, without connecting:
    connecting to vpcd would insert a card)."""
    wanted = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 3 and fields[1].endswith(wanted) and fields[3] == "0A":  # 0A = LISTEN
                    return True
    return False


def system_pcscd_with_vpcd() -> PcscEndpoint | None:
    """The running system pcscd, when its vpcd readers are listening."""
    entry = _system_vpcd_entry()
    if entry is None or not SYSTEM_SOCKET.exists():
        return None
    name, port = entry
    if not (_listening(port) and _listening(port + 1)):
        return None
    return PcscEndpoint(None, (port, port + 1), (f"{name} 00 00", f"{name} 00 01"), private=False)


@dataclass
class PrivatePcscd:
    """A pcscd of the bench's own, with its reader.conf and socket under `run_dir`."""

    run_dir: Path
    port: int | None = None  # vpcd port of slot 0 (slot 1 = port + 1); None: DEFAULT, else a free pair
    friendly_name: str = FRIENDLY_NAME
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    endpoint: PcscEndpoint | None = field(default=None, init=False)

    def _socket_path(self) -> Path:
        path = self.run_dir / "pcscd.comm"
        if len(os.fsencode(path)) < 100:  # sun_path holds 108 bytes
            return path
        short = Path("/tmp") / f"segur-pcsc-{os.getpid()}-{id(self):x}.comm"
        return short

    def start(self, timeout: float = 5.0) -> PcscEndpoint:
        pcscd, driver = find_pcscd(), find_vpcd_driver()
        if pcscd is None:
            raise TransportError("pcscd introuvable (paquet Debian pcscd, ou SEGUR_BENCH_PCSCD)")
        if driver is None:
            raise TransportError(
                "pilote vpcd introuvable (paquet Debian vsmartcard-vpcd, ou SEGUR_BENCH_VPCD_DRIVER)"
            )
        self.run_dir.mkdir(parents=True, exist_ok=True)
        port = free_port_pair(self.port or DEFAULT_VPCD_PORT)
        conf = self.run_dir / "reader.conf"
        conf.write_text(
            f'FRIENDLYNAME "{self.friendly_name}"\nDEVICENAME /dev/null:0x{port:X}\n'
            f"LIBPATH {driver}\nCHANNELID 0x{port:X}\n",
            encoding="ascii",
        )
        sock_path = self._socket_path()
        sock_path.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(sock_path))
            sock_path.chmod(0o666)
            listener.listen(64)
            log = (self.run_dir / "pcscd.log").open("ab")
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _LAUNCHER,
                    str(listener.fileno()),
                    str(pcscd),
                    "--foreground",
                    "--config",
                    str(conf),
                ],
                pass_fds=(listener.fileno(),),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log.close()
        finally:
            listener.close()
        readers = (f"{self.friendly_name} 00 00", f"{self.friendly_name} 00 01")
        self.endpoint = PcscEndpoint(sock_path, (port, port + 1), readers, private=True)
        self._wait_ready(port, timeout)
        return self.endpoint

    def _wait_ready(self, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                tail = (self.run_dir / "pcscd.log").read_text(errors="replace")[-800:]
                raise TransportError(
                    f"pcscd s'est arrêté au démarrage (code {self.process.returncode}) : {tail}"
                )
            if _listening(port) and _listening(port + 1):
                return
            time.sleep(0.02)
        self.stop()
        raise TransportError(f"pcscd n'a pas ouvert les ports vpcd {port}/{port + 1} en {timeout:.0f} s")

    def stop(self, timeout: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self.endpoint is not None and self.endpoint.socket is not None:
            self.endpoint.socket.unlink(missing_ok=True)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


def ensure_pcscd(
    run_dir: Path, mode: str = "auto", port: int | None = None
) -> tuple[PcscEndpoint, PrivatePcscd | None]:
    """`auto`: the system pcscd when it has vpcd readers, else a private one; `private`: always a
    private one (tests); `system`: the system one or an error."""
    if mode in ("auto", "system"):
        endpoint = system_pcscd_with_vpcd()
        if endpoint is not None:
            return endpoint, None
        if mode == "system":
            raise TransportError("aucun pcscd système avec le pilote vpcd n'est en marche")
    if mode not in ("auto", "private", "system"):
        raise TransportError(f"mode pcscd « {mode} » inconnu (auto, private, system)")
    private = PrivatePcscd(run_dir, port)
    return private.start(), private
