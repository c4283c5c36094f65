"""Named entities per article: spaCy NER spans cleaned up and folded into one entity per person/place/org.

spaCy's small English model finds the spans; the rules here fix what it gets wrong in news text (titles glued to
names, "the"/"'s" in spans, hyphenated given names cut short, a surname tagged as an ORG) and resolve mentions
within one article: "Blinken" joins "Antony Blinken", "U.S." and "America" join "United States".
Only the NER component runs (about twice the speed of the full pipeline); everything else is plain text rules.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tasks.given_names import given_name_sex, is_decisive_given_name, is_given_name
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
    is_country_name,
    is_language_name,
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
    federation authority bureau office service services parliament congress senate court library hospital
    museum church clinic club
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
    ruled: bool = False  # the label comes from a context rule (dateline, results line, title...), not the model

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
    handle = re.search(r"\s@\w", text[start:end])  # 'Twitter @LucasNolan_': a handle is not part of a name
    if handle:
        end = start + handle.start()
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


# First words that make a name a place ('Port Calder', 'Fort Calder', 'Mount Desert'), never a person.
PLACE_FIRST_WORDS = frozenset("port fort mount mt lake cape point san santa saint st new north south east west".split())
# Last words of a place ('Gull Point', 'Tern Island') and of a street or building ('Cormorant Street').
PLACE_LAST_WORDS = frozenset(
    "point island islands bay lake river harbor harbour beach mountain mountains valley peninsula coast creek "
    "gulf sea ocean strait county".split()
)
STREET_LAST_WORDS = frozenset("street road lane avenue boulevard drive square bridge wharf pier highway".split())
# Last words of a named event ('Harbor Marathon', 'Hong Kong Open'): an event, not a place or an organisation.
EVENT_LAST_WORDS = frozenset(
    "marathon regatta championship championships cup open games olympics festival tournament prix classic "
    "derby triathlon series".split()
)


def _relabel(name: str, label: str) -> str:
    """Labels the shape of a name decides, whatever the model said."""
    words = [w.lower().strip(".,") for w in name.split()]
    if label != "ORG" and any(w in ORG_KEYWORDS for w in words) and len(words) > 1:
        return "ORG"
    if label == "PERSON" and len(words) == 1 and re.fullmatch(r"[A-Z]{2,}[a-z]\w*", name):
        return "ORG"  # 'CNNMoney', 'NBCNews': a brand written in capitals then lowercase, never a person
    if len(words) > 1 and label in ("ORG", "PERSON", "LAW", "WORK_OF_ART", "PRODUCT", "GPE", "LOC", "FAC"):
        if words[-1] in EVENT_LAST_WORDS and label != "PERSON":
            return "EVENT"
        if label in ("ORG", "PERSON") and words[-1] in PLACE_LAST_WORDS:
            return "LOC"
        if label in ("ORG", "PERSON", "LAW") and words[-1] in STREET_LAST_WORDS:
            return "FAC"
        if label == "PERSON" and words[0] in PLACE_FIRST_WORDS and all(w[:1].isupper() for w in name.split()):
            return "GPE"
    canonical = ALIASES.get(alias_key(name))
    if canonical in ALIAS_LABEL:
        return ALIAS_LABEL[canonical]
    return label


NUMBER_TOKEN_RE = re.compile(r"(?<!\S)[-+]?\d+(?:[.,:/-]\d+)*(?:st|nd|rd|th|s)?(?!\S)")
SCORE_RE = re.compile(r"^\d+(?:-\d+)+$")
SPAN_DASH_RE = re.compile(r"\s(?:-{1,2}|\u2013|\u2014)\s")
# Lowercase words that belong inside names ("Ludwig van Beethoven", "Gulf of Maine"), never cut off its end.
NAME_PARTICLES = frozenset("de da di del della der den van von la le du al bin ibn dos das y".split())


def _name_pieces(text: str, start: int, end: int, label: str) -> list[tuple[int, int]]:
    """One model span cut into the names in it: results rows ('Millwall 2 Burnley 1', 'Westbrook 31-24'),
    figures after a name ('Robert Pires 46th', 'BELGRADE 1996-08-31'), ' - ' joins ('Faroe Islands - Jan'),
    and a lowercase tail ('Sharqiyah province', 'Wharf Lane and') are not part of a name."""
    cuts: list[tuple[int, int]] = []
    span = text[start:end]
    numbers = list(NUMBER_TOKEN_RE.finditer(span))
    for number in numbers:
        token = number.group()
        after = span[number.end() :].lstrip()
        at_edge = number.start() == 0 or not after
        if (
            SCORE_RE.match(token.lstrip("+-"))
            or label in ("PERSON", "GPE", "LOC", "NORP")
            or after[:1].isupper()
            or (number.start() == 0 and label not in ("FAC", "PRODUCT", "LAW", "EVENT", "WORK_OF_ART"))
        ) and not (at_edge and label in ("FAC", "PRODUCT", "LAW", "EVENT") and not SCORE_RE.match(token)):
            cuts.append((start + number.start(), start + number.end()))
    if cuts and label not in ("FAC", "PRODUCT", "LAW", "EVENT", "WORK_OF_ART"):
        # a results row ('Millwall 2 Burnley 1'): its last figure is a score too, not part of a name
        for number in numbers:
            if not span[number.end() :].strip() and (start + number.start(), start + number.end()) not in cuts:
                cuts.append((start + number.start(), start + number.end()))
    for dash in SPAN_DASH_RE.finditer(span):
        cuts.append((start + dash.start(), start + dash.end()))
    pieces: list[tuple[int, int]] = []
    pos = start
    for cut_start, cut_end in sorted(cuts):
        if cut_start >= pos:
            pieces.append((pos, cut_start))
            pos = cut_end
    pieces.append((pos, end))
    out = []
    for piece_start, piece_end in pieces:
        piece_start, piece_end = _strip_span(text, piece_start, piece_end, label)
        words = list(re.finditer(r"\S+", text[piece_start:piece_end]))
        while len(words) > 1 and words[-1].group().isalpha() and words[-1].group().islower() and (
            words[-1].group() not in NAME_PARTICLES
        ):
            words.pop()
        if words:
            out.append((piece_start, piece_start + words[-1].end()))
    return out


def doc_mentions(doc: "Doc", text: str | None = None) -> list[Mention]:
    """Cleaned entity spans of a Doc (numbers and dates left out), in text order. `text` is doc.text, which
    spaCy rebuilds from the tokens on every access: callers that have it pass it."""
    text = doc.text if text is None else text
    mentions: list[Mention] = []
    for ent in doc.ents:
        label = LABEL_ALIASES.get(ent.label_, ent.label_)
        if label in SKIPPED_LABELS:
            continue
        start, end = _strip_span(text, ent.start_char, ent.end_char, label)
        for piece_start, piece_end in _name_pieces(text, start, end, label):
            mention = _clean_mention(text, piece_start, piece_end, label)
            if mention is not None:
                mentions.append(mention)
    mentions = _with_context_labels(text, mentions)
    mentions = _with_dateline_places(text, mentions)
    mentions = _with_results_table_teams(text, mentions)
    mentions = _with_listed_people(text, mentions)
    mentions = _people_in_context(text, mentions)
    mentions = _with_given_names_before_particles(text, mentions)
    mentions = _fix_fragments(text, mentions)
    return _drop_title_fragments(text, _merge_city_state(text, mentions))


# A dateline opening a line: 'LONDON 1996-08-30', 'LA CORUNA, Spain 1996-08-31', 'PORT CALDER — The council',
# 'BERLIN, Aug 30 (Reuters) -'. The place is in capitals, then an optional region, then a date, dash or bracket.
DATELINE_RE = re.compile(
    r"(?m)^[ \t]*(?P<place>[A-Z][A-Z.'\u2019-]+(?: [A-Z][A-Z.'\u2019-]+){0,3})"
    r"(?:, (?P<region>[A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){0,2}))?"
    r"(?= \d{4}-\d\d-\d\d| ?[\u2014\u2013]| -- | \((?:AP|Reuters|AFP|dpa)\)|,? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d)"
)


# A name in a results or standings line: capitalised words (or an all-capitals name) right before a score.
RESULT_NAME_RE = re.compile(
    r"(?<![\w.'-])((?:[A-Z][\w'\u2019.&-]*)(?: (?:[A-Z][\w'\u2019.&-]*|de|del|la|le|of|and|upon|on|am))*)"
    r"(?= \(?\d{1,3}\)?(?:\s|$))"
)
RESULT_FILLER_RE = re.compile(r"[\d.,:/()+\-\u2013]+|v|vs\.?|at|AT|pts|in|\(in|\d+\)")


def _with_results_table_teams(text: str, mentions: list[Mention]) -> list[Mention]:
    """Sports results and standings ('Millwall 2 Burnley 1', 'Doncaster 4 1 1 2 4 5 4'): a line that is only
    names and numbers lists teams. A club named after its town is an organisation; a country's team is its
    country; a name with an initial ('A. Smith 5') is a person. Linear in the text: one pass over its lines."""
    if not re.search(r"[A-Za-z] \d{1,3}(?:\s|$)", text):
        return mentions
    found: list[Mention] = []
    line_start = 0
    for line in text.split("\n"):
        names = list(RESULT_NAME_RE.finditer(line)) if len(line) < 400 else []
        if names:
            rest = RESULT_NAME_RE.sub(" ", line).split()
            if rest and all(RESULT_FILLER_RE.fullmatch(token) for token in rest):
                for match in names:
                    name = match.group(1).rstrip(".")
                    if len(name) < 2 or not re.search(r"[a-zA-Z]{2}", name):
                        continue
                    if re.match(r"[A-Z]\.\s", name):
                        label = "PERSON"
                    elif is_country_name(name):
                        label = "GPE"
                    else:
                        label = "ORG"
                    start = line_start + match.start(1)
                    found.append(Mention(start, start + len(name), label, SPACE_RE.sub(" ", name), ruled=True))
        line_start += len(line) + 1
    return _replace_overlapping(mentions, found)


PERSON_NAME = r"(?:[A-Z][\w'\u2019.-]*|de|van|von|der|den|da|dos|le|la)(?: (?:[A-Z][\w'\u2019.-]*|de|van|von|der|den|da|dos|le|la)){0,3}"
# 'Jansher Khan (Pakistan)': an athlete with a nationality; '11 - Patrice Loko': a line-up number.
NATIONALITY_RE = re.compile(r"(?<![\w.'-])(" + PERSON_NAME + r") \(([A-Z][\w. ]{1,30})\)")
LINEUP_RE = re.compile(r"(?:^|(?<=[,;(\n-]))\s*\d{1,2} ?- ?(" + PERSON_NAME + r")(?=[,;()\n]| \d| \(|$)", re.M)


KINSHIP_WORDS = (
    "mother father son daughter wife husband brother sister grandmother grandfather grandson granddaughter aunt "
    "uncle cousin niece nephew widow widower fiancee fianc\u00e9e fiance fianc\u00e9 partner stepson stepdaughter "
    "stepmother stepfather"
)
KINSHIP_BEFORE_RE = re.compile(r"(?i)\b(?:" + "|".join(KINSHIP_WORDS.split()) + r"),?\s+$")
PERSON_CUE_AFTER_RE = re.compile(r",\s+(?:\d{1,3}\s*[,)]|who\b)")
WORD_RE = re.compile(r"(?<![\w.])[A-Za-z][a-z]+\.?(?= [A-Z])")
NAME_AFTER_RE = re.compile(r"( )((?:[A-Z][a-z'\u2019-]+)(?: [A-Z][a-z'\u2019-]+){1,2})\b")
SPORTS_VERB_RE = re.compile(
    r"\b(?:beat|beats|defeated|defeats|edged|routed|drew with|draw with|lost to|lose to|face|faces|faced|"
    r"play|plays|played|host|hosts|hosted|against|v|vs)\.?\s+(?:the\s+)?$"
)
STREET_NAME_RE = re.compile(
    r"(?<![\w'\u2019-])((?:[A-Z][a-z'\u2019-]+ ){1,3}(?:" + "|".join(w.title() for w in sorted(STREET_LAST_WORDS))
    + r"))\b"
)
ORG_APPOSITIVE_RE = re.compile(
    r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}(?:nonprofit|non-profit|company|firm|group|organi[sz]ation|charity|"
    r"agency|association|coalition|union|business|corporation|newspaper|network|startup|club|team)"
    r"(?=\s*(?:[,.;]|that\b|which\b|based\b|in\b|of\b|for\b|with\b|$))"
)
SCORE_AFTER_RE = re.compile(r"\s+\d{1,3}-\d{1,3}\b")


def _plain_name(words: list[str]) -> bool:
    """Capitalised words only, none of them an organisation word: the shape of a person's name."""
    return all(w[:1].isupper() and w.replace(".", "").replace("-", "").replace("\u2019", "").isalpha() for w in words) and not any(
        w.lower().strip(".,") in ORG_KEYWORDS for w in words
    )


