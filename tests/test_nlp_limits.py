"""Bounds on the NLP pass: what it reads of a very long text (nlp_max_chars, recorded on the article) and the
vocabulary it leaves behind (a memory zone per batch), so a long run or a 200k-word page stays in bounds."""

from __future__ import annotations

import pytest

import tasks.nlp
from tasks.analyze import analyze_documents
from tasks.models import Analysis, ArticleRecord, Document
from tasks.nlp import DEFAULT_NLP_MAX_CHARS, analyze_texts, load_nlp, nlp_prefix
from tasks.settings import SettingsError, load_settings

PARAGRAPH = "“The port reopens on Monday,” harbour master Ines Duarte said in Port Calder."


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def test_a_short_text_is_read_whole():
    assert nlp_prefix(PARAGRAPH, 1_000) == (PARAGRAPH, None)


def test_a_long_text_is_cut_at_a_paragraph_break_and_says_so():
    text = "\n\n".join([PARAGRAPH] * 100)
    prefix, note = nlp_prefix(text, 1_000)
    assert len(prefix) <= 1_000 and text.startswith(prefix) and prefix.endswith(PARAGRAPH)
    assert note is not None and f"{len(prefix):,}" in note and f"{len(text):,}" in note


def test_one_long_paragraph_is_cut_at_a_sentence_end():
    text = " ".join(["Ines Duarte opened the port."] * 200)
    prefix, _ = nlp_prefix(text, 1_000)
    assert prefix.endswith("port.") and len(prefix) <= 1_000


def test_the_nlp_pass_never_reads_past_the_cap(nlp, monkeypatch):
    seen: list[int] = []
    real_pipe = tasks.nlp.pipe_texts

    def recording_pipe(texts, nlp, batch_size=8):
        seen.extend(len(text) for text in texts)
        return real_pipe(texts, nlp, batch_size)

    monkeypatch.setattr(tasks.nlp, "pipe_texts", recording_pipe)
    live_blog = "\n\n".join(f"Update {i}: {PARAGRAPH}" for i in range(20_000))  # ~1.8M characters
    (analysis,) = analyze_documents([Document(url="https://example.org/live", title="Live", text=live_blog)], nlp)
    assert seen and max(seen) <= DEFAULT_NLP_MAX_CHARS
    assert analysis.note and analysis.note.startswith("nlp_max_chars")
    assert analysis.error is None
    assert "Ines Duarte" in {entity.name for entity in analysis.entities}
    assert all(quote.end <= DEFAULT_NLP_MAX_CHARS for quote in analysis.quotes)
    assert analysis.document.text == live_blog  # the article keeps its whole text


def test_an_article_under_the_cap_has_no_note(nlp):
    (analysis,) = analyze_documents([Document(url="https://example.org/a", title="A", text=PARAGRAPH)], nlp)
    assert analysis.note is None and analysis.quotes


def test_the_pass_leaves_no_new_strings_in_the_shared_vocabulary(nlp):
    analyze_texts([PARAGRAPH], nlp)  # anything loaded once per process happens here
    before = len(nlp.vocab.strings)
    novel = " ".join(f"Zqx{i}vorth" for i in range(500))
    analyze_texts([f"Mayor {novel} said “no” today."], nlp)
    assert len(nlp.vocab.strings) == before


def test_the_setting_is_checked():
    assert load_settings().nlp_max_chars == DEFAULT_NLP_MAX_CHARS
    assert load_settings(nlp_max_chars=5_000).nlp_max_chars == 5_000
    with pytest.raises(SettingsError, match="nlp_max_chars"):
        load_settings(nlp_max_chars=10)


def test_the_note_is_loaded_on_the_article(tmp_path):
    from warehouse.db import connect
    from warehouse.load import load_batch

    document = Document(url="https://example.org/long", title="Long", text="Some text.")
    record = ArticleRecord(
        article_id="a" * 16, url="https://example.org/long", fetched_url="https://example.org/long", source="t",
        analysis=Analysis(document=document, note="nlp_max_chars: quotes and entities from the first 10 of 20"),
        fetched_at=None, warc_path=None, warc_offset=None, warc_length=None,
    )
    with connect(tmp_path / "t.duckdb") as con:
        load_batch(con, "run-1", [record], [])
        assert con.execute("SELECT analysis_note FROM articles").fetchall() == [
            ("nlp_max_chars: quotes and entities from the first 10 of 20",)
        ]


def test_pipe_batches_are_bounded_in_characters_as_well_as_texts(nlp, monkeypatch):
    groups: list[list[int]] = []
    real_pipe = nlp.pipe

    def recording(texts, **kwargs):
        groups.append([len(text) for text in texts])
        return real_pipe(texts, **kwargs)

    monkeypatch.setattr(nlp, "pipe", recording)
    texts = ["Ines Duarte said so. " * 1_200] * 5 + [PARAGRAPH] * 20  # five of ~25k characters, twenty short
    docs = list(tasks.nlp.pipe_texts(texts, nlp))
    assert [doc.text for doc in docs] == texts
    assert all(sum(group) <= tasks.nlp.PIPE_BATCH_CHARS for group in groups)  # the long ones went in pieces
    assert all(len(group) <= tasks.nlp.PIPE_BATCH_SIZE for group in groups)


def test_a_text_read_in_pieces_is_one_doc_with_offsets_into_the_whole_text(nlp):
    filler = "\n\n".join(["The council met again on the harbour plans and adjourned without a vote."] * 40)
    text = f"{filler}\n\n{PARAGRAPH}\n\n{filler}\n\nThe minister, Marco Pereira, said the port would reopen."
    whole = next(tasks.nlp.pipe_texts([text], nlp, batch_chars=len(text)))
    (pieced,) = tasks.nlp.pipe_texts([text], nlp, batch_chars=2_000)
    assert len(tasks.nlp.ner_pieces(text, 2_000)) > 2
    assert pieced.text == text
    spans = {(e.start_char, e.end_char, e.label_) for e in pieced.ents}
    assert spans == {(e.start_char, e.end_char, e.label_) for e in whole.ents}
    assert text.index("Ines Duarte") in {start for start, _, label in spans if label == "PERSON"}
    assert text.index("Marco Pereira") in {start for start, _, label in spans if label == "PERSON"}


def test_pieces_join_back_into_the_text_and_are_cut_after_paragraph_breaks():
    text = "\n\n".join(f"Paragraph {i} about the harbour and the ferries that run late." for i in range(200))
    pieces = tasks.nlp.ner_pieces(text, 1_000)
    assert "".join(pieces) == text
    assert all(len(piece) <= 1_000 for piece in pieces)
    assert all(piece.endswith("\n\n") for piece in pieces[:-1])
    one_paragraph = "word " * 1_000  # no break at all: cut after a space
    assert "".join(tasks.nlp.ner_pieces(one_paragraph, 1_000)) == one_paragraph
    assert tasks.nlp.ner_pieces("short", 1_000) == ["short"]
