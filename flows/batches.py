"""The page stage of a scrape run: discovered URLs planned into batches, each fetched, analysed and loaded.

With the default task runner the next batch is fetched (in a thread) while this one is analysed in the flow
process. On a Dask cluster the flow fetches batch after batch itself and keeps every worker busy with analysis;
results are loaded in batch order, so the rows are the same either way. The flow process is the only DuckDB
writer and opens the file only for each batch's load transaction.
"""

from __future__ import annotations

import time
from collections import deque
from itertools import zip_longest
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from prefect import get_run_logger
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote

from flows.report import RunSummary
from flows.runtime import DASK_ANALYZE_BATCH, dask_client, dask_worker_threads
from flows.steps import analyze_remote_task, analyze_task, fetch_task
from tasks.analyze import PageContext, StageTimes
from tasks.disk import DiskFullError
from tasks.duplicates import ArticleClaims
from tasks.politeness import Politeness
from tasks.models import ArticleRecord, DiscoveredUrl, LogEntry
from tasks.settings import Settings
from tasks.sources import Source, source_settings
from warehouse.db import connect
from warehouse.load import known_article_for_url, load_batch, previous_owners, previous_validators

Plan = list[tuple[Settings, list[str]]]  # (the source's settings, its batch of URLs), in run order


