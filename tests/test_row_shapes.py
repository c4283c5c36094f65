"""Each loaded row is written out in several places: a dataclass, the dict article_rows/log_rows build, an Arrow
schema and the DDL of the live database after every migration. This checks them against each other, so a new
field that reaches only some of them fails here instead of being dropped silently (Arrow fills a missing key
with null and ignores an extra one)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

import warehouse.load as load
from tasks.models import Analysis, ArticleEntity, ArticleRecord, Document, LogEntry, Quote
from warehouse.db import connect

# Set by the load itself, not carried by the record (story_id by warehouse/stories.py inside the load transaction).
LOAD_COLUMNS = {"articles": {"version", "first_seen_at", "run_id", "story_id"}, "fetch_log": {"run_id"}}
# Document fields that are not article columns, and why.
DOCUMENT_NOT_STORED = {
    "url": "the articles row keeps the canonical URL (ArticleRecord.url) and the fetched one",
    "canonical_url": "becomes articles.url through the article id",
}


def db_columns(db: Path, table: str) -> list[str]:
    with connect(db) as con:
        rows = con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
    return [name for (name,) in rows]


def built_rows(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[dict[str, Any]]]:
    """The dicts article_rows and log_rows build, before Arrow would hide a key that is missing or extra."""
    seen: dict[str, list[dict[str, Any]]] = {}
    real = load._arrow

    def capture(rows, schema):
        rows = list(rows)
        seen[{load.ARTICLE_SCHEMA: "articles", load.QUOTE_SCHEMA: "quotes", load.MENTION_SCHEMA: "entity_mentions",
              load.LOG_SCHEMA: "fetch_log"}[schema]] = rows
        return real(rows, schema)

    monkeypatch.setattr(load, "_arrow", capture)
    document = Document(url="https://news.example/a", title="T", text="“Yes,” Ann Lee said.")
    entity = ArticleEntity("Ann Lee", "PERSON", 1, 7, 14, ("Ann Lee",))
    quote = Quote(0, "Yes,", 1, 5, "Ann Lee", "Ann Lee", "PERSON", "said", "full")
    record = ArticleRecord(
        article_id="a1", url="https://news.example/a", fetched_url="https://news.example/a", source="s",
        analysis=Analysis(document, quotes=(quote,), entities=(entity,)), fetched_at=None, warc_path=None,
        warc_offset=None, warc_length=None,
    )
    load.article_rows([record])
    load.log_rows([LogEntry(url="https://news.example/a", kind="article", outcome="loaded")])
    return seen


def test_row_shapes_agree_across_dataclass_rows_arrow_and_the_live_ddl(tmp_path, monkeypatch) -> None:
    db = tmp_path / "n.duckdb"
    rows = built_rows(monkeypatch)
    schemas = {"articles": load.ARTICLE_SCHEMA, "quotes": load.QUOTE_SCHEMA,
               "entity_mentions": load.MENTION_SCHEMA, "fetch_log": load.LOG_SCHEMA}
    for table, schema in schemas.items():
        names = list(schema.names)
        assert len(set(names)) == len(names), f"{table}: a column twice in the Arrow schema"
        assert set(rows[table][0]) == set(names), f"{table}: built row keys vs Arrow schema"
        assert set(db_columns(db, table)) == set(names) | LOAD_COLUMNS.get(table, set()), f"{table}: DDL vs Arrow"

    # fetch_log: the LogEntry dataclass is the row (log_rows copies it whole with asdict)
    assert [f.name for f in dataclasses.fields(LogEntry)] == list(load.LOG_SCHEMA.names)

    # articles: every record field and every Document field lands in a column (or is listed as not stored)
    article_columns = set(load.ARTICLE_SCHEMA.names)
    record_fields = {f.name for f in dataclasses.fields(ArticleRecord)} - {"analysis"}
    assert record_fields <= article_columns, record_fields - article_columns
    document_fields = {f.name for f in dataclasses.fields(Document)} - set(DOCUMENT_NOT_STORED)
    assert document_fields <= article_columns, f"Document fields never loaded: {document_fields - article_columns}"
