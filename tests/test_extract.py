"""Extraction: the seed page (plain text) against its hand-made gold, and small inline HTML pages."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared_path
from tasks.dates import normalize_date
from tasks.extract import (
    bench_extract,
    extract_document,
    extract_text_page,
)
from tasks.metadata import clean_byline



@pytest.fixture(scope="module")
def seed() -> tuple[dict, object]:
    gold = json.loads(shared_path("seed", "gold.json").read_text(encoding="utf-8"))
    text = shared_path("seed", gold["seed"]).read_text(encoding="utf-8")
    return gold, extract_text_page(text)


def test_seed_title(seed) -> None:
    gold, doc = seed
    assert doc.title == gold["title"]


def test_seed_body_bounds(seed) -> None:
    gold, doc = seed
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0].startswith(gold["body_first_paragraph_starts"])
    assert paragraphs[-1].endswith(gold["body_last_paragraph_ends"])


def test_seed_summary_points_kept_apart(seed) -> None:
    gold, doc = seed
    assert list(doc.summary_points) == gold["summary_points"]
    for point in gold["summary_points"]:
        assert point not in doc.text


def test_seed_boilerplate_gone(seed) -> None:
    gold, doc = seed
    for s in gold["body_must_not_contain"]:
        assert s not in doc.text, s
    assert doc.text.count(gold["title"]) == gold["title_occurrences_in_body"]


def test_seed_quotes_survive_cleaning(seed) -> None:
    gold, doc = seed
    for q in gold["quotes"]:
        assert q["quote"] in doc.text, q["quote"][:60]


ARTICLE_PAGE = """<!doctype html><html lang="en-GB"><head>
<title>Council approves new bridge | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<link rel="canonical" href="/news/bridge-approved">
<meta property="article:published_time" content="2024-07-09T10:15:00+01:00">
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<article>
  <h1>Council approves new bridge</h1>
  <p class="byline">By Jane Doe and John Roe | Updated 3 min read</p>
  <p>The city council voted on Tuesday to approve a new pedestrian bridge over the river, ending a debate that has
  lasted more than ten years.</p>
  <figure><img src="a.jpg"><figcaption>The old crossing in 2020. (AP Photo/Sam Smith)</figcaption></figure>
  <p>“This is a great day for the city,” said the mayor, Ana Lopez, who called the vote historic.</p>
  <h2>What happens next</h2>
  <p>Construction is expected to start next spring and take two years, according to the council's plan.</p>
  <ul><li>Phase one: foundations and piers in the river.</li><li>Phase two: the deck and the approaches.</li></ul>
  <blockquote>Bridges connect people, not just places.</blockquote>
  <p>The NATO-standard steel will come from a local mill, officials said.</p>
</article>
<section class="related"><h3>Related</h3><ul><li><a href="/a">Mayor elected in landslide</a></li>
<li><a href="/b">River floods again after storms hit</a></li></ul></section>
<div id="comments"><h3>Leave a Comment</h3><p>Your email address will not be published.</p></div>
<footer><p>© 2024 The Daily Example. All rights reserved.</p></footer>
</body></html>"""


def test_article_body_without_furniture() -> None:
    doc = extract_document(ARTICLE_PAGE, "https://example.com/news/bridge")
    paras = doc.text.split("\n\n")
    assert paras[0].startswith("The city council voted on Tuesday")
    assert "What happens next" in paras
    assert "Phase one: foundations and piers in the river." in paras
    assert "Bridges connect people, not just places." in paras
    assert paras[-1] == "The NATO-standard steel will come from a local mill, officials said."
    for junk in ("Share on", "Home", "Related", "Mayor elected", "Leave a Comment", "email address", "AP Photo", "©"):
        assert junk not in doc.text, junk
    assert "Council approves new bridge" not in doc.text


def test_article_metadata() -> None:
    doc = extract_document(ARTICLE_PAGE, "https://example.com/news/bridge")
    assert doc.title == "Council approves new bridge"
    assert doc.site_name == "The Daily Example"
    assert doc.authors == ("Jane Doe", "John Roe")
    assert doc.published == "2024-07-09T10:15:00+01:00"
    assert doc.language == "en-GB"
    assert doc.canonical_url == "https://example.com/news/bridge-approved"


JSONLD_GRAPH = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "@id": "https://ex.org/#site", "name": "Ex Org"},
  {"@type": "Person", "@id": "https://ex.org/#p1", "name": "Mary Major"},
  {"@type": ["NewsArticle"], "headline": "Rates held steady", "datePublished": "2023-03-01T08:00:00Z",
   "dateModified": "2023-03-02T09:30:00-05:00", "author": [{"@id": "https://ex.org/#p1"}, {"@type": "Person", "name": "Rick Roe"}],
   "publisher": {"@type": "Organization", "name": "Ex Org"}, "articleSection": "Economy",
   "keywords": "rates, central bank", "inLanguage": "en", "image": {"@type": "ImageObject", "url": "/img/r.jpg"},
   "description": "The bank kept rates unchanged."}
]}
</script><title>Something else entirely - Ex Org</title></head>
<body><div><p>The central bank kept its main rate unchanged on Wednesday, as expected by most economists polled.</p></div></body></html>"""


