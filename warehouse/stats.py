"""What is in a newsdesk database, for `newsdesk stats` and the demo summary."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

TABLES = ("articles", "article_versions", "quotes", "entities", "entity_mentions", "stories", "fetch_log", "runs")


@dataclass(frozen=True)
class Section:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {table: int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]) for table in TABLES}


def top_speakers(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[tuple[str, int]]:
    return [
        (str(speaker), int(quotes))
        for speaker, quotes in con.execute(
            "SELECT speaker, quotes FROM top_speakers WHERE speaker_label = 'PERSON' "
            "ORDER BY quotes DESC, speaker LIMIT ?",
            [limit],
        ).fetchall()
    ]


def report(con: duckdb.DuckDBPyConnection, runs: int = 5) -> list[Section]:
    counts = table_counts(con)
    return [
        Section("Rows per table", ("table", "rows"), list(counts.items())),
        Section(
            "Articles per source",
            ("source", "articles", "quotes", "last fetched"),
            con.execute(
                """
                SELECT a.source, COUNT(DISTINCT a.article_id), COUNT(q.ordinal), MAX(a.fetched_at)
                FROM articles a LEFT JOIN quotes q USING (article_id) GROUP BY a.source ORDER BY 2 DESC
                """
            ).fetchall(),
        ),
        Section(
            "Articles per day (published, else fetched)",
            ("day", "articles", "words"),
            con.execute(
                "SELECT day, SUM(articles), SUM(words) FROM articles_per_day GROUP BY day ORDER BY day DESC LIMIT 14"
            ).fetchall(),
        ),
        Section(
            f"Last {runs} runs",
            ("run", "flow", "started", "status", "loaded", "unchanged", "duplicate", "robots", "skipped", "failed"),
            con.execute(
                """
                SELECT run_id, flow, started_at, status, loaded, unchanged, duplicate, robots, skipped, failed
                FROM runs ORDER BY started_at DESC LIMIT ?
                """,
                [runs],
            ).fetchall(),
        ),
    ]
