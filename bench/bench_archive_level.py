"""What archiving a fetched page costs: newsdesk's WarcArchive (gzip level WARC_GZIP_LEVEL) beside warcio writing
the same records itself (gzip level 9, fixed in warcio), on the real saved pages of the shared dev sets, one core.

Prints CPU ms per page and archive MB for each writer, and for the other zlib levels (which level to use is a
trade of CPU for disk), and checks every record newsdesk wrote reads back to the page it was given.
Run: uv run python bench/bench_archive_level.py [--data ../shared/bench/extraction]
"""

from __future__ import annotations

import one_core  # noqa: F401  - pin to one core first (bench/ is on sys.path when run as a script)

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import tasks.archive as archive_module  # noqa: E402
from tasks.archive import WarcArchive, read_response  # noqa: E402

DATA = REPO.parent / "shared" / "bench" / "extraction"
SETS = ("web-dev", "scrapinghub-dev", "mozilla")
HEADERS = [("Content-Type", "text/html"), ("ETag", '"e1"')]
FETCHED_AT = "2026-12-05T10:00:00+00:00"


def newsdesk(bodies: list[bytes], folder: Path, level: int) -> tuple[float, int, list[tuple[str, int, int]]]:
    """CPU seconds and bytes of the archive WarcArchive writes at `level`, and where each record went."""
    with mock.patch.object(archive_module, "WARC_GZIP_LEVEL", level):
        started = time.process_time()
        with WarcArchive(folder / f"level{level}") as archive:
            spots = [
                archive.write_response(f"https://example.org/{i}", 200, HEADERS, body, FETCHED_AT)
                for i, body in enumerate(bodies)
            ]
        cpu = time.process_time() - started
    return cpu, sum(path.stat().st_size for path in (folder / f"level{level}").iterdir()), spots


def warcio_itself(bodies: list[bytes]) -> tuple[float, int]:
    """The peer: warcio's WARCWriter compressing the same response and request records (its level 9)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    started = time.process_time()
    for i, body in enumerate(bodies):
        url = f"https://example.org/{i}"
        http_headers = StatusAndHeaders("200 OK", [*HEADERS, ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        response = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": "2026-12-05T10:00:00Z"},
        )
        writer.write_record(response)
        request = writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(f"GET /{i} HTTP/1.1", [("Host", "example.org")], is_http_request=True),
            warc_headers_dict={"WARC-Date": "2026-12-05T10:00:00Z"},
        )
        writer.write_record(request)
    return time.process_time() - started, out.tell()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--levels", default="1,3,4,6,9")
    args = parser.parse_args()
    bodies = [path.read_bytes() for name in SETS for path in sorted((args.data / name).glob("*.html"))]
    n = len(bodies)
    raw = sum(map(len, bodies))
    print(f"{n} real pages, {raw / 1e6:.1f} MB of HTML, one core; CPU per page to archive (response + request record)")
    print()
    print("| writer | gzip level | CPU ms/page | archive MB | share of the raw HTML |")
    print("|---|---|---|---|---|")
    cpu, size = warcio_itself(bodies)
    print(f"| warcio WARCWriter (peer) | 9 | {1000 * cpu / n:.2f} | {size / 1e6:.1f} | {size / raw:.1%} |")
    levels = [int(v) for v in args.levels.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        for level in levels:
            cpu, size, spots = newsdesk(bodies, Path(scratch), level)
            mark = " (WARC_GZIP_LEVEL)" if level == archive_module.WARC_GZIP_LEVEL else ""
            print(f"| newsdesk WarcArchive | {level}{mark} | {1000 * cpu / n:.2f} | {size / 1e6:.1f} | {size / raw:.1%} |")
            if level == archive_module.WARC_GZIP_LEVEL:
                bad = [i for i, (path, offset, _) in enumerate(spots) if read_response(path, offset).body != bodies[i]]
                if bad:
                    raise SystemExit(f"{len(bad)} records do not read back to their page (first: {bad[0]})")
    print(f"\nevery record written at level {archive_module.WARC_GZIP_LEVEL} read back to its page")


if __name__ == "__main__":
    main()
