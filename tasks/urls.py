"""URL canonicalisation and the checks made before any request, so one story is one URL and no fetch goes where
it should not."""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tld import get_fld

# Query parameters that only track where a click came from; dropping them makes one story one URL.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid",
        "_ga", "_gl", "ref_src", "ref_url", "cmpid", "ocid", "smid", "sr_share", "at_medium", "at_campaign",
        "__twitter_impression", "guccounter", "guce_referrer", "guce_referrer_sig", "ito", "cid",
    }
)
TRACKING_PREFIXES = ("utm_", "mkt_", "pk_", "hsa_", "at_")
DEFAULT_PORTS = {"http": 80, "https": 443}


class UrlError(ValueError):
    """A URL newsdesk will not fetch; the message says why."""


def canonicalize(url: str) -> str:
    """Lower-case scheme and host, drop default port, fragment and tracking parameters, sort the query.

    Raises UrlError for anything that is not an absolute http(s) URL.
    """
    raw = url.strip()
    if not raw:
        raise UrlError("empty URL")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise UrlError(f"malformed URL {raw!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlError(f"unsupported URL scheme {parts.scheme or '(none)'!r} in {raw!r}: only http and https")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UrlError(f"URL {raw!r} has no host")
    try:
        host = host.encode("idna").decode("ascii") if not _is_ip(host) else host
    except UnicodeError as exc:
        raise UrlError(f"malformed host in {raw!r}: {exc}") from exc
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    query.sort()
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def host_of(url: str) -> str:
    """scheme://host[:port], the unit politeness and robots.txt apply to."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def registrable_domain(url: str) -> str:
    """The domain a site registered (bbc.co.uk for news.bbc.co.uk), by the Public Suffix List bundled with `tld`
    (no download); an IP address, or a host under a suffix the list lacks, falls back to its last two labels."""
    host = (urlsplit(url).hostname or "").lower()
    if _is_ip(host):
        return host
    found = get_fld(f"http://{host}", fail_silently=True)
    return found if isinstance(found, str) else ".".join(host.split(".")[-2:])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str) -> tuple[str, ...]:
    """Every address the system resolver gives for `host` (an IP literal is its own answer), in its order."""
    if _is_ip(host):
        return (host,)
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlError(f"cannot resolve host {host!r}: {exc}") from exc
    return tuple(dict.fromkeys(str(sockaddr[0]).split("%", 1)[0] for *_, sockaddr in infos))


def checked_addresses(host: str, allow_private_hosts: bool) -> tuple[str, ...]:
    """Resolve `host` once and return the addresses a fetch may connect to; UrlError when one is not public.

    Fetches connect to exactly these addresses (tasks.fetch pins them), never to a second lookup's answer: a
    host that answers a public address here and 127.0.0.1 a moment later (DNS rebinding) cannot get past.
    """
    addresses = resolve(host)
    if not addresses:
        raise UrlError(f"cannot resolve host {host!r}: no addresses")
    if not allow_private_hosts:
        for address in addresses:
            if not is_public_address(address):
                raise UrlError(
                    f"host {host!r} resolves to non-public address {address}; to fetch from it, "
                    f"{how_to_allow_private_hosts()}"
                )
    return addresses


def how_to_allow_private_hosts() -> str:
    """The fix for a private-host refusal in the words of where the run came from. A deployment run is started
    by a Prefect worker or runner, which sets PREFECT__FLOW_RUN_ID in the environment of the process it starts;
    there the fix is the flow parameter or the worker's environment, and a CLI flag means nothing."""
    if os.environ.get("PREFECT__FLOW_RUN_ID"):
        return (
            "run the deployment with the parameter allow_private_hosts=true (prefect deployment run ... "
            "--param allow_private_hosts=true) or set NEWSDESK_ALLOW_PRIVATE_HOSTS=true in the worker's environment"
        )
    return "pass --allow-private-hosts (or set NEWSDESK_ALLOW_PRIVATE_HOSTS=true)"


def check_host_allowed(url: str, allow_private_hosts: bool) -> None:
    """Raise UrlError when the URL's host resolves to a non-public address and that is not allowed."""
    if allow_private_hosts:
        return
    checked_addresses(urlsplit(url).hostname or "", allow_private_hosts)
