"""Stories at scale: generated articles loaded through load_batch, the story step's cost and memory as it grows.

    uv run python bench/bench_stories_scale.py [--articles 100000] [--batch 100] [--copy-share 0.1]

Generates texts from a Zipf-distributed vocabulary of 30,000 made-up words (200-1,200 words each; a share of
them are syndicated copies of a recent article: the first two thirds, or the text with a promo paragraph), loads
them in batches through `warehouse.load.load_batch` into a fresh DuckDB file (pinned to one CPU: CPU-time
figures on a shared machine), and prints, per window of articles: CPU ms per article of the whole load and of
the story step alone (fingerprint, band lookup in DuckDB, links, assignment), the size of the index tables, and
the process's peak RSS. Signatures and bands live in DuckDB tables; what grows in memory is DuckDB's buffer pool
caching the file, capped by its memory_limit (`--memory-limit 256MB`; DuckDB's default is 80% of RAM).
Checks at the end that every copy landed in its original's story.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--copy-share", type=float, default=0.1)
    parser.add_argument("--windows", type=int, default=10)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--memory-limit", help="DuckDB memory_limit for the run, e.g. 256MB (default: DuckDB's)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    import one_core  # noqa: F401
    import numpy as np

    import warehouse.load as load_module
    from tasks.models import Analysis, ArticleRecord, Document
    from warehouse.db import connect
    from bench_stories import time_story_step

    rng = np.random.default_rng(args.seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocabulary = ["".join(rng.choice(letters, size=rng.integers(2, 10))) for _ in range(30_000)]
    weights = 1.0 / np.arange(1, len(vocabulary) + 1)
    weights /= weights.sum()

    def generated_text() -> str:
        count = int(rng.integers(200, 1200))
        picks = rng.choice(len(vocabulary), size=count, p=weights)
        paragraphs = [" ".join(vocabulary[i] for i in picks[start : start + 60]) + "."
                      for start in range(0, count, 60)]
        return "\n\n".join(paragraphs)

    story_cpu = time_story_step(load_module)
    scratch = Path(tempfile.mkdtemp(prefix="bench-stories-scale-"))
    db = scratch / "scale.duckdb"
    recent: list[tuple[str, str]] = []  # (article_id, text) of recent originals, to copy from
    expected: dict[str, str] = {}  # copy -> its original
    window = max(args.batch, args.articles // args.windows)
    rows: list[dict[str, Any]] = []
    load_cpu = story_before = 0.0
    window_load = 0.0
    generate_cpu = 0.0
    try:
        with connect(db) as con:
            if args.memory_limit:
                con.execute(f"SET memory_limit = '{args.memory_limit}'")
            for start in range(0, args.articles, args.batch):
                started = time.process_time()
                records = []
                for number in range(start, min(args.articles, start + args.batch)):
                    article_id = f"{number:012d}"
                    if recent and rng.random() < args.copy_share:
                        source_id, source_text = recent[int(rng.integers(len(recent)))]
                        paras = source_text.split("\n\n")
                        if rng.random() < 0.5:
                            text = "\n\n".join(paras[: max(2, round(len(paras) * 2 / 3))]) + "\n\nSource link"
                        else:
                            text = "\n\n".join([*paras[:1], "Subscribe to our newsletter for the day's top news.",
                                                *paras[1:]])
                        expected[article_id] = source_id
                    else:
                        text = generated_text()
                        recent.append((article_id, text))
                        del recent[:-1000]
                    document = Document(url=f"https://example.org/{article_id}", title=f"t{number}", text=text,
                                        published=f"2024-01-{1 + number % 28:02d}T00:00:00+00:00")
                    records.append(ArticleRecord(article_id, document.url or "", document.url or "",
                                                 f"site{number % 50}", Analysis(document), None, None, None, None))
                generate_cpu += time.process_time() - started
                started = time.process_time()
                load_module.load_batch(con, "scale", records, [])
                window_load += time.process_time() - started
                done = min(args.articles, start + args.batch)
                if done % window == 0 or done == args.articles:
                    size = done - (rows[-1]["articles"] if rows else 0)
                    bands = con.execute("SELECT COUNT(*) FROM story_bands").fetchone()[0]
                    rows.append({
                        "articles": done,
                        "load_ms_per_article": round(1000 * window_load / size, 3),
                        "story_step_ms_per_article": round(1000 * (story_cpu[0] - story_before) / size, 3),
                        "story_bands_rows": bands,
                        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                    })
                    print(json.dumps(rows[-1]), flush=True)
                    load_cpu += window_load
                    window_load, story_before = 0.0, story_cpu[0]
            assigned = dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())
            tables = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                      for t in ("articles", "stories", "story_signatures", "story_bands", "story_links")}
        joined = sum(assigned[copy] == assigned[original] for copy, original in expected.items())
        result = {
            "articles": args.articles, "batch": args.batch, "duckdb_memory_limit": args.memory_limit or "default", "copies": len(expected),
            "copies_in_their_original_story": joined, "tables": tables,
            "db_file_mb": round(db.stat().st_size / 2**20),
            "load_ms_per_article_all": round(1000 * load_cpu / args.articles, 3),
            "story_step_ms_per_article_all": round(1000 * story_cpu[0] / args.articles, 3),
            "text_generation_cpu_s": round(generate_cpu, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "windows": rows,
        }
        text = json.dumps(result, indent=2)
        print(text)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
