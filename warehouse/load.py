"""Loading into DuckDB: idempotent upserts through Arrow, one transaction per batch.

Rows go in as Arrow tables with `INSERT ... SELECT` (DuckDB's executemany upserts run at a few hundred rows a
second; Arrow at 100k+). Every statement of a batch runs inside one transaction, so a failure leaves nothing
half-written. Every value comes in through Arrow or a bound parameter, never spliced into SQL.

The tables that grow with every article (articles, article_versions, quotes, entity_mentions, story_signatures)
have no primary key (migration 010: DuckDB recompresses an indexed table's whole last row group at every
checkpoint), so this module is what keeps their keys unique: articles are merged by article_id, a version goes
in only when its (article_id, version) is new, and an article's quotes and mentions are deleted before its new
ones go in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import duckdb
import pyarrow as pa

from tasks.dates import local_day
from tasks.duplicates import unique_articles
from tasks.ids import entity_id, entity_name_key
from tasks.models import ArticleRecord, LogEntry
from warehouse.db import transaction
from warehouse.stories import story_texts, update_stories


LOG_SCHEMA = pa.schema(
    [
        ("url", pa.string()), ("kind", pa.string()), ("outcome", pa.string()), ("source", pa.string()),
        ("found_in", pa.string()), ("status_code", pa.int32()), ("reason", pa.string()),
        ("final_url", pa.string()), ("article_id", pa.string()), ("content_type", pa.string()),
        ("n_bytes", pa.int64()), ("elapsed_ms", pa.int32()), ("fetched_at", pa.string()), ("etag", pa.string()),
        ("last_modified", pa.string()), ("warc_path", pa.string()), ("warc_offset", pa.int64()),
        ("warc_length", pa.int64()),
    ]
)
ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()), ("url", pa.string()), ("fetched_url", pa.string()), ("source", pa.string()),
        ("site_name", pa.string()), ("title", pa.string()), ("authors", pa.list_(pa.string())),
        ("published", pa.string()), ("modified", pa.string()), ("language", pa.string()),
        ("section", pa.string()), ("tags", pa.list_(pa.string())), ("description", pa.string()),
        ("image", pa.string()), ("summary_points", pa.list_(pa.string())), ("text", pa.string()),
        ("word_count", pa.int32()), ("content_hash", pa.string()), ("fetched_at", pa.string()),
        ("warc_path", pa.string()), ("warc_offset", pa.int64()), ("warc_length", pa.int64()),
        ("analysis_error", pa.string()), ("published_local_date", pa.string()), ("declared_language", pa.string()),
        ("analysis_note", pa.string()),
    ]
)
QUOTE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()), ("ordinal", pa.int32()), ("quote", pa.string()),
        ("start_offset", pa.int32()), ("end_offset", pa.int32()), ("speaker_text", pa.string()),
        ("speaker", pa.string()), ("speaker_label", pa.string()), ("speaker_entity_id", pa.string()),
        ("verb", pa.string()), ("kind", pa.string()),
    ]
)
MENTION_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()), ("entity_id", pa.string()), ("name", pa.string()), ("label", pa.string()),
        ("mention_count", pa.int32()), ("first_start", pa.int32()), ("first_end", pa.int32()),
        ("surfaces", pa.list_(pa.string())), ("role", pa.string()),
        ("name_key", pa.string()),  # what entity_id is made from; label reconciliation groups by it (migration 009)
    ]
)


def content_hash(title: str | None, text: str) -> str:
    return hashlib.sha256(f"{title or ''}\n\n{text}".encode("utf-8")).hexdigest()


def _arrow(rows: Sequence[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=schema)


def article_rows(records: Sequence[ArticleRecord]) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Arrow tables for articles, quotes and entity mentions. Duplicates are settled before loading (tasks.duplicates
    owns that rule); one that gets here is a bug and raises."""
    unique_articles(records)
    articles, quotes, mentions = [], [], []
    for record in records:
        doc = record.analysis.document
        articles.append(
            {
                "article_id": record.article_id, "url": record.url, "fetched_url": record.fetched_url,
                "source": record.source, "site_name": doc.site_name, "title": doc.title,
                "authors": list(doc.authors), "published": doc.published, "modified": doc.modified,
                "language": record.analysis.language or doc.language, "section": doc.section, "tags": list(doc.tags),
                "description": doc.description, "image": doc.image, "summary_points": list(doc.summary_points),
                "text": doc.text, "word_count": len(doc.text.split()), "content_hash": content_hash(doc.title, doc.text),
                "fetched_at": record.fetched_at, "warc_path": record.warc_path, "warc_offset": record.warc_offset,
                "warc_length": record.warc_length, "analysis_error": record.analysis.error,
                "published_local_date": local_day(doc.published),
                "analysis_note": record.analysis.note,
                "declared_language": record.analysis.declared_language,
            }
        )
        known_ids = set()
        for entity in record.analysis.entities:
            eid = entity_id(entity.label, entity.name)
            if eid in known_ids:
                continue
            known_ids.add(eid)
            mentions.append(
                {
                    "article_id": record.article_id, "entity_id": eid, "name": entity.name, "label": entity.label,
                    "mention_count": entity.mention_count, "first_start": entity.first_start,
                    "first_end": entity.first_end, "surfaces": list(entity.surfaces), "role": entity.role,
                    "name_key": entity_name_key(entity.name),
                }
            )
        for quote in record.analysis.quotes:
            speaker_eid = None
            if quote.speaker and quote.speaker_label:
                candidate = entity_id(quote.speaker_label, quote.speaker)
                speaker_eid = candidate if candidate in known_ids else None
            quotes.append(
                {
                    "article_id": record.article_id, "ordinal": quote.ordinal, "quote": quote.text,
                    "start_offset": quote.start, "end_offset": quote.end, "speaker_text": quote.speaker_text,
                    "speaker": quote.speaker, "speaker_label": quote.speaker_label,
                    "speaker_entity_id": speaker_eid, "verb": quote.verb, "kind": quote.kind,
                }
            )
    return _arrow(articles, ARTICLE_SCHEMA), _arrow(quotes, QUOTE_SCHEMA), _arrow(mentions, MENTION_SCHEMA)


