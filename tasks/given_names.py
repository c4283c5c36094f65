"""Given names and the sex most of their bearers share, from gender-guesser's table (Jörg Michael's ~40,000 names
by country), read for US usage: the table ships inside the package, nothing is fetched."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from gender_guesser.detector import Detector

Sex = Literal["m", "f"]
# gender-guesser's verdicts: a name nearly all its bearers share a sex with ("Donald", "Hillary") is decisive; one
# most of them do ("Kelly", "Bernie") only leans
DECISIVE = {"male": "m", "female": "f"}
LEANING = {"mostly_male": "m", "mostly_female": "f"}


@lru_cache(maxsize=1)
def load_given_names() -> "Detector":
    """The table, read once a process (0.3 s), like the NER model."""
    from gender_guesser.detector import Detector

    return Detector(case_sensitive=False)


def given_name_sex(word: str) -> tuple[Sex | None, bool]:
    """(sex, decisive) of a given name as US usage has it, or as all countries together have it for a name the US
    column has no figure for ("Barack", "Melania"): ('f', True) for "Hillary", ('m', False) for "Bernie", (None,
    False) for a word that is no given name ("Trump") or one both sexes bear ("Pat")."""
    names = load_given_names()
    verdict = names.get_gender(word, "usa")
    if verdict in ("andy", "unknown"):
        verdict = names.get_gender(word)
    if verdict in DECISIVE:
        return DECISIVE[verdict], True  # type: ignore[return-value]
    return LEANING.get(verdict), False  # type: ignore[return-value]


def is_given_name(word: str) -> bool:
    """Whether the word is a given name in any country of the table ("Certainly", "Kentuckian" are not)."""
    return load_given_names().get_gender(word) != "unknown"


def is_decisive_given_name(word: str) -> bool:
    """A given name nearly all its bearers, taking all countries together, share a sex with ("Donald", "Rand")."""
    return load_given_names().get_gender(word) in DECISIVE
