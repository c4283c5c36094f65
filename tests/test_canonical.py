"""rel=canonical names the article only when plausible for one: a home page or section front declared as every
article's canonical (piratenpartei.at, everardoherrera.com) must not collapse a site into one article."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tasks.analyze import PageContext, analyze_pages, canonical_choice
from tasks.models import Document, FetchResult
from tasks.nlp import load_nlp
from tasks.settings import Settings


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


def test_copies_pointing_at_a_configured_syndication_partner_are_one_article() -> None:
    body = "<p>The harbour authority approved the new breakwater after a decade of storm damage to the quay.</p>" * 3
    pages = [
        FetchResult(
            url=f"https://{site}/news/breakwater.html", final_url=f"https://{site}/news/breakwater.html",
            outcome="loaded", status=200,
            text='<html><head><title>Breakwater</title><link rel="canonical" '
            'href="https://apnews.com/article/breakwater-approved"></head>'
            f"<body><article><h1>Breakwater approved</h1>{body}</article></body></html>",
        )
        for site in ("daily.example.com", "herald.example.net")
    ]
    contexts = {p.url: PageContext() for p in pages}
    records, log = analyze_pages(pages, load_nlp(), contexts, {}, syndication_domains=frozenset({"apnews.com"}))
    assert [r.url for r in records] == ["https://apnews.com/article/breakwater-approved"]
    outcomes = {e.url: e.outcome for e in log}
    assert [outcomes[p.url] for p in pages] == ["loaded", "duplicate"]  # the first copy in the batch keeps it
    records, log = analyze_pages(pages, load_nlp(), contexts, {})  # not configured: each copy under its own URL
    assert sorted(r.url for r in records) == sorted(p.url for p in pages)
    assert all("another site" in (e.reason or "") for e in log)


def test_syndication_domains_are_registrable_domains_not_urls() -> None:
    assert Settings(syndication_domains=[" APNews.com. ", "reuters.com"]).syndication_domains == [
        "apnews.com", "reuters.com"
    ]
    with pytest.raises(ValidationError, match="registrable domains"):
        Settings(syndication_domains=["https://apnews.com/"])
