"""All of newsdesk's network I/O: polite, bounded HTTP GETs of article pages and of feeds/sitemaps.

Every per-URL problem ends as a FetchResult with an outcome and a reason a user can act on; nothing here raises
for one bad URL. Politeness (robots.txt, per-host concurrency and spacing, Retry-After) and hard limits
(deadline, body size after decompression, redirects, private hosts) are enforced here and nowhere else; the
run's politeness state (robots.txt cache, host clocks) is a tasks.politeness.Politeness passed in.

Inside, one fetch call is a _Fetcher (redirects, results, archiving) over a _Transport (one polite GET with
retries), a _HostCheck (private addresses) and _RobotsRules (robots.txt).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Literal
from urllib.parse import urldefrag, urljoin, urlsplit

import httpcore
import httpx
from protego import Protego

from tasks.archive import WarcArchive, status_text
from tasks.charset import HTML_TYPES, codec_for, decode_html, header_charset, looks_like_html, mime_type
from tasks.disk import DiskFullError
from tasks.models import FetchResult
from tasks.politeness import HostGate, Politeness, RobotsRules
from tasks.settings import Settings
from tasks.urls import UrlError, checked_addresses, host_of

log = logging.getLogger(__name__)

Validators = Mapping[str, tuple[str | None, str | None]]
BodySink = Callable[[bytes], bool]  # takes the next piece of a body; False: no more wanted, stop reading
StreamOpener = Callable[[], BodySink]  # a fresh sink for each attempt's body (a retry starts over)
Kind = Literal["page", "resource", "robots"]

# Feeds, sitemaps and URL lists come as XML, text, JSON feeds or gzip files, often with a generic type.
RESOURCE_TYPES = frozenset(
    {"application/gzip", "application/x-gzip", "application/octet-stream", "application/json",
     "application/feed+json", "application/x-ndjson"}
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 500_000  # Google's robots.txt limit; the rest is ignored
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 asks crawlers to follow at least five
ERROR_BODY_CAP = 1_000_000  # error pages are archived for diagnosis, but never more than this
MAX_BACKOFF_SECONDS = 60.0
DNS_LOOKUPS_IN_FLIGHT = 16  # each runs in a thread; many hosts must not mean many threads
DECODE_PIECE_BYTES = 256 * 1024  # decompressed output per step: memory stays near the cap


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
    streamed: int | None = None  # bytes handed to a BodySink instead of kept in `body`
    stopped: bool = False  # the sink wanted no more: the rest of the body was not read


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


class _Transport:
    """One GET, polite and bounded: the host's gate (concurrency, spacing) around each attempt, the deadline and
    size caps while reading, retries with backoff or Retry-After. Knows nothing of robots.txt or redirects."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient, politeness: Politeness) -> None:
        self.settings = settings
        self.client = client
        self.politeness = politeness

    def gate(self, url: str) -> HostGate:
        settings = self.settings
        return self.politeness.gate(
            urlsplit(url).netloc.lower(), settings.per_host_concurrency, settings.min_delay_seconds,
            settings.total_concurrency,
        )

    # -- one attempt -----------------------------------------------------------------------------------

    async def _attempt(
        self, url: str, headers: dict[str, str], kind: Kind, max_bytes: int, stream: StreamOpener | None = None,
        on_wire: Callable[[], None] | None = None,
    ) -> _Reply:
        deadline = self.settings.request_deadline_seconds

        async def trace(event: str, info: Mapping[str, object]) -> None:
            if event == "http11.send_request_headers.complete" and on_wire is not None:
                on_wire()  # the request is on the wire: the host's gap to its next request starts now

        try:
            async with asyncio.timeout(deadline):
                async with self.client.stream("GET", url, headers=headers, extensions={"trace": trace}) as response:
                    return await self._read_reply(url, response, kind, max_bytes, stream)
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

    async def _read_reply(
        self, url: str, response: httpx.Response, kind: Kind, max_bytes: int, stream: StreamOpener | None = None
    ) -> _Reply:
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
            raise _Retry(status_text(status), status, parse_retry_after(response.headers.get("retry-after")))
        if status >= 300 or status < 200:
            try:  # kept for the archive; a broken error page is not worth a retry
                reply.body = await self._read_body(response, min(max_bytes, ERROR_BODY_CAP))
            except (_BodyTooLarge, _Fail, httpx.HTTPError):
                reply.body = None
            return reply
        mime = mime_type(content_type)
        if not _accepts(kind, mime):
            what = "HTML" if kind == "page" else "a feed, sitemap or URL list"
            raise _Fail(f"not {what}: {mime}", status)
        encoding = response.headers.get("content-encoding")
        declared = response.headers.get("content-length")
        truncate = kind == "robots"  # Google's rule: read the first 500 KB of a robots.txt, ignore the rest
        if declared and declared.strip().isdigit() and not encoding and int(declared) > max_bytes and not truncate:
            raise _Fail(f"too large: Content-Length {int(declared)} bytes is over the {max_bytes}-byte cap", status)
        try:
            if stream is not None:
                reply.streamed, reply.stopped = await self._stream_body(response, max_bytes, stream())
            else:
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

    @staticmethod
    async def _stream_body(response: httpx.Response, max_bytes: int, sink: BodySink) -> tuple[int, bool]:
        """Hand the decoded body to `sink` piece by piece, never holding it whole; (bytes read, stopped early).
        When the sink wants no more, the rest is never read (leaving the block closes the connection)."""
        decoder = _StreamDecoder(response.headers.get("content-encoding"), max_bytes)
        pieces: list[bytes] = []
        async for raw in response.aiter_raw():
            decoder.feed(raw, pieces)
            for piece in pieces:
                if not sink(piece):
                    return decoder.size, True
            pieces.clear()
        return decoder.size, False

    # -- retries -----------------------------------------------------------------------------------------

    async def get(
        self, url: str, headers: dict[str, str], kind: Kind, max_bytes: int, clock: _Clock | None = None,
        stream: StreamOpener | None = None,
    ) -> _Reply:
        settings = self.settings
        gate = self.gate(url)
        attempts = settings.max_retries + 1
        last: _Retry | None = None
        for attempt in range(attempts):
            async with gate.slot() as on_wire:
                if clock is not None:
                    clock.mark()
                try:
                    return await self._attempt(url, headers, kind, max_bytes, stream, on_wire)
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
                self.politeness.clock_hold_off(gate.key, retry.retry_after)  # the whole host waits, not just this URL
            else:
                backoff = settings.backoff_base_seconds * (2**attempt) * random.uniform(0.5, 1.5)
                await asyncio.sleep(min(backoff, MAX_BACKOFF_SECONDS))
        assert last is not None  # the loop only ends here after a retryable failure
        suffix = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
        raise _Fail(f"{last.reason}{suffix}", last.status)