def test_jsonld_graph_metadata() -> None:
    doc = extract_document(JSONLD_GRAPH, "https://ex.org/a/1")
    assert doc.title == "Rates held steady"
    assert doc.authors == ("Mary Major", "Rick Roe")
    assert doc.published == "2023-03-01T08:00:00+00:00"
    assert doc.modified == "2023-03-02T09:30:00-05:00"
    assert doc.section == "Economy"
    assert doc.tags == ("rates", "central bank")
    assert doc.site_name == "Ex Org"
    assert doc.image == "https://ex.org/img/r.jpg"
    assert doc.language == "en"
    assert doc.text.startswith("The central bank kept its main rate unchanged")


def test_byline_cleaning() -> None:
    assert clean_byline("By Jane Doe and John Roe | Updated 3 min read") == ["Jane Doe", "John Roe"]
    assert clean_byline("By JANE DOE, Senior Reporter") == ["JANE DOE"]
    assert clean_byline("Jane Doe · 5 Minute Read") == ["Jane Doe"]
    assert clean_byline("Par Sébastien Farcis") == ["Sébastien Farcis"]


def test_title_site_suffix_from_title_tag() -> None:
    html = "<html><head><title>Storm hits coast - Example News</title><meta property='og:site_name' content='Example News'></head><body></body></html>"
    assert extract_document(html).title == "Storm hits coast"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2021-11-01T10:52:50+0100", "2021-11-01T10:52:50+01:00"),
        ("2019-04-28 06:01:07", "2019-04-28T06:01:07"),
        ("March 11, 2015 3:46 PM", "2015-03-11"),
        ("Tue, 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00+00:00"),
        ("12 July 2024", "2024-07-12"),
        ("not a date", None),
    ],
)
def test_normalize_date(raw: str, iso: str | None) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize("junk", ["", "   ", "\x00\x01\x02", "<<<>>>", "<html>", "\ufffd" * 50, "<p>" * 5000, b"\xff\xfe<p>x"])
def test_never_raises(junk) -> None:
    doc = extract_document(junk)  # type: ignore[arg-type]
    assert isinstance(doc.text, str)
    assert extract_text_page(junk if isinstance(junk, str) else "").text is not None


def test_bench_adapter_shape() -> None:
    out = bench_extract(ARTICLE_PAGE, None)
    assert set(out) == {"text", "title", "authors", "published"}
    assert out["authors"] == ["Jane Doe", "John Roe"]


def test_pre_keeps_its_lines() -> None:
    html = (
        "<html><body><article><p>Intro paragraph that is long enough to be the article text, with commas, yes.</p>"
        "<pre>$ hg clone repo\n$ hg amend -m 'fix'</pre>"
        "<p>Another paragraph that is long enough to be kept as the article text here.</p></article></body></html>"
    )
    assert "$ hg clone repo\n$ hg amend -m 'fix'" in extract_document(html).text

