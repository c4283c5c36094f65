"""The sources file (`--sources sources.yaml`): which sites to read, where their article URLs come from, and how
politely to fetch them.

Loading fails fast: a typo in a key or a broken URL stops the run before any request, with a message naming the
file, the line, the key (`sources[1].feeds[0]`) and what was expected.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tasks.settings import Settings
from tasks.urls import UrlError, canonicalize

CLI_SOURCE_NAME = "cli"


class SourcesError(ValueError):
    """The sources file is wrong; the message names the file, the key and what is expected."""


def _check_url(value: str) -> str:
    try:
        return canonicalize(value)
    except UrlError as exc:
        raise ValueError(f"{exc} (expected an absolute http:// or https:// URL{_scheme_hint(value)})") from exc


def _scheme_hint(value: str) -> str:
    """'www.example.com/a.html' is a URL with its scheme left off: suggest the https:// form."""
    return f", e.g. 'https://{value.strip()}'" if "://" not in value and value.strip() else ""


def _check_pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression: {exc}") from exc
    return value


HttpUrl = Annotated[str, AfterValidator(_check_url)]
UrlPattern = Annotated[str, AfterValidator(_check_pattern)]

# What each key expects, appended to type errors so the fix is obvious.
EXPECTED = {
    "name": "a short unique name, e.g. harbor-ledger",
    "feeds": "a list of RSS/Atom feed URLs",
    "sitemaps": "a list of sitemap URLs (sitemap indexes and .xml.gz are fine)",
    "start_urls": "a list of article URLs",
    "allow": "a list of regular expressions; a URL must match one of them",
    "deny": "a list of regular expressions; a URL matching any of them is dropped",
    "min_delay_seconds": "a number of seconds >= 0",
    "per_host_concurrency": "a whole number from 1 to 64",
}


