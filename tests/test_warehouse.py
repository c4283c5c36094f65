"""The DuckDB side: migrations, idempotent atomic loads, article versions, the writer lock, read-only access."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import multiprocessing
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tasks.models import Analysis, ArticleEntity, ArticleRecord, Document, LogEntry, Quote
from warehouse.db import (
    SMALL_BLOCK_SIZE, DatabaseBusyError, SchemaVersionError, block_size, connect, connect_readonly, create_if_missing,
    migrate, migration_files, writer_lock,
)
from warehouse.load import finish_run, load_batch, outcome_counts, previous_validators, start_run


def record(article_id: str = "a1", text: str = "Mayor Dana Whitfield spoke.", title: str = "Title") -> ArticleRecord:
    document = Document(url=f"https://example.org/{article_id}", title=title, text=text, authors=("Ann Lee",),
                        published="2024-07-08T10:00:00+02:00", language="en")
    entities = (
        ArticleEntity(name="Dana Whitfield", label="PERSON", mention_count=2, first_start=6, first_end=20,
                      surfaces=("Dana Whitfield", "Whitfield"), role="Mayor"),
    )
    quotes = (
        Quote(ordinal=1, text="We will rebuild the pier.", start=1, end=26, speaker_text="she",
              speaker="Dana Whitfield", speaker_label="PERSON", verb="said", kind="full"),
    )
    return ArticleRecord(article_id=article_id, url=document.url or "", fetched_url=document.url or "",
                         source="test", analysis=Analysis(document=document, quotes=quotes, entities=entities),
                         fetched_at="2024-07-08T09:00:00+00:00", warc_path="x.warc.gz", warc_offset=0, warc_length=10)


def log_entry(url: str = "https://example.org/a1", outcome: str = "loaded", etag: str | None = '"v1"') -> LogEntry:
    return LogEntry(url=url, kind="article", outcome=outcome, article_id="a1", etag=etag,
                    fetched_at="2024-07-08T09:00:00+00:00")


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = ("articles", "article_versions", "quotes", "entities", "entity_mentions", "fetch_log")
    return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def test_migrations_apply_once_and_are_recorded(tmp_path: Path) -> None:
    with connect(tmp_path / "n.duckdb") as con:
        versions = [row[0] for row in con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()]
        assert versions == [version for version, _, _ in migration_files()]
        assert migrate(con) == []  # nothing left to apply


def test_load_is_idempotent(tmp_path: Path) -> None:
    with connect(tmp_path / "n.duckdb") as con:
        for _ in range(3):
            load_batch(con, "run1", [record()], [log_entry()])
        assert counts(con) == {"articles": 1, "article_versions": 1, "quotes": 1, "entities": 1,
                               "entity_mentions": 1, "fetch_log": 1}
        published, authors, version = con.execute("SELECT published, authors, version FROM articles").fetchone()
        assert published.isoformat() == "2024-07-08T08:00:00+00:00"
        assert authors == ["Ann Lee"] and version == 1
        speaker_entity = con.execute("SELECT speaker_entity_id FROM quotes").fetchone()[0]
        assert speaker_entity == con.execute("SELECT entity_id FROM entities").fetchone()[0]


def test_changed_text_makes_a_new_version_and_keeps_history(tmp_path: Path) -> None:
    with connect(tmp_path / "n.duckdb") as con:
        load_batch(con, "run1", [record(text="First text.")], [])
        load_batch(con, "run2", [record(text="Corrected text.")], [])
        load_batch(con, "run3", [record(text="Corrected text.")], [])
        assert con.execute("SELECT version, text FROM articles").fetchone() == (2, "Corrected text.")
        history = con.execute("SELECT version, text FROM article_versions ORDER BY version").fetchall()
        assert history == [(1, "First text."), (2, "Corrected text.")]


def test_a_failing_batch_leaves_nothing_half_written(tmp_path: Path) -> None:
    with connect(tmp_path / "n.duckdb") as con:
        load_batch(con, "run1", [record("a1")], [log_entry()])
        before = counts(con)
        bad = LogEntry(url="https://example.org/x", kind="article", outcome=None)  # type: ignore[arg-type]
        with pytest.raises(duckdb.Error):
            load_batch(con, "run2", [record("a2"), record("a3")], [bad])
        assert counts(con) == before


def test_duplicate_article_ids_in_one_batch_are_a_bug_not_a_silent_choice(tmp_path: Path) -> None:
    # ArticleClaims settles duplicates before loading; one reaching the load fails the batch (logged as failed)
    with connect(tmp_path / "n.duckdb") as con:
        with pytest.raises(ValueError, match="twice in one batch"):
            load_batch(con, "run1", [record("a1", text="one"), record("a1", text="two")], [])
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_values_with_sql_metacharacters_are_stored_verbatim(tmp_path: Path) -> None:
    nasty = "'); DROP TABLE articles; --"
    with connect(tmp_path / "n.duckdb") as con:
        load_batch(con, nasty, [record(title=nasty)], [log_entry(url="https://example.org/a1?q=" + nasty)])
        assert con.execute("SELECT title FROM articles").fetchone()[0] == nasty
        assert con.execute("SELECT run_id FROM fetch_log").fetchone()[0] == nasty


def test_run_rows_and_validators(tmp_path: Path) -> None:
    with connect(tmp_path / "n.duckdb") as con:
        start_run(con, "run1", "scrape", {"feeds": ["https://example.org/feed"]})
        load_batch(con, "run1", [record()], [log_entry(), log_entry(url="https://example.org/gone", outcome="failed")])
        finish_run(con, "run1", "completed", outcome_counts(con, "run1"))
        row = con.execute("SELECT status, loaded, failed, urls_total FROM runs").fetchone()
        assert row == ("completed", 1, 1, 2)
        assert previous_validators(con, ["https://example.org/a1", "https://example.org/gone"]) == {
            "https://example.org/a1": ('"v1"', None)
        }


def _hold_lock(db_path: str, ready: "multiprocessing.synchronize.Event", release: "multiprocessing.synchronize.Event") -> None:
    with writer_lock(Path(db_path)):
        ready.set()
        release.wait(10)


def _release_after(release: "multiprocessing.synchronize.Event", seconds: float) -> None:
    time.sleep(seconds)
    release.set()


def test_second_writer_is_refused_with_a_message_then_waits(tmp_path: Path) -> None:
    db_path = tmp_path / "n.duckdb"
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(db_path), ready, release))
    holder.start()
    try:
        assert ready.wait(20)
        with pytest.raises(DatabaseBusyError, match="another newsdesk run"):
            with writer_lock(db_path, timeout_seconds=0):
                pass
        started = time.monotonic()
        ctx.Process(target=_release_after, args=(release, 1.0)).start()
        with writer_lock(db_path, timeout_seconds=10):  # waits for the holder to let go
            waited = time.monotonic() - started
        assert 0.5 < waited < 10
    finally:
        release.set()
        holder.join(10)


def test_readers_get_in_between_load_transactions(tmp_path: Path) -> None:
    db_path = tmp_path / "n.duckdb"
    with writer_lock(db_path):
        with connect(db_path) as con:
            load_batch(con, "run1", [record()], [])
        with connect_readonly(db_path, retry_seconds=1) as reader:  # writer holds the lock, not the file
            assert reader.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1


def test_readonly_on_a_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="newsdesk scrape"):
        connect_readonly(tmp_path / "missing.duckdb")


def test_create_if_missing_gives_readers_the_schema_and_leaves_a_held_database_to_its_run(tmp_path: Path) -> None:
    db_path = tmp_path / "new.duckdb"
    with writer_lock(db_path):  # another run holds the lock: that run creates the file, this one keeps out
        create_if_missing(db_path)
    assert not db_path.exists()
    create_if_missing(db_path)
    with connect_readonly(str(db_path)) as reader:
        assert reader.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0
    create_if_missing(db_path)  # an existing file is left as it is


@contextlib.contextmanager
def reader_open_for(db_path: Path, seconds: float) -> Iterator[None]:
    """Another process holding a read-only connection on the file for `seconds` (open once this is entered)."""
    reader = (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=True); "
        f"print('open', flush=True); time.sleep({seconds}); con.close()"
    )
    process = subprocess.Popen([sys.executable, "-c", reader, str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "open"
        yield
    finally:
        process.wait(10)


def test_the_writer_waits_for_an_open_reader(tmp_path: Path) -> None:
    db_path = tmp_path / "n.duckdb"
    with connect(db_path) as con:
        load_batch(con, "run1", [record()], [])
    with reader_open_for(db_path, 1.5):
        started = time.monotonic()
        with connect(db_path) as con:  # refused while the reader is open, then gets in
            load_batch(con, "run2", [record("a2")], [])
        assert time.monotonic() - started > 0.5
    with pytest.raises(DatabaseBusyError, match="Close other connections"), reader_open_for(db_path, 1.5):
        with connect(db_path, wait_for_readers_seconds=0.2):
            pass


def test_published_local_date_is_the_day_the_page_states(tmp_path: Path) -> None:
    """23:30 in New York is the next day in UTC; the per-day views group by the page's own day."""
    from dataclasses import replace

    late = record("late")
    late = replace(late, analysis=replace(late.analysis, document=replace(
        late.analysis.document, published="2023-11-08T23:30:00-05:00")))
    undated = record("undated")
    undated = replace(undated, analysis=replace(undated.analysis, document=replace(
        undated.analysis.document, published=None)))
    with connect(tmp_path / "n.duckdb") as con:
        con.execute("SET TimeZone = 'UTC'")
        load_batch(con, "run1", [late, undated], [])
        rows = dict(con.execute("SELECT article_id, published_local_date FROM articles").fetchall())
        assert str(rows["late"]) == "2023-11-08" and rows["undated"] is None
        instant = con.execute("SELECT published FROM articles WHERE article_id = 'late'").fetchone()[0]
        assert instant.isoformat() == "2023-11-09T04:30:00+00:00"  # the instant is kept as well
        days = {str(day) for day, in con.execute("SELECT day FROM articles_per_day").fetchall()}
        assert "2023-11-08" in days and "2023-11-09" not in days
        published_day = con.execute("SELECT DISTINCT published_day FROM quotes_with_context "
                                    "WHERE article_id = 'late'").fetchone()[0]
        assert str(published_day) == "2023-11-08"


