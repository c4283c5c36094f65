"""All of newsdesk's network I/O: polite, bounded HTTP GETs of article pages and of feeds/sitemaps.

Every per-URL problem ends as a FetchResult with an outcome and a reason a user can act on; nothing here raises
for one bad URL. Politeness (robots.txt, per-host concurrency and spacing, Retry-After) and hard limits
(deadline, body size after decompression, redirects, private hosts) are enforced here and nowhere else.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import math
import random
import re
import threading
import time
import weakref
import zlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Literal
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
from protego import Protego

from tasks.archive import ArchiveError, WarcArchive, read_response
from tasks.models import FetchResult
from tasks.settings import Settings
from tasks.urls import UrlError, check_host_allowed, host_of

log = logging.getLogger(__name__)

Validators = Mapping[str, tuple[str | None, str | None]]
Kind = Literal["page", "resource", "robots"]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Feeds, sitemaps and URL lists come as XML, text, JSON feeds or gzip files, often with a generic type.
RESOURCE_TYPES = frozenset(
    {"application/gzip", "application/x-gzip", "application/octet-stream", "application/json",
     "application/feed+json", "application/x-ndjson"}
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 500_000  # Google's robots.txt limit; the rest is ignored
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 asks crawlers to follow at least five
ROBOTS_TTL_SECONDS = 24 * 3600  # RFC 9309: do not use a cached robots.txt longer than a day
ERROR_BODY_CAP = 1_000_000  # error pages are archived for diagnosis, but never more than this
MAX_BACKOFF_SECONDS = 60.0
DNS_LOOKUPS_IN_FLIGHT = 16  # each runs in a thread; many hosts must not mean many threads
META_SNIFF_BYTES = 4096
DECODE_PIECE_BYTES = 256 * 1024  # decompressed output per step: memory stays near the cap


# ---------------------------------------------------------------------------------------------------------
# Charset


_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Labels browsers decode with a superset (WHATWG Encoding Standard); decoding like a browser avoids mojibake.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "windows-1252": "cp1252", "iso-8859-9": "cp1254",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "x-sjis": "shift_jis", "tis-620": "cp874",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949",
}
_REFUSED_CHARSETS = frozenset({"utf-7", "utf7", "x-user-defined"})


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when unknown or not a text encoding."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if not name or name in _REFUSED_CHARSETS:
        return None
    name = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
        b"".decode(info.name)  # rejects bytes-to-bytes codecs such as base64 or zlib
    except (LookupError, ValueError, TypeError):
        return None
    return info.name


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _header_charset(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """HTML bytes to text the way a browser would: (text, codec used). Never raises; bad bytes become U+FFFD.

    Order: a byte-order mark (it wins in browsers too), the Content-Type charset, <meta charset> or http-equiv
    in the first 4 KB, strict UTF-8, charset-normalizer's guess, UTF-8 with replacement.
    """
    try:
        return _decode_html(body, content_type)
    except Exception as exc:  # belt and braces: the contract is "never raises"
        log.warning("decode_html fell back to utf-8: %s", exc)
        return bytes(body or b"").decode("utf-8", errors="replace"), "utf-8"


def _decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    body = bytes(body or b"")
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace").lstrip("\ufeff"), codecs.lookup(codec).name
    codec = _codec(_header_charset(content_type))
    if codec is None:
        match = _META_CHARSET.search(body[:META_SNIFF_BYTES])
        if match:
            codec = _codec(match.group(1).decode("ascii", errors="ignore"))
            if codec and codec.startswith("utf-16"):
                codec = "utf-8"  # a meta tag readable as ASCII cannot be in UTF-16 (HTML spec)
    if codec is None:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        codec = _detect(body)
    text = body.decode(codec, errors="replace")
    return text.lstrip("\ufeff"), codec


def _detect(body: bytes) -> str:
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(body[:200_000]).best()
    except Exception:  # detection is a guess; a failure just means "use the default"
        best = None
    return (_codec(best.encoding) if best is not None else None) or "utf-8"


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:].lstrip()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")) or b"<html" in head


# ---------------------------------------------------------------------------------------------------------
# Streaming body decoding with a hard cap (a gzip bomb never lands in memory)


class _BodyTooLarge(Exception):
    pass


class _StreamDecoder:
    """Content-Encoding decoder that never produces more than `limit + 1` bytes, however small the input."""

    def __init__(self, encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in {"gzip", "x-gzip", "deflate"}):
            raise _Fail(f"unsupported Content-Encoding {encoding!r} (newsdesk asks for gzip or deflate only)")
        self.coding = codings[0] if codings else None
        self.limit = limit
        self.size = 0
        self._raw_deflate = False
        self._obj = self._new()

    def _new(self) -> zlib._Decompress | None:  # type: ignore[name-defined]
        if self.coding in {"gzip", "x-gzip"}:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.coding == "deflate":
            return zlib.decompressobj(-zlib.MAX_WBITS if self._raw_deflate else zlib.MAX_WBITS)
        return None

    def feed(self, data: bytes, sink: list[bytes]) -> None:
        """Append decoded bytes to `sink`, up to the limit; _BodyTooLarge once the limit is passed."""
        if self._obj is None:
            self._add(data, sink)
            return
        while data:
            room = self.limit + 1 - self.size
            try:
                piece = self._obj.decompress(data, max(min(room, DECODE_PIECE_BYTES), 1))
            except zlib.error as exc:
                if self.coding == "deflate" and not self._raw_deflate and self.size == 0:
                    self._raw_deflate = True  # servers disagree on whether "deflate" has a zlib header
                    self._obj = self._new()
                    continue
                raise _Fail(f"cannot decode {self.coding} body: {exc}") from exc
            self._add(piece, sink)
            if self._obj.eof:  # concatenated gzip members are legal
                data = self._obj.unused_data
                self._obj = self._new() if data else self._obj
            else:
                data = self._obj.unconsumed_tail

    def _add(self, piece: bytes, sink: list[bytes]) -> None:
        room = self.limit - self.size
        self.size += len(piece)
        if self.size > self.limit:
            sink.append(piece[: max(room, 0)])  # what fits is kept, for callers that truncate
            raise _BodyTooLarge()
        sink.append(piece)


# ---------------------------------------------------------------------------------------------------------
# Politeness: robots.txt cache and per-host clocks shared by everything in this process


@dataclass(frozen=True)
class _Robots:
    parser: Protego | None  # None: allow everything
    unreachable: str | None  # why the host is treated as disallow-all
    crawl_delay: float | None
    loaded_at: float
    no_response: bool = False  # robots.txt got no HTTP answer at all: the host is down, not disallowing

    def allows(self, url: str, user_agent: str) -> bool:
        if self.unreachable:
            return False
        if self.parser is None:
            return True
        try:
            return bool(self.parser.can_fetch(url, user_agent))
        except Exception:  # an odd URL/rule combination is not a reason to stop; robots is advisory here
            return True


_ROBOTS_CACHE: dict[tuple[str, str], _Robots] = {}
_HOST_CLOCKS: dict[str, list[float]] = {}  # netloc -> [last request start, do-not-start-before] (monotonic)
_STATE_LOCK = threading.Lock()


def reset_politeness_state() -> None:
    """Forget cached robots.txt files and per-host timing (tests; a long-lived worker after config changes)."""
    with _STATE_LOCK:
        _ROBOTS_CACHE.clear()
        _HOST_CLOCKS.clear()
        _LOOP_STATES.clear()


def _cached_robots(host: str, user_agent: str) -> _Robots | None:
    with _STATE_LOCK:
        entry = _ROBOTS_CACHE.get((host, user_agent))
    if entry is not None and time.monotonic() - entry.loaded_at < ROBOTS_TTL_SECONDS:
        return entry
    return None


def _clock_wait(key: str, delay: float) -> float:
    with _STATE_LOCK:
        last, not_before = _HOST_CLOCKS.setdefault(key, [-math.inf, 0.0])
        return max(last + delay, not_before) - time.monotonic()


def _clock_claim(key: str, delay: float) -> bool:
    """Record a request start if the host's gap has passed (atomically, across event loops in threads)."""
    with _STATE_LOCK:
        clock = _HOST_CLOCKS.setdefault(key, [-math.inf, 0.0])
        now = time.monotonic()
        if max(clock[0] + delay, clock[1]) - now > 0:
            return False
        clock[0] = now
        return True


