"""One filter, two evaluators: SQL for stored records, Python for records still pending."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from simulators.core.journal.records import ExchangeRecord

DEFAULT_LIMIT = 100
MAX_LIMIT = 5000


@dataclass
class ExchangeFilter:
    service: str | None = None
    operation: str | None = None
    correlation: dict[str, str] = field(default_factory=dict)
    scenario_id: str | None = None
    since: datetime | None = None  # on started_at, inclusive
    until: datetime | None = None  # on started_at, exclusive
    limit: int = DEFAULT_LIMIT  # the most recent `limit` records, returned oldest first

    def matches(self, record: ExchangeRecord) -> bool:
        if self.service is not None and record.service != self.service:
            return False
        if self.operation is not None and record.operation != self.operation:
            return False
        if self.scenario_id is not None and record.scenario_id != self.scenario_id:
            return False
        if self.since is not None and record.started_at < self.since:
            return False
        if self.until is not None and record.started_at >= self.until:
            return False
        return all(record.correlation.get(k) == v for k, v in self.correlation.items())
