"""The run report: what a scrape or reprocess run did, returned to the CLI and left as a Markdown artifact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from prefect.artifacts import create_markdown_artifact

from tasks.models import ArticleRecord


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


def publish(summary: RunSummary) -> None:
    """The summary as the run's Markdown artifact (`scrape-report`, `reprocess-report`) in Prefect's UI."""
    create_markdown_artifact(
        summary.markdown(), key=f"{summary.flow}-report", description=f"newsdesk {summary.flow} run"
    )
