"""Named entities per article: spaCy NER spans cleaned up and folded into one entity per person/place/org.

spaCy's small English model finds the spans; the rules here fix what it gets wrong in news text (titles glued to
names, "the"/"'s" in spans, hyphenated given names cut short, a surname tagged as an ORG) and resolve mentions
within one article: "Blinken" joins "Antony Blinken", "U.S." and "America" join "United States".
Only the NER component runs (about twice the speed of the full pipeline); everything else is plain text rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tasks.models import ArticleEntity
from tasks.text_rules import (
    ALIASES,
    HONORIFICS,
    ROLE_OPENERS,
    SPACE_RE,
    TITLE_ABBREVIATIONS,
    Intervals,
    alias_key,
    bare_word,
    canonical_place_or_org,
    is_abbreviation_dot,
    is_role_word,
    is_singular_role_word,
    normalise_name,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Labels that are numbers or times, not things: not reported as entities.
SKIPPED_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
# WikiNER-trained pipelines (fr_core_news_*, and most non-English spaCy models) say PER where OntoNotes says
# PERSON: one label for people whatever the model, so views and speaker rules see them alike.
LABEL_ALIASES = {"PER": "PERSON"}
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Lowercase words that may stand inside a role before a name ("national security adviser Jake Sullivan").
ROLE_MODIFIERS = frozenset(
    """
    national security deputy principal senior junior foreign defense defence former vice acting top chief
    executive general state federal assistant associate interim managing press policy research military prime
    affairs economic political campaign communications special first second lead legal technical financial
    operating regional international domestic homeland intelligence trade finance justice health interior
    energy commerce labor labour education environment environmental public government party opposition
    majority minority house senate white republican democratic conservative liberal presidential
    vice-presidential gubernatorial congressional parliamentary mayoral
    """.split()
)
ROLE_LINKS = frozenset({"of", "for", "on", "at", "and", "to", "in", "&", "the", "de"})
# Capitalised words that open a sentence or clause and are never part of a title.
NOT_TITLE_WORDS = frozenset(
    """
    the a an and but or so yet in on at as after before when while if for with by from to of about meanwhile however
    also now then later earlier today yesterday still instead last next this that these those there here his her
    their its our my your we they he she it i said says told according asked former's than since until though
    although because during under over between among against without within like unlike including via per
    """.split()
)
# Words in a name that make it an organisation whatever spaCy labelled it.
ORG_KEYWORDS = frozenset(
    """
    university universiteit universität universitat université universite universidad università universita
    college institute institution school academy ministry department agency council committee commission party
    bank foundation association corporation company inc corp ltd llc plc group union organization organisation
    federation authority bureau office service services parliament congress senate court
    """.split()
)
# Aliases whose canonical name is an organisation, whatever spaCy labelled the alias.
ALIAS_LABEL = {"United Nations": "ORG", "European Union": "ORG"}

# ------------------------------------------------------------------------------------------------ mentions


@dataclass
class Mention:
    """One cleaned entity span in the text; `entity` indexes the article's entity list once resolved."""

    start: int
    end: int
    label: str
    text: str
    role: str | None = None
    entity: int = -1

    @property
    def tokens(self) -> list[str]:
        return self.text.split()


@dataclass
class EntityAnalysis:
    """Entities of one text and the mentions behind them (quotes use the mentions to find speakers)."""

    text: str
    entities: list[ArticleEntity]
    mentions: list[Mention]


def _strip_span(text: str, start: int, end: int, label: str) -> tuple[int, int]:
    """No surrounding spaces/punctuation, no leading "the", no trailing possessive."""
    while start < end and (text[start].isspace() or text[start] in "\"\u201c\u201d\u2018'(,[-\u2014\u2013"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "\"\u201c\u201d\u2018\u2019,)];:-\u2014"):
        end -= 1
    span = text[start:end]
    if re.match(r"(?i)the\s", span) and end - start > 4:
        start += 4
        while start < end and text[start].isspace():
            start += 1
    for suffix in ("'s", "\u2019s"):
        if text[start:end].endswith(suffix) and end - start > 2:
            end -= 2
    if text[start:end].endswith(("s'", "s\u2019")) and label != "PERSON":
        end -= 1
    dash = re.search(r"\s[-\u2013\u2014]\s+(?=[a-z])", text[start:end])
    if dash:
        end = start + dash.start()
    # A newline inside an entity is a layout accident: keep the first line.
    newline = text.find("\n", start, end)
    if newline > start:
        end = newline
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


