"""The scrape flow: sources -> discovered URLs -> fetched, archived pages -> analysed articles -> DuckDB.

Work moves in batches of `batch_size` pages (three task runs a batch), and the next batch is fetched while the
current one is analysed. The flow process is the only DuckDB writer: it holds the writer lock for the run and
opens the file only for each batch's load transaction, so analysts can read in between.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows.steps import analyze_task, discover_task, fetch_task
from tasks.analyze import PageContext, StageTimes
from tasks.discover import parse_url_list, rejection_outcome
from tasks.models import ArticleRecord, DiscoveredUrl, LogEntry
from tasks.settings import Settings, load_settings
from tasks.sources import Source, cli_source, load_sources
from warehouse.db import connect, writer_lock
from warehouse.load import (
    finish_run,
    known_article_for_url,
    load_batch,
    outcome_counts,
    previous_validators,
    start_run,
)


@dataclass
class RunSummary:
    """What a run did, returned to the CLI and written as the run's Markdown artifact."""

    run_id: str
    flow: str
    db_path: str
    status: str = "running"
    counts: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    quotes: int = 0
    entities: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason), first 50
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    message: str | None = None

    def markdown(self) -> str:
        lines = [
            f"# newsdesk {self.flow} run `{self.run_id}`: {self.status}",
            "",
            f"Database: `{self.db_path}`; {self.seconds:.1f} s.",
            f"Loaded in this run: {self.articles} articles, {self.quotes} quotes, {self.entities} entity mentions.",
            "",
            "| outcome | URLs |",
            "|---|---|",
            *(f"| {outcome} | {count} |" for outcome, count in sorted(self.counts.items())),
        ]
        if self.stage_seconds:
            lines += ["", "| stage | CPU s |", "|---|---|"]
            lines += [f"| {stage} | {secs:.2f} |" for stage, secs in sorted(self.stage_seconds.items())]
        if self.failures:
            lines += ["", "## Failures", "", "| URL | reason |", "|---|---|"]
            lines += [f"| {url} | {reason.replace('|', '/')} |" for url, reason in self.failures]
        if self.message:
            lines += ["", f"**{self.message}**"]
        return "\n".join(lines) + "\n"


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


