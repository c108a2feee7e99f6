"""Routes of the web UI, one module per screen family."""
