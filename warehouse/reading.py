"""Opening a database for `newsdesk report` and `newsdesk search`: bring an old schema or a missing search index
up to date when no run is writing, otherwise say plainly what is wrong. Messages are one line, for the CLI."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from warehouse.db import (
    DatabaseBusyError, SchemaVersionError, check_schema_is_known, connect, connect_readonly, migration_files,
    writer_lock,
)
from warehouse.search import index_exists, index_is_current, rebuild_index


class NotReadableError(RuntimeError):
    """The database cannot be read for a report or a search; the message says why and what to do."""


def schema_state(con: duckdb.DuckDBPyConnection) -> tuple[bool, bool]:
    """(is a newsdesk database, has every migration this code knows)."""
    has_versions = con.execute(
        "SELECT COUNT(*) FROM duckdb_tables() WHERE table_name = 'schema_version' AND schema_name = 'main'"
    ).fetchone()[0]
    if not has_versions:
        return False, False
    applied = {row[0] for row in con.execute("SELECT version FROM schema_version").fetchall()}
    return True, {version for version, _, _ in migration_files()} <= applied


def open_for_analysis(db_path: Path, need_index: bool = False, reindex: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection on a current schema (and search index when `need_index`)."""
    if not db_path.exists():
        raise NotReadableError(f"no database at {db_path}: run `newsdesk demo` or `newsdesk scrape` first, or give --db")
    try:
        with connect_readonly(db_path, retry_seconds=30) as con:
            is_newsdesk, current = schema_state(con)
            check_schema_is_known(con, db_path)
            indexed = index_exists(con)
            fresh = indexed and current and index_is_current(con)
    except duckdb.Error as exc:
        raise NotReadableError(f"cannot read {db_path} as a DuckDB database: {type(exc).__name__}: {exc}") from exc
    except SchemaVersionError as exc:
        raise NotReadableError(str(exc)) from exc
    if not is_newsdesk:
        raise NotReadableError(f"{db_path} is not a newsdesk database (it has no schema_version table)")
    if not current or (need_index and (reindex or not fresh)):
        try:
            with writer_lock(db_path, timeout_seconds=0), connect(db_path) as con:  # connect() migrates
                if need_index and (reindex or not index_is_current(con)):
                    print(f"building the search index of {db_path}…", file=sys.stderr)
                    rebuild_index(con)
        except (DatabaseBusyError, OSError) as exc:  # a run is writing, or the file or folder is read-only
            why = "a run is writing to it" if isinstance(exc, DatabaseBusyError) else f"it cannot be written ({exc})"
            if not current:
                raise NotReadableError(
                    f"{db_path} has an older schema and {why}; it is migrated by the next run or command that "
                    "can write to it"
                ) from exc
            if not indexed:
                raise NotReadableError(
                    f"{db_path} has no search index yet and {why}; a scrape run builds the index when it ends, "
                    "or run the search again where the file can be written"
                ) from exc
            print(f"note: {db_path} has changed since its search index was built and {why}; "
                  "results are from the index as it was", file=sys.stderr)
    try:
        return connect_readonly(db_path, retry_seconds=30)
    except duckdb.Error as exc:
        raise NotReadableError(f"cannot read {db_path}: {type(exc).__name__}: {exc}") from exc
