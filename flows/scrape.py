"""The scrape flow: sources -> discovered URLs -> fetched, archived pages -> analysed articles -> DuckDB.

Work moves in batches of `batch_size` pages: a fetch task and an analyse task a batch, the next batch fetched
while the current one is analysed. On a Dask cluster (`dask_task_runner`) the analyse tasks run on the workers,
several at once, while fetching stays async I/O here. Either way the flow process is the only DuckDB writer: it
holds the writer lock for the run and opens the file only for each batch's load transaction, so analysts can
read in between.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote
from prefect.runtime import flow_run

from flows.steps import analyze_remote_task, analyze_task, discover_task, fetch_task
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
    analysis_notes: dict[str, int] = field(default_factory=dict)  # why analysis was left out -> articles
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    message: str | None = None

    def count_loaded(self, records: Sequence[ArticleRecord]) -> None:
        self.articles += len(records)
        self.quotes += sum(len(record.analysis.quotes) for record in records)
        self.entities += sum(len(record.analysis.entities) for record in records)
        for record in records:
            if record.analysis.note:
                self.analysis_notes[record.analysis.note] = self.analysis_notes.get(record.analysis.note, 0) + 1

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
        if self.analysis_notes:
            lines += ["", "| analysis note | articles |", "|---|---|"]
            lines += [f"| {note} | {count} |" for note, count in sorted(self.analysis_notes.items())]
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
    analyze_batch_size: int | None = None,
) -> None:
    """Fetch, analyse and load every discovered URL, batch by batch.

    With the default task runner the next batch is fetched (in a thread) while this one is analysed in the flow
    process. On a Dask cluster the flow fetches batch after batch itself and keeps every worker busy with
    analysis; results are loaded in batch order, so the rows are the same either way.
    """
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
    progress = BatchProgress(run_id, settings, summary, times, total=len(discovered))
    workers = dask_worker_threads()
    if workers:
        analyze_size = analyze_batch_size or max(settings.batch_size, DASK_ANALYZE_BATCH)
        run_pages_on_dask(plan, validators, contexts, known_articles, settings, progress, workers + 1, analyze_size)
        return
    # Each task gets only its own batch's slice of the run-wide maps: Prefect walks every task argument, so
    # passing the whole run's maps to every task made its overhead grow with the square of the run's size.
    pending = fetch_task.submit(plan[0][1], plan[0][0], subset(validators, plan[0][1]), times) if plan else None
    for index, (_, batch) in enumerate(plan):
        assert pending is not None
        started = time.perf_counter()
        pages = pending.result()
        times.add("fetch_wait", time.perf_counter() - started)
        if index + 1 < len(plan):
            next_settings, next_batch = plan[index + 1]
            pending = fetch_task.submit(next_batch, next_settings, subset(validators, next_batch), times)
        records, log = analyze_task(  # quote(): Prefect need not walk 100 pages' fields looking for futures
            quote(pages), settings.nlp_models, subset(contexts, batch), {}, subset(known_articles, batch), times
        )
        progress.load(batch, *drop_seen_duplicates(records, log, progress.seen))


DASK_ANALYZE_BATCH = 400  # pages per analyse task on Dask: ~8 s of work at ~20 ms a page, against ~0.3 s a task


def subset(mapping: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {key: mapping[key] for key in keys if key in mapping}


def run_pages_on_dask(
    plan: Sequence[tuple[Settings, list[str]]],
    validators: dict[str, tuple[str | None, str | None]],
    contexts: Mapping[str, PageContext],
    known_articles: Mapping[str, str],
    settings: Settings,
    progress: BatchProgress,
    in_flight: int,
    analyze_size: int,
) -> None:
    """Fetch here (async I/O, and the WARC archive stays on this machine), analyse on the cluster, load here.

    Fetched batches are pooled into analyse tasks of about `analyze_size` pages (each Dask task costs a few
    hundred ms). Up to `in_flight` of them run at once, so the workers stay busy while the flow fetches and
    loads; the oldest is loaded first, so a story reached by two URLs keeps the URL the default runner keeps.
    """
    running: deque[tuple[list[str], PrefectFuture[Any]]] = deque()
    pooled_urls: list[str] = []
    pooled_pages: list[Any] = []

    def submit() -> None:
        future = analyze_remote_task.submit(
            list(pooled_pages), settings.nlp_models, subset(contexts, pooled_urls),  # quote() breaks on Dask
            subset(known_articles, pooled_urls),
        )
        running.append((list(pooled_urls), future))
        pooled_urls.clear()
        pooled_pages.clear()

    for index, (batch_settings, batch) in enumerate(plan):
        started = time.perf_counter()
        pooled_pages.extend(fetch_task(batch, batch_settings, subset(validators, batch), progress.times))
        progress.times.add("fetch_wait", time.perf_counter() - started)
        pooled_urls.extend(batch)
        if len(pooled_urls) >= analyze_size or index + 1 == len(plan):
            submit()
        while len(running) >= in_flight:
            progress.collect(*running.popleft())
    while running:
        progress.collect(*running.popleft())


class BatchProgress:
    """The flow-side end of each batch: duplicates across batches, the single-writer load, counts and logging."""

    def __init__(self, run_id: str, settings: Settings, summary: RunSummary, times: StageTimes, total: int) -> None:
        self.run_id, self.settings, self.summary, self.times = run_id, settings, summary, times
        self.total = total
        self.seen: dict[str, str] = {}  # article id -> the URL that loaded it in this run
        self.done = 0
        self.index = 0

    def collect(self, batch: list[str], future: PrefectFuture[Any]) -> None:
        started = time.perf_counter()
        records, log, stage_seconds = future.result()
        self.times.add("analyze_wait", time.perf_counter() - started)
        for stage, seconds in stage_seconds.items():
            self.times.add(stage, seconds)
        records, log = drop_seen_duplicates(records, log, self.seen)
        self.load(batch, records, log)

    def load(self, batch: list[str], records: list[ArticleRecord], log: list[LogEntry]) -> None:
        started = time.process_time()
        load_with_fallback(self.settings.db_path, self.run_id, records, log)
        self.times.add("load", time.process_time() - started)
        self.seen.update({record.article_id: record.fetched_url for record in records})
        self.summary.count_loaded(records)
        self.done += len(batch)
        self.index += 1
        get_run_logger().info(
            "batch %d: %d pages, %d articles loaded; %d/%d URLs done (%.0f%%)",
            self.index, len(batch), len(records), self.done, self.total, 100 * self.done / max(1, self.total),
        )


def drop_seen_duplicates(
    records: list[ArticleRecord], log: list[LogEntry], seen: Mapping[str, str]
) -> tuple[list[ArticleRecord], list[LogEntry]]:
    """Records whose article an earlier batch loaded become `duplicate` rows, as analyze_pages marks them."""
    repeated = {record.article_id: record for record in records if record.article_id in seen}
    if not repeated:
        return records, log
    kept = [record for record in records if record.article_id not in repeated]
    relabelled = [
        replace(
            entry, outcome="duplicate",
            reason=f"same article as {seen[entry.article_id]} (canonical URL {repeated[entry.article_id].url})",
        )
        if entry.outcome == "loaded" and entry.article_id in repeated
        else entry
        for entry in log
    ]
    return kept, relabelled


def dask_worker_threads() -> int:
    """Threads across the Dask cluster when this flow runs on a DaskTaskRunner, else 0."""
    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    if runner is None or type(runner).__name__ != "DaskTaskRunner":
        return 0
    try:
        workers = runner.client.scheduler_info(n_workers=-1)["workers"]
    except Exception:  # noqa: BLE001 - an odd scheduler still runs the flow, with a guess at its size
        return 2
    return max(1, sum(int(worker.get("nthreads", 1)) for worker in workers.values()))


@contextlib.contextmanager
def prefect_api_for_workers() -> Iterator[None]:
    """Make sure Dask workers report to this run's Prefect API.

    With no PREFECT_API_URL a run uses a temporary server the workers cannot be told about, so each worker
    would start a temporary server of its own (~10-20 s each, and its task runs invisible). This starts the
    temporary server up front and exports its address, which local workers inherit and every task carries.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the singleton a lone run would start; it stops at exit, after log flushing
    server.start()
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)


