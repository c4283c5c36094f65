"""The one rule for `duplicate`: within a run, the first URL to reach an article id loads it, and every later URL
for the same article (rel=canonical, a mirror, a tracking variant) is logged as a duplicate of that first URL.

One ArticleClaims lives for a whole run. The analysis step claims article ids as it extracts pages (so a duplicate
costs no NLP); results analysed where the run's claims were not at hand (a Dask worker) are settled against
them afterwards, in batch order, with `settle`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tasks.models import ArticleRecord, LogEntry


def duplicate_reason(first_url: str, canonical_url: str) -> str:
    return f"same article as {first_url} (canonical URL {canonical_url})"


class ArticleClaims:
    """Article id -> the URL that claimed it first in this run.

    A plain class, not a dataclass: Prefect walks dataclass task arguments field by field, and this map grows with
    the run.
    """

    def __init__(self) -> None:
        self._first_url: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._first_url)

    def claim(self, article_id: str, url: str) -> str | None:
        """Claim `article_id` for `url`; the URL that claimed it earlier when it is already taken, else None."""
        earlier = self._first_url.get(article_id)
        if earlier is None:
            self._first_url[article_id] = url
        return earlier

    def settle(self, records: list[ArticleRecord], log: list[LogEntry]) -> tuple[list[ArticleRecord], list[LogEntry]]:
        """Claim a batch analysed elsewhere: its `loaded` pages whose article an earlier batch claimed become
        `duplicate` rows and their records are dropped. The batch itself must already be free of duplicates."""
        canonical = {record.article_id: record.url for record in records}
        repeated: set[str] = set()
        settled: list[LogEntry] = []
        for entry in log:
            if entry.outcome == "loaded" and entry.article_id is not None:
                earlier = self.claim(entry.article_id, entry.url)
                if earlier is not None:
                    repeated.add(entry.article_id)
                    entry = replace(
                        entry, outcome="duplicate",
                        reason=duplicate_reason(earlier, canonical.get(entry.article_id, entry.url)),
                    )
            settled.append(entry)
        if not repeated:
            return records, log
        return [record for record in records if record.article_id not in repeated], settled


def unique_articles(records: Sequence[ArticleRecord]) -> None:
    """Raise when one article id comes twice in a batch to load: ArticleClaims should have made that impossible,
    and loading either copy silently would hide the bug."""
    seen: set[str] = set()
    for record in records:
        if record.article_id in seen:
            raise ValueError(f"article {record.article_id} ({record.url}) twice in one batch: a duplicate not claimed")
        seen.add(record.article_id)
