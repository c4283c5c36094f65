"""The reprocess flow: re-extract every stored article from the raw WARC archive, with no network, and reload
the derived tables, so a better extractor can be applied to old crawls."""

from __future__ import annotations

import time
import uuid

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.batches import batches
from flows.report import RunSummary, publish, refusals_fail_the_run
from flows.steps import analyze_task, read_archive_task
from tasks.analyze import PageContext, StageTimes
from tasks.disk import DiskFullError
from tasks.duplicates import ArticleClaims
from tasks.settings import load_settings
from warehouse.db import SpaceReserve, connect, writer_lock
from warehouse.load import archived_articles, finish_run, load_batch, start_run
from warehouse.search import refresh_after_load
from warehouse.stories import backfill_stories, reset_stories


@flow(name="reprocess", validate_parameters=True)
@refusals_fail_the_run
def reprocess(db_path: str | None = None, data_dir: str | None = None) -> RunSummary:
    """Rebuild articles, quotes and entities from the archive; an unreadable record is counted as failed."""
    logger = get_run_logger()
    settings = load_settings(db_path=db_path, data_dir=data_dir)
    run_id = str(flow_run.id or uuid.uuid4())
    summary = RunSummary(run_id=run_id, flow="reprocess", db_path=str(settings.db_path))
    times = StageTimes()
    started = time.perf_counter()
    unrecorded: DiskFullError | None = None
    with writer_lock(settings.db_path, settings.lock_timeout_seconds), SpaceReserve(settings.db_path) as reserve:
        with connect(settings.db_path) as con:
            start_run(con, run_id, "reprocess", {"db_path": str(settings.db_path)})
            stored = archived_articles(con)
            reset_stories(con)  # every signature is rebuilt from the new texts as they load
        logger.info("%d archived articles to reprocess", len(stored))
        counts = {"loaded": 0, "failed": 0, "skipped": 0, "duplicate": 0}
        claims = ArticleClaims()  # two stored URLs that now resolve to one article load it once
        try:
            for index, batch in enumerate(batches(stored, settings.batch_size)):
                pages = read_archive_task([(url, path, offset) for _, url, _, path, offset in batch])
                contexts = {url: PageContext(source=source) for _, url, source, _, _ in batch}
                known = {url: aid for aid, url, _, _, _ in batch}
                records, log = analyze_task(
                    pages, settings.nlp_models, contexts, known, times, claims, settings.nlp_max_chars,
                    frozenset(settings.syndication_domains),
                )
                not_rebuilt = []  # damaged or missing archive records, pages that no longer extract
                for entry in log:
                    if entry.outcome != "loaded":
                        counts[entry.outcome if entry.outcome in counts else "failed"] += 1
                        if entry.outcome != "duplicate":  # loaded once already, under its first URL
                            summary.failures.append((entry.url, entry.reason or entry.outcome))
                            not_rebuilt.append(entry)
                with connect(settings.db_path) as con:  # each one in fetch_log, however many: the summary keeps 50
                    load_batch(con, run_id, records, not_rebuilt)
                counts["loaded"] += len(records)
                summary.count_loaded(records)
                logger.info("batch %d: %d articles reloaded", index + 1, len(records))
            with connect(settings.db_path) as con:
                backfill_stories(con)  # articles the archive could not give back keep their stored text
            refresh_after_load(settings.db_path)  # the search index matches the reloaded texts
            summary.status = "completed"
        except Exception as exc:
            summary.stopped_by(exc)
            raise
        finally:
            summary.counts = counts
            summary.seconds = time.perf_counter() - started
            summary.stage_seconds = dict(times.seconds)
            summary.failures = summary.failures[:50]

            def write_end() -> None:
                with connect(settings.db_path) as con:
                    finish_run(con, run_id, summary.status, counts, summary.message)

            unrecorded = summary.write_end(write_end, reserve)
            publish(summary)
    if unrecorded is not None:  # (when the run itself had stopped on an error, that error is raised instead)
        raise unrecorded
    return summary
