"""APDU client: the LGO's access to cards, through PC/SC (pyscard) or the bench reader socket.

It speaks APDUs only and never imports the simulators' card code.
"""

from __future__ import annotations

import os

from protocols.apdu.transport import (
    ApduError,
    CardConnection,
    CardIOError,
    CardTransport,
    ReaderState,
    Response,
    describe_sw,
)


def open_transport(
    mode: str, *, pcscd_socket: str | os.PathLike[str] | None = None, bench_reader: str = "127.0.0.1:7920"
) -> CardTransport:
    """`pcsc` (pyscard, optional private pcscd socket) or `bench` (the bench reader address)."""
    if mode == "pcsc":
        from protocols.apdu.pcsc import PcscTransport

        return PcscTransport(pcscd_socket)
    if mode == "bench":
        from protocols.apdu.bench_reader import BenchReaderTransport

        return BenchReaderTransport.from_address(bench_reader)
    raise CardIOError(f"transport de cartes « {mode} » inconnu (pcsc, bench)")


__all__ = [
    "ApduError",
    "CardConnection",
    "CardIOError",
    "CardTransport",
    "ReaderState",
    "Response",
    "describe_sw",
    "open_transport",
]
