"""The demo database as an analyst meets it: opened by the oldest DuckDB the README promises and by the DuckDB
CLI from the package registry, searched, and its report drawn by a real browser (headless Chromium)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import EXAMPLE_QUERIES, app
from warehouse.db import OLDEST_READER

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_server")]
runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, prefect_server: None) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "newsdesk.duckdb"
    result = runner.invoke(app, ["demo", "--db", str(db), "--data-dir", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return db


def uv_or_skip() -> str:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH: it installs the older DuckDB this test opens the file with")
    return uv


def test_the_oldest_promised_duckdb_and_the_registry_cli_open_the_demo_database(demo_db: Path) -> None:
    uv = uv_or_skip()
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    script = (
        "import duckdb, json, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(json.dumps([duckdb.__version__] + [len(con.execute(q).fetchall()) for q in sys.argv[2:]]))"
    )
    old = subprocess.run(
        [uv, "run", "--no-project", "--isolated", "--with", f"duckdb=={OLDEST_READER}", "python", "-c", script,
         str(demo_db), *EXAMPLE_QUERIES],
        capture_output=True, text=True, timeout=300, env=env, cwd=demo_db.parent,
    )
    assert old.returncode == 0, old.stderr
    version, *rows = json.loads(old.stdout.strip().splitlines()[-1])
    assert version == OLDEST_READER and all(n > 0 for n in rows), old.stdout

    cli = subprocess.run(  # the README's way: the duckdb CLI from the package registry, the demo's queries
        [uv, "tool", "run", "--isolated", "--from", "duckdb-cli", "duckdb", "-readonly", "-csv", str(demo_db),
         "-c", " ".join(EXAMPLE_QUERIES)],
        capture_output=True, text=True, timeout=300, env=env, cwd=demo_db.parent,
    )
    assert cli.returncode == 0, cli.stderr
    assert "speaker,quotes,articles" in cli.stdout and "published_day,speaker,quote,title" in cli.stdout


def test_search_the_demo(demo_db: Path) -> None:
    result = runner.invoke(app, ["search", "seawall bond", "--db", str(demo_db), "--format", "jsonl", "--limit", "3"])
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert hits and "seawall" in hits[0]["title"].lower()


PROBE = """
<script>
const box = el => { const r = el.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
const drawn = svg => [...svg.querySelectorAll('path, rect, use, line, polyline, polygon')]
  .filter(el => { try { const b = el.getBBox(); return b.width > 0 || b.height > 0; } catch (e) { return false; } }).length;
const result = {
  charts: [...document.querySelectorAll('figure.chart')].map(f => {
    const svg = f.querySelector('svg');
    return {name: f.dataset.chart, size: svg ? box(svg) : [0, 0], drawn: svg ? drawn(svg) : 0,
            texts: svg ? svg.querySelectorAll('text').length : 0};
  }),
  trends: [...document.querySelectorAll('td.trend svg')].map(s => ({size: box(s), drawn: drawn(s)})),
};
const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(result);
document.body.appendChild(pre);
</script>
"""


def chromium_or_skip() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.skip("chromium is not installed, so the report was not checked in a browser: "
                "apt-get install -y chromium (Debian) and run again; .ci/run installs it")


def test_the_report_is_drawn_in_a_real_browser(demo_db: Path, tmp_path: Path) -> None:
    chromium = chromium_or_skip()
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--db", str(demo_db), "--out", str(report)])
    assert result.exit_code == 0, result.output
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)\b", page)  # nothing fetched or run when opened
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    flags = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1200,3000",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S)
    assert found, dom.stdout[-2000:]
    import html

    probe = json.loads(html.unescape(found.group(1)))
    charts = {c["name"]: c for c in probe["charts"]}
    assert set(charts) == {"articles-per-day", "runs"}
    for chart in charts.values():
        assert chart["size"][0] > 300 and chart["size"][1] > 100, chart  # laid out at a readable size
        assert chart["drawn"] >= 10 and chart["texts"] >= 5, chart  # bars, axes, ticks and labels are there
    assert len(probe["trends"]) >= 10 and all(t["size"][0] > 50 and t["drawn"] >= 1 for t in probe["trends"])

    shot = Path(os.environ.get("NEWSDESK_REPORT_SCREENSHOT", tmp_path / "report.png"))
    subprocess.run([*flags, f"--screenshot={shot}", report.as_uri()], capture_output=True, timeout=120, check=True)
    from PIL import Image

    with Image.open(shot) as image:
        grey = image.convert("L")
        dark = sum(grey.histogram()[:200])  # pixels clearly darker than the white page
        assert dark > 0.02 * grey.width * grey.height, f"screenshot {shot} is nearly blank"


def test_the_run_publishes_the_key_figures_as_an_artifact(demo_db: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["newsdesk-key-figures"]))
        )
    assert artifacts and artifacts[-1].type == "table"
    rows = artifacts[-1].data if isinstance(artifacts[-1].data, list) else json.loads(artifacts[-1].data)
    figures = {row["figure"]: row["value"] for row in rows}
    assert int(figures["articles in the database"]) >= 8
    assert "loaded" in figures["this run's article URLs"] and "HTTP 404" in figures["top failure reasons (all runs)"]
    assert figures["full report"].startswith("newsdesk report --db")
