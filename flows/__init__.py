"""Prefect flows and the newsdesk CLI.

Offline-friendly Prefect defaults are set here, before Prefect is imported, and only where the user has not set
them: no analytics, and a start-up timeout long enough for the ephemeral API server on a small machine.
"""

import os

for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}.items():
    os.environ.setdefault(_key, _value)