def scheduler_problem(address: str, timeout_seconds: float = 5.0) -> str | None:
    """Why the Dask scheduler at `address` (tcp://host:port) cannot be used, or None: checked before a run
    starts, so a typo is one line of error instead of a traceback after Prefect has started."""
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port or 8786
    except ValueError as exc:
        return f"bad Dask scheduler address {address!r}: {exc}"
    if parts.scheme not in {"tcp", "tls"} or not host:
        return f"bad Dask scheduler address {address!r}: expected tcp://host:port"
    try:
        with socket.create_connection((host, port), timeout=timeout_seconds):
            return None
    except OSError as exc:
        return f"cannot reach the Dask scheduler at {address}: {exc}"


def dask_task_runner(address: str | None = None, local_workers: int | None = None) -> Any:
    """A DaskTaskRunner on an existing scheduler, or on a local cluster of single-threaded worker processes.

    One thread a worker: spaCy and selectolax hold the GIL, so processes, not threads, give parallelism.
    """
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": local_workers or 2, "threads_per_worker": 1, "processes": True,
            "host": "127.0.0.1", "dashboard_address": None,
        },
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
    batch_size: int | None = None,
    analyze_batch_size: int | None = None,
) -> RunSummary:
    """Discover, fetch, extract and load articles from feeds, sitemaps, URL lists and a sources file."""
    logger = get_run_logger()
    settings = load_settings(
        db_path=db_path, data_dir=data_dir, allow_private_hosts=allow_private_hosts,
        min_delay_seconds=min_delay_seconds, max_urls_per_run=max_urls, batch_size=batch_size,
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
            run_pages(run_id, discovered, sources, settings, summary, times, analyze_batch_size)
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
