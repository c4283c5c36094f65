"""A small threaded HTTP server on 127.0.0.1 for tests and the demo: canned routes, faults, a static folder.

    with Loopback({"/a": Reply(body="<html>hi</html>")}) as server:
        server.url("/a")                # http://127.0.0.1:PORT/a
        server.requests_to("/a")        # what the client sent, with times

Routes map a path (no query) to a Reply, a list of Replies (served in turn, the last one repeats) or a
callable taking the Request and returning a Reply. In static mode (`static_dir=`) files are served from a
folder and `__BASE_URL__` in text files becomes the server's base URL. Run a folder by hand with
`python tests/loopback.py FOLDER [--port N] [--seconds S]`.

In pytest: `from loopback import loopback` (fixture) or use Loopback directly as a context manager.
"""

from __future__ import annotations

import gzip
import mimetypes
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

BASE_URL_PLACEHOLDER = "__BASE_URL__"
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux: time-stamp received data (Python names no constant)
TEXT_SUFFIXES = {".html", ".htm", ".xml", ".txt", ".rss", ".atom", ".json", ".css", ".js", ".csv", ".md"}


@dataclass
class Reply:
    """A canned response. `body` may be an iterable of byte chunks (streamed, e.g. a generated gzip bomb)."""

    status: int = 200
    body: bytes | str | Iterable[bytes] = b""
    headers: dict[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"  # None: send no Content-Type
    gzip: bool = False  # compress the body and send Content-Encoding: gzip
    delay: float = 0.0  # seconds before the status line (a slow or silent server)
    chunk_size: int | None = None  # send the body in pieces of this size...
    chunk_delay: float = 0.0  # ...with this pause before each piece (a byte-a-second server)
    content_length: int | None = None  # override the Content-Length sent (a short body); -1: send none
    reset: bool = False  # read the request, then reset the connection without answering

    def header_items(self) -> list[tuple[str, str]]:
        return list(self.headers.items()) if isinstance(self.headers, dict) else list(self.headers)


@dataclass(frozen=True)
class Request:
    """One request as the server saw it. `time` is time.monotonic() when it arrived."""

    method: str
    path: str  # without the query
    query: str
    headers: dict[str, str]  # lower-case names
    time: float
    client_port: int

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


Route = Reply | list[Reply] | Callable[[Request], Reply]


def gzip_bomb_chunks(decompressed_bytes: int, piece: int = 1 << 20) -> Iterator[bytes]:
    """A gzip stream of `decompressed_bytes` zeros, generated lazily (~1 KB of gzip per MB of output)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(piece)
    remaining = decompressed_bytes
    while remaining > 0:
        chunk = compressor.compress(zeros[: min(piece, remaining)])
        remaining -= min(piece, remaining)
        if chunk:
            yield chunk
    yield compressor.flush()


def sitemap_entries(child: int, count: int, base_url: str, per_chunk: int = 500) -> Iterator[bytes]:
    """A <urlset> of `count` article URLs for child sitemap `child`, generated in pieces (never held whole)."""
    yield b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    for start in range(0, count, per_chunk):
        yield "".join(
            f"<url><loc>{base_url}/news/{child:03d}/story-{index:05d}.html</loc><lastmod>2026-11-30</lastmod></url>\n"
            for index in range(start, min(start + per_chunk, count))
        ).encode()
    yield b"</urlset>\n"


def serve_generated_sitemaps(server: Loopback, children: int, urls_each: int) -> str:
    """Route a sitemap index of `children` sitemaps of `urls_each` URLs each on `server`; returns the index URL.

    The sitemaps are generated while they are sent (no Content-Length), so a 200 x 50,000 shape costs the test
    no disk and little memory; `server.requests_to(path)` says which were asked for."""
    index = "".join(f"<sitemap><loc>{server.url(f'/sitemaps/{child:03d}.xml')}</loc></sitemap>\n"
                    for child in range(children))
    server.route("/sitemap-index.xml", Reply(
        body='<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + index + "</sitemapindex>\n", content_type="application/xml"))
    for child in range(children):
        server.route(f"/sitemaps/{child:03d}.xml",
                     lambda _request, child=child: Reply(body=sitemap_entries(child, urls_each, server.base_url),
                                                         content_type="application/xml"))
    return server.url("/sitemap-index.xml")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=unquote(parts.path),
            query=parts.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            time=time.monotonic(),
            client_port=self.client_address[1],
        )
        owner._record(request)
        reply = owner._reply_for(request)
        self.close_connection = True
        if reply.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if reply.delay and owner._stopping.wait(reply.delay):
            return
        body = reply.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        if reply.gzip and isinstance(body, bytes):
            body = gzip.compress(body)
        try:
            self.send_response(reply.status)
            if reply.content_type is not None:
                self.send_header("Content-Type", reply.content_type)
            if reply.gzip:
                self.send_header("Content-Encoding", "gzip")
            for name, value in reply.header_items():
                self.send_header(name, value)
            if reply.content_length is not None and reply.content_length >= 0:
                self.send_header("Content-Length", str(reply.content_length))
            elif isinstance(body, bytes) and reply.content_length is None:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if send_body:
                self._send_body(body, reply)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            pass  # the client gave up (a cap or deadline did its job)

    def _send_body(self, body: bytes | Iterable[bytes], reply: Reply) -> None:
        chunks: Iterable[bytes]
        if isinstance(body, bytes):
            size = reply.chunk_size or len(body) or 1
            chunks = (body[i : i + size] for i in range(0, len(body), size))
        else:
            chunks = body
        for chunk in chunks:
            if reply.chunk_delay and self.server.owner._stopping.wait(reply.chunk_delay):
                return
            if self.server.owner._stopping.is_set():
                return
            self.wfile.write(chunk)
            self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    owner: Loopback


class Loopback:
    """The test server; use as a context manager. Stops (and frees its threads) at exit."""

    def __init__(
        self,
        routes: dict[str, Route] | None = None,
        static_dir: str | Path | None = None,
        max_lifetime: float | None = None,
        port: int = 0,
    ) -> None:
        self.requested_port = port
        self.routes: dict[str, Route] = dict(routes or {})
        self.static_dir = Path(static_dir) if static_dir is not None else None
        self.max_lifetime = max_lifetime
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._served: dict[str, int] = {}
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self._port: int | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> Loopback:
        self._server = _Server(("127.0.0.1", self.requested_port), _Handler)
        self._server.owner = self
        self._port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="loopback-http", daemon=True)
        self._thread.start()
        if self.max_lifetime:
            self._timer = threading.Timer(self.max_lifetime, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._timer is not None:
            self._timer.cancel()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Loopback:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses and the log -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._port is not None, "server not started"
        return self._port  # still known after stop, so tests can build URLs to a closed port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def route(self, path: str, route: Route) -> None:
        with self._lock:
            self.routes[path] = route

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def count(self, path: str) -> int:
        return len(self.requests_to(path))

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    # -- routing -------------------------------------------------------------------------------------------

    def _reply_for(self, request: Request) -> Reply:
        with self._lock:
            route = self.routes.get(request.path)
            served = self._served.get(request.path, 0)
            self._served[request.path] = served + 1
        if isinstance(route, Reply):
            return route
        if isinstance(route, list) and route:
            return route[min(served, len(route) - 1)]
        if callable(route):
            return route(request)
        if self.static_dir is not None:
            return self._static(request.path)
        return Reply(status=404, body="not found", content_type="text/plain")

    def _static(self, path: str) -> Reply:
        assert self.static_dir is not None
        root = self.static_dir.resolve()
        target = (root / path.lstrip("/")).resolve()
        if not target.is_relative_to(root):
            return Reply(status=403, body="outside the folder", content_type="text/plain")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return Reply(status=404, body="not found", content_type="text/plain")
        data = target.read_bytes()
        if target.name.endswith(".gz"):
            content_type = "application/gzip"
        else:
            guessed, _ = mimetypes.guess_type(target.name)
            content_type = guessed or "application/octet-stream"
        if target.suffix.lower() in TEXT_SUFFIXES:
            data = data.replace(BASE_URL_PLACEHOLDER.encode(), self.base_url.encode())
            if content_type.startswith("text/") or content_type.endswith(("xml", "json")):
                content_type += "; charset=utf-8"
        return Reply(body=data, content_type=content_type)


@dataclass(frozen=True)
class Hit:
    """One request to a ManyHosts server, as the server saw it (times are time.monotonic())."""

    host: str  # the Host header's name
    address: str  # the loopback address the connection came in on
    path: str
    arrived: float  # when its first bytes reached the server's socket (kernel time stamp, time.time() scale)
    in_flight_host: int  # requests to this host being served when it arrived, itself included
    in_flight_total: int  # requests to any host being served when it arrived, itself included


class ManyHosts:
    """One HTTP server answering on many loopback addresses (127.0.0.2, 127.0.0.3, ...), one port, one name each.

    Name i is `site{i:03d}.many.test` on address 127.0.0.{i + 2}; `getaddrinfo` resolves those names (install it
    in place of socket.getaddrinfo, as tests/test_dns_rebinding.py does) and the fetcher's own pinning connects to
    the answer. Every request is recorded with the number of requests in flight, per host and in all, so a test
    or a benchmark reads politeness off the server side. Pages are small articles; robots.txt is a 404 (allowed).
    An asyncio server in its own thread, so 10,000 requests cost little.
    """

    def __init__(self, hosts: int, service_seconds: float = 0.0) -> None:
        if not 1 <= hosts <= 250:
            raise ValueError("1 to 250 hosts (127.0.0.2 to 127.0.0.251)")
        self.names = [f"site{i:03d}.many.test" for i in range(hosts)]
        self.addresses = {name: f"127.0.0.{i + 2}" for i, name in enumerate(self.names)}
        self.service_seconds = service_seconds
        self.hits: list[Hit] = []
        self.port = 0
        self._in_flight: dict[str, int] = {}
        self._total = 0
        self._loop: Any = None
        self._thread: threading.Thread | None = None
        self._real_getaddrinfo = socket.getaddrinfo

    def url(self, host: int, path: str) -> str:
        return f"http://{self.names[host]}:{self.port}{path}"

    def getaddrinfo(self, host: object, port: object, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in self.addresses:
            return self._real_getaddrinfo(host, port, *args, **kwargs)  # type: ignore[arg-type]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (self.addresses[name], port or 0))]

    # -- lifecycle -----------------------------------------------------------------------------------------

    def __enter__(self) -> ManyHosts:
        import asyncio

        listeners = self._bind()
        ready = threading.Event()

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            for listener in listeners:
                loop.create_task(self._accept(listener))
            loop.call_soon(ready.set)
            loop.run_forever()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            for listener in listeners:
                listener.close()
            loop.close()

        self._thread = threading.Thread(target=run, name="many-hosts", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _bind(self) -> list[socket.socket]:
        """A listening socket on every address, all on one free port (tried a few times: another process may hold
        it), each asking the kernel to time-stamp what it receives (inherited by accepted connections)."""
        for _ in range(20):
            sockets: list[socket.socket] = []
            try:
                for address in self.addresses.values():
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    sockets.append(sock)
                    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
                    sock.bind((address, self.port if sockets[1:] else 0))
                    self.port = sock.getsockname()[1]
                    sock.listen(512)
                    sock.setblocking(False)
                return sockets
            except OSError:
                for sock in sockets:
                    sock.close()
                self.port = 0
        raise OSError("no port free on every loopback address")

    # -- serving -------------------------------------------------------------------------------------------

    async def _accept(self, listener: socket.socket) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        while True:
            conn, _ = await loop.sock_accept(listener)
            conn.setblocking(False)
            conn.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            loop.create_task(self._serve(conn))

    @staticmethod
    async def _read_head(conn: socket.socket) -> tuple[bytes, float] | None:
        """The request head and when its first bytes reached the socket: the kernel's receive time stamp, so the
        server's own scheduling (this thread waits for the GIL like any other) does not blur the gaps."""
        import asyncio

        loop = asyncio.get_running_loop()
        head, arrived = b"", None
        while b"\r\n\r\n" not in head:
            readable = loop.create_future()
            loop.add_reader(conn.fileno(), lambda: readable.done() or readable.set_result(None))
            try:
                await readable
            finally:
                loop.remove_reader(conn.fileno())
            try:
                data, ancillary, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(16))
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return None
            if not data:
                return None
            if arrived is None:
                stamps = [struct.unpack("qq", item[:16]) for level, kind, item in ancillary
                          if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(item) >= 16]
                arrived = stamps[0][0] + stamps[0][1] / 1e9 if stamps else time.time()
            head += data
        return head, arrived if arrived is not None else time.time()

    async def _serve(self, conn: socket.socket) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        read = await self._read_head(conn)
        if read is None:
            conn.close()
            return
        head, arrived = read
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        path = urlsplit(parts[1]).path if len(parts) > 1 else "/"
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        host = headers.get("host", "").rsplit(":", 1)[0]
        self._in_flight[host] = self._in_flight.get(host, 0) + 1
        self._total += 1
        self.hits.append(Hit(host, conn.getsockname()[0], path, arrived, self._in_flight[host], self._total))
        try:
            if self.service_seconds:
                await asyncio.sleep(self.service_seconds)
            if path == "/robots.txt":
                status, content_type, body = "404 Not Found", "text/plain", b"no robots.txt"
            else:
                status, content_type = "200 OK", "text/html; charset=utf-8"
                body = (f"<!doctype html><html><head><title>{host} {path}</title></head><body><article>"
                        f"<h1>{host} {path}</h1><p>A short article served by {host} for the many-hosts run.</p>"
                        "</article></body></html>").encode()
            await loop.sock_sendall(conn, f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
                                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        except OSError:
            pass
        finally:
            self._in_flight[host] -= 1
            self._total -= 1
            conn.close()

    # -- what the server saw -------------------------------------------------------------------------------

    def smallest_gaps(self) -> dict[str, float]:
        """Per host, the smallest time between two request arrivals (hosts with one request have none)."""
        times: dict[str, list[float]] = {}
        for hit in self.hits:
            times.setdefault(hit.host, []).append(hit.arrived)
        return {host: min(b - a for a, b in zip(sorted(ts), sorted(ts)[1:])) for host, ts in times.items() if len(ts) > 1}

    def max_in_flight(self) -> tuple[dict[str, int], int]:
        """The most requests in flight at once, per host and in all."""
        per_host: dict[str, int] = {}
        for hit in self.hits:
            per_host[hit.host] = max(per_host.get(hit.host, 0), hit.in_flight_host)
        return per_host, max((hit.in_flight_total for hit in self.hits), default=0)


try:
    import pytest

    @pytest.fixture
    def loopback() -> Iterator[Loopback]:
        """An empty Loopback server; add routes with `loopback.route(path, reply)`."""
        with Loopback() as server:
            yield server

except ImportError:  # the demo runs this file without pytest installed
    pass


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve a folder on 127.0.0.1 (with __BASE_URL__ replaced).")
    parser.add_argument("folder")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--seconds", type=float, default=600, help="stop after this long (default 600)")
    args = parser.parse_args(argv)
    server = Loopback(static_dir=args.folder, max_lifetime=args.seconds, port=args.port).start()
    print(server.base_url, flush=True)
    try:
        server._stopping.wait(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
