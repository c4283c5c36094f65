"""Arbitrary input never crashes a stage: property tests over bytes, HTML-ish text and prose.

Every stage must return valid text (encodable as UTF-8: no lone surrogates) and offsets inside the text.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.analyze import analyze_documents
from tasks.clean import clean_paragraphs, normalize_text
from tasks.extract import extract_document, extract_text_page
from tasks.charset import decode_html
from tasks.nlp import load_nlp

TAGS = ["p", "div", "article", "main", "script", "style", "h1", "a", "li", "ul", "span", "time", "meta", "br",
        "blockquote", "figure", "figcaption", "nav", "footer", "template", "svg", "noscript", "table", "td"]
html_pieces = st.one_of(
    st.text(max_size=40),
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(['<script type="application/ld+json">{"@type":"NewsArticle","author":[', '"}]}</script>',
                     "<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "&#xD800;", "\x00", "\ufeff", "\u200b", "“", "”",
                     '"', "<html lang=", "<meta charset=utf-16>", '<link rel=canonical href="javascript:x">']),
)
html_documents = st.lists(html_pieces, max_size=60).map("".join)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_valid_text(value: str | None) -> None:
    if value is not None:
        assert isinstance(value, str)
        value.encode("utf-8")  # raises on lone surrogates


@FAST
@given(st.binary(max_size=3000), st.sampled_from([None, "text/html", "text/html; charset=utf-16",
                                                  "text/html; charset=bogus", "text/html; charset=shift_jis"]))
def test_decoding_any_bytes_gives_valid_text(body: bytes, content_type: str | None) -> None:
    text, charset = decode_html(body, content_type)
    assert_valid_text(text)
    assert charset


@FAST
@given(html_documents)
def test_extraction_never_raises_on_html_like_input(html: str) -> None:
    document = extract_document(html, "https://example.org/a")
    for value in (document.text, document.title, document.published, document.language, document.canonical_url,
                  *document.authors, *document.summary_points):
        assert_valid_text(value)


@FAST
@given(st.text(max_size=2000))
def test_text_pages_and_cleaning_never_raise(text: str) -> None:
    document = extract_text_page(text)
    assert_valid_text(document.text)
    cleaned = clean_paragraphs(text.split("\n"), title=text[:20])
    for paragraph in cleaned:
        assert_valid_text(paragraph)
    assert_valid_text(normalize_text(text))


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_nlp()


prose_pieces = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["“", "”", '"', "‘", "’", " said ", " told reporters", "he said.", "Mr. Lee", "Dana Whitfield",
                     ", a spokesman for the Port Authority,", "\n\n", "U.S.", "the", "'s", " according to ",
                     "NATO", "Beijing", "…", "—", "\u200b", "\ud800"[:0]]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(prose_pieces, max_size=80).map("".join))
def test_quotes_and_entities_never_raise_and_offsets_fit(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    document = extract_text_page(text)
    (analysis,) = analyze_documents([document], nlp)
    assert analysis.error is None, analysis.error
    body = analysis.document.text
    for quote in analysis.quotes:
        assert 0 <= quote.start <= quote.end <= len(body)
        assert_valid_text(quote.text)
        assert_valid_text(quote.speaker)
    for entity in analysis.entities:
        assert 0 <= entity.first_start <= entity.first_end <= len(body)
        assert entity.mention_count >= 1
        assert_valid_text(entity.name)
