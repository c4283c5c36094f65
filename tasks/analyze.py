"""From fetched pages to loadable records: extraction, cleaning, quotes and entities for a batch, and the outcome
of every page (loaded, unchanged, duplicate, skipped, failed).

One spaCy pass covers quotes and entities of the whole batch. Errors are caught here, once per page, where the
outcome is recorded: a page whose extraction raises is `failed` with "extraction error: <type>: <message>", a
page whose NLP raises is still loaded with its text and `analysis_error` set; the traceback is logged once and
the batch goes on.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tasks.dates import published_after_fetch
from tasks.duplicates import ArticleClaims, duplicate_reason
from tasks.extract import extract_document
from tasks.metadata import with_listing_dates
from tasks.models import Analysis, ArticleRecord, Document, FetchResult, LogEntry
from tasks.ids import article_id
from tasks.language import LanguageReading, detect_language, normalise_declared_language
from tasks.nlp import DEFAULT_NLP_MAX_CHARS, ModelNotInstalledError, Pipelines, analyze_language, as_pipelines, nlp_prefix
from urllib.parse import urlsplit

from tasks.urls import UrlError, canonicalize, registrable_domain

logger = logging.getLogger(__name__)


@dataclass
class StageTimes:
    """CPU-side seconds spent per stage, summed over a run, for the run report and the benchmarks."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds


@dataclass(frozen=True)
class PageContext:
    """Where a URL came from, carried to its fetch_log row, and the dates its feed or sitemap gave it."""

    source: str | None = None
    found_in: str | None = None
    published: str | None = None  # feed date / news:publication_date: a publication date
    lastmod: str | None = None  # sitemap <lastmod>: a weak hint


INDEX_FILES = ("index.html", "index.htm", "index.php", "index.shtml", "default.aspx", "home", "home.html")


def canonical_choice(
    document: Document, fetched_url: str, syndication_domains: frozenset[str] = frozenset()
) -> tuple[str, str | None]:
    """(the article's URL, why the page's rel=canonical was not used, or None when it was or there was none).

    rel=canonical names the article only when it is plausible for one: a valid http(s) URL on the same
    registrable domain as the fetched page (or one of `syndication_domains`), and not the site's home page or a
    section front above the page (some sites declare their home page as every article's canonical, which would
    collapse the whole site into one article). Otherwise the fetched URL is the article's URL.
    """
    fetched = _canonical_or_none(fetched_url) or fetched_url
    declared = document.canonical_url
    if not declared:
        return fetched, None
    canonical = _canonical_or_none(declared)
    if canonical is None:
        return fetched, f"rel=canonical {declared!r} is not an http(s) URL; stored under the fetched URL"
    if canonical == fetched:
        return canonical, None
    domain = registrable_domain(canonical)
    fetched_domain = registrable_domain(fetched)
    # a page fetched by IP address (a local copy, the demo site) has no domain to compare with
    if domain != fetched_domain and domain not in syndication_domains and not _is_ip_host(fetched_domain):
        return fetched, f"rel=canonical {canonical} is on another site ({domain}); stored under the fetched URL"
    if _is_front_of(canonical, fetched):
        return fetched, f"rel=canonical {canonical} is the site's home page or a section front; stored under the fetched URL"
    return canonical, None


def canonical_url_of(document: Document, fetched_url: str) -> str:
    """The article's URL: its rel=canonical when plausible for an article (canonical_choice), else the fetched URL."""
    return canonical_choice(document, fetched_url)[0]


def _is_ip_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _canonical_or_none(url: str) -> str | None:
    try:
        return canonicalize(url)
    except UrlError:
        return None