def _clock_hold_off(key: str, seconds: float) -> None:
    with _STATE_LOCK:
        clock = _HOST_CLOCKS.setdefault(key, [-math.inf, 0.0])
        clock[1] = max(clock[1], time.monotonic() + seconds)


class _HostGate:
    """Per-host concurrency, then the minimum gap between request starts, then a global slot."""

    def __init__(self, key: str, concurrency: int, delay: float, total: asyncio.Semaphore) -> None:
        self.key = key
        self.delay = delay
        self.total = total
        self.sem = asyncio.Semaphore(concurrency)
        self.turn = asyncio.Lock()
        self.robots_lock = asyncio.Lock()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self.sem:
            async with self.turn:  # only the next request for this host waits for the gap
                while True:
                    wait = _clock_wait(self.key, self.delay)
                    if wait > 0:
                        await asyncio.sleep(wait)
                        continue
                    await self.total.acquire()  # global slot taken only when ready to send
                    if _clock_claim(self.key, self.delay):
                        break
                    self.total.release()
            try:
                yield
            finally:
                self.total.release()


# ---------------------------------------------------------------------------------------------------------
# One exchange


class _Fail(Exception):
    """Final failure of one URL (no retry)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.final_url: str | None = None  # the hop that failed, once known


class _Retry(Exception):
    """A failure worth retrying: timeout, connection error, 429, 5xx."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


