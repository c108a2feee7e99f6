"""The exchange journal: every exchange of every simulator, written in batches off the request path."""

from simulators.core.journal.filters import ExchangeFilter
from simulators.core.journal.records import (
    BodyRef,
    ExchangeRecord,
    PeerRecord,
    RequestRecord,
    ResponseRecord,
    body_sha256,
    body_url,
)
from simulators.core.journal.store import Journal, default_database_url

__all__ = [
    "BodyRef",
    "ExchangeFilter",
    "ExchangeRecord",
    "Journal",
    "PeerRecord",
    "RequestRecord",
    "ResponseRecord",
    "body_sha256",
    "body_url",
    "default_database_url",
]
