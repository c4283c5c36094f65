"""Finding article URLs: RSS/Atom feeds, XML sitemaps (indexes, gzip, Google News), plain URL lists.

The parsers are pure (bytes in, data out) so they can be tested without a network; `discover_source` is the one
walker, and it gets its I/O through an injected `get` so politeness, robots.txt and size caps stay in the fetcher.
Every URL a source yields ends up either kept or in a `(url, reason)` rejection, and every feed or sitemap that
could not be used is a `(resource, reason)` failure: a run can always say what happened to everything.
"""

from __future__ import annotations

import asyncio
import codecs
import functools
import io
import re
import zlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLPullParser

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from tasks.dates import normalize_date
from tasks.models import DiscoveredUrl, FetchResult, LogEntry, Outcome
from tasks.urls import canonicalize

if TYPE_CHECKING:
    from tasks.sources import Source

GZIP_MAGIC = b"\x1f\x8b"
XML_PIECE_BYTES = 64 * 1024  # XML fed to the parser at a time: its queue of parsed elements stays small
FEED_ROOTS = frozenset({"rss", "feed", "rdf"})  # root elements of a feed given where a sitemap was expected

# Reason prefixes of rejections, so callers can map a rejection to a fetch_log outcome without parsing prose.
REASON_DUPLICATE = "duplicate"
REASON_INVALID = "invalid URL"
REASON_DENIED = "denied by pattern"
REASON_NOT_ALLOWED = "matches no allow pattern"
REASON_OVER_LIMIT = "over the URL limit"


class DiscoveryError(ValueError):
    """A feed or sitemap that cannot be used; the message says why in words a user can act on."""


@dataclass
class SitemapPage:
    """What one sitemap document holds: article URLs (urlset) and/or child sitemaps (sitemapindex)."""

    urls: list[DiscoveredUrl] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # child sitemap URLs, canonical
    lastmod: dict[str, str] = field(default_factory=dict)  # canonical URL -> ISO 8601 <lastmod>, when given
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (raw <loc>, reason) for locs that were skipped
    error: str | None = None  # set when the document was cut short and only its first part was read


@dataclass
class DiscoveryResult:
    """One source's discovery: URLs to fetch, and an account of everything else."""

    urls: list[DiscoveredUrl] = field(default_factory=list)  # deduplicated, filtered, at most max_urls
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (url or raw line, reason)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (feed/sitemap URL, reason) not usable
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (feed/sitemap URL, reason) not visited on purpose
    lastmod: dict[str, str] = field(default_factory=dict)  # canonical URL -> sitemap <lastmod>
    read: dict[str, str | None] = field(default_factory=dict)  # feed/sitemap read -> the index that listed it
    notes: dict[str, str] = field(default_factory=dict)  # feed/sitemap read -> what its log row should add


def rejection_outcome(reason: str) -> Outcome:
    """The fetch_log outcome a rejection reason stands for."""
    if reason.startswith(REASON_DUPLICATE):
        return "duplicate"
    if reason.startswith(REASON_INVALID):
        return "failed"
    return "skipped"


# --------------------------------------------------------------------------------------------------- helpers


_WHITESPACE = re.compile(r"\s")


def _canonical_or_reason(raw: str, base: str | None = None) -> tuple[str | None, str | None]:
    """(canonical URL, None) or (None, reason); relative links are resolved against base first."""
    text = raw.strip()
    if not text:
        return None, f"{REASON_INVALID}: empty"
    if _WHITESPACE.search(text):
        return None, f"{REASON_INVALID}: contains whitespace"
    if base and not text.startswith(("http://", "https://")):
        try:
            text = urljoin(base, text)
        except ValueError as exc:
            return None, f"{REASON_INVALID}: {exc}"
    try:
        return canonicalize(text), None
    except ValueError as exc:  # UrlError, or a parse error urllib raises before canonicalize can word it
        return None, f"{REASON_INVALID}: {exc}"


