"""Settings: defaults with no file, then newsdesk.toml, then NEWSDESK_* variables, then flags; bad values fail
fast naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.settings import SettingsError, load_settings


def test_defaults_need_no_file(workdir: Path) -> None:
    settings = load_settings()
    assert settings.db_path == Path("data/newsdesk.duckdb")
    assert settings.warc_dir == Path("data/warc")
    assert settings.allow_private_hosts is False and settings.obey_robots is True


def test_precedence_file_then_environment_then_flags(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "newsdesk.toml").write_text('db_path = "from-file.duckdb"\nbatch_size = 50\nmax_retries = 1\n')
    assert load_settings().db_path == Path("from-file.duckdb")
    monkeypatch.setenv("NEWSDESK_BATCH_SIZE", "70")
    settings = load_settings(db_path="from-flag.duckdb")
    assert (settings.db_path, settings.batch_size, settings.max_retries) == (Path("from-flag.duckdb"), 70, 1)


def test_config_file_from_environment(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = workdir / "elsewhere.toml"
    config.write_text('user_agent = "acme-news-bot/2.0 (+https://acme.example/bot)"\n')
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    assert load_settings().user_agent.startswith("acme-news-bot/2.0")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(workdir / "missing.toml"))
    with pytest.raises(SettingsError, match="not a file"):
        load_settings()


def test_the_default_user_agent_names_no_one_and_a_scrape_of_public_sites_says_so(workdir: Path) -> None:
    warning = load_settings().user_agent_warning
    assert warning is not None and "NEWSDESK_USER_AGENT" in warning and "user_agent" in warning
    assert "contact not set" in load_settings().user_agent
    assert load_settings(user_agent="acme-news-bot/2.0 (+https://acme.example/bot)").user_agent_warning is None
    assert load_settings(allow_private_hosts=True).user_agent_warning is None  # the demo and loopback tests


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("batch_size = 0\n", "batch_size"),
        ('min_delay_seconds = "soon"\n', "min_delay_seconds"),
        ("no_such_setting = 1\n", "no_such_setting"),
        ('user_agent = "  "\n', "user_agent"),
    ],
)
def test_bad_file_values_name_the_key(workdir: Path, toml: str, key: str) -> None:
    (workdir / "newsdesk.toml").write_text(toml)
    with pytest.raises(SettingsError, match=key):
        load_settings()


def test_broken_toml_names_the_file(workdir: Path) -> None:
    (workdir / "newsdesk.toml").write_text("db_path = \n")
    with pytest.raises(SettingsError, match="newsdesk.toml"):
        load_settings()


def test_bad_environment_value_names_the_key(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_MAX_BODY_BYTES", "lots")
    with pytest.raises(SettingsError, match="max_body_bytes"):
        load_settings()


def test_every_setting_says_what_it_is_for() -> None:
    from tasks.settings import Settings

    assert [key for key, info in Settings.model_fields.items() if not (info.description or "").strip()] == []


def test_each_value_says_where_it_came_from(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tasks.settings import setting_sources

    (workdir / "newsdesk.toml").write_text('db_path = "from-file.duckdb"\nbatch_size = 50\nmax_retries = 1\n')
    monkeypatch.setenv("newsdesk_batch_size", "70")  # matched case-insensitively, as pydantic-settings does
    monkeypatch.setenv("NEWSDESK_MAX_REDIRECTS", "2")
    sources = setting_sources(db_path="from-flag.duckdb", data_dir=None)
    assert sources["db_path"] == "flag"
    assert sources["batch_size"] == "environment NEWSDESK_BATCH_SIZE"
    assert sources["max_redirects"] == "environment NEWSDESK_MAX_REDIRECTS"
    assert sources["max_retries"] == "file newsdesk.toml"
    assert sources["data_dir"] == "default" and sources["user_agent"] == "default"
    config = workdir / "elsewhere.toml"
    config.write_text("obey_robots = false\n")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    assert setting_sources()["obey_robots"] == f"file {config}" and setting_sources()["max_retries"] == "default"