def _people_in_context(text: str, mentions: list[Mention]) -> list[Mention]:
    """Labels the words around a name decide: 'Her mother, Fatou Diallo,' and 'Amara Diallo, 9, who' are
    people; 'City Engineer Marcus Bell' is a title and a person; 'Chair Elena Vasquez' names a person the model
    missed; a team met in a game ('to beat Westbrook 31-24', 'will face Skowhegan') is an organisation."""
    taken = Intervals((m.start, m.end) for m in mentions)
    out: list[Mention] = []
    for index, mention in enumerate(mentions):
        words = mention.tokens
        if mention.label != "PERSON" and mention.label not in SKIPPED_LABELS:
            # a title inside the span: 'City Engineer Marcus Bell' -> role 'City Engineer', person 'Marcus Bell'
            role_at = next((i for i, w in enumerate(words[:-2]) if is_singular_role_word(w) and w[:1].isupper()), None)
            if role_at is not None and _plain_name(words[role_at + 1 :]) and len(words) - role_at - 1 <= 3:
                offset = mention.start + len(" ".join(words[: role_at + 1])) + 1
                role = " ".join(words[: role_at + 1])
                out.append(Mention(offset, mention.end, "PERSON", " ".join(words[role_at + 1 :]), role, ruled=True))
                continue
        if mention.label in ("ORG", "GPE", "FAC", "NORP", "PRODUCT", "WORK_OF_ART", "LOC") and 2 <= len(words) <= 3:
            before = text[max(0, mention.start - 30) : mention.start]
            after = text[mention.end : mention.end + 12]
            if _plain_name(words) and (KINSHIP_BEFORE_RE.search(before) or PERSON_CUE_AFTER_RE.match(after)):
                mention.label, mention.ruled = "PERSON", True
        if mention.label != "ORG" and ORG_APPOSITIVE_RE.match(text, mention.end):
            mention.label, mention.ruled = "ORG", True  # 'Casco Bay Keepers, a nonprofit that ...'
        if mention.label != "ORG":
            before = text[max(0, mention.start - 30) : mention.start]
            previous = mentions[index - 1] if index > 0 else None
            met_by_team = (
                len(words) == 1 and previous is not None and previous.label == "ORG"
                and mention.start - previous.end < 40 and SPORTS_VERB_RE.search(before)
            )
            if (mention.label != "PERSON" and SCORE_AFTER_RE.match(text, mention.end)) or met_by_team:
                mention.label = "GPE" if is_country_name(mention.text) else "ORG"
                mention.ruled = True
        out.append(mention)
    # a street or road the model missed: 'Lighthouse Road', 'The Cormorant Street drawbridge'
    for match in STREET_NAME_RE.finditer(text):
        if not (taken.contains(match.start()) or taken.contains(match.end() - 1)):
            start, name = match.start(1), match.group(1)
            while name.split()[0].lower() in NOT_TITLE_WORDS and len(name.split()) > 2:
                cut = name.index(" ") + 1
                start, name = start + cut, name[cut:]
            if name.split()[0].lower() not in NOT_TITLE_WORDS:
                out.append(Mention(start, match.end(1), "FAC", name, ruled=True))
    # a name after a role word that the model missed: 'Planning Board Chair Elena Vasquez'
    for word in WORD_RE.finditer(text):
        if not is_singular_role_word(word.group()):
            continue
        match = NAME_AFTER_RE.match(text, word.end())
        if not match or taken.contains(match.start(2)):
            continue
        name_words = match.group(2).split()
        if name_words[0].lower() in NOT_TITLE_WORDS or not _plain_name(name_words):
            continue
        end = match.end(2)
        if taken.contains(end - 1):
            continue
        out.append(Mention(match.start(2), end, "PERSON", match.group(2), ruled=True))
    return sorted(out, key=lambda m: m.start)


