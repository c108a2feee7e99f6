"""The reference LGO's INSi client (téléservice INS): request builder, answer parser, mutual-TLS
transport, the traits-search algorithm of spec digest §1.8, and the exchange records to journal."""

from reference_lgo.clients.insi.client import (
    Auth,
    CpxAuth,
    InsiClient,
    InsiSettings,
    PsAssertionSigner,
    VerificationOutcome,
    VitaleBeneficiary,
    key_signer,
    vitale_query,
)
from reference_lgo.clients.insi.errors import InsiError, InsiFault, InsiRequestRefused, InsiUnavailable
from reference_lgo.clients.insi.exchange import InsiExchange
from reference_lgo.clients.insi.messages import LpsSoftware, TraitsQuery, VitaleQuery
from reference_lgo.clients.insi.results import InsiIdentity, InsiResult, InsNumber
from reference_lgo.clients.insi.search import SearchOutcome, Verdict
from reference_lgo.clients.insi.transport import HttpAnswer, HttpxTransport, InsiTransport, TlsCredential

__all__ = [
    "Auth",
    "CpxAuth",
    "HttpAnswer",
    "HttpxTransport",
    "InsNumber",
    "InsiClient",
    "InsiError",
    "InsiExchange",
    "InsiFault",
    "InsiIdentity",
    "InsiRequestRefused",
    "InsiResult",
    "InsiSettings",
    "InsiTransport",
    "InsiUnavailable",
    "LpsSoftware",
    "PsAssertionSigner",
    "SearchOutcome",
    "TlsCredential",
    "TraitsQuery",
    "Verdict",
    "VerificationOutcome",
    "VitaleBeneficiary",
    "VitaleQuery",
    "key_signer",
    "vitale_query",
]
