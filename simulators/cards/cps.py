"""Virtual CPS3 card (IAS-ECC, contact interface) at the APDU level.

Public facts (spec digest §8.1 and ANS's LGPL PKCS#11 driver `card-cps3.c` / `card-cps.c`): the
contact ATR, the PKCS#15 AID, EF.SN.ICC 3F00/D003 (12 bytes, issuer 80 25 00 00 01 at bytes 2-6),
EF_ACTUA 3F00/D010 (EC > 81/82 BCD dates), situation files 3F00/0001/D120..D12F, 3F00/0001/7001,
SELECT P1 02/04/08/09, MSE SET 00 22 41 A4|B6|AA, PSO HASH 00 2A 90 A0, PSO CDS 00 2A 9E 9A,
INTERNAL AUTHENTICATE 00 88 00 00, the PIN counter GET DATA 00 CB 3F FF, max response E7 bytes,
63 Cx / 69 83. Bench contract (docs/contracts/cps.md): the contents of 7001 and of the
situation files, the FIDs of the certificate files, the key, algorithm and PIN references, the PUK.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from simulators.cards.errors import (
    SW1_VERIFY_FAILED,
    SW_AUTH_BLOCKED,
    SW_CONDITIONS_NOT_SATISFIED,
    SW_FUNCTION_NOT_SUPPORTED,
    SW_INCORRECT_P1P2,
    SW_OK,
    SW_REFERENCE_NOT_FOUND,
    SW_SECURITY_STATUS,
    SW_WRONG_DATA,
    SW_WRONG_LENGTH,
    CardError,
)
from simulators.cards.iso7816 import DF, EF, MF_FID, CardOS, Command, Reply, bcd, iter_tlv, require, tlv

ATR_CPS3 = bytes.fromhex("3BAC00402A001225006480000310009000")
AID_PKCS15 = bytes.fromhex("E828BD080F8025000001FF0010")
ISSUER_IAS_ANS = bytes.fromhex("8025000001")

# Bench contract (docs/contracts/cps.md).
FID_SN_ICC, FID_ACTUA, FID_DONNEES, FID_PORTEUR = 0xD003, 0xD010, 0x0001, 0x7001
FID_SITUATION_FIRST = 0xD120
FID_PKCS15_DF, FID_CERT_AUTH, FID_CERT_SIGN = 0x5015, 0xC000, 0xC001
PIN_REF, PIN_TRIES, PIN_LENGTH = 0x01, 3, 4
PUK_REF, PUK_TRIES, PUK_LENGTH = 0x02, 10, 8
KEY_AUTH, KEY_SIGN = 0x81, 0x82
ALGO_RSA_PKCS1 = 0x02  # PKCS#1 v1.5, the host gives a DigestInfo (or raw data for INTERNAL AUTHENTICATE)
ALGO_RSA_SHA1, ALGO_RSA_SHA256 = 0x12, 0x42  # PKCS#1 v1.5, the host gives the bare hash
ALGO_HASH_SHA1, ALGO_HASH_SHA256 = 0x10, 0x40  # HT template, for PSO HASH
CARD_CATEGORY = {"CPS": 0x80, "CPF": 0x81, "CPE": 0x82, "CPA": 0x83}  # test cards: 0x80 + card type
CT_AT, CT_DST, CT_HT, CT_CT = 0xA4, 0xB6, 0xAA, 0xB8

# DigestInfo prefixes of RFC 8017 §9.2, note 1.
DIGEST_INFO: dict[bytes, hashes.HashAlgorithm] = {
    bytes.fromhex("3021300906052b0e03021a05000414"): hashes.SHA1(),
    bytes.fromhex("3031300d060960864801650304020105000420"): hashes.SHA256(),
    bytes.fromhex("3041300d060960864801650304020205000430"): hashes.SHA384(),
    bytes.fromhex("3051300d060960864801650304020305000440"): hashes.SHA512(),
}
_HASH_OF_ALGO: dict[int, hashes.HashAlgorithm] = {
    ALGO_RSA_SHA1: hashes.SHA1(),
    ALGO_RSA_SHA256: hashes.SHA256(),
    ALGO_HASH_SHA1: hashes.SHA1(),
    ALGO_HASH_SHA256: hashes.SHA256(),
}

CardType = Literal["CPS", "CPE", "CPF", "CPA"]


@dataclass(frozen=True)
class CpsSituation:
    """One "situation d'exercice" (bench-contract layout)."""

    structure_id: str  # IdNatStruct
    structure_name: str
    profession: str | None = "21"  # NOS TRE_G15; None for staff without a profession (CPE)
    section: str | None = None  # pharmacist roll section (A titulaire, D adjoint...)
    practice_mode: str = "L"  # TRE_R23: L libéral, S salarié
    sector: str = "SA33"  # TRE_R02
    role: str | None = None  # free text for non-PS staff ("Préparateur en pharmacie")


@dataclass(frozen=True)
class CpsData:
    card_id: str
    card_type: CardType
    serial: str  # 10 digits, the serial shown to users (without the issuer prefix)
    id_nat_ps: str
    last_name: str
    first_name: str
    auth_key: rsa.RSAPrivateKey
    auth_cert: x509.Certificate
    sign_key: rsa.RSAPrivateKey
    sign_cert: x509.Certificate
    situations: tuple[CpsSituation, ...] = field(default_factory=tuple)
    civility: str = ""
    pin: str = "1234"
    puk: str = "12345678"
    actua_start: str = "20260101000000"  # YYYYMMDDhhmmss
    actua_end: str = "20301231235959"


def _text(value: str) -> bytes:
    return value.encode("utf-8")


def _situation(number: int, s: CpsSituation) -> bytes:
    body = tlv(0x80, f"{number:02d}".encode("ascii"))
    if s.profession:
        body += tlv(0x81, _text(s.profession))
    if s.section:
        body += tlv(0x82, _text(s.section))
    body += tlv(0x83, _text(s.practice_mode)) + tlv(0x84, _text(s.sector))
    body += tlv(0x85, _text(s.structure_id)) + tlv(0x86, _text(s.structure_name))
    if s.role:
        body += tlv(0x87, _text(s.role))
    return tlv(0xE1, body)


def _check(data: CpsData) -> None:
    if data.card_type not in CARD_CATEGORY:
        raise ValueError(f"carte {data.card_id} : type {data.card_type!r} inconnu (CPS, CPE, CPF, CPA)")
    if len(data.serial) != 10 or not data.serial.isdigit():
        raise ValueError(f"carte {data.card_id} : numéro de série de 10 chiffres attendu")
    if len(data.pin) != PIN_LENGTH or not data.pin.isdigit():
        raise ValueError(f"carte {data.card_id} : code porteur de {PIN_LENGTH} chiffres attendu")
    if len(data.puk) != PUK_LENGTH or not data.puk.isdigit():
        raise ValueError(f"carte {data.card_id} : code de déblocage de {PUK_LENGTH} chiffres attendu")
    if not 1 <= len(data.situations) <= 16:
        raise ValueError(f"carte {data.card_id} : 1 à 16 situations d'exercice attendues")
    for key in (data.auth_key, data.sign_key):
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"carte {data.card_id} : clés RSA attendues (CPS3)")


def build_file_system(data: CpsData) -> DF:
    _check(data)
    mf = DF(MF_FID, None, "MF")
    mf.add(EF(FID_SN_ICC, tlv(0x5A, ISSUER_IAS_ANS + bcd(data.serial)), name="EF.SN.ICC"))
    actua = tlv(0xEC, tlv(0x81, bcd(data.actua_start)) + tlv(0x82, bcd(data.actua_end)))
    mf.add(EF(FID_ACTUA, actua, name="EF_ACTUA"))
    donnees = DF(FID_DONNEES, None, "DONNEES_CPS")
    mf.add(donnees)
    holder = (
        tlv(0x80, data.card_type.encode("ascii"))
        + tlv(0x81, bytes([CARD_CATEGORY[data.card_type]]))
        + tlv(0x82, _text(data.id_nat_ps))
        + tlv(0x83, _text(data.civility))
        + tlv(0x84, _text(data.last_name))
        + tlv(0x85, _text(data.first_name))
    )
    donnees.add(EF(FID_PORTEUR, tlv(0xE0, holder), name="PORTEUR"))
    for index, situation in enumerate(data.situations):
        donnees.add(
            EF(FID_SITUATION_FIRST + index, _situation(index + 1, situation), name=f"SITUATION{index + 1}")
        )
    app = DF(FID_PKCS15_DF, AID_PKCS15, "PKCS15")
    mf.add(app)
    der = serialization.Encoding.DER
    app.add(EF(FID_CERT_AUTH, data.auth_cert.public_bytes(der), name="CERT_AUTH"))
    app.add(EF(FID_CERT_SIGN, data.sign_cert.public_bytes(der), name="CERT_SIGN"))
    return mf


@dataclass
class PinState:
    value: str
    tries_max: int
    tries_left: int

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0


@dataclass(frozen=True)
class PinOutcome:
    """What a PIN pad shows after an entry: the status word and the tries left."""

    sw: int
    tries_left: int
    verified: bool


def _pkcs1_type1(payload: bytes, size: int) -> bytes:
    if len(payload) > size - 11:
        raise CardError(SW_WRONG_DATA)
    return b"\x00\x01" + b"\xff" * (size - 3 - len(payload)) + b"\x00" + payload


def _rsa_private(key: rsa.RSAPrivateKey, block: bytes) -> bytes:
    """Raw RSA private operation (CRT). Written by hand because `cryptography` only signs hashes:
    INTERNAL AUTHENTICATE pads whatever the host sends (a TLS 1.0 MD5+SHA-1 value, for instance)."""
    numbers = key.private_numbers()
    m = int.from_bytes(block, "big")
    m1 = pow(m, numbers.dmp1, numbers.p)
    m2 = pow(m, numbers.dmq1, numbers.q)
    h = (numbers.iqmp * (m1 - m2)) % numbers.p
    size = (key.key_size + 7) // 8
    return (m2 + h * numbers.q).to_bytes(size, "big")


class CpsCard(CardOS):
    atr = ATR_CPS3
    kind = "CPS"
    chainable = frozenset({0x2A, 0x88})

    def __init__(self, data: CpsData) -> None:
        super().__init__(build_file_system(data))
        self.data = data
        self.pin = PinState(data.pin, PIN_TRIES, PIN_TRIES)
        self.puk = PinState(data.puk, PUK_TRIES, PUK_TRIES)
        self.keys = {KEY_AUTH: (CT_AT, data.auth_key), KEY_SIGN: (CT_DST, data.sign_key)}
        self.verified = False
        self._se: dict[int, tuple[int, int | None]] = {}  # template -> (algorithm, key reference)
        self._saved_se: dict[int, dict[int, tuple[int, int | None]]] = {}
        self._hash: tuple[hashes.HashAlgorithm, bytes] | None = None
        self.handlers.update(
            {
                0x20: self.verify,
                0x22: self.manage_security_environment,
                0x24: self.change_reference_data,
                0x2A: self.perform_security_operation,
                0x2C: self.reset_retry_counter,
                0x84: self.get_challenge,
                0x88: self.internal_authenticate,
                0xCB: self.get_data,
            }
        )

    def on_reset(self) -> None:
        self.verified = False
        self._se, self._hash = {}, None

    # PIN -------------------------------------------------------------------------------------
    def _check_pin_ref(self, cmd: Command) -> None:
        require(cmd.p1 == 0x00, SW_INCORRECT_P1P2)
        require(cmd.p2 == PIN_REF, SW_REFERENCE_NOT_FOUND)

    @staticmethod
    def _tries_sw(state: PinState) -> int:
        # 63 Cx, including 63 C0 on the attempt that blocks; 69 83 comes on the next attempts.
        return (SW1_VERIFY_FAILED << 8) | 0xC0 | state.tries_left

    def _present(self, state: PinState, value: bytes) -> bool:
        """Compares a code, counting a failure; a blocked code is never compared."""
        if state.blocked:
            raise CardError(SW_AUTH_BLOCKED)
        if hmac.compare_digest(value, state.value.encode("ascii")):
            state.tries_left = state.tries_max
            return True
        state.tries_left -= 1
        return False

    def verify(self, cmd: Command) -> Reply:
        if cmd.p1 == 0xFF and cmd.p2 == PIN_REF and not cmd.data:  # ISO: reset the security status
            self.verified = False
            return Reply()
        self._check_pin_ref(cmd)
        if not cmd.data:  # case 1: ask the status (a PIN pad entry done through the control plane)
            if self.pin.blocked:
                raise CardError(SW_AUTH_BLOCKED)
            return Reply(sw=SW_OK if self.verified else self._tries_sw(self.pin))
        require(len(cmd.data) == PIN_LENGTH, SW_WRONG_LENGTH)
        self.verified = self._present(self.pin, cmd.data)
        return Reply(sw=SW_OK if self.verified else self._tries_sw(self.pin))

    @staticmethod
    def verify_apdu(pin: str) -> bytes:
        """The VERIFY a PIN pad sends for digits typed on it (any length: the card judges)."""
        digits = pin.encode("ascii", "replace")[:255]
        return (
            bytes([0x00, 0x20, 0x00, PIN_REF, len(digits)]) + digits
            if digits
            else bytes([0x00, 0x20, 0x00, PIN_REF])
        )

    def outcome(self, response: bytes) -> PinOutcome:
        return PinOutcome(int.from_bytes(response[-2:], "big"), self.pin.tries_left, self.verified)

    def pin_pad(self, pin: str) -> PinOutcome:
        """A PIN typed on the reader's PIN pad: the pad sends VERIFY to the card itself."""
        with self.lock:
            return self.outcome(self.execute(self.verify_apdu(pin)))

    def set_blocked(self, blocked: bool) -> None:
        with self.lock:
            self.pin.tries_left = 0 if blocked else self.pin.tries_max
            self.verified = False

    def change_reference_data(self, cmd: Command) -> Reply:
        self._check_pin_ref(cmd)
        require(len(cmd.data) == 2 * PIN_LENGTH, SW_WRONG_LENGTH)
        old, new = cmd.data[:PIN_LENGTH], cmd.data[PIN_LENGTH:]
        require(new.isdigit(), SW_WRONG_DATA)
        if not self._present(self.pin, old):
            self.verified = False
            return Reply(sw=self._tries_sw(self.pin))
        self.pin.value = new.decode("ascii")
        return Reply()

    def reset_retry_counter(self, cmd: Command) -> Reply:
        """00 2C 00 01 PUK + new PIN, or 00 2C 01 01 PUK (counter reset, PIN kept)."""
        require(cmd.p1 in (0x00, 0x01), SW_INCORRECT_P1P2)
        require(cmd.p2 == PIN_REF, SW_REFERENCE_NOT_FOUND)
        expected = PUK_LENGTH + (PIN_LENGTH if cmd.p1 == 0x00 else 0)
        require(len(cmd.data) == expected, SW_WRONG_LENGTH)
        new_pin = cmd.data[PUK_LENGTH:]
        require(cmd.p1 == 0x01 or new_pin.isdigit(), SW_WRONG_DATA)
        if not self._present(self.puk, cmd.data[:PUK_LENGTH]):
            return Reply(sw=self._tries_sw(self.puk))
        if cmd.p1 == 0x00:
            self.pin.value = new_pin.decode("ascii")
        self.pin.tries_left = self.pin.tries_max
        self.verified = False
        return Reply()

    def get_data(self, cmd: Command) -> Reply:
        """00 CB 3F FF 4D 08 70 06 BF 81 <ref> 02 A0 80: the counters of a PIN object."""
        require((cmd.p1, cmd.p2) == (0x3F, 0xFF), SW_REFERENCE_NOT_FOUND)
        ref = None
        for tag, value in iter_tlv(cmd.data):
            if tag == 0x4D:
                for tag2, value2 in iter_tlv(value):
                    if tag2 == 0x70:
                        for tag3, _ in iter_tlv(value2):
                            if tag3 >> 8 == 0xBF81:
                                ref = tag3 & 0xFF
        state = {PIN_REF: self.pin, PUK_REF: self.puk}.get(ref) if ref is not None else None
        require(state is not None, SW_REFERENCE_NOT_FOUND)
        assert state is not None and ref is not None
        counters = tlv(0x9A, bytes([state.tries_max])) + tlv(0x9B, bytes([state.tries_left]))
        return Reply(tlv(0x70, tlv(0xBF8100 | ref, tlv(0xA0, counters))))

    def get_challenge(self, cmd: Command) -> Reply:
        require(not cmd.p1 and not cmd.p2, SW_INCORRECT_P1P2)
        require(not cmd.data and cmd.ne is not None, SW_WRONG_LENGTH)
        assert cmd.ne is not None
        return Reply(os.urandom(cmd.ne))

    # security environment ----------------------------------------------------------------------
    def manage_security_environment(self, cmd: Command) -> Reply:
        if cmd.p1 == 0xF2:  # store the current environment under number P2
            self._saved_se[cmd.p2] = dict(self._se)
            return Reply()
        if cmd.p1 == 0xF3:  # restore
            require(cmd.p2 in self._saved_se, SW_REFERENCE_NOT_FOUND)
            self._se = dict(self._saved_se[cmd.p2])
            return Reply()
        require(cmd.p1 == 0x41, SW_INCORRECT_P1P2)
        template = cmd.p2
        if template == CT_CT:
            raise CardError(SW_FUNCTION_NOT_SUPPORTED)  # deciphering is not emulated
        require(template in (CT_AT, CT_DST, CT_HT), SW_INCORRECT_P1P2)
        algorithm, key_ref = ALGO_RSA_PKCS1 if template != CT_HT else ALGO_HASH_SHA256, None
        for tag, value in iter_tlv(cmd.data):
            if tag == 0x80 and len(value) == 1:
                algorithm = value[0]
            elif tag in (0x83, 0x84) and len(value) == 1:
                key_ref = value[0]
            else:  # 81 (file reference) included: the CPS3 refuses it
                raise CardError(SW_WRONG_DATA)
        allowed = {
            CT_AT: {ALGO_RSA_PKCS1},
            CT_DST: {ALGO_RSA_PKCS1, ALGO_RSA_SHA1, ALGO_RSA_SHA256},
            CT_HT: {ALGO_HASH_SHA1, ALGO_HASH_SHA256},
        }[template]
        require(algorithm in allowed, SW_WRONG_DATA)
        if template == CT_HT:
            require(key_ref is None, SW_WRONG_DATA)
        else:
            require(
                key_ref is not None and self.keys.get(key_ref, (None,))[0] == template, SW_REFERENCE_NOT_FOUND
            )
        self._se[template] = (algorithm, key_ref)
        if template != CT_AT:
            self._hash = None
        return Reply()

    def _key_for(self, template: int) -> tuple[int, rsa.RSAPrivateKey]:
        require(self.verified, SW_SECURITY_STATUS)
        env = self._se.get(template)
        require(env is not None, SW_CONDITIONS_NOT_SATISFIED)
        assert env is not None and env[1] is not None
        return env[0], self.keys[env[1]][1]

    # crypto --------------------------------------------------------------------------------
    def perform_security_operation(self, cmd: Command) -> Reply:
        if (cmd.p1, cmd.p2) == (0x9E, 0x9A):
            return self._compute_signature(cmd)
        if (cmd.p1, cmd.p2) == (0x90, 0xA0):
            return self._hash_data(cmd)
        if (cmd.p1, cmd.p2) == (0x80, 0x86):
            raise CardError(SW_FUNCTION_NOT_SUPPORTED)
        raise CardError(SW_INCORRECT_P1P2)

    def _hash_algorithm(self) -> hashes.HashAlgorithm:
        for template in (CT_HT, CT_DST):
            env = self._se.get(template)
            if env is not None and env[0] in _HASH_OF_ALGO:
                return _HASH_OF_ALGO[env[0]]
        return hashes.SHA256()

    def _hash_data(self, cmd: Command) -> Reply:
        """PSO HASH: `90 <hash>` (hash computed by the host) or `80 <message <= 64 bytes>`
        (hashed by the card). Resuming a host-side intermediate state (90 + 80) is not emulated."""
        parts = dict(iter_tlv(cmd.data))
        algorithm = self._hash_algorithm()
        if set(parts) == {0x90}:
            require(len(parts[0x90]) == algorithm.digest_size, SW_WRONG_DATA)
            self._hash = (algorithm, parts[0x90])
        elif set(parts) == {0x80}:
            require(len(parts[0x80]) <= 64, SW_WRONG_DATA)
            self._hash = (algorithm, hashlib.new(algorithm.name, parts[0x80]).digest())
        elif set(parts) == {0x80, 0x90}:
            raise CardError(SW_FUNCTION_NOT_SUPPORTED)
        else:
            raise CardError(SW_WRONG_DATA)
        return Reply()

    def _compute_signature(self, cmd: Command) -> Reply:
        algorithm, key = self._key_for(CT_DST)
        if not cmd.data:  # case 2: sign what PSO HASH left
            require(self._hash is not None, SW_CONDITIONS_NOT_SATISFIED)
            assert self._hash is not None
            hash_algorithm, digest = self._hash
            self._hash = None
        elif algorithm == ALGO_RSA_PKCS1:  # case 4 with a DigestInfo
            prefix = next((p for p in DIGEST_INFO if cmd.data.startswith(p)), None)
            require(prefix is not None, SW_WRONG_DATA)
            assert prefix is not None
            hash_algorithm, digest = DIGEST_INFO[prefix], cmd.data[len(prefix) :]
            require(len(digest) == hash_algorithm.digest_size, SW_WRONG_DATA)
        else:  # case 4 with the bare hash of the algorithm set by MSE
            hash_algorithm = _HASH_OF_ALGO[algorithm]
            digest = cmd.data
            require(len(digest) == hash_algorithm.digest_size, SW_WRONG_DATA)
        signature = key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hash_algorithm))
        return Reply(signature)

    def internal_authenticate(self, cmd: Command) -> Reply:
        require((cmd.p1, cmd.p2) == (0x00, 0x00), SW_INCORRECT_P1P2)
        require(bool(cmd.data), SW_WRONG_LENGTH)
        _, key = self._key_for(CT_AT)
        block = _pkcs1_type1(cmd.data, (key.key_size + 7) // 8)
        return Reply(_rsa_private(key, block))
