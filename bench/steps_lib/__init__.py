"""The shared step library: what the thin steps of features/steps/ call. Each module is one family
of actions (sessions, audit trail, journal, INSi, screenshots), written against the Target and the
control-plane client only: never an LGO's database, never a simulator's insides."""