MODIFIER_BEFORE_RE = re.compile(r"\b(?:the|a|an)\s+(?:[a-z]+\s+)?$")
MODIFIED_NOUN_AFTER_RE = re.compile(r"\s+(?!said\b|says\b|told\b|who\b|and\b|or\b|is\b|was\b|has\b|had\b)[a-z]{3,}\b")
OPENING_QUOTES = "\u201c\u201e\u00ab\"\u2018"
CAPITALISED_BEFORE_RE = re.compile(r"((?:[A-Z][\w'\u2019-]*\s+)+)$")


def _fix_fragments(text: str, mentions: list[Mention]) -> list[Mention]:
    """Pieces of a name the model cut short or made up: 'Library' out of 'The Eastside Branch Library' is the
    organisation; 'Cold' at the start of a quote ('“Cold water is ...”') is not a title; 'Halifax' listed with
    a place ('with Halifax and Portland') is a place."""
    out: list[Mention] = []
    person_words = {w for m in mentions if m.label == "PERSON" and len(m.tokens) > 1 for w in m.tokens}
    counts: dict[str, int] = {}
    for mention in mentions:
        counts[mention.text] = counts.get(mention.text, 0) + 1
    for index, mention in enumerate(mentions):
        words = mention.tokens
        if (
            len(words) == 1 and mention.label == "PERSON" and not mention.ruled and counts[mention.text] == 1
            and mention.text not in person_words
            and MODIFIER_BEFORE_RE.search(text, max(0, mention.start - 30), mention.start)
            and MODIFIED_NOUN_AFTER_RE.match(text, mention.end)
        ):
            mention.label = "ORG"  # 'the former Sturgis cannery': a name on a business, said once, no person
        if len(words) == 1 and mention.text.lower() in ORG_KEYWORDS:
            before = CAPITALISED_BEFORE_RE.search(text[max(0, mention.start - 80) : mention.start])
            if before is None:
                continue  # a common noun alone ('Library') is not a name
            start = mention.start - len(before.group(1))
            lead = re.match(r"(?:The|A|An)\s+", text[start : mention.end])
            if lead:
                start += lead.end()
            if start == mention.start:
                continue
            name = SPACE_RE.sub(" ", text[start : mention.end])
            out.append(Mention(start, mention.end, "ORG", name, ruled=True))
            continue
        if mention.label in ("WORK_OF_ART", "LAW", "PRODUCT", "EVENT") and mention.start > 0:
            opened = text[mention.start - 1] in OPENING_QUOTES
            closed = text[mention.end : mention.end + 2].lstrip(",.?!")[:1] in ("\u201d", "\"", "\u2019", "")
            if opened and not closed:
                continue
        if mention.label == "ORG" and len(words) == 1 and not mention.ruled and not mention.text.isupper():
            neighbours = [mentions[i] for i in (index - 1, index + 1) if 0 <= i < len(mentions)]
            for other in neighbours:
                between = text[min(other.end, mention.end) : max(other.start, mention.start)]
                if other.label == "GPE" and re.fullmatch(r"\s*(?:,|and|or|,\s*and)\s*", between):
                    mention.label = "GPE"
                    break
        out.append(mention)
    return out


