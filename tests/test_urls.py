"""URL canonicalisation, article ids, and the checks made before any request."""

from __future__ import annotations

import pytest

from tasks.ids import article_id
from tasks.urls import UrlError, canonicalize, check_host_allowed, host_of, is_public_address


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://Example.COM:80/a/b?utm_source=x&b=2&a=1#frag", "http://example.com/a/b?a=1&b=2"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x?fbclid=1&gclid=2&id=7", "https://example.com:8443/x?id=7"),
        ("  https://example.com/story?mc_cid=a&page=2  ", "https://example.com/story?page=2"),
        ("https://例え.jp/x", "https://xn--r8jz45g.jp/x"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
    ],
)
def test_canonical_form(raw: str, canonical: str) -> None:
    assert canonicalize(raw) == canonical


def test_one_story_one_id() -> None:
    a = article_id(canonicalize("https://News.example.org/s?utm_medium=rss#top"))
    b = article_id(canonicalize("https://news.example.org/s"))
    assert a == b and len(a) == 16
    assert article_id("https://news.example.org/t") != a


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("ftp://example.org/x", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("example.org/story", "only http and https"),
        ("http:///story", "no host"),
        ("http://example.org:99999/", "malformed URL"),
    ],
)
def test_bad_urls_say_why(raw: str, message: str) -> None:
    with pytest.raises(UrlError, match=message):
        canonicalize(raw)


@pytest.mark.parametrize(
    ("address", "public"),
    [("127.0.0.1", False), ("10.1.2.3", False), ("192.168.0.1", False), ("172.16.5.4", False),
     ("169.254.169.254", False), ("::1", False), ("fe80::1", False), ("::ffff:127.0.0.1", False),
     ("0.0.0.0", False), ("224.0.0.1", False), ("93.184.216.34", True), ("2606:4700::1111", True)],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_loopback_hosts_are_refused_unless_allowed() -> None:
    with pytest.raises(UrlError, match="--allow-private-hosts"):
        check_host_allowed("http://localhost:8000/story", allow_private_hosts=False)
    with pytest.raises(UrlError, match="non-public"):
        check_host_allowed("http://127.0.0.1/story", allow_private_hosts=False)
    check_host_allowed("http://127.0.0.1/story", allow_private_hosts=True)


def test_host_of_keeps_scheme_and_port() -> None:
    assert host_of("https://example.org:8443/a/b?c") == "https://example.org:8443"


def test_the_private_host_refusal_names_the_fix_for_where_the_run_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT__FLOW_RUN_ID", raising=False)
    with pytest.raises(UrlError) as cli_run:
        check_host_allowed("http://127.0.0.1/story", allow_private_hosts=False)
    assert "--allow-private-hosts" in str(cli_run.value) and "allow_private_hosts=true" not in str(cli_run.value)
    monkeypatch.setenv("PREFECT__FLOW_RUN_ID", "0b6f3c1e-8d4b-4a4e-9c55-3f0f6d7f2a10")  # as a worker starts a run
    with pytest.raises(UrlError) as deployment_run:
        check_host_allowed("http://127.0.0.1/story", allow_private_hosts=False)
    message = str(deployment_run.value)
    assert "parameter allow_private_hosts=true" in message and "NEWSDESK_ALLOW_PRIVATE_HOSTS" in message
    assert "--allow-private-hosts" not in message


def test_prefect_workers_still_mark_the_runs_they_start() -> None:
    """The deployment wording above relies on this: a worker puts PREFECT__FLOW_RUN_ID in the run's environment."""
    import uuid

    from prefect.client.schemas.objects import FlowRun
    from prefect.workers.base import BaseJobConfiguration

    run = FlowRun(id=uuid.uuid4(), flow_id=uuid.uuid4(), name="r")
    assert BaseJobConfiguration._base_flow_run_environment(run) == {"PREFECT__FLOW_RUN_ID": str(run.id)}
