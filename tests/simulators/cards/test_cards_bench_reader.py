"""The whole card path through the bench reader socket: protocol, then the same checks as PC/SC
(every beneficiary, CPS PIN right / wrong / blocked / unblocked, signature checked with the
certificate read from the card, insertion and removal seen by a waiting client)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from protocols.apdu import CardIOError, open_transport
from protocols.apdu.bench_reader import BenchReaderTransport
from protocols.apdu.cps import CpsCard as CpsClient
from protocols.apdu.vitale import read_vitale
from simulators.cards.bench_reader import BenchReaderServer
from simulators.cards.models import ApduExchange, CardManager
from simulators.cards.samples import sample_catalog, sample_vitale


@pytest.fixture
def manager() -> CardManager:
    catalog, defaults = sample_catalog()
    m = CardManager(catalog, ["Banc Segur 00 00", "Banc Segur 00 01"], defaults)
    m.reset()
    return m


@pytest.fixture
def server(manager: CardManager) -> Iterator[BenchReaderServer]:
    s = BenchReaderServer(manager, ("127.0.0.1", 0))
    s.start()
    yield s
    s.stop()


@pytest.fixture
def transport(server: BenchReaderServer) -> BenchReaderTransport:
    t = open_transport("bench", bench_reader=server.address)
    assert isinstance(t, BenchReaderTransport)
    return t


class Raw:
    def __init__(self, server: BenchReaderServer) -> None:
        host, port = server.address.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=5)
        self.file = self.sock.makefile("rb")

    def send(self, line: bytes) -> dict[str, object]:
        self.sock.sendall(line + b"\n")
        answer = json.loads(self.file.readline())
        assert isinstance(answer, dict)
        return answer


def test_protocol_answers_and_errors(server: BenchReaderServer, manager: CardManager) -> None:
    raw = Raw(server)
    hello = raw.send(b'{"op": "hello", "id": 7}')
    assert hello["ok"] is True and hello["protocol"] == "segur-bench-lecteur/1" and hello["id"] == 7
    assert raw.send(b"pas du json") == {
        "ok": False,
        "error": {"code": "bad_request", "message": "la ligne n'est pas un objet JSON"},
    }
    assert raw.send(b'{"op": "danse"}')["error"]["code"] == "unknown_op"  # type: ignore[index]
    assert raw.send(b'{"op": "connect", "slot": 5}')["error"]["code"] == "unknown_slot"  # type: ignore[index]
    assert (
        raw.send(b'{"op": "transmit", "slot": 0, "apdu": "00A4000C023F00"}')["error"]["code"]
        == "not_connected"
    )  # type: ignore[index]
    assert raw.send(b'{"op": "connect", "slot": 0}')["atr"] == "3B751300004409EA9000"
    assert raw.send(b'{"op": "transmit", "slot": 0, "apdu": "zz"}')["error"]["code"] == "bad_request"  # type: ignore[index]
    assert raw.send(b'{"op": "transmit", "slot": 0, "apdu": "00A4000C023F00"}') == {
        "ok": True,
        "response": "9000",
    }
    manager.remove(0)
    assert raw.send(b'{"op": "transmit", "slot": 0, "apdu": "00A4000C023F00"}')["error"]["code"] == "removed"  # type: ignore[index]
    assert raw.send(b'{"op": "connect", "slot": 0}')["error"]["code"] == "no_card"  # type: ignore[index]
    assert raw.send(b'{"op": "wait", "events": [2, 1], "timeout_ms": 10}') == {
        "ok": True,
        "timeout": True,
        "readers": raw.send(b'{"op": "readers"}')["readers"],
    }
    assert raw.send(b"{" + b" " * 70_000 + b"}")["error"]["code"] == "too_long"  # type: ignore[index]


def test_every_beneficiary_of_a_multi_beneficiary_card(transport: BenchReaderTransport) -> None:
    reader = transport.find_reader(0)
    assert transport.wait_for_card(reader, True, 2)
    with transport.connect(reader) as conn:
        assert conn.atr.hex().upper() == "3B751300004409EA9000"
        data = read_vitale(conn)
    assert [b.nir for b in data.beneficiaries] == [b.nir for b in sample_vitale().beneficiaries]


def test_cps_pin_right_wrong_blocked_unblocked_and_signature(transport: BenchReaderTransport) -> None:
    with transport.connect(transport.find_reader(1)) as conn:
        cps = CpsClient(conn)
        certificate = cps.certificates().sign
        assert cps.verify_pin("1234").verified
        signature = cps.sign(b"assertion SAML")
        key = certificate.public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        key.verify(signature, b"assertion SAML", padding.PKCS1v15(), hashes.SHA256())
        assert [cps.verify_pin("0000").tries_left for _ in range(3)] == [2, 1, 0]
        assert cps.verify_pin("1234").blocked
        with pytest.raises(Exception, match="69 82"):
            cps.sign(b"refus")
        assert cps.unblock("12345678").sw == 0x9000
        assert cps.verify_pin("1234").verified


def test_insertion_and_removal_are_seen_by_a_waiting_client(
    transport: BenchReaderTransport, manager: CardManager
) -> None:
    reader = transport.find_reader(0)
    timer = threading.Timer(0.2, manager.remove, args=(0,))
    timer.start()
    t0 = time.monotonic()
    assert transport.wait_for_card(reader, present=False, timeout=5)
    assert time.monotonic() - t0 < 4
    assert not transport.wait_for_card(reader, present=True, timeout=0.1)
    threading.Timer(0.2, manager.insert, args=(0, "vitale-seule")).start()
    assert transport.wait_for_card(reader, present=True, timeout=5)
    with transport.connect(reader) as conn:
        assert [b.nir for b in read_vitale(conn).beneficiaries] == ["160012A01234576"]


def test_apdus_are_reported_to_the_journal_hook_with_secrets_masked(
    transport: BenchReaderTransport, manager: CardManager
) -> None:
    seen: list[ApduExchange] = []
    manager.on_apdu = seen.append
    with transport.connect(transport.find_reader(1)) as conn:
        CpsClient(conn).verify_pin("1234")
    (exchange,) = seen
    assert (exchange.slot, exchange.card_id, exchange.kind, exchange.transport) == (
        1,
        "cps-exemple",
        "cps",
        "bench",
    )
    assert exchange.response == b"\x90\x00"


def test_client_reports_a_stopped_reader(server: BenchReaderServer) -> None:
    transport = open_transport("bench", bench_reader=server.address)
    conn = transport.connect(transport.find_reader(0))
    server.stop()
    with pytest.raises(CardIOError, match="lecteur du banc"):
        conn.transmit(bytes.fromhex("00A4000C023F00"))
    with pytest.raises(CardIOError, match="injoignable"):
        transport.readers()