def _with_listed_people(text: str, mentions: list[Mention]) -> list[Mention]:
    """People in results and line-ups, which the model reads as organisations or misses: a name of two or
    more words followed by a country in brackets, and a name after a shirt number."""
    if "(" not in text and " - " not in text:
        return mentions
    found: list[Mention] = []
    for match in NATIONALITY_RE.finditer(text):
        name, country = match.group(1), match.group(2)
        if len(name.split()) >= 2 and is_country_name(country) and not any(
            w.lower().strip(".") in ORG_KEYWORDS for w in name.split()
        ):
            found.append(Mention(match.start(1), match.end(1), "PERSON", name, ruled=True))
    for match in LINEUP_RE.finditer(text):
        name = match.group(1)
        if name.endswith(".") and not re.search(r"\b[A-Z]\.$", name):
            name = name[:-1]  # the full stop that ends the list
        if name.split()[0].lower() in ("de", "van", "von", "der", "den", "da", "dos", "le", "la"):
            continue
        if len(name) > 2 and not is_country_name(name):
            found.append(Mention(match.start(1), match.start(1) + len(name), "PERSON", name, ruled=True))
    return _replace_overlapping(mentions, found)


GIVEN_NAME_BEFORE_RE = re.compile(r"(?<![\w.'\u2019-])([A-Z][^\W\d_]+) $")
NAME_AFTER_PARTICLE_RE = re.compile(r" ([A-Z][^\W\d_]+)(?![\w'\u2019-])")


