"""Runtime locations: everything generated lives under $SEGUR_BENCH_HOME (default ./var)."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    return Path(os.environ.get("SEGUR_BENCH_HOME", "var")).resolve()


def sub(name: str) -> Path:
    """A subfolder of the home (pki, db, runs, pcsc, logs), created on demand."""
    path = home() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
