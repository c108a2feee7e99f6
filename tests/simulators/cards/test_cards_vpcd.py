"""The bench's vpcd client, against a fake vpcd (no pcscd): framing, controls, reconnection."""

from __future__ import annotations

import socket
import struct
import threading

from simulators.cards.cps import ATR_CPS3, CpsCard
from simulators.cards.samples import sample_cps
from simulators.cards.vpcd import VpcdLink, serve


def frame(payload: bytes) -> bytes:
    return struct.pack(">H", len(payload)) + payload


def read_frame(sock: socket.socket) -> bytes:
    header = sock.recv(2, socket.MSG_WAITALL)
    (length,) = struct.unpack(">H", header)
    return sock.recv(length, socket.MSG_WAITALL)


def tcp_pair() -> tuple[socket.socket, socket.socket]:
    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname())
    accepted, _ = server.accept()
    server.close()
    return accepted, client


def test_the_byte_exchange_of_the_digest_example() -> None:
    """Spec digest §9bis D: power on, ATR, SELECT of the PKCS#15 application."""
    vpcd, card_side = tcp_pair()
    card = CpsCard(sample_cps())
    worker = threading.Thread(target=serve, args=(card_side, card, card.execute), daemon=True)
    worker.start()
    vpcd.sendall(bytes.fromhex("0001 01".replace(" ", "")))
    vpcd.sendall(bytes.fromhex("000104"))
    assert vpcd.recv(2, socket.MSG_WAITALL) == b"\x00\x11"
    assert vpcd.recv(17, socket.MSG_WAITALL) == ATR_CPS3
    # vpcd writes the length and the APDU separately
    apdu = bytes.fromhex("00A4040C0DE828BD080F8025000001FF0010")
    vpcd.sendall(struct.pack(">H", len(apdu)))
    vpcd.sendall(apdu)
    assert read_frame(vpcd) == b"\x90\x00"
    assert card.powered
    vpcd.sendall(frame(b"\x00"))  # power off
    vpcd.sendall(frame(b"\x09"))  # unknown control: ignored
    vpcd.sendall(frame(bytes.fromhex("00200001")))
    assert read_frame(vpcd) == b"\x63\xc3"
    assert not card.verified
    vpcd.close()
    worker.join(5)
    assert not worker.is_alive()


def test_link_retries_until_vpcd_listens_and_reconnects_after_a_drop() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    card = CpsCard(sample_cps())
    link = VpcdLink("127.0.0.1", port, card, retry_s=0.02)
    assert not link.start(timeout=0.2)  # nothing listens yet: the link keeps trying
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(1)
    server.settimeout(5)
    first, _ = server.accept()
    first.sendall(frame(b"\x04"))
    assert read_frame(first) == ATR_CPS3
    first.close()  # vpcd went away (pcscd restarted)
    second, _ = server.accept()
    second.sendall(frame(bytes.fromhex("00A4000C023F00")))
    assert read_frame(second) == b"\x90\x00"
    link.stop()
    assert second.recv(2) == b""  # removal = the connection closes
    second.close()
    server.close()
