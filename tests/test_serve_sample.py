"""`newsdesk serve-sample`: the sample site on its own, with its feeds pointing back at the port it serves on, and
a sources file for it; a port in use is one line of error."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from flows.site_server import SiteServer

NEWSDESK = str(Path(sys.executable).with_name("newsdesk"))


def test_serve_sample_fills_in_its_address_and_writes_its_sources_file(tmp_path: Path) -> None:
    with SiteServer() as taken:  # a free port to use: taken, read, then released
        port = int(taken.base_url.rsplit(":", 1)[1])
    sources = tmp_path / "data" / "sample-sources.yaml"
    server = subprocess.Popen([NEWSDESK, "serve-sample", "--port", str(port), "--sources-out", str(sources)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                feed = httpx.get(f"{base}/feed.xml", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "serve-sample did not start"
                time.sleep(0.2)
        assert feed.status_code == 200 and "__BASE_URL__" not in feed.text
        first_link = feed.text.split("<item>", 1)[1].split("<link>", 1)[1].split("</link>", 1)[0]
        assert first_link.startswith(f"{base}/news/") and httpx.get(first_link, timeout=5).status_code == 200
        (source,) = yaml.safe_load(sources.read_text(encoding="utf-8"))["sources"]
        assert source["feeds"][0] == f"{base}/feed.xml"

        busy = subprocess.run([NEWSDESK, "serve-sample", "--port", str(port), "--sources-out",
                               str(tmp_path / "other.yaml")], capture_output=True, text=True, timeout=60)
        assert busy.returncode == 2 and "pick another --port" in busy.stderr, busy.stderr
        assert "Traceback" not in busy.stderr
    finally:
        server.terminate()
        server.wait(10)
