"""Shared fixtures: one Prefect test server for the whole session, paths to ../shared, isolated data folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Offline hygiene for every test, before Prefect is imported by any test module.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def shared_path(*parts: str) -> Path:
    """A path under ../shared. Missing data skips the test on a developer's machine (a fresh clone has no
    ../shared) but fails it in CI (CI=true), where a skip would pass a run that checked nothing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is missing: the shared benchmark data is not next to this checkout"
        if in_ci():
            pytest.fail(f"{message} (CI=true: CI must run with ../shared in place)", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect API for every flow test (starting one costs ~15 s here)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder so default paths (data/, newsdesk.toml) never touch the checkout."""
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("NEWSDESK_")]:
        monkeypatch.delenv(key)
    return tmp_path