def log_rows(entries: Sequence[LogEntry]) -> pa.Table:
    """fetch_log rows; a URL logged twice in one batch keeps its last outcome."""
    latest = {entry.url: entry for entry in entries}
    return _arrow([asdict(entry) for entry in latest.values()], LOG_SCHEMA)


_ARTICLE_COLUMNS = [f.name for f in ARTICLE_SCHEMA] + ["version", "first_seen_at", "run_id"]


def load_batch(
    con: duckdb.DuckDBPyConnection, run_id: str, records: Sequence[ArticleRecord], log: Sequence[LogEntry]
) -> None:
    """Upsert a batch of articles (with their quotes, entities and versions) and fetch-log rows atomically.

    An article whose content hash changed gets a new version number and an article_versions row; one whose
    text is the same keeps its version. Quotes and mentions of a loaded article are replaced, not added to.
    """
    incoming_articles, incoming_quotes, incoming_mentions = article_rows(records)
    incoming_log = log_rows(log)
    try:
        with transaction(con):
            con.register("incoming_articles", incoming_articles)
            con.register("incoming_quotes", incoming_quotes)
            con.register("incoming_mentions", incoming_mentions)
            con.register("incoming_log", incoming_log)
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE staged_articles AS
                SELECT i.* REPLACE (
                           TRY_CAST(i.published AS TIMESTAMPTZ) AS published,
                           TRY_CAST(i.published_local_date AS DATE) AS published_local_date,
                           TRY_CAST(i.modified AS TIMESTAMPTZ) AS modified,
                           TRY_CAST(i.fetched_at AS TIMESTAMPTZ) AS fetched_at),
                       CASE WHEN a.article_id IS NULL THEN 1
                            WHEN a.content_hash = i.content_hash THEN a.version
                            ELSE a.version + 1 END AS version,
                       COALESCE(a.first_seen_at, TRY_CAST(i.fetched_at AS TIMESTAMPTZ), now()) AS first_seen_at,
                       CAST(? AS VARCHAR) AS run_id,
                       (a.article_id IS NULL OR a.content_hash <> i.content_hash) AS changed
                FROM incoming_articles i LEFT JOIN articles a USING (article_id)
                """,
                [run_id],
            )
            con.execute(
                """
                INSERT INTO article_versions
                SELECT article_id, version, title, text, content_hash, fetched_at, run_id,
                       warc_path, warc_offset, warc_length
                FROM staged_articles s
                WHERE changed AND NOT EXISTS (
                    SELECT 1 FROM article_versions v WHERE v.article_id = s.article_id AND v.version = s.version
                )
                """
            )
            columns = ", ".join(_ARTICLE_COLUMNS)
            updates = ", ".join(f"{c} = s.{c}" for c in _ARTICLE_COLUMNS if c != "article_id")
            con.execute(
                f"MERGE INTO articles USING staged_articles s ON articles.article_id = s.article_id "
                f"WHEN MATCHED THEN UPDATE SET {updates} "
                f"WHEN NOT MATCHED THEN INSERT ({columns}) VALUES ({', '.join(f's.{c}' for c in _ARTICLE_COLUMNS)})"
            )
            update_stories(con, story_texts(incoming_articles))
            con.execute("DELETE FROM quotes WHERE article_id IN (SELECT article_id FROM staged_articles)")
            con.execute("INSERT INTO quotes SELECT * FROM incoming_quotes")
            con.execute(
                """
                INSERT INTO entities
                SELECT entity_id, any_value(label), any_value(name), now() FROM incoming_mentions GROUP BY entity_id
                ON CONFLICT (entity_id) DO NOTHING
                """
            )
            con.execute("DELETE FROM entity_mentions WHERE article_id IN (SELECT article_id FROM staged_articles)")
            con.execute("INSERT INTO entity_mentions SELECT * FROM incoming_mentions")
            log_columns = ", ".join(f.name for f in LOG_SCHEMA)
            con.execute(
                f"""
                INSERT OR REPLACE INTO fetch_log (run_id, {log_columns})
                SELECT CAST(? AS VARCHAR), * REPLACE (TRY_CAST(fetched_at AS TIMESTAMPTZ) AS fetched_at)
                FROM incoming_log
                """,
                [run_id],
            )
            con.execute("DROP TABLE staged_articles")
    finally:
        for name in ("incoming_articles", "incoming_quotes", "incoming_mentions", "incoming_log"):
            con.unregister(name)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, parameters: dict[str, Any]) -> None:
    """Record a run's start. Call it holding the writer lock: any run still 'running' then was killed."""
    con.execute(
        "UPDATE runs SET status = 'interrupted', message = 'the process ended before the run finished' "
        "WHERE status = 'running'"
    )
    con.execute(
        "INSERT OR REPLACE INTO runs (run_id, flow, started_at, status, parameters) "
        "VALUES (?, ?, now(), 'running', ?)",
        [run_id, flow, json.dumps(parameters, default=str)],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: dict[str, int], message: str | None = None
) -> None:
    """Close a run: its counts per outcome come from its fetch_log rows unless given (reprocess has none)."""
    outcome_columns = ["loaded", "unchanged", "duplicate", "robots", "skipped", "failed"]
    values = [counts.get(column, 0) for column in outcome_columns]
    con.execute(
        f"UPDATE runs SET finished_at = now(), status = ?, message = ?, urls_total = ?, "
        f"{', '.join(f'{c} = ?' for c in outcome_columns)} WHERE run_id = ?",
        [status, message, sum(values), *values, run_id],
    )