def _extend_hyphenated(text: str, end: int) -> int:
    """'Yoon Suk' + '-yeol': spaCy splits at a hyphen; a name continues through it."""
    match = re.match(r"-[^\W\d_][\w]*", text[end : end + 40])
    return end + match.end() if match else end


def _strip_person_title(text: str, start: int, end: int) -> tuple[int, int, str | None]:
    """Move leading titles out of a PERSON span: 'Secretary of State Antony Blinken' -> name + role."""
    span = text[start:end]
    words = list(re.finditer(r"\S+", span))
    cut = 0
    i = 0
    while i < len(words) - 1:
        word = words[i].group()
        bare = bare_word(word)
        if bare in HONORIFICS or is_role_word(word) or (bare in ROLE_MODIFIERS and i + 1 < len(words) - 1):
            cut = i + 1
            i += 1
            continue
        if bare in ROLE_LINKS and cut == i and i + 1 < len(words) - 1:
            i += 1  # "Secretary of State": the link word is taken with the word after it
            continue
        if cut == i and i + 1 < len(words) - 1 and word[:1].isupper() and is_role_word(words[i + 1].group()):
            i += 1  # "Prime Minister": a capitalised word followed by a role word
            continue
        break
    if cut == 0:
        return start, end, None
    role_text = span[: words[cut - 1].end()].strip()
    new_start = start + words[cut].start()
    role = role_text if any(is_role_word(w) for w in role_text.split()) else None
    if all(bare_word(w) in HONORIFICS for w in role_text.split()):
        role = None
    return new_start, end, role


def _relabel(name: str, label: str) -> str:
    words = [w.lower().strip(".,") for w in name.split()]
    if label != "ORG" and any(w in ORG_KEYWORDS for w in words) and len(words) > 1:
        return "ORG"
    canonical = ALIASES.get(alias_key(name))
    if canonical in ALIAS_LABEL:
        return ALIAS_LABEL[canonical]
    return label


def doc_mentions(doc: "Doc") -> list[Mention]:
    """Cleaned entity spans of a Doc (numbers and dates left out), in text order."""
    text = doc.text
    mentions: list[Mention] = []
    for ent in doc.ents:
        label = LABEL_ALIASES.get(ent.label_, ent.label_)
        if label in SKIPPED_LABELS:
            continue
        start, end = _strip_span(text, ent.start_char, ent.end_char, label)
        role = None
        if label == "PERSON":
            end = _extend_hyphenated(text, end)
            # 'Said Ellis', 'But Smith': a function word the model took into the name
            lead = re.match(r"(\w+)\s+(?=[A-Z])", text[start:end])
            if lead and lead.group(1).lower() in NOT_TITLE_WORDS:
                start += lead.end()
            start, end, role = _strip_person_title(text, start, end)
        # "China's Institute of War Studies": the owner is not part of the organisation's name.
        if label in ("ORG", "FAC"):
            match = re.search(r"[\u2019']s\s+(?=[A-Z])", text[start:end])
            if match and match.start() > 0:
                start = start + match.end()
        if end <= start or not any(ch.isalpha() for ch in text[start:end]):
            continue
        if re.fullmatch(r"[A-Za-z]\.?", text[start:end]):
            continue  # 'I.' or a lone initial is not a name
        name = SPACE_RE.sub(" ", text[start:end])
        if label == "PERSON" and not any(ch.isupper() for ch in name):
            continue
        mentions.append(Mention(start, end, _relabel(name, label), name, role))
    return _drop_title_fragments(text, _merge_city_state(text, mentions))


