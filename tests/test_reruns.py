"""The same inputs twice give the same outcomes: a rerun keeps each article with the URL that stored it, and a URL
that was `duplicate` stays `duplicate`, whether its twin comes back 304, changed, or later in the batch."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tasks.analyze import PageContext, analyze_pages
from tasks.duplicates import ArticleClaims
from tasks.models import FetchResult
from tasks.nlp import load_nlp
from warehouse.db import connect
from warehouse.load import known_article_for_url, load_batch, previous_owners

STORY = "https://news.example/sport/gulls-win.html"
PRINT = "https://news.example/print/gulls-win.html"
BODY = (
    "<p>The Gulls won the regional final on Saturday after a late goal, their first title in eleven years, and the "
    "crowd stayed on the pitch long after the whistle.</p><p>The club said the parade would be on Monday.</p>"
)


def fetched(url: str, outcome: str = "loaded") -> FetchResult:
    if outcome == "unchanged":
        return FetchResult(url=url, final_url=url, outcome="unchanged", status=304, fetched_at="2026-01-02T00:00:00Z")
    html = (
        f'<html><head><title>Gulls win</title><link rel="canonical" href="{STORY}"></head>'
        f"<body><article><h1>Gulls win</h1>{BODY}</article></body></html>"
    )
    return FetchResult(url=url, final_url=url, outcome="loaded", status=200, text=html, fetched_at="2026-01-01T00:00:00Z")


def run(db: Path, run_id: str, pages: list[FetchResult]) -> dict[str, str]:
    """The page stage as flows/batches.py does it: previous runs' articles known, the run's claims seeded."""
    urls = [page.url for page in pages]
    with connect(db) as con:
        known, owners = known_article_for_url(con, urls), previous_owners(con, urls)
    records, log = analyze_pages(
        pages, load_nlp(), {url: PageContext(source="s") for url in urls}, known, claims=ArticleClaims(owners)
    )
    with connect(db) as con:
        load_batch(con, run_id, records, log)
    return {entry.url: entry.outcome for entry in log}


def article(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT fetched_url, run_id FROM articles").fetchall()


@pytest.mark.parametrize(
    "second_run",
    [
        [("story", "unchanged"), ("print", "loaded")],  # the demo: the story's 304 left the print copy unclaimed
        [("print", "loaded"), ("story", "loaded")],  # real pages: the twin comes first in the second run
        [("print", "unchanged"), ("story", "loaded")],  # the duplicate itself comes back 304
    ],
)
def test_a_rerun_keeps_duplicates_duplicate_and_the_article_with_its_url(tmp_path: Path, second_run) -> None:
    db = tmp_path / "n.duckdb"
    assert run(db, "run1", [fetched(STORY), fetched(PRINT)]) == {STORY: "loaded", PRINT: "duplicate"}
    assert article(db) == [(STORY, "run1")]
    url_of = {"story": STORY, "print": PRINT}
    outcomes = run(db, "run2", [fetched(url_of[name], outcome) for name, outcome in second_run])
    assert outcomes[PRINT] == "duplicate"
    assert outcomes[STORY] in {"loaded", "unchanged"}
    assert [fetched_url for fetched_url, _ in article(db)] == [STORY]
    third = run(db, "run3", [fetched(url_of[name], outcome) for name, outcome in second_run])
    assert third == outcomes  # and stays so


def test_a_claim_by_the_url_that_holds_it_is_no_duplicate() -> None:
    claims = ArticleClaims({"a1": STORY})
    assert claims.claim("a1", PRINT) == STORY
    assert claims.claim("a1", STORY) is None
    assert ArticleClaims().claim("a1", PRINT) is None
