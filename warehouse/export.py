"""Export the warehouse as Parquet partitioned by day, for engines beyond DuckDB (Spark, Polars, pandas, Trino).

Each table goes to `<out>/<table>/day=YYYY-MM-DD/*.parquet` (Hive partitioning) through DuckDB's own
`COPY ... (FORMAT parquet, PARTITION_BY (day))`. The day is the UTC date an analyst filters on: an article's
publication date (its first sighting when the page gives none), and quotes and mentions follow their article so
one day's partition joins on its own. The export reads through a read-only connection, so it never blocks a run
for longer than a load transaction does.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.db import SchemaVersionError, check_schema_is_known, connect_readonly

ARTICLE_DAY = "CAST(COALESCE(a.published, a.first_seen_at, a.fetched_at) AS DATE)"

# table -> SELECT giving the table's columns plus `day` (DATE, UTC: the connection's TimeZone is set to UTC)
EXPORT_QUERIES: dict[str, str] = {
    "articles": f"SELECT a.*, {ARTICLE_DAY} AS day FROM articles a",
    "article_versions": "SELECT v.*, CAST(v.fetched_at AS DATE) AS day FROM article_versions v",
    "quotes": f"SELECT q.*, {ARTICLE_DAY} AS day FROM quotes q LEFT JOIN articles a USING (article_id)",
    "entity_mentions": f"SELECT m.*, {ARTICLE_DAY} AS day "
    "FROM entity_mentions m LEFT JOIN articles a USING (article_id)",
    "entities": "SELECT e.*, CAST(e.first_seen_at AS DATE) AS day FROM entities e",
    "fetch_log": "SELECT f.*, CAST(COALESCE(f.fetched_at, r.started_at) AS DATE) AS day "
    "FROM fetch_log f LEFT JOIN runs r USING (run_id)",
    "runs": "SELECT r.*, CAST(r.started_at AS DATE) AS day FROM runs r",
    "stories": "SELECT s.*, CAST(COALESCE(s.first_published, s.first_seen_at) AS DATE) AS day FROM stories s",
}


class ExportError(RuntimeError):
    """The export cannot run (no database, an unknown table, an output folder that is a file)."""


@dataclass(frozen=True)
class ExportedTable:
    table: str
    rows: int
    days: int
    path: Path


def export_parquet(db_path: Path, out_dir: Path, tables: Sequence[str] | None = None) -> list[ExportedTable]:
    """Write each table as day-partitioned Parquet under `out_dir/<table>/`, replacing a previous export of it."""
    names = list(tables) if tables else list(EXPORT_QUERIES)
    unknown = [name for name in names if name not in EXPORT_QUERIES]
    if unknown:
        raise ExportError(f"unknown table(s) {', '.join(unknown)}; tables: {', '.join(EXPORT_QUERIES)}")
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} exists and is not a folder")
    try:
        con = connect_readonly(db_path)
    except FileNotFoundError as exc:
        raise ExportError(str(exc)) from exc
    exported = []
    with con:
        try:
            check_schema_is_known(con, db_path)  # a newer schema's tables may not mean what these queries assume
        except SchemaVersionError as exc:
            raise ExportError(str(exc)) from exc
        con.execute("SET TimeZone = 'UTC'")
        for name in names:
            target = out_dir / name
            if target.exists():  # a re-export replaces the table's files: no stale day left behind
                shutil.rmtree(target)
            target.mkdir(parents=True)
            query = EXPORT_QUERIES[name]
            rows, days = con.execute(f"SELECT COUNT(*), COUNT(DISTINCT day) FROM ({query})").fetchone() or (0, 0)
            if rows:
                con.execute(
                    f"COPY ({query}) TO '{_sql_string(target)}' "
                    "(FORMAT parquet, PARTITION_BY (day), COMPRESSION zstd, OVERWRITE_OR_IGNORE true)"
                )
            exported.append(ExportedTable(table=name, rows=int(rows), days=int(days), path=target))
    return exported


def read_exported(con: duckdb.DuckDBPyConnection, out_dir: Path, table: str) -> duckdb.DuckDBPyRelation:
    """One exported table as a relation (how an analyst reads it back: read_parquet with Hive partitioning)."""
    pattern = _sql_string(out_dir / table / "*" / "*.parquet")
    return con.sql(f"SELECT * FROM read_parquet('{pattern}', hive_partitioning = true)")


def _sql_string(path: Path) -> str:
    """A path as a SQL string literal's body (COPY takes no bound parameter for its target)."""
    return str(path).replace("'", "''")
