"""Speaker resolution: which of the article's entities a speaker mention stands for.

Quote attribution (tasks/quotes.py) finds the mention next to a quote ("Blinken", "he", "America's top
diplomat"); this resolves it against the article's entities: a surname to the full name, a pronoun to the person
last named, a role phrase to the person holding that role.
"""

from __future__ import annotations

import re

from tasks.models import ArticleEntity
from tasks.text_rules import (
    ROLE_NOUNS,
    ROLE_OPENERS,
    SPACE_RE,
    bare_word,
    canonical_place_or_org,
    is_role_word,
    normalise_name,
)

PRONOUNS_PERSON = frozenset({"he", "she", "him", "her", "i"})
PRONOUNS_GROUP = frozenset({"they", "we", "it", "them", "us"})
# Role nouns that stand for a more specific title ("the top diplomat" is the secretary of state).
ROLE_SYNONYMS = {
    "diplomat": ("secretary of state", "foreign minister", "foreign secretary", "ambassador", "envoy", "diplomat"),
    "spokesman": ("spokesman", "spokeswoman", "spokesperson"),
    "spokeswoman": ("spokesman", "spokeswoman", "spokesperson"),
    "spokesperson": ("spokesman", "spokeswoman", "spokesperson"),
    "general": ("gen.", "general"),
    "colonel": ("col.", "colonel"),
    "senator": ("sen.", "senator"),
    "governor": ("gov.", "governor"),
    "leader": ("leader", "president", "prime minister", "chancellor", "premier"),
    "premier": ("premier", "prime minister"),
    "chief": ("chief", "head", "director"),
}


INDEFINITE_RE = re.compile(r"(?:a|an|one|another|some|several|many|two|three|other)\s")
ORG_LIKE_LABELS = frozenset({"ORG", "GPE", "NORP"})
# Head nouns of a phrase that stands for an organisation ("an industry group", "the company").
GROUP_NOUNS = frozenset(
    "group organization organisation company firm agency coalition association union nonprofit charity "
    "committee newspaper network".split()
)
# Nouns after a person's name that make the name a modifier: 'the Sanders campaign' is not Sanders.
NAME_AS_MODIFIER_RE = re.compile(
    r"\s+(?:campaign|administration|camp|team|ad|ads|aides?|allies|ally|supporters?|backers?|officials?|staff|"
    r"staffers?|surrogates?|adviser|advisers|advisor|advisors|confidant|veteran|loyalists?|voters?|delegates?|"
    r"endorsers?|fundraisers?|constituents?|doppelgangers?|look-?alikes?)\b",
    re.I,
)


def _person_named_in(phrase: str, persons: list[ArticleEntity]) -> ArticleEntity | None:
    """The person a longer speaker phrase names, the last one in it; a name after 'for'/'of'/'at' is the
    employer ('a spokeswoman for Trump'), not the speaker."""
    best: tuple[int, ArticleEntity] | None = None
    for entity in persons:
        forms = {normalise_name(entity.name)} | {normalise_name(s) for s in entity.surfaces}
        for form in forms:
            if not form:
                continue
            for match in re.finditer(r"(?<![\w'])" + re.escape(form) + r"(?![\w'])", phrase):
                if re.search(r"\b(?:for|of|at|to|with|by|from)\s+$", phrase[: match.start()]):
                    continue
                if re.match(r"'s?\b", phrase[match.end() :]) or NAME_AS_MODIFIER_RE.match(phrase, match.end()):
                    continue  # a possessor ("trump's spokeswoman") or a modifier ("the sanders campaign")
                noun = re.match(r"\s+([a-z][a-z-]+)", phrase[match.end() :])
                if noun and is_role_word(noun.group(1)):
                    continue  # a modifier of a role ("one clinton spokesman"): the role speaks
                if best is None or match.start() > best[0]:
                    best = (match.start(), entity)
    return best[1] if best else None


# Modifiers any holder of a role may carry: they do not narrow 'America's top diplomat' to another role.
GENERIC_ROLE_MODIFIERS = frozenset("top chief senior former current new longtime then acting outgoing".split())
ROLE_PHRASE_END = frozenset("for from at to with in of on".split())