def _connect_host(url: str) -> str:
    """The host name as the connection layer sees it (IDNA, lower case, IPv6 without brackets)."""
    try:
        return httpx.URL(url).raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError) as exc:
        raise _Fail(f"cannot request this URL: {_exc_text(exc)}") from exc


class _HostCheck:
    """One DNS lookup per host per fetch call, bounded in time: the private-address refusal before any request,
    and the addresses every connection to that host then goes to (so a second lookup cannot rebind it)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # hostname -> (refusal reason or None, the checked addresses)
        self.pending: dict[str, asyncio.Future[tuple[str | None, tuple[str, ...]]]] = {}
        self.lookups = asyncio.Semaphore(DNS_LOOKUPS_IN_FLIGHT)

    async def check(self, url: str) -> None:
        """Refuse private addresses before any request; one DNS lookup per host per batch."""
        host = _connect_host(url)
        check = self.pending.get(host)
        if check is None:  # shared by every URL of this host that arrives while the lookup runs
            check = self.pending[host] = asyncio.ensure_future(self._lookup(host))
        refusal, _ = await asyncio.shield(check)
        if refusal is not None:
            raise _Fail(refusal)

    def addresses(self, host: str) -> tuple[str, ...]:
        """The addresses checked for `host`; a connection to a host that was not checked (or was refused) is a bug
        and is refused rather than resolved again."""
        check = self.pending.get(host.lower())
        if check is None or not check.done() or check.result()[0] is not None or not check.result()[1]:
            raise httpcore.ConnectError(f"host {host!r} was not checked before connecting (not connecting)")
        return check.result()[1]

    async def _lookup(self, host: str) -> tuple[str | None, tuple[str, ...]]:
        limit = self.settings.connect_timeout_seconds
        try:  # a stuck resolver must not outlive the deadlines (the thread is left to finish on its own)
            async with self.lookups:
                addresses = await asyncio.wait_for(
                    _in_daemon_thread(checked_addresses, host, self.settings.allow_private_hosts), timeout=limit
                )
        except TimeoutError:
            return f"cannot resolve host {host!r}: DNS lookup took over {limit:g} s", ()
        except UrlError as exc:
            return str(exc), ()
        except Exception as exc:  # the check is a safety gate: if it cannot run, do not fetch
            return f"cannot check the host: {_exc_text(exc)}", ()
        return None, tuple(addresses)  # type: ignore[arg-type]


class _PinnedNetwork(httpcore.AsyncNetworkBackend):
    """httpcore's network with name resolution taken out: a connection to a host goes to the addresses its
    _HostCheck resolved and checked, never to a fresh lookup. The request keeps the name (Host header, TLS
    server name and certificate check come from the URL, not from the address connected to)."""

    def __init__(self, hosts: _HostCheck, inner: httpcore.AsyncNetworkBackend) -> None:
        self.hosts = hosts
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: object = None,
    ) -> httpcore.AsyncNetworkStream:
        failures = []
        for address in self.hosts.addresses(host):
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,  # type: ignore[arg-type]
                )
            except httpcore.ConnectTimeout as exc:
                raise httpcore.ConnectTimeout(f"{address} port {port}: {_exc_text(exc)}") from exc
            except httpcore.ConnectError as exc:
                failures.append(f"{address} port {port}: {_exc_text(exc)}")
        raise httpcore.ConnectError("; ".join(failures))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: object = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("newsdesk connects over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """The certificate authorities and TLS defaults httpx would use (a test adds its own CA here).

    Built once per process and shared by every client (an SSLContext is safe to share between threads and
    connections): building one reads the whole CA bundle, ~17 ms of CPU, which every fetch batch and every feed
    or sitemap read paid again. Nothing of a run is kept in it."""
    return httpx.create_ssl_context(trust_env=False)


def _network() -> httpcore.AsyncNetworkBackend:
    """The machine's network, below the pinning (a test routes made-up public addresses to loopback here)."""
    return httpcore.AnyIOBackend()


