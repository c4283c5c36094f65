"""Running out of disk space: one error for the WARC archive and the DuckDB file.

A full disk is not a fault of one page: every later write fails the same way, so the run stops at the first one
(naming the path that could not be written) instead of recording each remaining page as failed. Whatever was
being written is undone first (the archive truncates back to its last whole record, DuckDB rolls the batch
back), so the next run, once space is freed, picks the work up from there.
"""

from __future__ import annotations

import errno
import os
import re

# Out of space on the device, or over the user's quota: both mean "free space and run again".
_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_DISK_FULL_TEXTS = tuple(os.strerror(code) for code in sorted(_DISK_FULL_ERRNOS))
# DuckDB reports an OS error as text only: 'Could not write file "/path/db.duckdb.wal": No space left on device'.
_DUCKDB_PATH = re.compile(r'(?:write|open|create|truncate|sync)[a-z ]* file "([^"]+)"', re.IGNORECASE)


class DiskFullError(OSError):
    """No space left (or over quota) while writing `path`: the run stops; freeing space and running again
    finishes the work."""

    def __init__(self, path: str) -> None:
        super().__init__(errno.ENOSPC, f"disk full: {path}")
        self.path = path

    def __str__(self) -> str:
        return f"disk full: {self.path}"

    def __reduce__(self) -> tuple[object, ...]:  # Prefect pickles a failed task's exception
        return (type(self), (self.path,))


def disk_full_path(exc: BaseException, default_path: str) -> str | None:
    """The path a disk-full error was writing (`default_path` when the error does not say), or None when `exc`
    (or an exception it was raised from) is not a disk-full error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DiskFullError):
            return current.path
        if isinstance(current, OSError) and current.errno in _DISK_FULL_ERRNOS:
            return str(current.filename) if current.filename else default_path
        text = str(current)
        if any(marker in text for marker in _DISK_FULL_TEXTS):
            match = _DUCKDB_PATH.search(text)
            return match.group(1) if match else default_path
        current = current.__cause__ or current.__context__
    return None