def _listed_as(raw: str, base: str, canonical: str) -> str | None:
    """The link as listed (made absolute), when canonicalising changed it: a tracking copy gets its own log row."""
    try:
        listed = urljoin(base, raw.strip())
    except ValueError:
        return None
    return listed if listed != canonical else None


def _clean_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _struct_time_iso(value: Any) -> str | None:
    """feedparser's *_parsed values are UTC struct_times."""
    try:
        return datetime(*value[:6], tzinfo=UTC).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _entry_date(entry: Any, key: str) -> str | None:
    """The feed's own date with its own UTC offset when readable; else feedparser's (UTC) reading of it."""
    # dict.get, not entry.get: feedparser's own get maps updated<->published with a DeprecationWarning.
    raw = dict.get(entry, key)
    own = normalize_date(raw) if isinstance(raw, str) else None
    if own is not None and ("+" in own[10:] or "-" in own[10:]):
        return own
    return _struct_time_iso(dict.get(entry, f"{key}_parsed"))


@functools.lru_cache(maxsize=256)
def _local(tag: Any) -> str:
    """Element name without namespace: sitemaps in the wild use several namespace URIs (or none)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].split(":")[-1].lower()


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _declares_entities(body: bytes) -> bool:
    """True when an internal DTD subset declares entities (billion laughs, external file/URL entities)."""
    sample = body
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            sample = body.decode(encoding, errors="replace").encode("utf-8", errors="replace")
            break
    return re.search(rb"<!DOCTYPE[^>\[]*\[", sample) is not None and b"<!ENTITY" in sample


# ----------------------------------------------------------------------------------------------------- feeds


def parse_feed(body: bytes, feed_url: str, source: str) -> list[DiscoveredUrl]:
    """Entries of an RSS or Atom feed; entries without a usable link are skipped.

    Raises DiscoveryError when the body declares XML entities (refused, never expanded or fetched) or when
    nothing usable was found and the body is not a feed at all.
    """
    urls, _invalid = _parse_feed_detailed(body, feed_url, source)
    return urls


def _parse_feed_detailed(
    body: bytes, feed_url: str, source: str
) -> tuple[list[DiscoveredUrl], list[tuple[str, str]]]:
    if _declares_entities(body):
        raise DiscoveryError(
            f"feed {feed_url} declares XML entities in a DOCTYPE; refused without expanding them "
            "(entity expansion is how 'billion laughs' and external-entity file reads work)"
        )
    try:
        # A stream, never bytes/str: feedparser treats a bytes/str argument as a file name or URL to open first.
        parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": feed_url})
    except Exception as exc:  # feedparser is lenient, but arbitrary bytes must not crash a run
        raise DiscoveryError(f"cannot parse feed {feed_url}: {exc}") from exc
    urls: list[DiscoveredUrl] = []
    invalid: list[tuple[str, str]] = []
    for entry in parsed.get("entries", []):
        link = entry.get("link")
        if not isinstance(link, str) or not link.strip():
            label = _clean_text(entry.get("title")) or "(entry without title)"
            invalid.append((label, f"{REASON_INVALID}: entry has no link"))
            continue
        url, reason = _canonical_or_reason(link, feed_url)
        if url is None:
            invalid.append((link, reason or REASON_INVALID))
            continue
        published = _entry_date(entry, "published") or _entry_date(entry, "updated")
        urls.append(
            DiscoveredUrl(url=url, source=source, found_in=feed_url, title=_clean_text(entry.get("title")),
                          published=published, listed_as=_listed_as(link, feed_url, url))
        )
    if not urls and not invalid and not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        head = body[:200].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            raise DiscoveryError(f"{feed_url} is not an RSS or Atom feed (it looks like an HTML page)")
        detail = f": {problem}" if isinstance(problem, Exception) and "Content-type" not in str(problem) else ""
        raise DiscoveryError(f"{feed_url} is not an RSS or Atom feed (no RSS or Atom root element{detail})")
    return urls, invalid


# -------------------------------------------------------------------------------------------------- sitemaps


def parse_sitemap(body: bytes, sitemap_url: str, source: str, max_bytes: int) -> SitemapPage:
    """URLs and child sitemaps of one sitemap: urlset, sitemapindex, gzip, Google News, or plain text.

    The whole-body form of SitemapReader (the walker streams instead). Parsed with defusedxml: entity
    declarations are refused, never expanded or fetched. A document cut short keeps what was read before the break
    (page.error says so); raises DiscoveryError when nothing was usable.
    """
    reader = SitemapReader(sitemap_url, source, max_bytes)
    reader.feed(body)
    return reader.close()


Take = Callable[[DiscoveredUrl], bool]  # False: the run wants no more URLs, stop reading


class SitemapReader:
    """One sitemap parsed while its bytes arrive, so a 50,000-URL sitemap is never held whole and reading can stop
    as soon as the run has all the URLs it may take (`take` says no): the rest of the body is never read.

    feed() never raises (a problem ends the read and close() raises it); it returns False once no more bytes are
    wanted. urlset and sitemapindex are parsed incrementally, each finished element dropped from the tree; the
    other accepted forms (a feed given as a sitemap, the plain-text form) need the whole body and are parsed at
    close() without `take`.
    """

    def __init__(self, sitemap_url: str, source: str, max_bytes: int, take: Take | None = None) -> None:
        self.url, self.source, self.max_bytes, self.take = sitemap_url, source, max_bytes, take
        self.page = SitemapPage()
        self.stopped = False  # `take` said no: the rest of the sitemap was not read
        self.size = 0  # bytes of XML/text read (after gzip)
        self._problem: DiscoveryError | None = None
        self._head: bytes | None = b""  # the first bytes, until they say gzip or not (then None)
        self._gunzip: Any = None
        self._whole: list[bytes] | None = []  # the body, kept until the root element says it can be streamed
        self._form: str | None = None  # "xml" or "text", once the first non-blank byte is seen
        self._pull: XMLPullParser | None = None
        self._root: str | None = None
        self._root_element: Element | None = None
        self._depth = 0

    # -- input ---------------------------------------------------------------------------------------------

    def feed(self, data: bytes) -> bool:
        """Take the next bytes of the body; False once no more are wanted (stopped, or the read failed)."""
        if not self._wants_more() or not data:
            return self._wants_more()
        try:
            if self._head is not None:
                self._head += data
                if len(self._head) < 2:
                    return True
                data, self._head = self._head, None
                if data[:2] == GZIP_MAGIC:
                    self._gunzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
            if self._gunzip is not None:
                self._inflate(data)
            else:
                self._xml_or_text(data)
        except DiscoveryError as exc:
            self._problem = exc
        return self._wants_more()

    def _wants_more(self) -> bool:
        return not self.stopped and self._problem is None and self.page.error is None

    def _inflate(self, data: bytes) -> None:
        try:
            while data and self._wants_more():
                piece = self._gunzip.decompress(data, 256 * 1024)
                data = self._gunzip.unconsumed_tail
                if self.size + len(piece) > self.max_bytes:
                    raise DiscoveryError(
                        f"gzip data expands beyond the cap of {self.max_bytes:,} bytes (max_feed_bytes); "
                        "refusing to read further"
                    )
                self._xml_or_text(piece)
                if self._gunzip.eof:
                    break
        except zlib.error as exc:
            raise DiscoveryError(f"corrupt gzip data: {exc}") from exc

    def _xml_or_text(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise DiscoveryError(f"sitemap {self.url} is over the cap of {self.max_bytes:,} bytes (max_feed_bytes)")
        if self._whole is not None:
            self._whole.append(data)
        if self._form is None:
            sample = b"".join(self._whole or [])
            stripped = sample.lstrip(b"\xef\xbb\xbf \t\r\n")
            if not stripped:
                return
            boms = tuple(bom for bom, _ in _BOMS)
            self._form = "xml" if stripped[:1] == b"<" or sample.startswith(boms) else "text"
            if self._form == "xml":
                self._pull = XMLPullParser(events=("start", "end"), _parser=DefusedXMLParser(
                    target=TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True))
                data = sample
        for start in range(0, len(data), XML_PIECE_BYTES):  # the parser queues every element of what it is fed
            if self._form != "xml" or self._pull is None or self._root in FEED_ROOTS or not self._wants_more():
                break
            self._parse(data[start : start + XML_PIECE_BYTES])

    # -- XML -----------------------------------------------------------------------------------------------

    def _parse(self, data: bytes, closing: bool = False) -> None:
        assert self._pull is not None
        try:
            if closing:
                self._pull.close()
            else:
                self._pull.feed(data)
            self._events()
        except DefusedXmlException as exc:
            raise DiscoveryError(
                f"sitemap {self.url} declares XML entities ({exc}); refused without expanding them "
                "(entity expansion is how 'billion laughs' and external-entity file reads work)"
            ) from exc
        except (LookupError, UnicodeError) as exc:  # an XML declaration naming an encoding Python does not know
            raise DiscoveryError(f"sitemap {self.url} cannot be decoded: {exc}") from exc
        except ParseError as exc:
            page = self.page
            if self._root in FEED_ROOTS:
                return  # a feed is read by feedparser, which is lenient, from the whole body at close()
            if self._root is None or not (page.urls or page.sitemaps or page.invalid):
                raise DiscoveryError(f"sitemap {self.url} is not well-formed XML: {exc}") from exc
            page.error = f"sitemap {self.url} is cut short or malformed ({exc}); kept the entries before the break"

    def _events(self) -> None:
        assert self._pull is not None
        for event, element in self._pull.read_events():
            if self._root in FEED_ROOTS or not self._wants_more():
                return
            name = _local(element.tag)
            if event == "start":
                self._depth += 1
                if self._root is None:
                    self._start_root(name, element)
                continue
            self._depth -= 1
            if name == "url" and self._root == "urlset":
                if not self._take_url(element):
                    return
                element.clear()
            elif name == "sitemap" and self._root == "sitemapindex":
                loc = _child_text(element, "loc")
                url, reason = _canonical_or_reason(loc or "", self.url)
                if url is None:
                    self.page.invalid.append((loc or "(sitemap without <loc>)", reason or REASON_INVALID))
                else:
                    self.page.sitemaps.append(url)
                element.clear()
            if self._depth == 1 and self._root_element is not None:
                self._root_element.clear()  # finished entries leave the tree: memory stays flat

    def _start_root(self, name: str, element: Element) -> None:
        self._root, self._root_element = name, element
        if name in FEED_ROOTS:
            return  # search engines accept feeds as sitemaps; so do we, from the whole body at close()
        if name not in {"urlset", "sitemapindex"}:
            raise DiscoveryError(
                f"{self.url} is not a sitemap: root element is <{name}>, expected <urlset> or <sitemapindex>"
            )
        self._whole = None  # streamable: the body need not be kept

    def _take_url(self, element: Element) -> bool:
        """Read one <url>; False (and stop) when `take` wants no more."""
        page = self.page
        urls, stamps = len(page.urls), len(page.lastmod)
        _read_url_element(element, page, self.url, self.source)
        if self.take is None or len(page.urls) == urls or self.take(page.urls[-1]):
            return True
        dropped = page.urls.pop()  # not taken: as if the sitemap ended before it
        if len(page.lastmod) > stamps:
            page.lastmod.pop(dropped.url, None)
        self.stopped = True
        return False

    # -- result --------------------------------------------------------------------------------------------

    def close(self) -> SitemapPage:
        """What was read; DiscoveryError when the sitemap was unusable."""
        if self._problem is None and self._wants_more():
            try:
                if self._head:  # a body of one byte
                    data, self._head = self._head, None
                    self._xml_or_text(data)
                if self._pull is not None and self._root not in FEED_ROOTS:
                    self._parse(b"", closing=True)
            except DiscoveryError as exc:
                self._problem = exc
        if self._problem is not None:
            raise self._problem
        if self._form is None:
            raise DiscoveryError(f"sitemap {self.url} is empty")
        body = b"".join(self._whole or [])
        if self._form == "text":
            return _parse_text_sitemap(body, self.url, self.source)
        if self._root in FEED_ROOTS:
            urls, invalid = _parse_feed_detailed(body, self.url, self.source)
            return SitemapPage(urls=urls, invalid=invalid)
        if self._root is None:
            raise DiscoveryError(f"sitemap {self.url} has no XML root element")
        return self.page


def _read_url_element(element: Element, page: SitemapPage, sitemap_url: str, source: str) -> None:
    """One <url>: only its direct <loc> counts (an <image:loc> inside <image:image> is not an article)."""
    loc = _child_text(element, "loc")
    url, reason = _canonical_or_reason(loc or "", sitemap_url)
    if url is None:
        page.invalid.append((loc or "(url without <loc>)", reason or REASON_INVALID))
        return
    title = published = None
    for child in element:
        if _local(child.tag) == "news":
            title = _clean_text(_child_text(child, "title"))
            published = normalize_date(_child_text(child, "publication_date"))
    lastmod = normalize_date(_child_text(element, "lastmod"))
    if lastmod:
        page.lastmod.setdefault(url, lastmod)
    page.urls.append(
        DiscoveredUrl(url=url, source=source, found_in=sitemap_url, title=title, published=published,
                      listed_as=_listed_as(loc or "", sitemap_url, url))
    )


def _parse_text_sitemap(body: bytes, sitemap_url: str, source: str) -> SitemapPage:
    """The sitemaps.org plain-text form: one URL per line, UTF-8."""
    text = body.decode("utf-8", errors="replace")
    urls, invalid = parse_url_list(text, source, sitemap_url)
    if not urls:
        raise DiscoveryError(f"sitemap {sitemap_url} is neither XML nor a list of URLs")
    return SitemapPage(urls=urls, invalid=invalid)


# ------------------------------------------------------------------------------------------------- URL lists


def parse_url_list(text: str, source: str, found_in: str) -> tuple[list[DiscoveredUrl], list[tuple[str, str]]]:
    """One URL per line; blank lines and lines starting with # are ignored; bad lines come back with a reason."""
    urls: list[DiscoveredUrl] = []
    invalid: list[tuple[str, str]] = []
    for line_number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        url, reason = _canonical_or_reason(line)
        if url is None:
            invalid.append((raw, f"{reason} (line {line_number})"))
        else:
            urls.append(DiscoveredUrl(url=url, source=source, found_in=found_in))
    return urls, invalid


