"""Killed mid-run: the database stays consistent and the next run finishes the work, with no duplicate and no
lost article. Real processes, real SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.site_server import SiteServer, write_sample_sources

pytestmark = pytest.mark.slow
NEWSDESK = str(Path(sys.executable).with_name("newsdesk"))
REPO = Path(__file__).resolve().parents[1]


def count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute(sql).fetchall()[0][0])


def try_count(db: Path, sql: str) -> int | None:
    """None while the writer holds the file for a load transaction."""
    try:
        return count(db, sql)
    except duckdb.Error:
        return None


def wait_for_articles(db: Path, process: subprocess.Popen, articles: int, ended_early: str) -> None:
    """Wait (up to 150 s) until a running scrape has loaded `articles` articles."""
    deadline = time.monotonic() + 150
    while (try_count(db, "SELECT COUNT(*) FROM articles") or 0) < articles:
        assert process.poll() is None, ended_early
        assert time.monotonic() < deadline, "no batch loaded in 150 s"
        time.sleep(0.2)


def assert_consistent(db: Path) -> None:
    """No orphan rows, one fetch_log row per URL per run, every version row has its article."""
    orphans = {
        "quotes": "SELECT COUNT(*) FROM quotes WHERE article_id NOT IN (SELECT article_id FROM articles)",
        "mentions": "SELECT COUNT(*) FROM entity_mentions WHERE article_id NOT IN (SELECT article_id FROM articles)"
        " OR entity_id NOT IN (SELECT entity_id FROM entities)",
        "versions": "SELECT COUNT(*) FROM article_versions WHERE article_id NOT IN (SELECT article_id FROM articles)",
        "current version": "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_versions v "
        "WHERE v.article_id = a.article_id AND v.version = a.version)",
    }
    for name, sql in orphans.items():
        assert count(db, sql) == 0, name


@pytest.mark.usefixtures("prefect_server")
def test_killed_while_fetching_then_the_next_run_finishes_the_work(workdir: Path) -> None:
    db = workdir / "killed.duckdb"
    with SiteServer() as site:
        sources = workdir / "sources.yaml"
        write_sample_sources(site.base_url, sources)
        sources.write_text(sources.read_text().replace("min_delay_seconds: 0 ", "min_delay_seconds: 0.4 "))
        env = {**os.environ, "NEWSDESK_BATCH_SIZE": "3", "NEWSDESK_PER_HOST_CONCURRENCY": "1"}
        env.pop("PREFECT_API_URL", None)  # its own temporary Prefect server, killed with it
        process = subprocess.Popen(
            [NEWSDESK, "scrape", "--sources", str(sources), "--db", str(db), "--allow-private-hosts"],
            cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            wait_for_articles(db, process, 3, "the run ended before it could be killed")
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        partial = count(db, "SELECT COUNT(*) FROM articles")
        assert_consistent(db)

        result = CliRunner().invoke(
            app, ["scrape", "--sources", str(sources), "--db", str(db), "--allow-private-hosts"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output

    clean = workdir / "clean.duckdb"
    with SiteServer() as site:
        write_sample_sources(site.base_url, sources)
        CliRunner().invoke(app, ["scrape", "--sources", str(sources), "--db", str(clean), "--allow-private-hosts"],
                           catch_exceptions=False)
    full = count(clean, "SELECT COUNT(*) FROM articles")
    assert partial < full
    assert count(db, "SELECT COUNT(*) FROM articles") == full  # nothing lost, nothing twice
    assert count(db, "SELECT COUNT(*) FROM quotes") == count(clean, "SELECT COUNT(*) FROM quotes")
    assert_consistent(db)
    with duckdb.connect(str(db), read_only=True) as con:
        statuses = [row[0] for row in con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()]
    assert statuses == ["interrupted", "completed"]


LOADER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tasks.models import Analysis, ArticleEntity, ArticleRecord, Document, Quote
    from warehouse.db import connect

    def record(batch, i):
        text = f"Article {i} of batch {batch}. " * 40
        doc = Document(url=f"https://example.org/{batch}/{i}", title=f"t{i}", text=text)
        quotes = tuple(Quote(ordinal=q, text="We said so.", start=0, end=5, speaker_text="he", speaker=f"P {q}",
                             speaker_label="PERSON", verb="said", kind="full") for q in range(1, 4))
        entities = (ArticleEntity(name=f"P {i}", label="PERSON", mention_count=1, first_start=0, first_end=3),)
        return ArticleRecord(article_id=f"{batch}-{i}", url=doc.url, fetched_url=doc.url, source="s",
                             analysis=Analysis(document=doc, quotes=quotes, entities=entities),
                             fetched_at=None, warc_path=None, warc_offset=None, warc_length=None)

    from warehouse.load import load_batch
    with connect(Path(sys.argv[1])) as con:
        batch = 0
        while True:
            load_batch(con, f"run{batch}", [record(batch, i) for i in range(500)], [])
            print(batch, flush=True)
            batch += 1
    """
)


def test_killed_during_a_load_leaves_whole_batches_only(tmp_path: Path) -> None:
    db = tmp_path / "loads.duckdb"
    process = subprocess.Popen([sys.executable, "-c", LOADER, str(db)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        for _ in range(3):  # let a few batches commit, then kill in the middle of the next ones
            assert process.stdout.readline(), "the loader died"
        time.sleep(0.37)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    with duckdb.connect(str(db), read_only=True) as con:
        per_batch = con.execute("SELECT run_id, COUNT(*) FROM articles GROUP BY run_id").fetchall()
        quotes = con.execute("SELECT COUNT(*) FROM quotes").fetchall()[0][0]
        mentions = con.execute("SELECT COUNT(*) FROM entity_mentions").fetchall()[0][0]
    assert len(per_batch) >= 3
    assert all(n == 500 for _, n in per_batch), per_batch  # no half-written batch
    assert quotes == 3 * 500 * len(per_batch) and mentions == 500 * len(per_batch)
    assert_consistent(db)
