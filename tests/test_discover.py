"""Discovery parsers, filters and the source walker, on small inline inputs and on the bundled sample site."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from tasks.discover import (
    DiscoveryError,
    DiscoveryResult,
    discover_source,
    discovery_log,
    filter_urls,
    normalize_date,
    parse_feed,
    parse_sitemap,
    parse_url_list,
    rejection_outcome,
)
from tasks.models import DiscoveredUrl, FetchResult
from tasks.sources import Source

SM_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example</title><link>https://ex.com/</link>
<item><title>  First   story </title><link>https://EX.com/news/a.html?utm_source=rss#top</link>
  <pubDate>Mon, 30 Nov 2026 09:15:00 -0500</pubDate></item>
<item><title>Relative</title><link>/news/b.html</link></item>
<item><title>Script</title><link>javascript:alert(1)</link></item>
<item><title>No link at all</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><id>urn:x</id><updated>2026-11-30T10:00:00Z</updated>
<entry><title>Atom story</title><link rel="alternate" href="https://ex.com/atom-a"/><id>urn:a</id>
  <published>2026-11-29T10:00:00+02:00</published><updated>2026-11-30T10:00:00Z</updated></entry>
<entry><title>Only updated</title><link href="https://ex.com/atom-b"/><id>urn:b</id>
  <updated>2026-11-30T11:30:00Z</updated></entry>
</feed>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
"""


def xxe(root: bytes, target: str) -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "' + target.encode() + b'">]>\n' + root
    )


# ------------------------------------------------------------------------------------------------------ feeds


def test_rss_entries_canonical_with_title_and_utc_date() -> None:
    urls = parse_feed(RSS, "https://ex.com/feed.xml", "ex")
    assert [u.url for u in urls] == ["https://ex.com/news/a.html", "https://ex.com/news/b.html"]
    first = urls[0]
    assert first.title == "First story"
    assert first.published == "2026-11-30T09:15:00-05:00"
    assert first.source == "ex" and first.found_in == "https://ex.com/feed.xml"
    assert urls[1].published is None


def test_atom_published_preferred_then_updated() -> None:
    urls = parse_feed(ATOM, "https://ex.com/atom.xml", "ex")
    assert [(u.url, u.title, u.published) for u in urls] == [
        ("https://ex.com/atom-a", "Atom story", "2026-11-29T10:00:00+02:00"),
        ("https://ex.com/atom-b", "Only updated", "2026-11-30T11:30:00+00:00"),
    ]


def test_feed_dates_without_offset_or_in_odd_formats() -> None:
    body = (b'<rss version="2.0"><channel>'
            b"<item><link>https://ex.com/1</link><pubDate>Mon, 30 Nov 2026 09:15:00 EST</pubDate></item>"
            b"<item><link>https://ex.com/2</link><pubDate>2026-11-30 09:15:00</pubDate></item>"
            b"<item><link>https://ex.com/3</link><pubDate>someday soon</pubDate></item></channel></rss>")
    dates = [u.published for u in parse_feed(body, "https://ex.com/f", "s")]
    assert dates == ["2026-11-30T09:15:00-05:00", "2026-11-30T09:15:00+00:00", None]


def test_feed_truncated_keeps_what_was_read() -> None:
    body = b'<rss version="2.0"><channel><item><title>A</title><link>https://ex.com/a</link></item><item><tit'
    assert [u.url for u in parse_feed(body, "https://ex.com/f", "ex")] == ["https://ex.com/a"]


def test_empty_but_valid_feed_is_not_an_error() -> None:
    assert parse_feed(b'<rss version="2.0"><channel><title>t</title></channel></rss>', "https://ex.com/f", "s") == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "HTML page"),
        (b"this is plain text, not xml", "not an RSS or Atom feed"),
        (b"", "not an RSS or Atom feed"),
        (b"\x00\xff\xfe garbage \x89PNG", "not an RSS or Atom feed"),
    ],
)
def test_non_feed_raises_discovery_error(body: bytes, expected: str) -> None:
    with pytest.raises(DiscoveryError, match=expected):
        parse_feed(body, "https://ex.com/f", "s")