def _is_front_of(canonical: str, fetched: str) -> bool:
    """True when `canonical` is the home page or a folder above `fetched` (a section front), not an article."""
    front, page = urlsplit(canonical), urlsplit(fetched)
    if front.query and front.query != page.query:
        return False  # /?p=123: an article addressed by its query
    path = front.path
    last = path.rsplit("/", 1)[-1]
    if last.lower() in INDEX_FILES:
        path = path[: -len(last)]
    folder = path.rstrip("/") + "/"
    return folder == "/" or page.path.startswith(folder) and page.path.rstrip("/") != path.rstrip("/")


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def analyze_documents(
    documents: Sequence[Document], nlp: Any, max_chars: int = DEFAULT_NLP_MAX_CHARS
) -> list[Analysis]:
    """Language, quotes and entities of each document; texts of one language share one NLP pass. A failing text
    gets `error`, not an exception.

    `nlp` is a tasks.nlp.Pipelines (a model per language), a {language: model} mapping, or one English pipeline.
    Only the first `max_chars` of a text are read (Settings.nlp_max_chars); an article cut short says so in `note`.
    """
    pipelines = as_pipelines(nlp)
    readings: list[LanguageReading] = []
    detection_errors: dict[int, str] = {}
    for index, document in enumerate(documents):
        try:
            readings.append(detect_language(document.text, document.language))
        except Exception as exc:  # noqa: BLE001 - recorded on the row; the declaration stands in
            declared = normalise_declared_language(document.language)
            readings.append(LanguageReading(declared, declared, 0.0))
            detection_errors[index] = f"language detection failed: {error_text(exc)}"
    languages = [pipelines.assume_language or reading.language for reading in readings]
    by_language: dict[str | None, list[int]] = {}
    for index, language in enumerate(languages):
        by_language.setdefault(language, []).append(index)
    analyses: list[Analysis | None] = [None] * len(documents)
    for language, indexes in by_language.items():
        results = _analyze_one_language([documents[i] for i in indexes], language, pipelines, max_chars)
        for index, analysis in zip(indexes, results, strict=True):
            reading = readings[index]
            analysis = replace(analysis, language=reading.language, declared_language=reading.declared)
            if index in detection_errors and analysis.error is None:
                analysis = replace(analysis, error=detection_errors[index])
            analyses[index] = analysis
    done = [analysis for analysis in analyses if analysis is not None]
    if len(done) != len(documents):
        raise RuntimeError(f"analysis lost {len(documents) - len(done)} of {len(documents)} documents")
    return done


def _analyze_one_language(
    documents: list[Document], language: str | None, pipelines: Pipelines, max_chars: int
) -> list[Analysis]:
    texts = [document.text for document in documents]
    cap_notes = [nlp_prefix(text, max_chars)[1] for text in texts]
    try:
        results, language_note = analyze_language(texts, language, pipelines, max_chars)
        return [
            Analysis(
                document=document, entities=tuple(entities), quotes=tuple(quotes),
                # the cap is worth a note only where a model read the text (no model: no entities at all)
                note=language_note or cap_note,
            )
            for document, (entities, quotes), cap_note in zip(documents, results, cap_notes, strict=True)
        ]
    except ModelNotInstalledError:
        raise  # a setting to fix, not a page to record
    except Exception:  # find the culprit(s): retry one at a time
        analyses = []
        for document, cap_note in zip(documents, cap_notes, strict=True):
            try:
                ((entities, quotes),), language_note = analyze_language([document.text], language, pipelines, max_chars)
                analyses.append(
                    Analysis(
                        document=document, entities=tuple(entities), quotes=tuple(quotes),
                        note=language_note or cap_note,
                    )
                )
            except Exception as exc:  # noqa: BLE001 - recorded on the row, the article still loads
                logger.exception("NLP failed on %s; the article loads with analysis_error set", document.url)
                analyses.append(Analysis(document=document, error=error_text(exc), note=cap_note))
        return analyses


def page_report(analysis: Analysis) -> dict[str, object]:
    """The `newsdesk extract` output for one page; its keys are a stable interface."""
    document = analysis.document
    report: dict[str, object] = {
        "url": document.canonical_url or document.url,
        "title": document.title,
        "authors": list(document.authors),
        "published": document.published,
        "modified": document.modified,
        "language": analysis.language,
        "declared_language": analysis.declared_language,
        "site_name": document.site_name,
        "summary_points": list(document.summary_points),
        "text": document.text,
        "quotes": [
            {"quote": quote.text, "speaker": quote.speaker, "speaker_text": quote.speaker_text, "kind": quote.kind}
            for quote in analysis.quotes
        ],
        "entities": [
            {"name": entity.name, "label": entity.label, "mentions": entity.mention_count, "role": entity.role}
            for entity in analysis.entities
        ],
    }
    if analysis.error:
        report["analysis_error"] = analysis.error
    if analysis.note:
        report["analysis_note"] = analysis.note
    return report


def log_entry_for(page: FetchResult, context: PageContext, **changes: Any) -> LogEntry:
    entry = LogEntry(
        url=page.url,
        kind="article",
        outcome=page.outcome,
        source=context.source,
        found_in=context.found_in,
        status_code=page.status,
        reason=page.reason,
        final_url=page.final_url,
        content_type=page.content_type,
        n_bytes=page.n_bytes,
        elapsed_ms=page.elapsed_ms,
        fetched_at=page.fetched_at,
        etag=page.etag,
        last_modified=page.last_modified,
        warc_path=page.warc_path,
        warc_offset=page.warc_offset,
        warc_length=page.warc_length,
    )
    return replace(entry, **changes) if changes else entry