def _with_given_names_before_particles(text: str, mentions: list[Mention]) -> list[Mention]:
    """A person's name the model cut at a particle: started at it ('Prince Alwaleed Bin Talal' -> 'Bin Talal') or
    ended on it ('Ursula von der Leyen' -> 'Ursula von der'). A name neither begins nor ends with 'bin' or 'von':
    the capitalised word just before (when it is no title) or just after belongs to it, whatever label the model
    put on that word alone."""
    found: list[Mention] = []
    for mention in mentions:
        if mention.label != "PERSON" or len(mention.tokens) < 2:
            continue
        if mention.tokens[-1] in NAME_PARTICLES:
            after = NAME_AFTER_PARTICLE_RE.match(text, mention.end)
            if after is not None:
                end = after.end(1)
                name = SPACE_RE.sub(" ", text[mention.start : end])
                found.append(Mention(mention.start, end, "PERSON", name, ruled=True))
            continue
        if mention.tokens[0].lower() not in NAME_PARTICLES:
            continue
        before = GIVEN_NAME_BEFORE_RE.search(text, max(0, mention.start - 40), mention.start)
        if before is None or is_role_word(before.group(1)):
            continue
        if bare_word(before.group(1)) in HONORIFICS or before.group(1).lower() in NOT_TITLE_WORDS:
            continue
        start = before.start(1)
        found.append(Mention(start, mention.end, "PERSON", SPACE_RE.sub(" ", text[start : mention.end]), ruled=True))
    return _replace_overlapping(mentions, found)


def _replace_overlapping(mentions: list[Mention], found: list[Mention]) -> list[Mention]:
    """The rule's mentions in place of the model's wherever they overlap."""
    if not found:
        return mentions
    unique: list[Mention] = []
    for m in sorted(found, key=lambda m: (m.start, -m.end)):
        if not unique or m.start >= unique[-1].end:
            unique.append(m)
    found = unique
    taken = Intervals((m.start, m.end) for m in found)
    starts = sorted(m.start for m in found)
    kept = []
    for m in mentions:
        i = bisect.bisect_left(starts, m.start)
        inside = taken.contains(m.start) or taken.contains(m.end - 1) or (i < len(starts) and starts[i] < m.end)
        if not inside:
            kept.append(m)
    return sorted(kept + found, key=lambda m: m.start)


