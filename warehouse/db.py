"""Opening the DuckDB file: the single-writer lock, migrations, and short-lived connections.

DuckDB lets one process hold a file read-write, and while it does, every other process (readers included) fails
to open it. So a run holds an advisory lock file for its whole length (one writer run at a time) but opens the
database itself only for short load transactions; analysts' read-only connections succeed between them and
retry (`connect_readonly`) when they land on one.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from tasks.disk import DiskFullError, disk_full_path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
EXAMPLES_FILE = Path(__file__).parent / "examples.sql"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": True}
# New files are written in the storage format of DuckDB 1.4, so the CLI, DBeaver, R and notebooks people have open
# them; stated here rather than left to the library default, which a DuckDB upgrade would move (2.0 writes a
# format no 1.x reads).
OLDEST_READER = "1.4.0"
# One DuckDB thread for the writer: a run's loads are small transactions on a machine whose cores the fetch and the
# NLP already use; on the 5,000-real-page benchmark the load stage took 4.2 ms an article with one thread against
# 5.0 with the default two (bench/results.md, "Issue 18: combined run").
# New files get DuckDB blocks of 16 KiB, not 256. A batch's load appends a row group of its own to each table that
# grows with every article (they have no index, migration 010), and until the checkpoint at close every column of
# it holds a whole block: ~100 columns x 256 KiB, ~50 MB of the writer's memory a batch, against ~3 MB with 16 KiB
# (bench/results.md, "Issue 18: flat peak (h-mem)"). DuckDB fixes a file's block size when it makes it.
# DuckDB's allocator (jemalloc) keeps what a statement frees for reuse until a free of more than
# `allocator_bulk_deallocation_flush_threshold` (512 MiB by default) flushes it; a batch's statements free a few MB
# each, so the writer held ~25 MB more by each batch's close. At 0 every bulk free goes back: the 5,000-page run's
# peak fell from 602 to 550 MB for ~0.9 ms more load CPU an article (a threshold of 8 MB gave nothing back).
SMALL_BLOCK_SIZE = 16_384
_WRITE_CONFIG = {
    **_CONFIG, "storage_compatibility_version": f"v{OLDEST_READER}", "threads": 1, "default_block_size": SMALL_BLOCK_SIZE,
    "allocator_bulk_deallocation_flush_threshold": "0MB",
}
log = logging.getLogger(__name__)


class DatabaseBusyError(RuntimeError):
    """Another newsdesk run is writing to the same database file."""


class SchemaVersionError(RuntimeError):
    """The database holds migrations this code does not have (made by a newer or a different newsdesk): writing to
    it, or reading it with older views in mind, could damage or misread it, so it is refused as it is."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextlib.contextmanager