def published_not_after_fetch(
    document: Document, context: PageContext, fetched_at: str | None
) -> tuple[Document, str | None]:
    """The page's dates, filled from its feed or sitemap entry, with a published date more than a day after the
    fetch dropped (a listing's date then takes its place when it is plausible); returns why one was dropped.

    Dropped rather than kept: a future date would put the article on a day not yet come in every per-day view,
    report and story; the note (articles.analysis_note) keeps the value."""
    note = published_after_fetch(document.published, fetched_at)
    if note:
        document = replace(document, published=None)
    document = with_listing_dates(document, context.published, context.lastmod)
    listing_note = published_after_fetch(document.published, fetched_at)
    if listing_note:
        document = replace(document, published=None)
    return document, note or listing_note


def analyze_pages(
    pages: Sequence[FetchResult],
    nlp: Any,
    contexts: Mapping[str, PageContext],
    known_articles: Mapping[str, str],
    times: StageTimes | None = None,
    claims: ArticleClaims | None = None,
    nlp_max_chars: int = DEFAULT_NLP_MAX_CHARS,
    syndication_domains: frozenset[str] = frozenset(),
) -> tuple[list[ArticleRecord], list[LogEntry]]:
    """Records to load and one fetch_log entry per page.

    `claims` holds the article ids this run has already claimed (a fresh one when not given), so a second URL for
    the same story (rel=canonical, mirror) ends as `duplicate`. `known_articles` maps URLs to the article id of
    their previous fetch, so a 304 keeps its article link.
    """
    times = times or StageTimes()
    claims = claims if claims is not None else ArticleClaims()
    log: list[LogEntry] = []
    candidates: list[tuple[FetchResult, Document, str, str, str | None]] = []
    date_notes: dict[str, str | None] = {}  # article id -> why its published date was dropped
    started = time.thread_time()  # this thread's: the process clock also counted the next batch's fetch
    for page in pages:
        context = contexts.get(page.url, PageContext())
        if page.outcome != "loaded" or page.text is None:
            known = known_articles.get(page.url)
            # an unchanged page holds its article too: its twin loading now would take the article over
            earlier = claims.claim(known, page.url) if page.outcome == "unchanged" and known else None
            if earlier is not None:
                log.append(
                    log_entry_for(
                        page, context, outcome="duplicate", article_id=known, reason=duplicate_reason(earlier, earlier)
                    )
                )
                continue
            log.append(log_entry_for(page, context, article_id=known))
            continue
        try:
            document = extract_document(page.text, page.final_url or page.url)
        except Exception as exc:  # noqa: BLE001 - a bug costs this page, recorded with its type; the batch goes on
            logger.exception("extraction error on %s", page.url)
            log.append(log_entry_for(page, context, outcome="failed", reason=f"extraction error: {error_text(exc)}"))
            continue
        document, date_note = published_not_after_fetch(document, context, page.fetched_at)
        if not document.text.strip():
            log.append(
                log_entry_for(page, context, outcome="skipped", reason="no article text found (not an article page?)")
            )
            continue
        canonical, canonical_note = canonical_choice(document, page.final_url or page.url, syndication_domains)
        if canonical_note:
            logger.info("%s: %s", page.url, canonical_note)
        aid = article_id(canonical)
        earlier = claims.claim(aid, page.url)
        if earlier is not None:
            log.append(
                log_entry_for(
                    page, context, outcome="duplicate", article_id=aid, reason=duplicate_reason(earlier, canonical)
                )
            )
            continue
        candidates.append((page, document, canonical, aid, canonical_note))
        date_notes[aid] = date_note
    times.add("extract", time.thread_time() - started)

    started = time.thread_time()  # BLAS runs on this thread (tasks.nlp limits it to one)
    analyses = analyze_documents([document for _, document, _, _, _ in candidates], nlp, nlp_max_chars)
    times.add("nlp", time.thread_time() - started)

    records = []
    for (page, _, canonical, aid, canonical_note), analysis in zip(candidates, analyses, strict=True):
        context = contexts.get(page.url, PageContext())
        if date_notes.get(aid):
            analysis = replace(analysis, note="; ".join(filter(None, [date_notes[aid], analysis.note])))
        records.append(
            ArticleRecord(
                article_id=aid,
                url=canonical,
                fetched_url=page.final_url or page.url,
                source=context.source,
                analysis=analysis,
                fetched_at=page.fetched_at,
                warc_path=page.warc_path,
                warc_offset=page.warc_offset,
                warc_length=page.warc_length,
            )
        )
        log.append(log_entry_for(page, context, outcome="loaded", article_id=aid, reason=canonical_note))
    return records, log
