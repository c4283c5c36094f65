"""DNS rebinding: a name that answers a public address when checked and 127.0.0.1 when connected.

The test's DNS is socket.getaddrinfo answering for *.rebind.test (what both newsdesk's check and any second
lookup by the HTTP stack would ask); the guard and the pinning are the real ones. The made-up public addresses
are routed by the test's network to a loopback server standing in for the public site, so nothing leaves the
machine; any other non-loopback connection is refused.
"""

from __future__ import annotations

import asyncio
import socket
from collections import defaultdict

import httpcore
import pytest
from loopback import Loopback, Reply

import tasks.fetch as fetch_module
from tasks.fetch import fetch_pages
from tasks.settings import Settings

PAGE = "<!doctype html><html><head><title>t</title></head><body><p>Hello from the public site.</p></body></html>"
SECRET = "<!doctype html><html><body><p>internal admin page</p></body></html>"
PUBLIC_A, PUBLIC_B = "93.184.215.14", "151.101.65.140"  # public addresses, never contacted: routed to loopback


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "allow_private_hosts": False, "min_delay_seconds": 0.0, "backoff_base_seconds": 0.01,
        "request_deadline_seconds": 2.0, "connect_timeout_seconds": 1.0, "max_retries": 1,
    }
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


class RebindingDns:
    """Answers each *.rebind.test name with its first address on the first lookup, the last one ever after."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.lookups: dict[str, int] = defaultdict(int)
        self.real = socket.getaddrinfo

    def __call__(self, host: object, port: object, *args: object, **kwargs: object) -> list[tuple]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in self.answers:
            return self.real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        self.lookups[name] += 1
        sequence = self.answers[name]
        address = sequence[min(self.lookups[name], len(sequence)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))]


class LoopbackRoutedNetwork(httpcore.AnyIOBackend):
    """Routes the made-up public addresses to the loopback server playing the public site; records every connect."""

    def __init__(self, routes: dict[str, int]) -> None:
        self.routes = routes
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host: str, port: int, *args: object, **kwargs: object) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        if host in self.routes:
            return await super().connect_tcp("127.0.0.1", self.routes[host], *args, **kwargs)  # type: ignore[arg-type]
        if host.startswith("127."):
            return await super().connect_tcp(host, port, *args, **kwargs)  # type: ignore[arg-type]
        raise httpcore.ConnectError(f"the test network does not route {host}")


def test_a_rebinding_host_gets_the_checked_address_on_every_hop(monkeypatch: pytest.MonkeyPatch) -> None:
    with Loopback({"/admin": Reply(body=SECRET), "/next": Reply(body=SECRET)}) as private, Loopback() as public:
        port = private.port  # the attacker's target: 127.0.0.1 on the port the URLs name
        public.route("/story", Reply(status=302, headers={"Location": f"http://hop.rebind.test:{port}/next"}))
        public.route("/next", Reply(body=PAGE))
        dns = RebindingDns({"news.rebind.test": [PUBLIC_A, "127.0.0.1"], "hop.rebind.test": [PUBLIC_B, "127.0.0.1"]})
        network = LoopbackRoutedNetwork({PUBLIC_A: public.port, PUBLIC_B: public.port})
        monkeypatch.setattr(socket, "getaddrinfo", dns)
        monkeypatch.setattr(fetch_module, "_network", lambda: network)
        story, admin = asyncio.run(fetch_pages(
            [f"http://news.rebind.test:{port}/story", f"http://news.rebind.test:{port}/admin"], settings()
        ))
        assert private.requests == []  # the private address was never reached, on any hop
        hosts = {(request.path, request.header("host")) for request in public.requests}
    assert story.outcome == "loaded" and "public site" in (story.text or "")
    assert story.final_url == f"http://hop.rebind.test:{port}/next"
    assert ("/story", f"news.rebind.test:{port}") in hosts and ("/next", f"hop.rebind.test:{port}") in hosts
    assert admin.outcome != "loaded" or "internal admin" not in (admin.text or "")
    assert {address for address, _ in network.connects} <= {PUBLIC_A, PUBLIC_B}
    assert all(connect_port == port for _, connect_port in network.connects)
    assert dict(dns.lookups) == {"news.rebind.test": 1, "hop.rebind.test": 1}  # resolved once, robots included


def test_a_host_checked_private_is_refused_before_any_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    with Loopback({"/a": Reply(body=SECRET)}) as private:
        dns = RebindingDns({"inside.rebind.test": ["127.0.0.1", PUBLIC_A]})
        network = LoopbackRoutedNetwork({PUBLIC_A: private.port})
        monkeypatch.setattr(socket, "getaddrinfo", dns)
        monkeypatch.setattr(fetch_module, "_network", lambda: network)
        (result,) = asyncio.run(fetch_pages([f"http://inside.rebind.test:{private.port}/a"], settings()))
        assert private.requests == [] and network.connects == []
    assert result.outcome == "failed" and "non-public address 127.0.0.1" in (result.reason or "")
    assert dns.lookups["inside.rebind.test"] == 1


def test_with_private_hosts_allowed_the_connection_still_goes_to_the_one_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--allow-private-hosts turns off the refusal, not the pinning: a later answer never moves a connection."""
    with Loopback({"/a": Reply(body=PAGE)}) as site:
        dns = RebindingDns({"lan.rebind.test": ["127.0.0.1", "127.0.0.2"]})  # nothing listens on 127.0.0.2
        network = LoopbackRoutedNetwork({})
        monkeypatch.setattr(socket, "getaddrinfo", dns)
        monkeypatch.setattr(fetch_module, "_network", lambda: network)
        urls = [f"http://lan.rebind.test:{site.port}/a", f"http://lan.rebind.test:{site.port}/a?b"]
        results = asyncio.run(fetch_pages(urls, settings(allow_private_hosts=True)))
        assert {request.header("host") for request in site.requests} == {f"lan.rebind.test:{site.port}"}
    assert [r.outcome for r in results] == ["loaded", "loaded"]
    assert {address for address, _ in network.connects} == {"127.0.0.1"}
    assert dns.lookups["lan.rebind.test"] == 1
