"""The run report: what a scrape or reprocess run did, returned to the CLI and left as Prefect artifacts (the
run's Markdown, and the report's key figures as a table, so a scheduled run can be read in the Prefect UI)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ParamSpec, TypeVar

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.states import Failed, State

from tasks.disk import DiskFullError
from tasks.models import ArticleRecord
from warehouse.db import DatabaseBusyError, SchemaVersionError, SpaceReserve, connect
from warehouse.report import key_figures

P = ParamSpec("P")
R = TypeVar("R")


SUCCESS_OUTCOMES = ("loaded", "unchanged", "duplicate")  # the site answered and the article is in the warehouse
REFUSED_OUTCOMES = ("failed", "robots")  # the site could not be read


class NothingLoadedError(RuntimeError):
    """A run in which no article could be read: raised at the end of the flow so the run ends Failed (red in the
    Prefect UI, exit code 1 on the CLI) after its rows and report are written."""

    def __init__(self, message: str, summary: RunSummary | None = None) -> None:
        super().__init__(message)
        self.summary = summary

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (str(self), self.summary))


def refusals_fail_the_run(fn: Callable[P, R]) -> Callable[P, R | State]:
    """A flow that stops for a reason the user can act on (another run's writer lock or a reader that stayed open,
    a database from a newer newsdesk, nothing that could be loaded, a full disk) ends Failed with that reason as its state
    message, instead of the traceback Prefect logs for a raised exception: it is a message, not a bug. The caller
    of the flow still gets the exception (the CLI prints it as one line, or the run's report)."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R | State:
        try:
            return fn(*args, **kwargs)
        except (DatabaseBusyError, SchemaVersionError, NothingLoadedError, DiskFullError) as exc:
            return Failed(message=f"{type(exc).__name__}: {exc}", data=exc)

    return run


def run_verdict(counts: Mapping[str, int], failed_resources: int) -> tuple[bool, str | None]:
    """(failed, message) of a finished run, from its article outcome counts and failed feed/sitemap/list rows.

    Failed: nothing ended loaded, unchanged or duplicate, and something failed or robots.txt refused it (an
    unreachable host, a feed gone, every page refused). Completed with a warning: some URLs failed, or nothing
    was found at all. Only URLs the run's own patterns or limits left out never make a run fail.
    """
    succeeded = sum(counts.get(outcome, 0) for outcome in SUCCESS_OUTCOMES)
    refused = sum(counts.get(outcome, 0) for outcome in REFUSED_OUTCOMES)
    if succeeded == 0 and (refused or failed_resources):
        return True, (
            f"nothing could be loaded: {refused} article URL(s) failed or were refused by robots.txt, "
            f"{failed_resources} feed/sitemap/list(s) failed (see fetch_log for this run)"
        )
    if refused or failed_resources:
        return False, f"{refused} article URL(s) and {failed_resources} feed/sitemap/list(s) failed or were refused"
    if succeeded == 0:
        return False, "no article URLs found"
    return False, None


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

    def stopped_by(self, exc: BaseException) -> None:
        """The run failed on `exc`: a full disk is its own message ("disk full: <path>"), anything else names its
        type."""
        self.status = "failed"
        self.message = str(exc) if isinstance(exc, DiskFullError) else f"{type(exc).__name__}: {exc}"

    def write_end(self, write: Callable[[], None], reserve: SpaceReserve) -> DiskFullError | None:
        """Write the run's end with `write`; on a full disk give the run's reserved space back and try once more.
        Returns the error when even that did not fit: the run is failed all the same, and the next run marks its
        row `interrupted`."""
        for last_try in (False, True):
            try:
                write()
                return None
            except DiskFullError as exc:
                self.status = "failed"
                self.message = self.message or str(exc)
                if last_try or not reserve.release():
                    note = f"its end could not be written to the database ({exc}); the next run marks it interrupted"
                    self.message = f"{self.message}; {note}"
                    get_run_logger().error("run %s: %s", self.run_id, note)
                    return exc
        return None

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


def publish(summary: RunSummary) -> None:
    """The summary as the run's Markdown artifact (`scrape-report`, `reprocess-report`) in Prefect's UI."""
    create_markdown_artifact(
        summary.markdown(), key=f"{summary.flow}-report", description=f"newsdesk {summary.flow} run"
    )


def publish_key_figures(db_path: Path, run_id: str) -> None:
    """Called at the end of a run inside its writer lock. A failure here is logged, not raised: the run's rows
    are already recorded, and the artifact only mirrors them."""
    try:
        with connect(db_path) as con:
            rows = key_figures(con, run_id, str(db_path))
        create_table_artifact(rows, key="newsdesk-key-figures", description=f"newsdesk key figures of {db_path}")
    except Exception as exc:  # noqa: BLE001 - recorded in the run's log with its type
        get_run_logger().warning("key figures artifact not published: %s: %s", type(exc).__name__, exc)
