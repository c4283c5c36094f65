"""The scrape flow: sources -> discovered URLs -> fetched, archived pages -> analysed articles -> DuckDB.

A readable composition: discovery here, the page batches in flows/batches.py, where the work runs in
flows/runtime.py, the run report in flows/report.py. The flow process holds the writer lock for the whole run and
is the only DuckDB writer.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.batches import run_pages
from flows.report import (
    NothingLoadedError, RunSummary, publish, publish_key_figures, refusals_fail_the_run, run_verdict,
)
from flows.steps import discover_task
from tasks.analyze import StageTimes
from tasks.discover import discovery_log, parse_url_list
from tasks.disk import DiskFullError
from tasks.politeness import Politeness
from tasks.models import DiscoveredUrl, LogEntry
from tasks.settings import Settings, load_settings
from tasks.sources import Source, cli_source, load_sources, source_settings
from warehouse.db import SpaceReserve, connect, writer_lock
from warehouse.load import failed_resources, failed_urls, finish_run, load_batch, outcome_counts, start_run
from warehouse.search import refresh_after_load


def cpu_with_children() -> float:
    """CPU seconds of this process and of its children that have ended (the search index rebuild's child), so a
    stage moved into a child process still counts in the run's CPU."""
    now = os.times()
    return now.user + now.system + now.children_user + now.children_system


def build_sources(
    feeds: Sequence[str], sitemaps: Sequence[str], start_urls: Sequence[str], sources_file: str | None
) -> list[Source]:
    """Sources from the file plus one ad-hoc 'cli' source for the flags."""
    sources = load_sources(Path(sources_file)) if sources_file else []
    if feeds or sitemaps or start_urls:
        sources.append(cli_source(feeds, sitemaps, start_urls))
    return sources


def read_url_files(paths: Sequence[str]) -> tuple[list[DiscoveredUrl], list[LogEntry]]:
    """URLs from plain-text lists; an unreadable file or a bad line becomes a failed fetch_log row."""
    found: list[DiscoveredUrl] = []
    log: list[LogEntry] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            log.append(LogEntry(url=str(path), kind="url_list", outcome="failed", reason=f"cannot read: {exc}"))
            continue
        urls, invalid = parse_url_list(text, source="cli", found_in=str(path))
        found.extend(urls)
        log.append(LogEntry(url=str(path), kind="url_list", outcome="loaded", reason=f"{len(urls)} URLs"))
        log.extend(
            LogEntry(url=line, kind="article", outcome="failed", source="cli", found_in=str(path), reason=reason)
            for line, reason in invalid
        )
    return found, log
def discover_all(
    sources: Sequence[Source], url_list: Sequence[DiscoveredUrl], settings: Settings, politeness: Politeness
) -> tuple[list[DiscoveredUrl], list[LogEntry]]:
    """Every source walked; returns unique article URLs (first source wins) and log rows for everything else."""
    logger = get_run_logger()
    log: list[LogEntry] = []
    found: list[DiscoveredUrl] = list(url_list)
    for source in sources:
        result = discover_task(source, source_settings(settings, source), politeness)
        rows = discovery_log(source, result)
        log.extend(rows)
        found.extend(result.urls)
        not_fetched = sum(1 for row in rows if row.kind == "article")
        logger.info(
            "discovered %d URLs from source %r; %d more not fetched (each a fetch_log row with its reason), "
            "%d repeats of a URL already found", len(result.urls), source.name, not_fetched,
            len(result.rejected) - not_fetched,
        )
    unique: dict[str, DiscoveredUrl] = {}
    for item in found:
        unique.setdefault(item.url, item)
    kept = list(unique.values())
    over = kept[settings.max_urls_per_run :]
    log.extend(
        LogEntry(
            url=item.url, kind="article", outcome="skipped", source=item.source, found_in=item.found_in,
            reason=f"over the limit of {settings.max_urls_per_run} URLs a run (NEWSDESK_MAX_URLS_PER_RUN)",
        )
        for item in over
    )
    log = list({entry.url: entry for entry in reversed(log)}.values())[::-1]  # one row a URL: the first
    logged = {entry.url for entry in log if entry.kind == "article"}
    return [item for item in kept[: settings.max_urls_per_run] if item.url not in logged], log



@flow(name="scrape", validate_parameters=True)
@refusals_fail_the_run
def scrape(
    feeds: list[str] | None = None,
    sitemaps: list[str] | None = None,
    urls: list[str] | None = None,
    url_files: list[str] | None = None,
    sources_file: str | None = None,
    db_path: str | None = None,
    data_dir: str | None = None,
    allow_private_hosts: bool | None = None,
    min_delay_seconds: float | None = None,
    max_urls: int | None = None,
    batch_size: int | None = None,
    analyze_batch_size: int | None = None,
) -> RunSummary:
    """Discover, fetch, extract and load articles from feeds, sitemaps, URL lists and a sources file."""
    logger = get_run_logger()
    settings = load_settings(
        db_path=db_path, data_dir=data_dir, allow_private_hosts=allow_private_hosts,
        min_delay_seconds=min_delay_seconds, max_urls_per_run=max_urls, batch_size=batch_size,
    )
    if settings.user_agent_warning:
        logger.warning("%s", settings.user_agent_warning)
    sources = build_sources(feeds or [], sitemaps or [], urls or [], sources_file)
    url_list, list_log = read_url_files(url_files or [])
    if not sources and not url_list and not list_log:
        raise ValueError("nothing to scrape: give --feed, --sitemap, --urls FILE, a start URL or --sources FILE")
    run_id = str(flow_run.id or uuid.uuid4())
    summary = RunSummary(run_id=run_id, flow="scrape", db_path=str(settings.db_path))
    times = StageTimes()
    politeness = Politeness()  # robots.txt files and host clocks, shared by discovery and every fetch of this run
    started = time.perf_counter()
    parameters = {
        "feeds": feeds, "sitemaps": sitemaps, "urls": urls, "url_files": url_files, "sources_file": sources_file,
        "db_path": str(settings.db_path), "data_dir": str(settings.data_dir),
    }
    unrecorded: DiskFullError | None = None
    with writer_lock(settings.db_path, settings.lock_timeout_seconds), SpaceReserve(settings.db_path) as reserve:
        with connect(settings.db_path) as con:
            start_run(con, run_id, "scrape", parameters)
        try:
            discovered, discovery_log = discover_all(sources, url_list, settings, politeness)
            with connect(settings.db_path) as con:
                load_batch(con, run_id, [], [*list_log, *discovery_log])
            logger.info("%d article URLs to fetch", len(discovered))
            run_pages(run_id, discovered, sources, settings, summary, times, politeness, analyze_batch_size)
            indexing = cpu_with_children()
            refresh_after_load(settings.db_path)  # the search index matches what this run loaded
            times.add("search_index", cpu_with_children() - indexing)  # the rebuild runs in a child process
            with connect(settings.db_path) as con:
                nothing_loaded, verdict = run_verdict(outcome_counts(con, run_id), failed_resources(con, run_id))
            summary.status = "failed" if nothing_loaded else "completed"
            summary.message = verdict
            if verdict:
                logger.warning("%s", verdict)
        except Exception as exc:
            summary.stopped_by(exc)
            raise
        finally:
            summary.seconds = time.perf_counter() - started
            summary.stage_seconds = dict(times.seconds)

            def write_end() -> None:
                with connect(settings.db_path) as con:
                    summary.counts = outcome_counts(con, run_id)
                    summary.failures = failed_urls(con, run_id, limit=50)
                    finish_run(con, run_id, summary.status, summary.counts, summary.message)

            unrecorded = summary.write_end(write_end, reserve)
            publish(summary)
            publish_key_figures(settings.db_path, run_id)
    if unrecorded is not None:  # (when the run itself had stopped on an error, that error is raised instead)
        raise unrecorded
    logger.info(
        "run %s %s in %.1f s: %s", run_id, summary.status, summary.seconds,
        ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items())),
    )
    if summary.status == "failed":
        raise NothingLoadedError(summary.message or "nothing could be loaded", summary)
    return summary