def batches(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def subset(mapping: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {key: mapping[key] for key in keys if key in mapping}


def plan_batches(discovered: Sequence[DiscoveredUrl], sources: Sequence[Source], settings: Settings) -> Plan:
    """Batches of `batch_size` URLs, each fetched with its sources' politeness settings, spread over hosts.

    Sources with the same politeness share batches, and their URLs take turns by host (each host's URLs keep their
    order): a batch is fetched before the next starts, so 100 URLs of one host would wait 99 gaps of
    min_delay_seconds while 100 URLs of 100 hosts go out together. Groups come in order of first appearance.
    """
    by_name = {source.name: source for source in sources}
    groups: dict[tuple[float, int], tuple[Settings, dict[str, list[str]]]] = {}
    for item in discovered:
        polite = source_settings(settings, by_name.get(item.source))
        key = (polite.min_delay_seconds, polite.per_host_concurrency)
        _, hosts = groups.setdefault(key, (polite, {}))
        hosts.setdefault(urlsplit(item.url).netloc, []).append(item.url)
    plan: Plan = []
    for polite, hosts in groups.values():
        turns = [url for turn in zip_longest(*hosts.values()) for url in turn if url is not None]
        plan += [(polite, batch) for batch in batches(turns, settings.batch_size)]
    return plan


def run_pages(
    run_id: str,
    discovered: Sequence[DiscoveredUrl],
    sources: Sequence[Source],
    settings: Settings,
    summary: RunSummary,
    times: StageTimes,
    politeness: Politeness,
    analyze_batch_size: int | None = None,
) -> None:
    """Fetch, analyse and load every discovered URL, batch by batch."""
    contexts = {
        item.url: PageContext(source=item.source, found_in=item.found_in, published=item.published, lastmod=item.lastmod)
        for item in discovered
    }
    with connect(settings.db_path) as con:
        all_urls = [item.url for item in discovered]
        validators = previous_validators(con, all_urls)
        known_articles = known_article_for_url(con, all_urls)
        owners = previous_owners(con, all_urls)
    plan = plan_batches(discovered, sources, settings)
    progress = BatchProgress(run_id, settings, summary, times, total=len(discovered), owners=owners)
    workers = dask_worker_threads()
    if workers:
        analyze_size = analyze_batch_size or max(settings.batch_size, DASK_ANALYZE_BATCH)
        run_pages_on_dask(
            plan, validators, contexts, known_articles, settings, progress, politeness, workers + 1, analyze_size
        )
        return
    # Each task gets only its own batch's slice of the run-wide maps: Prefect walks every task argument, so
    # passing the whole run's maps to every task made its overhead grow with the square of the run's size.
    # (`politeness` and `progress.claims` are plain objects, which Prefect does not walk.)
    def fetch_next(index: int) -> PrefectFuture[Any]:
        batch_settings, batch = plan[index]
        return fetch_task.submit(batch, batch_settings, subset(validators, batch), times, politeness)

    pending = fetch_next(0) if plan else None
    for index, (_, batch) in enumerate(plan):
        assert pending is not None
        started = time.perf_counter()
        pages = pending.result()
        times.add("fetch_wait", time.perf_counter() - started)
        if index + 1 < len(plan):
            pending = fetch_next(index + 1)
        records, log = analyze_task(  # quote(): Prefect need not walk 100 pages' fields looking for futures
            quote(pages), settings.nlp_models, subset(contexts, batch), subset(known_articles, batch), times,
            progress.claims, settings.nlp_max_chars, frozenset(settings.syndication_domains),
        )
        # Prefect keeps a finished task's return value reachable from its run context until the thread runs its
        # next task, so without this the batch's HTML (15-30 MB a batch of 100 real pages) lived on beside the
        # next two batches: ~70 MB more peak RSS over a run (bench/results.md). Nothing reads the pages again.
        pages.clear()
        progress.load(batch, records, log)


def run_pages_on_dask(
    plan: Plan,
    validators: dict[str, tuple[str | None, str | None]],
    contexts: Mapping[str, PageContext],
    known_articles: Mapping[str, str],
    settings: Settings,
    progress: BatchProgress,
    politeness: Politeness,
    in_flight: int,
    analyze_size: int,
) -> None:
    """Fetch here (async I/O, and the WARC archive stays on this machine), analyse on the cluster, load here.

    Fetched batches are pooled into analyse tasks of about `analyze_size` pages (each Dask task costs a few
    hundred ms). Up to `in_flight` of them run at once, so the workers stay busy while the flow fetches and
    loads; the oldest is loaded first, so a story reached by two URLs keeps the URL the default runner keeps.
    """
    client = dask_client()
    # (the task's URLs, its pages on a worker, the task): the pages' future is held until the task is collected
    running: deque[tuple[list[str], Any, PrefectFuture[Any]]] = deque()
    pooled_urls: list[str] = []
    pooled_pages: list[Any] = []

    def submit() -> None:
        # The pages go to a worker as data of their own (scatter), not inside the task: the scheduler keeps a
        # task's arguments, unpickled, until the task is released, and a LocalCluster's scheduler lives in this
        # process, so every page in flight was held here twice over (~1,200 MB peak on 705 real pages against
        # ~520 MB for the default runner, bench/results.md). hash=False: naming the data need not read it all.
        [pages] = client.scatter([list(pooled_pages)], hash=False)
        known = subset(known_articles, pooled_urls)
        future = analyze_remote_task.submit(
            pages, settings.nlp_models, subset(contexts, pooled_urls),  # quote() breaks on Dask
            known, settings.nlp_max_chars, progress.claims.owners_of(known.values()),
            frozenset(settings.syndication_domains),
        )
        running.append((list(pooled_urls), pages, future))
        pooled_urls.clear()
        pooled_pages.clear()

    def collect_oldest() -> None:
        """Load the oldest task's result; its pages and result are released on the cluster when this returns."""
        urls, _pages, future = running.popleft()
        progress.collect(urls, future)

    for index, (batch_settings, batch) in enumerate(plan):
        started = time.perf_counter()
        fetched = fetch_task(batch, batch_settings, subset(validators, batch), progress.times, politeness)
        progress.times.add("fetch_wait", time.perf_counter() - started)
        pooled_pages.extend(fetched)
        fetched.clear()  # Prefect keeps a task's return value reachable until the thread's next task (run_pages)
        pooled_urls.extend(batch)
        if len(pooled_urls) >= analyze_size or index + 1 == len(plan):
            submit()
        while len(running) >= in_flight:
            collect_oldest()
    while running:
        collect_oldest()


class BatchProgress:
    """The flow-side end of each batch: the run's article claims, the single-writer load, counts and logging."""

    def __init__(
        self, run_id: str, settings: Settings, summary: RunSummary, times: StageTimes, total: int,
        owners: Mapping[str, str] | None = None,
    ) -> None:
        self.run_id, self.settings, self.summary, self.times = run_id, settings, summary, times
        self.total = total
        self.claims = ArticleClaims(owners)  # article id -> the URL that holds it in this run (or stored it before)
        self.done = 0
        self.index = 0

    def collect(self, batch: list[str], future: PrefectFuture[Any]) -> None:
        """Load a batch analysed on a worker, whose claims were its own: settle them against the run's first."""
        started = time.perf_counter()
        records, log, stage_seconds = future.result()
        self.times.add("analyze_wait", time.perf_counter() - started)
        for stage, seconds in stage_seconds.items():
            self.times.add(stage, seconds)
        self.load(batch, *self.claims.settle(records, log))

    def load(self, batch: list[str], records: list[ArticleRecord], log: list[LogEntry]) -> None:
        started = time.process_time()
        load_with_fallback(self.settings.db_path, self.run_id, records, log)
        self.times.add("load", time.process_time() - started)
        self.summary.count_loaded(records)
        self.done += len(batch)
        self.index += 1
        get_run_logger().info(
            "batch %d: %d pages, %d articles loaded; %d/%d URLs done (%.0f%%)",
            self.index, len(batch), len(records), self.done, self.total, 100 * self.done / max(1, self.total),
        )


def load_with_fallback(db_path: Path, run_id: str, records: list[ArticleRecord], log: list[LogEntry]) -> None:
    """Load a batch; if its transaction fails, record each of its URLs as failed so none goes unaccounted.

    A full disk is not this batch's fault (recording the failures would not fit either): it stops the run, and
    the next run, with space freed, loads these URLs again."""
    try:
        with connect(db_path) as con:
            load_batch(con, run_id, records, log)
    except DiskFullError:
        raise
    except Exception as exc:
        get_run_logger().exception("loading a batch of %d pages failed", len(log))
        failed = [
            LogEntry(
                url=entry.url, kind=entry.kind, outcome="failed", source=entry.source, found_in=entry.found_in,
                status_code=entry.status_code, final_url=entry.final_url, reason=f"load failed: {type(exc).__name__}: {exc}",
            )
            for entry in log
        ]
        with connect(db_path) as con:
            load_batch(con, run_id, [], failed)
