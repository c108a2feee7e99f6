"""The French web UI: server-rendered Jinja2 templates, htmx (vendored) for partial updates."""