def _merge_city_state(text: str, mentions: list[Mention]) -> list[Mention]:
    """'Washington, D.C.' is one place named Washington: the state/district after a comma is not a mention."""
    out: list[Mention] = []
    for mention in mentions:
        if out and mention.label == "GPE" and out[-1].label == "GPE":
            between = text[out[-1].end : mention.start]
            if between.strip() == "," and alias_key(mention.text) in ("dc", "d c"):
                continue
        out.append(mention)
    return out


def _drop_title_fragments(text: str, mentions: list[Mention]) -> list[Mention]:
    """'Secretary of State', 'Defense Secretary': a one-word ORG inside a title is a title, not an organisation."""
    out = []
    for mention in mentions:
        if mention.label == "ORG" and len(mention.tokens) == 1:
            before = text[max(0, mention.start - 20) : mention.start]
            after = text[mention.end : mention.end + 20]
            if re.search(r"(?i)\b(secretary|minister|ministry|department|undersecretary)\s+of\s+$", before) or re.match(
                r"\s+(secretary|minister|undersecretary)\b", after, re.I
            ):
                continue
        out.append(mention)
    return out


# ------------------------------------------------------------------------------------------------- roles


def _words_before(text: str, pos: int, limit: int = 12) -> list[tuple[int, int, str]]:
    """Words (with offsets) right before pos on the same line, nearest first."""
    line_start = text.rfind("\n", 0, pos) + 1
    chunk = text[max(line_start, pos - 160) : pos]
    base = pos - len(chunk)
    words = [(base + m.start(), base + m.end(), m.group()) for m in re.finditer(r"[^\s,;:()\"\u201c\u201d]+|[,;:()\"\u201c\u201d]", chunk)]
    return list(reversed(words))[:limit]


def title_before(text: str, start: int, person_spans: Intervals | None = None) -> str | None:
    """The title written just before a name: 'New Zealand Prime Minister', 'White House national security adviser'."""
    taken: list[tuple[int, int, str]] = []
    words = _words_before(text, start)
    if words and words[0][1] != start and text[words[0][1] : start].strip():
        return None
    for i, (w_start, w_end, word) in enumerate(words):
        if taken and text[w_end : taken[-1][0]].count("\n"):
            break
        bare = bare_word(word)
        if person_spans and person_spans.contains(w_start):
            break
        if bare in NOT_TITLE_WORDS and bare not in ROLE_LINKS:
            break
        if word.endswith(".") and not is_abbreviation_dot(text, w_end - 1):
            break  # the previous sentence ended here
        if bare in ROLE_LINKS:
            # a link word only stands inside a title: "Secretary of State" (title words on both sides)
            nxt = words[i + 1][2] if i + 1 < len(words) else ""
            if taken and nxt[:1].isupper() and bare not in ("the", "and", "&"):
                taken.append((w_start, w_end, word))
                continue
            break
        if word[:1].isupper() or is_role_word(word) or bare in ROLE_MODIFIERS:
            if not word[:1].isupper() and not (is_role_word(word) or bare in ROLE_MODIFIERS):
                break
            taken.append((w_start, w_end, word))
            continue
        break
    # the title ends (reading backwards, begins) where a role word first appears: drop trailing names/links
    while taken and bare_word(taken[-1][2]) in ROLE_LINKS:
        taken.pop()
    if not taken or not any(is_singular_role_word(w) for _, _, w in taken):
        return None
    if all(bare_word(w) in HONORIFICS for _, _, w in taken):
        return None
    role = text[taken[-1][0] : taken[0][1]]
    return SPACE_RE.sub(" ", role).strip() or None


APPOSITIVE_END_RE = re.compile(r"[,;:()\u201c\u201d\"\u2014\n]|\.(?=\s|$)|\s\u2013\s")


