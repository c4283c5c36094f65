"""Text rules shared by entities, quotes and speakers: names compared the same way, role words, abbreviations.

One owner for each rule: entity cleaning, quote attribution and speaker resolution all read names and titles
through these, so "U.S." is one place and "Sen." is not the end of a sentence wherever it is read.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache
from typing import Iterable

HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "sir", "dame", "lord", "lady", "madam"})
# Abbreviated ranks and titles (lowercase, without the dot).
TITLE_ABBREVIATIONS = frozenset(
    {
        "lt", "gen", "col", "maj", "capt", "cpt", "sgt", "cpl", "pvt", "adm", "cmdr", "cdr", "brig", "lieut",
        "sen", "rep", "gov", "lt gov", "pres", "amb", "atty", "dr", "prof", "rev", "fr", "supt", "insp", "det",
        "gov", "sec", "secy", "hon", "judge", "st",
    }
)
# Nouns that name a position a person holds.
ROLE_NOUNS = frozenset(
    """
    president president-elect vice-president minister premier chancellor secretary spokesman spokeswoman spokesperson
    spokespeople adviser advisor director dean researcher professor analyst chairman chairwoman chair chairperson
    chief leader governor senator congressman congresswoman representative lawmaker legislator mayor ambassador
    envoy general commander officer official ceo cfo coo cto founder co-founder cofounder editor reporter
    correspondent journalist columnist head lawyer attorney judge justice candidate nominee manager economist
    strategist fellow member deputy diplomat king queen prince princess pope bishop archbishop emperor executive
    colonel lieutenant sergeant major captain admiral marshal commissioner coordinator scientist expert author
    historian partner owner speaker whip administrator superintendent sheriff prosecutor inspector investigator
    engineer planner clerk councilor councillor alderman alderwoman trustee supervisor librarian
    consultant specialist activist organizer organiser coach player actor actress singer writer producer treasurer
    surgeon doctor physician pastor rabbi imam cleric teacher student lecturer scholar economist pollster
    negotiator regulator auditor attaché attache counsel counselor counsellor aide staffer principal
    vice-chairman governor-general secretary-general director-general undersecretary under-secretary
    """.split()
)
# Possessive and article openers trimmed off a role ("his principal deputy ..." -> "principal deputy ...").
ROLE_OPENERS = frozenset({"his", "her", "their", "its", "our", "my", "your"})
# Common aliases folded into one canonical name (keys: lowercase, dots and "the" removed).
ALIASES = {
    "us": "United States", "usa": "United States", "u s": "United States", "u s a": "United States",
    "united states": "United States", "united states of america": "United States", "america": "United States",
    "uk": "United Kingdom", "u k": "United Kingdom", "britain": "United Kingdom", "great britain": "United Kingdom",
    "united kingdom": "United Kingdom",
    "uae": "United Arab Emirates", "u a e": "United Arab Emirates",
    "ussr": "Soviet Union", "prc": "China", "people's republic of china": "China", "dprk": "North Korea",
    "dc": "Washington", "d c": "Washington", "washington dc": "Washington", "washington d c": "Washington",
    "un": "United Nations", "u n": "United Nations", "united nations": "United Nations",
    "eu": "European Union", "e u": "European Union", "european union": "European Union",
}

SPACE_RE = re.compile(r"\s+")


class Intervals:
    """Non-overlapping [start, end) ranges with O(log n) membership: keeps the rules linear on huge texts."""

    def __init__(self, ranges: Iterable[tuple[int, int]]):
        ordered = sorted(ranges)
        self.starts = [a for a, _ in ordered]
        self.ends = [b for _, b in ordered]

    def contains(self, pos: int) -> bool:
        i = bisect.bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """Key for comparing names: NFKC, lowercase, straight apostrophes, no dots, single spaces."""
    name = unicodedata.normalize("NFKC", name).replace("\u2019", "'").lower()
    name = name.replace(".", " ").replace("\u2010", "-")
    return SPACE_RE.sub(" ", name).strip()


def alias_key(name: str) -> str:
    """Key into ALIASES: the normalised name without a leading 'the' or commas."""
    key = normalise_name(name)
    if key.startswith("the "):
        key = key[4:]
    return key.replace(",", "").strip()


def canonical_place_or_org(name: str) -> str:
    return ALIASES.get(alias_key(name), name)


def is_role_word(word: str) -> bool:
    low = word.lower().rstrip(".")
    return low in ROLE_NOUNS or low in TITLE_ABBREVIATIONS or low.rstrip("s") in ROLE_NOUNS


def bare_word(word: str) -> str:
    return word.lower().rstrip(".").replace("\u2019", "'")


# abbreviations that stand before a number ('the No. 2 in the GOP leadership', 'Vol. 3', 'Art. 5')
NUMBER_ABBREVIATIONS = frozenset("no nos vol art fig pp ch sec".split())
_NUMBER_AFTER_RE = re.compile(r"\s+\d")


def is_abbreviation_dot(text: str, dot: int) -> bool:
    """The dot at `dot` ends 'U.S.', 'Lt.', an initial or 'No.' before a number, not a sentence."""
    match = re.search(r"([\w.]+)$", text[max(0, dot - 12) : dot])
    if not match:
        return False
    word = match.group(1)
    if word.lower() in NUMBER_ABBREVIATIONS:
        return _NUMBER_AFTER_RE.match(text, dot + 1) is not None
    return "." in word or len(word) == 1 or word.lower() in TITLE_ABBREVIATIONS or word.lower() in HONORIFICS


def is_singular_role_word(word: str) -> bool:
    low = word.lower().rstrip(".")
    return low in ROLE_NOUNS or low in TITLE_ABBREVIATIONS



# Countries pycountry does not know by the name news uses (its names are the ISO ones: "Russian Federation",
# "Türkiye"), and the home nations, which field their own teams.
COUNTRY_NAMES_EXTRA = frozenset(
    {
        "russia", "turkey", "britain", "great britain", "england", "scotland", "wales", "northern ireland",
        "macedonia", "yugoslavia", "holland", "ivory coast", "soviet union", "czechoslovakia", "burma",
        "swaziland", "cape verde", "east timor",
    }
)


@lru_cache(maxsize=8192)
def is_country_name(name: str) -> bool:
    """A country as news names it ('Russia', 'South Korea', 'Iran'): national teams are their country, while
    a club named after a city is an organisation."""
    import pycountry  # maintained ISO 3166 names; imported lazily (a few ms) since most texts never ask

    key = alias_key(name)
    if not key or key in COUNTRY_NAMES_EXTRA or ALIASES.get(key) in ("United States", "United Kingdom"):
        return True
    try:
        country = pycountry.countries.lookup(key)
    except LookupError:
        country = None
    if country is not None:
        return True
    for record in pycountry.historic_countries:
        if normalise_name(record.name) == key:
            return True
    return _short_country_names().get(key, False)


@lru_cache(maxsize=1)
def _short_country_names() -> dict[str, bool]:
    """'Korea, Republic of' -> also 'korea'; 'Korea, Democratic People's Republic of' -> also 'north korea'."""
    import pycountry

    out: dict[str, bool] = {}
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")):
            if name:
                out[normalise_name(name.split(",")[0])] = True
    out["south korea"] = out["north korea"] = True
    return out


# Language names news uses that ISO 639 spells otherwise ('Mandarin Chinese', 'Iranian Persian').
LANGUAGE_NAMES_EXTRA = frozenset({"farsi", "cantonese", "mandarin", "creole", "gaelic", "swahili", "flemish", "sign"})


@lru_cache(maxsize=4096)
def is_language_name(name: str) -> bool:
    """A language as news names it ('French', 'Arabic', 'Mandarin'): an ISO 639 name or a word of one."""
    import pycountry  # maintained ISO 639 names; imported lazily as in is_country_name

    key = normalise_name(name)
    if not key or key in LANGUAGE_NAMES_EXTRA:
        return True
    try:
        pycountry.languages.lookup(key)
        return True
    except LookupError:
        return key in _language_words()


@lru_cache(maxsize=1)
def _language_words() -> frozenset[str]:
    """First words of ISO 639 names: 'Swahili (macrolanguage)' -> 'swahili', 'Tunisian Arabic' -> 'tunisian'."""
    import pycountry

    return frozenset(normalise_name(language.name.split()[0].strip("(),")) for language in pycountry.languages)