_TAGS = ["p", "div", "article", "a", "br", "li", "ul", "table", "tr", "td", "pre", "script", "h1", "span", "section"]
_fragment = st.lists(
    st.one_of(
        st.sampled_from([f"<{t}>" for t in _TAGS] + [f"</{t}>" for t in _TAGS]),
        st.sampled_from(['<div class="comments">', '<p style="display:none">', '<meta property="og:title" content="T">',
                         '<script type="application/ld+json">{"@type":"NewsArticle","author":[{"@id":"x"}]}</script>',
                         '<time datetime="2020-13-45">', '<div itemprop="articleBody">']),
        st.text(max_size=40),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=60, deadline=None)
@given(_fragment)
def test_inner_extraction_does_not_raise(html: str) -> None:
    # odd markup is not a bug: a raise here would fail the page in a run
    doc = extract_document(html, "https://example.com/a")
    assert isinstance(doc.text, str)
    assert isinstance(extract_text_page(html, None).text, str)


def test_title_labels_and_site_parts_removed() -> None:
    from tasks.metadata import strip_site_suffix

    assert strip_site_suffix("Opinion | Republicans Are Following Trump", None, None) == "Republicans Are Following Trump"
    assert strip_site_suffix("Storm hits coast | World | Example News", "Example News", None) == "Storm hits coast | World"
    assert strip_site_suffix("Sport | Late goal wins it", None, None, "Sport") == "Late goal wins it"
    assert strip_site_suffix("Cats - Dogs - Mice", None, None) == "Cats - Dogs - Mice"


KEY_POINTS_PAGE = """<!doctype html><html lang="en"><head><title>Ferry fares rise | The Ledger</title>
<meta property="og:site_name" content="The Ledger"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/city">City</a></li></ul></nav>
<article>
  <h1>Ferry fares rise</h1>
  <div class="RenderKeyPoints-keyPoints"><h2>Key Points</h2><ul>
    <li>Harbor Transit will raise the one-way ferry fare to $4.50 from Jan. 1.</li>
    <li>Monthly passes for riders over 65 stay at their current price.</li>
    <li>The agency says fuel costs rose 30 percent this year.</li>
  </ul></div>
  <p>Harbor Transit will raise the fare for a one-way ferry ride to $4.50 on Jan. 1, the agency said on Tuesday,
  the first increase in six years.</p>
  <p>Officials said the change would bring in about $1.2 million a year, most of it to cover fuel costs that have
  risen sharply since the spring.</p>
  <p>Riders over 65 will keep their current monthly pass price, and students will pay half fare on weekdays.</p>
  <ul><li>Fares for bikes stay at $1, the agency said in its notice to riders.</li>
      <li>Parking at the terminal will not change this year, officials said.</li></ul>
</article></body></html>"""


def test_key_points_are_kept_apart_from_the_body() -> None:
    doc = extract_document(KEY_POINTS_PAGE, "https://ledger.example/ferry")
    assert doc.summary_points == (
        "Harbor Transit will raise the one-way ferry fare to $4.50 from Jan. 1.",
        "Monthly passes for riders over 65 stay at their current price.",
        "The agency says fuel costs rose 30 percent this year.",
    )
    assert "Monthly passes for riders" not in doc.text
    assert doc.text.startswith("Harbor Transit will raise the fare")
    assert "Fares for bikes stay at $1" in doc.text  # an ordinary list in the story stays in the body


def test_pages_without_marked_key_points_have_none() -> None:
    doc = extract_document(KEY_POINTS_PAGE.replace("RenderKeyPoints-keyPoints", "box"), "https://ledger.example/f")
    assert doc.summary_points == ()


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Eingestellt von Klara Winter", ["Klara Winter"]),
        ("Artikel von: Hanna Roth", ["Hanna Roth"]),
        ("Artikel von:", []),
        ("Rezept von", []),
        ("Name (erforderlich", []),
        ("Name *", []),
        ("Name (required)", []),
        ("Autor", []),
        ("Authors", []),
        ("Username", []),
        ("Johanna Kropfitsch | Alle Artikel", ["Johanna Kropfitsch"]),
    ],
)
def test_byline_labels_are_not_names(raw: str, names: list[str]) -> None:
    assert clean_byline(raw) == names


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Interview: Julia Roe", ["Julia Roe"]),
        ("Autorin: Hanna Roth", ["Hanna Roth"]),
        ("Texte : Marie Dupont", ["Marie Dupont"]),
        ("Text von Christian Weber", ["Christian Weber"]),
        ("Ein Gastbeitrag von Jana Kühn", ["Jana Kühn"]),
        ("Di Mario Rossi", ["Mario Rossi"]),
        ("06.11.2023 13:30 von Olga", ["Olga"]),
        ("11.12.2019 - Amelie Kurz", ["Amelie Kurz"]),
        ("Von Paul Roe am 07.08.2013 um 09:07 Uhr", ["Paul Roe"]),
        ("Posted by Nina Holt under Politics", ["Nina Holt"]),
        ("Quelle: Reuters", ["Reuters"]),
        ("FOCUS-Online-Experte Robin Roe", ["Robin Roe"]),
        ("taz-Redakteurin Jana Kühn", ["Jana Kühn"]),
        ("Williams Roe @wroed", ["Williams Roe"]),
        ("Posted by Nathan Roe, Varun Doe, Eric Moe and Kiran C Poe",
         ["Nathan Roe", "Varun Doe", "Eric Moe", "Kiran C Poe"]),
    ],
)
def test_byline_label_or_date_around_the_name_is_cut(raw: str, names: list[str]) -> None:
    """Labels in several languages, a date before the name and a preposition with a date or a filing after it."""
    assert clean_byline(raw) == names