# A platform named where posts live: 'on Twitter', 'via Facebook', 'posted to Twitter', 'on his Twitter page'.
PLATFORM_BEFORE_RE = re.compile(
    r"\b(?P<verb>(?:posted|posting|posts|wrote|writes|shared|shares|tweeted|streamed|published|announced)\s+"
    r"(?:it\s+|this\s+|that\s+)?)?(?:on|via|to|from)\s+(?:(?:his|her|its|their|the|our|my|your)\s+)?$"
)
PLATFORM_AFTER_RE = re.compile(
    r"\s+@\w|\s+(?:page|account|accounts|feed|post|posts|handle|profile|channel|video|videos|live|thread|story)\b"
)
LOCATIVE_BEFORE_RE = re.compile(
    r"\b(?:in|from|to|near|at|outside|of)\s+(?:(?:downtown|central|northern|southern|eastern|western|suburban)\s+)?$"
)


CAPITALISED_USE_RE = re.compile(
    r"(?<![\w'\u2019-])((?:on|via|(?:took|takes|take|taking)\s+to)\s+)?([A-Z][\w-]*)(?![\w-])([\u2019']s?\b)?"
)


def _platform_words(text: str) -> set[str]:
    """'mocks Trump on Twitter ... took to Twitter': one-word names the article only ever writes after 'on', 'via'
    or 'took to' (a platform); a person is also the subject or object of something ('Emanuel said', and 'on Dole's short
    list' is a person's). One pass over the text, whatever the number of names."""
    after_on: set[str] = set()
    other: set[str] = set()
    for use in CAPITALISED_USE_RE.finditer(text):
        (after_on if use.group(1) and not use.group(3) else other).add(use.group(2))
    return after_on - other


def _with_context_labels(text: str, mentions: list[Mention]) -> list[Mention]:
    """Labels the words around a name decide: a platform where posts live is an organisation, not a person
    ('posted to Twitter', 'on Twitter @handle'); a 'language' ISO 639 does not know, named after 'in', is a place
    ('in downtown Tunis'); a plural '-men' noun never used as a place ('Gunmen opened fire') is no name."""
    out: list[Mention] = []
    locative_words: set[str] | None = None
    platform_words: set[str] | None = None
    for mention in mentions:
        single = len(mention.tokens) == 1
        if single and mention.label != "ORG":
            before = PLATFORM_BEFORE_RE.search(text, max(0, mention.start - 30), mention.start)
            after_text = text[mention.end : mention.end + 20]
            platform = before is not None and bool(PLATFORM_AFTER_RE.match(after_text) or before.group("verb"))
            if before is not None and not platform and mention.label == "PERSON":
                if platform_words is None:
                    platform_words = _platform_words(text)
                platform = mention.text in platform_words
            if platform:
                mention.label, mention.ruled = "ORG", True
        if mention.label == "LANGUAGE" and not is_language_name(mention.text):
            if not LOCATIVE_BEFORE_RE.search(text, max(0, mention.start - 30), mention.start):
                continue
            mention.label, mention.ruled = "GPE", True
        if single and mention.label != "PERSON" and mention.text.lower().endswith("men") and len(mention.text) >= 6:
            if locative_words is None:
                locative_words = {
                    m.group(1).lower()
                    for m in re.finditer(r"\b(?:in|from|to|near|at|outside)\s+([A-Z][\w'-]*men)\b", text)
                }
            if mention.text.lower() not in locative_words and not is_country_name(mention.text):
                continue
        out.append(mention)
    return out


def _with_dateline_places(text: str, mentions: list[Mention]) -> list[Mention]:
    """A dateline names the place the story was filed from; the model, reading capitals, often misses it or
    calls it a person or an organisation."""
    found: list[Mention] = []
    for match in DATELINE_RE.finditer(text):
        for group in ("place", "region"):
            start, end = match.span(group)
            if start < 0 or not re.search(r"[A-Za-z]{2}", text[start:end]):
                continue
            name = text[start:end]
            found.append(Mention(start, end, "GPE", name.title() if name.isupper() else name, ruled=True))
    return _replace_overlapping(mentions, found)


