"""Use cases of the reference LGO: accounts, authentication, audit trail, settings, seeding."""
