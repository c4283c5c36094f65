"""A full disk under the WARC archive or the DuckDB file, for real: a small tmpfs mounted by the test, filled by
the run itself (the archive) or by the test while the run goes on (the database). The run stops with "disk full:
<path>" and exit code 1, the archive holds whole records only, the database whole batches only; with space freed
the next run finishes the work with nothing lost and nothing twice.

Mounting needs root with CAP_SYS_ADMIN (the development container and CI have both); without it the tests skip
and say why.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.site_server import SiteServer, write_sample_sources
from tasks.archive import ArchiveError, WarcArchive, iter_responses, read_response
from tasks.disk import DiskFullError, disk_full_path
from tests.test_crash_safety import assert_consistent, count, wait_for_articles

NEWSDESK = str(Path(sys.executable).with_name("newsdesk"))
CHUNK = 64 * 1024


def mount_small_disk(folder: Path, size: str) -> None:
    """A tmpfs of `size` at `folder`, or skip saying why it cannot be made here."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a {size} tmpfs at {folder} to fill ({done.stderr.strip() or done.returncode}): a real "
            "full disk needs root with CAP_SYS_ADMIN (e.g. docker run --cap-add SYS_ADMIN)"
        )


@pytest.fixture()
def small_disks(tmp_path: Path) -> Iterator[list[Path]]:
    """Mount points made by the test; unmounted at the end whatever happened."""
    mounted: list[Path] = []
    yield mounted
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def small_disk(mounted: list[Path], folder: Path, size: str) -> Path:
    mount_small_disk(folder, size)
    mounted.append(folder)
    return folder


def fill(folder: Path) -> Path:
    """Write a filler file until the filesystem under `folder` has no byte left."""
    filler = folder / "filler"
    with open(filler, "ab", buffering=0) as handle:
        for chunk in (CHUNK, 4096, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    return filler


def sources_for(site: SiteServer, folder: Path, delay: float = 0.0) -> Path:
    path = folder / "sources.yaml"
    text = write_sample_sources(site.base_url, path).read_text(encoding="utf-8")
    path.write_text(text.replace("min_delay_seconds: 0 ", f"min_delay_seconds: {delay} "), encoding="utf-8")
    return path


def scrape(sources: Path, db: Path, data_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["scrape", "--sources", str(sources), "--db", str(db), "--data-dir", str(data_dir),
              "--allow-private-hosts", "--batch-size", "3"],
        catch_exceptions=False,
    )
    return result.exit_code, result.output


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory, prefect_server: None) -> Path:
    """The sample site scraped once on a disk with room: what a recovered run must hold."""
    folder = tmp_path_factory.mktemp("clean")
    with SiteServer() as site:
        code, output = scrape(sources_for(site, folder), folder / "clean.duckdb", folder / "data")
    assert code == 0, output
    return folder / "clean.duckdb"


def assert_same_articles(db: Path, clean: Path) -> None:
    """Every article of the clean run, once, with its quotes and entity mentions; each readable from the WARC."""
    for table in ("articles", "quotes", "entity_mentions"):
        assert count(db, f"SELECT COUNT(*) FROM {table}") == count(clean, f"SELECT COUNT(*) FROM {table}"), table
    ids = "SELECT article_id FROM articles ORDER BY 1"
    assert rows(db, ids) == rows(clean, ids)
    for path, offset in rows(db, "SELECT warc_path, warc_offset FROM articles"):
        read_response(str(path), int(offset))  # type: ignore[arg-type]


def assert_whole_records_only(warc_dir: Path) -> int:
    """Every WARC file reads to its end without a damaged record; returns how many responses it holds."""
    try:
        return sum(1 for _ in iter_responses(warc_dir))
    except ArchiveError as exc:
        pytest.fail(f"a partial record was left in the archive: {exc}")


