"""The bench's test PKI, shaped like IGC-Santé test (see `profiles` for the hierarchy and DN layouts)."""

from protocols.pki.profiles import (
    CA_COMMON_NAMES,
    CRL_URL,
    ORGANISATIONS,
    PERSONNES,
    ROOT,
    TRUSTED_CAS,
    id_nat_ps_of,
    rpps_part,
)
from protocols.pki.testpki import CLIENTS, P12_PASSWORD, Credential, PrivateKey, TestPKI

__all__ = [
    "CA_COMMON_NAMES",
    "CLIENTS",
    "CRL_URL",
    "ORGANISATIONS",
    "P12_PASSWORD",
    "PERSONNES",
    "ROOT",
    "TRUSTED_CAS",
    "Credential",
    "PrivateKey",
    "TestPKI",
    "id_nat_ps_of",
    "rpps_part",
]