class Source(BaseModel):
    """One site: where its article URLs come from, which to keep, and politeness overrides for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    feeds: list[HttpUrl] = Field(default_factory=list)
    sitemaps: list[HttpUrl] = Field(default_factory=list)
    start_urls: list[HttpUrl] = Field(default_factory=list)
    allow: list[UrlPattern] = Field(default_factory=list)
    deny: list[UrlPattern] = Field(default_factory=list)
    min_delay_seconds: float | None = Field(None, ge=0)  # None: the global setting
    per_host_concurrency: int | None = Field(None, ge=1, le=64)

    @field_validator("name")
    @classmethod
    def _name_is_one_line(cls, value: str) -> str:
        value = value.strip()
        if not value or any(ch in value for ch in "\r\n\t"):
            raise ValueError("must be a non-blank single-line name")
        return value

    @model_validator(mode="after")
    def _has_somewhere_to_look(self) -> Source:
        if not (self.feeds or self.sitemaps or self.start_urls):
            raise ValueError("lists no feeds, sitemaps or start_urls: give at least one")
        return self


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source] = Field(min_length=1)


def cli_source(
    feeds: Sequence[str] = (), sitemaps: Sequence[str] = (), start_urls: Sequence[str] = ()
) -> Source:
    """The ad-hoc source behind --feed/--sitemap/--url; a bad URL raises SourcesError naming the flag. (--urls
    FILE lists are read by the flow, a bad line there being a failed fetch_log row.)"""
    try:
        return Source(name=CLI_SOURCE_NAME, feeds=list(feeds), sitemaps=list(sitemaps), start_urls=list(start_urls))
    except ValidationError as exc:
        flags = {"feeds": "--feed", "sitemaps": "--sitemap", "start_urls": "--url"}
        problems = []
        for error in exc.errors():
            loc = error["loc"]
            if loc and loc[0] in flags and len(loc) > 1 and isinstance(loc[1], int):
                seq = {"feeds": feeds, "sitemaps": sitemaps, "start_urls": start_urls}[str(loc[0])]
                problems.append(f"{flags[str(loc[0])]} {seq[loc[1]]!r}: {_message(error)}")
            else:
                problems.append(_message(error))
        raise SourcesError("; ".join(problems)) from exc


def load_sources(path: Path) -> list[Source]:
    """Read and check a sources file; raises SourcesError listing every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourcesError(f"{path}: no such sources file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read sources file: {exc}") from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
        root_node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise SourcesError(f"{path}:{where}: not valid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        raise SourcesError(f"{path}: the file is empty; expected a 'sources:' list (see examples/sources.yaml)")
    if isinstance(data, list):
        raise SourcesError(f"{path}: top level is a list; expected a mapping with a 'sources:' key holding the list")
    if not isinstance(data, dict):
        raise SourcesError(f"{path}: expected a mapping with a 'sources:' key, got {type(data).__name__}")
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        located = []
        for error in _to_report(exc.errors()):
            loc = tuple(error["loc"])
            line = _line_of(root_node, loc)
            where = f"line {line}, " if line else ""
            located.append((line or 0, f"{where}{_key_of(loc, data)}: {_message(error)}"))
        problems = [problem for _, problem in sorted(located, key=lambda item: item[0])]  # in file order
        if len(problems) == 1:
            raise SourcesError(f"{path}: {problems[0]}") from exc
        raise SourcesError(f"{path}: {len(problems)} problems:\n  " + "\n  ".join(problems)) from exc
    seen: dict[str, int] = {}
    for index, source in enumerate(parsed.sources):
        if source.name in seen:
            line = _line_of(root_node, ("sources", index, "name"))
            where = f" line {line}," if line else ""
            raise SourcesError(
                f"{path}:{where} sources[{index}].name: duplicate source name {source.name!r} "
                f"(also sources[{seen[source.name]}]); names must be unique"
            )
        seen[source.name] = index
    return parsed.sources


def _to_report(errors: list[Any]) -> list[Any]:
    """Every problem but a key reported missing next to a misspelling of it (`nme:` for `name:`): fixing the
    misspelling fixes both."""
    suggested = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            known = list(EXPECTED) if len(loc) > 1 and loc[0] == "sources" else ["sources"]
            suggested.update((loc[:-1], key) for key in difflib.get_close_matches(str(loc[-1]), known, n=1))
    return [e for e in errors if not (e["type"] == "missing" and (tuple(e["loc"])[:-1], e["loc"][-1]) in suggested)]


def _message(error: Any) -> str:
    """A pydantic error in words, with what the key expects."""
    kind = error.get("type", "")
    loc = tuple(error.get("loc", ()))
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else ""
        known = list(EXPECTED) if len(loc) > 1 and loc[0] == "sources" else ["sources"]
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key{hint} (known keys: {', '.join(known)})"
    message = str(error.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    field_name = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
    if kind == "missing":
        wanted = "a list of sources" if loc == ("sources",) else EXPECTED.get(field_name, "a value")
        return f"missing; expected {wanted}"
    if loc == ("sources",) and kind != "missing":
        return f"{message} (expected a list of sources; see examples/sources.yaml)"
    if field_name in EXPECTED and kind not in {"value_error", "assertion_error"}:
        message = f"{message} (expected {EXPECTED[field_name]})"
    return message


def _key_of(loc: tuple[Any, ...], data: Any) -> str:
    """('sources', 1, 'feeds', 0) -> sources[1].feeds[0], with the source's name when it has one."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        try:
            name = data["sources"][loc[1]].get("name")
        except (AttributeError, IndexError, KeyError, TypeError):
            name = None
        if isinstance(name, str) and name.strip():
            key += f" (source {name!r})"
    return key


def _line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at loc, so an error points into the file."""
    line = node.start_mark.line + 1 if node is not None else None
    for index, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            pair = next(((key, value) for key, value in node.value if getattr(key, "value", None) == part), None)
            if pair is None:
                return line
            if index == len(loc) - 1:
                return pair[0].start_mark.line + 1  # the key's own line, where a typo or bad value is
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            return line
        line = node.start_mark.line + 1
    return line


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (plain YAML silently keeps the last)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, str) and key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def source_settings(settings: Settings, source: Source | None) -> Settings:
    """The run's settings with a source's own politeness overrides applied."""
    if source is None:
        return settings
    overrides = {
        key: getattr(source, key)
        for key in ("min_delay_seconds", "per_host_concurrency")
        if getattr(source, key, None) is not None
    }
    return settings.model_copy(update=overrides) if overrides else settings
