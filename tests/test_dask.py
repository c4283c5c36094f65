"""The analyse stage on a Dask cluster (scheduler and workers on 127.0.0.1) gives the rows the default runner gives."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.runtime import scheduler_problem
from tasks.duplicates import ArticleClaims
from tasks.models import Analysis, ArticleRecord, Document, LogEntry

# Columns that do not depend on when or by which run a row was written.
STABLE_QUERIES = {
    "articles": "SELECT article_id, url, fetched_url, source, title, authors, published, text, word_count, "
    "content_hash, version, analysis_error FROM articles",
    "quotes": "SELECT * FROM quotes",
    "entities": "SELECT entity_id, label, name FROM entities",
    "entity_mentions": "SELECT * FROM entity_mentions",
    "fetch_log": "SELECT url, kind, source, found_in, outcome, status_code, reason, article_id FROM fetch_log",
}


def stable_rows(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in STABLE_QUERIES.items()}


def record(article_id: str, url: str) -> ArticleRecord:
    document = Document(url=url, title="t", text="body")
    return ArticleRecord(
        article_id=article_id, url=url, fetched_url=url, source="s", analysis=Analysis(document),
        fetched_at=None, warc_path=None, warc_offset=None, warc_length=None,
    )


def test_a_story_loaded_by_an_earlier_batch_becomes_a_duplicate() -> None:
    records = [record("a1", "http://x/a"), record("b2", "http://x/b")]
    log = [
        LogEntry(url="http://x/a?print", kind="article", outcome="loaded", article_id="a1"),
        LogEntry(url="http://x/b", kind="article", outcome="loaded", article_id="b2"),
        LogEntry(url="http://x/gone", kind="article", outcome="failed", reason="HTTP 404"),
    ]
    claims = ArticleClaims()
    assert claims.claim("a1", "http://x/a") is None  # an earlier batch loaded story a1
    kept, relabelled = claims.settle(records, log)
    assert [r.article_id for r in kept] == ["b2"]
    assert [entry.outcome for entry in relabelled] == ["duplicate", "loaded", "failed"]
    assert "same article as http://x/a" in (relabelled[0].reason or "")
    assert ArticleClaims().settle(records, log) == (records, log)
    assert claims.claim("b2", "http://x/b-mirror") == "http://x/b"  # settled batches claim their stories too


def test_an_unreachable_or_malformed_scheduler_address_is_one_clear_message() -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        assert scheduler_problem(f"tcp://127.0.0.1:{port}") is None
    assert "cannot reach the Dask scheduler" in (scheduler_problem(f"tcp://127.0.0.1:{port}", 1.0) or "")
    assert "expected tcp://host:port" in (scheduler_problem("http://127.0.0.1:8786") or "")
    assert "bad Dask scheduler address" in (scheduler_problem("tcp://127.0.0.1:notaport") or "")


def newsdesk(workdir: Path, *args: str) -> str:
    """The CLI in its own process, as a user runs it; each run and its Dask workers get their own hash seed, so
    nothing in the rows may depend on set order."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value() or ""}
    env.pop("PYTHONHASHSEED", None)
    result = subprocess.run(
        [sys.executable, "-c", "from flows.cli import main; main()", *args],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_local_dask_cluster_loads_the_same_rows_as_the_default_runner(workdir: Path) -> None:
    from flows.site_server import SiteServer, write_sample_sources

    with SiteServer() as site:
        sources = workdir / "sources.yaml"
        write_sample_sources(site.base_url, sources)
        common = ("scrape", "--sources", str(sources), "--allow-private-hosts", "--batch-size", "3")
        newsdesk(workdir, *common, "--db", "default.duckdb", "--data-dir", "d1")
        output = newsdesk(
            workdir, *common, "--db", "dask.duckdb", "--data-dir", "d2", "--dask-local", "2",
            "--analyze-batch-size", "4",
        )
    assert "scrape run completed" in output
    expected, got = stable_rows(workdir / "default.duckdb"), stable_rows(workdir / "dask.duckdb")
    assert len(expected["articles"]) >= 8 and any(row[4] == "duplicate" for row in expected["fetch_log"])
    for table in STABLE_QUERIES:
        assert got[table] == expected[table], table
    assert list((workdir / "d2" / "warc").glob("*.warc.gz"))  # the archive is written by the flow process
    from prefect import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName

    with get_client(sync_client=True) as client:  # the analyse stage ran as Dask-submitted task runs
        remote = client.read_task_runs(
            task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="analyze-batch-remote"))
        )
    assert len(remote) >= 2 and all(run.state and run.state.is_completed() for run in remote)


def test_a_scheduler_that_cannot_list_its_workers_is_logged_and_guessed_at(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import types

    import flows.runtime as runtime

    class Client:
        def scheduler_info(self, n_workers: int) -> dict:
            raise TimeoutError("scheduler did not answer")

    DaskTaskRunner = type("DaskTaskRunner", (), {"client": Client()})  # named as the runner the code looks for
    context = types.SimpleNamespace(task_runner=DaskTaskRunner())
    monkeypatch.setattr(runtime.FlowRunContext, "get", classmethod(lambda cls: context))
    with caplog.at_level("WARNING", logger="flows.runtime"):
        assert runtime.dask_worker_threads() == 2
    assert "TimeoutError: scheduler did not answer" in caplog.text


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_the_flow_process_holds_no_page_it_has_handed_to_the_cluster(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A LocalCluster's scheduler lives in the flow process and keeps what a task graph carries until the task is
    released; pages scattered to a worker stay out of it, so once handed over no fetched page is left here."""
    import gc

    from flows.batches import BatchProgress
    from flows.runtime import dask_task_runner
    from flows.scrape import scrape
    from flows.site_server import SiteServer, write_sample_sources
    from tasks.models import FetchResult

    live_pages: list[int] = []
    collect = BatchProgress.collect

    def counting_collect(self: BatchProgress, batch: list[str], future: object) -> None:
        gc.collect()
        live_pages.append(sum(1 for o in gc.get_objects() if isinstance(o, FetchResult) and o.text is not None))
        collect(self, batch, future)  # type: ignore[arg-type]

    monkeypatch.setattr(BatchProgress, "collect", counting_collect)
    with SiteServer() as site:
        sources = workdir / "sources.yaml"
        write_sample_sources(site.base_url, sources)
        summary = scrape.with_options(task_runner=dask_task_runner(local_workers=1))(
            sources_file=str(sources), db_path=str(workdir / "dask.duckdb"), data_dir=str(workdir / "data"),
            allow_private_hosts=True, batch_size=3, analyze_batch_size=4,
        )
    assert summary.status == "completed" and summary.articles >= 8
    assert len(live_pages) >= 2 and live_pages == [0] * len(live_pages)
