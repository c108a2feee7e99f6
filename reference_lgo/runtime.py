"""What every request handler shares: process configuration, database, clock and the INSi client."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from reference_lgo.clock import LgoClock
from reference_lgo.db import Database
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.insi_calls import InsiClients
from reference_lgo.settings import LgoConfig


@dataclass
class Runtime:
    config: LgoConfig
    db: Database
    clock: LgoClock = field(default_factory=LgoClock)
    # One INSi client per runtime (pooled TLS connections), closed at shutdown.
    insi: InsiClients = field(default_factory=InsiClients)

    @classmethod
    def start(cls, config: LgoConfig) -> Runtime:
        runtime = cls(config, Database(config.database_url))
        runtime.db.migrate()
        return runtime

    def settings(self, session: Session) -> pharmacy_settings.PharmacySettings:
        return pharmacy_settings.load(session, self.config)

    def inactivity(self, session: Session) -> timedelta:
        return timedelta(minutes=self.settings(session).inactivity_minutes)

    def close(self) -> None:
        """Releases the network clients (the database stays usable: tests share it)."""
        self.insi.close()