def appositive_after(text: str, end: int) -> str | None:
    """'Lin Jian, a spokesman for the Chinese foreign ministry,' -> the phrase after the comma, if it is a role."""
    match = re.match(r"\s*,\s*", text[end : end + 4])
    if not match:
        return None
    start = end + match.end()
    limit = min(len(text), start + 200)
    stop = APPOSITIVE_END_RE.search(text, start, limit)
    phrase_end = stop.start() if stop else limit
    # a dot that ends an abbreviation ("U.S. Institute", "Lt. Gen.") is not the end of the phrase
    while stop and text[stop.start()] == "." and is_abbreviation_dot(text, stop.start()):
        stop = APPOSITIVE_END_RE.search(text, stop.start() + 1, limit)
        phrase_end = stop.start() if stop else limit
    phrase = SPACE_RE.sub(" ", text[start:phrase_end]).strip()
    return phrase if _looks_like_role(phrase) else None


def appositive_before(text: str, start: int) -> str | None:
    """'his principal deputy national security adviser, Kim Tae-hyo,' -> the role phrase before the name."""
    before = text[max(0, start - 160) : start]
    if not re.search(r",\s*$", before):
        return None
    head = before.rstrip()[:-1]
    cut = max(head.rfind(ch) for ch in ",;:\u201c\u201d\"\n(")
    segment = head[cut + 1 :].strip()
    words = segment.split()
    if not words or not is_singular_role_word(words[-1]):
        return None
    if words[-1].endswith(".") and words[-1].lower().rstrip(".") not in TITLE_ABBREVIATIONS:
        return None  # 'lawmakers.' ends the previous sentence
    if len(words) > 10 or bare_word(words[0]) in ("and", "or", "but", "said", "says"):
        return None
    while words and bare_word(words[0]) in ROLE_OPENERS | {"the", "a", "an"}:
        words = words[1:]
    # keep only the role itself: a verb-led clause before it ("told reporters that the ...") is not a role
    return " ".join(words) if words and all(_role_phrase_word(w) for w in words) else None


def _role_phrase_word(word: str) -> bool:
    bare = bare_word(word)
    return word[:1].isupper() or bare in ROLE_MODIFIERS or is_role_word(word) or bare in ROLE_LINKS



def _looks_like_role(phrase: str) -> bool:
    words = phrase.split()
    if not words or len(words) > 25:
        return False
    first = bare_word(words[0])
    if first in ("who", "which", "whose", "where", "said", "says", "and", "or", "but", "told", "according"):
        return False
    head = words[:6] if first in ("a", "an", "the", *ROLE_OPENERS) else words[:4]
    # one person holds a singular role: 'Trump, Republican lawmakers and ...' is a list, not a role
    return any(is_singular_role_word(w.strip(".,")) for w in head)



# ---------------------------------------------------------------------------------------------- resolution


GENERATIONAL_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def name_words(name: str) -> list[str]:
    """A person's name words without a trailing "Jr." / "Sr." / "III", so "Byrd" finds "Harry F. Byrd Sr."."""
    words = name.replace(",", " ").split()
    while len(words) > 1 and normalise_name(words[-1]) in GENERATIONAL_SUFFIXES:
        words.pop()
    return words


def _entity_key(mention: Mention) -> str:
    if mention.label == "PERSON":
        return "PERSON|" + normalise_name(mention.text)
    name = canonical_place_or_org(mention.text)
    group = "PLACE" if mention.label in PLACE_LABELS else mention.label
    if mention.label in ("ORG", "GPE", "LOC", "FAC"):
        group = "NAMED"  # spaCy flips between ORG and GPE for the same name ("Indo-Pacific"): fold them
    return f"{group}|{normalise_name(name)}"


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper() and w.lower() not in ROLE_LINKS)


CAPITALISED_WORD_RE = re.compile(r"(?<![\w-])[A-Z][^\W\d_]*(?![\w-])")
SPEECH_AFTER_RE = re.compile(r"\s+(said|says|told|asked|added|wrote|replied|noted|argued)\b")


