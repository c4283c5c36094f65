"""The CLI's fast paths: help everywhere, extract on saved pages, and errors a user can act on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.site_server import SAMPLE_SITE

runner = CliRunner()
NEWSDESK = str(Path(sys.executable).with_name("newsdesk"))


@pytest.mark.parametrize("command", ["demo", "scrape", "extract", "reprocess", "stats", "settings", "search", "report"])
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output and "--help" in result.output and len(result.output) > 100  # plain, no panels


def test_top_level_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "scrape", "extract", "reprocess", "stats", "settings"):
        assert command in result.output


def test_extract_a_saved_page(workdir: Path) -> None:
    page = SAMPLE_SITE / "news" / "city" / "library-reopens-after-flood.html"
    result = runner.invoke(app, ["extract", str(page), "--url", "https://www.harborledger.example/x"])
    assert result.exit_code == 0, result.output
    (report,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert report["title"].startswith("Eastside library reopens")
    assert report["authors"] == ["Maya Lindqvist", "Ruth Castellanos"]
    assert report["published"].startswith("2026-11-27T14:30:00")
    assert report["language"] == "en"
    assert "Cookie" not in report["text"] and "\n\n" in report["text"]
    assert len(report["summary_points"]) == 3 and "Key points" not in report["text"]
    assert report["summary_points"][0] not in report["text"]
    speakers = {quote["speaker"] for quote in report["quotes"]}
    assert "Ingrid Soto" in speakers
    assert {"name": "Ingrid Soto", "label": "PERSON"}.items() <= next(
        e for e in report["entities"] if e["name"] == "Ingrid Soto").items()


def test_extract_the_seed_text_page(workdir: Path) -> None:
    from conftest import shared_path

    seed = shared_path("seed", "000_e4d1f78a36f286c7.txt")
    gold = json.loads(shared_path("seed", "gold.json").read_text(encoding="utf-8"))
    result = runner.invoke(app, ["extract", str(seed)])
    assert result.exit_code == 0, result.output
    (report,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert report["title"] == gold["title"]
    assert report["text"].startswith(gold["body_first_paragraph_starts"])
    assert report["text"].endswith(gold["body_last_paragraph_ends"])


def test_extract_a_missing_file_is_an_error_object(workdir: Path) -> None:
    result = runner.invoke(app, ["extract", "nope.html"])
    assert result.exit_code == 1
    (report,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert report["input"] == "nope.html" and "No such file" in report["error"]


def test_user_errors_are_one_line_not_a_traceback(workdir: Path) -> None:
    (workdir / "sources.yaml").write_text("sources:\n  - name: x\n    feeds: [not-a-url]\n")
    done = subprocess.run([NEWSDESK, "scrape", "--sources", "sources.yaml"], cwd=workdir, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "sources[0].feeds[0]" in done.stderr and "Traceback" not in done.stderr

    done = subprocess.run([NEWSDESK, "scrape"], cwd=workdir, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "nothing to scrape" in done.stderr


def test_stats_on_a_missing_database_says_what_to_do(workdir: Path) -> None:
    result = runner.invoke(app, ["stats", "--db", "missing.duckdb"])
    assert result.exit_code == 2
    assert "newsdesk demo" in result.output


def test_settings_lists_every_key(workdir: Path) -> None:
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 0
    for key in ("db_path", "user_agent", "allow_private_hosts", "spacy_model", "batch_size"):
        assert key in result.output


def test_settings_shows_every_key_whole_with_its_source_and_description(workdir: Path) -> None:
    from tasks.settings import Settings

    (workdir / "newsdesk.toml").write_text('user_agent = "acme-bot/1.0 (+https://acme.example/bot)"\n')
    result = runner.invoke(app, ["settings"], env={"COLUMNS": "80", "NEWSDESK_BATCH_SIZE": "7"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    lines = result.output.splitlines()
    for key, info in Settings.model_fields.items():
        (line,) = [line for line in lines if line.startswith(f"{key} = ")]
        description_starts = lines[lines.index(line) + 1].strip()  # wrapped at 80 columns, not cut
        assert description_starts and str(info.description).startswith(description_starts), (key, result.output)
    assert "batch_size = 7  (environment NEWSDESK_BATCH_SIZE)" in lines
    assert "user_agent = acme-bot/1.0 (+https://acme.example/bot)  (file newsdesk.toml)" in lines
    assert "db_path = data/newsdesk.duckdb  (default)" in lines


def test_a_missing_spacy_model_says_which_setting(workdir: Path) -> None:
    page = SAMPLE_SITE / "news" / "city" / "library-reopens-after-flood.html"
    done = subprocess.run([NEWSDESK, "extract", str(page)], cwd=workdir, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NEWSDESK_SPACY_MODEL": "no_such_model_pkg"})
    assert done.returncode == 2
    assert "NEWSDESK_SPACY_MODEL" in done.stderr and "Traceback" not in done.stderr


HOLD_THE_WRITER_LOCK = (
    "import sys, time; from pathlib import Path; from warehouse.db import writer_lock\n"
    "with writer_lock(Path(sys.argv[1])):\n"
    "    print('held', flush=True); sys.stdin.read()\n"
)


@pytest.mark.parametrize("command", [["scrape", "--url", "http://127.0.0.1:9/x"], ["reprocess"]])
def test_a_second_run_on_a_busy_database_is_one_line_and_exit_2(workdir: Path, command: list[str]) -> None:
    db = workdir / "busy.duckdb"
    db.touch()  # reprocess wants an existing file; the lock is what is being tested
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_WRITER_LOCK, str(db)], cwd=Path(__file__).parents[1],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = subprocess.run([NEWSDESK, *command, "--db", str(db)], cwd=workdir, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "PREFECT_LOGGING_LEVEL": "INFO"})
    finally:
        holder.communicate("", timeout=10)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "another newsdesk run" in lines[0], lines


def test_a_url_without_its_scheme_names_url_and_suggests_https(workdir: Path) -> None:
    result = runner.invoke(app, ["scrape", "--url", "www.example.com/news/a.html"])
    assert result.exit_code == 2
    assert "--url 'www.example.com/news/a.html'" in result.output and "--urls" not in result.output
    assert "https://www.example.com/news/a.html" in result.output


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("example.com/story.html", "'https://example.com/story.html'"),
        ("ftp://example.com/story.html", "unsupported URL scheme 'ftp'"),
        ("nope.html", "No such file 'nope.html'"),
    ],
)
def test_extract_says_what_an_input_should_be(workdir: Path, item: str, says: str) -> None:
    result = runner.invoke(app, ["extract", item])
    assert result.exit_code == 1
    (report,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert says in report["error"]
    assert "a saved HTML or text file, or an http:// or https:// URL" in report["error"]


@pytest.mark.parametrize("command", ["scrape", "extract", "reprocess", "stats", "export", "demo", "search", "report"])
def test_help_at_80_columns_keeps_every_option_name_and_default(command: str) -> None:
    import click
    import typer

    from tasks.settings import Settings

    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0
    assert max(len(line) for line in result.output.splitlines()) <= 80, result.output
    assert "…" not in result.output
    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    for param in click_command.params:
        if isinstance(param, click.Option):
            for name in (*param.opts, *param.secondary_opts):
                assert f"{name} " in result.output or f"{name}\n" in result.output, (name, result.output)
    flowing = " ".join(result.output.split())
    if any(param.name == "db" for param in click_command.params):
        assert f"[default: {Settings.model_fields['db_path'].default}]" in flowing
    if command == "scrape":
        assert f"[default: {Settings.model_fields['batch_size'].default}]" in flowing
        assert f"[default: {Settings.model_fields['data_dir'].default}]" in flowing


def assert_no_flow_traceback(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    printed = capfd.readouterr()
    logged = caplog.text + printed.out + printed.err  # Prefect's console handler, or caplog if it is attached first
    assert "Encountered exception" not in logged and "Traceback (most recent call last)" not in caplog.text, logged
    assert not [record for record in caplog.records if record.exc_info], caplog.text


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize("flow_name", ["scrape", "reprocess"])
def test_a_flow_refused_by_a_busy_database_ends_failed_without_a_traceback(
    workdir: Path, flow_name: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """The run that gets past the CLI's check (a deployment run, or one started in the same moment) ends Failed
    with the refusal as its message, not a flow-run traceback."""
    from flows.reprocess import reprocess
    from flows.scrape import scrape
    from warehouse.db import DatabaseBusyError

    db = workdir / "busy.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_WRITER_LOCK, str(db)], cwd=Path(__file__).parents[1],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with caplog.at_level("INFO"):
            if flow_name == "scrape":
                state = scrape(urls=["http://127.0.0.1:9/x"], db_path=str(db), return_state=True)
            else:
                state = reprocess(db_path=str(db), return_state=True)
    finally:
        holder.communicate("", timeout=10)
    assert state.is_failed() and "another newsdesk run" in (state.message or ""), state
    with pytest.raises(DatabaseBusyError):
        state.result()
    assert_no_flow_traceback(caplog, capfd)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_a_run_that_loaded_nothing_ends_failed_with_its_verdict_not_a_traceback(
    workdir: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    from flows.report import NothingLoadedError
    from flows.scrape import scrape

    with caplog.at_level("INFO"):  # a loopback URL without allow_private_hosts: refused, so nothing loads
        state = scrape(urls=["http://127.0.0.1:9/x"], db_path=str(workdir / "n.duckdb"), return_state=True)
    assert state.is_failed() and "NothingLoadedError: nothing could be loaded" in (state.message or ""), state
    with pytest.raises(NothingLoadedError) as raised:
        state.result()
    assert raised.value.summary is not None and raised.value.summary.counts == {"failed": 1}
    assert_no_flow_traceback(caplog, capfd)
