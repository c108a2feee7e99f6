"""Clients of the national services, one module or package per service (the LGO side: it never
imports the simulators)."""