def run_statuses(db: Path) -> list[tuple[object, ...]]:
    return rows(db, "SELECT status, message FROM runs WHERE flow = 'scrape' ORDER BY started_at")


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_a_full_disk_under_the_archive_stops_the_run_and_the_next_run_finishes_the_work(
    workdir: Path, small_disks: list[Path], clean_run: Path
) -> None:
    disk = small_disk(small_disks, workdir / "disk", "48k")  # room for some batches' records, not for all
    db = workdir / "run.duckdb"  # the database on a disk with room
    warc_dir = disk / "warc"
    with SiteServer() as site:
        sources = sources_for(site, workdir)
        code, output = scrape(sources, db, disk)
        assert code == 1, output
        assert f"disk full: {warc_dir}/" in output, output
        [(status, message)] = run_statuses(db)
        assert status == "failed" and str(message).startswith(f"disk full: {warc_dir}/"), message
        partial = count(db, "SELECT COUNT(*) FROM articles")
        assert 0 < partial < count(clean_run, "SELECT COUNT(*) FROM articles"), "the disk should fill mid-run"
        assert_consistent(db)
        archived = assert_whole_records_only(warc_dir)
        assert archived >= partial
        # What reprocess will read: every stored article's record, whole.
        for path, offset in rows(db, "SELECT warc_path, warc_offset FROM articles"):
            assert Path(str(path)).parent == warc_dir
            read_response(str(path), int(offset))  # type: ignore[arg-type]

        mount_free = subprocess.run(["mount", "-o", "remount,size=4m", str(disk)], capture_output=True, check=False)
        assert mount_free.returncode == 0, mount_free.stderr
        code, output = scrape(sources, db, disk)
        assert code == 0, output

    assert [status for status, _ in run_statuses(db)] == ["failed", "completed"]
    assert_same_articles(db, clean_run)
    assert_consistent(db)
    assert_whole_records_only(warc_dir)
    result = CliRunner().invoke(app, ["reprocess", "--db", str(db), "--data-dir", str(disk)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [(failed,)] = rows(db, "SELECT failed FROM runs WHERE flow = 'reprocess'")
    assert failed == 0


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_a_full_disk_under_the_database_stops_the_run_and_the_next_run_finishes_the_work(
    workdir: Path, small_disks: list[Path], clean_run: Path
) -> None:
    disk = small_disk(small_disks, workdir / "disk", "16m")
    db = disk / "run.duckdb"
    data_dir = workdir / "data"  # the archive on a disk with room
    with SiteServer() as site:
        sources = sources_for(site, workdir, delay=0.4)  # slow enough to fill the disk while the run goes on
        env = {**os.environ, "NEWSDESK_PER_HOST_CONCURRENCY": "1"}
        env.pop("PREFECT_API_URL", None)  # its own temporary Prefect server
        process = subprocess.Popen(
            [NEWSDESK, "scrape", "--sources", str(sources), "--db", str(db), "--data-dir", str(data_dir),
             "--allow-private-hosts", "--batch-size", "3"],
            cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            wait_for_articles(db, process, 3, "the run ended before the disk could be filled")
            filler = fill(disk)
            output, _ = process.communicate(timeout=300)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 1, output
        assert f"disk full: {db}" in output, output  # the database file or its write-ahead log
        partial = count(db, "SELECT COUNT(*) FROM articles")
        assert 3 <= partial < count(clean_run, "SELECT COUNT(*) FROM articles")
        assert_consistent(db)

        filler.unlink()
        code, output = scrape(sources, db, data_dir)
        assert code == 0, output

    # The run's end fits in the space it kept in reserve (`<db>.reserve`), given back when the disk filled.
    [(first_status, first_message), (second_status, _)] = run_statuses(db)
    assert first_status == "failed" and str(first_message).startswith(f"disk full: {db}"), first_message
    assert second_status == "completed"
    assert_same_articles(db, clean_run)
    assert_consistent(db)


def test_disk_full_errors_are_recognised_from_the_os_and_from_duckdb_text() -> None:
    assert disk_full_path(OSError(errno.ENOSPC, "No space left on device", "/d/a.warc.gz"), "/d") == "/d/a.warc.gz"
    assert disk_full_path(OSError(errno.EDQUOT, os.strerror(errno.EDQUOT)), "/d") == "/d"
    duck = duckdb.TransactionException(
        f'TransactionContext Error: Failed to commit: Could not write file "/m/x.duckdb.wal": '
        f"{os.strerror(errno.ENOSPC)}"
    )
    assert disk_full_path(duck, "/m/x.duckdb") == "/m/x.duckdb.wal"
    assert disk_full_path(OSError(errno.EACCES, "Permission denied"), "/d") is None
    assert disk_full_path(ValueError("no space left in the headline"), "/d") is None
    assert str(DiskFullError("/m/x.duckdb.wal")) == "disk full: /m/x.duckdb.wal"


def test_the_archive_cuts_a_record_that_did_not_fit_back_off_the_file(tmp_path: Path, small_disks: list[Path]) -> None:
    disk = small_disk(small_disks, tmp_path / "disk", "64k")
    body = os.urandom(6000)  # incompressible: each record takes about 6 KB of the 64 KB
    ends = []
    with WarcArchive(disk) as archive:
        with pytest.raises(DiskFullError) as stopped:
            for i in range(100):
                path, offset, length = archive.write_response(
                    f"https://example.org/{i}", 200, [("Content-Type", "text/html")], body, "2026-03-29T01:30:00Z"
                )
                ends.append(os.path.getsize(path))
    assert str(stopped.value) == f"disk full: {path}"
    assert 3 < len(ends) < 100
    assert os.path.getsize(path) == ends[-1]  # the partial record is gone: the file ends where the last one did
    assert [response.url for response in iter_responses(disk)] == [f"https://example.org/{i}" for i in range(len(ends))]
    assert read_response(path, offset).body == body