def test_feed_billion_laughs_refused() -> None:
    body = BILLION_LAUGHS + b'<rss version="2.0"><channel><item><title>&lol9;</title><link>https://ex.com/a</link></item></channel></rss>'
    with pytest.raises(DiscoveryError, match="entities"):
        parse_feed(body, "https://ex.com/f", "s")


def test_feed_external_entity_refused_without_reading(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    body = xxe(b'<rss version="2.0"><channel><item><title>&xxe;</title><link>https://ex.com/a</link></item></channel></rss>',
               secret.as_uri())
    with pytest.raises(DiscoveryError) as info:
        parse_feed(body, "https://ex.com/f", "s")
    assert "TOP-SECRET-VALUE" not in str(info.value)
    body = xxe(b'<rss version="2.0"><channel><item><title>&xxe;</title><link>https://ex.com/a</link></item></channel></rss>',
               "file:///etc/passwd")
    with pytest.raises(DiscoveryError, match="entities"):
        parse_feed(body, "https://ex.com/f", "s")


def test_feed_body_that_is_a_file_path_is_not_opened(tmp_path: Path) -> None:
    local = tmp_path / "local-feed.xml"
    local.write_bytes(RSS)
    with pytest.raises(DiscoveryError, match="not an RSS or Atom feed"):
        parse_feed(str(local).encode(), "https://ex.com/f", "s")


def test_feed_utf16_entity_declaration_also_refused() -> None:
    text = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"/>'
    with pytest.raises(DiscoveryError, match="entities"):
        parse_feed(text.encode("utf-16"), "https://ex.com/f", "s")


# --------------------------------------------------------------------------------------------------- sitemaps


def urlset(*entries: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {SM_NS} {NEWS_NS}>{"".join(entries)}</urlset>'.encode()


def test_urlset_with_lastmod_and_invalid_locs() -> None:
    body = urlset(
        "<url><loc>https://ex.com/a</loc><lastmod>2026-11-30</lastmod></url>",
        "<url><loc> https://ex.com/b?utm_campaign=x </loc></url>",
        "<url><loc>ftp://ex.com/c</loc></url>",
        "<url><lastmod>2026-11-30</lastmod></url>",
    )
    page = parse_sitemap(body, "https://ex.com/sitemap.xml", "ex", 10_000)
    assert [u.url for u in page.urls] == ["https://ex.com/a", "https://ex.com/b"]
    assert page.lastmod == {"https://ex.com/a": "2026-11-30"}
    assert [raw for raw, _ in page.invalid] == ["ftp://ex.com/c", "(url without <loc>)"]
    assert page.sitemaps == [] and page.error is None


def test_news_sitemap_title_and_date_and_image_loc_ignored() -> None:
    body = urlset(
        '<url><loc>https://ex.com/n1</loc><image:image xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        "<image:loc>https://ex.com/photo.jpg</image:loc></image:image>"
        "<news:news><news:publication><news:name>Ex</news:name><news:language>en</news:language></news:publication>"
        "<news:publication_date>2026-11-30T08:00:00-05:00</news:publication_date>"
        "<news:title>Council &amp; mayor agree</news:title></news:news></url>"
    )
    page = parse_sitemap(body, "https://ex.com/news.xml", "ex", 10_000)
    assert page.urls == [
        DiscoveredUrl(url="https://ex.com/n1", source="ex", found_in="https://ex.com/news.xml",
                      title="Council & mayor agree", published="2026-11-30T08:00:00-05:00")
    ]


def test_sitemap_without_namespace_and_with_other_namespace() -> None:
    plain = b"<urlset><url><loc>https://ex.com/a</loc></url></urlset>"
    other = b'<urlset xmlns="http://www.google.com/schemas/sitemap/0.84"><url><loc>https://ex.com/b</loc></url></urlset>'
    assert [u.url for u in parse_sitemap(plain, "https://ex.com/s", "s", 1000).urls] == ["https://ex.com/a"]
    assert [u.url for u in parse_sitemap(other, "https://ex.com/s", "s", 1000).urls] == ["https://ex.com/b"]


def test_sitemap_index_children() -> None:
    body = (
        f"<sitemapindex {SM_NS}><sitemap><loc>https://ex.com/s1.xml</loc></sitemap>"
        "<sitemap><loc>/s2.xml.gz</loc><lastmod>2026-11-30</lastmod></sitemap>"
        "<sitemap><loc>mailto:x@ex.com</loc></sitemap></sitemapindex>"
    ).encode()
    page = parse_sitemap(body, "https://ex.com/sitemap.xml", "ex", 10_000)
    assert page.sitemaps == ["https://ex.com/s1.xml", "https://ex.com/s2.xml.gz"]
    assert page.urls == [] and len(page.invalid) == 1


def test_gzip_sitemap() -> None:
    body = gzip.compress(urlset("<url><loc>https://ex.com/gz</loc></url>"))
    page = parse_sitemap(body, "https://ex.com/s.xml.gz", "ex", 10_000)
    assert [u.url for u in page.urls] == ["https://ex.com/gz"]


def test_gzip_over_cap_refused() -> None:
    body = gzip.compress(urlset("<url><loc>https://ex.com/gz</loc></url>") + b" " * 50_000_000)
    assert len(body) < 100_000  # a small download that would expand to 50 MB
    with pytest.raises(DiscoveryError, match="beyond the cap of 10,000 bytes"):
        parse_sitemap(body, "https://ex.com/s.xml.gz", "ex", 10_000)


def test_gzip_corrupt() -> None:
    with pytest.raises(DiscoveryError, match="corrupt gzip"):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage-garbage", "https://ex.com/s.xml.gz", "s", 1000)


def test_plain_body_over_cap_refused() -> None:
    with pytest.raises(DiscoveryError, match="over the cap"):
        parse_sitemap(urlset("<url><loc>https://ex.com/a</loc></url>"), "https://ex.com/s", "s", 50)


def test_truncated_sitemap_keeps_entries_before_the_break() -> None:
    body = urlset("<url><loc>https://ex.com/a</loc></url>", "<url><loc>https://ex.com/b</loc></url>")[:-40]
    page = parse_sitemap(body, "https://ex.com/s", "s", 10_000)
    assert [u.url for u in page.urls] == ["https://ex.com/a"]
    assert page.error and "cut short" in page.error


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<urlset><url><loc>https://ex.com/a</loc></url", "not well-formed"),
        (b"<html><body>not a sitemap</body></html>", "root element is <html>"),
        (b"", "empty"),
        (b"   \n  ", "empty"),
        (b"just some words", "neither XML nor a list of URLs"),
        (b"<<<>>>", "not well-formed"),
    ],
)
def test_bad_sitemaps_raise(body: bytes, expected: str) -> None:
    with pytest.raises(DiscoveryError, match=expected):
        parse_sitemap(body, "https://ex.com/s", "s", 10_000)


