"""Reading the database while a first run writes it, as a notebook user would: a loop of plain
`duckdb.connect(path, read_only=True)` and of `warehouse.db.connect_readonly`, each followed by a query, in this
process while `newsdesk scrape` (another process, the writer) loads the sample site into a new file in batches of
two pages. Counts every outcome, prints the rates, and checks what the README says: the command creates the file
with its schema before Prefect starts, so from then on no reader meets "does not exist" or a missing table;
`connect_readonly` never fails; a plain connection fails only with DuckDB's lock error, when it lands on a load.
Two to three minutes (most of it Prefect's temporary server)."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.site_server import SiteServer, write_sample_sources
from warehouse.db import connect_readonly

pytestmark = pytest.mark.slow
NEWSDESK = str(Path(sys.executable).with_name("newsdesk"))
QUERY = "SELECT COUNT(*) FROM articles"


def read_once(db: Path, plain: bool) -> str:
    """One reader's attempt: 'ok', 'missing' (no file yet), 'lock' (a writer holds the file) or the error."""
    try:
        con = duckdb.connect(str(db), read_only=True) if plain else connect_readonly(str(db), retry_seconds=30)  # a notebook passes a str
        with con:
            con.execute(QUERY).fetchall()
        return "ok"
    except FileNotFoundError:
        return "missing"
    except duckdb.Error as exc:
        message = str(exc)
        if "does not exist" in message and "database" in message:
            return "missing"
        if "lock" in message.lower():
            return "lock"
        return f"{type(exc).__name__}: {message}"


def test_readers_during_a_first_run(workdir: Path) -> None:
    db = workdir / "first-run.duckdb"
    sources = workdir / "sources.yaml"
    env = {**os.environ, "NEWSDESK_BATCH_SIZE": "2"}  # a load every two pages: many write windows to land on
    outcomes: dict[str, collections.Counter[str]] = {"plain": collections.Counter(), "retrying": collections.Counter()}
    with SiteServer() as site:
        write_sample_sources(site.base_url, sources)
        run = subprocess.Popen(
            [NEWSDESK, "scrape", "--sources", str(sources), "--db", str(db), "--data-dir", str(workdir / "data"),
             "--allow-private-hosts"],
            cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        started = time.monotonic()
        try:
            deadline = started + 30  # the command creates the file before Prefect starts
            while not db.exists() and run.poll() is None:
                assert time.monotonic() < deadline, "the scrape command did not create the database in 30 s"
                time.sleep(0.05)
            created_after = time.monotonic() - started
            while run.poll() is None:
                outcomes["plain"][read_once(db, plain=True)] += 1
                outcomes["retrying"][read_once(db, plain=False)] += 1
                time.sleep(0.02)  # a reader that polls, not one that holds the file (which would stall the run)
            output = run.communicate(timeout=60)[0]
        finally:
            if run.poll() is None:
                run.kill()
    plain, retrying = outcomes["plain"], outcomes["retrying"]
    print(f"\nthe database existed {created_after:.1f} s after the command started, the run took "
          f"{time.monotonic() - started:.1f} s")
    print(f"during a first run: plain read-only connections {dict(plain)} "
          f"({plain['lock']}/{sum(plain.values())} refused); connect_readonly {dict(retrying)}")
    assert run.returncode == 0, output[-3000:]
    assert sum(plain.values()) >= 50, plain  # the readers really ran alongside the run
    assert set(retrying) == {"ok"}, retrying
    assert set(plain) <= {"ok", "lock"}, plain
    with connect_readonly(db) as con:
        assert con.execute(QUERY).fetchall()[0][0] >= 10
