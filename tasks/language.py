"""The language of an article: read from its extracted text (py3langid), with the page's declaration as a hint.

Pages declare their language wrongly or not at all about one time in ten (a site-wide `lang="en"` on a German
article, `DE, AT, CH` as a list of countries), so the text decides; the declaration only wins when the text is too
short or too mixed for the detector to be sure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# ISO 639-2 codes (bibliographic and terminologic) that pages use in place of ISO 639-1.
THREE_LETTER_CODES = {
    "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it", "por": "pt",
    "nld": "nl", "dut": "nl", "pol": "pl", "rus": "ru", "swe": "sv", "dan": "da", "nor": "no", "nob": "nb",
    "fin": "fi", "ces": "cs", "cze": "cs", "slk": "sk", "slo": "sk", "hun": "hu", "ron": "ro", "rum": "ro",
    "ell": "el", "gre": "el", "tur": "tr", "ukr": "uk", "jpn": "ja", "zho": "zh", "chi": "zh", "kor": "ko",
    "ara": "ar", "heb": "he", "cat": "ca", "hrv": "hr", "srp": "sr", "slv": "sl", "bul": "bg", "lit": "lt",
    "lav": "lv", "est": "et", "isl": "is", "ice": "is", "gle": "ga", "eus": "eu", "baq": "eu", "glg": "gl",
}
# Varieties the detector names by ISO 639-3 that newsdesk reports under their ISO 639-1 macrolanguage.
VARIETIES = {"wuu": "zh", "yue": "zh", "cmn": "zh", "nan": "zh", "hak": "zh", "arz": "ar", "ary": "ar", "srl": "sr"}
# English names of languages as some pages spell them out ("German", "english").
LANGUAGE_NAMES = {
    "english": "en", "german": "de", "deutsch": "de", "french": "fr", "français": "fr", "francais": "fr",
    "spanish": "es", "español": "es", "italian": "it", "italiano": "it", "portuguese": "pt", "dutch": "nl",
    "nederlands": "nl", "polish": "pl", "russian": "ru", "swedish": "sv", "danish": "da", "norwegian": "no",
    "finnish": "fi", "czech": "cs", "japanese": "ja", "chinese": "zh", "korean": "ko", "arabic": "ar",
}
# Deprecated ISO 639-1 codes still found in the wild.
OLD_CODES = {"iw": "he", "in": "id", "ji": "yi"}

NON_LETTERS_RE = re.compile(r"[\W\d_]+")
SAMPLE_WINDOW_CHARS = 1_000  # the detector reads three windows (start, middle, end) of this size
MIN_TEXT_CHARS = 120  # below this the text is too short to outvote a declaration
CONFIDENT = 0.90  # a detection this sure is taken over a disagreeing declaration
HINT_FLOOR = 0.10  # a declared language the detector gives at least this probability wins over its top pick


@dataclass(frozen=True)
class LanguageReading:
    """What an article's language is, and what the page said it was (both ISO 639-1, None when unknown)."""

    language: str | None
    declared: str | None
    confidence: float  # the detector's probability for `language` (0 when the declaration was taken unread)


def normalise_declared_language(value: object) -> str | None:
    """ISO 639-1 code of a declared language ('de-DE', 'de_AT', 'DE, AT, CH', 'lang=de', 'deu', 'German'), or None.

    The first recognisable entry of a list wins: pages list their main language first.
    """
    if not isinstance(value, str):
        return None
    for part in re.split(r"[,;\s]+", value.strip().lower()):
        part = part.split("=", 1)[-1].strip("\"'()[]{}.")
        if not part:
            continue
        if part in LANGUAGE_NAMES:
            return LANGUAGE_NAMES[part]
        base = re.split(r"[-_]", part, maxsplit=1)[0]
        if base in OLD_CODES:
            return OLD_CODES[base]
        if base in known_languages():
            return base
        if base in THREE_LETTER_CODES:
            return THREE_LETTER_CODES[base]
    return None


@lru_cache(maxsize=1)
def known_languages() -> frozenset[str]:
    """Codes a declaration may name: those the detector knows, and those of the tables above ('at', 'ch' are
    countries here, not Asturian or Chamorro)."""
    return frozenset(language_identifier().labels) | frozenset(THREE_LETTER_CODES.values())


@lru_cache(maxsize=1)
def language_identifier() -> "LanguageIdentifier":
    """py3langid's model with probabilities normalised, loaded once per process (it ships inside the wheel)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _sample(text: str) -> str:
    """Three windows spread over the text, so an English lead-in or a quoted passage does not decide a German
    article (and a long text costs no more than a short one); URLs and e-mail addresses left out."""
    size = SAMPLE_WINDOW_CHARS
    if len(text) > 3 * size:
        middle = len(text) // 2 - size // 2
        text = "\n".join((text[:size], text[middle : middle + size], text[-size:]))
    return re.sub(r"https?://\S+|\S+@\S+\.\w+", " ", text)


def _merged(ranking: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The detector's ranking with varieties folded into their ISO 639-1 language, best first."""
    merged: dict[str, float] = {}
    for code, p in ranking:
        code = VARIETIES.get(code, code)
        merged[code] = merged.get(code, 0.0) + p
    return sorted(merged.items(), key=lambda item: item[1], reverse=True)


def detect_language(text: str, declared: object = None) -> LanguageReading:
    """The language of `text`, the declared one (normalised) as a hint.

    The detector decides when the text is long enough and it is sure; a declared language it still finds
    plausible wins over a close call (a German page with an English interview stays German); a short text
    keeps its declaration.
    """
    hint = normalise_declared_language(declared)
    sample = _sample(text if isinstance(text, str) else "")
    letters = len(NON_LETTERS_RE.sub("", sample))
    if letters == 0:
        return LanguageReading(hint, hint, 0.0)
    if hint is not None and len(sample) > 3 * SAMPLE_WINDOW_CHARS // 2:
        # most pages declare their language rightly: when the middle of the text plainly agrees, that settles it
        # at a third of the cost of reading all three windows
        middle = len(text) // 2 - SAMPLE_WINDOW_CHARS // 2
        best, best_p = _merged(language_identifier().rank(text[middle : middle + SAMPLE_WINDOW_CHARS]))[0]
        if best == hint and best_p >= CONFIDENT:
            return LanguageReading(best, hint, best_p)
    ranking = _merged(language_identifier().rank(sample))
    best, best_p = ranking[0]
    if hint is None:
        return LanguageReading(best, None, best_p)
    if best == hint:
        return LanguageReading(best, hint, best_p)
    hint_p = next((p for code, p in ranking if code == hint), 0.0)
    if letters < MIN_TEXT_CHARS and best_p < CONFIDENT:
        return LanguageReading(hint, hint, hint_p)
    if best_p >= CONFIDENT or hint_p < HINT_FLOOR:
        return LanguageReading(best, hint, best_p)
    return LanguageReading(hint, hint, hint_p)
