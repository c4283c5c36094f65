"""Tests that need ../shared skip on a developer's fresh clone but fail in CI, where a skip would hide that
nothing was checked."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from conftest import shared_path


def test_missing_shared_data_skips_on_a_developer_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped):
        shared_path("no-such-folder", "gold.json")


def test_missing_shared_data_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="CI=true"):
        shared_path("no-such-folder", "gold.json")
