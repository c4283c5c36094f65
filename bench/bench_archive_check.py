"""What the gzip-member check costs reprocessing: CPU time per archived record read back, with and without it.

The check (tasks.archive._check_gzip_member) inflates each record's gzip member once more to tell a truncated or
corrupt member from a good one; this measures that on the sample site's pages archived 2,000 times.
Run: uv run python bench/bench_archive_check.py
"""

from __future__ import annotations

import one_core  # noqa: F401  - pin to one core first (bench/ is on sys.path when run as a script)

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import tasks.archive as archive_module
from tasks.archive import WarcArchive, pages_from_archive

SAMPLE_SITE = REPO / "flows" / "sample_site"
RECORDS = 2000


def main() -> None:
    bodies = [path.read_bytes() for path in sorted(SAMPLE_SITE.rglob("*.html"))]
    with tempfile.TemporaryDirectory() as folder:
        entries = []
        with WarcArchive(folder) as archive:
            for i in range(RECORDS):
                path, offset, _ = archive.write_response(
                    f"https://example.org/{i}", 200, [("Content-Type", "text/html")], bodies[i % len(bodies)],
                    "2026-12-01T00:00:00Z",
                )
                entries.append((f"https://example.org/{i}", path, offset))
        checked = archive_module._check_gzip_member
        for label, check in [("without the member check", lambda handle, path, offset: handle.seek(offset)),
                             ("with the member check", checked)] * 2:
            archive_module._check_gzip_member = check
            started = time.process_time()
            pages_from_archive(entries)
            per_record = (time.process_time() - started) / RECORDS * 1000
            print(f"{label}: {per_record:.3f} ms CPU per record ({RECORDS} records, "
                  f"mean body {sum(map(len, bodies)) // len(bodies)} bytes)")
        archive_module._check_gzip_member = checked


if __name__ == "__main__":
    main()