def _missed_name_parts(text: str, mentions: list[Mention], name_parts: dict[str, list[int]]) -> list[Mention]:
    """Short names the model did not tag ('Cao asked'): a part of a full name, capitalised, outside any mention,
    and either inside a sentence or followed by a speech verb (a sentence-initial 'Young' may be an adjective)."""
    found: list[Mention] = []
    taken = Intervals((m.start, m.end) for m in mentions)
    parts = {p for p in name_parts if len(p) >= 3 and p not in NOT_TITLE_WORDS and p.isalpha()}
    if not parts:
        return found
    for match in CAPITALISED_WORD_RE.finditer(text):  # one pass over the text, whatever the number of names
        word = match.group()
        if word.lower() not in parts or (word.isupper() and len(word) > 3):
            continue
        if taken.contains(match.start()):
            continue
        before = text[max(0, match.start() - 3) : match.start()]
        sentence_initial = not before.strip() or before.rstrip()[-1:] in ".!?\u201c\u201d\"\n"
        if sentence_initial and not SPEECH_AFTER_RE.match(text, match.end()):
            continue
        found.append(Mention(match.start(), match.end(), "PERSON", word))
    return found


def _relabel_people_named_as_orgs(mentions: list[Mention]) -> None:
    """'Keith Lamont Scott' tagged ORG while 'Scott' is tagged PERSON elsewhere: the full name is the person;
    a one-word name tagged both PERSON and ORG goes with the majority (PERSON on a tie)."""
    single_person = {normalise_name(m.text) for m in mentions if m.label == "PERSON" and len(m.tokens) == 1}
    for mention in mentions:
        words = mention.tokens
        if mention.label in ("ORG", "FAC", "WORK_OF_ART", "PRODUCT") and 2 <= len(words) <= 4:
            plain = all(w[:1].isupper() and w.replace(".", "").replace("-", "").isalpha() for w in words)
            if plain and not any(w.lower() in ORG_KEYWORDS for w in words) and alias_key(mention.text) not in ALIASES:
                if normalise_name(words[-1]) in single_person:
                    mention.label = "PERSON"
    counts: dict[str, list[int]] = {}
    for mention in mentions:
        if len(mention.tokens) == 1 and mention.label in ("PERSON", "ORG"):
            pair = counts.setdefault(normalise_name(mention.text), [0, 0])
            pair[mention.label == "ORG"] += 1
    for mention in mentions:
        if len(mention.tokens) == 1 and mention.label == "ORG":
            persons, orgs = counts.get(normalise_name(mention.text), [0, 0])
            if persons and persons >= orgs:
                mention.label = "PERSON"


