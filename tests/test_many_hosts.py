"""Many hosts at once: per-host politeness holds for every host, total concurrency stays bounded.

The hosts are real loopback addresses (127.0.0.2, 127.0.0.3, ...) behind made-up names, resolved by a test
getaddrinfo (as in tests/test_dns_rebinding.py) and connected to through the fetcher's own DNS pinning; the
figures are read off the server side. The full shape (10,000 URLs on 200 hosts) is bench/bench_many_hosts.py.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from loopback import ManyHosts

from flows.batches import plan_batches
from flows.steps import fetch_task
from tasks.fetch import fetch_pages
from tasks.models import DiscoveredUrl
from tasks.politeness import Politeness
from tasks.settings import Settings
from tasks.sources import Source

# The server reads arrivals off the kernel's receive time stamps (wall clock); the client restarts a host's gap once a
# request has gone on the wire (monotonic clock). The two clocks may drift apart by a few parts per million.
CLOCKS = 0.001


def test_batches_take_turns_by_host_and_keep_each_hosts_order() -> None:
    def found(source: str, *urls: str) -> list[DiscoveredUrl]:
        return [DiscoveredUrl(url=url, source=source, found_in="start") for url in urls]

    discovered = [
        *found("a", "http://a.test/1", "http://a.test/2", "http://a.test/3"),
        *found("b", "http://b.test/1", "http://b.test/2"),
        *found("slow", "http://s.test/1", "http://s.test/2"),
        *found("c", "http://c.test:8080/1", "http://c.test/1"),
    ]
    sources = [Source(name=item.source, start_urls=[item.url], min_delay_seconds=5.0 if item.source == "slow" else None)
               for item in discovered[::2]]
    plan = plan_batches(discovered, sources, Settings(batch_size=4))
    assert [batch for _, batch in plan] == [
        ["http://a.test/1", "http://b.test/1", "http://c.test:8080/1", "http://c.test/1"],
        ["http://a.test/2", "http://b.test/2", "http://a.test/3"],
        ["http://s.test/1", "http://s.test/2"],  # other politeness, other batches
    ]
    assert [polite.min_delay_seconds for polite, _ in plan] == [1.0, 1.0, 5.0]


def test_per_host_delay_and_concurrency_hold_for_every_host_across_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 hosts x 20 URLs, one source each, fetched batch after batch as the scrape flow does."""
    hosts, per_host, delay = 20, 20, 0.2
    settings = Settings(allow_private_hosts=True, min_delay_seconds=delay, per_host_concurrency=2,
                        total_concurrency=8, batch_size=100, data_dir=tmp_path, backoff_base_seconds=0.01)
    with ManyHosts(hosts) as server:
        monkeypatch.setattr(socket, "getaddrinfo", server.getaddrinfo)
        discovered = [DiscoveredUrl(url=server.url(h, f"/news/{n:02d}.html"), source=f"site{h}", found_in="start")
                      for h in range(hosts) for n in range(per_host)]
        sources = [Source(name=f"site{h}", start_urls=[server.url(h, "/")]) for h in range(hosts)]
        politeness = Politeness()  # the run's: host clocks carry over from batch to batch
        results = []
        for batch_settings, batch in plan_batches(discovered, sources, settings):
            results += fetch_task.fn(batch, batch_settings, {}, None, politeness)
    assert len(results) == hosts * per_host and {r.outcome for r in results} == {"loaded"}
    assert len(server.hits) == hosts * (per_host + 1)  # robots.txt once a host, then each page once
    assert {(hit.host, hit.address) for hit in server.hits} == set(server.addresses.items())
    gaps = server.smallest_gaps()
    assert len(gaps) == hosts
    assert min(gaps.values()) >= delay - CLOCKS, sorted(gaps.items(), key=lambda kv: kv[1])[:3]
    per_host_max, total_max = server.max_in_flight()
    assert max(per_host_max.values()) <= 2 and total_max <= 8


def test_per_host_and_total_concurrency_caps_are_reached_and_never_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slow answers and no delay: no host gets more than its 2 requests in flight, the run no more than its 6."""
    settings = Settings(allow_private_hosts=True, min_delay_seconds=0.0, per_host_concurrency=2,
                        total_concurrency=6, request_deadline_seconds=10.0)
    with ManyHosts(5, service_seconds=0.2) as server:
        monkeypatch.setattr(socket, "getaddrinfo", server.getaddrinfo)
        urls = [server.url(h, f"/{n}") for n in range(8) for h in range(5)]
        results = asyncio.run(fetch_pages(urls, settings, politeness=Politeness()))
    assert {r.outcome for r in results} == {"loaded"}
    per_host_max, total_max = server.max_in_flight()
    assert len(per_host_max) == 5 and max(per_host_max.values()) == 2 and min(per_host_max.values()) >= 1
    assert total_max == 6
