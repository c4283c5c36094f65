"""Huge discovery inputs: a sitemap index of many large sitemaps, generated on loopback while it is sent.

The shape of the real fault (200 sitemaps of 50,000 URLs, bench/bench_huge_sitemap.py) at a tenth of the width and
depth: 20 sitemaps of 5,000 URLs. Discovery goes through the real fetcher (politeness, host check, size caps) and
the real streaming reader; the limit is reached inside the third sitemap.
"""

from __future__ import annotations

import tracemalloc

from loopback import Loopback, serve_generated_sitemaps

from flows.steps import discover_task
from tasks.discover import discovery_log
from tasks.politeness import Politeness
from tasks.settings import Settings
from tasks.sources import Source

CHILDREN, URLS_EACH, LIMIT = 20, 5_000, 12_000


def test_a_huge_sitemap_index_is_streamed_and_stops_at_max_urls_per_run() -> None:
    with Loopback() as server:
        index = serve_generated_sitemaps(server, CHILDREN, URLS_EACH)
        settings = Settings(allow_private_hosts=True, min_delay_seconds=0.0, max_urls_per_run=LIMIT,
                            request_deadline_seconds=20.0)
        source = Source(name="big", sitemaps=[index])
        tracemalloc.start()
        try:
            result = discover_task.fn(source, settings, Politeness())
            _, traced_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        asked = [request.path for request in server.requests if request.path.startswith("/sitemaps/")]
    children = [server.url(f"/sitemaps/{child:03d}.xml") for child in range(CHILDREN)]

    # the first LIMIT URLs in the order the sitemaps list them: all of 000 and 001, the first 2,000 of 002
    assert len(result.urls) == LIMIT
    assert result.urls[0].url == server.url("/news/000/story-00000.html")
    assert result.urls[-1].url == server.url("/news/002/story-01999.html")
    assert {item.lastmod for item in result.urls} == {"2026-11-30"}
    # only the sitemaps that were needed were asked for, one request each
    assert asked == ["/sitemaps/000.xml", "/sitemaps/001.xml", "/sitemaps/002.xml"]

    # every sitemap has its row: the index and the two read whole are loaded, 002 was read in part (its row says
    # so; the URLs after the 2,000th were never received, so they have no rows of their own), the other 17 are
    # skipped with the reason; no URL was received and left without a row
    rows = {row.url: row for row in discovery_log(source, result)}
    assert set(rows) == {index, *children}
    assert [rows[url].outcome for url in (index, *children[:3])] == ["loaded"] * 4
    assert rows[index].reason is None and rows[children[1]].reason is None
    assert rows[children[1]].found_in == index
    assert "read in part: 2,000 URLs taken" in (rows[children[2]].reason or "")
    assert "max_urls_per_run" in (rows[children[2]].reason or "")
    for child in children[3:]:
        assert rows[child].outcome == "skipped"
        assert rows[child].reason == f"not read: {LIMIT:,} URLs already found (max_urls_per_run)"
    assert result.rejected == [] and result.failures == []

    # memory: the 12,000 URLs kept, not the 2.3 MB sitemaps read or the 100,000 URLs listed (~60 MB as objects)
    assert traced_peak < 25_000_000, f"discovery traced {traced_peak:,} bytes at its peak"


def test_a_limit_spent_before_the_sitemaps_leaves_them_unread_with_a_row_each() -> None:
    """Start URLs come first: when they fill the budget, not even the index is asked for."""
    with Loopback() as server:
        index = serve_generated_sitemaps(server, 3, 10)
        settings = Settings(allow_private_hosts=True, min_delay_seconds=0.0, max_urls_per_run=2)
        source = Source(name="big", start_urls=[server.url("/a"), server.url("/b")], sitemaps=[index])
        result = discover_task.fn(source, settings, Politeness())
        assert server.requests == []
    rows = discovery_log(source, result)
    assert [item.url for item in result.urls] == [server.url("/a"), server.url("/b")]
    assert [(row.url, row.outcome) for row in rows] == [(index, "skipped")]
