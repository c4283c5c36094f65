"""Clocks and time zones: the warehouse holds the same UTC instants whatever the machine's zone, across a DST
change in the middle of a run; a published date more than a day after the fetch is dropped with a note."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.site_server import SiteServer, write_sample_sources
from tasks.analyze import PageContext, analyze_pages
from tasks.dates import published_after_fetch
from tasks.models import FetchResult
from tasks.nlp import load_nlp
from warehouse.db import connect
from warehouse.load import load_batch

FETCHED = "2026-03-29T00:30:00+00:00"  # the night Europe moves its clocks forward (01:00 UTC)


@pytest.mark.parametrize(
    ("published", "fetched_at"),
    [
        ("2026-03-29", FETCHED),  # the same day
        ("2026-03-30", FETCHED),  # the next day where the publisher is (UTC+1 and more): within the day's margin
        ("2026-03-30T14:00:00+14:00", FETCHED),  # Kiritimati, already the 30th: the same instant as 00:00 UTC
        ("2026-03-29T02:30:00", FETCHED),  # a local time in the hour Berlin skips: read as UTC, 2 h after
        ("2026-03-28T23:59:00-05:00", "2026-03-29T04:59:30Z"),  # WARC-Date spelling of the fetch time
        ("2031-01-01", None),  # no fetch time: nothing to compare with
        ("not a date", FETCHED),
    ],
)
def test_a_published_date_within_a_day_of_the_fetch_is_kept(published: str, fetched_at: str | None) -> None:
    assert published_after_fetch(published, fetched_at) is None


@pytest.mark.parametrize(
    ("published", "days"),
    [("2026-03-31", "2.0"), ("2027-03-29T09:00:00+01:00", "365.3"), ("2026-03-30T02:00:00", "1.1")],
)
def test_a_published_date_more_than_a_day_after_the_fetch_is_dropped_with_a_note(published: str, days: str) -> None:
    assert published_after_fetch(published, FETCHED) == (
        f"published date {published} is {days} days after the page was fetched: dropped"
    )


def page(url: str, published: str) -> FetchResult:
    body = "<p>The harbour council voted on Tuesday to rebuild the sea wall before the winter storms.</p>" * 3
    html = (
        f'<html><head><title>Wall</title><meta property="article:published_time" content="{published}">'
        f"</head><body><article><h1>Wall</h1>{body}</article></body></html>"
    )
    return FetchResult(url=url, final_url=url, outcome="loaded", status=200, text=html, fetched_at=FETCHED)


def test_a_future_published_date_is_dropped_and_noted_on_the_article_and_a_listing_date_takes_its_place(
    tmp_path: Path,
) -> None:
    pages = [page("https://example.org/a.html", "2027-03-29T09:00:00+01:00"),
             page("https://example.org/b.html", "2027-03-29"), page("https://example.org/c.html", "2026-03-28")]
    contexts = {
        "https://example.org/a.html": PageContext(source="s"),
        "https://example.org/b.html": PageContext(source="s", published="Sat, 28 Mar 2026 18:00:00 +0000"),
        "https://example.org/c.html": PageContext(source="s"),
    }
    records, _ = analyze_pages(pages, load_nlp(), contexts, {})
    by_url = {record.fetched_url: record for record in records}
    first, second, kept = (by_url[f"https://example.org/{name}.html"] for name in "abc")
    assert first.analysis.document.published is None
    assert first.analysis.note == (
        "published date 2027-03-29T09:00:00+01:00 is 365.3 days after the page was fetched: dropped"
    )
    assert second.analysis.document.published == "2026-03-28T18:00:00+00:00"  # the feed's date, plausible
    assert second.analysis.note and second.analysis.note.startswith("published date 2027-03-29 is 365.0 days")
    assert kept.analysis.document.published == "2026-03-28" and kept.analysis.note is None
    with connect(tmp_path / "t.duckdb") as con:
        load_batch(con, "run-1", records, [])
        stored = dict(con.execute("SELECT fetched_url, published IS NULL FROM articles").fetchall())
        notes = dict(con.execute("SELECT fetched_url, analysis_note FROM articles").fetchall())
    assert stored == {"https://example.org/a.html": True, "https://example.org/b.html": False,
                      "https://example.org/c.html": False}
    assert notes["https://example.org/a.html"] == first.analysis.note


# ----------------------------------------------------------------------------------- a whole run, zone by zone


def zone_switching_to_summer_time_in(seconds: float) -> tuple[str, datetime]:
    """A POSIX TZ rule (UTC-5 in winter, UTC-4 in summer, like New York) whose spring-forward is `seconds` from
    now: the machine's local clock jumps an hour in the middle of the run. Returns (TZ value, the switch in
    UTC)."""
    switch = (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)
    local = switch - timedelta(hours=5)  # the rule's times are in local standard time
    start_day = local.timetuple().tm_yday - 1  # zero-based day of the year, leap day counted
    end_day = (start_day + 180) % 365
    return f"XST5XDT,{start_day}/{local:%H:%M:%S},{end_day}/02:00:00", switch


@pytest.fixture()
def machine_zone() -> Iterator[Callable[[str], None]]:
    """Set the process's time zone (TZ and tzset, as a machine configured so would start); restored after."""
    before = os.environ.get("TZ")

    def set_zone(value: str) -> None:
        os.environ["TZ"] = value
        time.tzset()

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def scrape_sample_site(folder: Path, delay: float = 0.0) -> Path:
    folder.mkdir(parents=True)
    db = folder / "run.duckdb"
    with SiteServer() as site:
        sources = folder / "sources.yaml"
        text = write_sample_sources(site.base_url, sources).read_text(encoding="utf-8")
        sources.write_text(text.replace("min_delay_seconds: 0 ", f"min_delay_seconds: {delay} "), encoding="utf-8")
        result = CliRunner().invoke(
            app, ["scrape", "--sources", str(sources), "--db", str(db), "--data-dir", str(folder / "data"),
                  "--allow-private-hosts", "--batch-size", "3"],
            catch_exceptions=False,
        )
    assert result.exit_code == 0, result.output
    return db


