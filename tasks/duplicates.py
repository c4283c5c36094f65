"""The one rule for `duplicate`: within a run, the first URL to reach an article id loads it, and every later URL
for the same article (rel=canonical, a mirror, a tracking variant) is logged as a duplicate of that first URL.

One ArticleClaims lives for a whole run. The analysis step claims article ids as it extracts pages (so a duplicate
costs no NLP); results analysed where the run's claims were not at hand (a Dask worker) are settled against
them afterwards, in batch order, with `settle`.

Across runs the owner stays the owner: an article a previous run stored from URL X is seeded as X's claim when X is
in this run too, so a twin that was `duplicate` before stays `duplicate` (also when X comes back 304 or later in
the batch order) and the article's fetched_url and run_id do not switch to the twin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from tasks.models import ArticleRecord, LogEntry


def duplicate_reason(first_url: str, canonical_url: str) -> str:
    return f"same article as {first_url} (canonical URL {canonical_url})"


class ArticleClaims:
    """Article id -> the URL that claimed it first in this run.

    A plain class, not a dataclass: Prefect walks dataclass task arguments field by field, and this map grows with
    the run.
    """

    def __init__(self, previous_owners: Mapping[str, str] | None = None) -> None:
        """`previous_owners`: article id -> the URL that stored it in an earlier run (only URLs of this run)."""
        self._first_url: dict[str, str] = dict(previous_owners or {})

    def owners_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        """The claims on these article ids, for an analysis step that runs elsewhere (a Dask worker)."""
        return {aid: self._first_url[aid] for aid in article_ids if aid in self._first_url}

    def __len__(self) -> int:
        return len(self._first_url)

    def claim(self, article_id: str, url: str) -> str | None:
        """Claim `article_id` for `url`; the other URL that holds it when it is already taken, else None."""
        earlier = self._first_url.get(article_id)
        if earlier is None or earlier == url:
            self._first_url[article_id] = url
            return None
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