def _clean_mention(text: str, start: int, end: int, label: str) -> Mention | None:
    role = None
    if label == "PERSON":
        end = _extend_hyphenated(text, end)
        # 'Said Ellis', 'But Smith': a function word the model took into the name
        lead = re.match(r"(\w+)\s+(?=[A-Z])", text[start:end])
        if lead and lead.group(1).lower() in NOT_TITLE_WORDS:
            start += lead.end()
        start, end, role = _strip_person_title(text, start, end)
        # 'Certainly Donald Trump', 'Billionaire Donald Trump': a common word (the article writes it in lower case
        # too) that is no one's given name, taken into the name before a given name; 'Moner Mohammad Abusalha',
        # whose given name the table lacks, keeps it
        lead = re.match(r"([A-Z][a-z]{2,})\s+(\S+)\s+\S", text[start:end])
        if (
            lead
            and lead.group(1).lower() not in NAME_PARTICLES
            and not is_given_name(lead.group(1))
            and is_decisive_given_name(lead.group(2))
            and re.search(r"\b" + lead.group(1).lower() + r"\b", text) is not None
        ):
            start += lead.start(2)
    # "China's Institute of War Studies": the owner is not part of the organisation's name.
    if label in ("ORG", "FAC"):
        match = re.search(r"[\u2019']s\s+(?=[A-Z])", text[start:end])
        # a one-word owner ('China’s'); 'International Longshoremen’s Association' is one name
        if match and match.start() > 0 and " " not in text[start : start + match.start()]:
            start = start + match.end()
    if end <= start or not any(ch.isalpha() for ch in text[start:end]):
        return None
    if re.fullmatch(r"[A-Za-z]\.?", text[start:end]):
        return None  # 'I.' or a lone initial is not a name
    name = SPACE_RE.sub(" ", text[start:end])
    if not any(ch.isupper() for ch in name):
        return None  # 'the gulf': a common noun, not a name
    return Mention(start, end, _relabel(name, label), name, role)


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
        # 'Library Director Ingrid Soto': a word before a capitalised title and a name is part of the title
        if len(mention.tokens) == 1 and mention.label == "PERSON":
            after = re.match(r"\s+([A-Z][a-z]+)\s+[A-Z]", text[mention.end : mention.end + 40])
            if after and is_singular_role_word(after.group(1)):
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
        # 'said race director Paul Nakamura': one lowercase noun before the role noun, after a speech verb,
        # an article or the start of the line
        if len(taken) == 1 and word.isalpha() and word.islower() and is_role_word(taken[0][2]):
            prev = bare_word(words[i + 1][2]) if i + 1 < len(words) else ""
            if not prev or prev in COMPOUND_ROLE_OPENERS:
                taken.append((w_start, w_end, word))
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


COMPOUND_ROLE_OPENERS = frozenset("said says told added the a an his her their its by with , \u201d".split())
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
    return " ".join(words) if words and _is_role_phrase(words) else None


def _is_role_phrase(words: list[str]) -> bool:
    """Title words, optionally opened by an owner ('Greyline’s', 'the club’s') and with one or two lowercase
    nouns right before the role noun ('project director', 'race director')."""
    for i, word in enumerate(words):
        if _role_phrase_word(word):
            continue
        if i == 0 and re.search(r"[\u2019']s?$", word) and len(words) > 1:
            continue  # the owner of the role
        rest = words[i + 1 :]
        if word.isalpha() and word.islower() and 0 < len(rest) <= 2 and is_role_word(words[-1]):
            continue  # a compound noun before the role noun
        return False
    return bool(words)


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
# After a sentence-initial word, what makes it a subject rather than an adjective: an appositive or relative
# clause ('Pence, who ...', 'Pence, the governor, ...'), a past-tense verb ('Pence praised', 'Pence went on') or
# an auxiliary ('Trump has', 'Pence was').
SUBJECT_AFTER_RE = re.compile(
    r",\s|\s+(?:[a-z]{3,}ed|went|shot|fired|hit|made|took|gave|got|came|began|spoke|thought|knew|felt|kept|left|"
    r"met|ran|saw|sent|stood|won|lost|brought|held|put|also|has|had|is|was|will|would|could|did|does)\b"
)


def _missed_name_parts(text: str, mentions: list[Mention], name_parts: dict[str, list[int]]) -> list[Mention]:
    """Short names the model did not tag ('Cao asked'): a part of a full name, capitalised, outside any mention,
    and either inside a sentence or followed by a speech verb, a comma or a past-tense verb (a sentence-initial
    'Young' may be an adjective)."""
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
        if sentence_initial and not (SPEECH_AFTER_RE.match(text, match.end()) or SUBJECT_AFTER_RE.match(text, match.end())):
            continue
        found.append(Mention(match.start(), match.end(), "PERSON", word))
    return found


def _spread_ruled_labels(mentions: list[Mention]) -> None:
    """A label a context rule gave one mention ('will face Skowhegan' -> a team) holds for the same name
    elsewhere in the article, unless the name is part of a person's full name there."""
    ruled: dict[str, str] = {}
    for mention in mentions:
        if mention.ruled:
            ruled.setdefault(normalise_name(mention.text), mention.label)
    if not ruled:
        return
    name_parts = {normalise_name(w) for m in mentions if m.label == "PERSON" and len(m.tokens) > 1 for w in m.tokens}
    for mention in mentions:
        key = normalise_name(mention.text)
        label = ruled.get(key)
        if label and not mention.ruled and mention.label != label and not (label != "PERSON" and key in name_parts):
            mention.label = label