# --------------------------------------------------------------------------------------------------- filters


def filter_urls(
    urls: Iterable[DiscoveredUrl], allow: Sequence[str], deny: Sequence[str]
) -> tuple[list[DiscoveredUrl], list[tuple[str, str]]]:
    """Drop repeats (the first sighting wins) and URLs the patterns rule out; deny beats allow.

    Patterns are regular expressions searched anywhere in the canonical URL; with no allow patterns every URL
    is allowed. Raises DiscoveryError for a pattern that is not a valid regular expression.
    """
    allow_res = [_compile(pattern, "allow") for pattern in allow]
    deny_res = [_compile(pattern, "deny") for pattern in deny]
    kept: list[DiscoveredUrl] = []
    rejected: list[tuple[str, str]] = []
    first_seen: dict[str, DiscoveredUrl] = {}
    spelled: set[str] = set()
    for item in urls:
        earlier = first_seen.get(item.url)
        if earlier is not None:
            # The URL is fetched (and logged) once, under its canonical form. Every other spelling it was listed
            # under (a tracking-parameter copy), whichever came first, is a duplicate row under that spelling;
            # the same spelling twice is one URL and gets no second row.
            spellings = [spelling for spelling in (earlier.listed_as, item.listed_as) if spelling]
            for spelling in dict.fromkeys(spellings or [item.url]):
                if spelling not in spelled:
                    spelled.add(spelling)
                    rejected.append(
                        (spelling, f"{REASON_DUPLICATE}: same canonical URL as {item.url} (found in {earlier.found_in} and {item.found_in})")
                    )
            continue
        first_seen[item.url] = item
        denied_by = next((rx.pattern for rx in deny_res if rx.search(item.url)), None)
        if denied_by is not None:
            rejected.append((item.url, f"{REASON_DENIED} {denied_by!r}"))
        elif allow_res and not any(rx.search(item.url) for rx in allow_res):
            rejected.append((item.url, REASON_NOT_ALLOWED))
        else:
            kept.append(item)
    return kept, rejected


