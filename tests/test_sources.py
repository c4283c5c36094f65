"""The sources file: a good file loads; every kind of mistake names the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.sources import SourcesError, cli_source, load_sources

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sources.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    return message


def test_example_file_loads_and_uses_every_key() -> None:
    sources = load_sources(EXAMPLE)
    assert [s.name for s in sources] == ["harbor-ledger", "city-hall-press"]
    full = sources[0]
    assert full.feeds and full.sitemaps and full.start_urls and full.allow and full.deny
    assert full.min_delay_seconds == 2.0 and full.per_host_concurrency == 1
    text = EXAMPLE.read_text()
    for key in type(full).model_fields:
        assert f"# {key}" in text, f"examples/sources.yaml does not document {key}"


def test_urls_are_canonicalised_and_defaults_apply(tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, "sources:\n  - name: a\n    feeds: ['HTTPS://Ex.COM:443/feed?utm_source=x#f']\n"))
    assert sources[0].feeds == ["https://ex.com/feed"]
    assert sources[0].sitemaps == [] and sources[0].min_delay_seconds is None


def test_bad_url_names_key_line_and_source(tmp_path: Path) -> None:
    message = error_of(
        tmp_path,
        "sources:\n  - name: one\n    feeds: [https://a.com/f]\n  - name: two\n    feeds:\n      - https://b.com/f\n"
        "      - ftp://b.com/x\n",
    )
    assert "line 7" in message
    assert "sources[1].feeds[1] (source 'two')" in message
    assert "ftp" in message and "http" in message


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    message = error_of(tmp_path, "sources:\n  - name: one\n    feed: [https://a.com/f]\n")
    assert "line 3" in message and "sources[0].feed" in message
    assert "unknown key" in message and "did you mean 'feeds'" in message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    message = error_of(tmp_path, "source:\n  - name: one\n    feeds: [https://a.com/f]\n")
    assert "line 1," in message
    assert "unknown key" in message and "'sources'" in message


def test_bad_yaml_gives_line_and_column(tmp_path: Path) -> None:
    message = error_of(tmp_path, "sources:\n  - name: one\n    feeds: [https://a.com/f\n  - name: two\n")
    assert "not valid YAML" in message and "line 4, column" in message


def test_duplicate_yaml_key_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, "sources:\n  - name: one\n    name: two\n    feeds: [https://a.com/f]\n")
    assert "'name' is given twice" in message and "line 3" in message


def test_bad_regex_named(tmp_path: Path) -> None:
    message = error_of(tmp_path, "sources:\n  - name: one\n    feeds: [https://a.com/f]\n    deny: ['(unclosed']\n")
    assert "sources[0].deny[0]" in message and "'(unclosed' is not a valid regular expression" in message


def test_duplicate_source_names(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, "sources:\n  - name: one\n    feeds: [https://a.com/f]\n  - name: one\n    feeds: [https://b.com/f]\n"
    )
    assert "sources[1].name" in message and "duplicate source name 'one'" in message and "sources[0]" in message
    assert "line 4" in message


def test_source_without_anywhere_to_look(tmp_path: Path) -> None:
    message = error_of(tmp_path, "sources:\n  - name: one\n    allow: ['/news/']\n")
    assert "sources[0] (source 'one')" in message and "no feeds, sitemaps or start_urls" in message


@pytest.mark.parametrize(
    ("snippet", "key", "expected"),
    [
        ("feeds: https://a.com/f", "sources[0].feeds", "list"),
        ("min_delay_seconds: -1", "sources[0].min_delay_seconds", ">= 0"),
        ("per_host_concurrency: 0", "sources[0].per_host_concurrency", "1 to 64"),
        ("per_host_concurrency: lots", "sources[0].per_host_concurrency", "whole number"),
    ],
)
def test_type_and_range_errors_say_what_is_expected(tmp_path: Path, snippet: str, key: str, expected: str) -> None:
    base = "sources:\n  - name: one\n    start_urls: [https://a.com/x]\n"
    message = error_of(tmp_path, base + f"    {snippet}\n")
    assert key in message and expected in message


def test_missing_name(tmp_path: Path) -> None:
    message = error_of(tmp_path, "sources:\n  - feeds: [https://a.com/f]\n")
    assert "sources[0].name" in message and "missing" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("- name: one\n  feeds: [https://a.com/f]\n", "top level is a list"),
        ("just a string\n", "expected a mapping"),
        ("sources: []\n", "sources"),
    ],
)
def test_wrong_shapes(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_of(tmp_path, text)


def test_missing_file_and_undecodable_file(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="no such sources file"):
        load_sources(tmp_path / "nope.yaml")
    bad = tmp_path / "latin.yaml"
    bad.write_bytes(b"sources:\n  - name: caf\xe9\n")
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(bad)


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    message = error_of(tmp_path, "sources: !!python/object/apply:os.system ['echo hacked']\n")
    assert "not valid YAML" in message


def test_cli_source() -> None:
    source = cli_source(feeds=["https://a.com/feed"], start_urls=["https://a.com/x?utm_medium=y"])
    assert source.name == "cli" and source.start_urls == ["https://a.com/x"]
    with pytest.raises(SourcesError, match=r"--sitemap 'nope'"):
        cli_source(sitemaps=["nope"])
    with pytest.raises(SourcesError, match="no feeds, sitemaps or start_urls"):
        cli_source()


def test_every_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    message = error_of(
        tmp_path,
        "sources:\n  - nme: one\n    feeds: [https://a.com/f]\n  - name: two\n    feeds: [ftp://b.com/x]\n"
        "    per_host_concurrency: 100\n",
    )
    lines = message.splitlines()
    assert lines[0] == f"{tmp_path / 'sources.yaml'}: 3 problems:", message
    assert "more problem" not in message
    assert len(lines) == 4, message  # the heading and one line a problem
    assert "line 2, sources[0].nme" in lines[1] and "did you mean 'name'" in lines[1]
    assert "line 5, sources[1].feeds[0] (source 'two')" in lines[2] and "ftp" in lines[2]
    assert "line 6, sources[1].per_host_concurrency" in lines[3] and "64" in lines[3]
    assert "sources[0].name: missing" not in message  # the misspelling above is the fix for it
