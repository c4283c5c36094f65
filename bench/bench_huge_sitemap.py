"""Huge discovery input: a sitemap index of 200 sitemaps of 50,000 URLs each (10 million URLs), on loopback.

    uv run --group bench python bench/bench_huge_sitemap.py [--children 200] [--urls-each 50000]

The sitemaps are generated while they are sent (tests/loopback.py serve_generated_sitemaps), by a server in this
process; each measured run is a fresh process pinned to one core (bench/one_core.py) running newsdesk's discovery
(the scrape flow's discover task: real fetcher, politeness, streaming reader) and printing its wall time and CPU
time (after imports), peak RSS (and RSS once the imports are done), sitemaps requested and fetch_log rows:

- newsdesk at the default max_urls_per_run (10,000) on the full index;
- the same limit on a small index (--small-children x --small-urls-each): peak RSS should not change with the input;
- newsdesk with max_urls_per_run = 1,000,000 on the full index (memory grows with the URLs kept, not the input);
- the peer, ultimate-sitemap-parser (usp), reading an index of the first 20 sitemaps (1,000,000 URLs, the bytes
  the 1,000,000 run reads): it has no URL limit, so on the full index it would read all 10 million.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "bench")]


def child(args: argparse.Namespace) -> None:
    """One measured run, in its own process: print one JSON line of figures."""
    import one_core  # noqa: F401  (pins this process to one CPU)
    import resource

    if args.peer:
        from usp.fetch_parse import SitemapFetcher
    else:
        from flows.steps import discover_task
        from tasks.discover import discovery_log
        from tasks.politeness import Politeness
        from tasks.settings import Settings
        from tasks.sources import Source
    imported_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    if args.peer:
        tree = SitemapFetcher(url=args.index, recursion_level=0).sitemap()
        urls = sum(1 for _ in tree.all_pages())
        figures = {"urls": urls, "rows": None}
    else:
        settings = Settings(allow_private_hosts=True, min_delay_seconds=0.0, max_urls_per_run=args.limit,
                            request_deadline_seconds=600.0)
        source = Source(name="big", sitemaps=[args.index])
        result = discover_task.fn(source, settings, Politeness())
        rows = discovery_log(source, result)
        figures = {
            "urls": len(result.urls), "rows": len(rows),
            "skipped_rows": sum(row.outcome == "skipped" for row in rows),
            "read_in_part": [row.url.rsplit("/", 1)[-1] for row in rows if row.reason and "read in part" in row.reason],
        }
    figures.update(
        wall_s=round(time.perf_counter() - started, 2), cpu_s=round(time.process_time() - cpu, 2),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        rss_after_imports_mb=round(imported_rss, 1),
    )
    print(json.dumps(figures), flush=True)


def measure(label: str, server: object, index: str, limit: int | None, peer: bool = False) -> dict[str, object]:
    before = len(server.requests)  # type: ignore[attr-defined]
    command = [sys.executable, __file__, "--child", "--index", index, "--limit", str(limit or 0)]
    if peer:
        command.append("--peer")
    out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=3600).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    requests = server.requests[before:]  # type: ignore[attr-defined]
    figures["sitemaps_requested"] = sum(1 for r in requests if r.path.startswith("/sitemaps/"))
    figures["label"] = label
    print(json.dumps(figures), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=200)
    parser.add_argument("--urls-each", type=int, default=50_000)
    parser.add_argument("--small-children", type=int, default=20)
    parser.add_argument("--small-urls-each", type=int, default=5_000)
    parser.add_argument("--peer-children", type=int, default=20)
    parser.add_argument("--big-limit", type=int, default=1_000_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=10_000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from loopback import Loopback, serve_generated_sitemaps

    from tasks.settings import Settings

    default_limit = Settings().max_urls_per_run
    total = args.children * args.urls_each
    print(f"index of {args.children} sitemaps x {args.urls_each:,} URLs = {total:,} URLs, generated on 127.0.0.1")
    with Loopback() as full, Loopback() as small, Loopback() as peer_site:
        full_index = serve_generated_sitemaps(full, args.children, args.urls_each)
        small_index = serve_generated_sitemaps(small, args.small_children, args.small_urls_each)
        peer_index = serve_generated_sitemaps(peer_site, args.peer_children, args.urls_each)
        measure(f"newsdesk, full index, max_urls_per_run={default_limit:,}", full, full_index, default_limit)
        measure(f"newsdesk, {args.small_children} x {args.small_urls_each:,} index, max_urls_per_run={default_limit:,}",
                small, small_index, default_limit)
        measure(f"newsdesk, full index, max_urls_per_run={args.big_limit:,}", full, full_index, args.big_limit)
        measure(f"peer usp, {args.peer_children} x {args.urls_each:,} index (reads all)", peer_site, peer_index,
                None, peer=True)


if __name__ == "__main__":
    main()
