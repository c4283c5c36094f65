"""Per-run politeness state: cached robots.txt rules, per-host request clocks and the per-host gates.

One Politeness object lives for a run (the scrape flow makes it and hands it to discovery and every fetch batch),
so every request of the run to a host shares one clock and one robots.txt, whichever thread or event loop sends
it. Like Scrapy's per-middleware state, it is an object passed in, never a module global: a test or a second
run in the same process starts from a fresh one.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from protego import Protego

ROBOTS_TTL_SECONDS = 24 * 3600  # RFC 9309: do not use a cached robots.txt longer than a day


@dataclass(frozen=True)
class RobotsRules:
    """What one host's robots.txt says, or why the host is treated as disallow-all."""

    parser: Protego | None  # None: allow everything
    unreachable: str | None  # why the host is treated as disallow-all
    crawl_delay: float | None
    loaded_at: float
    no_response: bool = False  # robots.txt got no HTTP answer at all: the host is down, not disallowing

    def allows(self, url: str, user_agent: str) -> bool:
        if self.unreachable:
            return False
        if self.parser is None:
            return True
        try:
            return bool(self.parser.can_fetch(url, user_agent))
        except Exception:  # an odd URL/rule combination is not a reason to stop; robots is advisory here
            return True


class HostGate:
    """Per-host concurrency, then the minimum gap between request starts (the run's clock), then a global slot."""

    def __init__(
        self, key: str, concurrency: int, delay: float, total: asyncio.Semaphore, politeness: Politeness
    ) -> None:
        self.key = key
        self.delay = delay
        self.total = total
        self.politeness = politeness
        self.sem = asyncio.Semaphore(concurrency)
        self.turn = asyncio.Lock()
        self.robots_lock = asyncio.Lock()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[Callable[[], None]]:
        """Wait for this host's turn, gap and a global slot; yields `on_wire`, to call once the request has been
        sent. The host's next request waits for that, then for the gap from that moment: a request held up between
        its turn and the wire (a slow connect, a busy event loop) never ends up closer than the gap to the next."""
        clocks = self.politeness
        async with self.sem:
            await self.turn.acquire()  # only the next request for this host waits for the gap
            sent = False

            def on_wire() -> None:
                nonlocal sent
                if not sent:
                    sent = True
                    clocks.clock_sent(self.key)
                    self.turn.release()

            try:
                while True:
                    wait = clocks.clock_wait(self.key, self.delay)
                    if wait > 0:
                        await asyncio.sleep(wait)
                        continue
                    await self.total.acquire()  # global slot taken only when ready to send
                    if clocks.clock_claim(self.key, self.delay):
                        break
                    self.total.release()
                try:
                    yield on_wire
                finally:
                    self.total.release()
            finally:
                on_wire()  # never sent (a connect that failed): the gap runs from now


@dataclass
class _LoopGates:
    """Gates of one event loop (asyncio primitives belong to a loop), so concurrent fetch_resource/fetch_pages
    calls in that loop (a sitemap index fanned out with gather) share per-host limits and robots.txt fetches."""

    totals: dict[int, asyncio.Semaphore] = field(default_factory=dict)
    gates: dict[tuple[str, int], HostGate] = field(default_factory=dict)


class Politeness:
    """A run's robots.txt cache, host clocks and gates; thread-safe, as fetch batches run in worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._robots: dict[tuple[str, str], RobotsRules] = {}
        self._clocks: dict[str, list[float]] = {}  # netloc -> [last request start, do-not-start-before] (monotonic)
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopGates] = weakref.WeakKeyDictionary()

    # -- robots.txt --------------------------------------------------------------------------------------

    def cached_robots(self, host: str, user_agent: str) -> RobotsRules | None:
        with self._lock:
            entry = self._robots.get((host, user_agent))
        if entry is not None and time.monotonic() - entry.loaded_at < ROBOTS_TTL_SECONDS:
            return entry
        return None

    def store_robots(self, host: str, user_agent: str, rules: RobotsRules) -> None:
        with self._lock:
            self._robots[(host, user_agent)] = rules

    # -- host clocks -------------------------------------------------------------------------------------

    def clock_wait(self, key: str, delay: float) -> float:
        with self._lock:
            last, not_before = self._clocks.setdefault(key, [-math.inf, 0.0])
            return max(last + delay, not_before) - time.monotonic()

    def clock_claim(self, key: str, delay: float) -> bool:
        """Record a request start if the host's gap has passed (atomically, across event loops in threads)."""
        with self._lock:
            clock = self._clocks.setdefault(key, [-math.inf, 0.0])
            now = time.monotonic()
            if max(clock[0] + delay, clock[1]) - now > 0:
                return False
            clock[0] = now
            return True

    def clock_sent(self, key: str) -> None:
        """Restart the host's gap when a request has actually gone out (HostGate.slot's on_wire)."""
        with self._lock:
            clock = self._clocks.setdefault(key, [-math.inf, 0.0])
            clock[0] = max(clock[0], time.monotonic())

    def clock_hold_off(self, key: str, seconds: float) -> None:
        with self._lock:
            clock = self._clocks.setdefault(key, [-math.inf, 0.0])
            clock[1] = max(clock[1], time.monotonic() + seconds)

    # -- gates -------------------------------------------------------------------------------------------

    def gate(self, netloc: str, concurrency: int, delay: float, total_concurrency: int) -> HostGate:
        """The running event loop's gate for a host (one per concurrency setting, as sources may differ)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            gates = self._loops.get(loop)
            if gates is None:
                gates = self._loops[loop] = _LoopGates()
            key = (netloc, concurrency)
            gate = gates.gates.get(key)
            if gate is None:
                total = gates.totals.setdefault(total_concurrency, asyncio.Semaphore(total_concurrency))
                gate = gates.gates[key] = HostGate(netloc, concurrency, delay, total, self)
            return gate