def _compile(pattern: str, kind: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except (re.error, TypeError) as exc:
        raise DiscoveryError(f"{kind} pattern {pattern!r} is not a valid regular expression: {exc}") from exc


# ---------------------------------------------------------------------------------------------------- walker

class Getter(Protocol):
    """Fetches a feed or sitemap; with `stream`, hands each attempt's body to a fresh sink instead of keeping it
    (tasks.fetch.fetch_resource). A getter that ignores `stream` and returns the body works too."""

    def __call__(self, url: str, *, stream: Callable[[], Callable[[bytes], bool]] | None = None
                 ) -> Awaitable[FetchResult]: ...


async def discover_source(
    source: Source,
    get: Getter,
    max_sitemap_depth: int,
    max_urls: int,
    max_bytes: int,
    extra_urls: Sequence[DiscoveredUrl] = (),
    extra_rejected: Sequence[tuple[str, str]] = (),
) -> DiscoveryResult:
    """Walk one source's start URLs, feeds and sitemaps (indexes to max_sitemap_depth, no loops).

    Order of precedence when max_urls cuts the list: start URLs, extra_urls (e.g. a --urls file parsed with
    parse_url_list, whose bad lines go in extra_rejected), feeds, then sitemaps level by level. Never raises for
    one bad feed or sitemap: it becomes a failure and the rest carries on.
    """
    result = DiscoveryResult(rejected=list(extra_rejected))
    found: list[DiscoveredUrl] = []
    for raw in source.start_urls:
        url, reason = _canonical_or_reason(raw)
        if url is None:
            result.rejected.append((raw, reason or REASON_INVALID))
        else:
            found.append(DiscoveredUrl(url=url, source=source.name, found_in="start"))
    found.extend(extra_urls)

    async def fetch_body(resource: str) -> bytes | None:
        try:
            fetched = await get(resource)
        except Exception as exc:  # the fetcher should not raise, but one bad resource must not end the walk
            result.failures.append((resource, f"fetch error: {type(exc).__name__}: {exc}"))
            return None
        if fetched.outcome == "unchanged":
            result.skipped.append((resource, "not modified since the last fetch"))
            return None
        if fetched.outcome != "loaded":
            reason = fetched.reason or (f"HTTP {fetched.status}" if fetched.status else fetched.outcome)
            result.failures.append((resource, f"{fetched.outcome}: {reason}"))
            return None
        body = _body_of(fetched)
        if body is None:
            result.failures.append((resource, "fetched but the response had no body"))
        elif len(body) > max_bytes:
            result.failures.append((resource, f"{len(body):,} bytes, over the cap of {max_bytes:,} bytes"))
            return None
        return body

    allow_res = [_compile(pattern, "allow") for pattern in source.allow]
    deny_res = [_compile(pattern, "deny") for pattern in source.deny]
    passing: set[str] = set()

    def passes(item: DiscoveredUrl) -> bool:
        return not any(rx.search(item.url) for rx in deny_res) and (
            not allow_res or any(rx.search(item.url) for rx in allow_res)
        )

    def count(items: Iterable[DiscoveredUrl]) -> None:
        passing.update(item.url for item in items if passes(item))

    def budget_left() -> bool:
        """Stop reading more sitemaps once enough distinct URLs pass the filters."""
        return len(passing) < max_urls

    count(found)

    feeds = _unique_resources(source.feeds, result)
    bodies = await asyncio.gather(*(fetch_body(feed) for feed in feeds))
    for feed, body in zip(feeds, bodies, strict=True):
        if body is None:
            continue
        try:
            urls, invalid = _parse_feed_detailed(body, feed, source.name)
        except DiscoveryError as exc:
            result.failures.append((feed, str(exc)))
            continue
        result.read.setdefault(feed, None)
        found.extend(urls)
        count(urls)
        result.rejected.extend(invalid)

    async def read_sitemap(sitemap: str) -> SitemapReader | None:
        """Stream one sitemap, taking URLs while the budget lasts; None when it could not be used (a failure)."""
        attempts: list[tuple[SitemapReader, set[str]]] = []

        def untake_last() -> None:  # an attempt that did not finish gives back what it counted
            if attempts:
                passing.difference_update(attempts[-1][1])

        def open_reader() -> Callable[[bytes], bool]:
            untake_last()
            taken: set[str] = set()

            def take(item: DiscoveredUrl) -> bool:
                if not budget_left():
                    return False
                if passes(item) and item.url not in passing:
                    passing.add(item.url)
                    taken.add(item.url)
                return True

            reader = SitemapReader(sitemap, source.name, max_bytes, take)
            attempts.append((reader, taken))
            return reader.feed

        try:
            fetched = await get(sitemap, stream=open_reader)
        except Exception as exc:  # the fetcher should not raise, but one bad resource must not end the walk
            untake_last()
            result.failures.append((sitemap, f"fetch error: {type(exc).__name__}: {exc}"))
            return None
        if fetched.outcome != "loaded":
            untake_last()
            if fetched.outcome == "unchanged":
                result.skipped.append((sitemap, "not modified since the last fetch"))
            else:
                reason = fetched.reason or (f"HTTP {fetched.status}" if fetched.status else fetched.outcome)
                result.failures.append((sitemap, f"{fetched.outcome}: {reason}"))
            return None
        if not attempts:  # a getter that returned the body: read it the same way
            body = _body_of(fetched)
            if body is None:
                result.failures.append((sitemap, "fetched but the response had no body"))
                return None
            open_reader()(body)
        reader = attempts[-1][0]
        try:
            reader.page = reader.close()
        except DiscoveryError as exc:
            untake_last()
            result.failures.append((sitemap, str(exc)))
            return None
        count(reader.page.urls)  # a feed or text sitemap is read whole, without `take`
        return reader

    visited: set[str] = set()
    parents: dict[str, str] = {}  # child sitemap -> the index that listed it first
    level = _unique_resources(source.sitemaps, result)
    depth = 0
    while level:
        children: list[str] = []
        for sitemap in level:  # one at a time: which URLs a limit keeps must not depend on network timing
            if sitemap in visited:
                result.skipped.append((sitemap, "sitemap already read in this run (loop or repeat)"))
                continue
            if not budget_left():
                result.skipped.append((sitemap, f"not read: {max_urls:,} URLs already found (max_urls_per_run)"))
                continue
            visited.add(sitemap)
            reader = await read_sitemap(sitemap)
            if reader is None:
                continue
            page = reader.page
            result.read.setdefault(sitemap, parents.get(sitemap))
            if reader.stopped:
                result.notes[sitemap] = (
                    f"read in part: {len(page.urls):,} URLs taken, then the limit of {max_urls:,} URLs was reached "
                    "(max_urls_per_run) and the rest of this sitemap was not read"
                )
            if page.error:
                result.failures.append((sitemap, page.error))
            found.extend(page.urls)
            result.rejected.extend(page.invalid)
            for url, stamp in page.lastmod.items():
                result.lastmod.setdefault(url, stamp)
            for child in page.sitemaps:
                if depth + 1 > max_sitemap_depth:
                    result.skipped.append(
                        (child, f"sitemap index nested deeper than max_sitemap_depth={max_sitemap_depth}")
                    )
                else:
                    children.append(child)
                parents.setdefault(child, sitemap)
        level = list(dict.fromkeys(children))
        depth += 1

    kept, rejected = filter_urls(found, source.allow, source.deny)
    result.rejected.extend(rejected)
    if len(kept) > max_urls:
        result.rejected.extend(
            (item.url, f"{REASON_OVER_LIMIT}: {max_urls:,} URLs per run (max_urls_per_run)") for item in kept[max_urls:]
        )
        kept = kept[:max_urls]
    kept_urls = {item.url for item in kept}
    result.lastmod = {url: stamp for url, stamp in result.lastmod.items() if url in kept_urls}
    result.urls = [  # each URL carries its <lastmod> on to extraction, as a weak date hint
        replace(item, lastmod=result.lastmod[item.url]) if item.lastmod is None and item.url in result.lastmod else item
        for item in kept
    ]
    return result


def discovery_log(source: Source, result: DiscoveryResult) -> list[LogEntry]:
    """One fetch_log row per feed, sitemap (child sitemaps of an index too) and rejected URL of a source's walk.

    A resource that failed is `failed`, one not read on purpose `skipped`, one read `loaded`; a URL found twice
    under the same spelling is one URL and gets no second row (fetch_log has one row per URL a run).
    """
    kinds = {url: "feed" for raw in source.feeds for url in (raw, _canonical_or_reason(raw)[0]) if url}
    rows: dict[str, LogEntry] = {}
    for url, reason in result.failures:  # a sitemap cut short was read, but its failure is the news
        rows.setdefault(url, LogEntry(url=url, kind=kinds.get(url, "sitemap"), outcome="failed", source=source.name,
                                      reason=reason))
    for url, parent in result.read.items():  # read, perhaps also skipped later as a repeat
        kind = kinds.get(url, "sitemap")
        rows.setdefault(url, LogEntry(url=url, kind=kind, outcome="loaded", source=source.name, found_in=parent,
                                      reason=result.notes.get(url)))
    for url, reason in result.skipped:
        rows.setdefault(url, LogEntry(url=url, kind=kinds.get(url, "sitemap"), outcome="skipped", source=source.name,
                                      reason=reason))
    kept = {item.url for item in result.urls}
    for url, reason in result.rejected:
        if url not in kept:
            rows.setdefault(
                url, LogEntry(url=url, kind="article", outcome=rejection_outcome(reason), source=source.name, reason=reason)
            )
    return list(rows.values())


def _unique_resources(resources: Sequence[str], result: DiscoveryResult) -> list[str]:
    """Feed/sitemap URLs in canonical form, each once; unusable ones are failures."""
    unique: list[str] = []
    for raw in resources:
        url, reason = _canonical_or_reason(raw)
        if url is None:
            result.failures.append((raw, reason or REASON_INVALID))
        elif url not in unique:
            unique.append(url)
    return unique


def _body_of(fetched: FetchResult) -> bytes | None:
    """Raw bytes when the fetcher kept them; else the decoded text, re-encoded (its XML declaration fixed)."""
    body = getattr(fetched, "body", None)
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if fetched.text is None:
        return None
    text = re.sub(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""", r'\1"utf-8"', fetched.text, count=1)
    return text.encode("utf-8")