@dataclass
class _Reply:
    url: str
    status: int
    headers: list[tuple[str, str]]
    content_type: str | None
    body: bytes | None = None
    location: str | None = None


def _status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _exc_text(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _accepts(kind: Kind, mime: str) -> bool:
    if kind == "robots":
        return True
    if kind == "page":
        return not mime or mime in HTML_TYPES
    return not mime or mime.startswith("text/") or "xml" in mime or mime in RESOURCE_TYPES


@dataclass
class _LoopState:
    """Gates shared by every fetch in one event loop, so concurrent fetch_resource/fetch_pages calls (a sitemap
    index fanned out with gather) still share per-host limits and fetch each robots.txt once."""

    totals: dict[int, asyncio.Semaphore] = field(default_factory=dict)
    gates: dict[tuple[str, int], _HostGate] = field(default_factory=dict)


_LOOP_STATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = weakref.WeakKeyDictionary()


def _loop_state() -> _LoopState:
    loop = asyncio.get_running_loop()
    with _STATE_LOCK:
        state = _LOOP_STATES.get(loop)
        if state is None:
            state = _LOOP_STATES[loop] = _LoopState()
        return state


def _in_daemon_thread(function: Callable[..., object], *args: object) -> asyncio.Future[object]:
    """Run a blocking call in its own daemon thread: unlike asyncio.to_thread, a call stuck for minutes (a
    resolver) does not hold up asyncio.run's shutdown, which waits for every default-executor thread."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[object] = loop.create_future()

    def settle(outcome: object, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(outcome)

    def run() -> None:
        try:
            outcome, error = function(*args), None
        except BaseException as exc:  # handed to the awaiting coroutine
            outcome, error = None, exc
        try:
            loop.call_soon_threadsafe(settle, outcome, error)
        except RuntimeError:  # the loop is gone: nobody is waiting any more
            pass

    threading.Thread(target=run, name="newsdesk-dns", daemon=True).start()
    return future


class _Clock:
    """elapsed_ms runs from the URL's first request, so politeness queueing does not look like a slow site."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.marked = False

    def mark(self) -> None:
        if not self.marked:
            self.start, self.marked = time.monotonic(), True

    def ms(self) -> int:
        return int((time.monotonic() - self.start) * 1000)


class _Fetcher:
    def __init__(self, settings: Settings, client: httpx.AsyncClient, archive: WarcArchive | None) -> None:
        self.settings = settings
        self.client = client
        self.archive = archive
        self.shared = _loop_state()
        self.host_checks: dict[str, asyncio.Future[str | None]] = {}  # hostname -> refusal reason or None
        self.lookups = asyncio.Semaphore(DNS_LOOKUPS_IN_FLIGHT)

    def gate(self, url: str) -> _HostGate:
        settings = self.settings
        key = (urlsplit(url).netloc.lower(), settings.per_host_concurrency)
        gate = self.shared.gates.get(key)
        if gate is None:
            total = self.shared.totals.setdefault(
                settings.total_concurrency, asyncio.Semaphore(settings.total_concurrency)
            )
            gate = _HostGate(key[0], settings.per_host_concurrency, settings.min_delay_seconds, total)
            self.shared.gates[key] = gate
        return gate

    # -- one attempt -----------------------------------------------------------------------------------

    async def _attempt(self, url: str, headers: dict[str, str], kind: Kind, max_bytes: int) -> _Reply:
        deadline = self.settings.request_deadline_seconds
        try:
            async with asyncio.timeout(deadline):
                async with self.client.stream("GET", url, headers=headers) as response:
                    return await self._read_reply(url, response, kind, max_bytes)
        except TimeoutError as exc:
            raise _Retry(f"timed out: no complete response within {deadline:g} s (request_deadline_seconds)") from exc
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({_exc_text(exc)})") from exc
        except httpx.RemoteProtocolError as exc:
            text = str(exc)
            if "complete message body" in text:
                raise _Retry(f"body shorter than its Content-Length: {text}") from exc
            raise _Retry(f"connection error: {_exc_text(exc)}") from exc
        except httpx.ConnectError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "WRONG_VERSION_NUMBER" in str(exc):
                raise _Fail(f"TLS problem (not retried): {_exc_text(exc)}") from exc
            raise _Retry(f"cannot connect: {_exc_text(exc)}") from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise _Fail(f"cannot request this URL: {_exc_text(exc)}") from exc
        except httpx.TransportError as exc:
            raise _Retry(f"connection error: {_exc_text(exc)}") from exc

    async def _read_reply(self, url: str, response: httpx.Response, kind: Kind, max_bytes: int) -> _Reply:
        status = response.status_code
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
        content_type = response.headers.get("content-type")
        reply = _Reply(url=url, status=status, headers=headers, content_type=content_type)
        if status in REDIRECT_STATUSES and response.headers.get("location"):
            reply.location = response.headers["location"]
            return reply
        if status == 304:
            return reply
        if status == 429 or status >= 500:
            raise _Retry(_status_text(status), status, parse_retry_after(response.headers.get("retry-after")))
        if status >= 300 or status < 200:
            try:  # kept for the archive; a broken error page is not worth a retry
                reply.body = await self._read_body(response, min(max_bytes, ERROR_BODY_CAP))
            except (_BodyTooLarge, _Fail, httpx.HTTPError):
                reply.body = None
            return reply
        mime = _mime(content_type)
        if not _accepts(kind, mime):
            what = "HTML" if kind == "page" else "a feed, sitemap or URL list"
            raise _Fail(f"not {what}: {mime}", status)
        encoding = response.headers.get("content-encoding")
        declared = response.headers.get("content-length")
        truncate = kind == "robots"  # Google's rule: read the first 500 KB of a robots.txt, ignore the rest
        if declared and declared.strip().isdigit() and not encoding and int(declared) > max_bytes and not truncate:
            raise _Fail(f"too large: Content-Length {int(declared)} bytes is over the {max_bytes}-byte cap", status)
        try:
            reply.body = await self._read_body(response, max_bytes, truncate)
        except _BodyTooLarge as exc:
            raise _Fail(f"too large: body over the {max_bytes}-byte cap (after decompression)", status) from exc
        except _Fail as exc:
            raise _Fail(exc.reason, status) from exc
        return reply

    @staticmethod
    async def _read_body(response: httpx.Response, max_bytes: int, truncate: bool = False) -> bytes:
        decoder = _StreamDecoder(response.headers.get("content-encoding"), max_bytes)
        parts: list[bytes] = []
        try:
            async for raw in response.aiter_raw():
                decoder.feed(raw, parts)
        except _BodyTooLarge:
            if not truncate:
                raise
        return b"".join(parts)

    # -- retries -----------------------------------------------------------------------------------------

    async def _get(
        self, url: str, headers: dict[str, str], kind: Kind, max_bytes: int, clock: _Clock | None = None
    ) -> _Reply:
        settings = self.settings
        gate = self.gate(url)
        attempts = settings.max_retries + 1
        last: _Retry | None = None
        for attempt in range(attempts):
            async with gate.slot():
                if clock is not None:
                    clock.mark()
                try:
                    return await self._attempt(url, headers, kind, max_bytes)
                except _Retry as failure:
                    last = failure
            retry = last
            if retry.retry_after is not None and retry.retry_after > settings.max_retry_after_seconds:
                raise _Fail(
                    f"{retry.reason}: server asked to retry after {retry.retry_after:.0f} s (Retry-After), "
                    f"longer than max_retry_after_seconds={settings.max_retry_after_seconds:g}",
                    retry.status,
                )
            if attempt == attempts - 1:
                break
            if retry.retry_after is not None:
                _clock_hold_off(gate.key, retry.retry_after)  # the whole host waits, not just this URL
            else:
                backoff = settings.backoff_base_seconds * (2**attempt) * random.uniform(0.5, 1.5)
                await asyncio.sleep(min(backoff, MAX_BACKOFF_SECONDS))
        assert last is not None  # the loop only ends here after a retryable failure
        suffix = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
        raise _Fail(f"{last.reason}{suffix}", last.status)

    # -- robots.txt --------------------------------------------------------------------------------------

    async def robots(self, url: str) -> _Robots:
        host = host_of(url)
        agent = self.settings.user_agent
        gate = self.gate(url)
        entry = _cached_robots(host, agent)
        if entry is None:
            async with gate.robots_lock:  # one fetch per host even with many URLs waiting
                entry = _cached_robots(host, agent)
                if entry is None:
                    entry = await self._load_robots(host)
                    with _STATE_LOCK:
                        _ROBOTS_CACHE[(host, agent)] = entry
        gate.delay = max(self.settings.min_delay_seconds, entry.crawl_delay or 0.0)
        return entry

    async def _load_robots(self, host: str) -> _Robots:
        now = time.monotonic()
        current = f"{host}/robots.txt"
        try:
            for _ in range(ROBOTS_MAX_REDIRECTS + 1):
                await self._check_host(current)
                reply = await self._get(current, {}, "robots", ROBOTS_MAX_BYTES)
                if reply.location is None:
                    break
                current = urldefrag(urljoin(current, reply.location))[0]
                if urlsplit(current).scheme not in {"http", "https"}:
                    return _Robots(None, None, None, now)
            else:
                return _Robots(None, None, None, now)  # RFC 9309: too many redirects = unavailable = allow
        except _Fail as failure:
            if failure.status is not None and 400 <= failure.status < 500 and failure.status != 429:
                return _Robots(None, None, None, now)
            return _Robots(None, f"robots.txt unreachable ({failure.reason})", None, now,
                           no_response=failure.status is None)
        if 400 <= reply.status < 500:
            return _Robots(None, None, None, now)  # no robots.txt: everything allowed
        if reply.status != 200:
            return _Robots(None, f"robots.txt unreachable ({_status_text(reply.status)})", None, now)
        text = (reply.body or b"").decode("utf-8", errors="replace")
        try:
            parser = Protego.parse(text)
            delay = parser.crawl_delay(self.settings.user_agent)
        except Exception as exc:  # unparseable robots.txt: as good as none
            log.warning("ignoring unparseable %s: %s", current, exc)
            return _Robots(None, None, None, now)
        return _Robots(parser, None, float(delay) if delay else None, now)

    # -- one URL -----------------------------------------------------------------------------------------

    async def _check_host(self, url: str) -> None:
        """Refuse private addresses before any request; one DNS lookup per host per batch."""
        if self.settings.allow_private_hosts:
            return
        host = (urlsplit(url).hostname or "").lower()
        check = self.host_checks.get(host)
        if check is None:  # shared by every URL of this host that arrives while the lookup runs
            check = self.host_checks[host] = asyncio.ensure_future(self._lookup(url))
        refusal = await asyncio.shield(check)
        if refusal is not None:
            raise _Fail(refusal)

    async def _lookup(self, url: str) -> str | None:
        limit = self.settings.connect_timeout_seconds
        try:  # a stuck resolver must not outlive the deadlines (the thread is left to finish on its own)
            async with self.lookups:
                await asyncio.wait_for(_in_daemon_thread(check_host_allowed, url, False), timeout=limit)
        except TimeoutError:
            return f"cannot resolve host {urlsplit(url).hostname!r}: DNS lookup took over {limit:g} s"
        except UrlError as exc:
            return str(exc)
        except Exception as exc:  # the check is a safety gate: if it cannot run, do not fetch
            return f"cannot check the host: {_exc_text(exc)}"
        return None

    async def fetch_one(
        self, url: str, kind: Kind, max_bytes: int, validator: tuple[str | None, str | None] | None = None
    ) -> FetchResult:
        started = _Clock()
        base = FetchResult(url=url, final_url=url, outcome="failed")
        try:
            return await self._fetch_one(url, kind, max_bytes, validator, base, started)
        except _Fail as failure:
            return replace(base, final_url=failure.final_url or url, reason=failure.reason, status=failure.status,
                           fetched_at=_utc_now(),
                           elapsed_ms=started.ms())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must cost one URL, not the batch
            log.exception("unexpected error fetching %s", url)
            return replace(base, reason=f"internal error: {_exc_text(exc)}", fetched_at=_utc_now(),
                           elapsed_ms=started.ms())

    async def _fetch_one(
        self,
        url: str,
        kind: Kind,
        max_bytes: int,
        validator: tuple[str | None, str | None] | None,
        base: FetchResult,
        started: _Clock,
    ) -> FetchResult:
        settings = self.settings
        if urlsplit(url).scheme.lower() not in {"http", "https"} or not urlsplit(url).hostname:
            raise _Fail(f"not an http(s) URL: {url!r}")
        headers: dict[str, str] = {}
        etag, last_modified = validator or (None, None)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        chain = [url]
        current = url
        while True:
            await self._check_host(current)
            if settings.obey_robots:
                robots = await self.robots(current)
                if not robots.allows(current, settings.user_agent):
                    reason = robots.unreachable or "disallowed by robots.txt"
                    outcome = "failed" if robots.no_response else "robots"  # a down host is a failure
                    return replace(base, final_url=current, outcome=outcome, reason=reason, fetched_at=_utc_now(),
                                   elapsed_ms=started.ms())
                if robots.crawl_delay is not None and robots.crawl_delay > settings.max_retry_after_seconds:
                    reason = (
                        f"robots.txt asks for a Crawl-delay of {robots.crawl_delay:g} s, longer than "
                        f"max_retry_after_seconds={settings.max_retry_after_seconds:g}: not crawling this host"
                    )
                    return replace(base, final_url=current, outcome="robots", reason=reason, fetched_at=_utc_now(),
                                   elapsed_ms=started.ms())
            try:
                reply = await self._get(current, headers, kind, max_bytes, started)
            except _Fail as failure:
                failure.final_url = current
                raise
            if reply.location is None:
                break
            target = urldefrag(urljoin(current, reply.location.strip()))[0]
            if urlsplit(target).scheme.lower() not in {"http", "https"}:
                raise _Fail(f"redirected to a non-http(s) URL: {target!r}", reply.status)
            if target in chain:
                raise _Fail("redirect loop: " + " -> ".join([*chain, target]), reply.status)
            if len(chain) > settings.max_redirects:
                raise _Fail(
                    f"too many redirects (more than max_redirects={settings.max_redirects}): "
                    + " -> ".join([*chain[:3], "...", target] if len(chain) > 4 else [*chain, target]),
                    reply.status,
                )
            chain.append(target)
            current = target
        return await self._result(base, reply, kind, validator, started)

    async def _result(
        self,
        base: FetchResult,
        reply: _Reply,
        kind: Kind,
        validator: tuple[str | None, str | None] | None,
        started: _Clock,
    ) -> FetchResult:
        header = {name.lower(): value for name, value in reply.headers}
        fetched_at = _utc_now()
        result = replace(
            base,
            final_url=reply.url,
            status=reply.status,
            content_type=reply.content_type,
            etag=header.get("etag") or (validator[0] if reply.status == 304 and validator else None),
            last_modified=header.get("last-modified")
            or (validator[1] if reply.status == 304 and validator else None),
            fetched_at=fetched_at,
            n_bytes=len(reply.body or b""),
        )

        def done(**changes: object) -> FetchResult:
            return replace(result, elapsed_ms=started.ms(), **changes)  # type: ignore[arg-type]

        if reply.status == 304:
            return done(outcome="unchanged")
        if reply.status >= 300 or reply.status < 200:
            if reply.status in REDIRECT_STATUSES:
                return done(reason=f"{_status_text(reply.status)} without a Location header")
            if reply.status == 300:
                return done(reason=f"{_status_text(reply.status)}: multiple choices, no redirect to follow")
            warc = await self._archive(reply, fetched_at) if reply.body else {}
            return done(reason=_status_text(reply.status), **warc)
        body = reply.body or b""
        if not body:
            return done(reason="empty body")
        if kind != "page":
            return done(outcome="loaded", body=body, charset=_codec(_header_charset(reply.content_type)))
        if not reply.content_type and not _looks_like_html(body):
            return done(reason="no Content-Type and the body does not look like HTML")
        text, charset = decode_html(body, reply.content_type)
        warc = await self._archive(reply, fetched_at)
        return done(outcome="loaded", text=text, charset=charset, **warc)

    async def _archive(self, reply: _Reply, fetched_at: str) -> dict[str, object]:
        if self.archive is None:
            return {}
        try:
            path, offset, length = await asyncio.to_thread(
                self.archive.write_response, reply.url, reply.status, reply.headers, reply.body or b"", fetched_at
            )
        except Exception as exc:  # the page is still usable; the run reports the archive problem
            log.error("cannot archive %s: %s", reply.url, exc)
            return {"reason": f"archive write failed: {_exc_text(exc)}"}
        return {"warc_path": path, "warc_offset": offset, "warc_length": length}


def _client(settings: Settings) -> httpx.AsyncClient:
    deadline = settings.request_deadline_seconds
    return httpx.AsyncClient(
        headers={
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
            "Accept-Encoding": "gzip, deflate",
        },
        timeout=httpx.Timeout(deadline, connect=min(settings.connect_timeout_seconds, deadline)),
        limits=httpx.Limits(
            max_connections=settings.total_concurrency, max_keepalive_connections=settings.total_concurrency
        ),
        follow_redirects=False,  # followed by hand: each hop gets the host and robots checks
        trust_env=False,  # no proxy or netrc from the environment: requests go where the URL says
    )


# ---------------------------------------------------------------------------------------------------------
# Public API


async def fetch_pages(
    urls: list[str],
    settings: Settings,
    validators: Validators | None = None,
    archive: WarcArchive | None = None,
    on_done: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch article pages politely: one FetchResult per input URL, in input order; never raises per URL.

    Outcomes: "loaded" (HTML decoded into `text`, archived when `archive` is given), "unchanged" (304 to a
    conditional GET built from `validators[url] = (etag, last_modified)`), "robots", or "failed" with a reason.
    A URL repeated in `urls` is fetched once.
    """
    validators = validators or {}
    unique = list(dict.fromkeys(urls))
    async with _client(settings) as client:
        fetcher = _Fetcher(settings, client, archive)

        async def one(url: str) -> FetchResult:
            result = await fetcher.fetch_one(url, "page", settings.max_body_bytes, validators.get(url))
            if on_done is not None:
                try:
                    on_done(result)
                except Exception:  # a broken progress bar must not lose the batch
                    log.exception("on_done callback failed for %s", url)
            return result

        done = await asyncio.gather(*(one(url) for url in unique))
    by_url = dict(zip(unique, done, strict=True))
    return [by_url[url] for url in urls]


async def fetch_resource(url: str, settings: Settings, max_bytes: int) -> FetchResult:
    """Fetch a feed, sitemap or URL list with the same politeness and limits; raw bytes in `result.body`.

    Accepts text, XML, JSON and gzip content types. A `.xml.gz` served as a gzip file comes back still
    compressed (the caller decompresses with its own cap); a Content-Encoding: gzip transfer is decoded here.
    """
    async with _client(settings) as client:
        return await _Fetcher(settings, client, None).fetch_one(url, "resource", max_bytes)


# ---------------------------------------------------------------------------------------------------------
# Pages replayed from the WARC archive: what reprocessing reads instead of the network


def pages_from_archive(entries: list[tuple[str, str, int]]) -> list[FetchResult]:
    """Rebuild FetchResults (decoded HTML in `text`) from archived responses: (url, warc_path, warc_offset).

    Outcome "loaded", or "failed" with the reason (damaged record, error status, not HTML, empty body).
    """
    results = []
    for url, path, offset in entries:
        base = FetchResult(url=url, final_url=url, outcome="failed", warc_path=path, warc_offset=offset)
        try:
            archived = read_response(path, offset)
        except ArchiveError as exc:
            results.append(replace(base, reason=str(exc)))
            continue
        except Exception as exc:  # e.g. a path that is not a string
            results.append(replace(base, reason=f"cannot read archive: {_exc_text(exc)}"))
            continue
        header = {name.lower(): value for name, value in archived.headers}
        content_type = header.get("content-type")
        result = replace(
            base,
            final_url=archived.url or url,
            status=archived.status,
            content_type=content_type,
            etag=header.get("etag"),
            last_modified=header.get("last-modified"),
            fetched_at=archived.fetched_at,
            n_bytes=len(archived.body),
        )
        mime = _mime(content_type)
        if not 200 <= archived.status < 300:
            results.append(replace(result, reason=f"archived response is {_status_text(archived.status)}"))
        elif not archived.body:
            results.append(replace(result, reason="empty body"))
        elif mime and mime not in HTML_TYPES:
            results.append(replace(result, reason=f"not HTML: {mime}"))
        else:
            text, charset = decode_html(archived.body, content_type)
            results.append(replace(result, outcome="loaded", text=text, charset=charset))
    return results
