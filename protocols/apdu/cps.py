"""Using a CPS3 card: serial number, holder and situations, PIN (verify, status, unblock),
certificates, signature (MSE SET DST + PSO CDS with a DigestInfo: PKCS#1 v1.5) and INTERNAL
AUTHENTICATE. Public APDUs from the ANS CPS3 driver; file contents, FIDs and references follow the
bench contract of docs/contracts/cps.md."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509

from protocols.apdu import tlv
from protocols.apdu.transport import SW_OK, ApduError, CardConnection, CardIOError
from protocols.apdu.vitale import read_binary

AID_PKCS15 = bytes.fromhex("E828BD080F8025000001FF0010")
ISSUER_IAS_ANS = bytes.fromhex("8025000001")
PATH_SN_ICC, PATH_ACTUA = bytes.fromhex("D003"), bytes.fromhex("D010")
PATH_PORTEUR = bytes.fromhex("00017001")
SITUATIONS = [bytes.fromhex("0001") + (0xD120 + i).to_bytes(2, "big") for i in range(16)]
FID_CERT_AUTH, FID_CERT_SIGN = 0xC000, 0xC001
PIN_REF, KEY_AUTH, KEY_SIGN = 0x01, 0x81, 0x82
ALGO_RSA_PKCS1 = 0x02
SW_BLOCKED = 0x6983

DIGEST_INFO_PREFIX = {
    "sha1": bytes.fromhex("3021300906052b0e03021a05000414"),
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


@dataclass(frozen=True)
class PinStatus:
    verified: bool
    tries_left: int | None  # None: the card does not say (after a success the counter is full)
    blocked: bool
    sw: int


@dataclass(frozen=True)
class Situation:
    number: str
    profession: str | None
    section: str | None
    practice_mode: str | None
    sector: str | None
    structure_id: str | None
    structure_name: str | None
    role: str | None


@dataclass(frozen=True)
class Holder:
    card_type: str  # CPS, CPE, CPF
    category: int  # 0x80 + type for test cards
    id_nat_ps: str
    civility: str
    last_name: str
    first_name: str


@dataclass(frozen=True)
class CpsCertificates:
    auth: x509.Certificate
    sign: x509.Certificate


def digest_info(digest: bytes, hash_name: str = "sha256") -> bytes:
    prefix = DIGEST_INFO_PREFIX.get(hash_name)
    if prefix is None or len(digest) != prefix[-1]:
        raise ValueError(f"empreinte {hash_name} de {len(digest)} octets non prise en charge")
    return prefix + digest


def _pin_status(sw: int) -> PinStatus:
    if sw == SW_OK:
        return PinStatus(True, None, False, sw)
    if sw >> 4 == 0x63C:
        return PinStatus(False, sw & 0x0F, sw & 0x0F == 0, sw)
    if sw == SW_BLOCKED:
        return PinStatus(False, 0, True, sw)
    raise ApduError("code porteur", sw)


def _texts(obj: tlv.Tlv | None) -> dict[int, str]:
    if obj is None:
        return {}
    return {child.tag: child.value.decode("utf-8", "replace") for child in obj.children()}


class CpsCard:
    """A CPS in a reader. Methods raise ApduError (refusal, with the status word) or CardIOError."""

    def __init__(self, conn: CardConnection) -> None:
        self.conn = conn

    # files -----------------------------------------------------------------------------------
    def _select_path(self, path: bytes, what: str) -> None:
        self.conn.transmit(bytes([0x00, 0xA4, 0x08, 0x0C, len(path)]) + path).check(f"sélection {what}")

    def _read_path(self, path: bytes, what: str) -> bytes:
        self._select_path(path, what)
        return read_binary(self.conn, what)

    def select_application(self) -> None:
        self.conn.transmit(bytes([0x00, 0xA4, 0x04, 0x0C, len(AID_PKCS15)]) + AID_PKCS15).check(
            "sélection de l'application PKCS#15 de la CPS"
        )

    def serial(self) -> str:
        """Card serial as shown to users (EF.SN.ICC without the issuer number)."""
        found = tlv.first(tlv.decode(self._read_path(PATH_SN_ICC, "de EF.SN.ICC")), 0x5A)
        if found is None or not found.value.startswith(ISSUER_IAS_ANS):
            raise CardIOError("CPS : EF.SN.ICC sans numéro d'émetteur ANS 80 25 00 00 01")
        return found.value[len(ISSUER_IAS_ANS) :].hex().upper()

    def actua(self) -> tuple[str, str]:
        """EF_ACTUA start and end (YYYYMMDDhhmmss)."""
        parts = _texts_bcd(tlv.first(tlv.decode(self._read_path(PATH_ACTUA, "de EF_ACTUA")), 0xEC))
        return parts.get(0x81, ""), parts.get(0x82, "")

    def holder(self) -> Holder:
        obj = tlv.first(tlv.decode(self._read_path(PATH_PORTEUR, "du fichier porteur")), 0xE0)
        if obj is None:
            raise CardIOError("CPS : fichier porteur 7001 sans gabarit E0")
        category = tlv.first(obj.children(), 0x81)
        t = _texts(obj)
        return Holder(
            t.get(0x80, ""),
            category.value[0] if category and category.value else -1,
            t.get(0x82, ""),
            t.get(0x83, ""),
            t.get(0x84, ""),
            t.get(0x85, ""),
        )

    def situations(self) -> list[Situation]:
        found: list[Situation] = []
        for path in SITUATIONS:
            response = self.conn.transmit(bytes([0x00, 0xA4, 0x08, 0x0C, len(path)]) + path)
            if response.sw == 0x6A82:
                break  # situations are numbered without gaps
            response.check("sélection d'une situation d'exercice")
            t = _texts(tlv.first(tlv.decode(read_binary(self.conn, "d'une situation d'exercice")), 0xE1))
            found.append(
                Situation(
                    t.get(0x80, ""),
                    t.get(0x81),
                    t.get(0x82),
                    t.get(0x83),
                    t.get(0x84),
                    t.get(0x85),
                    t.get(0x86),
                    t.get(0x87),
                )
            )
        return found

    def certificates(self) -> CpsCertificates:
        self.select_application()
        certs = []
        for fid, what in (
            (FID_CERT_AUTH, "du certificat d'authentification"),
            (FID_CERT_SIGN, "du certificat de signature"),
        ):
            self.conn.transmit(bytes([0x00, 0xA4, 0x02, 0x0C, 0x02]) + fid.to_bytes(2, "big")).check(
                f"sélection {what}"
            )
            try:
                certs.append(x509.load_der_x509_certificate(read_binary(self.conn, what)))
            except ValueError:
                raise CardIOError(f"CPS : lecture {what} : DER invalide") from None
        return CpsCertificates(certs[0], certs[1])

    # PIN -------------------------------------------------------------------------------------
    def pin_status(self) -> PinStatus:
        """VERIFY without data: verified (90 00), tries left (63 Cx) or blocked (69 83)."""
        return _pin_status(self.conn.transmit(bytes([0x00, 0x20, 0x00, PIN_REF])).sw)

    def pin_counters(self) -> tuple[int, int]:
        """(tries left, tries max) from the PIN object (GET DATA 00 CB 3F FF, after selecting the MF)."""
        self.conn.transmit(bytes.fromhex("00A4000C023F00")).check("sélection du MF")
        query = bytes.fromhex("4D087006BF81") + bytes([PIN_REF]) + bytes.fromhex("02A080")
        data = self.conn.transmit(bytes([0x00, 0xCB, 0x3F, 0xFF, len(query)]) + query + b"\x00").check(
            "lecture des compteurs du code porteur"
        )
        left = maximum = -1
        for i in range(len(data) - 2):  # 9A 01 max, 9B 01 left, inside 70 > BF81xx > A0
            if data[i] == 0x9A and data[i + 1] == 0x01:
                maximum = data[i + 2]
            elif data[i] == 0x9B and data[i + 1] == 0x01:
                left = data[i + 2]
        return left, maximum

    def verify_pin(self, pin: str) -> PinStatus:
        if len(pin) != 4 or not pin.isdigit():
            raise ValueError("le code porteur CPS compte 4 chiffres")
        return _pin_status(
            self.conn.transmit(bytes([0x00, 0x20, 0x00, PIN_REF, 0x04]) + pin.encode("ascii")).sw
        )

    def unblock(self, puk: str, new_pin: str | None = None) -> PinStatus:
        """RESET RETRY COUNTER with the 8-digit unblocking code (and a new PIN if given)."""
        data = puk.encode("ascii") + (new_pin.encode("ascii") if new_pin else b"")
        p1 = 0x00 if new_pin else 0x01
        sw = self.conn.transmit(bytes([0x00, 0x2C, p1, PIN_REF, len(data)]) + data).sw
        if sw == SW_OK:
            return PinStatus(False, None, False, sw)
        return _pin_status(sw)

    # crypto ----------------------------------------------------------------------------------
    def _mse(self, template: int, key_ref: int) -> None:
        data = tlv.encode(0x80, bytes([ALGO_RSA_PKCS1])) + tlv.encode(0x84, bytes([key_ref]))
        self.conn.transmit(bytes([0x00, 0x22, 0x41, template, len(data)]) + data).check(
            "positionnement de l'environnement de sécurité"
        )

    def sign_digest(self, digest: bytes, hash_name: str = "sha256") -> bytes:
        """PKCS#1 v1.5 signature of a digest with the signature key (the PIN must be verified)."""
        info = digest_info(digest, hash_name)
        self.select_application()
        self._mse(0xB6, KEY_SIGN)
        return self.conn.transmit(bytes([0x00, 0x2A, 0x9E, 0x9A, len(info)]) + info + b"\x00").check(
            "signature par la CPS"
        )

    def sign(self, data: bytes) -> bytes:
        """RSA PKCS#1 v1.5 SHA-256 signature of `data` (hashed here, signed on the card)."""
        return self.sign_digest(hashlib.sha256(data).digest(), "sha256")

    def internal_authenticate(self, challenge: bytes) -> bytes:
        """PKCS#1 v1.5 (type 1) signature of `challenge` with the authentication key."""
        self.select_application()
        self._mse(0xA4, KEY_AUTH)
        return self.conn.transmit(
            bytes([0x00, 0x88, 0x00, 0x00, len(challenge)]) + challenge + b"\x00"
        ).check("authentification interne de la CPS")


def _texts_bcd(obj: tlv.Tlv | None) -> dict[int, str]:
    if obj is None:
        return {}
    return {child.tag: child.value.hex() for child in obj.children()}
