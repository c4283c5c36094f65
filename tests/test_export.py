"""`newsdesk export --format parquet`: every table as Parquet partitioned by day, readable back from DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tasks.models import Analysis, ArticleEntity, ArticleRecord, Document, LogEntry, Quote
from warehouse.db import connect
from warehouse.export import ExportError, export_parquet, read_exported
from warehouse.load import load_batch, start_run

runner = CliRunner()


def article(aid: str, published: str | None, speaker: str) -> ArticleRecord:
    text = f'"We will build it," said {speaker}. The harbor waited.'
    document = Document(url=f"https://news.example/{aid}", title=f"Story {aid}", text=text, published=published)
    entity = ArticleEntity(name=speaker, label="PERSON", mention_count=1, first_start=25, first_end=25 + len(speaker))
    quote = Quote(
        ordinal=0, text="We will build it,", start=1, end=18, speaker_text=speaker, speaker=speaker,
        speaker_label="PERSON", verb="said", kind="full",
    )
    return ArticleRecord(
        article_id=aid, url=document.url or "", fetched_url=document.url or "", source="test",
        analysis=Analysis(document=document, quotes=(quote,), entities=(entity,)),
        fetched_at="2026-11-30T09:00:00+00:00", warc_path=None, warc_offset=None, warc_length=None,
    )


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "news.duckdb"
    records = [
        article("a" * 16, "2026-11-28T23:30:00-05:00", "Ana Ruiz"),  # 04:30 UTC on the 29th
        article("b" * 16, "2026-11-29T10:00:00+00:00", "Ben Okafor"),
        article("c" * 16, None, "Cy Tran"),  # no date on the page: its first sighting's day
    ]
    log = [LogEntry(url=r.fetched_url, kind="article", outcome="loaded", article_id=r.article_id) for r in records]
    with connect(path) as con:
        start_run(con, "run-1", "scrape", {})
        load_batch(con, "run-1", records, log)
    return path


def test_export_writes_every_table_partitioned_by_utc_day(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = runner.invoke(app, ["export", "--format", "parquet", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "articles").iterdir()) == ["day=2026-11-29", "day=2026-11-30"]
    con = duckdb.connect()
    with duckdb.connect(str(db), read_only=True) as source:
        for table in ("articles", "quotes", "entity_mentions", "entities", "fetch_log", "runs", "article_versions"):
            expected = source.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            assert len(read_exported(con, out, table).fetchall()) == expected, table
    by_day = dict(
        con.execute(
            f"SELECT CAST(day AS VARCHAR), list(speaker ORDER BY speaker) FROM "
            f"read_parquet('{out}/quotes/*/*.parquet', hive_partitioning = true) GROUP BY day"
        ).fetchall()
    )
    assert by_day == {"2026-11-29": ["Ana Ruiz", "Ben Okafor"], "2026-11-30": ["Cy Tran"]}  # quotes follow articles
    text = con.execute(
        f"SELECT text FROM read_parquet('{out}/articles/*/*.parquet', hive_partitioning = true) "
        f"WHERE article_id = '{'b' * 16}'"
    ).fetchone()[0]
    assert text.startswith('"We will build it," said Ben Okafor.')


def test_a_second_export_replaces_the_first(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    (out / "articles" / "day=1999-01-01").mkdir(parents=True)
    exported = {item.table: item for item in export_parquet(db, out, ["articles"])}
    assert exported["articles"].rows == 3 and exported["articles"].days == 2
    assert not (out / "articles" / "day=1999-01-01").exists()
    assert not (out / "quotes").exists()  # only the tables asked for


def test_export_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no database"):
        export_parquet(tmp_path / "missing.duckdb", tmp_path / "out")
    result = runner.invoke(app, ["export", "--db", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "no database" in result.output
