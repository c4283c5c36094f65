"""Memory of the load step alone: a real-pages database's articles loaded again, as a run loads them.

    uv run --group bench python bench/bench_real_pipeline.py --pages 5000 --no-second-run --no-reprocess --keep
    uv run python bench/bench_load_memory.py /tmp/newsdesk-real-bench-XXXX/flow.duckdb

The articles (with their quotes and entity mentions) of the given database are rebuilt as ArticleRecords and
loaded into a fresh database by warehouse.load.load_batch, 100 a batch, a connection per batch (closing it
checkpoints), each writer setting in a fresh process pinned to one core. For each, the peak RSS (VmHWM, reset before
each batch through /proc/self/clear_refs) over the process's RSS before the batch, by tenth of the batches, the
highest peak, and the CPU of the loads. The peer is DuckDB's defaults for what this work changed (256 KiB blocks,
the row-group vacuum at every close, the allocator flushed only after a bulk free of 512 MiB), in the same run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

DUCKDB_DEFAULTS = {
    "default_block_size": 262144, "allocator_bulk_deallocation_flush_threshold": "512MiB", "vacuum_at_close": True,
}
VARIANTS = {
    "DuckDB defaults (peer, the writer before this work)": DUCKDB_DEFAULTS,
    "16 KiB blocks": {**DUCKDB_DEFAULTS, "default_block_size": 16384},
    "16 KiB blocks, no vacuum at close": {**DUCKDB_DEFAULTS, "default_block_size": 16384, "vacuum_at_close": False},
    "writer as configured now (+ allocator flushed at every bulk free)": {},
}


def status_mb() -> dict[str, float]:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            key, value = line.split(":")
            values[key] = int(value.split()[0]) / 1024
    return values


def records_of(db_path: Path) -> tuple[list[Any], list[Any]]:
    """The database's articles as the ArticleRecords and log entries a run would load, in the order it loaded them."""
    import duckdb

    from tasks.models import Analysis, ArticleEntity, ArticleRecord, Document, LogEntry, Quote

    con = duckdb.connect(str(db_path), read_only=True)

    def rows(sql: str) -> list[dict[str, Any]]:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def iso(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    quotes: dict[str, list[dict[str, Any]]] = {}
    mentions: dict[str, list[dict[str, Any]]] = {}
    for row in rows("SELECT * FROM quotes ORDER BY article_id, ordinal"):
        quotes.setdefault(row["article_id"], []).append(row)
    for row in rows("SELECT * FROM entity_mentions ORDER BY article_id, entity_id"):
        mentions.setdefault(row["article_id"], []).append(row)
    records, log = [], []
    for a in rows("SELECT * FROM articles ORDER BY first_seen_at, article_id"):
        document = Document(
            url=a["url"], title=a["title"], text=a["text"], authors=tuple(a["authors"] or ()),
            published=iso(a["published"]), modified=iso(a["modified"]), language=a["language"],
            site_name=a["site_name"], section=a["section"], tags=tuple(a["tags"] or ()), description=a["description"],
            image=a["image"], summary_points=tuple(a["summary_points"] or ()),
        )
        analysis = Analysis(
            document=document,
            quotes=tuple(
                Quote(ordinal=q["ordinal"], text=q["quote"], start=q["start_offset"], end=q["end_offset"],
                      speaker_text=q["speaker_text"], speaker=q["speaker"], speaker_label=q["speaker_label"],
                      verb=q["verb"], kind=q["kind"])
                for q in quotes.get(a["article_id"], [])
            ),
            entities=tuple(
                ArticleEntity(name=m["name"], label=m["label"], mention_count=m["mention_count"],
                              first_start=m["first_start"], first_end=m["first_end"],
                              surfaces=tuple(m["surfaces"] or ()), role=m["role"])
                for m in mentions.get(a["article_id"], [])
            ),
            error=a["analysis_error"], language=a["language"], declared_language=a["declared_language"],
            note=a["analysis_note"],
        )
        records.append(ArticleRecord(
            article_id=a["article_id"], url=a["url"], fetched_url=a["fetched_url"], source=a["source"],
            analysis=analysis, fetched_at=iso(a["fetched_at"]), warc_path=a["warc_path"],
            warc_offset=a["warc_offset"], warc_length=a["warc_length"],
        ))
        log.append(LogEntry(url=a["fetched_url"], kind="article", outcome="loaded", source=a["source"],
                            article_id=a["article_id"], status_code=200, fetched_at=iso(a["fetched_at"])))
    con.close()
    return records, log


def child(source: Path, variant: dict[str, Any], batch: int) -> dict[str, Any]:
    import warehouse.db as db
    from warehouse.load import load_batch, start_run

    if variant:  # the peer and the steps towards the writer as configured now
        db._WRITE_CONFIG = {  # type: ignore[attr-defined]
            **db._WRITE_CONFIG, "default_block_size": variant["default_block_size"],  # type: ignore[attr-defined]
            "allocator_bulk_deallocation_flush_threshold": variant["allocator_bulk_deallocation_flush_threshold"],
        }
        if variant["vacuum_at_close"]:
            db.SMALL_BLOCK_SIZE = 0  # connect() then leaves the vacuum on whatever the block size
    records, log = records_of(source)
    target = Path(tempfile.mkdtemp(prefix="newsdesk-load-memory-")) / "load.duckdb"
    with db.connect(target) as con:
        start_run(con, "replay", "scrape", {})
        file_block_size = db.block_size(con)
    rises, peaks = [], []
    started = time.process_time()
    for first in range(0, len(records), batch):
        before = status_mb()["VmRSS"]
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM starts again from the current RSS
        with db.connect(target) as con:
            load_batch(con, "replay", records[first:first + batch], log[first:first + batch])
        peak = status_mb()["VmHWM"]
        rises.append(peak - before)
        peaks.append(peak)
    cpu = time.process_time() - started
    with db.connect_readonly(target) as con:
        groups = con.execute("SELECT COUNT(DISTINCT row_group_id) FROM pragma_storage_info('articles')").fetchone()[0]
    tenths = [slice(i * len(rises) // 10, (i + 1) * len(rises) // 10) for i in range(10)]
    return {
        "articles": len(records), "block_size": file_block_size, "cpu_ms_per_article": 1000 * cpu / len(records),
        "peak_mb": max(peaks), "rise_by_tenth": [max(rises[t]) for t in tenths],
        "articles_row_groups": groups, "file_mb": target.stat().st_size / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="a database a real-pages run kept (bench_real_pipeline.py --keep)")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        import one_core  # noqa: F401  (pins this process to one core)

        print(json.dumps(child(args.source, json.loads(args.child), args.batch)))
        return
    print("| writer | block size | load CPU ms/article | peak RSS MB | peak over the RSS before the batch, highest per "
          "tenth, MB | articles row groups at the end | file MB |")
    print("|---|---|---|---|---|---|---|")
    for name, variant in VARIANTS.items():
        out = subprocess.run(
            [sys.executable, __file__, str(args.source),
             "--batch", str(args.batch), "--child", json.dumps(variant)],
            capture_output=True, text=True, check=True, cwd=REPO,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {name} | {r['block_size']} | {r['cpu_ms_per_article']:.2f} | {r['peak_mb']:.0f} | "
              f"{', '.join(f'{v:.0f}' for v in r['rise_by_tenth'])} | {r['articles_row_groups']} | {r['file_mb']:.0f} |")


if __name__ == "__main__":
    main()