def test_user_names_are_names_only_where_the_element_says_author() -> None:
    assert clean_byline("kettenblatt42", handles=True) == ["kettenblatt42"]
    assert clean_byline("kettenblatt42") == []
    assert clean_byline("Name *", handles=True) == []


def test_site_suffix_named_by_a_phrase_holding_the_host() -> None:
    from tasks.metadata import strip_site_suffix

    assert strip_site_suffix("Maulwurfkuchen - Rezept von Backen.de", None, "www.backen.de") == "Maulwurfkuchen"
    # a long last part that merely mentions the site is part of the headline
    long_part = "Was die Leser von backen.de am liebsten backen und warum"
    assert strip_site_suffix(f"Umfrage - {long_part}", None, "www.backen.de") == f"Umfrage - {long_part}"


def test_hidden_on_the_page_itself_is_read_not_a_crash() -> None:
    # broken markup ("<html <div ... aria-hidden>") can put hidden on <html>: the page is still read
    from tasks.extract import _extract_document

    assert _extract_document('<HTML <div class="x" aria-hidden="true">', "https://example.org/a").text == ""
    page = '<html aria-hidden="true"><body><p>' + "The ferry runs every twenty minutes, the council said. " * 4
    assert "The ferry runs every twenty minutes" in _extract_document(page + "</p></body></html>", None).text



def test_hidden_parts_matching_several_rules_are_removed_once_and_their_h1_unused() -> None:
    # an element hidden three ways is listed once per selector by the hidden-element query: it is removed once
    # (never freed twice), and an <h1> inside it (a modal's title) is not among the page's headlines
    from selectolax.lexbor import LexborHTMLParser

    from tasks.extract import _prepare

    prose = "<p>" + "The ferry runs every twenty minutes from the harbour, the council said on Monday. " * 4 + "</p>"
    page = (
        "<html><head><title>Ferry timetable changes - Harbour News</title></head><body>"
        '<div class="modal" hidden aria-hidden="true" style="display: none"><h1>Subscribe now</h1>'
        "<p>Get the newsletter with every story of the week, straight to your inbox, free of charge.</p></div>"
        f'<h1 itemprop="articleBody" aria-hidden="false">Ferry timetable changes</h1>{prose}'
        '<h1 hidden>Print edition</h1></body></html>'
    )
    tree = LexborHTMLParser(page)
    marked, h1s = _prepare(tree)
    assert [h.text() for h in h1s] == ["Ferry timetable changes"]
    assert marked == {h1s[0].mem_id}
    assert "Subscribe" not in tree.html and "Print edition" not in tree.html
    doc = extract_document(page, "https://harbour.example/ferry")
    assert doc.title == "Ferry timetable changes"
    assert "twenty minutes" in doc.text and "newsletter" not in doc.text