def outcome_counts(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Counts of article URLs per outcome in one run."""
    rows = con.execute(
        "SELECT outcome, COUNT(*) FROM fetch_log WHERE run_id = ? AND kind = 'article' GROUP BY outcome", [run_id]
    ).fetchall()
    return {outcome: int(count) for outcome, count in rows}


def failed_resources(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """Feeds, sitemaps and URL lists of one run that failed (a run with only these failing found nothing)."""
    row = con.execute(
        "SELECT COUNT(*) FROM fetch_log WHERE run_id = ? AND kind <> 'article' AND outcome = 'failed'", [run_id]
    ).fetchone()
    return int(row[0]) if row else 0


def failed_urls(con: duckdb.DuckDBPyConnection, run_id: str, limit: int) -> list[tuple[str, str]]:
    """(url, reason) of a run's failed URLs, for its report."""
    rows = con.execute(
        "SELECT url, reason FROM fetch_log WHERE run_id = ? AND outcome = 'failed' ORDER BY url LIMIT ?",
        [run_id, limit],
    ).fetchall()
    return [(url, reason or "") for url, reason in rows]


def previous_validators(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
    """(etag, last_modified) from each URL's latest successful fetch, for conditional GET."""
    if not urls:
        return {}
    rows = con.execute(
        """
        SELECT f.url, f.etag, f.last_modified FROM fetch_log f
        WHERE f.url IN (SELECT unnest(CAST(? AS VARCHAR[])))
          AND f.outcome IN ('loaded', 'unchanged') AND f.kind = 'article'
          AND (f.etag IS NOT NULL OR f.last_modified IS NOT NULL)
          AND f.article_id IN (SELECT article_id FROM articles)
        QUALIFY row_number() OVER (PARTITION BY f.url ORDER BY f.fetched_at DESC) = 1
        """,
        [list(urls)],
    ).fetchall()
    return {url: (etag, last_modified) for url, etag, last_modified in rows}


def known_article_for_url(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> dict[str, str]:
    """article_id of the latest loaded fetch of each URL (an unchanged page keeps its article)."""
    if not urls:
        return {}
    rows = con.execute(
        """
        SELECT f.url, f.article_id FROM fetch_log f
        WHERE f.url IN (SELECT unnest(CAST(? AS VARCHAR[]))) AND f.article_id IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY f.url ORDER BY f.fetched_at DESC) = 1
        """,
        [list(urls)],
    ).fetchall()
    return dict(rows)


def previous_owners(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> dict[str, str]:
    """Article id -> the URL among `urls` that stored it (its latest row loaded or unchanged, the latest such URL
    when several did), so a rerun keeps each article with the URL it came from (tasks/duplicates.py)."""
    if not urls:
        return {}
    rows = con.execute(
        """
        WITH latest AS (
            SELECT f.url, f.article_id, f.outcome, f.fetched_at FROM fetch_log f
            WHERE f.url IN (SELECT unnest(CAST(? AS VARCHAR[]))) AND f.article_id IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY f.url ORDER BY f.fetched_at DESC NULLS LAST, f.run_id DESC) = 1
        )
        SELECT article_id, url FROM latest WHERE outcome IN ('loaded', 'unchanged')
        QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY fetched_at DESC NULLS LAST, url) = 1
        """,
        [list(urls)],
    ).fetchall()
    return dict(rows)


def archived_articles(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None, str, int]]:
    """(article_id, fetched_url, source, warc_path, warc_offset) of every article with an archived response."""
    return [
        (row[0], row[1], row[2], row[3], int(row[4]))
        for row in con.execute(
            "SELECT article_id, fetched_url, source, warc_path, warc_offset FROM articles "
            "WHERE warc_path IS NOT NULL ORDER BY article_id"
        ).fetchall()
    ]