def resolve_mentions(text: str, mentions: list[Mention]) -> EntityAnalysis:
    """Fold mentions into entities: short person names join the full name, aliases join one place/org."""
    persons_full: dict[str, int] = {}
    groups: list[list[Mention]] = []
    key_to_group: dict[str, int] = {}

    def add(mention: Mention, key: str) -> None:
        if key not in key_to_group:
            key_to_group[key] = len(groups)
            groups.append([])
        index = key_to_group[key]
        groups[index].append(mention)
        mention.entity = index

    _relabel_people_named_as_orgs(mentions)
    # full person names first so that a surname mentioned before the full name still finds it; longest first,
    # so a shorter multi-word form that ends a longer one ("De Blasio" in "Bill de Blasio") joins it
    full_people = sorted(
        (m for m in mentions if m.label == "PERSON" and len(m.tokens) > 1), key=lambda m: (-len(m.tokens), m.start)
    )
    for mention in full_people:
        key = _entity_key(mention)
        if key not in key_to_group:
            words = normalise_name(mention.text).split()
            longer = next(
                (other for other in persons_full
                 if len(other.split()) > len(words) and other.split("|", 1)[1].split()[-len(words):] == words),
                None,
            )
            if longer is not None:
                key_to_group[key] = persons_full[longer]
        add(mention, key)
        persons_full.setdefault(key, key_to_group[key])
    name_parts: dict[str, list[int]] = {}
    for key, index in persons_full.items():
        words = name_words(groups[index][0].text)
        for position, word in enumerate(words):
            part = normalise_name(word)
            if part and (position in (0, len(words) - 1)) and index not in name_parts.setdefault(part, []):
                name_parts[part].append(index)

    def person_for(word: str, at: int) -> int | None:
        candidates = name_parts.get(normalise_name(word), [])
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        # ambiguous ("Kim"): the most recently mentioned before this point, else the first
        best, best_pos = candidates[0], -1
        for index in candidates:
            positions = [m.start for m in groups[index] if m.start < at]
            if positions and max(positions) > best_pos:
                best, best_pos = index, max(positions)
        return best

    mentions = sorted(mentions + _missed_name_parts(text, mentions, name_parts), key=lambda m: m.start)
    for mention in mentions:
        if mention.entity >= 0:
            continue
        if len(mention.tokens) == 1 and mention.label in ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"):
            index = person_for(mention.text, mention.start)
            if index is not None:
                follows_speech = re.match(r"\s+(said|says|told|asked|added|wrote|replied)\b", text[mention.end : mention.end + 12])
                surname = normalise_name(name_words(groups[index][0].text)[-1]) == normalise_name(mention.text)
                known_place = alias_key(mention.text) in ALIASES
                if mention.label in ("PERSON", "ORG") or follows_speech or (surname and not known_place):
                    mention.label = "PERSON"
                    groups[index].append(mention)
                    mention.entity = index
                    continue
        add(mention, _entity_key(mention))

    # acronyms of an organisation named in full elsewhere ("IOP" for "Institute of Politics")
    by_initials = {}
    for index, group in enumerate(groups):
        first = group[0]
        if first.label == "ORG" and len(first.tokens) > 1:
            by_initials.setdefault(_initials(canonical_place_or_org(first.text)), index)
    for index, group in enumerate(groups):
        first = group[0]
        if first.label == "ORG" and len(first.tokens) == 1 and first.text.isupper() and first.text in by_initials:
            target = by_initials[first.text]
            if target != index:
                for mention in group:
                    mention.entity = target
                groups[target].extend(group)
                groups[index] = []

    person_spans = Intervals((m.start, m.end) for m in mentions if m.label == "PERSON")
    roles: dict[int, list[str]] = {}
    for mention in mentions:
        if mention.label != "PERSON":
            continue
        found = [mention.role, title_before(text, mention.start, person_spans), appositive_before(text, mention.start)]
        found.append(appositive_after(text, mention.end))
        for role in found:
            if role and role not in roles.setdefault(mention.entity, []):
                roles[mention.entity].append(role)

    entities: list[ArticleEntity] = []
    old_to_new: dict[int, int] = {}
    for index, group in enumerate(groups):
        if not group:
            continue
        group.sort(key=lambda m: m.start)
        labels = [m.label for m in group]
        if "PERSON" in labels and labels.count("PERSON") >= len(labels) / 2:
            label = "PERSON"
        else:
            label = max(sorted(set(labels)), key=lambda lab: (labels.count(lab), lab == "GPE"))  # sorted: ties break the same way in every process
        if label == "PERSON":
            name = max((m.text for m in group), key=lambda t: (len(t.split()), len(t)))
        else:
            name = canonical_place_or_org(max((m.text for m in group), key=lambda t: (labels.count(label), len(t))))
            canonical = [canonical_place_or_org(m.text) for m in group]
            name = max(sorted(set(canonical)), key=lambda n: (canonical.count(n), n in ALIASES.values(), len(n)))
        surfaces: list[str] = []
        for m in group:
            if m.text not in surfaces:
                surfaces.append(m.text)
        role_list = roles.get(index, [])
        old_to_new[index] = len(entities)
        entities.append(
            ArticleEntity(
                name=name,
                label=label,
                mention_count=len(group),
                first_start=group[0].start,
                first_end=group[0].end,
                surfaces=tuple(surfaces),
                role="; ".join(role_list) if role_list else None,
            )
        )
    for mention in mentions:
        mention.entity = old_to_new.get(mention.entity, -1)
        if mention.entity >= 0:
            mention.label = entities[mention.entity].label
    return EntityAnalysis(text=text, entities=entities, mentions=mentions)


def analyze_doc(doc: "Doc") -> EntityAnalysis:
    """Entities of one parsed text. A rule that fails raises: the analysis step records it on the article."""
    return resolve_mentions(doc.text, doc_mentions(doc))