_TOKEN_PARTS = ["Comment", "SIDEBAR", "article", "Body", "has-", "Text-XL", "md:", "--", "_", "-", "related", "x", "9"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKEN_PARTS), max_size=6).map("".join) | st.text(max_size=20))
def test_class_token_patterns_lowered_agree_with_caseless(token: str) -> None:
    # class/id tokens that are ASCII are lowered and matched without re.I (cheaper): same answers as re.I
    from tasks.extract import _CASELESS, _LOWERED

    if token.isascii():
        for caseless, lowered in zip(_CASELESS, _LOWERED):
            assert bool(caseless.search(token)) == bool(lowered.search(token.lower()))
            assert bool(caseless.match(token)) == bool(lowered.match(token.lower()))


def test_class_word_patterns_match_each_listed_word_and_keep_their_exceptions():
    """The furniture and content class patterns are built as tries from word lists: every word must still be
    found inside a token, and the non-literal parts keep their exceptions."""
    from tasks.extract import (
        _NEGATIVE, _NEGATIVE_WORDS, _POSITIVE, _POSITIVE_WORDS, _STRONG_NEGATIVE, _STRONG_NEGATIVE_WORDS,
    )

    for pattern, words in ((_NEGATIVE, _NEGATIVE_WORDS), (_STRONG_NEGATIVE, _STRONG_NEGATIVE_WORDS),
                           (_POSITIVE, _POSITIVE_WORDS)):
        for word in words:
            assert pattern.search(f"x{word.upper()}y"), word
    assert _NEGATIVE.search("share-bar") and not _NEGATIVE.search("shared-lib")
    assert _NEGATIVE.search("author-bio") and not _NEGATIVE.search("biography")
    assert _NEGATIVE.search("top-ad") and not _NEGATIVE.search("heading")
    assert not _NEGATIVE.search("entry-content") and not _POSITIVE.search("sidebar")


def test_a_post_filed_under_a_comment_category_keeps_its_author() -> None:
    """WordPress puts the post's categories in its class ("category-kommentar"): a topic, not a comment thread."""
    page = (
        '<html><body><div class="post type-post category-der-kommentar tag-comments"><h1>Die Brücke bleibt zu</h1>'
        '<div class="meta">Eingestellt von <a href="/author/ortsredaktion7/" rel="author">ortsredaktion7</a></div>'
        "<p>" + "Die Brücke über den Kanal bleibt bis zum Frühjahr für Autos gesperrt, sagte die Stadt. " * 3
        + "</p></div></body></html>"
    )
    assert extract_document(page, "https://ortsblog.example/2020/brucke").authors == ("ortsredaktion7",)


def test_a_declared_author_named_by_the_host_initials_is_the_site() -> None:
    """'Nordsee Hafen Verband' on nhv.example is the site itself: the byline in the page names the writer."""
    page = (
        '<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Article",'
        '"headline":"Neue Kaimauer","author":{"@type":"Organization","name":"Nordsee Hafen Verband"}}</script>'
        '</head><body><article><h1>Neue Kaimauer</h1><p class="article-author">Ole Brandt</p><p>'
        + "Die neue Kaimauer im Osthafen ist fertig und wird im Mai für die ersten Schiffe freigegeben. " * 3
        + "</p></article></body></html>"
    )
    assert extract_document(page, "https://www.nhv.example/news/kaimauer").authors == ("Ole Brandt",)


def test_a_person_whose_name_holds_a_short_host_label_is_not_the_site() -> None:
    """'uk' of example.co.uk is inside 'Luke Hill': too short a label to say the declared author is the site."""
    page = (
        '<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Article",'
        '"headline":"Harbour fees rise","author":{"@type":"Person","name":"Luke Hill"}}</script></head><body>'
        '<article><h1>Harbour fees rise</h1><p class="author-name">Marina Holt</p><p>'
        + "Fees at the harbour rise by a tenth from April, the port authority said on Monday. " * 3
        + "</p></article></body></html>"
    )
    assert extract_document(page, "https://www.harbour.co.uk/news/fees").authors == ("Luke Hill",)