def batches(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def source_settings(settings: Settings, source: Source | None) -> Settings:
    """The run's settings with a source's own politeness overrides applied."""
    if source is None:
        return settings
    overrides = {
        key: getattr(source, key)
        for key in ("min_delay_seconds", "per_host_concurrency")
        if getattr(source, key, None) is not None
    }
    return settings.model_copy(update=overrides) if overrides else settings


def discover_all(
    sources: Sequence[Source], url_list: Sequence[DiscoveredUrl], settings: Settings
) -> tuple[list[DiscoveredUrl], list[LogEntry]]:
    """Every source walked; returns unique article URLs (first source wins) and log rows for everything else."""
    logger = get_run_logger()
    log: list[LogEntry] = []
    found: list[DiscoveredUrl] = list(url_list)
    for source in sources:
        result = discover_task(source, source_settings(settings, source))
        failed_resources = dict(result.failures)
        for url in [*source.feeds, *source.sitemaps]:
            kind = "feed" if url in source.feeds else "sitemap"
            reason = failed_resources.pop(url, None)
            log.append(
                LogEntry(url=url, kind=kind, outcome="failed" if reason else "loaded", source=source.name, reason=reason)
            )
        log.extend(
            LogEntry(url=url, kind="sitemap", outcome="failed", source=source.name, reason=reason)
            for url, reason in failed_resources.items()
        )
        log.extend(
            LogEntry(url=url, kind="sitemap", outcome="skipped", source=source.name, reason=reason)
            for url, reason in result.skipped
        )
        kept = {item.url for item in result.urls}
        log.extend(  # a URL found twice is one URL: its second sighting needs no row of its own
            LogEntry(url=url, kind="article", outcome=rejection_outcome(reason), source=source.name, reason=reason)
            for url, reason in result.rejected
            if url not in kept
        )
        found.extend(result.urls)
        logger.info("discovered %d URLs from source %r (%d rejected)", len(result.urls), source.name, len(result.rejected))
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
    logged = {entry.url for entry in log if entry.kind == "article"}
    return [item for item in kept[: settings.max_urls_per_run] if item.url not in logged], log


def run_pages(
    run_id: str,
    discovered: Sequence[DiscoveredUrl],
    sources: Sequence[Source],
    settings: Settings,
    summary: RunSummary,
    times: StageTimes,
) -> None:
    """Fetch, analyse and load every discovered URL, batch by batch, fetching the next while analysing one."""
    logger = get_run_logger()
    by_name = {source.name: source for source in sources}
    contexts = {item.url: PageContext(source=item.source, found_in=item.found_in) for item in discovered}
    with connect(settings.db_path) as con:
        all_urls = [item.url for item in discovered]
        validators = previous_validators(con, all_urls)
        known_articles = known_article_for_url(con, all_urls)
    plan = []
    for name in dict.fromkeys(item.source for item in discovered):
        urls = [item.url for item in discovered if item.source == name]
        plan += [(source_settings(settings, by_name.get(name)), batch) for batch in batches(urls, settings.batch_size)]
    seen: dict[str, str] = {}
    done = 0
    pending = fetch_task.submit(plan[0][1], plan[0][0], validators) if plan else None
    for index, (batch_settings, batch) in enumerate(plan):
        assert pending is not None
        started = time.perf_counter()
        pages = pending.result()
        times.add("fetch_wait", time.perf_counter() - started)
        if index + 1 < len(plan):
            next_settings, next_batch = plan[index + 1]
            pending = fetch_task.submit(next_batch, next_settings, validators)
        records, log = analyze_task(pages, settings.spacy_model, contexts, seen, known_articles, times)
        started = time.process_time()
        load_with_fallback(settings.db_path, run_id, records, log)
        times.add("load", time.process_time() - started)
        seen.update({record.article_id: record.fetched_url for record in records})
        summary.articles += len(records)
        summary.quotes += sum(len(record.analysis.quotes) for record in records)
        summary.entities += sum(len(record.analysis.entities) for record in records)
        done += len(batch)
        logger.info(
            "batch %d/%d: %d pages, %d articles loaded; %d/%d URLs done (%.0f%%)",
            index + 1, len(plan), len(batch), len(records), done, len(discovered), 100 * done / len(discovered),
        )


def load_with_fallback(db_path: Path, run_id: str, records: list[ArticleRecord], log: list[LogEntry]) -> None:
    """Load a batch; if its transaction fails, record each of its URLs as failed so none goes unaccounted."""
    try:
        with connect(db_path) as con:
            load_batch(con, run_id, records, log)
    except Exception as exc:
        get_run_logger().error("loading a batch of %d pages failed: %s", len(log), exc)
        failed = [
            LogEntry(
                url=entry.url, kind=entry.kind, outcome="failed", source=entry.source, found_in=entry.found_in,
                status_code=entry.status_code, final_url=entry.final_url, reason=f"load failed: {exc}",
            )
            for entry in log
        ]
        with connect(db_path) as con:
            load_batch(con, run_id, [], failed)


@flow(name="scrape", validate_parameters=True)
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
) -> RunSummary:
    """Discover, fetch, extract and load articles from feeds, sitemaps, URL lists and a sources file."""
    logger = get_run_logger()
    settings = load_settings(
        db_path=db_path, data_dir=data_dir, allow_private_hosts=allow_private_hosts,
        min_delay_seconds=min_delay_seconds, max_urls_per_run=max_urls,
    )
    sources = build_sources(feeds or [], sitemaps or [], urls or [], sources_file)
    url_list, list_log = read_url_files(url_files or [])
    if not sources and not url_list and not list_log:
        raise ValueError("nothing to scrape: give --feed, --sitemap, --urls FILE, a start URL or --sources FILE")
    run_id = str(flow_run.id or uuid.uuid4())
    summary = RunSummary(run_id=run_id, flow="scrape", db_path=str(settings.db_path))
    times = StageTimes()
    started = time.perf_counter()
    parameters = {
        "feeds": feeds, "sitemaps": sitemaps, "urls": urls, "url_files": url_files, "sources_file": sources_file,
        "db_path": str(settings.db_path), "data_dir": str(settings.data_dir),
    }
    with writer_lock(settings.db_path, settings.lock_timeout_seconds):
        with connect(settings.db_path) as con:
            start_run(con, run_id, "scrape", parameters)
        try:
            discovered, discovery_log = discover_all(sources, url_list, settings)
            with connect(settings.db_path) as con:
                load_batch(con, run_id, [], [*list_log, *discovery_log])
            logger.info("%d article URLs to fetch", len(discovered))
            run_pages(run_id, discovered, sources, settings, summary, times)
            summary.status = "completed"
        except Exception as exc:
            summary.status = "failed"
            summary.message = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            summary.seconds = time.perf_counter() - started
            summary.stage_seconds = dict(times.seconds)
            with connect(settings.db_path) as con:
                summary.counts = outcome_counts(con, run_id)
                summary.failures = [
                    (url, reason or "")
                    for url, reason in con.execute(
                        "SELECT url, reason FROM fetch_log WHERE run_id = ? AND outcome = 'failed' "
                        "ORDER BY url LIMIT 50",
                        [run_id],
                    ).fetchall()
                ]
                finish_run(con, run_id, summary.status, summary.counts, summary.message)
            create_markdown_artifact(summary.markdown(), key="scrape-report", description="newsdesk scrape run")
    logger.info(
        "run %s %s in %.1f s: %s", run_id, summary.status, summary.seconds,
        ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items())),
    )
    return summary
