"""Client side of the PC/SC tests, run in its own process: libpcsclite reads PCSCLITE_CSOCK_NAME
once per process, so the checks against the test session's private pcscd run here.

Usage: python _pcsc_probe.py readers | vitale SLOT | cps | monitor SECONDS
Prints one JSON document (or, for `monitor`, one JSON line per event).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from protocols.apdu import ApduError
from protocols.apdu.cps import CpsCard
from protocols.apdu.pcsc import PcscTransport
from protocols.apdu.vitale import read_vitale


def readers(transport: PcscTransport) -> Any:
    return [
        {"name": r.name, "present": r.present, "atr": r.atr.hex().upper() if r.atr else None}
        for r in transport.readers()
    ]


def vitale(transport: PcscTransport, slot: int) -> Any:
    reader = transport.find_reader(slot)
    if not transport.wait_for_card(reader, True, 10):
        return {"error": "pas de carte"}
    with transport.connect(reader) as conn:
        data = read_vitale(conn)
        return {
            "atr": conn.atr.hex().upper(),
            "nirs": [b.nir for b in data.beneficiaries],
            "rangs": [b.rang for b in data.beneficiaries],
        }


def cps(transport: PcscTransport) -> Any:
    reader = transport.find_reader(1)
    transport.wait_for_card(reader, True, 10)
    out: dict[str, Any] = {}
    with transport.connect(reader) as conn:
        card = CpsCard(conn)
        out["atr"] = conn.atr.hex().upper()
        out["serial"] = card.serial()
        certificate = card.certificates().sign
        out["status"] = card.pin_status().tries_left
        out["right"] = card.verify_pin("1234").verified
        signature = card.sign(b"digest to sign")
        key = certificate.public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        key.verify(signature, b"digest to sign", padding.PKCS1v15(), hashes.SHA256())
        out["signature_verified"] = True
        out["wrong"] = [card.verify_pin("0000").tries_left for _ in range(3)]
        out["blocked_right_pin"] = card.verify_pin("1234").sw
        try:
            card.sign(b"refused")
            out["sign_after_block"] = "9000"
        except ApduError as err:
            out["sign_after_block"] = f"{err.sw:04X}"
        out["unblock"] = card.unblock("12345678").sw
        out["right_after_unblock"] = card.verify_pin("1234").verified
    return out


def monitor(seconds: float) -> None:
    from smartcard.CardMonitoring import CardMonitor, CardObserver

    class Printer(CardObserver):  # type: ignore[misc]
        def update(self, observable: Any, handlers: Any) -> None:
            added, removed = handlers
            for card in added:
                print(
                    json.dumps(
                        {
                            "event": "inserted",
                            "reader": str(card.reader),
                            "atr": bytes(card.atr).hex().upper(),
                        }
                    ),
                    flush=True,
                )
            for card in removed:
                print(json.dumps({"event": "removed", "reader": str(card.reader)}), flush=True)

    card_monitor = CardMonitor()
    printer = Printer()
    card_monitor.addObserver(printer)
    time.sleep(1.0)  # the monitor reports the cards already present first
    print(json.dumps({"event": "ready"}), flush=True)
    time.sleep(seconds)
    card_monitor.deleteObserver(printer)


def main() -> None:
    command = sys.argv[1]
    if command == "monitor":
        monitor(float(sys.argv[2]))
        return
    transport = PcscTransport()
    result = {"readers": readers, "vitale": lambda t: vitale(t, int(sys.argv[2])), "cps": cps}[command](
        transport
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