def test_sitemap_billion_laughs_refused() -> None:
    body = BILLION_LAUGHS + b"<urlset><url><loc>https://ex.com/&lol9;</loc></url></urlset>"
    with pytest.raises(DiscoveryError, match="declares XML entities"):
        parse_sitemap(body, "https://ex.com/s", "s", 10_000_000)


def test_sitemap_external_entity_refused_without_reading(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://ex.com/TOP-SECRET")
    for target in (secret.as_uri(), "file:///etc/passwd"):
        body = xxe(b"<urlset><url><loc>&xxe;</loc></url></urlset>", target)
        with pytest.raises(DiscoveryError, match="declares XML entities") as info:
            parse_sitemap(body, "https://ex.com/s", "s", 10_000)
        assert "TOP-SECRET" not in str(info.value)


def test_text_sitemap_and_feed_as_sitemap() -> None:
    text = parse_sitemap(b"https://ex.com/a\nhttps://ex.com/b\nnot-a-url\n", "https://ex.com/s.txt", "s", 1000)
    assert [u.url for u in text.urls] == ["https://ex.com/a", "https://ex.com/b"]
    assert len(text.invalid) == 1
    feed = parse_sitemap(RSS, "https://ex.com/feed.xml", "s", 10_000)
    assert [u.url for u in feed.urls] == ["https://ex.com/news/a.html", "https://ex.com/news/b.html"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-30", "2026-11-30"),
        ("2026-11-30T08:00:00Z", "2026-11-30T08:00:00+00:00"),
        ("2026-11-30T08:00+01:00", "2026-11-30T08:00:00+01:00"),
        ("Mon, 30 Nov 2026 09:15:00 GMT", "2026-11-30T09:15:00+00:00"),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_date(raw: str | None, expected: str | None) -> None:
    assert normalize_date(raw) == expected


# -------------------------------------------------------------------------------------------------- URL lists


def test_url_list_comments_blanks_and_bad_lines() -> None:
    text = "\ufeff# my list\n\nhttps://ex.com/a\n   https://ex.com/b#frag  \nftp://ex.com/x\nhttps://ex.com/a b\n  # indented\n"
    urls, bad = parse_url_list(text, "cli", "urls.txt")
    assert [u.url for u in urls] == ["https://ex.com/a", "https://ex.com/b"]
    assert all(u.found_in == "urls.txt" and u.source == "cli" for u in urls)
    assert [raw for raw, _ in bad] == ["ftp://ex.com/x", "https://ex.com/a b"]
    assert "line 5" in bad[0][1] and "scheme" in bad[0][1]
    assert "whitespace" in bad[1][1]


# ---------------------------------------------------------------------------------------------------- filters


def d(url: str, found_in: str = "f") -> DiscoveredUrl:
    return DiscoveredUrl(url=url, source="s", found_in=found_in)


def test_filter_allow_deny_dedupe() -> None:
    urls = [
        d("https://ex.com/news/a", "feed"), d("https://ex.com/news/live-b"), d("https://ex.com/about"),
        d("https://ex.com/news/a", "sitemap"), d("https://ex.com/news/c"),
    ]
    kept, rejected = filter_urls(urls, allow=[r"/news/"], deny=[r"/live-"])
    assert [u.url for u in kept] == ["https://ex.com/news/a", "https://ex.com/news/c"]
    assert kept[0].found_in == "feed"  # the first sighting wins
    reasons = dict(rejected)
    assert reasons["https://ex.com/news/live-b"].startswith("denied by pattern")
    assert reasons["https://ex.com/about"] == "matches no allow pattern"
    assert "duplicate" in reasons["https://ex.com/news/a"] and "feed" in reasons["https://ex.com/news/a"]
    assert len(kept) + len(rejected) == len(urls)


def test_filter_deny_beats_allow_and_no_allow_means_all() -> None:
    kept, rejected = filter_urls([d("https://ex.com/news/x")], allow=["news"], deny=["x$"])
    assert kept == [] and rejected[0][1].startswith("denied")
    kept, rejected = filter_urls([d("https://ex.com/a"), d("https://ex.com/b")], allow=[], deny=[])
    assert len(kept) == 2 and rejected == []


def test_filter_bad_pattern_raises() -> None:
    with pytest.raises(DiscoveryError, match=r"deny pattern '\(oops' is not a valid"):
        filter_urls([d("https://ex.com/a")], allow=[], deny=["(oops"])


def test_rejection_outcomes() -> None:
    _, rejected = filter_urls([d("https://ex.com/a"), d("https://ex.com/a")], allow=["zzz"], deny=[])
    assert [rejection_outcome(reason) for _, reason in rejected] == ["skipped", "duplicate"]
    _, bad = parse_url_list("nope", "s", "f")
    assert rejection_outcome(bad[0][1]) == "failed"


# ----------------------------------------------------------------------------------------------------- walker


class FakeWeb:
    """A `get` that serves a dict of URL -> bytes (or raises / fails), and records what was asked."""

    def __init__(self, pages: dict[str, bytes | Exception | int], with_body: bool = True) -> None:
        self.pages = pages
        self.with_body = with_body
        self.asked: list[str] = []
        self.read: dict[str, int] = {}  # bytes of each streamed body read before the reader stopped

    async def __call__(self, url: str, stream: Callable[[], Callable[[bytes], bool]] | None = None) -> FetchResult:
        self.asked.append(url)
        page = self.pages.get(url, 404)
        if isinstance(page, Exception):
            raise page
        if isinstance(page, int):
            return FetchResult(url=url, final_url=url, outcome="failed", status=page, reason=f"HTTP {page}")
        if stream is not None and self.with_body:  # as fetch_resource streams: small pieces, stop when told
            sink = stream()
            self.read[url] = next((end for end in range(7, len(page) + 7, 7) if not sink(page[end - 7 : end])),
                                  len(page))
            return FetchResult(url=url, final_url=url, outcome="loaded", status=200, n_bytes=self.read[url])
        if self.with_body:
            result = FetchResult(url=url, final_url=url, outcome="loaded", status=200, text=None)
            object.__setattr__(result, "body", page)  # the field a fetch helper is adding
            return result
        return FetchResult(url=url, final_url=url, outcome="loaded", status=200, text=page.decode("utf-8"))


def index(*children: str) -> bytes:
    return f"<sitemapindex {SM_NS}>{''.join(f'<sitemap><loc>{c}</loc></sitemap>' for c in children)}</sitemapindex>".encode()


def run(source: Source, web: FakeWeb, depth: int = 3, max_urls: int = 1000, max_bytes: int = 1_000_000,
        **kwargs: object) -> DiscoveryResult:
    return asyncio.run(discover_source(source, web, max_sitemap_depth=depth, max_urls=max_urls,
                                       max_bytes=max_bytes, **kwargs))  # type: ignore[arg-type]


def test_walker_sitemap_index_loop_is_read_once() -> None:
    web = FakeWeb({
        "https://ex.com/a.xml": index("https://ex.com/b.xml"),
        "https://ex.com/b.xml": index("https://ex.com/a.xml", "https://ex.com/urls.xml"),
        "https://ex.com/urls.xml": urlset("<url><loc>https://ex.com/story</loc></url>"),
    })
    result = run(Source(name="s", sitemaps=["https://ex.com/a.xml"]), web)
    assert [u.url for u in result.urls] == ["https://ex.com/story"]
    assert sorted(web.asked) == ["https://ex.com/a.xml", "https://ex.com/b.xml", "https://ex.com/urls.xml"]
    assert any("already read" in reason for _, reason in result.skipped)
    assert result.failures == []


def test_walker_depth_limit() -> None:
    web = FakeWeb({
        "https://ex.com/top.xml": index("https://ex.com/mid.xml"),
        "https://ex.com/mid.xml": index("https://ex.com/leaf.xml"),
        "https://ex.com/leaf.xml": urlset("<url><loc>https://ex.com/deep</loc></url>"),
    })
    shallow = run(Source(name="s", sitemaps=["https://ex.com/top.xml"]), web, depth=1)
    assert shallow.urls == []
    assert ("https://ex.com/leaf.xml", "sitemap index nested deeper than max_sitemap_depth=1") in shallow.skipped
    assert "https://ex.com/leaf.xml" not in web.asked
    deep = run(Source(name="s", sitemaps=["https://ex.com/top.xml"]), FakeWeb(web.pages), depth=2)
    assert [u.url for u in deep.urls] == ["https://ex.com/deep"]


def test_walker_failed_feed_recorded_and_rest_continues() -> None:
    web = FakeWeb({
        "https://ex.com/good.xml": RSS,
        "https://ex.com/html": b"<html><body>oops</body></html>",
        "https://ex.com/boom": RuntimeError("connection reset"),
        "https://ex.com/bomb.xml": BILLION_LAUGHS + b"<urlset/>",
    })
    source = Source(name="s", feeds=["https://ex.com/good.xml", "https://ex.com/missing.xml", "https://ex.com/html",
                                     "https://ex.com/boom"], sitemaps=["https://ex.com/bomb.xml"])
    result = run(source, web)
    assert [u.url for u in result.urls] == ["https://ex.com/news/a.html", "https://ex.com/news/b.html"]
    failures = dict(result.failures)
    assert failures["https://ex.com/missing.xml"] == "failed: HTTP 404"
    assert "HTML page" in failures["https://ex.com/html"]
    assert "connection reset" in failures["https://ex.com/boom"]
    assert "entities" in failures["https://ex.com/bomb.xml"]
    # the feed's two unusable entries are accounted for
    assert {raw for raw, _ in result.rejected} == {"javascript:alert(1)", "No link at all"}


def test_walker_accounts_for_every_url_with_filters_dupes_and_limit() -> None:
    web = FakeWeb({
        "https://ex.com/feed": RSS,
        "https://ex.com/s.xml": urlset(
            "<url><loc>https://ex.com/news/a.html</loc><lastmod>2026-11-30</lastmod></url>",
            "<url><loc>https://ex.com/about</loc></url>",
            *[f"<url><loc>https://ex.com/news/n{i}</loc></url>" for i in range(5)],
        ),
    })
    source = Source(name="s", start_urls=["https://ex.com/news/start"], feeds=["https://ex.com/feed"],
                    sitemaps=["https://ex.com/s.xml"], allow=["/news/"])
    extra = [DiscoveredUrl(url="https://ex.com/news/from-file", source="s", found_in="urls.txt")]
    result = run(source, web, max_urls=5, extra_urls=extra, extra_rejected=[("bad line", "invalid URL: x")])
    assert [u.url for u in result.urls] == [
        "https://ex.com/news/start", "https://ex.com/news/from-file", "https://ex.com/news/a.html",
        "https://ex.com/news/b.html", "https://ex.com/news/n0",
    ]
    outcomes = [rejection_outcome(reason) for _, reason in result.rejected]
    assert outcomes.count("duplicate") == 1  # news/a.html in feed and sitemap
    assert ("https://ex.com/about", "matches no allow pattern") in result.rejected
    # the limit was reached at news/n0: the sitemap's other four locs were never read, and its row says so
    assert sum("over the URL limit" in reason for _, reason in result.rejected) == 0
    assert "read in part: 3 URLs taken" in result.notes["https://ex.com/s.xml"]
    # 1 start + 1 file + 4 feed entries + 3 sitemap locs read + 1 bad file line, each kept or rejected exactly once
    assert len(result.urls) + len(result.rejected) == 1 + 1 + 4 + 3 + 1
    assert result.lastmod == {"https://ex.com/news/a.html": "2026-11-30"}
    # the <lastmod> travels with its URL to extraction (a weak date hint); the others have none
    assert {u.url: u.lastmod for u in result.urls if u.lastmod} == {"https://ex.com/news/a.html": "2026-11-30"}


def test_walker_stops_reading_sitemaps_once_the_limit_is_reached() -> None:
    web = FakeWeb({
        "https://ex.com/idx.xml": index("https://ex.com/s1.xml", "https://ex.com/s2.xml"),
        "https://ex.com/s1.xml": urlset("<url><loc>https://ex.com/1</loc></url>"),
        "https://ex.com/s2.xml": urlset("<url><loc>https://ex.com/2</loc></url>"),
    })
    result = run(Source(name="s", start_urls=["https://ex.com/0"], sitemaps=["https://ex.com/idx.xml"]), web,
                 max_urls=1)
    assert [u.url for u in result.urls] == ["https://ex.com/0"]
    assert web.asked == []
    assert {url for url, _ in result.skipped} == {"https://ex.com/idx.xml"}


def test_walker_big_index_reads_one_sitemap_at_a_time_and_stops_at_the_limit() -> None:
    children = [f"https://ex.com/s{i}.xml" for i in range(10)]
    pages: dict[str, bytes | Exception | int] = {"https://ex.com/idx.xml": index(*children)}
    pages.update({c: urlset(f"<url><loc>https://ex.com/a{i}</loc></url>") for i, c in enumerate(children)})

    class Counting(FakeWeb):
        in_flight = peak = 0

        async def __call__(self, url: str, stream: Callable[[], Callable[[bytes], bool]] | None = None) -> FetchResult:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            await asyncio.sleep(0)
            try:
                return await super().__call__(url, stream)
            finally:
                self.in_flight -= 1

    web = Counting(pages)
    result = run(Source(name="s", sitemaps=["https://ex.com/idx.xml"]), web, max_urls=5)
    assert web.peak == 1  # one at a time: which URLs the limit keeps does not depend on which answers first
    assert len(result.urls) == 5
    assert web.asked == ["https://ex.com/idx.xml", *children[:5]]  # none asked for once the budget was spent
    assert {url for url, reason in result.skipped if "max_urls_per_run" in reason} == set(children[5:])


def test_walker_falls_back_to_text_and_caps_bytes() -> None:
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><item><title>Café</title><link>https://ex.com/c</link></item></channel></rss>'
    web = FakeWeb({"https://ex.com/f": latin.encode("latin-1").decode("latin-1").encode("utf-8")}, with_body=False)
    result = run(Source(name="s", feeds=["https://ex.com/f"]), web)
    assert [(u.url, u.title) for u in result.urls] == [("https://ex.com/c", "Café")]
    big = run(Source(name="s", feeds=["https://ex.com/f"]), FakeWeb(web.pages), max_bytes=20)
    assert big.urls == [] and "over the cap" in big.failures[0][1]


# ----------------------------------------------------------------------------------------------- sample site

SAMPLE_SITE = Path(__file__).resolve().parents[1] / "flows" / "sample_site"
BASE = "http://127.0.0.1:54321"
MISSING_PAGE = f"{BASE}/news/city/ferry-fare-increase.html"
PRIVATE_PAGE = f"{BASE}/private/newsroom-staff-memo.html"


def serve_sample(url: str) -> bytes | int:
    """What the demo's static server does: map the path to a file, substitute __BASE_URL__ in text files."""
    assert url.startswith(BASE)
    path = SAMPLE_SITE / url[len(BASE):].split("?", 1)[0].lstrip("/")
    if not path.is_file():
        return 404
    data = path.read_bytes()
    return data if data[:2] == b"\x1f\x8b" else data.replace(b"__BASE_URL__", BASE.encode())


def test_sample_site_discovery_covers_every_case() -> None:
    pages = {}
    for name in ("feed.xml", "atom.xml", "sitemap.xml", "sitemap-news.xml", "sitemap-pages.xml.gz"):
        pages[f"{BASE}/{name}"] = serve_sample(f"{BASE}/{name}")
    robots = serve_sample(f"{BASE}/robots.txt")
    assert isinstance(robots, bytes)
    assert b"Disallow: /private/" in robots and f"Sitemap: {BASE}/sitemap.xml".encode() in robots
    source = Source(name="ledger", feeds=[f"{BASE}/feed.xml", f"{BASE}/atom.xml"], sitemaps=[f"{BASE}/sitemap.xml"])
    result = run(source, FakeWeb(pages))  # type: ignore[arg-type]
    assert result.failures == [] and result.skipped == []
    found = [u.url for u in result.urls]
    article_files = sorted(p.relative_to(SAMPLE_SITE).as_posix() for p in SAMPLE_SITE.glob("news/*/*.html"))
    assert 8 <= len(article_files) <= 12
    for url in found:
        if url in (MISSING_PAGE, PRIVATE_PAGE):
            continue
        assert serve_sample(url) != 404, f"{url} is listed but has no page"
    assert MISSING_PAGE in found and serve_sample(MISSING_PAGE) == 404
    assert PRIVATE_PAGE in found and serve_sample(PRIVATE_PAGE) != 404
    assert set(found) >= {f"{BASE}/{name}" for name in article_files}  # every article is discoverable
    assert f"{BASE}/about.html" in found  # from the gzip sitemap's root-relative locs
    utm_dupes = [url for url, reason in result.rejected
                 if rejection_outcome(reason) == "duplicate" and "gulls-win-regional-final.html?utm_source" in url]
    assert utm_dupes, "the feed's utm-tagged link should be a duplicate row under its own spelling"
    feed = parse_feed(pages[f"{BASE}/feed.xml"], f"{BASE}/feed.xml", "ledger")  # type: ignore[arg-type]
    assert 6 <= len(feed) <= 10 and all(u.published and u.title for u in feed)
    news = parse_sitemap(pages[f"{BASE}/sitemap-news.xml"], f"{BASE}/sitemap-news.xml", "ledger", 1_000_000)  # type: ignore[arg-type]
    assert all(u.published and u.published.endswith("-05:00") and u.title for u in news.urls)


def test_sample_site_pages_have_no_unreplaced_absolute_links_and_stay_small() -> None:
    total = sum(p.stat().st_size for p in SAMPLE_SITE.rglob("*") if p.is_file())
    assert total < 300_000
    for page in SAMPLE_SITE.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert '<html lang="en">' in text
        assert "127.0.0.1" not in text and "localhost" not in text
        if "/news/" in page.as_posix():
            for needle in ('rel="canonical"', '"@type": "NewsArticle"', "og:title", "<time datetime=", "(Photo: ",
                           "Related stories", "cookie-consent", 'class="comments"', "newsletter-signup"):
                assert needle in text, f"{page.name} lacks {needle}"


# ------------------------------------------------------------------------------------------------ robustness

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

XMLISH = st.lists(
    st.sampled_from([
        b"<urlset>", b"</urlset>", b"<url>", b"</url>", b"<loc>", b"</loc>", b"<sitemapindex>", b"<sitemap>",
        b"<rss version='2.0'>", b"<channel>", b"<item>", b"<link>", b"</link>", b"http://[::1", b"https://ex.com/a",
        b"<?xml version='1.0' encoding='klingon'?>", b"<!DOCTYPE x>", b"\x1f\x8b", b"&amp;", b"&bogus;", b"\xff\xfe",
        b"<news:news>", b"<publication_date>", b"2026-13-45T99:00", b"<![CDATA[", b"]]>", b"\x00", b" ", b"\n",
    ]),
    max_size=25,
).map(b"".join)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(XMLISH, st.binary(max_size=300)))
def test_parsers_raise_only_discovery_error(body: bytes) -> None:
    for parse in (lambda: parse_feed(body, "https://ex.com/f", "s"),
                  lambda: parse_sitemap(body, "https://ex.com/s", "s", 5_000)):
        try:
            parse()
        except DiscoveryError:
            pass


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_url_list_accounts_for_every_non_comment_line(text: str) -> None:
    urls, bad = parse_url_list(text, "s", "f")
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(urls) + len(bad) == len(lines)


# ------------------------------------------------------------------------------------------- fetch_log rows


def test_every_resource_and_rejected_url_of_a_walk_is_one_log_row_with_its_reason() -> None:
    """Child sitemaps of an index (read, read in part, not read) and a tracking-parameter copy of a feed
    item each get a row; a URL listed twice in the same spelling is one URL."""
    feed = (
        "<rss version='2.0'><channel><title>t</title>"
        "<item><title>a</title><link>https://ex.com/news/a.html</link></item>"
        "<item><title>a again</title><link>https://ex.com/news/a.html?utm_source=rss</link></item>"
        "<item><title>b</title><link>https://ex.com/news/b.html</link></item>"
        "</channel></rss>"
    ).encode()
    web = FakeWeb({
        "https://ex.com/feed.xml": feed,
        "https://ex.com/index.xml": index("https://ex.com/news.xml", "https://ex.com/pages.xml", "https://ex.com/gone.xml"),
        "https://ex.com/news.xml": urlset(
            "<url><loc>https://ex.com/news/a.html</loc></url>", "<url><loc>https://ex.com/news/c.html</loc></url>",
            "<url><loc>https://ex.com/news/d.html</loc></url>",
        ),
        "https://ex.com/pages.xml": urlset("<url><loc>https://ex.com/about.html</loc></url>"),
    })
    source = Source(name="s", feeds=["https://ex.com/feed.xml"], sitemaps=["https://ex.com/index.xml"],
                    allow=["/news/"])
    result = run(source, web, max_urls=3)
    rows = {row.url: row for row in discovery_log(source, result)}
    assert {url: (row.kind, row.outcome) for url, row in rows.items()} == {
        "https://ex.com/feed.xml": ("feed", "loaded"),
        "https://ex.com/index.xml": ("sitemap", "loaded"),
        "https://ex.com/news.xml": ("sitemap", "loaded"),
        "https://ex.com/pages.xml": ("sitemap", "skipped"),
        "https://ex.com/gone.xml": ("sitemap", "skipped"),
        "https://ex.com/news/a.html?utm_source=rss": ("article", "duplicate"),
    }
    assert rows["https://ex.com/news.xml"].found_in == "https://ex.com/index.xml"
    assert "https://ex.com/news/a.html" in (rows["https://ex.com/news/a.html?utm_source=rss"].reason or "")
    # the limit was reached inside news.xml: its row says the rest (news/d.html) was not read; pages.xml and
    # gone.xml were never asked for
    assert "read in part: 2 URLs taken" in (rows["https://ex.com/news.xml"].reason or "")
    assert "max_urls_per_run" in (rows["https://ex.com/pages.xml"].reason or "")
    assert "max_urls_per_run" in (rows["https://ex.com/gone.xml"].reason or "")
    assert web.asked == ["https://ex.com/feed.xml", "https://ex.com/index.xml", "https://ex.com/news.xml"]
    assert [item.url for item in result.urls] == [
        "https://ex.com/news/a.html", "https://ex.com/news/b.html", "https://ex.com/news/c.html",
    ]