class _RobotsRules:
    """robots.txt for each host, fetched once per run (the rules live in the run's Politeness) and followed
    through up to five redirects, each hop host-checked; Crawl-delay widens the host's gap."""

    def __init__(self, settings: Settings, transport: _Transport, hosts: _HostCheck) -> None:
        self.settings = settings
        self.transport = transport
        self.hosts = hosts

    async def for_url(self, url: str) -> RobotsRules:
        host = host_of(url)
        agent = self.settings.user_agent
        gate = self.transport.gate(url)
        politeness = self.transport.politeness
        entry = politeness.cached_robots(host, agent)
        if entry is None:
            async with gate.robots_lock:  # one fetch per host even with many URLs waiting
                entry = politeness.cached_robots(host, agent)
                if entry is None:
                    entry = await self._load(host)
                    politeness.store_robots(host, agent, entry)
        gate.delay = max(self.settings.min_delay_seconds, entry.crawl_delay or 0.0)
        return entry

    async def _load(self, host: str) -> RobotsRules:
        now = time.monotonic()
        current = f"{host}/robots.txt"
        try:
            for _ in range(ROBOTS_MAX_REDIRECTS + 1):
                await self.hosts.check(current)
                reply = await self.transport.get(current, {}, "robots", ROBOTS_MAX_BYTES)
                if reply.location is None:
                    break
                current = urldefrag(urljoin(current, reply.location))[0]
                if urlsplit(current).scheme not in {"http", "https"}:
                    return RobotsRules(None, None, None, now)
            else:
                return RobotsRules(None, None, None, now)  # RFC 9309: too many redirects = unavailable = allow
        except _Fail as failure:
            if failure.status is not None and 400 <= failure.status < 500 and failure.status != 429:
                return RobotsRules(None, None, None, now)
            return RobotsRules(None, f"robots.txt unreachable ({failure.reason})", None, now,
                           no_response=failure.status is None)
        if 400 <= reply.status < 500:
            return RobotsRules(None, None, None, now)  # no robots.txt: everything allowed
        if reply.status != 200:
            return RobotsRules(None, f"robots.txt unreachable ({status_text(reply.status)})", None, now)
        text = (reply.body or b"").decode("utf-8", errors="replace")
        try:
            parser = Protego.parse(text)
            delay = parser.crawl_delay(self.settings.user_agent)
        except Exception as exc:  # unparseable robots.txt: as good as none
            log.warning("ignoring unparseable %s: %s", current, exc)
            return RobotsRules(None, None, None, now)
        return RobotsRules(parser, None, float(delay) if delay else None, now)


