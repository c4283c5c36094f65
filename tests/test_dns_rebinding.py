"""DNS rebinding: a name that answers a public address when checked and 127.0.0.1 when connected.

The test's DNS is socket.getaddrinfo answering for *.rebind.test (what both newsdesk's check and any second
lookup by the HTTP stack would ask); the guard and the pinning are the real ones. The made-up public addresses
are routed by the test's network to a loopback server standing in for the public site, so nothing leaves the
machine; any other non-loopback connection is refused.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


def _tls_files(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for `name` signed by it (cert, key, CA cert)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newsdesk test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_file, key_file, ca_file = folder / "server.pem", folder / "server.key", folder / "ca.pem"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return cert_file, key_file, ca_file


def test_tls_keeps_the_name_while_connecting_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The certificate is for the name, not the address: the fetch succeeds only if SNI and the certificate
    check use the URL's host while the socket goes to the pinned address."""
    name = "secure.rebind.test"
    cert_file, key_file, ca_file = _tls_files(tmp_path, name)
    server_names: list[str | None] = []
    hosts: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            hosts.append(self.headers.get("Host"))
            body = PAGE.encode() if self.path == "/story" else b"not here"
            self.send_response(200 if self.path == "/story" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, server_name, ctx: server_names.append(server_name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with Loopback({"/story": Reply(body=SECRET)}) as private:
            port = private.port
            dns = RebindingDns({name: [PUBLIC_A, "127.0.0.1"]})
            network = LoopbackRoutedNetwork({PUBLIC_A: server.server_address[1]})
            monkeypatch.setattr(socket, "getaddrinfo", dns)
            monkeypatch.setattr(fetch_module, "_network", lambda: network)
            monkeypatch.setattr(fetch_module, "_ssl_context", lambda: ssl.create_default_context(cafile=str(ca_file)))
            (result,) = asyncio.run(fetch_pages([f"https://{name}:{port}/story"], settings()))
            assert private.requests == []
    finally:
        server.shutdown()
        server.server_close()
    assert result.outcome == "loaded", result.reason
    assert "public site" in (result.text or "")
    assert set(server_names) == {name} and set(hosts) == {f"{name}:{port}"}
    assert {address for address, _ in network.connects} == {PUBLIC_A} and dns.lookups[name] == 1
