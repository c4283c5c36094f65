"""`newsdesk search` and `newsdesk report` on small databases written here, and their answers to bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from warehouse.db import MIGRATIONS_DIR, OLDEST_READER, connect, writer_lock
from warehouse.report import ReportFilter, build_report, collect
from warehouse.search import index_is_current, rebuild_index, search

runner = CliRunner()

ARTICLES = [
    # (id, source, published, title, text)
    ("a1", "ledger", "2026-11-20 09:00:00+00", "Ferry fares rise in January",
     "Harbor Transit said fares on the island ferry go up by a dollar. Commuters were unhappy."),
    ("a2", "ledger", "2026-11-22 09:00:00+00", "Council debates the budget",
     "The council spent the night on the budget. One member mentioned the ferry once, in passing."),
    ("a3", "gazette", "2026-11-25 09:00:00+00", "Seawall bond approved",
     "Voters approved the seawall bond. \"It's a \"good\" day,\" said Mayor Dana Whitfield of the ferries' town."),
]


def fill(con: duckdb.DuckDBPyConnection) -> None:
    for aid, source, published, title, text in ARTICLES:
        con.execute(
            "INSERT INTO articles (article_id, url, source, title, published, fetched_at, text, word_count, "
            "content_hash, version, first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
            [aid, f"https://news.example/{aid}", source, title, published, published, text, len(text.split()),
             f"h-{aid}", published],
        )
    con.execute("INSERT INTO entities VALUES ('e1', 'PERSON', 'Dana Whitfield', now()), ('e2', 'ORG', 'Harbor Transit', now())")
    con.execute(
        "INSERT INTO entity_mentions (article_id, entity_id, name, label, mention_count) VALUES "
        "('a3', 'e1', 'Dana Whitfield', 'PERSON', 2), ('a1', 'e2', 'Harbor Transit', 'ORG', 1)"
    )
    con.execute(
        "INSERT INTO quotes (article_id, ordinal, quote, speaker, speaker_label, kind) VALUES "
        "('a3', 0, 'It''s a good day', 'Dana Whitfield', 'PERSON', 'full'), ('a3', 1, 'good', NULL, NULL, 'scare')"
    )
    con.execute(
        "INSERT INTO runs (run_id, flow, started_at, status) VALUES ('r1', 'scrape', '2026-11-25 10:00:00+00', 'completed')"
    )
    con.execute(
        "INSERT INTO fetch_log (run_id, url, kind, source, outcome, status_code, reason) VALUES "
        "('r1', 'https://news.example/a1', 'article', 'ledger', 'loaded', 200, NULL), "
        "('r1', 'https://news.example/x', 'article', 'ledger', 'failed', 404, 'HTTP 404 Not Found'), "
        "('r1', 'https://news.example/y', 'article', 'gazette', 'failed', 500, 'HTTP 500 <script>boom</script>')"
    )


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "n.duckdb"
    with connect(path) as con:
        fill(con)
    return path


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


# --- search ------------------------------------------------------------------------------------------------------


def test_title_matches_rank_above_body_matches_and_stems_match(db: Path) -> None:
    with connect(db) as con:
        rebuild_index(con)
        hits = search(con, "ferry")
    assert [h.article_id for h in hits][0] == "a1"  # in the title and the body
    assert {h.article_id for h in hits} == {"a1", "a2", "a3"}  # "ferries'" stems to ferri like "ferry"
    first = hits[0]
    assert first.title == "Ferry fares rise in January" and first.url == "https://news.example/a1"
    assert [first.snippet[s:e].lower() for s, e in first.highlights] == ["ferry"]


def test_a_runs_index_refresh_runs_in_a_child_and_its_errors_come_back_with_their_type(db: Path) -> None:
    from warehouse.search import SearchError, refresh_after_load

    assert refresh_after_load(db) == 3  # built in a child process (its memory grows with the database)
    with duckdb.connect(str(db), read_only=True) as con:
        assert index_is_current(con)
    with connect(db) as con:
        assert [h.article_id for h in search(con, "seawall")] == ["a3"]
    assert refresh_after_load(db) == 0  # already current
    with connect(db) as con:
        con.execute("INSERT INTO schema_version VALUES (999, '999_from_the_future.sql', now())")
    with pytest.raises(SearchError, match="SchemaVersionError: .* schema version 999"):
        refresh_after_load(db)


def test_filters_by_source_and_since(db: Path) -> None:
    from datetime import date

    with connect(db) as con:
        rebuild_index(con)
        assert [h.article_id for h in search(con, "ferry", source="gazette")] == ["a3"]
        assert {h.article_id for h in search(con, "ferry", since=date(2026, 11, 21))} == {"a2", "a3"}
        assert len(search(con, "ferry", limit=1)) == 1


@pytest.mark.parametrize(
    "query", ['"seawall bond"', "seawall AND bond", "bond*", "it's", "'; DROP TABLE articles; --", "seawall -bond", "(bond)"]
)
def test_operators_and_quotes_in_a_query_are_plain_characters(db: Path, query: str) -> None:
    with connect(db) as con:
        rebuild_index(con)
        hits = search(con, query)
        assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 3
    if re.search("bond|seawall", query):
        assert hits and hits[0].article_id == "a3"


def test_search_cli_builds_a_missing_index_and_prints_jsonl(db: Path) -> None:
    code, out = cli("search", "seawall", "--db", str(db), "--format", "jsonl")
    assert code == 0, out
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert rows[0]["article_id"] == "a3" and rows[0]["source"] == "gazette" and rows[0]["published"] == "2026-11-25"
    assert set(rows[0]) >= {"rank", "score", "title", "url", "snippet", "highlights"}
    with duckdb.connect(str(db), read_only=True) as con:
        assert index_is_current(con)


def test_a_stale_index_is_rebuilt_before_searching(db: Path) -> None:
    with connect(db) as con:
        rebuild_index(con)
        con.execute("UPDATE articles SET title = 'Lighthouse keeper retires', content_hash = 'h2' WHERE article_id = 'a2'")
        assert not index_is_current(con)
    code, out = cli("search", "lighthouse", "--db", str(db), "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert code == 0 and rows[0]["article_id"] == "a2", out


def test_no_index_while_a_run_writes_says_so(db: Path) -> None:
    with writer_lock(db):
        code, out = cli("search", "ferry", "--db", str(db))
    assert code == 2 and "no search index yet and a run is writing" in out, out


def test_pretty_output_and_no_match(db: Path) -> None:
    code, out = cli("search", "seawall", "--db", str(db))
    assert code == 0 and "Seawall bond approved" in out and "https://news.example/a3" in out
    code, out = cli("search", "zeppelin", "--db", str(db))
    assert code == 0 and "no articles match" in out


# --- report ------------------------------------------------------------------------------------------------------


def test_report_shows_the_period_from_the_views(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        page = build_report(con, ReportFilter(), "test db")
    assert page.count("<figure class='chart'") == 2 and "<svg" in page
    assert "Dana Whitfield" in page and "Harbor Transit" in page and "HTTP 404 Not Found" in page
    assert "&lt;script&gt;boom" in page and "<script" not in page  # data is escaped; the page has no script
    assert not re.search(r"""(src|href)=['"]https?:""", page.replace("href='https://news.example", ""))
    assert "2026-11-20 to 2026-11-25" in page


def test_most_quoted_speakers_are_the_resolved_ones(db: Path) -> None:
    # an unnamed source kept as written ("a spokesman") is not one person across articles: not ranked, in the report
    # or in the views
    with connect(db) as con:
        con.execute(
            "INSERT INTO quotes (article_id, ordinal, quote, speaker, speaker_label, kind) VALUES "
            "('a1', 0, 'Fares must rise', 'a spokesman', NULL, 'full'), ('a2', 0, 'We will vote', 'a spokesman', NULL, 'full')"
        )
    with duckdb.connect(str(db), read_only=True) as con:
        data = collect(con, ReportFilter(), "test db")
        ranked = {view: con.execute(f"SELECT speaker FROM {view}").fetchall() for view in ("top_speakers", "top_speakers_by_story")}
    assert [s.name for s in data.speakers] == ["Dana Whitfield"]
    assert "a spokesman" in [q[1] for q in data.latest_quotes]
    assert ranked == {"top_speakers": [("Dana Whitfield",)], "top_speakers_by_story": [("Dana Whitfield",)]}


def test_report_for_one_source_and_period(db: Path) -> None:
    from datetime import date

    with duckdb.connect(str(db), read_only=True) as con:
        page = build_report(con, ReportFilter(source="gazette", since=date(2026, 11, 24)), "test db")
    assert "Seawall bond approved" in page and "Harbor Transit" not in page
    assert "HTTP 500" in page and "HTTP 404" not in page
    assert "2026-11-24 to 2026-11-25" in page


def test_report_cli_writes_one_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r" / "report.html"
    code, output = cli("report", "--db", str(db), "--out", str(out), "--source", "ledger")
    assert code == 0, output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_report_on_an_empty_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    with connect(path):
        pass
    out = tmp_path / "report.html"
    code, output = cli("report", "--db", str(path), "--out", str(out))
    assert code == 0, output
    assert "no articles in this period" in out.read_text(encoding="utf-8")
    code, output = cli("search", "ferry", "--db", str(path))
    assert code == 0 and "no articles match" in output


def test_an_older_schema_is_migrated_first(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:  # a database made before migration 006
        con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)")
        for sql_file in sorted(MIGRATIONS_DIR.glob("00[12]_*.sql")):
            con.execute(sql_file.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [int(sql_file.name[:3]), sql_file.name])
        fill(con)
    code, output = cli("report", "--db", str(path), "--out", str(tmp_path / "r.html"))
    assert code == 0, output
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] >= 6


