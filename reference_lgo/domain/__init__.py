"""Pure rules of the reference LGO (no database, no I/O)."""
