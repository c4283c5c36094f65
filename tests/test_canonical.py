"""rel=canonical names the article only when plausible for one: a home page or section front declared as every
article's canonical (piratenpartei.at, everardoherrera.com) must not collapse a site into one article."""

from __future__ import annotations

import pytest

from tasks.analyze import PageContext, analyze_pages, canonical_choice
from tasks.models import Document, FetchResult
from tasks.nlp import load_nlp


def doc(canonical: str | None) -> Document:
    return Document(url=None, title="t", text="Some text.", canonical_url=canonical)


@pytest.mark.parametrize(
    ("fetched", "canonical"),
    [
        ("https://www.party.example.at/2024/05/vote-result", "https://www.party.example.at/"),  # the home page
        ("https://party.at/news/2024/vote.html", "https://www.party.at"),  # home page, www and no slash
        ("https://party.at/news/2024/vote.html", "https://party.at/index.php"),  # home page by its file name
        ("https://site.com/politics/local/vote.html", "https://site.com/politics/"),  # a section front above it
        ("https://site.com/politics/local/vote.html", "https://site.com/politics"),
        ("https://site.com/a/story.html", "https://elsewhere.org/a/story.html"),  # another site, not syndication
        ("https://site.com/a/story.html", "javascript:void(0)"),  # not an http(s) URL
    ],
)
def test_an_implausible_canonical_is_not_the_articles_url(fetched: str, canonical: str) -> None:
    url, note = canonical_choice(doc(canonical), fetched)
    assert url == fetched
    assert note and "fetched URL" in note


@pytest.mark.parametrize(
    ("fetched", "canonical"),
    [
        ("https://site.com/print/story.html", "https://site.com/news/story.html"),  # print copy -> the story
        ("https://m.site.com/news/story", "https://www.site.com/news/story"),  # mobile host, same site
        ("https://news.bbc.co.uk/1/hi/a.stm", "https://www.bbc.co.uk/news/a"),  # registrable domain bbc.co.uk
        ("https://site.com/?p=123&print=1", "https://site.com/?p=123"),  # WordPress article by query
        ("https://site.com/news/story.html?page=2", "https://site.com/news/story.html"),
        ("http://127.0.0.1:8000/news/story.html", "https://www.harborledger.example/news/story.html"),  # local copy
    ],
)
def test_a_plausible_canonical_is_the_articles_url(fetched: str, canonical: str) -> None:
    assert canonical_choice(doc(canonical), fetched) == (canonical, None)


def test_a_known_syndication_target_is_trusted_across_sites() -> None:
    fetched, canonical = "https://local.example.com/wire/story.html", "https://apnews.com/article/story-123"
    assert canonical_choice(doc(canonical), fetched, frozenset({"apnews.com"})) == (canonical, None)


def test_articles_of_a_site_whose_canonical_is_its_home_page_stay_apart_and_say_why() -> None:
    body = "<p>The council voted on Tuesday to rebuild the harbour wall before the winter storms arrive.</p>" * 3
    pages = [
        FetchResult(
            url=f"https://party.example.at/{slug}.html", final_url=f"https://party.example.at/{slug}.html",
            outcome="loaded", status=200,
            text=f'<html><head><title>{slug}</title><link rel="canonical" href="https://party.example.at/">'
            f"</head><body><article><h1>{slug}</h1>{body}</article></body></html>",
        )
        for slug in ("vote", "wall")
    ]
    records, log = analyze_pages(pages, load_nlp(), {p.url: PageContext() for p in pages}, {})
    assert sorted(r.url for r in records) == ["https://party.example.at/vote.html", "https://party.example.at/wall.html"]
    assert [e.outcome for e in log] == ["loaded", "loaded"]
    assert all("home page" in (e.reason or "") for e in log)
