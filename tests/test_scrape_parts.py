"""Pieces of the scrape flow that run without a Prefect server."""

from __future__ import annotations

from pathlib import Path

import duckdb
from prefect.logging import disable_run_logger

from flows.batches import batches, load_with_fallback
from flows.scrape import read_url_files
from tasks.models import LogEntry
from warehouse.db import connect


def test_a_batch_that_cannot_load_is_logged_as_failed(tmp_path: Path) -> None:
    db = tmp_path / "n.duckdb"
    with connect(db):
        pass
    good = LogEntry(url="https://example.org/a", kind="article", outcome="loaded", status_code=200)
    broken = LogEntry(url="https://example.org/b", kind="article", outcome=None)  # type: ignore[arg-type]
    with disable_run_logger():
        load_with_fallback(db, "run1", [], [good, broken])
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT url, outcome, reason FROM fetch_log ORDER BY url").fetchall()
    assert [(url, outcome) for url, outcome, _ in rows] == [
        ("https://example.org/a", "failed"), ("https://example.org/b", "failed")
    ]
    assert all(reason.startswith("load failed:") for _, _, reason in rows)


def test_url_files_account_for_every_line_and_unreadable_files(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("# comment\n\nhttps://example.org/a?utm_source=x\nnot a url\n", encoding="utf-8")
    found, log = read_url_files([str(listing), str(tmp_path / "missing.txt")])
    assert [item.url for item in found] == ["https://example.org/a"]
    outcomes = {(entry.kind, entry.url): entry.outcome for entry in log}
    assert outcomes[("url_list", str(listing))] == "loaded"
    assert outcomes[("article", "not a url")] == "failed"
    assert outcomes[("url_list", str(tmp_path / "missing.txt"))] == "failed"


def test_batches_cover_every_item_once() -> None:
    assert list(batches(list(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batches([], 3)) == []


def test_the_run_report_lists_counts_stages_and_failures() -> None:
    from flows.report import RunSummary

    summary = RunSummary(run_id="r1", flow="scrape", db_path="x.duckdb", status="completed",
                         counts={"loaded": 3, "failed": 1}, articles=3, quotes=5, entities=7,
                         failures=[("https://example.org/gone", "HTTP 404 | Not Found")], seconds=1.5,
                         stage_seconds={"fetch": 0.25})
    report = summary.markdown()
    assert "| loaded | 3 |" in report and "| failed | 1 |" in report
    assert "| fetch | 0.25 |" in report
    assert "| https://example.org/gone | HTTP 404 / Not Found |" in report  # a pipe in a reason cannot break the table
    assert "3 articles, 5 quotes, 7 entity mentions" in report


def test_a_run_in_which_nothing_could_be_loaded_is_a_failure() -> None:
    from flows.report import run_verdict

    assert run_verdict({"failed": 3}, 0)[0] is True  # every article URL failed (a host that does not resolve)
    assert run_verdict({"robots": 2, "skipped": 1}, 0)[0] is True  # every page refused
    assert run_verdict({}, 1)[0] is True  # the only feed failed: nothing to fetch
    assert run_verdict({"failed": 3, "unchanged": 1}, 0) == (False, run_verdict({"failed": 3, "unchanged": 1}, 0)[1])
    some_failed = run_verdict({"loaded": 5, "failed": 1}, 0)
    assert some_failed[0] is False and "1 article URL(s)" in (some_failed[1] or "")
    assert run_verdict({"skipped": 4}, 0)[0] is False  # left out by the run's own patterns: not the site's failure
    assert run_verdict({"loaded": 2, "duplicate": 1}, 0) == (False, None)


def test_the_runs_cpu_clock_counts_a_child_process_it_waited_for() -> None:
    # the search index is rebuilt in a child process; its CPU must still count in the run's stage times
    import subprocess
    import sys

    from flows.scrape import cpu_with_children

    burn = "import time\nwhile time.process_time() < 0.3: pass"
    before = cpu_with_children()
    subprocess.run([sys.executable, "-c", burn], check=True)
    assert cpu_with_children() - before >= 0.25  # os.times counts in clock ticks (10 ms), so allow a few
