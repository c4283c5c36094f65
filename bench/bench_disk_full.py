"""Recovering from a full disk under the WARC archive: how long the run after it takes, beside a clean run.

    uv run --group bench python bench/bench_disk_full.py [--pages 300] [--batch-size 50]

Needs root with CAP_SYS_ADMIN (it mounts a tmpfs). In a scratch folder (deleted at the end):
- generates `--pages` distinct article pages (bench_pipeline.generate_site) and serves them on 127.0.0.1;
- the clean run: the scrape flow into a fresh DuckDB with the archive on a roomy disk; its archive size sets the
  small disk: a tmpfs of half that size;
- the disk-full run: the same scrape with the archive on the small tmpfs; it stops with "disk full: <path>";
- space freed (the tmpfs remounted 4x larger), the recovery run: the same scrape on the same database; it is
  timed (wall and CPU of this process, which runs the flows; the Prefect API is a test server in its own
  process) and must end with the clean run's articles, none twice.
The peer figure is the clean run of the same pages in the same process.
"""

from __future__ import annotations

import one_core  # noqa: F401  (first: pinned to one CPU, single-threaded BLAS)

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

for key, value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}.items():
    os.environ.setdefault(key, value)

import duckdb  # noqa: E402

from bench_pipeline import generate_site, write_sources  # noqa: E402


def articles(db: Path) -> tuple[int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT COUNT(*), COUNT(DISTINCT article_id) FROM articles").fetchone()  # type: ignore[return-value]


def timed_scrape(sources: Path, db: Path, data_dir: Path, batch_size: int) -> tuple[float, float, str]:
    """(wall s, CPU s, outcome) of one scrape flow run in this process."""
    from flows.scrape import scrape
    from tasks.disk import DiskFullError

    wall, cpu = time.perf_counter(), time.process_time()
    try:
        summary = scrape(sources_file=str(sources), db_path=str(db), data_dir=str(data_dir),
                         allow_private_hosts=True, batch_size=batch_size)
        outcome = summary.status
    except DiskFullError as exc:
        outcome = str(exc)
    return time.perf_counter() - wall, time.process_time() - cpu, outcome


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=50)
    args = parser.parse_args()

    from prefect.testing.utilities import prefect_test_harness

    from flows.site_server import SiteServer

    with tempfile.TemporaryDirectory(prefix="bench-disk-full-") as scratch, prefect_test_harness(90):
        root = Path(scratch)
        generate_site(root / "site", args.pages, [args.pages])
        disk = root / "disk"
        disk.mkdir()
        with SiteServer(root / "site") as site:
            sources = write_sources(root / "sources.yaml", site.base_url, args.pages)
            clean_wall, clean_cpu, clean_outcome = timed_scrape(sources, root / "clean.duckdb", root / "data",
                                                                args.batch_size)
            archive_bytes = folder_bytes(root / "data" / "warc")
            small = max(64 * 1024, archive_bytes // 2 // 4096 * 4096)
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={small}", "tmpfs", str(disk)], check=True)
            try:
                db = root / "run.duckdb"
                full_wall, full_cpu, full_outcome = timed_scrape(sources, db, disk, args.batch_size)
                stopped_at = articles(db)[0]
                subprocess.run(["mount", "-o", f"remount,size={4 * archive_bytes}", str(disk)], check=True)
                freed = time.perf_counter()
                rec_wall, rec_cpu, rec_outcome = timed_scrape(sources, db, disk, args.batch_size)
                to_complete = time.perf_counter() - freed
                total, distinct = articles(db)
            finally:
                subprocess.run(["umount", "-l", str(disk)], check=False)
        clean_total = articles(root / "clean.duckdb")[0]
    print(f"pages {args.pages}, batch size {args.batch_size}, archive of the clean run {archive_bytes / 1e6:.2f} MB, "
          f"small disk {small / 1e6:.2f} MB")
    print(f"clean run (peer):   {clean_wall:6.1f} s wall, {clean_cpu:6.1f} s CPU, {clean_outcome}, {clean_total} articles")
    print(f"disk-full run:      {full_wall:6.1f} s wall, {full_cpu:6.1f} s CPU, {full_outcome[:60]}..., "
          f"{stopped_at} articles loaded before it stopped")
    print(f"recovery run:       {rec_wall:6.1f} s wall, {rec_cpu:6.1f} s CPU, {rec_outcome}, {total} articles "
          f"({distinct} distinct)")
    print(f"time to recover (space freed -> every article in): {to_complete:.1f} s wall "
          f"= {to_complete / clean_wall:.2f}x the clean run; CPU {rec_cpu / clean_cpu:.2f}x")
    if total != clean_total or distinct != total:
        raise SystemExit(f"recovery lost or doubled articles: {total} ({distinct} distinct), clean {clean_total}")


if __name__ == "__main__":
    main()
