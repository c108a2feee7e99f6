"""What every request handler shares: process configuration, database and clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from reference_lgo.clock import LgoClock
from reference_lgo.db import Database
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.settings import LgoConfig


@dataclass
class Runtime:
    config: LgoConfig
    db: Database
    clock: LgoClock = field(default_factory=LgoClock)

    @classmethod
    def start(cls, config: LgoConfig) -> Runtime:
        runtime = cls(config, Database(config.database_url))
        runtime.db.migrate()
        return runtime

    def settings(self, session: Session) -> pharmacy_settings.PharmacySettings:
        return pharmacy_settings.load(session, self.config)

    def inactivity(self, session: Session) -> timedelta:
        return timedelta(minutes=self.settings(session).inactivity_minutes)
