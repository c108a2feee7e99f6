import ssl

from simulators.core.tls import ALERT_HANDSHAKE_FAILURE, describe_handshake_error, parse_certificate_message


def _u24(n: int) -> bytes:
    return n.to_bytes(3, "big")


def tls12_message(*ders: bytes) -> bytes:
    entries = b"".join(_u24(len(d)) + d for d in ders)
    body = _u24(len(entries)) + entries
    return b"\x0b" + _u24(len(body)) + body


def tls13_message(*ders: bytes) -> bytes:
    entries = b"".join(_u24(len(d)) + d + b"\x00\x00" for d in ders)
    body = b"\x00" + _u24(len(entries)) + entries
    return b"\x0b" + _u24(len(body)) + body


def test_tls12_and_tls13_certificate_messages() -> None:
    assert parse_certificate_message(tls12_message(b"leaf", b"inter"), tls13=False) == [b"leaf", b"inter"]
    assert parse_certificate_message(tls13_message(b"leaf", b"inter"), tls13=True) == [b"leaf", b"inter"]


def test_empty_and_garbled_messages_give_no_chain() -> None:
    assert parse_certificate_message(tls13_message(), tls13=True) == []
    assert parse_certificate_message(b"\x0b\x00\x00\x07\x00\xff\xff\xff", tls13=True) == []
    assert parse_certificate_message(b"\x01\x00", tls13=False) == []
    truncated = tls12_message(b"leaf-certificate")[:-4]
    assert parse_certificate_message(truncated, tls13=False) == []


def test_handshake_errors_are_explained_in_french() -> None:
    expired = ssl.SSLCertVerificationError(1, "x")
    expired.verify_code, expired.verify_message = 10, "certificate has expired"
    assert describe_handshake_error(expired)[1] == "certificat client expiré"
    no_cert = ssl.SSLError(1, "peer did not return a certificate")
    no_cert.reason = "PEER_DID_NOT_RETURN_A_CERTIFICATE"
    assert "aucun certificat client" in describe_handshake_error(no_cert)[1]
    assert "délai" in describe_handshake_error(TimeoutError())[1]
    assert ALERT_HANDSHAKE_FAILURE[0] == 21 and ALERT_HANDSHAKE_FAILURE[-1] == 40


def test_asyncio_handshake_timeout_is_named_as_a_timeout() -> None:
    aborted = ConnectionAbortedError(
        "SSL handshake is taking longer than 10.0 seconds: aborting the connection"
    )
    assert describe_handshake_error(aborted) == ("timeout", "délai de négociation TLS dépassé")
    assert "fermée par le client" in describe_handshake_error(ConnectionResetError())[1]