def future_database(path: Path, version: int, name: str, drop: tuple[int, ...] = ()) -> str:
    """A database as a newer newsdesk would leave it: every migration of ours (but `drop`), plus one we lack."""
    with connect(path) as con:
        load_batch(con, "run1", [record()], [log_entry()])
        for missing in drop:
            con.execute("DELETE FROM schema_version WHERE version = ?", [missing])
        con.execute(f"CREATE TABLE from_version_{version} (x INTEGER)")
        con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_database_from_a_newer_schema_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "newer.duckdb"
    newest_known, newest_name, _ = migration_files()[-1]
    before = future_database(path, 999, "999_from_the_future.sql")
    for _ in range(2):
        with pytest.raises(SchemaVersionError) as refused:
            with connect(path):
                pass
        message = str(refused.value)
        assert "schema version 999" in message and f"up to {newest_known} ({newest_name})" in message
        assert str(path) in message
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_an_unknown_migration_is_refused_before_a_missing_one_is_applied(tmp_path: Path) -> None:
    """A sibling build's migration under a number we have (or lack): neither ours nor theirs is applied over it."""
    path = tmp_path / "sibling.duckdb"
    newest_known = migration_files()[-1][0]
    before = future_database(path, newest_known + 1, f"{newest_known + 1:03d}_other_branch.sql", drop=(newest_known,))
    with pytest.raises(SchemaVersionError, match=f"{newest_known + 1:03d}_other_branch.sql"):
        with connect(path):
            pass
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    with duckdb.connect(str(path), read_only=True) as con:
        assert newest_known not in {row[0] for row in con.execute("SELECT version FROM schema_version").fetchall()}
    renamed = tmp_path / "renamed.duckdb"
    with connect(renamed) as con:
        con.execute("UPDATE schema_version SET name = '001_something_else.sql' WHERE version = 1")
    with pytest.raises(SchemaVersionError, match="001_something_else.sql"):
        with connect(renamed):
            pass


