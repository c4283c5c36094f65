"""Loading benchmark: rows/s into DuckDB through Arrow (warehouse.load) beside executemany upserts, same rows.

    uv run python bench/bench_load.py [--articles 5000] [--executemany-rows 2000]
    uv run python bench/bench_load.py --growth [--articles 5000]   # load CPU as the database grows, one core

Rows are synthetic but shaped like the pipeline's (article text of ~600 words, 5 quotes and 12 entity mentions
an article) and built by warehouse.load.article_rows, so both methods load exactly the loader's columns.
- per table (articles, quotes, entity_mentions): an upsert keyed like the real table, into a scratch table with
  the batch's columns, first into an empty table (inserts) and then again (every row a conflict: updates);
  Arrow = register the table + INSERT ... SELECT ... ON CONFLICT DO UPDATE, executemany = the same statement
  with one parameter row each (on the first --executemany-rows rows: it is that slow);
- the real thing: warehouse.load.load_batch in batches of 100 articles (articles, versions, quotes, entities,
  mentions, fetch_log in one transaction a batch), into a fresh database, then the same batches again.
`--growth`: load_batch as a run calls it, a connection per batch (closing it checkpoints), CPU ms per article by
tenth of the articles, on one pinned core: the schema as migrated (the tables that grow with every article have
no index, migration 010) beside, in the same run, the same database with the primary keys those tables had before.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from tasks.models import Analysis, ArticleEntity, ArticleRecord, Document, LogEntry, Quote  # noqa: E402
from warehouse.db import connect  # noqa: E402
from warehouse.load import article_rows, load_batch, start_run  # noqa: E402

KEYS = {"articles": ["article_id"], "quotes": ["article_id", "ordinal"], "entity_mentions": ["article_id", "entity_id"]}
WORDS = (
    "harbor council vote bond seawall ferry port authority container terminal fleet quota library flood housing "
    "project traffic study marathon route regatta club final title season winter spring budget mayor board "
    "residents engineers construction million percent week month year said told according officials plan"
).split()
NAMES = ["Maya Lindqvist", "Ben Achterberg", "Luis Ferreira", "Port Authority", "Harbor Ledger", "Ana Ruiz",
         "Devin Marsh", "Tern Island", "City Council", "Planning Board", "Ostervik", "Kestrel Point"]


def synthetic_records(count: int, seed: int = 7) -> list[ArticleRecord]:
    rng = random.Random(seed)
    records = []
    for index in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(600))
        url = f"https://news.example/story-{index:06d}.html"
        quotes = tuple(
            Quote(ordinal=q + 1, text=" ".join(rng.choice(WORDS) for _ in range(15)), start=10 * q, end=10 * q + 9,
                  speaker_text="she", speaker=rng.choice(NAMES), speaker_label="PERSON", verb="said", kind="full")
            for q in range(5)
        )
        entities = tuple(
            ArticleEntity(name=f"{name} {index % 50}", label=("PERSON", "ORG", "GPE")[e % 3], mention_count=e + 1,
                          first_start=20 * e, first_end=20 * e + 12, surfaces=(name,), role=None)
            for e, name in enumerate(rng.sample(NAMES, 12))
        )
        document = Document(url=url, title=f"Story {index}", text=text, authors=("Maya Lindqvist",),
                            published="2026-11-29T18:42:00-05:00")
        records.append(
            ArticleRecord(article_id=f"{index:016x}", url=url, fetched_url=url, source="bench",
                          analysis=Analysis(document=document, quotes=quotes, entities=entities),
                          fetched_at="2026-11-30T09:00:00+00:00", warc_path="data/warc/x.warc.gz",
                          warc_offset=index * 1000, warc_length=900)
        )
    return records


def scratch_table(con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table) -> None:
    con.register("template", rows.slice(0, 0))
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM template")
    con.unregister("template")
    con.execute(f"ALTER TABLE {name} ADD PRIMARY KEY ({', '.join(KEYS[name])})")


def upsert_sql(name: str, columns: list[str], source: str) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in KEYS[name])
    return f"INSERT INTO {name} SELECT * FROM {source} ON CONFLICT ({', '.join(KEYS[name])}) DO UPDATE SET {updates}"


OLD_PRIMARY_KEYS = {  # what migration 010 dropped: the peer of --growth
    "articles": "article_id", "article_versions": "article_id, version", "quotes": "article_id, ordinal",
    "entity_mentions": "article_id, entity_id", "story_signatures": "article_id",
}


def growth_run(db: Path, records: list[ArticleRecord], batch_size: int, primary_keys: bool) -> list[tuple[float, float]]:
    """(CPU s, of which closing) per batch, loading `records` with a connection per batch as flows/batches.py does."""
    with connect(db) as con:
        start_run(con, "bench", "scrape", {})
        if primary_keys:
            for table, key in OLD_PRIMARY_KEYS.items():
                con.execute(f"ALTER TABLE {table} ADD PRIMARY KEY ({key})")
    per_batch = []
    for first in range(0, len(records), batch_size):
        batch = records[first : first + batch_size]
        log = [LogEntry(url=r.fetched_url, kind="article", outcome="loaded", article_id=r.article_id) for r in batch]
        started = time.process_time()
        opened = connect(db)
        con = opened.__enter__()
        load_batch(con, "bench", batch, log)
        closing = time.process_time()
        opened.__exit__(None, None, None)
        ended = time.process_time()
        per_batch.append((ended - started, ended - closing))
    return per_batch


def growth(records: list[ArticleRecord], batch_size: int) -> str:
    import one_core  # noqa: F401

    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-load-") as scratch:
        growth_run(Path(scratch) / "warm-up.duckdb", records[: 2 * batch_size], batch_size, False)  # first-use costs
        runs = {keys: growth_run(Path(scratch) / f"keys-{keys}.duckdb", records, batch_size, keys)
                for keys in (False, True)}
    tenth = max(1, len(runs[False]) // 10)
    lines = [
        f"{len(records)} synthetic articles, load_batch of {batch_size} with a connection per batch, one pinned "
        "core; CPU ms per article (ms per batch spent closing, i.e. checkpointing) by tenth of the run:", "",
        "| articles loaded | growing tables unindexed (migration 010) | with their old primary keys (peer) |",
        "|---|---|---|",
    ]
    for start in range(0, len(runs[False]), tenth):
        cells = []
        for keys in (False, True):
            part = runs[keys][start : start + tenth]
            cells.append(f"{1000 * sum(c for c, _ in part) / (len(part) * batch_size):.2f} "
                         f"({1000 * sum(c for _, c in part) / len(part):.0f})")
        lines.append(f"| {start * batch_size + 1}-{min(len(records), (start + tenth) * batch_size)} | {cells[0]} | {cells[1]} |")
    for keys, label in ((False, "unindexed"), (True, "primary keys")):
        total = sum(c for c, _ in runs[keys])
        lines.append(f"\n{label}: {total:.1f} CPU s in all, {1000 * total / len(records):.2f} ms per article.")
    return "\n".join(lines)


def arrow_upsert(con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table) -> float:
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    con.register("incoming", rows)
    con.execute(upsert_sql(name, rows.column_names, "incoming"))
    con.unregister("incoming")
    con.execute("COMMIT")
    return time.perf_counter() - started


def executemany_upsert(con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table) -> float:
    params = [tuple(row.values()) for row in rows.to_pylist()]
    values = "(" + ", ".join("?" for _ in rows.column_names) + ")"
    sql = upsert_sql(name, rows.column_names, "x").replace("SELECT * FROM x", f"VALUES {values}")
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    con.executemany(sql, params)
    con.execute("COMMIT")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--executemany-rows", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100, help="articles per load_batch call (the pipeline's)")
    parser.add_argument("--growth", action="store_true", help="only: load CPU by tenth as the database grows")
    args = parser.parse_args()

    records = synthetic_records(args.articles)
    if args.growth:
        print(growth(records, args.batch))
        return
    started = time.perf_counter()
    tables = dict(zip(KEYS, article_rows(records), strict=True))
    build_seconds = time.perf_counter() - started
    out = [
        f"{args.articles} synthetic articles: "
        + ", ".join(f"{len(t)} {name} rows" for name, t in tables.items())
        + f"; building the Arrow tables took {build_seconds:.2f} s "
        f"({sum(len(t) for t in tables.values()) / build_seconds:,.0f} rows/s).",
        "",
        "| table | Arrow insert rows/s | Arrow upsert rows/s | executemany insert rows/s "
        "| executemany upsert rows/s | Arrow / executemany (upserts) |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-load-") as scratch:
        con = duckdb.connect(str(Path(scratch) / "tables.duckdb"))
        for name, rows in tables.items():
            scratch_table(con, name, rows)
            arrow_insert = len(rows) / arrow_upsert(con, name, rows)
            arrow_update = len(rows) / arrow_upsert(con, name, rows)
            subset = rows.slice(0, args.executemany_rows)
            scratch_table(con, name, rows)
            many_insert = len(subset) / executemany_upsert(con, name, subset)
            many_update = len(subset) / executemany_upsert(con, name, subset)
            out.append(
                f"| {name} | {arrow_insert:,.0f} | {arrow_update:,.0f} | {many_insert:,.0f} | {many_update:,.0f} | "
                f"{arrow_update / many_update:,.0f}x |"
            )
        con.close()

        db = Path(scratch) / "newsdesk.duckdb"
        rows_total = sum(len(t) for t in tables.values())
        for attempt in ("fresh database", "same batches again (all upserts)"):
            with connect(db) as con:  # opening and migrating the file is not per-row cost
                start_run(con, "bench", "scrape", {})
                started = time.perf_counter()
                for first in range(0, len(records), args.batch):
                    batch = records[first : first + args.batch]
                    log = [LogEntry(url=r.fetched_url, kind="article", outcome="loaded", article_id=r.article_id)
                           for r in batch]
                    load_batch(con, "bench", batch, log)
                seconds = time.perf_counter() - started
            out.append(
                f"\nwarehouse.load.load_batch, {args.batch} articles a transaction, {attempt}: {seconds:.2f} s for "
                f"{len(records)} articles = {len(records) / seconds:,.0f} articles/s, "
                f"{rows_total / seconds:,.0f} rows/s (articles + quotes + mentions; versions, entities and "
                f"fetch_log rows come on top)."
            )
    print("\n".join(out))


if __name__ == "__main__":
    main()
