"""The key figures of the report as a Prefect table artifact, so a scheduled run can be read in the Prefect UI."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger
from prefect.artifacts import create_table_artifact

from warehouse.db import connect
from warehouse.report import key_figures


def publish_key_figures(db_path: Path, run_id: str) -> None:
    """Called at the end of a run inside its writer lock. A failure here is logged, not raised: the run's rows
    are already recorded, and the artifact only mirrors them."""
    try:
        with connect(db_path) as con:
            rows = key_figures(con, run_id, str(db_path))
        create_table_artifact(rows, key="newsdesk-key-figures", description=f"newsdesk key figures of {db_path}")
    except Exception as exc:  # noqa: BLE001 - recorded in the run's log with its type
        get_run_logger().warning("key figures artifact not published: %s: %s", type(exc).__name__, exc)