def test_report_search_stats_and_export_refuse_a_newer_schema_in_one_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    path = tmp_path / "newer.duckdb"
    before = future_database(path, 999, "999_from_the_future.sql")
    for args in (["report", "--out", str(tmp_path / "r.html")], ["search", "pier"], ["stats"],
                 ["export", "--out", str(tmp_path / "export")]):
        result = CliRunner().invoke(app, [*args, "--db", str(path)])
        assert result.exit_code == 2, (args, result.output, result.exception)
        assert "schema version 999" in result.output and "Traceback" not in result.output, result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_writer_waiting_for_a_reader_says_so_every_few_seconds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db_path = tmp_path / "n.duckdb"
    with connect(db_path):
        pass
    with reader_open_for(db_path, 1.5), caplog.at_level("WARNING", logger="warehouse.db"):
        with connect(db_path, report_every_seconds=0.3):
            pass
    waits = [r.getMessage() for r in caplog.records if r.getMessage().startswith("waiting for a reader of")]
    assert len(waits) >= 2, caplog.text  # one every 0.3 s while the reader held the file for 1.5 s
    assert str(db_path) in waits[0] and " s so far" in waits[0]


def entity_record(article_id: str, name: str, label: str) -> ArticleRecord:
    document = Document(url=f"https://example.org/{article_id}", title="T", text=f"{name} again.", language="en")
    entity = ArticleEntity(name=name, label=label, mention_count=1, first_start=0, first_end=len(name),
                           surfaces=(name,), role=None)
    return ArticleRecord(article_id=article_id, url=document.url or "", fetched_url=document.url or "",
                         source="test", analysis=Analysis(document=document, quotes=(), entities=(entity,)),
                         fetched_at="2024-07-08T09:00:00+00:00", warc_path=None, warc_offset=None, warc_length=None)


