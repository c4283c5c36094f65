"""The Prefect task wrappers: thin, batched, and the only place Prefect meets the work in tasks/.

Each task carries a batch (100-200 pages), because every task run costs the Prefect server tens of ms; the
network-facing ones retry. Caching is off: every input is fresh data and most are not hashable.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.states import State

from tasks.analyze import PageContext, StageTimes, analyze_pages
from tasks.archive import WarcArchive, pages_from_archive
from tasks.discover import DiscoveryResult, discover_source
from tasks.disk import DiskFullError
from tasks.duplicates import ArticleClaims
from tasks.fetch import fetch_pages, fetch_resource
from tasks.nlp import DEFAULT_NLP_MAX_CHARS, Pipelines
from tasks.politeness import Politeness
from tasks.models import ArticleRecord, FetchResult, LogEntry
from tasks.settings import Settings
from tasks.sources import Source


@task(name="discover", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def discover_task(source: Source, settings: Settings, politeness: Politeness | None = None) -> DiscoveryResult:
    get = partial(fetch_resource, settings=settings, max_bytes=settings.max_feed_bytes, politeness=politeness)
    return asyncio.run(
        discover_source(
            source,
            get,
            max_sitemap_depth=settings.max_sitemap_depth,
            max_urls=settings.max_urls_per_run,
            max_bytes=settings.max_feed_bytes,
        )
    )


def retry_unless_disk_full(task: object, task_run: object, state: State[Any]) -> bool:
    """A failed fetch batch is retried (a network hiccup), but not on a full disk: it would only fail again."""
    try:
        state.result()
    except DiskFullError:
        return False
    except BaseException:  # noqa: BLE001 - any other failure goes to the retry policy
        return True
    return True


@task(
    name="fetch-batch", retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=retry_unless_disk_full,
    cache_policy=NO_CACHE,
)
def fetch_task(
    urls: list[str],
    settings: Settings,
    validators: dict[str, tuple[str | None, str | None]],
    times: StageTimes | None = None,
    politeness: Politeness | None = None,
) -> list[FetchResult]:
    """One event loop per batch; `times` gets the loop thread's CPU seconds (HTTP, decoding) as "fetch" and the
    WARC writes' (compression, in worker threads) as "archive". `politeness` is the run's robots.txt cache and
    host clocks, so batches after the first keep the spacing."""
    archive = WarcArchive(settings.warc_dir)
    started = time.thread_time()
    try:
        return asyncio.run(
            fetch_pages(urls, settings, validators=validators, archive=archive, politeness=politeness)
        )
    finally:
        archive.close()
        if times is not None:
            times.add("fetch", time.thread_time() - started)
            times.add("archive", archive.cpu_seconds)


@task(name="analyze-batch", cache_policy=NO_CACHE)
def analyze_task(
    pages: Sequence[FetchResult],
    models: Mapping[str, str],
    contexts: Mapping[str, PageContext],
    known_articles: Mapping[str, str],
    times: StageTimes,
    claims: ArticleClaims,
    nlp_max_chars: int = DEFAULT_NLP_MAX_CHARS,
    syndication_domains: frozenset[str] = frozenset(),
) -> tuple[list[ArticleRecord], list[LogEntry]]:
    """`times` also gets this thread's CPU for the whole stage: the per-stage clocks in analyze_pages are
    process-wide, so they include the fetch thread working on the next batch at the same time. `claims` is the
    run's: a story an earlier batch loaded is a duplicate here before any NLP is spent on it."""
    started = time.thread_time()
    try:
        return analyze_pages(
            pages, Pipelines(dict(models)), contexts, known_articles, times, claims, nlp_max_chars, syndication_domains
        )
    finally:
        times.add("analyze", time.thread_time() - started)


@task(name="analyze-batch-remote", cache_policy=NO_CACHE)
def analyze_remote_task(
    pages: Sequence[FetchResult],
    models: Mapping[str, str],
    contexts: Mapping[str, PageContext],
    known_articles: Mapping[str, str],
    nlp_max_chars: int = DEFAULT_NLP_MAX_CHARS,
    previous_owners: Mapping[str, str] | None = None,
    syndication_domains: frozenset[str] = frozenset(),
) -> tuple[list[ArticleRecord], list[LogEntry], dict[str, float]]:
    """The analyse stage for a Dask worker: returns its CPU seconds per stage (a StageTimes passed in would be a
    copy on another machine), and leaves duplicates across batches to the flow, which settles them in batch order
    against the run's claims (ArticleClaims.settle). `previous_owners` are the run's claims on the batch's known
    articles, so an owner later in the batch than its twin still keeps its article."""
    times = StageTimes()
    claims = ArticleClaims(previous_owners)
    records, log = analyze_pages(
        pages, Pipelines(dict(models)), contexts, known_articles, times, claims, nlp_max_chars, syndication_domains
    )
    return records, log, dict(times.seconds)


@task(name="read-archive", cache_policy=NO_CACHE)
def read_archive_task(entries: list[tuple[str, str, int]]) -> list[FetchResult]:
    return pages_from_archive(entries)

