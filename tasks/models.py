"""Plain data passed between the stages. Frozen dataclasses so a stage cannot mutate another's output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How every URL a run is given ends up; the fetch_log.outcome column holds one of these.
Outcome = Literal["loaded", "unchanged", "duplicate", "robots", "skipped", "failed"]


@dataclass(frozen=True)
class DiscoveredUrl:
    """A candidate article URL and where it came from."""

    url: str  # canonical form (tasks.urls.canonicalize)
    source: str  # source name from sources.yaml, or "cli"
    found_in: str  # feed / sitemap URL, file path, or "start"
    title: str | None = None  # from the feed / news sitemap, when given
    published: str | None = None  # ISO 8601 from the feed / news sitemap, when given
    lastmod: str | None = None  # ISO 8601 sitemap <lastmod>: when the page last changed (a weak date hint)
    listed_as: str | None = None  # the absolute URL as the feed/sitemap wrote it, when its canonical form differs


@dataclass(frozen=True)
class FetchResult:
    """One URL's fetch. `body` is the decoded-from-transfer-encoding bytes; `text` the decoded HTML."""

    url: str  # the URL asked for (canonical)
    final_url: str  # after redirects
    outcome: Outcome  # "loaded" here means "fetched, ready to extract"; unchanged (304), robots, failed
    status: int | None = None
    reason: str | None = None  # why it failed / was skipped, in words a user can act on
    content_type: str | None = None
    charset: str | None = None
    text: str | None = None  # decoded HTML, None unless outcome == "loaded"
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None  # ISO 8601 UTC
    elapsed_ms: int | None = None
    n_bytes: int = 0
    warc_path: str | None = None  # set once archived
    warc_offset: int | None = None
    warc_length: int | None = None
    body: bytes | None = None  # raw bytes, set by fetch_resource only (feeds, sitemaps, maybe still gzipped)


@dataclass(frozen=True)
class Document:
    """What extraction and cleaning make of one page."""

    url: str | None
    title: str | None
    text: str  # clean body, paragraphs separated by a blank line
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO 8601 (with timezone when known)
    modified: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    description: str | None = None
    image: str | None = None
    summary_points: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quote:
    """A direct quote; offsets index the clean body text (start inclusive, end exclusive, inside the marks)."""

    ordinal: int
    text: str
    start: int
    end: int
    speaker_text: str | None  # as written near the quote ("he", "Zhu", "America's top diplomat")
    speaker: str | None  # resolved name ("Zhu Feng", "NATO")
    speaker_label: str | None  # PERSON / ORG / GPE / None, the entity label of the resolved speaker
    verb: str | None
    kind: Literal["full", "partial", "scare"]


@dataclass(frozen=True)
class ArticleEntity:
    """One resolved entity in one article (all its mentions folded together)."""

    name: str  # canonical name within the article ("Antony Blinken", "United States")
    label: str  # spaCy label: PERSON, ORG, GPE, LOC, NORP, ...
    mention_count: int
    first_start: int
    first_end: int
    surfaces: tuple[str, ...] = ()  # distinct surface forms seen ("Blinken", "Antony Blinken")
    role: str | None = None  # for people, the role the article gives them


@dataclass(frozen=True)
class Analysis:
    """A fetched page after extraction, cleaning, quotes and entities."""

    document: Document
    quotes: tuple[Quote, ...] = ()
    entities: tuple[ArticleEntity, ...] = ()
    error: str | None = None  # set when a stage after extraction failed; the document is still loaded
    language: str | None = None  # ISO 639-1 of the text (tasks/language.py), the declaration only as a hint
    declared_language: str | None = None  # what the page declared, normalised to ISO 639-1
    note: str | None = None  # why part of the analysis was left out ("no entity model for de", or the nlp_max_chars cut)


@dataclass(frozen=True)
class LogEntry:
    """One fetch_log row: what became of one URL in one run."""

    url: str
    kind: str  # article, feed, sitemap, url_list
    outcome: str
    source: str | None = None
    found_in: str | None = None
    status_code: int | None = None
    reason: str | None = None
    final_url: str | None = None
    article_id: str | None = None
    content_type: str | None = None
    n_bytes: int | None = None
    elapsed_ms: int | None = None
    fetched_at: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    warc_path: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None


@dataclass(frozen=True)
class ArticleRecord:
    """An analysed article ready to load, with where its raw response lives."""

    article_id: str
    url: str  # canonical
    fetched_url: str
    source: str | None
    analysis: Analysis
    fetched_at: str | None
    warc_path: str | None
    warc_offset: int | None
    warc_length: int | None