def test_a_name_labelled_differently_across_articles_takes_the_majority_label(tmp_path: Path) -> None:
    from tasks.ids import entity_id

    with connect(tmp_path / "n.duckdb") as con:
        load_batch(con, "run1", [entity_record("a1", "Port Calder", "GPE"), entity_record("a2", "Port Calder", "GPE"),
                                 entity_record("a3", "Port Calder", "PERSON"), entity_record("a4", "Ann Lee", "PERSON"),
                                 entity_record("a5", "Tie Name", "ORG"), entity_record("a6", "Tie Name", "PERSON")], [])
        rows = dict(con.execute(
            "SELECT article_id, (reconciled_label, reconciled_entity_id) FROM entity_mentions_reconciled"
        ).fetchall())
        place = ("GPE", entity_id("GPE", "Port Calder"))
        assert rows["a1"] == rows["a2"] == rows["a3"] == place  # the PERSON article follows the majority
        assert rows["a4"] == ("PERSON", entity_id("PERSON", "Ann Lee"))
        assert rows["a5"] == ("ORG", entity_id("ORG", "Tie Name"))  # a tie has no majority: labels kept
        assert rows["a6"] == ("PERSON", entity_id("PERSON", "Tie Name"))
        # the stored rows keep what each article said
        assert con.execute("SELECT label FROM entity_mentions WHERE article_id = 'a3'").fetchone()[0] == "PERSON"
        # the analysts' example "people mentioned in the most articles" no longer counts the place as a person
        examples = (Path(__file__).parents[1] / "warehouse" / "examples.sql").read_text(encoding="utf-8")
        people_query = next(q for q in examples.split(";") if "People mentioned in the most articles" in q)
        people = {row[0] for row in con.execute(people_query).fetchall()}
        assert "Port Calder" not in people and "Ann Lee" in people