@pytest.mark.parametrize("command", ["report", "search"])
def test_bad_input_is_one_line(tmp_path: Path, command: str) -> None:
    extra = ["ferry"] if command == "search" else []
    code, out = cli(command, *extra, "--db", str(tmp_path / "missing.duckdb"))
    assert code == 2 and "no database at" in out and "Traceback" not in out
    code, out = cli(command, *extra, "--db", str(tmp_path / "missing.duckdb"), "--since", "last tuesday")
    assert code == 2 and "--since must be a date" in out
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database at all" * 100)
    code, out = cli(command, *extra, "--db", str(junk))
    assert code == 2 and "cannot read" in out and len(out.strip().splitlines()) == 1, out
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    code, out = cli(command, *extra, "--db", str(other))
    assert code == 2 and "not a newsdesk database" in out, out


def test_files_are_written_in_the_oldest_promised_storage_format(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'n'").fetchone()[0]
    assert tags["storage_version"] == f"v{OLDEST_READER}+"


def test_a_read_only_copy_without_an_index_says_why(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only_folder(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(db) + ".lock")

    monkeypatch.setattr("warehouse.reading.writer_lock", read_only_folder)
    code, out = cli("search", "ferry", "--db", str(db))
    assert code == 2 and "no search index yet and it cannot be written" in out and "Permission denied" in out, out