def stored_dates(db: Path) -> dict[str, object]:
    """What the warehouse holds, read in UTC: per article its published instant and day; the fetch times."""
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        articles = con.execute(
            "SELECT regexp_replace(url, '^https?://[^/]+', ''), CAST(published AS VARCHAR), "
            "CAST(published_local_date AS VARCHAR) FROM articles ORDER BY 1"
        ).fetchall()
        fetched = [row[0] for row in con.execute(
            "SELECT fetched_at FROM fetch_log WHERE fetched_at IS NOT NULL ORDER BY fetched_at").fetchall()]
        runs = con.execute("SELECT started_at, finished_at FROM runs").fetchall()
        warc_dates = con.execute("SELECT fetched_at FROM articles").fetchall()
    return {"articles": articles, "fetched": fetched, "runs": runs, "article_fetched": warc_dates}


def assert_within(instants: list[datetime], start: datetime, end: datetime) -> None:
    for instant in instants:
        assert start - timedelta(seconds=1) <= instant <= end + timedelta(seconds=1), (instant, start, end)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server", "workdir")
def test_a_run_across_a_dst_change_and_runs_in_other_zones_store_the_same_utc_instants(
    tmp_path: Path, machine_zone: Callable[[str], None]
) -> None:
    machine_zone("UTC")
    reference = stored_dates(scrape_sample_site(tmp_path / "utc", delay=0.5))
    assert reference["articles"] and any(published for _, published, _ in reference["articles"])

    for zone in ("Europe/Berlin", "America/New_York"):
        machine_zone(zone)
        started = datetime.now(timezone.utc)
        dates = stored_dates(scrape_sample_site(tmp_path / zone.replace("/", "-"), delay=0.5))
        assert dates["articles"] == reference["articles"], zone
        assert_within([*dates["fetched"], *[t for run in dates["runs"] for t in run]], started,
                      datetime.now(timezone.utc))
        # Half a second between requests to the one host spreads the fetches over several seconds; the middle
        # one came this long after the start (models loaded by now), which is when the DST run switches.
        middle_fetch = dates["fetched"][len(dates["fetched"]) // 2] - started

    rule, switch = zone_switching_to_summer_time_in(seconds=middle_fetch.total_seconds())
    machine_zone(rule)
    assert time.localtime().tm_isdst == 0
    started = datetime.now(timezone.utc)
    dates = stored_dates(scrape_sample_site(tmp_path / "dst", delay=0.5))
    finished = datetime.now(timezone.utc)
    assert time.localtime().tm_isdst == 1, "the local clock should have moved to summer time during the run"
    fetched = dates["fetched"]
    assert fetched[0] < switch < fetched[-1], "the switch should fall between the run's first and last fetch"
    assert dates["articles"] == reference["articles"]
    assert_within([*fetched, *[t for run in dates["runs"] for t in run],
                   *[row[0] for row in dates["article_fetched"]]], started, finished)
    assert json.dumps([str(t) for t in fetched]).count("+00:00") == len(fetched)  # read back in UTC


READ_DAY = """
import sys
from pathlib import Path
from warehouse.db import connect_readonly
with connect_readonly(Path(sys.argv[1])) as con:
    print(con.execute("SELECT CAST(ts AS DATE), CAST(ts AS VARCHAR) FROM t").fetchone())
"""


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Europe/Berlin", "Pacific/Kiritimati"])
def test_readers_give_the_same_day_on_a_machine_in_any_zone(tmp_path: Path, zone: str) -> None:
    import subprocess
    import sys

    db = tmp_path / "t.duckdb"
    with duckdb.connect(str(db)) as con:  # 01:30 UTC on the night Europe springs forward: the 28th in New York
        con.execute("CREATE TABLE t AS SELECT TIMESTAMPTZ '2026-03-29 01:30:00+00' AS ts")
    done = subprocess.run(
        [sys.executable, "-c", READ_DAY, str(db)], env={**os.environ, "TZ": zone}, capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[1], check=True,
    )
    assert done.stdout.strip() == "(datetime.date(2026, 3, 29), '2026-03-29 01:30:00+00')"
