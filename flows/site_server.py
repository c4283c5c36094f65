"""A static web server on 127.0.0.1 for the demo's sample site (and the end-to-end tests).

It serves a folder, writes the server's own base URL wherever a text file says `__BASE_URL__` (so feeds and
sitemaps point back at a random port), and answers conditional GETs with 304, like a real news site's CDN.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

SAMPLE_SITE = Path(__file__).parent / "sample_site"
SAMPLE_SOURCES = Path(__file__).parent / "demo_sources.yaml"  # the sample site's sources, with __BASE_URL__
PLACEHOLDER = b"__BASE_URL__"
TEXT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}


class SiteServer:
    """Context manager: `with SiteServer(folder) as site: site.base_url`."""

    def __init__(self, root: Path = SAMPLE_SITE, host: str = "127.0.0.1", port: int = 0) -> None:
        if not root.is_dir():
            raise FileNotFoundError(f"sample site folder {root} is missing")
        self.root = root.resolve()
        self.requests: list[tuple[str, str]] = []  # (path, user agent), for tests
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests.append((self.path, self.headers.get("User-Agent", "")))
                status, headers, body = server.respond(self.path, self.headers.get("If-None-Match"),
                                                       self.headers.get("If-Modified-Since"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # quiet: the flow logs what matters
                return

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # the default 5 drops connections when a crawler opens several at once

        self._httpd = Server((host, port), Handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://{host}:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="site-server", daemon=True)

    def respond(self, raw_path: str, if_none_match: str | None, if_modified_since: str | None
                ) -> tuple[int, dict[str, str], bytes]:
        path = unquote(urlsplit(raw_path).path)
        file = (self.root / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        if not file.is_relative_to(self.root) or not file.is_file() or file.name == "README.md":
            return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>Not found</h1>"
        body = file.read_bytes()
        if file.suffix in TEXT_TYPES:
            body = body.replace(PLACEHOLDER, self.base_url.encode("ascii"))
            content_type = TEXT_TYPES[file.suffix]
        else:
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if file.suffix == ".gz":
                content_type = "application/gzip"
        return conditional_response(body, content_type, int(file.stat().st_mtime), if_none_match, if_modified_since)

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def conditional_response(body: bytes, content_type: str, mtime: int, if_none_match: str | None,
                         if_modified_since: str | None) -> tuple[int, dict[str, str], bytes]:
    """200 with an ETag and Last-Modified, or 304 when the request's validators match (as a news site answers a
    crawler's conditional GET; the real-pages benchmark serves its pages the same way)."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    headers = {"Content-Type": content_type, "ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
    if if_none_match == etag or (if_none_match is None and _not_modified_since(if_modified_since, mtime)):
        return 304, headers, b""
    headers["Content-Length"] = str(len(body))
    return 200, headers, body


def _not_modified_since(header: str | None, mtime: int) -> bool:
    if not header:
        return False
    try:
        return mtime <= int(parsedate_to_datetime(header).timestamp())
    except (TypeError, ValueError):
        return False


def write_sample_sources(base_url: str, path: Path) -> Path:
    """Write the sample site's sources file with `base_url` in place of `__BASE_URL__` (the demo, serve-sample)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SAMPLE_SOURCES.read_text(encoding="utf-8").replace(PLACEHOLDER.decode(), base_url),
                    encoding="utf-8")
    return path