def writer_lock(db_path: Path, timeout_seconds: float = 0.0) -> Iterator[None]:
    """Hold the database's writer lock for a whole run; a second run waits up to `timeout_seconds`, then stops.

    flock is released by the kernel when the process dies, so a killed run never leaves a stale lock.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(db_path)
    with open(path, "a+") as handle:
        deadline = time.monotonic() + timeout_seconds
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise DatabaseBusyError(
                        f"{db_path} is being written by another newsdesk run ({holder}). Wait for it to finish, "
                        f"set NEWSDESK_LOCK_TIMEOUT_SECONDS to wait for it, or use another --db."
                    ) from None
                time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


RESERVE_BYTES = 1 << 20


class SpaceReserve:
    """1 MiB kept on the database's disk for the length of a run (`<db>.reserve`), given back when the disk
    fills, so a run stopped by a full disk can still write its end ("failed", "disk full: <path>") to its `runs`
    row. A disk without that much room stops the run before it starts."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".reserve")

    def __enter__(self) -> SpaceReserve:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(self.path, "wb") as handle:
                os.posix_fallocate(handle.fileno(), 0, RESERVE_BYTES)
        except OSError as exc:
            self.path.unlink(missing_ok=True)
            if disk_full_path(exc, str(self.path)) is not None:
                raise DiskFullError(str(self.path)) from exc
            raise
        return self

    def release(self) -> bool:
        """Give the space back; False when it already was."""
        if not self.path.exists():
            return False
        self.path.unlink()
        return True

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def connect(
    db_path: Path, wait_for_readers_seconds: float = 120.0, report_every_seconds: float = 5.0,
    merge_row_groups: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, migrated, closed on exit so readers can get in. Hold `writer_lock` around it.

    While an analyst's read-only connection is open DuckDB refuses the writer, so the writer retries until
    `wait_for_readers_seconds` have passed, then says who is in the way; meanwhile it logs a warning every
    `report_every_seconds`, so a run waiting on a notebook does not look hung.

    On a file of small blocks the checkpoint at close leaves each batch's rows in row groups of their own: DuckDB's
    vacuum would merge them into the table's first row group every ~20 batches, rewriting it whole with memory
    and CPU that grow with the table (up to 122,880 rows). A run merges them once, at its end, in the search
    index's child process (`merge_row_groups=True`), where that memory is given back. A file of 256 KiB blocks
    keeps the vacuum: there, unmerged row groups cost more memory than the merges.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    deadline = started + wait_for_readers_seconds
    next_report = started + report_every_seconds
    while True:
        try:
            con = duckdb.connect(str(db_path), config=_WRITE_CONFIG)
            break
        except duckdb.IOException as exc:
            now = time.monotonic()
            if "lock" not in str(exc).lower() or now >= deadline:
                raise DatabaseBusyError(
                    f"cannot open {db_path} for writing: {exc}. Close other connections to it (read-only "
                    "sessions in the duckdb CLI or a notebook hold it too) and run again."
                ) from exc
            if now >= next_report:
                log.warning(
                    "waiting for a reader of %s to close (%.0f s so far; giving up after %.0f s)",
                    db_path, now - started, wait_for_readers_seconds,
                )
                next_report = now + report_every_seconds
            time.sleep(0.1)
    try:
        con.execute("SET TimeZone = 'UTC'")
        if not merge_row_groups and block_size(con) <= SMALL_BLOCK_SIZE:
            con.execute("SET max_vacuum_tasks = 0")
        migrate(con, db_path)
        yield con
    except duckdb.Error as exc:
        if (path := disk_full_path(exc, str(db_path))) is not None:
            raise DiskFullError(path) from exc  # the batch was rolled back; the run stops here
        raise
    finally:
        con.close()


def block_size(con: duckdb.DuckDBPyConnection) -> int:
    """The block size of the connection's database file, in bytes."""
    return con.execute("SELECT block_size FROM pragma_database_size() WHERE database_name = current_database()").fetchone()[0]


def create_if_missing(db_path: Path) -> None:
    """Create a missing database file with its schema now, before Prefect and the run start (~20-30 s), so
    that readers meanwhile find an empty database instead of "database does not exist". When another run holds
    the lock, that run creates it."""
    if db_path.exists():
        return
    with contextlib.suppress(DatabaseBusyError), writer_lock(db_path, 0), connect(db_path):
        pass


def connect_readonly(db_path: Path | str, retry_seconds: float = 30.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection that retries while a run's load transaction holds the file (what a notebook should
    use while runs may be writing: a plain read-only connect is refused when it lands on a load); in UTC like the
    writer, so a report or an export gives the same days on a machine in any zone."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"no database at {db_path}: run `newsdesk scrape` or `newsdesk demo` first")
    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            con = duckdb.connect(str(db_path), read_only=True, config=_CONFIG)
            con.execute("SET TimeZone = 'UTC'")  # days from instants are UTC days, whatever the machine's zone
            return con
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:  # only a writer's lock passes
                raise
            time.sleep(0.2)


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration file, in order; a misnamed file is an error, not skipped."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file {path.name} must be named NNN_snake_case.sql")
        found.append((int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    versions = [version for version, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migration files share a number in {MIGRATIONS_DIR}")
    return found


def check_schema_is_known(con: duckdb.DuckDBPyConnection, db_path: Path | str) -> None:
    """Refuse a database whose schema_version lists a migration this code does not have (by number or by name).

    Checked before anything is applied: a later migration file may assume tables this code has never seen, and
    migrating around an unknown one would leave a schema that neither version of newsdesk knows.
    """
    has_versions = con.execute(
        "SELECT COUNT(*) FROM duckdb_tables() WHERE table_name = 'schema_version' AND schema_name = 'main'"
    ).fetchone()[0]
    if not has_versions:
        return
    known = {version: name for version, name, _ in migration_files()}
    recorded = con.execute("SELECT version, name FROM schema_version ORDER BY version").fetchall()
    unknown = [(version, name) for version, name in recorded if known.get(version) != name]
    if not unknown:
        return
    newest_known = max(known)
    raise SchemaVersionError(
        f"{db_path} has schema version {max(version for version, _ in recorded)} and migrations this newsdesk does "
        f"not have ({', '.join(f'{version:03d} {name}' for version, name in unknown)}); this newsdesk knows schema "
        f"versions up to {newest_known} ({known[newest_known]}). The database was left as it is: use the newsdesk "
        "that wrote it, or another --db."
    )


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK and re-raise: a batch, a migration or an index rebuild lands whole or not at
    all. A COMMIT that fails (a full disk) has already rolled the transaction back, and the ROLLBACK's own "no
    transaction is active" must not hide why."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except Exception as exc:
        try:
            con.execute("ROLLBACK")
        except duckdb.TransactionException as rollback_error:
            exc.add_note(f"rollback: {rollback_error}")
        raise


@contextlib.contextmanager
def listed(con: duckdb.DuckDBPyConnection, name: str, values: Iterable[str]) -> Iterator[str]:
    """`values` as a one-column table `name` (column `value`) for the statements inside; yields the subquery
    to use, `(SELECT value FROM name)`. A Python list bound as a parameter costs DuckDB ~0.1 ms an element to
    convert (65 ms for the 700 ids a batch of 100 copies can touch); an Arrow table costs ~1.5 ms in all."""
    con.register(name, pa.table({"value": pa.array(list(values), pa.string())}))
    try:
        yield f"(SELECT value FROM {name})"
    finally:
        con.unregister(name)


def migrate(con: duckdb.DuckDBPyConnection, db_path: Path | str = "the database") -> list[str]:
    """Apply the migrations not yet recorded in schema_version, each in its own transaction."""
    check_schema_is_known(con, db_path)
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    applied = {row[0] for row in con.execute("SELECT version FROM schema_version").fetchall()}
    done = []
    for version, name, sql in migration_files():
        if version in applied:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
        done.append(name)
    return done
