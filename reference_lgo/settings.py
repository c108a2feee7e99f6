"""Process configuration of the reference LGO, read from the environment once at start-up.

These are the knobs of the *process* (where the database lives, the driver token); the pharmacy's
own settings (FINESS, certificates, card reader...) live in the database (services.settings).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

LGO_NAME = "LGO de référence du banc Ségur"
LGO_VERSION = "0.1.0"
DRIVER_API_VERSION = "1.0"


def bench_home() -> Path:
    return Path(os.environ.get("SEGUR_BENCH_HOME", "var")).resolve()


@dataclass(frozen=True)
class LgoConfig:
    """Everything the app factory needs; `from_env()` builds the production one."""

    home: Path
    database_url: str
    driver_token: str | None = None
    # Cookies marked Secure only when the UI is served over TLS (the bench serves plain HTTP on loopback).
    secure_cookies: bool = False
    # Default card transport (pcsc | bench) given by `segur-bench up --cards`; a setting overrides it.
    card_mode: str | None = None
    # Address of the bench reader when the cards component does not listen on the default one.
    bench_reader: str | None = None
    # Default INSi address when the simulator does not listen on https://localhost:7001/lps: from
    # SEGUR_BENCH_INSI_URL, else SEGUR_BENCH_PORT_INSI (the variable the simulators read too).
    insi_url: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> LgoConfig:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("SEGUR_BENCH_HOME", "var")).resolve()
        url = env.get("SEGUR_BENCH_LGO_DATABASE_URL") or f"sqlite:///{home / 'db' / 'lgo.sqlite'}"
        token = env.get("SEGUR_BENCH_DRIVER_TOKEN") or None
        return cls(
            home=home,
            database_url=url,
            driver_token=token,
            secure_cookies=env.get("SEGUR_BENCH_LGO_SECURE_COOKIES") == "1",
            card_mode=env.get("SEGUR_BENCH_CARDS") or None,
            bench_reader=env.get("SEGUR_BENCH_BENCH_READER") or None,
            insi_url=_insi_url(env),
        )

    @property
    def pki_export(self) -> Path:
        """Where `segur-bench up` exports the test PKI (CONVENTIONS `pki export`)."""
        return self.home / "pki" / "export"


def _insi_url(env: dict[str, str]) -> str | None:
    explicit = env.get("SEGUR_BENCH_INSI_URL", "").strip()
    if explicit:
        return explicit
    port = env.get("SEGUR_BENCH_PORT_INSI", "").strip()
    # Port 0 means "any free port": the LGO cannot know it, the seed or the settings must say it.
    return f"https://localhost:{port}/lps" if port.isdigit() and 0 < int(port) < 65536 else None
