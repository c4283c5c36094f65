"""End to end: the CLI and flows against the sample site served over real HTTP on 127.0.0.1.

These run real Prefect flows under one session-wide test server, so they are marked slow (tens of seconds).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.site_server import SAMPLE_SITE, SiteServer
from warehouse.db import EXAMPLES_FILE, writer_lock

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_server")]
runner = CliRunner()
TABLES = ("articles", "article_versions", "quotes", "entities", "entity_mentions", "stories")


def table_counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def story_ids(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())


def last_run_outcomes(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        run_id = con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        rows = con.execute(
            "SELECT outcome, COUNT(*) FROM fetch_log WHERE run_id = ? AND kind = 'article' GROUP BY outcome",
            [run_id],
        ).fetchall()
    return dict(rows)


def url_outcomes(db: Path) -> dict[str, tuple[str, str]]:
    """Path of each URL of the latest run (the port changes between demo runs) -> (kind, outcome)."""
    with duckdb.connect(str(db), read_only=True) as con:
        run_id = con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        rows = con.execute("SELECT url, kind, outcome FROM fetch_log WHERE run_id = ?", [run_id]).fetchall()
    return {url.split("/", 3)[-1]: (kind, outcome) for url, kind, outcome in rows}


def article_urls(db: Path) -> dict[str, str]:
    """article_id -> path of its fetched_url."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT article_id, fetched_url FROM articles").fetchall()
    return {aid: url.split("/", 3)[-1] for aid, url in rows}


