"""A bug in any stage surfaces on its page's outcome row, with the exception's type and message, instead of looking
like a page without text; the traceback is logged once and the rest of the batch goes on."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest

import tasks.analyze
import tasks.entities
import tasks.nlp
import tasks.quotes
from tasks.analyze import PageContext, analyze_pages
from tasks.extract import extract_document
from tasks.models import FetchResult
from tasks.nlp import load_nlp
from warehouse.db import connect
from warehouse.load import load_batch

BODY = (
    "<p>“The port reopens on Monday,” harbour master Ines Duarte said on Friday, after a week of storms that closed "
    "the harbour to every ship bigger than a ferry.</p><p>“Ships are waiting,” Duarte added. The Port Authority "
    "said the channel had been dredged and the buoys put back where the storm had moved them.</p>"
)


def page(slug: str) -> FetchResult:
    url = f"https://news.example/{slug}"
    html = f"<html><head><title>Port {slug}</title></head><body><article><h1>Port {slug}</h1>{BODY}</article></body></html>"
    return FetchResult(url=url, final_url=url, outcome="loaded", status=200, text=html)


def broken(*args: object, **kwargs: object) -> object:
    raise ZeroDivisionError("a bug in a rule")


def rows(db: Path) -> tuple[dict[str, tuple], dict[str, str | None]]:
    with duckdb.connect(str(db), read_only=True) as con:
        log = {url: (outcome, reason) for url, outcome, reason in con.execute("SELECT url, outcome, reason FROM fetch_log").fetchall()}
        articles = dict(con.execute("SELECT fetched_url, analysis_error FROM articles").fetchall())
    return log, articles


def analyse_and_load(tmp_path: Path, pages: list[FetchResult]) -> tuple[dict[str, tuple], dict[str, str | None]]:
    records, log = analyze_pages(pages, load_nlp(), {p.url: PageContext(source="s") for p in pages}, {})
    db = tmp_path / "n.duckdb"
    with connect(db) as con:
        load_batch(con, "run1", records, log)
    return rows(db)


def test_an_extraction_bug_fails_its_page_with_type_and_message(tmp_path, monkeypatch, caplog) -> None:
    def extract(html: str, url: str | None = None):
        if url and url.endswith("/bad"):
            raise ZeroDivisionError("a bug in a rule")
        return extract_document(html, url)

    monkeypatch.setattr(tasks.analyze, "extract_document", extract)
    with caplog.at_level(logging.ERROR, logger="tasks.analyze"):
        log, articles = analyse_and_load(tmp_path, [page("bad"), page("good")])
    assert log["https://news.example/bad"] == ("failed", "extraction error: ZeroDivisionError: a bug in a rule")
    assert log["https://news.example/good"][0] == "loaded" and articles == {"https://news.example/good": None}
    assert len([r for r in caplog.records if r.exc_info]) == 1  # one traceback, for the one bad page


@pytest.mark.parametrize(
    ("module", "name"),
    [
        (tasks.nlp, "pipe_texts"),  # the spaCy pass itself
        (tasks.entities, "resolve_mentions"),  # entities
        (tasks.quotes, "_build_quotes"),  # quotes
        (tasks.quotes, "resolve_speaker"),  # speakers
    ],
)
def test_an_nlp_bug_loads_the_article_with_analysis_error(tmp_path, monkeypatch, caplog, module, name) -> None:
    monkeypatch.setattr(module, name, broken)
    with caplog.at_level(logging.ERROR, logger="tasks.analyze"):
        log, articles = analyse_and_load(tmp_path, [page("one"), page("two")])
    for slug in ("one", "two"):
        url = f"https://news.example/{slug}"
        assert log[url][0] == "loaded"
        assert articles[url] == "ZeroDivisionError: a bug in a rule"
    assert len([r for r in caplog.records if r.exc_info]) == 2  # once per page


def test_extraction_does_not_swallow_its_own_bugs(monkeypatch) -> None:
    import tasks.extract

    monkeypatch.setattr(tasks.extract, "extract_metadata", broken)
    with pytest.raises(ZeroDivisionError):
        tasks.extract.extract_document(page("x").text or "", "https://news.example/x")
    monkeypatch.setattr(tasks.extract, "clean_paragraphs", broken)
    with pytest.raises(ZeroDivisionError):
        tasks.extract.extract_text_page("Title\nA body line long enough to be kept.", None)
