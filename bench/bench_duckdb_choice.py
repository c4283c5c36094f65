"""What the DuckDB choice costs: CPU of warehouse.load.load_batch (bench_load's synthetic records, 100 articles a
transaction, fresh database then all upserts) and of rebuilding the full-text index, on one core.

    uv run python bench/bench_duckdb_choice.py [--articles 2000]                          # the pinned 1.5 line
    uv run --with duckdb==2.0.1 python bench/bench_duckdb_choice.py [--articles 2000]     # 2.0 (no fts package)

Files are written as newsdesk writes them (storage compatible with DuckDB 1.4); CPU time, so a shared machine
skews it less than wall time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import one_core  # noqa: E402,F401  (pins the process to one CPU before DuckDB starts its threads)
import duckdb  # noqa: E402

from bench_load import synthetic_records  # noqa: E402
from tasks.models import LogEntry  # noqa: E402
from warehouse.db import connect  # noqa: E402
from warehouse.load import load_batch, start_run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    records = synthetic_records(args.articles)
    out = [f"duckdb {duckdb.__version__}, {args.articles} synthetic articles, CPU time on one core:"]
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-duckdb-") as scratch:
        db = Path(scratch) / "newsdesk.duckdb"
        for attempt in ("fresh database", "same batches again (all upserts)"):
            with connect(db) as con:
                run_id = f"bench-{attempt}"
                start_run(con, run_id, "scrape", {})
                started = time.process_time()
                for first in range(0, len(records), 100):
                    batch = records[first : first + 100]
                    log = [LogEntry(url=r.fetched_url, kind="article", outcome="loaded", article_id=r.article_id)
                           for r in batch]
                    load_batch(con, run_id, batch, log)
                seconds = time.process_time() - started
            out.append(f"  load_batch, {attempt}: {len(records) / seconds:,.0f} articles per CPU second")
        try:
            from warehouse.search import SearchError, rebuild_index

            with connect(db) as con:
                started = time.process_time()
                rebuild_index(con)
                seconds = time.process_time() - started
            out.append(f"  full-text index rebuild: {1000 * seconds / len(records):.2f} ms CPU per article")
        except SearchError as exc:
            out.append(f"  full-text index: not available ({exc})")
    print("\n".join(out))


if __name__ == "__main__":
    main()