def invoke_failing(*args: str) -> str:
    """A run in which nothing could be loaded: exit code 1, with its report."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return result.output


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_loads_the_sample_site_and_twice_gives_the_same_rows(workdir: Path) -> None:
    output = invoke("demo")
    db = workdir / "data" / "newsdesk.duckdb"
    first = table_counts(db)
    assert first["articles"] >= 8 and first["quotes"] >= 10 and first["entities"] >= 10
    outcomes = last_run_outcomes(db)
    assert outcomes.get("robots", 0) >= 1, outcomes  # the /private/ page
    assert outcomes.get("failed", 0) >= 1, outcomes  # the missing page
    assert outcomes.get("duplicate", 0) >= 1, outcomes  # the print copy, by its rel=canonical
    assert outcomes.get("skipped", 0) >= 1, outcomes  # about.html, by the demo's deny pattern
    assert outcomes.get("loaded", 0) == first["articles"], outcomes
    assert "Top speakers" in output and "SELECT" in output
    assert "completed:" in output and "failed or were refused" in output  # some failed: a warning, exit 0
    with duckdb.connect(str(db), read_only=True) as con:  # every example query in the warehouse runs
        statements = [q for q in EXAMPLES_FILE.read_text(encoding="utf-8").split(";") if "SELECT" in q]
        assert len(statements) >= 5
        for statement in statements:
            con.execute(statement).fetchall()
        assert con.execute("SELECT COUNT(*) FROM quotes_with_context").fetchall()[0][0] == first["quotes"]

    first_stories = story_ids(db)
    assert all(first_stories.values())  # every article is in a story (the sample site's are all distinct)
    first_log, first_articles = url_outcomes(db), article_urls(db)
    # every discovery resource and URL has its row: the index's child sitemaps, the feed's utm copy
    assert first_log["sitemap-news.xml"] == ("sitemap", "loaded"), first_log
    assert first_log["sitemap-pages.xml.gz"] == ("sitemap", "loaded"), first_log
    assert [key for key, row in first_log.items() if "utm_source" in key and row == ("article", "duplicate")]
    invoke("demo")
    # the same inputs twice give the same outcomes: nothing new loads, a duplicate stays one, articles keep
    # the URL they were stored from
    second_log = url_outcomes(db)
    assert {k: o for k, (_, o) in second_log.items() if o == "duplicate"} == {
        k: o for k, (_, o) in first_log.items() if o == "duplicate"
    }
    assert not [k for k, (_, o) in second_log.items() if o == "loaded" and first_log[k][1] != "loaded"]
    assert article_urls(db) == first_articles
    assert story_ids(db) == first_stories
    assert table_counts(db) == first  # idempotent: same articles, versions, quotes and entities
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT status, urls_total FROM runs").fetchall()
        assert [status for status, _ in runs] == ["completed", "completed"]
        assert runs[0][1] == runs[1][1]
        # every article URL the run was given has exactly one fetch_log row per run
        assert con.execute("SELECT COUNT(*) FROM (SELECT run_id, url FROM fetch_log GROUP BY ALL HAVING COUNT(*) > 1)").fetchone()[0] == 0
        assert con.execute("SELECT COUNT(*) FROM article_versions WHERE version > 1").fetchone()[0] == 0

    # reprocess rebuilds the same rows from the archive alone (the site server is gone now)
    invoke("reprocess", "--db", str(db))
    assert table_counts(db) == first
    assert story_ids(db) == first_stories

    stats = invoke("stats", "--db", str(db))
    assert "articles" in stats and "Last 5 runs" in stats


def test_refetch_uses_conditional_get_and_keeps_the_rows(workdir: Path) -> None:
    db = workdir / "cond.duckdb"
    with SiteServer() as site:
        args = ("scrape", "--feed", f"{site.base_url}/feed.xml", "--db", str(db), "--allow-private-hosts")
        invoke(*args)
        first = table_counts(db)
        invoke(*args)
    outcomes = last_run_outcomes(db)
    assert outcomes.get("unchanged", 0) >= 5 and "loaded" not in outcomes, outcomes
    assert table_counts(db) == first
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "SELECT COUNT(*) FROM fetch_log WHERE outcome = 'unchanged' AND article_id IS NULL"
        ).fetchall()[0][0] == 0


def test_scrape_accounts_for_every_url(workdir: Path) -> None:
    with SiteServer() as site:
        listing = workdir / "urls.txt"
        listing.write_text(
            "\n".join(
                [
                    "# a comment",
                    f"{site.base_url}/news/does-not-exist.html",
                    "not a url",
                    "ftp://example.org/file",
                    f"{site.base_url}/robots.txt",
                ]
            ),
            encoding="utf-8",
        )
        db = workdir / "run.duckdb"
        output = invoke_failing(
            "scrape", "--urls", str(listing), "--feed", f"{site.base_url}/missing-feed.xml",
            "--db", str(db), "--allow-private-hosts",
        )
    assert "nothing could be loaded" in output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("failed",)]
        rows = dict(con.execute("SELECT url, outcome FROM fetch_log").fetchall())
        reasons = dict(con.execute("SELECT url, reason FROM fetch_log").fetchall())
    assert rows[f"{site.base_url}/news/does-not-exist.html"] == "failed"
    assert rows["not a url"] == "failed" and reasons["not a url"]
    assert rows["ftp://example.org/file"] == "failed"
    assert rows[f"{site.base_url}/missing-feed.xml"] == "failed"
    assert rows[f"{site.base_url}/robots.txt"] in {"failed", "skipped"}  # not HTML / no article text
    assert all(reasons[url] for url, outcome in rows.items() if outcome == "failed")


def test_private_hosts_are_refused_by_default(workdir: Path) -> None:
    with SiteServer() as site:
        db = workdir / "run.duckdb"
        invoke_failing("scrape", "--url", f"{site.base_url}/index.html", "--db", str(db))
        assert site.requests == []  # nothing was sent
    with duckdb.connect(str(db), read_only=True) as con:
        outcome, reason = con.execute("SELECT outcome, reason FROM fetch_log WHERE kind = 'article'").fetchone()
    assert outcome == "failed" and "--allow-private-hosts" in reason


def test_a_second_writer_stops_with_a_message(workdir: Path) -> None:
    db = workdir / "busy.duckdb"
    with writer_lock(db):
        result = runner.invoke(app, ["scrape", "--url", "http://127.0.0.1:9/x", "--db", str(db)])
    assert result.exit_code != 0
    assert "another newsdesk run" in str(result.exception) + result.output


def test_scrape_and_reprocess_refuse_a_database_from_a_newer_schema(workdir: Path) -> None:
    db = workdir / "newer.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)")
        con.execute("INSERT INTO schema_version VALUES (999, '999_from_the_future.sql', now())")
    before = db.read_bytes()
    for args in (["scrape", "--url", "http://127.0.0.1:9/x"], ["reprocess"]):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code != 0
        assert "schema version 999" in str(result.exception) + result.output, (args, result.output)
    assert db.read_bytes() == before


def test_extract_prints_one_json_object_per_input(workdir: Path) -> None:
    with SiteServer() as site:
        page = sorted((SAMPLE_SITE / "news").rglob("*.html"))[0]
        result = runner.invoke(
            app, ["extract", str(page), f"{site.base_url}/news/none.html", "--allow-private-hosts"]
        )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert result.exit_code == 1  # the second input failed, and says so
    assert len(lines) == 2
    good, bad = lines
    for key in ("input", "url", "title", "authors", "published", "language", "text", "quotes", "entities"):
        assert key in good
    assert good["text"] and good["title"] and isinstance(good["authors"], list)
    assert "error" in bad and "404" in bad["error"]


def test_reprocess_goes_past_every_damaged_archive_record_and_names_each(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_BATCH_SIZE", "3")  # one WARC file per batch: several files to damage
    invoke("demo")
    db = workdir / "data" / "newsdesk.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT article_id, warc_path, warc_offset, warc_length, content_hash FROM articles ORDER BY warc_path, warc_offset"
        ).fetchall()
    by_file: dict[str, list[tuple]] = {}
    for row in rows:
        by_file.setdefault(row[1], []).append(row)
    files = sorted(by_file, key=lambda path: -len(by_file[path]))
    assert len(files) >= 2 and len(by_file[files[0]]) >= 2, by_file
    damaged_file, gone_file = files[0], files[-1]
    corrupt, cut = by_file[damaged_file][0], by_file[damaged_file][-1]
    data = bytearray(Path(damaged_file).read_bytes())
    middle = corrupt[2] + corrupt[3] // 2
    data[middle : middle + 4] = bytes(b ^ 0x5A for b in data[middle : middle + 4])
    Path(damaged_file).write_bytes(bytes(data[: cut[2] + cut[3] // 2]))  # the last article's member cut in half
    Path(gone_file).unlink()
    damaged = {(corrupt[1], corrupt[2]), (cut[1], cut[2]), *((r[1], r[2]) for r in by_file[gone_file])}

    output = invoke("reprocess", "--db", str(db))
    with duckdb.connect(str(db), read_only=True) as con:
        run_id, status, loaded, failed = con.execute(
            "SELECT run_id, status, loaded, failed FROM runs WHERE flow = 'reprocess'"
        ).fetchone()
        logged = con.execute(
            "SELECT warc_path, warc_offset, reason FROM fetch_log WHERE run_id = ? AND outcome = 'failed'", [run_id]
        ).fetchall()
        after = con.execute("SELECT article_id, content_hash FROM articles").fetchall()
    assert status == "completed" and failed == len(damaged) and loaded == len(rows) - len(damaged)
    assert {(path, offset) for path, offset, _ in logged} == damaged
    for path, offset, reason in logged:
        assert path in reason and f"offset {offset}" in reason, reason
        assert path in output.replace("\n", "") or len(damaged) > 10
    assert sorted(after) == sorted((r[0], r[4]) for r in rows)  # damaged ones keep their stored text
