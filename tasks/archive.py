"""Raw archive of every fetched response as gzip WARC, so a run can be re-extracted later without the network.

One WARC file per writer (per batch), records written one gzip member each so any record can be read back by
its offset alone. Bodies are stored decoded (after Content-Encoding), with the HTTP headers fixed to match.
"""

from __future__ import annotations

import io
import os
import secrets
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tasks.charset import HTML_TYPES, decode_html, mime_type
from tasks.disk import DiskFullError, disk_full_path
from tasks.models import FetchResult

# Headers that describe the transfer, not the stored body: dropping them keeps the record self-consistent.
_TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"})
# warcio compresses at level 9 (fixed): writing a real page cost ~5.4 ms of CPU, the largest cost of a run outside
# the NLP; at level 4 ~2.3 ms for an archive ~6% larger (bench/bench_archive_level.py; bench/results.md, "CPU per
# article outside the NLP").
WARC_GZIP_LEVEL = 4


class ArchiveError(Exception):
    """A WARC record that cannot be read back (missing file, bad offset, truncated or corrupt data)."""


@dataclass(frozen=True)
class ArchivedResponse:
    """One response record read back from the archive."""

    url: str  # WARC-Target-URI: the final URL the body came from
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: str | None  # WARC-Date
    path: str
    offset: int
    length: int | None = None  # bytes the record takes in the file, when known


def status_text(status: int) -> str:
    """A status as a fetch_log reason reads it: "HTTP 404 Not Found"."""
    from http import HTTPStatus

    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _http_status_line(status: int) -> str:
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"{status} {phrase}"