def _person_role_matches(role_phrase: str, role: str) -> bool:
    """The role phrase names the role a person holds: its head noun (before any 'of'/'from' ...) is in the role,
    or a synonym is ('the top diplomat' for a secretary of state) when nothing else qualifies the head: 'the
    Senate minority leader' is not a president, though a president is a leader."""
    words = [bare_word(w) for w in role_phrase.split() if bare_word(w) not in ("the", "a", "an", *ROLE_OPENERS)]
    for k, word in enumerate(words):
        if word in ROLE_PHRASE_END and k > 0:
            words = words[:k]
            break
    nouns = [w for w in words if w in ROLE_NOUNS or w.rstrip("s") in ROLE_NOUNS]
    if not nouns:
        return False
    head = nouns[-1]
    role_low = " " + normalise_name(role).replace(";", " ") + " "  # (a person's roles are joined with "; ")
    same = [o for o in ROLE_SYNONYMS.get(head, (head,)) if o == head or head.startswith(o.rstrip("."))]
    if any(" " + normalise_name(option) + " " in role_low for option in same or (head,)):
        return True
    modifiers = [w for w in words[: words.index(head)] if w not in GENERIC_ROLE_MODIFIERS and not w.endswith("'s")]
    if any(" " + normalise_name(w) + " " not in role_low for w in modifiers):
        return False
    return any(" " + normalise_name(option) + " " in role_low for option in ROLE_SYNONYMS.get(head, ()))


def resolve_speaker(
    speaker_text: str | None,
    entities: list[ArticleEntity],
    position: int = 0,
    recent_person: int | None = None,
    mention_entity: int | None = None,
) -> tuple[str | None, str | None]:
    """(name, label) of the article entity a speaker mention stands for, or (None, None).

    `mention_entity` is the entity index when the speaker text is itself a resolved mention; `recent_person` the
    index of the person a pronoun most likely refers to (the caller knows the text order). Role phrases
    ("America's top diplomat") match the roles the article gives its people.
    """
    if mention_entity is not None and 0 <= mention_entity < len(entities):
        entity = entities[mention_entity]
        return entity.name, entity.label
    if not speaker_text:
        return None, None
    phrase = SPACE_RE.sub(" ", speaker_text).strip(" ,.;:")
    low = normalise_name(phrase)
    if phrase.isupper() and len(phrase) > 1:
        low = "\0" + low  # "US" is a country, not the pronoun
    if low in PRONOUNS_PERSON:
        if recent_person is not None and 0 <= recent_person < len(entities):
            return entities[recent_person].name, entities[recent_person].label
        return None, None
    if low in PRONOUNS_GROUP:
        return None, None
    # the phrase names an entity (full name, surname, alias)
    low = low.lstrip("\0")
    alias = normalise_name(canonical_place_or_org(phrase))
    for entity in entities:
        if low == normalise_name(entity.name) or alias == normalise_name(entity.name):
            return entity.name, entity.label
        if any(low == normalise_name(surface) for surface in entity.surfaces):
            return entity.name, entity.label
    persons = [e for e in entities if e.label == "PERSON"]
    for entity in persons:
        parts = normalise_name(entity.name).split()
        if low in parts[:1] + parts[-1:]:
            return entity.name, entity.label
    # a name inside a longer phrase ("Kim Tae-hyo, his deputy", "a spokeswoman for Trump Hotels, Jennifer Smith")
    inside = _person_named_in(low, persons)
    if inside is not None:
        return inside.name, inside.label
    # an organisation named without its article or in part: "the Secret Service", "the Post"
    bare = re.sub(r"^(?:the|a|an)\s+", "", low)
    orgs = [e for e in entities if e.label in ORG_LIKE_LABELS]
    for entity in orgs:
        names = [normalise_name(entity.name)] + [normalise_name(s) for s in entity.surfaces]
        if any(bare == n or (n.endswith(" " + bare) and bare[:1].isalpha() and phrase.split()[-1][:1].isupper()) for n in names):
            return entity.name, entity.label
    # "the agency", "the board": the organisation whose name ends on that noun, nearest before the quote
    head = bare.split()[-1] if bare else ""
    if re.match(r"(?:the|a|an) ", low) and len(bare.split()) <= 3:
        named = [e for e in orgs if e.label == "ORG" and normalise_name(e.name).split()[-1] == head]
        fallback = named
        if not named and head in GROUP_NOUNS:
            named = [e for e in orgs if e.label == "ORG"]  # 'an industry group': the organisation just named
        if named and (before := [e for e in named if e.first_start <= position] or fallback):
            best = max(before, key=lambda e: e.first_start)
            return best.name, best.label
    # a role phrase: the person holding that role, nearest mention first; not an indefinite one ('one Clinton
    # aide', 'a Democratic strategist'), which brings in someone the article does not name
    if INDEFINITE_RE.match(low):
        return None, None
    holders = [e for e in persons if e.role and _person_role_matches(phrase, e.role)]
    if holders:
        before = [e for e in holders if e.first_start <= position]
        if not before:
            return None, None
        best = max(before, key=lambda e: e.first_start)
        return best.name, best.label
    return None, None
