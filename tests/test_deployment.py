"""The deployment path of the README, for real: a Prefect server on 127.0.0.1, a process work pool,
`prefect deploy --all` from prefect.yaml, `prefect deployment run`, and a worker that runs the flow, which
loads rows into DuckDB from the sample site. About a minute."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from flows.site_server import SiteServer

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(args: list[str], env: dict[str, str], timeout: float = 180) -> str:
    done = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_scheduled_deployment_runs_on_a_worker_and_loads_rows(tmp_path: Path) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "NEWSDESK_HOME": str(REPO),
    }
    env.pop("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", None)
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env={k: v for k, v in env.items() if k != "PREFECT_API_URL"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "Prefect server did not become healthy in 120 s"
            assert server.poll() is None, "Prefect server exited"
            time.sleep(1)

        run([PREFECT, "work-pool", "create", "newsdesk", "--type", "process"], env)
        run([PREFECT, "--no-prompt", "deploy", "--all"], env)

        db = tmp_path / "deployed.duckdb"
        with SiteServer() as site:
            sources = tmp_path / "sources.yaml"
            sources.write_text(
                f"sources:\n  - name: sample\n    feeds: ['{site.base_url}/feed.xml']\n", encoding="utf-8"
            )
            for _ in range(2):  # two runs back to back, as when an hourly run overruns the next hour
                out = run(
                    [PREFECT, "deployment", "run", "scrape/scheduled-scrape",
                     "-p", f"sources_file={sources}", "-p", f"db_path={db}",
                     "-p", f"data_dir={tmp_path / 'data'}", "-p", "allow_private_hosts=true",
                     "-p", "min_delay_seconds=0"],
                    env,
                )
                assert "Created flow run" in out, out
            run([PREFECT, "worker", "start", "--pool", "newsdesk", "--run-once"], env, timeout=300)

        # prefect.yaml's concurrency_limit (1, CANCEL_NEW): one run completes, the other is cancelled, not queued
        flow_runs = httpx.post(f"{api}/flow_runs/filter", json={}, timeout=10).json()
        started = [r for r in flow_runs if r["state"]["type"] != "SCHEDULED"]  # not the schedule's future runs
        states = sorted((r["state"]["type"], r["state"].get("message") or "") for r in started)
        assert [state for state, _ in states] == ["CANCELLED", "COMPLETED"], states
        assert "concurrency" in states[0][1].lower(), states

        with duckdb.connect(str(db), read_only=True) as con:
            articles = con.execute("SELECT COUNT(*) FROM articles").fetchall()[0][0]
            (status, params), = con.execute("SELECT status, parameters FROM runs").fetchall()  # one run only
        assert articles >= 5
        assert status == "completed" and json.loads(params)["sources_file"] == str(sources)
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