def test_label_reconciliation_keys_rows_loaded_before_it(tmp_path: Path) -> None:
    from tasks.ids import entity_name_key

    path = tmp_path / "n.duckdb"
    with connect(path) as con:
        load_batch(con, "run1", [entity_record("a1", "Dr. José  Núñez’s", "PERSON")], [])
        stored = con.execute("SELECT name_key FROM entity_mentions").fetchone()[0]
        con.execute("UPDATE entity_mentions SET name_key = NULL")
        sql = next(sql for version, _, sql in migration_files() if version == 9)
        con.execute(sql)
        assert con.execute("SELECT name_key FROM entity_mentions").fetchone()[0] == stored == entity_name_key("Dr. José  Núñez’s")


# The tables that grow with every article have no index (migration 010); these are the keys load_batch keeps unique.
GROWING_TABLE_KEYS = {
    "articles": ("article_id",),
    "article_versions": ("article_id", "version"),
    "quotes": ("article_id", "ordinal"),
    "entity_mentions": ("article_id", "entity_id"),
    "story_signatures": ("article_id",),
}


def duplicate_keys(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per growing table, how many of its keys are held by more than one row."""
    found = {}
    for table, key in GROWING_TABLE_KEYS.items():
        columns = ", ".join(key)
        found[table] = con.execute(
            f"SELECT COUNT(*) FROM (SELECT {columns} FROM {table} GROUP BY ALL HAVING COUNT(*) > 1)"
        ).fetchone()[0]
    return found


def two_quote_record(article_id: str, text: str) -> ArticleRecord:
    base = record(article_id, text=text)
    quotes = base.analysis.quotes + (
        Quote(ordinal=2, text="And the boardwalk.", start=30, end=48, speaker_text="she", speaker="Dana Whitfield",
              speaker_label="PERSON", verb="added", kind="full"),
    )
    return dataclasses.replace(base, analysis=dataclasses.replace(base.analysis, quotes=quotes))


def test_the_growing_tables_have_no_index_and_loading_keeps_their_keys_unique(tmp_path: Path) -> None:
    path = tmp_path / "n.duckdb"
    long_text = " ".join(f"word{i} harbour council vote" for i in range(60))  # long enough to be fingerprinted
    batches = [
        [record("a1", text=long_text), two_quote_record("a2", long_text + " more")],
        [record("a1", text=long_text), two_quote_record("a2", long_text + " more")],  # the same again
        [record("a1", text=long_text + " corrected"), record("a2", text=long_text + " more"), record("a3")],
        [record("a1", text=long_text + " corrected"), record("a3")],
    ]
    for run, batch in enumerate(batches):
        with connect(path) as con:  # a connection per batch, as a run does: each close checkpoints
            load_batch(con, f"run{run}", batch, [])
    with connect(path) as con:
        indexed = con.execute(
            "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
            " UNION SELECT DISTINCT table_name FROM duckdb_indexes()"
        ).fetchall()
        assert not {row[0] for row in indexed} & set(GROWING_TABLE_KEYS)
        assert duplicate_keys(con) == dict.fromkeys(GROWING_TABLE_KEYS, 0)
        assert con.execute("SELECT article_id, version FROM articles ORDER BY 1").fetchall() == [
            ("a1", 2), ("a2", 1), ("a3", 1)
        ]
        assert con.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0] == 4  # a1 twice, a2 and a3 once
        assert con.execute("SELECT article_id, COUNT(*) FROM quotes GROUP BY 1 ORDER BY 1").fetchall() == [
            ("a1", 1), ("a2", 1), ("a3", 1)  # a2's second quote went with its reload
        ]
        assert con.execute("SELECT COUNT(*) FROM story_signatures").fetchone()[0] == 3


def test_migration_010_moves_every_row_of_an_older_database_and_its_views_and_search_still_work(
    tmp_path: Path,
) -> None:
    from warehouse.search import rebuild_index, search

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)")
    for version, name, sql in migration_files():
        if version < 10:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
    load_batch(con, "run1", [record("a1", text="First text about the pier."), two_quote_record("a2", "Pier.")],
               [log_entry()])
    load_batch(con, "run2", [record("a1", text="Corrected text about the pier.")], [])
    rebuild_index(con)
    before = {table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in GROWING_TABLE_KEYS}
    columns = {
        table: con.execute(f"SELECT column_name FROM duckdb_columns() WHERE table_name = '{table}' "
                           "ORDER BY column_index").fetchall()
        for table in GROWING_TABLE_KEYS
    }
    con.close()
    with connect(path) as con:  # applies 010
        after = {table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in GROWING_TABLE_KEYS}
        assert after == before and sum(len(rows) for rows in after.values()) > 5
        for table in GROWING_TABLE_KEYS:
            assert con.execute(f"SELECT column_name FROM duckdb_columns() WHERE table_name = '{table}' "
                               "ORDER BY column_index").fetchall() == columns[table]
        assert con.execute("SELECT COUNT(*) FROM quotes_with_context").fetchone()[0] == 3
        assert [hit.article_id for hit in search(con, "corrected")] == ["a1"]
        load_batch(con, "run3", [record("a1", text="Corrected text about the pier."), record("a3")], [])
        assert duplicate_keys(con) == dict.fromkeys(GROWING_TABLE_KEYS, 0)


def row_groups(path: Path, table: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"SELECT COUNT(DISTINCT row_group_id) FROM pragma_storage_info('{table}')").fetchone()[0]


def load_one_article_a_batch(path: Path, batches: int) -> None:
    for index in range(batches):
        with connect(path) as con:  # a connection per batch, as a run does: each close checkpoints
            load_batch(con, "run1", [record(f"a{index}", text=f"Mayor Dana Whitfield spoke {index}.")], [])


def test_a_runs_batches_keep_their_row_groups_until_the_runs_end_merges_them(tmp_path: Path) -> None:
    from warehouse.search import refresh_after_load

    path = tmp_path / "n.duckdb"
    load_one_article_a_batch(path, 3)
    with connect_readonly(path) as con:
        assert block_size(con) == SMALL_BLOCK_SIZE  # a new file: each unflushed column costs a 16 KiB block
    # no row-group vacuum at a batch's close (it would merge these into one, rewriting the table's first group)
    assert {table: row_groups(path, table) for table in GROWING_TABLE_KEYS} == dict.fromkeys(GROWING_TABLE_KEYS, 3)
    refresh_after_load(path)  # the run's end: the search index's child merges them
    assert {table: row_groups(path, table) for table in GROWING_TABLE_KEYS} == dict.fromkeys(GROWING_TABLE_KEYS, 1)
    with connect_readonly(path) as con:
        assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 3


def test_a_file_of_large_blocks_keeps_merging_row_groups_at_each_close(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()  # made by DuckDB's defaults (256 KiB blocks), as files before this were
    load_one_article_a_batch(path, 3)
    with connect_readonly(path) as con:
        assert block_size(con) > SMALL_BLOCK_SIZE
    assert row_groups(path, "articles") == 1  # there unmerged row groups would cost more memory than the merges


def test_the_writer_gives_duckdbs_freed_memory_back_at_every_bulk_free(tmp_path: Path) -> None:
    # A setting's check, not a measurement (memory thresholds do not go in tests): bench/bench_real_pipeline.py
    # shows what it does to the flow's peak.
    with connect(tmp_path / "n.duckdb") as con:
        threshold = con.execute("SELECT current_setting('allocator_bulk_deallocation_flush_threshold')").fetchone()[0]
    assert threshold == "0 bytes"
