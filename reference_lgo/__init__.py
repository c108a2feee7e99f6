"""The reference pharmacy software (LGO) of the Ségur bench: French web UI, driver API, services.

Run it with `python -m reference_lgo --host 127.0.0.1 --port 8000`; it imports `protocols` only.
"""