def _warc_date(fetched_at: str | None) -> str:
    """WARC-Date wants UTC `YYYY-MM-DDThh:mm:ssZ`; accept any ISO 8601 and fall back to now."""
    when = None
    if fetched_at:
        try:
            when = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
        except ValueError:
            when = None
    if when is None:
        when = datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _gzip_member(data: bytes) -> bytes:
    """One WARC record as one gzip member (readable by its offset alone), at WARC_GZIP_LEVEL."""
    compressor = zlib.compressobj(WARC_GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


class WarcArchive:
    """Appends response (and request) records to one new `.warc.gz` file under `folder`.

    The file is created on the first write, named with a UTC timestamp and a random suffix so parallel batches
    never collide. Writes are serialised by a lock, so it can be called from worker threads of one event loop.
    Each response and its request record are built in memory and appended with one write; a write that fails
    (a full disk) is cut back off the file, so the file only ever holds whole records and a later `reprocess`
    or replay tool never meets half of one.
    """

    def __init__(self, folder: str | os.PathLike[str], prefix: str = "newsdesk") -> None:
        self.folder = Path(folder)
        self.prefix = prefix
        self._lock = threading.Lock()
        self._file: io.FileIO | None = None
        self.path: Path | None = None
        self.cpu_seconds = 0.0  # spent in write_response, on whichever threads called it (for the run's stage times)

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        self.path = self.folder / f"{self.prefix}-{stamp}-{secrets.token_hex(4)}.warc.gz"
        self._file = open(self.path, "xb", buffering=0)  # noqa: SIM115 - kept open across writes, closed in close()

    def write_response(
        self, url: str, status: int, headers: list[tuple[str, str]], body: bytes, fetched_at: str
    ) -> tuple[str, int, int]:
        """Store one response; returns (path, offset, length) of the response record for read_response.

        Raises DiskFullError (after taking the partial record back off the file) when the disk is full.
        """
        started = time.thread_time()
        kept = [(name, value) for name, value in headers if name.lower() not in _TRANSFER_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(_http_status_line(status), kept, protocol="HTTP/1.1")
        record = io.BytesIO()
        writer = WARCWriter(record, gzip=False, warc_version="1.1")  # each record is compressed below, at our level
        date = _warc_date(fetched_at)
        response = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(response)
        members = [_gzip_member(record.getvalue())]
        length = len(members[0])
        record.seek(0)
        record.truncate()
        # A minimal request record, so the WARC reads as a normal crawl in replay tools.
        request = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"GET {_request_target(url)} HTTP/1.1", [("Host", _host(url))], is_http_request=True
            ),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        writer.write_record(request)
        members.append(_gzip_member(record.getvalue()))
        data = b"".join(members)
        with self._lock:
            self.cpu_seconds += time.thread_time() - started
            try:
                if self._file is None:
                    self._open()
                assert self._file is not None and self.path is not None
                offset = self._file.tell()
                self._append(memoryview(data), offset)
            except OSError as exc:
                path = str(self.path or self.folder)
                if (full := disk_full_path(exc, path)) is not None:
                    raise DiskFullError(full) from exc
                raise
            return str(self.path), offset, length

    def _append(self, data: memoryview, offset: int) -> None:
        """Write all of `data` at the end of the file, or cut the file back to `offset` and raise."""
        assert self._file is not None
        try:
            written = 0
            while written < len(data):
                written += self._file.write(data[written:]) or 0
        except OSError:
            os.ftruncate(self._file.fileno(), offset)  # frees what the partial write took
            self._file.seek(offset)
            raise

    def close(self) -> None:
        """Close the file; one that never got a whole record (the disk was full from the start) is removed."""
        with self._lock:
            if self._file is not None:
                empty = self._file.tell() == 0
                self._file.close()
                self._file = None
                if empty and self.path is not None:
                    self.path.unlink(missing_ok=True)

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _request_target(url: str) -> str:
    """Path and query as sent on the wire: ASCII only, since HTTP header blocks must be."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return quote(target, safe="/?&=%:@!$'()*+,;~-._")


def _host(url: str) -> str:
    return quote(urlsplit(url).netloc, safe=":@[]")


def _short(exc: BaseException) -> str:
    """warcio quotes the raw bytes it choked on; keep the message readable."""
    text = str(exc)
    return f"{type(exc).__name__}: {text[:120]}{'...' if len(text) > 120 else ''}"


def _to_response(record: object, path: str, offset: int, length: int | None) -> ArchivedResponse:
    rec_headers = record.rec_headers  # type: ignore[attr-defined]
    http_headers = record.http_headers  # type: ignore[attr-defined]
    if http_headers is None:
        raise ArchiveError(f"{path} at offset {offset}: response record has no HTTP headers")
    try:
        status = int(http_headers.get_statuscode())
    except (TypeError, ValueError) as exc:
        raise ArchiveError(f"{path} at offset {offset}: bad HTTP status line {http_headers.statusline!r}") from exc
    body = record.content_stream().read()  # type: ignore[attr-defined]
    return ArchivedResponse(
        url=rec_headers.get_header("WARC-Target-URI") or "",
        status=status,
        headers=list(http_headers.headers),
        body=body,
        fetched_at=rec_headers.get_header("WARC-Date"),
        path=path,
        offset=offset,
        length=length,
    )


_GZIP_MAGIC = b"\x1f\x8b"
_MEMBER_CHUNK = 64 * 1024


def _check_gzip_member(handle: io.BufferedReader, path: str, offset: int) -> None:
    """Inflate the gzip member at `offset` to its end (output discarded) and check its CRC.

    warcio hands back a truncated member's partial body without complaint, and reports a corrupt one as "unknown
    archive format"; this says which of the two it is before warcio reads the record.
    """
    handle.seek(offset)
    if handle.read(2) != _GZIP_MAGIC:
        return  # an uncompressed record (or not a record at all): warcio's parse says what is wrong
    handle.seek(offset)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    consumed = 0
    while not inflater.eof:
        data = handle.read(_MEMBER_CHUNK)
        if not data:
            raise ArchiveError(
                f"{path} at offset {offset}: truncated gzip member (the file ends {consumed} bytes into the record)"
            )
        consumed += len(data)
        try:
            while data and not inflater.eof:
                inflater.decompress(data, _MEMBER_CHUNK)
                data = inflater.unconsumed_tail
        except zlib.error as exc:
            raise ArchiveError(f"{path} at offset {offset}: corrupt gzip member (zlib: {exc})") from exc
    handle.seek(offset)


def read_response(path: str | os.PathLike[str], offset: int) -> ArchivedResponse:
    """Read the response record starting at `offset`; ArchiveError says what is wrong if it cannot."""
    path = str(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if offset < 0 or offset >= size:
                raise ArchiveError(f"{path}: offset {offset} is outside the file ({size} bytes)")
            _check_gzip_member(handle, path, offset)
            iterator = ArchiveIterator(handle, check_digests="raise")
            record = next(iterator, None)
            if record is None:
                raise ArchiveError(f"{path} at offset {offset}: no WARC record there")
            if record.rec_type != "response":
                raise ArchiveError(f"{path} at offset {offset}: a {record.rec_type!r} record, not a response")
            response = _to_response(record, path, offset, None)
            iterator.read_to_end(record)  # reading to the end verifies the block digest
            return response
    except ArchiveError:
        raise
    except FileNotFoundError as exc:
        raise ArchiveError(f"WARC file not found: {path} (the record was at offset {offset})") from exc
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise ArchiveError(f"{path} at offset {offset}: damaged WARC record ({_short(exc)})") from exc


def iter_responses(folder: str | os.PathLike[str]) -> Iterator[ArchivedResponse]:
    """Every response record of every `.warc.gz` / `.warc` file under `folder`, oldest file name first."""
    root = Path(folder)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith((".warc.gz", ".warc")))
    for path in files:
        try:
            with open(path, "rb") as handle:
                iterator = ArchiveIterator(handle)
                for record in iterator:
                    if record.rec_type != "response":
                        continue
                    response = _to_response(record, str(path), 0, None)  # reads the body first:
                    # warcio only knows a record's offset and length once it has been read to its end.
                    yield replace(
                        response, offset=iterator.get_record_offset(), length=iterator.get_record_length()
                    )
        except ArchiveError:
            raise
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            raise ArchiveError(f"{path}: damaged WARC file ({_short(exc)})") from exc


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
            results.append(replace(base, reason=f"cannot read {path} at offset {offset}: {type(exc).__name__}: {exc}"))
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
        mime = mime_type(content_type)
        if not 200 <= archived.status < 300:
            results.append(replace(result, reason=f"archived response is {status_text(archived.status)}"))
        elif not archived.body:
            results.append(replace(result, reason="empty body"))
        elif mime and mime not in HTML_TYPES:
            results.append(replace(result, reason=f"not HTML: {mime}"))
        else:
            text, charset = decode_html(archived.body, content_type)
            results.append(replace(result, outcome="loaded", text=text, charset=charset))
    return results
