"""Many hosts at once: 10,000 article URLs on 200 loopback hosts, fetched as the scrape flow fetches them.

    uv run --group bench python bench/bench_many_hosts.py [--hosts 200] [--per-host 50] [--old-plan-batches 2]

The hosts are names `siteNNN.many.test` on 127.0.0.2 ... 127.0.0.201, one port, served by tests/loopback.py's
ManyHosts in this process (each answer after --service-seconds, 0.1 s by default), which reads every request's arrival off the kernel's receive time stamp and counts the
requests in flight per host and in all. The client is a fresh process pinned to one core (bench/one_core.py),
resolving the names through a replaced socket.getaddrinfo (the fetcher's own DNS pinning then connects to the
answer): the 200 hosts are 200 sources (as a sources file with 200 sites would give), planned into batches by
flows.batches.plan_batches and fetched batch after batch by the flow's fetch task (WARC archive written), with one
run-wide Politeness and the default politeness settings (min_delay_seconds 1.0, per_host_concurrency 2,
total_concurrency 16, batch_size 100). Printed: the smallest gap between two requests to one host, the most requests
in flight to one host and in all, and the run's throughput (wall time and the client's CPU time).

Beside it, the plan newsdesk used before (each source's URLs in batches of their own, so a batch holds one host's 50
URLs and waits 49 gaps), for its first --old-plan-batches batches only: the whole run would take ~100 times longer.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "bench")]


def child(args: argparse.Namespace) -> None:
    """Fetch the URLs in its own process; print one JSON line."""
    import one_core  # noqa: F401  (pins this process to one CPU)
    import socket

    from flows.batches import batches, plan_batches
    from flows.steps import fetch_task
    from tasks.models import DiscoveredUrl
    from tasks.politeness import Politeness
    from tasks.settings import Settings
    from tasks.sources import Source

    spec = json.loads(Path(args.spec).read_text())
    addresses: dict[str, str] = spec["addresses"]
    real = socket.getaddrinfo

    def getaddrinfo(host: object, port: object, *rest: object, **kwargs: object) -> list[tuple[object, ...]]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in addresses:
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (addresses[name], port or 0))]
        return real(host, port, *rest, **kwargs)  # type: ignore[arg-type]

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    settings = Settings(allow_private_hosts=True, data_dir=Path(tempfile.mkdtemp(prefix="many-hosts-")))
    discovered = [DiscoveredUrl(url=url, source=source, found_in="start") for source, url in spec["urls"]]
    names = list(dict.fromkeys(item.source for item in discovered))
    sources = [Source(name=name, start_urls=[next(i.url for i in discovered if i.source == name)]) for name in names]
    if args.old_plan:
        plan = [(settings, batch) for name in names
                for batch in batches([i.url for i in discovered if i.source == name], settings.batch_size)]
        plan = plan[: args.old_plan]
    else:
        plan = plan_batches(discovered, sources, settings)
    politeness = Politeness()
    started, cpu = time.perf_counter(), time.process_time()
    outcomes: dict[str, int] = {}
    for batch_settings, batch in plan:
        for result in fetch_task.fn(batch, batch_settings, {}, None, politeness):
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    wall, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    pages = sum(outcomes.values())
    print(json.dumps({
        "batches": len(plan), "pages": pages, "outcomes": outcomes, "wall_s": round(wall, 1),
        "cpu_s": round(cpu_s, 1), "pages_per_s": round(pages / wall, 1), "cpu_ms_per_page": round(1000 * cpu_s / pages, 2),
        "settings": {"min_delay_seconds": settings.min_delay_seconds, "per_host_concurrency": settings.per_host_concurrency,
                     "total_concurrency": settings.total_concurrency, "batch_size": settings.batch_size},
    }), flush=True)


def run(label: str, server: object, spec_file: str, old_plan: int = 0) -> None:
    server.hits.clear()  # type: ignore[attr-defined]
    command = [sys.executable, __file__, "--child", "--spec", spec_file, "--old-plan", str(old_plan)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=3600,
                         env={**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    gaps = server.smallest_gaps()  # type: ignore[attr-defined]
    per_host, total = server.max_in_flight()  # type: ignore[attr-defined]
    hits = server.hits  # type: ignore[attr-defined]
    worst = min(gaps, key=gaps.get)
    figures.update(
        label=label, requests_seen=len(hits), hosts_seen=len(per_host),
        wrong_address=sum(hit.address != server.addresses.get(hit.host) for hit in hits),  # type: ignore[attr-defined]
        smallest_gap_s=round(gaps[worst], 4), smallest_gap_host=worst,
        median_of_host_smallest_gaps_s=round(sorted(gaps.values())[len(gaps) // 2], 4),
        max_in_flight_one_host=max(per_host.values()), max_in_flight_total=total,
    )
    print(json.dumps(figures), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--per-host", type=int, default=50)
    parser.add_argument("--old-plan-batches", type=int, default=2)
    parser.add_argument("--service-seconds", type=float, default=0.1, help="how long the server takes to answer")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--old-plan", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from loopback import ManyHosts

    with ManyHosts(args.hosts, service_seconds=args.service_seconds) as server, tempfile.TemporaryDirectory() as scratch:
        urls = [(f"site{h}", server.url(h, f"/news/story-{n:03d}.html"))
                for h in range(args.hosts) for n in range(args.per_host)]
        spec_file = str(Path(scratch) / "spec.json")
        Path(spec_file).write_text(json.dumps({"addresses": server.addresses, "urls": urls}))
        print(f"{len(urls):,} URLs on {args.hosts} hosts (127.0.0.2-127.0.0.{args.hosts + 1}, port {server.port}), "
              f"each answer after {args.service_seconds:g} s")
        run("newsdesk: batches take turns by host (flows.batches.plan_batches)", server, spec_file)
        if args.old_plan_batches:
            run(f"before: each source's URLs in their own batches (first {args.old_plan_batches} batches only)",
                server, spec_file, old_plan=args.old_plan_batches)


if __name__ == "__main__":
    main()
