"""The README's deployment recipe, run as written: its two shell blocks (marked `<!-- recipe: ... -->`) go to
bash unchanged but for the ports and a doubled run line, in a folder laid out like a clone, with `uv run X`
running the venv's X. A Prefect server on 127.0.0.1, `newsdesk serve-sample`, a process work pool, `prefect
deploy` from prefect.yaml, a deployment run picked up by a worker, which loads the sample site into the
deployment's own database. The run line is doubled, as when an hourly run overruns the next hour: one run
completes, the other is cancelled. About 2 minutes (3.5 on a busy machine)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
CLONE_ENTRIES = ("flows", "tasks", "warehouse", "prefect.yaml", "pyproject.toml", "examples")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def recipe_block(name: str) -> str:
    """The shell block that follows `<!-- recipe: NAME -->` in the README."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {re.escape(name)} -->\s*```sh\n(.*?)```", readme, re.S)
    assert match, f"README has no shell block marked <!-- recipe: {name} -->"
    return match.group(1)


def test_the_readme_deployment_recipe_loads_the_sample_site(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    for entry in CLONE_ENTRIES:
        (clone / entry).symlink_to(REPO / entry)
    api_port, site_port = free_port(), free_port()
    deploy, stop = recipe_block("deploy-sample"), recipe_block("stop-sample")
    assert "4200" in deploy and "8765" in deploy, "the recipe's ports moved: update this test's substitution"
    deploy = deploy.replace("4200", str(api_port)).replace("8765", str(site_port))
    run_line = "uv run prefect deployment run 'scrape/sample-scrape'\n"
    assert deploy.count(run_line) == 1, "the recipe's run line moved: update this test"
    # the run line twice, as when an hourly run overruns the next hour; the flow runs as the API lists them after
    deploy = deploy.replace(run_line, run_line * 2)
    dump_runs = ("curl -sf -X POST -H 'Content-Type: application/json' -d '{}' \"$PREFECT_API_URL/flow_runs/filter\""
                 " > flow_runs.json\n")
    script = "set -euo pipefail\n" + deploy + dump_runs + stop
    shim = tmp_path / "bin"  # `uv run X ...` runs X from this venv (exec, so `$!` and `kill` reach X itself)
    shim.mkdir()
    (shim / "uv").write_text('#!/bin/sh\n[ "$1" = run ] && shift\nexec "$@"\n', encoding="utf-8")
    (shim / "uv").chmod(0o755)
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("PREFECT_", "NEWSDESK_")) and key not in {"DO_NOT_TRACK", "VIRTUAL_ENV"}
    }
    env["PATH"] = os.pathsep.join([str(shim), str(VENV_BIN), env.get("PATH", "")])
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    shell = subprocess.Popen(["bash", "-c", script], cwd=clone, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = shell.communicate(timeout=420)
    finally:
        stop_leftovers(shell.pid, tmp_path / "prefect-home")
    assert shell.returncode == 0, output[-6000:]

    db = clone / "data" / "sample-deployment" / "newsdesk.duckdb"
    assert "harbor-ledger" in output  # `newsdesk stats` on the deployment's database lists the source
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute("SELECT COUNT(*) FROM articles WHERE source = 'harbor-ledger'").fetchall()[0][0]
        runs = con.execute("SELECT status, parameters FROM runs ORDER BY started_at").fetchall()
        site_pages = con.execute(
            "SELECT COUNT(*) FROM articles WHERE regexp_matches(url, '/(about|contact|index)\\.html$')"
        ).fetchall()[0][0]
    assert articles >= 10 and site_pages == 0
    assert [status for status, _ in runs] == ["completed"], runs  # the cancelled run never started the flow
    assert json.loads(runs[0][1])["sources_file"] == "data/sample-sources.yaml"
    assert not (clone / "data" / "newsdesk.duckdb").exists()  # the demo's database is not the deployment's

    # prefect.yaml's concurrency_limit (1, CANCEL_NEW): of the two runs started together one completes and the
    # other is cancelled, not queued behind it (the worker's one pass leaves nothing waiting)
    flow_runs = json.loads((clone / "flow_runs.json").read_text(encoding="utf-8"))
    states = sorted((run["state"]["type"], run["state"].get("message") or "") for run in flow_runs)
    assert [state for state, _ in states] == ["CANCELLED", "COMPLETED"], states
    assert "concurrency" in states[0][1].lower(), states


def stop_leftovers(session: int, prefect_home: Path) -> None:
    """After a failed recipe: stop what it started in the background (the sample site is in the shell's process
    group; the server started with --background is not, and left its pid in PREFECT_HOME)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(session, signal.SIGKILL)
    pid_file = prefect_home / "server.pid"
    if pid_file.exists():
        with contextlib.suppress(ValueError, ProcessLookupError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