def _relabel_people_named_as_orgs(mentions: list[Mention]) -> None:
    """'Keith Lamont Scott' tagged ORG while 'Scott' is tagged PERSON elsewhere: the full name is the person; so is
    'Carly Fiorina' tagged ORG, with 'Fiorina' tagged ORG 46 times, when the first word is a given name nearly
    always a person's ("Carly"). A one-word name tagged both PERSON and ORG goes with the majority (PERSON on a
    tie)."""
    single_person = {normalise_name(m.text) for m in mentions if m.label == "PERSON" and len(m.tokens) == 1}
    single_uses = Counter(normalise_name(m.text) for m in mentions if len(m.tokens) == 1)
    for mention in mentions:
        words = mention.tokens
        if mention.label in ("ORG", "FAC", "WORK_OF_ART", "PRODUCT") and 2 <= len(words) <= 4:
            plain = all(w[:1].isupper() and w.replace(".", "").replace("-", "").isalpha() for w in words)
            if plain and not any(w.lower() in ORG_KEYWORDS for w in words) and alias_key(mention.text) not in ALIASES:
                surname = normalise_name(words[-1])
                if surname in single_person or (
                    single_uses[surname] >= 2 and given_name_sex(words[0])[1]
                ):
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


PAIR_RE = re.compile(r"\s+(?:and|&)\s+")


def _first_name_of_a_pair(text: str, mention: Mention, mentions: list[Mention], candidate: list[str]) -> bool:
    """'David and Jeanne Heidler': a first name joined by 'and' to a full name shares that surname; it is not
    another David of the article (the candidate's first name), whom it would otherwise join."""
    if len(candidate) < 2 or normalise_name(candidate[0]) != normalise_name(mention.text):
        return False
    pair = PAIR_RE.match(text, mention.end)
    if pair is None:
        return False
    return any(m.start == pair.end() and m.label == "PERSON" and len(m.tokens) > 1 for m in mentions)


# A title that is followed by a surname, not a given name, right before a one-word mention.
SURNAME_TITLE_RE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|President|Senator|Governor|Secretary)\.?\s+$")


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

    _spread_ruled_labels(mentions)
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
    surnames: dict[str, list[int]] = {}
    for key, index in persons_full.items():
        words = name_words(groups[index][0].text)
        for position, word in enumerate(words):
            part = normalise_name(word)
            if part and (position in (0, len(words) - 1)) and index not in name_parts.setdefault(part, []):
                name_parts[part].append(index)
            if part and position == len(words) - 1:
                surnames.setdefault(part, []).append(index)

    def person_for(word: str, at: int) -> int | None:
        # after a title ('Mr. Obama', 'President Obama') the word is a surname: a name it opens is someone else,
        # often a headline fragment the model took for a person ('Obama Speech')
        after_title = SURNAME_TITLE_RE.search(text, max(0, at - 16), at) is not None
        candidates = (surnames if after_title else name_parts).get(normalise_name(word), [])
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
            if index is not None and _first_name_of_a_pair(text, mention, mentions, name_words(groups[index][0].text)):
                index = None
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

    # 'Greyline' after 'Greyline Partners': the first word of one organisation's name, not a person's, is it
    by_first_word: dict[str, list[int]] = {}
    for index, group in enumerate(groups):
        first = group[0]
        if first.label == "ORG" and len(first.tokens) > 1 and first.tokens[0][:1].isupper():
            by_first_word.setdefault(normalise_name(first.tokens[0]), []).append(index)
    person_words = {normalise_name(w) for m in mentions if m.label == "PERSON" and len(m.tokens) > 1 for w in m.tokens}
    for index, group in enumerate(groups):
        first = group[0] if group else None
        if first is None or len(first.tokens) != 1 or first.label not in ("ORG", "PERSON"):
            continue
        key = normalise_name(first.text)
        targets = by_first_word.get(key, [])
        if len(targets) == 1 and targets[0] != index and key not in person_words and key not in NOT_TITLE_WORDS:
            target = targets[0]
            for mention in group:
                mention.entity, mention.label = target, "ORG"
            groups[target].extend(group)
            groups[index] = []

    # acronyms of an organisation named in full elsewhere ("IOP" for "Institute of Politics")
    by_initials = {}
    for index, group in enumerate(groups):
        if not group:
            continue
        first = group[0]
        if first.label == "ORG" and len(first.tokens) > 1:
            by_initials.setdefault(_initials(canonical_place_or_org(first.text)), index)
    for index, group in enumerate(groups):
        if not group:
            continue
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
            name = max(
                sorted(set(canonical)),
                key=lambda n: (n in ALIASES.values(), len(n.split()) > 1, canonical.count(n), len(n)),
            )
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
    text = doc.text
    return resolve_mentions(text, doc_mentions(doc, text))
