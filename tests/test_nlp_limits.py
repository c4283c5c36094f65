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


def _windows_read(monkeypatch) -> list[list[str]]:
    """The window texts of every NER batch, in order (recorded around `_ner_group`)."""
    groups: list[list[str]] = []
    real_group = tasks.nlp._ner_group

    def recording(windows, components):
        groups.append([window.text for window in windows])
        return real_group(windows, components)

    monkeypatch.setattr(tasks.nlp, "_ner_group", recording)
    return groups


def test_ner_batches_are_bounded_in_characters(nlp, monkeypatch):
    groups = _windows_read(monkeypatch)
    texts = ["Ines Duarte said so. " * 1_200] * 5 + [PARAGRAPH] * 20  # five of ~25k characters, twenty short
    docs = list(tasks.nlp.pipe_texts(texts, nlp))
    assert [doc.text for doc in docs] == texts
    assert len(groups) > 5 and all(sum(map(len, group)) <= tasks.nlp.PIPE_BATCH_CHARS for group in groups)
    assert all(any(window in text for text in texts) for group in groups for window in group)


def test_the_ner_reads_only_windows_around_names_and_offsets_index_the_whole_text(nlp, monkeypatch):
    groups = _windows_read(monkeypatch)
    filler = "\n\n".join(["The council met again on the harbour plans and adjourned without a vote."] * 40)
    text = f"{filler}\n\n{PARAGRAPH}\n\n{filler}\n\nThe minister, Marco Pereira, said the port would reopen."
    (doc,) = tasks.nlp.pipe_texts([text], nlp)
    assert doc.text == text
    assert sum(len(window) for group in groups for window in group) < len(text) // 10  # the filler is not read
    people = {(e.start_char, e.text) for e in doc.ents if e.label_ == "PERSON"}
    assert (text.index("Ines Duarte"), "Ines Duarte") in people
    assert (text.index("Marco Pereira"), "Marco Pereira") in people


def test_a_long_name_dense_text_is_cut_after_line_breaks_and_finds_what_it_finds_whole(nlp, monkeypatch):
    text = "\n\n".join(f"Harbour master Ines Duarte met Marco Pereira in Port Calder on day {i}." for i in range(60))
    whole = next(tasks.nlp.pipe_texts([text], nlp, batch_chars=len(text)))
    groups = _windows_read(monkeypatch)
    (pieced,) = tasks.nlp.pipe_texts([text], nlp, batch_chars=1_000)
    windows = [window for group in groups for window in group]
    assert len(windows) > 3 and all(len(window) <= 1_000 for window in windows)
    assert all(window.endswith("\n\n") for window in windows[:-1])
    assert pieced.text == text
    assert {(e.start_char, e.end_char, e.label_) for e in pieced.ents} == {
        (e.start_char, e.end_char, e.label_) for e in whole.ents
    }


def test_name_windows_hold_every_name_token_with_its_context(nlp):
    text = "the ferry left late. The harbour master, Ines Duarte, said the tide was low and nothing else was wrong " * 3
    doc = nlp.make_doc(text)
    arrays = tasks.nlp._Reading(text, doc).arrays
    names = tasks.nlp.name_tokens(arrays)
    assert {doc[i].text for i in range(len(doc)) if names[i]} == {"Ines", "Duarte"}  # not the sentence's 'The'
    windows = tasks.nlp.name_windows(arrays, 10_000)
    assert windows == sorted(windows) and all(end <= start for (_, end), (start, _) in zip(windows, windows[1:]))
    context = tasks.nlp.NER_CONTEXT_TOKENS
    for i in (i for i in range(len(doc)) if names[i]):
        assert any(start <= max(i - context, 0) and min(i + context + 1, len(doc)) <= end for start, end in windows)


def test_text_without_names_is_not_read_and_caseless_scripts_are_read_whole(nlp, monkeypatch):
    groups = _windows_read(monkeypatch)
    lower = "the ferry left late and nobody said anything about it."
    (doc,) = tasks.nlp.pipe_texts([lower], nlp)
    assert doc.text == lower and not doc.ents and groups == []
    caseless = "习近平在北京会见了普京。"
    arrays = tasks.nlp._Reading(caseless, nlp.make_doc(caseless)).arrays
    assert tasks.nlp.name_windows(arrays, 10_000) == [(0, len(arrays))]


def test_the_ner_runs_with_blas_on_one_thread(nlp):
    # a BLAS pool on cores the fetch and the other tasks share burnt ~50% more CPU (bench/results.md)
    from threadpoolctl import ThreadpoolController

    seen: list[int] = []

    class Probe:
        def pipe(self, docs, batch_size):
            seen.extend(pool["num_threads"] for pool in ThreadpoolController().info() if pool["user_api"] == "blas")
            return docs

    with ThreadpoolController().limit(limits=2, user_api="blas"):  # as on a machine with two cores or more
        tasks.nlp._ner_group([nlp.make_doc("Ines Duarte spoke.")], [Probe()])
    assert seen and set(seen) == {1}