class _Fetcher:
    """One fetch call: each URL host-checked, robots-checked and fetched through its redirects, then turned into a
    FetchResult (archived when it is a page); polite through the run's Politeness."""

    def __init__(
        self,
        settings: Settings,
        client: httpx.AsyncClient,
        archive: WarcArchive | None,
        politeness: Politeness,
        hosts: _HostCheck,
    ) -> None:
        self.settings = settings
        self.archive = archive
        self.transport = _Transport(settings, client, politeness)
        self.hosts = hosts  # the same object the client's connections take their addresses from
        self.robots = _RobotsRules(settings, self.transport, self.hosts)

    async def fetch_one(
        self, url: str, kind: Kind, max_bytes: int, validator: tuple[str | None, str | None] | None = None,
        stream: StreamOpener | None = None,
    ) -> FetchResult:
        started = _Clock()
        base = FetchResult(url=url, final_url=url, outcome="failed")
        try:
            return await self._fetch_one(url, kind, max_bytes, validator, base, started, stream)
        except _Fail as failure:
            return replace(base, final_url=failure.final_url or url, reason=failure.reason, status=failure.status,
                           fetched_at=_utc_now(),
                           elapsed_ms=started.ms())
        except (asyncio.CancelledError, DiskFullError):  # a full disk stops the batch: every later page would fail
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
        stream: StreamOpener | None = None,
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
            await self.hosts.check(current)
            if settings.obey_robots:
                robots = await self.robots.for_url(current)
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
                reply = await self.transport.get(current, headers, kind, max_bytes, started, stream)
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
                return done(reason=f"{status_text(reply.status)} without a Location header")
            if reply.status == 300:
                return done(reason=f"{status_text(reply.status)}: multiple choices, no redirect to follow")
            warc = await self._archive(reply, fetched_at) if reply.body else {}
            return done(reason=status_text(reply.status), **warc)
        if reply.streamed is not None:  # the body went to the caller's sink as it arrived
            if not reply.streamed:
                return done(reason="empty body")
            return done(outcome="loaded", n_bytes=reply.streamed, charset=codec_for(header_charset(reply.content_type)),
                        reason="stopped reading: the reader wanted no more" if reply.stopped else None)
        body = reply.body or b""
        if not body:
            return done(reason="empty body")
        if kind != "page":
            return done(outcome="loaded", body=body, charset=codec_for(header_charset(reply.content_type)))
        if not reply.content_type and not looks_like_html(body):
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
        except DiskFullError:
            raise
        except Exception as exc:  # the page is still usable; the run reports the archive problem
            log.error("cannot archive %s: %s", reply.url, exc)
            return {"reason": f"archive write failed: {_exc_text(exc)}"}
        return {"warc_path": path, "warc_offset": offset, "warc_length": length}


def _client(settings: Settings, hosts: _HostCheck) -> httpx.AsyncClient:
    deadline = settings.request_deadline_seconds
    limits = httpx.Limits(
        max_connections=settings.total_concurrency, max_keepalive_connections=settings.total_concurrency
    )
    ssl_context = _ssl_context()  # the pool's, passed to the transport too, which would build one of its own
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits, trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(  # httpx has no option for the network backend; same settings
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_PinnedNetwork(hosts, _network()),
    )
    return httpx.AsyncClient(
        transport=transport,
        headers={
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
            "Accept-Encoding": "gzip, deflate",
        },
        timeout=httpx.Timeout(deadline, connect=min(settings.connect_timeout_seconds, deadline)),
        limits=limits,
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
    politeness: Politeness | None = None,
) -> list[FetchResult]:
    """Fetch article pages politely: one FetchResult per input URL, in input order; never raises per URL.

    Outcomes: "loaded" (HTML decoded into `text`, archived when `archive` is given), "unchanged" (304 to a
    conditional GET built from `validators[url] = (etag, last_modified)`), "robots", or "failed" with a reason.
    A URL repeated in `urls` is fetched once. `politeness` is the run's robots.txt cache and host clocks (a fresh
    one for this call when not given).
    """
    validators = validators or {}
    unique = list(dict.fromkeys(urls))
    hosts = _HostCheck(settings)
    async with _client(settings, hosts) as client:
        fetcher = _Fetcher(settings, client, archive, politeness or Politeness(), hosts)

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


async def fetch_resource(
    url: str, settings: Settings, max_bytes: int, politeness: Politeness | None = None,
    stream: StreamOpener | None = None,
) -> FetchResult:
    """Fetch a feed, sitemap or URL list with the same politeness and limits; raw bytes in `result.body`.

    Accepts text, XML, JSON and gzip content types. A `.xml.gz` served as a gzip file comes back still
    compressed (the caller decompresses with its own cap); a Content-Encoding: gzip transfer is decoded here.
    Concurrent calls share per-host limits and robots.txt only through one `politeness` passed to each.
    With `stream`, the body is not kept: each attempt's body goes to a fresh sink from `stream()` as it arrives
    (still capped at max_bytes), and reading stops when the sink says so (`reason` then says it stopped early).
    """
    hosts = _HostCheck(settings)
    async with _client(settings, hosts) as client:
        fetcher = _Fetcher(settings, client, None, politeness or Politeness(), hosts)
        return await fetcher.fetch_one(url, "resource", max_bytes, stream=stream)
