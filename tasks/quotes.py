"""Direct quotes and who said them, from the clean body text.

Quote spans come from the quote marks (curly or straight), paragraph by paragraph; the speaker from the
attribution around the quote (speech verb before or after it, inverted order, appositives, the sentence before,
the previous quote of a continuing paragraph), then resolved against the article's entities by tasks/speakers.py.
Pure text rules over the NER mentions: no parser needed, so entities and quotes share one NER-only spaCy pass.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

from tasks.entities import EntityAnalysis, Mention
from tasks.given_names import given_name_sex
from tasks.models import Quote
from tasks.speakers import NAME_AS_MODIFIER_RE, PRONOUNS_GROUP, PRONOUNS_PERSON, resolve_speaker
from tasks.text_rules import Intervals, is_abbreviation_dot, is_role_word

# Marks that open or close a quote in some convention (which one is which: MarkConvention, per text).
OPEN_MARKS = "\u201c\u201e\u00ab\u00bb\u201a\u300c\u300e"  # “ „ « » ‚ 「 『
CLOSE_MARKS = "\u201d\u201c\u00bb\u00ab\u2018\u300d\u300f"  # ” “ » « ‘ 」 』
STRAIGHT = '"'
# Straight and curly double marks: one inside another is a stray mark, not a nested quote (nesting in these
# conventions uses single marks); inside «…», »…« or 「…」 they are a nested quote.
DOUBLE_MARKS = STRAIGHT + "\u201c\u201e\u201d"
# The marks as the English attribution rules read them around a quote (speakers are found in English text only).
EN_OPEN = "\u201c\u201e\u00ab"
EN_CLOSE = "\u201d\u00bb"
MASK = "\u2063"  # invisible separator: stands in for quoted words so rules never read inside a quote

SPEECH_VERBS = (
    "said says say saying told tells telling asked asks asking added adds adding wrote writes writing replied "
    "replies stated states explained explains noted notes argued argues insisted insists claimed claims declared "
    "declares announced announces warned warns continued continues recalled recalls remarked remarks acknowledged "
    "acknowledges admitted admits observed observes commented comments suggested suggests tweeted tweets posted "
    "accused accuses urged urges complained complains conceded concedes countered counters responded responds "
    "predicted predicts promised promises vowed vows joked jokes quipped quips testified reported reports "
    "cautioned emphasized emphasised emphasizes stressed stresses boasted boasts pledged pledges charged lamented "
    "laments mused shouted yelled whispered exclaimed thundered texted emailed confirmed confirms denied denies "
    "described describes called calls labeled labelled dubbed branded reiterated reiterates agreed agrees "
    "recounted contended contends maintained maintains asserted asserts wondered wonders blasted slammed "
    "tells demanded demands assured assures calling cited cites reads ruled concluded concludes retorted "
    "interjected sighed laughed clarified answered answers proclaimed proclaims speculated recommended pressed "
    "beamed scoffed snapped gushed raved marveled marvelled chuckled griped fumed pleaded cracked teased chided "
    "scolded rebuked opined barked remembered mused exhorted riffed "
    # participles that rarely stand as nouns: 'Trump ..., vowing to “open up” libel laws'
    "vowing claiming arguing insisting noting declaring suggesting explaining complaining accusing urging "
    "describing predicting promising joking boasting acknowledging admitting asserting contending stressing "
    "cautioning conceding labeling labelling echoed echoes boomed chanted chants affirmed affirms quip"
).split()
INVERTIBLE_VERBS = frozenset(
    "said says asked asks added adds wrote writes replied replies continued explained noted argued insisted "
    "declared warned recalled remarked acknowledged admitted observed suggested tweeted countered responded "
    "predicted joked quipped cautioned stressed reported opined beamed barked remembered wondered exclaimed shouted "
    "snapped retorted interjected laughed sighed chuckled scoffed gushed marveled marvelled fumed reads read mused "
    "concluded".split()
)
# Forms that are as often nouns ("his remarks", "the demands"): a speech verb elsewhere in the clause wins.
NOUN_LIKE_VERBS = frozenset(
    "remarks demands claims notes states calls reports posts comments complains reads tweets promises vows "
    "counters charges jokes quips laments boasts pledges comments insists".split()
)
SPEECH_RE = re.compile(
    r"\b(?:[Aa]ccording\s+to|(?:issued|issues|released|releases|put\s+out)\s+(?:a|an|the)\s+(?:[\w-]+\s+)?statement|(?:pointed|points)\s+out|(?:shot|shoots|fired|hit|hits)\s+back|(?:went|goes)\s+on|put\s+it|Said|Says|"
    + "|".join(SPEECH_VERBS)
    + r")\b"
)
SUBJECT_PRONOUN_RE = re.compile(r"\b(he|she|they|we|it|i|He|She|They|We|It|I)\b")
PREPOSITIONS = frozenset(
    "in at of for from on with to by about against between among into onto over under near toward towards "
    "across after before during like than via despite amid without".split()
)
ADVERBIAL_OPENERS = frozenset(
    "in at on for from with by after before when while if as since although though because during following "
    "asked speaking writing responding according later earlier last this that".split()
)
LEAD_WORDS = frozenset("and but so yet or meanwhile however also then still now".split())
TRAILING_ADVERBS = frozenset(
    "also later then previously recently once repeatedly often again further has have had had would will "
    "is are was were be been being do does did can could may might should must "
    "had just already simply once separately frequently flatly bluntly publicly privately".split()
)
DAY_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight week month year morning "
    "afternoon evening night last this earlier".split()
)
DETERMINERS = frozenset("a an the this that these those his her their its our my your one another some".split())
CLAUSE_WORDS = frozenset("what when why how where whether there".split())  # a phrase with one is a clause
SCARE_MAX_WORDS = 2
CONTEXT_CHARS = 600  # attribution is read at most this far from a quote: keeps huge run-on text linear
NOMINAL_MAX_WORDS = 8
ROLE_PREPOSITIONS = frozenset("for from at to with in of".split())  # 'the senator from Vermont'


@dataclass
class _Span:
    """A quote in the text: marks at open/close (close may be a paragraph end), text inside [start, end)."""

    open: int
    close: int
    start: int
    end: int
    paragraph: int
    chain: int  # quotes continued over paragraphs share a chain number
    inner_last: str = ""  # last non-space character inside the marks: "," means the attribution follows


@dataclass
class _Speaker:
    text: str
    start: int
    entity: int | None  # index into the article's entities when the speaker is a named mention
    kind: Literal["entity", "pronoun", "nominal"]
    verb: str | None


# ------------------------------------------------------------------------------------------------ spans


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph ranges: blocks separated by a blank line; single newlines stay inside."""
    out, start = [], 0
    for match in re.finditer(r"\n[ \t\r\f\v]*\n\s*", text):
        if match.start() > start:
            out.append((start, match.start()))
        start = match.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def _is_opening_straight(text: str, pos: int, para_start: int) -> bool:
    before = text[pos - 1] if pos > para_start else " "
    after = text[pos + 1] if pos + 1 < len(text) else " "
    if before.isspace() or before in "([{\u2014\u2013-/:":
        return not after.isspace()
    return False


def _markup_ranges(text: str) -> Intervals | None:
    """Leftover HTML tags ('<tweet tweet-id="...">'): their attribute quotes are not quotes."""
    if "<" not in text:
        return None
    return Intervals((m.start(), m.end()) for m in re.finditer(r"</?[A-Za-z][\w-]*(?:\s[^<>]{0,500})?/?>", text))




SMALL_TITLE_WORDS = frozenset("a an the of and or in on at to for with from by as vs. vs de la".split())


def looks_like_title(inner: str) -> bool:
    """A quoted name of a show, book or programme ('Face the Nation', 'Fox News Sunday'): not speech."""
    words = inner.strip().rstrip(",.").split()
    if not words or len(words) > 8 or inner.strip()[-1:] in "?!":
        return False
    if not words[0][:1].isupper() and not words[0][:1].isdigit():
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in SMALL_TITLE_WORDS for w in words)


TITLE_LABELS = frozenset({"WORK_OF_ART", "ORG", "EVENT", "LAW", "PRODUCT", "FAC"})


# Nouns after a quoted title that make it the name of a work, event or slogan ('the “No Comparison” ad').
WORK_NOUNS = frozenset(
    "ad ads advert commercial movie film show series program programme pageant book memoir song album play "
    "episode documentary video podcast segment column editorial headline slogan crowd movement tour rally "
    "event summit campaign bill act plan initiative caucus conference tournament states".split()
)
TITLE_BEFORE_RE = re.compile(
    r"(?:[\u2019']s?|\b(?:on|to|called|titled|entitled|dubbed|named|watching|"
    + "|".join(sorted(WORK_NOUNS - {"states", "crowd", "movement", "campaign", "event"}))
    + r"),?)\s*$",
    re.I,
)


def _is_named_work(ctx: "_Context", span: _Span) -> bool:
    """'On “Face the Nation,”', 'his “Miss Universe” pageant': a title-case quote the model tags as a work or
    organisation, or that a work noun follows or a possessive or 'on'/'called' precedes, is a name, not speech."""
    inner = ctx.text[span.start : span.end]
    if not looks_like_title(inner):
        return False
    after = re.match(r"[\s,\u201d\"]*([a-z]+)", ctx.text[span.close + 1 : span.close + 40])
    if (after and after.group(1) in WORK_NOUNS) or TITLE_BEFORE_RE.search(ctx.text[max(0, span.open - 30) : span.open]):
        return len(inner.split()) <= 6
    covered = sum(
        min(m.end, span.end) - max(m.start, span.start)
        for m in ctx.all_mentions_in(span.start - 200, span.end)
        if m.label in TITLE_LABELS and m.start < span.end and span.start < m.end
    )
    return covered >= 0.5 * len(inner.strip().rstrip(",."))


@dataclass(frozen=True)
class MarkConvention:
    """How a text pairs its quote marks. “ opens in English and closes in German („…“); » closes in French («…»)
    and opens in German (»…«); Swedish uses ”…” and »…». So the pairs are read from the text, not one table."""

    closers: dict[str, str]  # opening mark -> the marks that close it
    needs_partner: frozenset[str] = frozenset()  # openers that open only if their closer is the next mark

    @property
    def marks(self) -> str:
        return "".join(sorted(set(self.closers) | set("".join(self.closers.values())) | {STRAIGHT}))


def _guillemets_open_with(text: str) -> str:
    """« or »: which one opens in this text, by the first guillemet of each paragraph (a vote)."""
    votes = 0
    for match in re.finditer(r"(?:^|\n)[^\n«»]*([«»])", text):
        votes += 1 if match.group(1) == "\u00ab" else -1
    return "\u00bb" if votes < 0 else "\u00ab"


def mark_convention(text: str) -> MarkConvention:
    """The quote-mark pairs of a text, from which marks it uses and in what order."""
    low, left, right = text.count("\u201e"), text.count("\u201c"), text.count("\u201d")
    closers: dict[str, str] = {}
    needs_partner: set[str] = set()
    if low and 2 * low >= left:  # German, Polish, Dutch...: „…“ or „…”; an English “…” only if ” closes it
        closers["\u201e"] = "\u201c\u201d" + STRAIGHT
        closers["\u201c"] = "\u201d"
        needs_partner.add("\u201c")
    elif right and not left and not low:  # Swedish, Finnish: ”…”
        closers["\u201d"] = "\u201d"
    else:  # English “…”, with a stray „ opening too
        closers["\u201c"] = "\u201d" + STRAIGHT
        closers["\u201e"] = "\u201d\u201c" + STRAIGHT
    if "\u00ab" in text or "\u00bb" in text:
        if "\u00ab" not in text:  # Swedish, Finnish: »…»
            closers["\u00bb"] = "\u00bb"
        elif _guillemets_open_with(text) == "\u00bb":  # German »…«
            closers["\u00bb"] = "\u00ab"
        else:  # French, Swiss, Italian, Spanish, Russian «…»
            closers["\u00ab"] = "\u00bb"
    closers["\u201a"] = "\u2018"  # German single ‚…‘ (’ is an apostrophe too often to close anything)
    closers["\u300c"] = "\u300d"  # 「…」
    closers["\u300e"] = "\u300f"  # 『…』
    return MarkConvention(closers, frozenset(needs_partner))


def _typed_as_closing(text: str, pos: int, p_end: int) -> bool:
    """An opening-shaped mark that closes: attached to the word before it, followed by a space, punctuation or the
    paragraph's end ('“abhorrent“ in a tweet'); an opening mark stands before a word."""
    before = text[pos - 1] if pos > 0 else " "
    after = text[pos + 1] if pos + 1 < p_end else " "
    return not before.isspace() and (after.isspace() or after in ".,;:!?)\u2014")


def find_quote_spans(text: str) -> list[_Span]:
    """Quote spans paragraph by paragraph, marks paired by the text's convention; marks of another pair inside a
    quote are nested quotes and stay inside it; an unclosed quote whose next paragraph reopens continues there."""
    spans: list[_Span] = []
    chain = 0
    carried = False  # the previous paragraph ended inside a quote
    in_tag = _markup_ranges(text)
    convention = mark_convention(text)
    closers = convention.closers
    mark_re = re.compile("[" + re.escape(convention.marks) + "]")
    for index, (p_start, p_end) in enumerate(_paragraphs(text)):
        open_at: int | None = None
        open_mark = ""
        first_mark = True
        marks = [
            m.start() for m in mark_re.finditer(text, p_start, p_end) if in_tag is None or not in_tag.contains(m.start())
        ]
        for k, pos in enumerate(marks):
            ch = text[pos]
            if open_at is not None:
                symmetric = ch == open_mark and (ch == STRAIGHT or ch in closers.get(ch, ""))
                if ch in closers.get(open_mark, "") or symmetric or (open_mark == STRAIGHT and ch in "\u201d"):
                    opening = False
                elif ch == open_mark == "\u201c" and _typed_as_closing(text, pos, p_end):
                    opening = False  # '“expedited review“ of': a “ typed where ” belongs
                elif ch == open_mark or (open_mark in DOUBLE_MARKS and ch in DOUBLE_MARKS and ch in closers):
                    opening = True  # another double-quote opening: the first one was never closed
                else:
                    first_mark = False
                    continue  # a mark of another pair: a quote nested in this one
            elif ch == STRAIGHT or ch in closers.get(ch, ""):  # symmetric marks: open where an opening mark stands
                opening = _is_opening_straight(text, pos, p_start)
                if not opening and first_mark and carried:
                    opening = False
                elif not opening:
                    opening = True  # a stray symmetric mark: treat it as opening, a close must follow
            elif ch in closers:
                opening = ch not in convention.needs_partner or (
                    k + 1 < len(marks) and text[marks[k + 1]] in closers[ch]
                )
                if not opening:
                    first_mark = False
                    continue
            else:
                first_mark = False
                continue  # a closing mark with nothing open
            is_first = first_mark
            first_mark = False
            if opening:
                if open_at is None:
                    continue_chain = carried and is_first and not text[p_start:pos].strip()
                    if not continue_chain:
                        chain += 1
                open_at, open_mark = pos, ch
                continue
            if open_at is None:
                continue  # a closing mark with nothing open: a carried quote's paragraph that begins by closing
            spans.append(_Span(open_at, pos, open_at + 1, pos, index, chain))
            open_at, open_mark = None, ""
        carried = False
        if open_at is not None:
            # multi-paragraph quote: closed only at its last paragraph, each paragraph reopens it
            nxt = text[p_end : p_end + 200].lstrip()
            if nxt[:1] and (nxt[:1] in closers or nxt[:1] == STRAIGHT):
                spans.append(_Span(open_at, p_end, open_at + 1, p_end, index, chain))
                carried = True
    out = []
    for span in spans:
        start, end = span.start, span.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and any(ch.isalnum() for ch in text[start:end]):
            span.inner_last = text[end - 1]
            if text[end - 1] == ",":
                end -= 1  # '“..., ” she said': the comma belongs to the sentence around the quote
            span.start, span.end = start, end
            out.append(span)
    return out


def _masked(text: str, spans: list[_Span]) -> str:
    """Quoted words become MASK; short parentheticals ('(R-Wis.)') become spaces: the rules read neither."""
    chars = list(text)
    for span in spans:
        for i in range(span.start, span.end):
            if not chars[i].isspace():
                chars[i] = MASK
    for match in re.finditer(r"\([^()\n\u201c\u201d\"]{1,40}\)", text):
        for i in range(match.start(), match.end()):
            chars[i] = " "
    return "".join(chars)


def _sentence_starts(masked: str, p_start: int, p_end: int, spans: list[_Span]) -> list[int]:
    """Sentence start offsets in a paragraph, outside quotes ('U.S.' and 'Lt.' do not end sentences)."""
    starts = [p_start]
    closes_after_stop = {s.close for s in spans if s.close < p_end and masked[s.close] in EN_CLOSE + STRAIGHT}
    for match in re.finditer(r"[.!?](?=[\s\u201d\"]*\s+[\u201c\"A-Z0-9\u2018])", masked[p_start:p_end]):
        pos = p_start + match.start()
        if masked[pos] == "." and is_abbreviation_dot(masked, pos):
            continue
        nxt = pos + 1
        while nxt < p_end and (masked[nxt].isspace() or masked[nxt] in EN_CLOSE + STRAIGHT):
            nxt += 1
        starts.append(nxt)
    # a line break inside a paragraph (outside a quote) ends a sentence too
    for match in re.finditer(r"\n\s*", masked[p_start:p_end]):
        starts.append(p_start + match.end())
    # a quote ending in a full stop ends its sentence: “... security.” Next
    for span in spans:
        if span.close in closes_after_stop and span.end > span.start:
            last = span.end - 1
            inner_stop = masked[last] == MASK and span.inner_last == "."
            if inner_stop:
                nxt = span.close + 1
                while nxt < p_end and masked[nxt].isspace():
                    nxt += 1
                if nxt < p_end and (masked[nxt].isupper() or masked[nxt] in EN_OPEN + STRAIGHT):
                    starts.append(nxt)
    return sorted(set(starts))


# ------------------------------------------------------------------------------------------ attribution


PRONOUN_GENDER = {
    "he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f"
}
HONORIFIC_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f"}
PRONOUN_LOOKBACK = 6  # person mentions read back for one whose gender fits the pronoun
GENDER_WINDOW = 200  # characters after a mention read for the pronoun that takes it up
GENDER_MIN_VOTES = 2  # one "he" after a name is too little to go by
GENDER_HONORIFIC_RE = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s+$")
SENTENCE_END_RE = re.compile(r"[.!?]\s+[A-Z\u201c\"]")
# 'Clinton's', 'Sanders’ apology': a possessor, whose pronoun is often someone else's
POSSESSIVE_RE = re.compile(r"[\u2019'](?:s\b|(?!\w))")
GENDER_CUE_RE = re.compile(r"\b(he|him|his|himself|she|her|hers|herself)\b", re.I)


def _genders(masked: str, mentions: list[Mention], names: dict[int, str]) -> dict[int, str]:
    """Each person's gender: the given name of the entity's full name (`names`: entity -> name) where the name is
    decisive (tasks/given_names.py); else as the article shows it, by an honorific before a mention ('Mrs.') and the
    first he/his or she/her after it, before the next person is named, kept only when one side wins at least two to
    one (a 'he' after 'Clinton said' may be someone else, which is why a decisive name outweighs the pronouns)."""
    persons = [m for m in mentions if m.label == "PERSON"]
    by_name: dict[int, str] = {}
    votes: dict[int, list[int]] = {}
    for entity, name in names.items():
        words = name.split()
        if len(words) < 2:
            continue
        sex, decisive = given_name_sex(words[0])
        if sex is not None and decisive:
            by_name[entity] = sex
        elif sex is not None:
            votes.setdefault(entity, [0, 0])[sex == "f"] += 1
    for k, mention in enumerate(persons):
        tally = votes.setdefault(mention.entity, [0, 0])
        honorific = GENDER_HONORIFIC_RE.search(masked, max(0, mention.start - 6), mention.start)
        if honorific:
            tally[HONORIFIC_GENDER[honorific.group(1).lower()] == "f"] += 2
        if POSSESSIVE_RE.match(masked, mention.end):
            continue  # 'Clinton's campaign ... he': the pronoun after a possessor is often someone else
        stop = min(persons[k + 1].start if k + 1 < len(persons) else len(masked), mention.end + GENDER_WINDOW)
        sentence_end = SENTENCE_END_RE.search(masked, mention.end, stop)
        cue = GENDER_CUE_RE.search(masked, mention.end, sentence_end.start() if sentence_end else stop)
        if cue:
            tally[PRONOUN_GENDER[cue.group(1).lower()] == "f"] += 1
    shown = {
        entity: ("m" if m > f else "f")
        for entity, (m, f) in votes.items()
        if max(m, f) >= GENDER_MIN_VOTES and max(m, f) >= 2 * min(m, f)
    }
    return shown | by_name


class _Context:
    """One text's quotes, mentions and masked text, with the lookups the attribution rules need."""

    def __init__(self, text: str, analysis: EntityAnalysis, spans: list[_Span]):
        self.text = text
        self.entities = analysis.entities
        self.spans = spans
        self.masked = _masked(text, spans)
        self.antecedents: dict[int, Mention] = {}  # a relative pronoun speaker's offset -> the name it follows
        inside = Intervals((s.open, s.close + 1) for s in spans)
        self.all_mentions = sorted(analysis.mentions, key=lambda m: m.start)
        self.all_starts = [m.start for m in self.all_mentions]
        self.mentions = [m for m in self.all_mentions if m.entity >= 0 and not inside.contains(m.start)]
        self.starts = [m.start for m in self.mentions]
        persons = [m for m in self.mentions if m.label == "PERSON" and self._not_possessor(m)]
        self.person_starts = [m.start for m in persons]
        self.person_entities = [m.entity for m in persons]
        self.genders: dict[int, str] | None = None  # worked out on the first he/she speaker only

    def _not_possessor(self, mention: Mention) -> bool:
        """'Clinton’s campaign' does not make Clinton the 'he'/'she' of the next clause."""
        return not POSSESSIVE_RE.match(self.masked, mention.end)

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_left(self.starts, end)
        return [m for m in self.mentions[lo:hi] if m.end <= end]

    def all_mentions_in(self, start: int, end: int) -> list[Mention]:
        lo = bisect.bisect_left(self.all_starts, start)
        hi = bisect.bisect_left(self.all_starts, end)
        return self.all_mentions[lo:hi]

    def mention_at(self, start: int) -> Mention | None:
        i = bisect.bisect_left(self.starts, start)
        if i < len(self.mentions) and self.mentions[i].start == start:
            return self.mentions[i]
        return None

    def recent_person(self, position: int, pronoun: str = "") -> int | None:
        """The person a pronoun at `position` stands for: the last one named before it, unless the text shows that
        person's gender is not the pronoun's ('he' is not the Hillary Clinton named last): then the last one named
        whose gender the text shows is the pronoun's, else the last one whose gender it does not show; else no one
        (a 'she' after Donald Trump is someone the rules did not find, not Trump)."""
        i = bisect.bisect_left(self.person_starts, position) - 1
        if i < 0:
            return None
        wanted = PRONOUN_GENDER.get(pronoun.lower())
        if wanted is not None:
            if self.genders is None:
                named = {m.entity for m in self.mentions if m.label == "PERSON"}
                self.genders = _genders(self.masked, self.mentions, {e: self.entities[e].name for e in named})
            if self.genders.get(self.person_entities[i], wanted) != wanted:
                earlier = [self.person_entities[k] for k in range(i - 1, max(-1, i - PRONOUN_LOOKBACK), -1)]
                for entity in earlier:
                    if self.genders.get(entity) == wanted:
                        return entity
                for entity in earlier:
                    if entity not in self.genders:
                        return entity
                return None
        return self.person_entities[i]


def _words(segment: str) -> list[str]:
    return re.findall(r"[\w\u2019'.-]+", segment)


def _subject_like(ctx: _Context, mention: Mention, seg_start: int) -> bool:
    before = ctx.masked[seg_start : mention.start].split()
    if before and before[-1].lower().strip(".,") in PREPOSITIONS:
        return False
    after = ctx.masked[mention.end : mention.end + 3]
    if re.match(r"[\u2019']s\b", after) or re.match(r"[\u2019'](?=\s)", after):
        return False  # a possessor ("Trump's spokesman"), not the speaker
    if mention.label == "PERSON" and NAME_AS_MODIFIER_RE.match(ctx.masked, mention.end):
        return False  # 'The Sanders campaign said': the campaign speaks, not Sanders
    noun = WORD_AFTER_NAME_RE.match(ctx.masked, mention.end, mention.end + 40)
    if mention.label == "PERSON" and noun and _role_or_relation(noun.group(1)):
        return False  # 'One Clinton spokesman has called', 'the Lincoln actor says': the role speaks
    return True


def _segments(ctx: _Context, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for match in re.finditer(r"[,;(\u2014\u2015]|\s[\u2013-]\s", ctx.masked[start:end]):
        out.append((pos, start + match.start()))
        pos = start + match.end()
    out.append((pos, end))
    return [(s, e) for s, e in out if ctx.masked[s:e].strip()]


def _segment_kind(ctx: _Context, s: int, e: int) -> str:
    words = _words(ctx.masked[s:e])
    if not words:
        return "empty"
    first = words[0].lower()
    if first in ("who", "which", "whose", "where", "whom"):
        return "relative"
    if first in DETERMINERS and any(is_role_word(w) for w in words[:6]) and first not in ("this", "that"):
        return "appositive"
    if first in ADVERBIAL_OPENERS or all(w.lower() in DAY_WORDS or w.isdigit() for w in words):
        return "adverbial"
    if is_role_word(words[0]) and not words[0][:1].isupper():
        return "appositive"
    return "clause"


def _only_a_name(ctx: _Context, s: int, e: int) -> bool:
    """A segment that is a person's or organisation's name alone, after 'and'/'but' or a title ('Sen.')."""
    mentions = [m for m in ctx.mentions_in(s, e) if m.label in ("PERSON", "ORG")]
    if len(mentions) != 1 or not _subject_like(ctx, mentions[0], s) or ctx.masked[mentions[0].end : e].strip():
        return False
    lead = ctx.masked[s : mentions[0].start].split()
    return all(w.lower() in LEAD_WORDS or is_role_word(w) for w in lead)


# 'the No. 2 in the GOP leadership': a name after a preposition and an article is its object, not a subject
PREPOSITION_ARTICLE_BEFORE_RE = re.compile(r"\b(?:" + "|".join(sorted(PREPOSITIONS)) + r")\s+(?:the|a|an)\s+$", re.I)


def _describes(ctx: _Context, s: int, e: int) -> bool:
    """A segment that goes on describing a name: opens lowercase ('the network's funding arm', 'and migration',
    'about the rapid spread of information', 'the No. 2 in the GOP leadership') and has no subject of its own (no
    pronoun, no name as subject)."""
    words = _words(ctx.masked[s:e])
    if not words or not words[0][:1].islower() or SUBJECT_PRONOUN_RE.search(ctx.masked, s, e):
        return False
    return not any(
        m.label in ("PERSON", "ORG")
        and _subject_like(ctx, m, s)
        and not PREPOSITION_ARTICLE_BEFORE_RE.search(ctx.masked, s, m.start)
        for m in ctx.mentions_in(s, e)
    )


def _appositive_chain(ctx: _Context, segments: list[tuple[int, int]], kinds: list[str]) -> list[str]:
    """Segment kinds with the appositives of a name chained: in 'Mark Holden, chairman of the board of Freedom
    Partners, the network's funding arm, said' and 'Anne Richards, assistant secretary of state for population,
    refugees, and migration, said', every lowercase phrase after the name describes it, so the name is the
    subject, not the last phrase before the verb."""
    out, chained = list(kinds), False
    for i, (s, e) in enumerate(segments):
        if chained and kinds[i] in ("clause", "appositive") and (kinds[i] == "appositive" or _describes(ctx, s, e)):
            out[i] = "appositive"
            continue
        # the name opens the clause (after adverbials only): in 'the letter - addressed to the attorney,
        # Channing D. Phillips - the Utah Republican asks' the name is an object inside an aside
        opens = all(kind == "adverbial" for kind in kinds[:i])
        chained = opens and (
            (kinds[i] == "clause" and _only_a_name(ctx, s, e)) or (kinds[i] == "adverbial" and _as_a_name(ctx, s, e))
        )
    return out


AS_RE = re.compile(r"\s*as\s+", re.I)


def _as_a_name(ctx: _Context, s: int, e: int) -> bool:
    """'As John Cornyn' opening 'As John Cornyn, the No. 2 in the GOP leadership, put it': the name is the subject
    of the speech verb its appositives lead to."""
    lead = AS_RE.match(ctx.masked, s, e)
    return lead is not None and _only_a_name(ctx, lead.end(), e)


def _subject_before(ctx: _Context, start: int, end: int, verb: str | None) -> _Speaker | None:
    """Who is the subject of a speech verb at `end`, reading the clause [start, end) back to front."""
    segments = _segments(ctx, start, end)
    if not segments:
        return None
    kinds = _appositive_chain(ctx, segments, [_segment_kind(ctx, s, e) for s, e in segments])
    as_names = [kind == "adverbial" and _as_a_name(ctx, s, e) for (s, e), kind in zip(segments, kinds)]
    clauses = []
    for i, ((s, e), kind) in enumerate(zip(segments, kinds)):
        named_before = any(
            m.label in ("PERSON", "ORG")
            for seg, seg_kind, as_name in zip(segments[:i], kinds[:i], as_names[:i])
            if seg_kind in ("clause", "appositive") or as_name
            for m in ctx.mentions_in(*seg)
        )
        # 'the mayor said' is a subject; ', a spokesman for X,' after a name is an appositive; 'as Cruz said',
        # 'As X told the AP' is an adverbial clause whose own verb is the speech verb: its subject speaks
        # ('As X, the No. 2 in ..., put it': the 'as' clause's name, its appositives chained after it)
        as_clause = kind == "adverbial" and AS_RE.match(ctx.masked, s, e) and (
            i == len(segments) - 1 or (all(k == "appositive" for k in kinds[i + 1 :]) and as_names[i])
        )
        if kind == "clause" or (kind == "appositive" and not named_before) or as_clause:
            clauses.append((s, e))
    last_words = _words(ctx.masked[start:end])
    while last_words and (last_words[-1].lower() in TRAILING_ADVERBS or last_words[-1].lower() in DAY_WORDS):
        last_words.pop()
    # 'NATO upgraded China ... and said': the subject of a coordinated verb opens the clause; so does the subject
    # of a participle after a comma ('Bush attacked Trump, calling him a “loser”': Bush calls, not Trump)
    participle = bool(verb and verb.endswith("ing") and re.search(r",\s*(?:also\s+|then\s+)?$", ctx.masked[start:end]))
    if participle:
        # '“...,” Law said, noting that ...': the participle goes with the speech verb it follows
        prior = [v for v in SPEECH_RE.finditer(ctx.masked, start, end) if v.group() not in NOUN_LIKE_VERBS]
        if prior and (found := _subject_before(ctx, start, prior[-1].start(), prior[-1].group().lower())):
            return _Speaker(found.text, found.start, found.entity, found.kind, verb)
    elif last_words and last_words[-1].lower() in ("he", "she", "they", "we", "i", "it"):
        # a pronoun object before a participle ('hear about it, arguing') is not its subject
        word = last_words[-1]
        at = ctx.masked.rfind(word, start, end)
        return _Speaker(ctx.text[at : at + len(word)], at, None, "pronoun", verb)
    if participle or re.search(r"\b(and|but)\s*$", ctx.masked[start:end]):
        for s, e in clauses:
            found = [m for m in ctx.mentions_in(s, e) if _subject_like(ctx, m, s)]
            pronoun = SUBJECT_PRONOUN_RE.search(ctx.masked, s, e)
            if found and (not pronoun or found[0].start < pronoun.start()):
                return _Speaker(found[0].text, found[0].start, found[0].entity, "entity", verb)
            if pronoun:
                return _Speaker(pronoun.group(), pronoun.start(), None, "pronoun", verb)
    relative = _relative_subject(ctx, segments, kinds, end, verb)
    if relative is not None:
        return relative
    # nearest clause first: the subject usually sits right before the verb, appositives skipped
    for s, e in reversed(clauses):
        found = [m for m in ctx.mentions_in(s, e) if _subject_like(ctx, m, s)]
        persons = [m for m in found if m.label == "PERSON"]
        named = persons or [m for m in found if m.label in ("ORG", "GPE", "NORP", "LOC", "FAC")]
        if named:
            return _Speaker(*_person_after_title(ctx, named[0], end), "entity", verb)
        pronoun = None
        for match in SUBJECT_PRONOUN_RE.finditer(ctx.masked, s, e):
            pronoun = match
        if pronoun:
            return _Speaker(pronoun.group(), pronoun.start(), None, "pronoun", verb)
        span = _noun_phrase_span(ctx, s, e)
        if span:
            phrase = re.sub(r"\s+", " ", ctx.text[span[0] : span[1]]).strip()
            return _Speaker(phrase, span[0], None, "nominal", verb)
    return None


QUANTIFIERS = frozenset("some many most few several others critics all both".split())


def _relative_subject(
    ctx: _Context, segments: list[tuple[int, int]], kinds: list[str], end: int, verb: str | None
) -> _Speaker | None:
    """'Beck, who has in the past described Trump as “...”': the speaker as written is the relative pronoun
    (PolNeAR's gold is 'who'), standing for the name it follows, which is what it resolves to."""
    if len(segments) < 2 or kinds[-1] != "relative":
        return None
    s, e = segments[-1]
    if ctx.masked[e:end].strip():
        return None  # 'Bateman, who traveled from Illinois, says': the relative clause closed before the verb
    rel = re.match(r"\s*(who|which)\b", ctx.masked[s:e], re.I)
    if rel is None:
        return None
    inner = s + rel.end()
    nxt = re.match(r"\s*([\w\u2019']+)", ctx.masked[inner:e])
    if nxt and (nxt.group(1).lower() in DETERMINERS or nxt.group(1).lower() in QUANTIFIERS):
        return None  # 'which some have argued': the relative pronoun is the object
    own_subject = any(_subject_like(ctx, m, inner) for m in ctx.mentions_in(inner, e))
    if own_subject or SUBJECT_PRONOUN_RE.search(ctx.masked, inner, e):
        return None  # 'which he called', 'who Beck called': the relative clause has a subject of its own
    at = s + rel.start(1)
    k = len(segments) - 2

    def age(k: int) -> bool:
        return re.fullmatch(r"[\s\d]+", ctx.masked[segments[k][0] : segments[k][1]]) is not None

    # 'Amara Diallo, 9, who said', 'Nicky Driscoll, 24, from Manchester, who said': an age, and the hometown after
    # it, between the name and the pronoun
    first = _words(ctx.masked[segments[k][0] : segments[k][1]])[:1]
    if k > 1 and first and first[0].lower() in PREPOSITIONS and age(k - 1):
        k -= 1
    while k > 0 and age(k):
        k -= 1
    while k > 0 and kinds[k] == "appositive" and kinds[k - 1] in ("clause", "appositive"):
        k -= 1  # 'Joe Madison, a D.C.-based talk radio host ..., who said': the name the appositives describe
    before = ctx.mentions_in(*segments[k])
    antecedent = before[-1] if before and not ctx.masked[before[-1].end : segments[k][1]].strip() else None
    if antecedent is None:
        return _Speaker(rel.group(1), at, None, "nominal", verb)
    ctx.antecedents[at] = antecedent
    return _Speaker(rel.group(1), at, antecedent.entity, "entity", verb)


def _carried(ctx: _Context, speaker: _Speaker | None) -> _Speaker | None:
    """The speaker handed on to the next quotes: a relative pronoun ('who') is handed on as the name it stands for,
    which a later sentence's quote would be attributed to."""
    if speaker is None or speaker.start not in ctx.antecedents:
        return speaker
    mention = ctx.antecedents[speaker.start]
    return _Speaker(mention.text, mention.start, mention.entity, "entity", speaker.verb)


def _noun_phrase_span(ctx: _Context, s: int, e: int) -> tuple[int, int] | None:
    """The noun phrase that ends a clause, back to its determiner or possessive ('America’s top diplomat', 'the
    mayor'), or a short bare one ('Officials'); not an object inside a predicate ('called for the videos')."""
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[\w\u2019'.-]+|\u2063+", ctx.masked[s:e])]
    words = [(s + a, s + b, w) for a, b, w in words]
    while words and words[0][2].lower() in LEAD_WORDS:
        words = words[1:]
    while words and (words[-1][2].lower() in TRAILING_ADVERBS or words[-1][2].lower() in DAY_WORDS):
        words = words[:-1]
    if not words or any(MASK in w for _, _, w in words):
        return None
    begin = None
    limit = NOMINAL_MAX_WORDS
    for i in range(len(words) - 1, -1, -1):
        if len(words) - i > limit:
            break
        word = words[i][2].lower()
        after_role = i > 1 and words[i - 1][2].lower() in ROLE_PREPOSITIONS and is_role_word(words[i - 2][2])
        if word in ROLE_PREPOSITIONS and i > 0 and is_role_word(words[i - 1][2]):
            limit += 1
            continue  # 'the senator from Vermont', 'the nominee for the Nov. 8 election': the role's phrase goes on
        if after_role and word in DETERMINERS:
            limit += 1
            continue
        if word in DETERMINERS or re.search(r"[\u2019']s?$", word):
            begin = i
            if i > 0 and word not in DETERMINERS and words[i - 1][2].lower() in DETERMINERS:
                begin = i - 1  # 'the ad’s narrator'
            break
        if word in ("of", "and") and i > 0:
            continue  # 'the mother of three', 'the former secretary of state and current nominee'
        if word in PREPOSITIONS or word in LEAD_WORDS or word in ("who", "which", "that", "by"):
            return None
    if begin is None:
        bare_role = len(words) <= limit and is_role_word(words[0][2]) and limit > NOMINAL_MAX_WORDS
        if (len(words) > 3 and not bare_role) or re.fullmatch(r"[a-z]+ly", words[0][2]):
            return None  # 'Clinton, clearly frustrated, responded': an adverb opens no noun phrase
        begin = 0
    # what comes before the phrase must not be a verb phrase: only openers, names, dates and prepositions
    for _, _, word in words[:begin]:
        low = word.lower()
        if not (word[:1].isupper() or word[:1].isdigit() or low in LEAD_WORDS or low in DAY_WORDS or low in PREPOSITIONS):
            return None
    if len(words) - begin == 1 and words[begin][2].lower() in ("that", "it", "there", "this"):
        return None
    if any(w.lower() in CLAUSE_WORDS or re.search(r"n[\u2019']t$", w.lower()) for _, _, w in words[begin:]):
        return None  # 'wouldn’t', 'Why not', 'shaking up what': a clause, not a noun phrase
    return words[begin][0], words[-1][1]


ABBREVIATION_DOT_RE = re.compile(
    r"\b(Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Rev|St|Ft|Sgt|Capt|Maj|Adm|Prof|Jr|Sr|[A-Z])\."
)
HONORIFIC_RE = re.compile(r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sen|Rep|Gov|Gen|Rev)\.?\s+")


RELATION_NOUNS = frozenset("ally allies supporter backer friend confidant surrogate".split())
# The lowercase word right after a name: when it is a role, the name modifies it ('One Clinton spokesman').
WORD_AFTER_NAME_RE = re.compile(r"\s+([a-z][a-z-]+)\b")


def _role_or_relation(word: str) -> bool:
    """A noun that names what someone is to others: a role ('spokesman', 'actor') or a relation ('ally')."""
    return is_role_word(word) or word in RELATION_NOUNS
# Words that make a gap a clause, not a title ('Trump is questioning whether President Obama').
NOT_IN_TITLE = frozenset("is are was were be has have had will would could should whether that and or but".split())


def _title_gap(words: list[str]) -> bool:
    """Words between an owner and a person that make a title: 'spokesman', 'campaign manager', 'Board Chair'."""
    if words and re.fullmatch(r"[\u2019']s?", words[0]):
        words = words[1:]  # 'Clinton’s top foreign policy aide Jake Sullivan': the owner's possessive
    if not 0 < len(words) <= 4:
        return False
    last = words[-1].lower().rstrip(".")
    return _role_or_relation(last) and all(
        w[:1].isupper() or w[:1].islower() and w.isalpha() and w not in NOT_IN_TITLE and not w.endswith("ing")
        for w in words
    )


def _person_after_title(ctx: _Context, mention: Mention, end: int) -> tuple[str, int, int]:
    """'Planning Board Chair Elena Vasquez', 'Cruz spokesman Rick Tyler': the organisation or person that opens
    a title is not the speaker; the person the title ends on is, if inside the phrase read (before `end`): in
    'Dan Patrick says Sen. Ted Cruz is' the verb ends the subject. Returns (text, start, entity)."""
    i = bisect.bisect_right(ctx.starts, mention.start)
    if i < len(ctx.mentions):
        nxt = ctx.mentions[i]
        gap = ctx.masked[mention.end : nxt.start].split()
        if (
            nxt.label == "PERSON"
            and mention.end < nxt.start
            and nxt.end <= end
            and not any(SPEECH_RE.fullmatch(w) for w in gap)
            and _title_gap(gap)
        ):
            return nxt.text, nxt.start, nxt.entity
    return mention.text, mention.start, mention.entity


TITLE_MODIFIERS = frozenset(
    "retired former then acting interim late longtime veteran current outgoing incoming".split()
)
TITLE_LINKS = frozenset("of for and the".split())
TITLE_MAX_WORDS = 10


def _title_words(gap: list[str]) -> bool:
    """Words of a title before a name: 'Sen.', 'retired Army Lt. Gen.', 'former secretary of state', 'master of
    ceremonies', 'former Pennsylvania Gov. and Democratic National Committee Chairman'. Lowercase words only as a
    role, a modifier ('former'), a link ('of', 'and') or a noun joined by 'of'/'for'; the last word is no link
    ('the campaign of Hillary Clinton' is the campaign's)."""
    if not gap or len(gap) > TITLE_MAX_WORDS or gap[-1].lower() in TITLE_LINKS:
        return False
    for k, word in enumerate(gap):
        low = word.lower()
        joined = (k > 0 and gap[k - 1].lower() in ("of", "for")) or (k + 1 < len(gap) and gap[k + 1].lower() == "of")
        if "," in word or not (
            (word[:1].isupper() and "," not in word) or is_role_word(word) or low in TITLE_MODIFIERS
            or low in TITLE_LINKS or (joined and word.isalpha())
        ):
            return False
    return any(is_role_word(w) for w in gap) or any(w.lower() == "of" for w in gap)


def _titled_person_at(ctx: _Context, start: int, end: int) -> Mention | None:
    """'said Sen. Jim Whelan', 'said retired Army Lt. Gen. Mick Bednarek', 'said former secretary of state Hillary
    Clinton': the person a title leads to; places and organisations inside the title are part of it."""
    i = bisect.bisect_left(ctx.starts, start)
    while i < len(ctx.mentions) and ctx.mentions[i].start - start <= 100 and ctx.mentions[i].end <= end:
        nxt = ctx.mentions[i]
        if nxt.label == "PERSON":
            gap = ctx.masked[start : nxt.start]
            plain = not re.search(r"[,;:\u2014\u2013(\u201c\"]|" + MASK, gap)
            return nxt if plain and _title_words(gap.split()) else None
        i += 1
    return None


def _speaker_after(ctx: _Context, pos: int, end: int, verb: str | None) -> _Speaker | None:
    """The speaker right after an inverted verb: 'said Rosa Delgado', 'said the minister'."""
    rest = ctx.masked[pos:end]
    lead = len(rest) - len(rest.lstrip())
    start = pos + lead
    honorific = HONORIFIC_RE.match(ctx.masked, start, end)
    if honorific and ctx.mention_at(honorific.end()) is not None:
        start = honorific.end()  # 'said Mr. Reeves': the name after the honorific
    mention = ctx.mention_at(start) or _titled_person_at(ctx, start, end)
    if mention is not None:
        return _Speaker(*_person_after_title(ctx, mention, end), "entity", verb)
    match = re.match(r"(he|she|they|we|it|i)\b", ctx.masked[start:end], re.I)
    if match:
        return _Speaker(match.group(), start, None, "pronoun", verb)
    # abbreviation dots ('Sen.', 'Lt. Gen.', 'J.') do not end the phrase: hidden, same length
    segment = ABBREVIATION_DOT_RE.sub(lambda m: m.group(1) + "\0", ctx.masked[start:end])
    match = re.match(r"[^,;.\u2014(\u201c\"]+", segment)
    if match:
        words = []
        for word in _words(match.group())[:NOMINAL_MAX_WORDS]:
            if words and word.lower() in PREPOSITIONS | DAY_WORDS | {"that", "who", "which"}:
                break
            words.append(word)
        if words and words[0].lower() not in PREPOSITIONS | DAY_WORDS | {"that", "in", "on"}:
            phrase_end = ctx.masked.find(words[-1], start, end) + len(words[-1])
            named = _appositive_name(ctx, phrase_end, end)
            if named is not None:
                return _Speaker(named.text, named.start, named.entity, "entity", verb)
            phrase = re.sub(r"\s+", " ", ctx.text[start:phrase_end]).strip()
            return _Speaker(phrase, start, None, "nominal", verb)
    return None


def _appositive_name(ctx: _Context, pos: int, end: int) -> Mention | None:
    """'said the bureau’s director, James B. Comey, on Friday': the person a role phrase is followed by, as an
    appositive set off by commas (or ending the sentence), is the one the role phrase describes."""
    comma = re.match(r",\s+", ctx.masked[pos:end])
    if comma is None:
        return None
    mention = ctx.mention_at(pos + comma.end())
    if mention is None or mention.label != "PERSON":
        return None
    if not re.match(r"\s*(?:[,.;:\u2014]|$)", ctx.masked[mention.end : end]) and mention.end != end:
        return None
    return mention


def _tail_attribution(ctx: _Context, span: _Span, limit: int) -> _Speaker | None:
    """'“...,” Zhu said.' / '“...,” said Zhu Feng, dean of ...' / '“...,” his adviser, Kim, told reporters'."""
    tail_start = span.close + 1
    tail = ctx.masked[tail_start:limit]
    if not tail.strip() or tail.lstrip()[:1] in EN_OPEN:
        return None
    match = re.match(r"[\s,]*(" + SPEECH_RE.pattern + r")\s+", tail)
    if match and match.group(1).split()[0].lower() in INVERTIBLE_VERBS | {"according"}:
        return _speaker_after(ctx, tail_start + match.end(), limit, match.group(1).lower())
    verb = SPEECH_RE.search(tail)
    if verb and verb.group().lower().startswith("according"):
        return _speaker_after(ctx, tail_start + verb.end(), limit, verb.group().lower())
    if not verb or len(tail[: verb.start()].split()) > 14:
        return None
    if verb.group().lower() in INVERTIBLE_VERBS and re.search(r",\s*$", tail[: verb.start()]):
        # '“...” in the 2008 primary, said Paul Beck': inverted after a phrase of its own
        found = _speaker_after(ctx, tail_start + verb.end(), limit, verb.group().lower())
        if found is not None:
            return found
    return _subject_before(ctx, tail_start, tail_start + verb.start(), verb.group().lower())


LABEL_RE = re.compile(r"([A-Z][A-Z.'\u2019-]+(?: [A-Z][A-Z.'\u2019-]+){0,3}):\s")
CREDIT_LINE_RE = re.compile(r"[.\s]{0,3}\n[ \t]*(?:\n[ \t]*)?[\u2015\u2014\u2013-]\s*")
DASH_RE = re.compile(r"\s*[\u2015\u2014\u2013-]{1,2}\s*")


def _label_or_dash(ctx: _Context, span: _Span, limit: int) -> _Speaker | None:
    """Transcripts ('“PENCE: Well, ...”') and pull-quote credits ('“...” ― Carla Sanchez')."""
    label = LABEL_RE.match(ctx.text, span.start, span.end)
    if label and label.group(1) not in ("Q", "A", "NOTE", "UPDATE", "EDITOR'S NOTE"):
        return _Speaker(label.group(1).title(), span.start, None, "nominal", None)
    credit = CREDIT_LINE_RE.match(ctx.masked, span.close + 1)
    if credit:  # '“... look into it.”\n\n- Hillary Clinton.': a credit line of its own under the quote
        mention = ctx.mention_at(credit.end())
        line_end = ctx.text.find("\n", credit.end())
        rest = ctx.text[mention.end : line_end if line_end >= 0 else len(ctx.text)] if mention else ""
        if mention is not None and mention.label in ("PERSON", "ORG") and re.match(r"\s*(?:[.,]|$)", rest):
            if not re.search(r"[\u2013\u2014-]\W*$", rest):  # '– An immigrant himself –.' is a heading
                return _Speaker(mention.text, mention.start, mention.entity, "entity", None)
    dash = DASH_RE.match(ctx.masked, span.close + 1, limit)
    if dash and span.close + 1 < len(ctx.text):
        after = dash.end()
        mention = ctx.mention_at(after)
        if mention is not None and mention.label in ("PERSON", "ORG"):
            return _Speaker(mention.text, mention.start, mention.entity, "entity", None)
        name = re.match(r"(?:[A-Z][\w.'\u2019-]*)(?: [A-Z][\w.'\u2019-]*){0,3}", ctx.text[after:limit])
        line_end = ctx.text.find("\n", after)
        rest = ctx.text[after + (name.end() if name else 0) : line_end if line_end >= 0 else len(ctx.text)]
        if name and (not rest.strip() or rest.lstrip()[:1] in ",."):
            return _Speaker(name.group(), after, None, "nominal", None)
    return None


def _adjacent_tail(ctx: _Context, span: _Span, limit: int) -> bool:
    """'“...,” said Victor Cha' / '“...,” the official said': attribution right after the closing mark."""
    tail = ctx.masked[span.close + 1 : limit]
    verb = SPEECH_RE.search(tail)
    if not verb:
        return False
    before = tail[: verb.start()]
    return MASK not in before and len(before.split()) <= 8 and not re.match(r"[\s,]*(and|or|but)\b", before)


def _head_attribution(ctx: _Context, span: _Span, sentence_start: int) -> _Speaker | None:
    """'Smith said “...”' / 'Lin Jian, a spokesman ..., accused NATO of “...”' / 'according to Smith, “...”'."""
    head = ctx.masked[sentence_start : span.open]
    verbs = list(SPEECH_RE.finditer(head))
    if not verbs:
        colon = re.search(r":\s*$", head)
        if colon:  # 'Philip Bump: “...”', 'the mayor’s answer: “...”'
            found = _subject_before(ctx, sentence_start, sentence_start + colon.start(), None)
            if found and (found.kind == "entity" or found.kind == "pronoun" and found.text.lower() != "it"):
                return found  # not 'worded it carefully: “...”', where 'it' is the object
            # 'Trump ... leaned in and boomed: “...”', 'Hoff’s letter makes a case: “...”': the clause's actor
            return _nearest_actor(ctx, sentence_start, sentence_start + colon.start())
        return None
    clear = [v for v in verbs if v.group() not in NOUN_LIKE_VERBS]
    verb = (clear or verbs)[-1]
    verb_at = sentence_start + verb.start()
    if verb.group().lower().startswith("according"):
        return _speaker_after(ctx, sentence_start + verb.end(), span.open, verb.group().lower())
    # inverted with the quote before: 'said Smith, “...”' is rare; the subject precedes the verb
    found = _subject_before(ctx, sentence_start, verb_at, verb.group().lower())
    for earlier in reversed(clear[:-1] if clear and clear[-1] is verb else []):
        if found is not None:
            break
        # 'The email goes on to say: “...”': the subject stands before the first verb of the chain
        found = _subject_before(ctx, sentence_start, sentence_start + earlier.start(), earlier.group().lower())
    if found is not None and "," in ctx.masked[sentence_start + verb.end() : span.open]:
        found = _carried(ctx, found)  # 'Beck, who called X “...,” wanted them to “turn away”': Beck's clause
    if found is None:
        after = _speaker_after(ctx, sentence_start + verb.end(), span.open, verb.group().lower())
        if after and after.kind == "entity":
            return after
    if found is not None and found.kind == "pronoun":
        return (
            _reporting_subject(ctx, sentence_start, span.open, found)
            or _named_subject_of_embedding(ctx, sentence_start, found)
            or found
        )
    return found


def _reporting_subject(ctx: _Context, sentence_start: int, quote_open: int, pronoun: _Speaker) -> _Speaker | None:
    """'Erin Brockovich ... endorsed the plan, saying she had not ... because she believed “...”', 'Clinton
    acknowledged that she had misspoken when she claimed ... “truthful”': the quote sits in what a named person is
    reported to have said, whose subject is that same he/she; the quoted words are given as the named person's.
    Not when the pronoun's own speech verb introduces the quote ('Bush says he’s going to ... He says “...”': the
    pronoun is the speaker as written)."""
    if pronoun.text.lower() not in ("he", "she"):
        return None
    if re.search(r"\b(?:" + SPEECH_RE.pattern + r")[\s,:]*(?:that\s*)?$", ctx.masked[pronoun.start : quote_open]):
        return None
    head = ctx.masked[sentence_start : pronoun.start + len(pronoun.text)]
    for verb in SPEECH_RE.finditer(head):
        word = verb.group().lower()
        if verb.group() in NOUN_LIKE_VERBS or word.startswith("according"):
            continue
        follows = re.match(r"\s*,?\s*(?:that\s+)?(he|she)\b", head[verb.end() :], re.I)
        if follows is None or follows.group(1).lower() != pronoun.text.lower():
            continue
        outer = _subject_before(ctx, sentence_start, sentence_start + verb.start(), word)
        if outer is not None and outer.kind == "nominal":
            return _Speaker(outer.text, outer.start, None, "nominal", verb.group())  # 'The longtime senator said he'
        if outer is not None and outer.kind == "entity" and outer.entity is not None:
            if ctx.entities[outer.entity].label == "PERSON":
                return _Speaker(outer.text, outer.start, outer.entity, "entity", verb.group())
        return None
    return None


EMBEDDED_PRONOUN_RE = re.compile(r"\b(?:what|whom|which)\s+$", re.I)


def _named_subject_of_embedding(ctx: _Context, sentence_start: int, pronoun: _Speaker) -> _Speaker | None:
    """'Rubio said ... Trump, whom he called a “con artist”': a pronoun speaking inside a relative clause is the
    person the sentence opens with, who is named there."""
    if pronoun.text.lower() not in ("he", "she") or not EMBEDDED_PRONOUN_RE.search(ctx.masked[sentence_start : pronoun.start]):
        return None
    for s, e in _segments(ctx, sentence_start, pronoun.start)[:1]:
        mention = next((m for m in ctx.mentions_in(s, e) if _subject_like(ctx, m, s)), None)
        if mention is not None and mention.label == "PERSON":
            return _Speaker(mention.text, mention.start, mention.entity, "entity", pronoun.verb)
    return None


def _sentence_attribution(ctx: _Context, start: int, end: int) -> _Speaker | None:
    """A speech verb in a sentence without its own quote: 'America's top diplomat said the U.S. ...'."""
    verbs = [v for v in SPEECH_RE.finditer(ctx.masked, start, end)]
    for verb in verbs:
        if verb.group().lower().startswith("according"):
            found = _speaker_after(ctx, verb.end(), end, verb.group().lower())
        else:
            found = _subject_before(ctx, start, verb.start(), verb.group().lower())
            if found is None and verb.group().lower() in INVERTIBLE_VERBS:
                found = _speaker_after(ctx, verb.end(), end, verb.group().lower())  # '“...,” said O’Donnell, who'
        if found:
            return _carried(ctx, found)
    return None


# Nouns for something said: 'Trump's pledge to be “neutral”', 'Sanders's call for a “revolution”'.
SPEECH_NOUNS_RE = re.compile(
    r"[\u2019']s?\s+(?:[\w-]+\s+){0,3}?(?:claims?|pledges?|promises?|calls?|slogans?|words|phrases?|remarks?|"
    r"comments?|statements?|descriptions?|assertions?|arguments?|warnings?|vows?|demands?|accusations?|"
    r"insistence|characteri[sz]ation|catch\s*phrase|tweets?|message|rallying cry|refrain|mantra|line)\b"
)


def _nearest_actor(ctx: _Context, start: int, end: int) -> _Speaker | None:
    """No speech verb: the person or organisation whose words the sentence names ('Trump's pledge to be
    “neutral”'), else the sentence's first person, organisation or personal pronoun, outside relative clauses
    ('NATO upgraded China to a “...”', 'That’s when she pointed to “...”')."""
    for mention in ctx.mentions_in(start, end):
        if mention.label in ("PERSON", "ORG") and SPEECH_NOUNS_RE.match(ctx.masked, mention.end, end):
            return _Speaker(mention.text, mention.start, mention.entity, "entity", None)
    segments = _segments(ctx, start, end)
    for k, (s, e) in enumerate(segments):
        kind = _segment_kind(ctx, s, e)
        if kind == "relative" or (kind == "adverbial" and k + 1 < len(segments)):
            continue  # 'If he wins the presidency, Trump ...': the subordinate clause's subject is not the actor
        opening = _role_phrase_with_name(ctx, s, e) or _document_subject(ctx, s, e)
        if opening is not None:
            return opening
        mention = next(
            (m for m in ctx.mentions_in(s, e) if m.label in ("PERSON", "ORG") and _subject_like(ctx, m, s)), None
        )
        pronoun = re.compile(r"\b(he|she|they|we|I|He|She|They|We)\b").search(ctx.masked, s, e)
        if pronoun and (mention is None or pronoun.start() < mention.start):
            return _Speaker(pronoun.group(), pronoun.start(), None, "pronoun", None)
        if mention is not None:
            return _Speaker(*_person_after_title(ctx, mention, e), "entity", None)
    return None


DOCUMENT_NOUNS = frozenset(
    "report letter statement ad advert memo email e-mail complaint lawsuit suit order study poll survey tweet post "
    "message editorial article book video document transcript website release filing memoir column spot commercial "
    "footnote indictment affidavit petition resolution ruling analysis headline mailer flyer note brief".split()
)


def _document_subject(ctx: _Context, s: int, e: int) -> _Speaker | None:
    """'The complaint, which was filed ..., alleged that the DNC “...”', 'The Rove ad hits Clinton for “...”': a
    clause whose subject is a document speaks through it, whoever it names after."""
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[\w\u2019'.-]+", ctx.masked[s:e])][:7]
    while words and words[0][2].lower() in LEAD_WORDS:
        words = words[1:]
    if not words or not (words[0][2].lower() in DETERMINERS or re.search(r"[\u2019']s?$", words[0][2])):
        return None
    for k, (_, end, word) in enumerate(words[1:5], start=1):
        if word.lower().rstrip("s") in DOCUMENT_NOUNS or word.lower() in DOCUMENT_NOUNS:
            if k + 1 < len(words) and words[k + 1][2].lower() in DOCUMENT_NOUNS:
                continue  # 'the ad campaign': the head comes later
            phrase = re.sub(r"\s+", " ", ctx.text[s + words[0][0] : s + end]).strip()
            return _Speaker(phrase, s + words[0][0], None, "nominal", None)
        if word.lower() in PREPOSITIONS or word.lower() in CLAUSE_WORDS or not (word[:1].isupper() or word.isalpha()):
            return None
    return None


def _role_phrase_with_name(ctx: _Context, s: int, e: int) -> _Speaker | None:
    """'This Trump doppelganger spoke ...', 'One Clinton spokesman has called ...': a clause that opens with a
    noun phrase whose head is a role and whose modifier is a person's name; the phrase is the actor, as written."""
    mentions = ctx.mentions_in(s, e)
    if not mentions or mentions[0].label != "PERSON":
        return None
    mention = mentions[0]
    lead = ctx.masked[s : mention.start].split()
    if len(lead) > 2 or any(not (w.lower() in DETERMINERS or w.lower() in LEAD_WORDS or w.islower()) for w in lead):
        return None
    noun = WORD_AFTER_NAME_RE.match(ctx.masked, mention.end, e)
    modifier = NAME_AS_MODIFIER_RE.match(ctx.masked, mention.end)
    if noun is None or not (_role_or_relation(noun.group(1)) or modifier):
        return None
    begin = s + len(ctx.masked[s:e]) - len(ctx.masked[s:e].lstrip())
    while lead and lead[0].lower() in LEAD_WORDS:
        begin = ctx.masked.index(lead[0], begin) + len(lead[0])
        begin += len(ctx.masked[begin:e]) - len(ctx.masked[begin:e].lstrip())
        lead = lead[1:]
    phrase = re.sub(r"\s+", " ", ctx.text[begin : noun.end()]).strip()
    return _Speaker(phrase, begin, None, "nominal", None)


def _opening_subject(ctx: _Context, start: int, end: int) -> _Speaker | None:
    """The person or organisation a sentence opens with, as its subject ('Valastro praised Christie ...')."""
    mention = next(iter(ctx.mentions_in(start, end)), None)
    if mention is None or mention.label not in ("PERSON", "ORG") or ctx.masked[start : mention.start].strip():
        return None
    if not _subject_like(ctx, mention, start) or re.match(r"\s*(?:and|or)\b", ctx.masked[mention.end : end]):
        return None
    return _Speaker(mention.text, mention.start, mention.entity, "entity", None)


def _kind(text: str, span: _Span, paragraph_start: int) -> Literal["full", "partial", "scare"]:
    inner = text[span.start : span.end]
    if len(inner.split()) <= SCARE_MAX_WORDS:
        return "scare"
    before = text[max(paragraph_start, span.open - 200) : span.open].rstrip()
    first_alpha = next((ch for ch in inner if ch.isalpha()), "")
    starts_sentence = not before or before[-1] in ".!?:,;\u2014\u201d\"" or bool(
        re.search(r"\b(" + "|".join(SPEECH_VERBS) + r")$", before)
    )
    if starts_sentence and (first_alpha.isupper() or not first_alpha):
        return "full"
    return "partial"


def _build_quotes(text: str, analysis: EntityAnalysis) -> list[Quote]:
    spans = find_quote_spans(text)
    if not spans:
        return []
    ctx = _Context(text, analysis, spans)
    paragraphs = _paragraphs(text)
    by_paragraph: dict[int, list[_Span]] = {}
    for span in spans:
        by_paragraph.setdefault(span.paragraph, []).append(span)

    speakers: dict[int, _Speaker | None] = {}
    chain_speaker: dict[int, _Speaker] = {}
    previous_paragraph_speaker: _Speaker | None = None
    last_paragraph_with_quote = -2
    for p_index, (p_start, p_end) in enumerate(paragraphs):
        p_spans = by_paragraph.get(p_index, [])
        starts = _sentence_starts(ctx.masked, p_start, p_end, p_spans)
        last_speaker: _Speaker | None = None
        if not p_spans:
            # a paragraph without quotes hands its last sentence's speaker ("X said:", "X argued in his email.")
            # or subject ("Viguerie is upbeat about Cruz.") to a next paragraph that is a quote naming nobody
            s0 = max(s for s in starts if s < p_end)
            last_said = _sentence_attribution(ctx, s0, p_end) or _opening_subject(ctx, s0, p_end)
            colon = re.search(r":\s*$", ctx.masked[s0:p_end])
            if last_said is None and colon:  # 'He then listed the qualities a nominee needs:' and the list
                last_said = _nearest_actor(ctx, s0, s0 + colon.start())
            previous_paragraph_speaker = _carried(ctx, last_said)
            continue
        for span in p_spans:
            i = max(0, bisect.bisect_right(starts, span.open) - 1)
            s_start = max(starts[i], span.open - CONTEXT_CHARS)
            # the sentence a quote sits in may continue after it ('“...?” Cao asked at ...')
            j = bisect.bisect_right(starts, span.close) - 1
            q_end_sentence = min(starts[j + 1] if 0 <= j < len(starts) - 1 else p_end, span.close + CONTEXT_CHARS)
            kind = _kind(text, span, p_start)
            speaker = None
            inner_last = span.inner_last
            tail_first = (
                kind == "full"
                and (inner_last in (",", "?", "!", "\u2014", "-", "\u2026") or not inner_last.isalnum() and inner_last != ".")
            ) or (inner_last in ",?!" and _adjacent_tail(ctx, span, q_end_sentence))
            attempts = (
                [lambda: _tail_attribution(ctx, span, q_end_sentence), lambda: _head_attribution(ctx, span, s_start)]
                if tail_first
                else [lambda: _head_attribution(ctx, span, s_start), lambda: _tail_attribution(ctx, span, q_end_sentence)]
            )
            attempts = [lambda: _label_or_dash(ctx, span, q_end_sentence)] + attempts
            for attempt in attempts:
                speaker = attempt()
                if speaker:
                    break
            if speaker is None and span.chain in chain_speaker:
                speaker = chain_speaker[span.chain]
            if speaker is None and kind != "full":
                speaker = _nearest_actor(ctx, s_start, span.open)
            if speaker is None and last_speaker is not None:
                speaker = last_speaker  # '“...,” Zhu said. “We also hope ...”'
            if speaker is None:
                if i > 0:
                    speaker = _sentence_attribution(ctx, max(starts[i - 1], starts[i] - CONTEXT_CHARS), starts[i])
            if speaker is None and not ctx.masked[p_start : span.open].strip():
                # a paragraph that opens with a quote and names nobody continues the previous speaker
                if last_paragraph_with_quote == p_index - 1 or previous_paragraph_speaker is not None:
                    speaker = previous_paragraph_speaker
            speakers[id(span)] = speaker
            if speaker is not None:
                last_speaker = _carried(ctx, speaker)
                chain_speaker.setdefault(span.chain, last_speaker)
        # chained pieces found their speaker later (attribution after the last paragraph): share it back
        previous_paragraph_speaker = last_speaker
        last_paragraph_with_quote = p_index
    for span in spans:
        if speakers.get(id(span)) is None and span.chain in chain_speaker:
            speakers[id(span)] = chain_speaker[span.chain]

    quotes: list[Quote] = []
    for span in spans:
        if _is_named_work(ctx, span):
            continue
        ordinal = len(quotes)
        speaker = speakers.get(id(span))
        name = label = None
        speaker_text = verb = None
        if speaker is not None:
            speaker_text, verb = speaker.text, speaker.verb
            recent = ctx.recent_person(speaker.start, speaker.text) if speaker.kind == "pronoun" else None
            name, label = resolve_speaker(
                speaker.text,
                analysis.entities,
                position=speaker.start,
                recent_person=recent,
                mention_entity=speaker.entity,
            )
            if name is None and speaker.kind != "pronoun":
                # not an entity of the article ('said Hannity', 'one New Hampshire Democrat', 'One strategist'):
                # kept as written, without a label, rather than lost
                name = _kept_as_written(speaker.text)
        quotes.append(
            _quote(text, span, paragraphs, ordinal, speaker_text=speaker_text, speaker=name, label=label, verb=verb)
        )
    return quotes


def _quote(
    text: str,
    span: _Span,
    paragraphs: list[tuple[int, int]],
    ordinal: int,
    speaker_text: str | None = None,
    speaker: str | None = None,
    label: str | None = None,
    verb: str | None = None,
) -> Quote:
    """The Quote row of one span: its text, offsets and kind, with whatever attribution was found."""
    return Quote(
        ordinal=ordinal,
        text=text[span.start : span.end],
        start=span.start,
        end=span.end,
        speaker_text=speaker_text,
        speaker=speaker,
        speaker_label=label,
        verb=verb,
        kind=_kind(text, span, paragraphs[span.paragraph][0]),
    )


def _names_someone(phrase: str) -> bool:
    """A name ('Hannity', 'M. Dane Waters') or a description with a name in it ('one New Hampshire Democrat',
    'The Sanders campaign', 'Powell’s office', 'Clinton supporters'); not a title alone ('Sen'), a bare noun
    phrase ('the group') or a pronoun."""
    words = phrase.split()
    if not 0 < len(words) <= 8:
        return False
    if len(words) == 1:
        word = words[0]
        return word[:1].isupper() and len(word) >= 3 and not is_role_word(word) and word.lower() not in DETERMINERS
    first_is_owner = (
        words[0][:1].isupper()
        and words[0].lower() not in DETERMINERS
        and (re.search(r"[\u2019']s?$", words[0]) is not None or NAME_AS_MODIFIER_RE.match(" " + " ".join(words[1:])) is not None)
    )
    return first_is_owner or any(w[:1].isupper() for w in words[1:]) or all(w[:1].isupper() for w in words) and (
        words[0].lower() not in DETERMINERS
    )


# Last words that are no noun a description could end on ('Another', 'most', 'the').
NOT_A_HEAD = (
    DETERMINERS | QUANTIFIERS | PRONOUNS_PERSON | PRONOUNS_GROUP
    | frozenset("who which that whom as is just multiple its their his her".split())
)


def _kept_as_written(phrase: str) -> str | None:
    """The speaker phrase to keep when it resolves to no entity: a name (see _names_someone) as written, or a
    description of an unnamed source ('One strategist', 'a senior administration official', 'His wife'), who
    spoke as far as the article says, without a word the rules ran on to ('Her campaign quickly', 'the order
    released', 'his eyes gleaming'). None for what the rules take for a subject where there is none: a relative
    pronoun whose antecedent was not found, a phrase ending on no noun ('Another', 'a', 'giving', 'March 1') or
    opening with a preposition."""
    if _names_someone(phrase):
        return phrase
    words = phrase.split()
    if len(words) >= 3 and words[-1].islower() and words[-1].endswith(("ly", "ed", "ing")):
        words.pop()
    if not 0 < len(words) <= 8 or words[0].lower() in PREPOSITIONS or words[0].lower() in ("through", "as"):
        return None
    last = words[-1].lower().rstrip(".,;:")
    if (
        re.fullmatch(r"[a-z0-9][a-z0-9'\u2019-]*[a-z]", last) is None  # 'the ad', 'the 46-year-old'
        or last in NOT_A_HEAD
        or len(words) == 1 and last.endswith("ing")  # 'giving'; 'the ruling' is a description
    ):
        return None
    return " ".join(words)


def quotes_without_speakers(text: str) -> list[Quote]:
    """Quotes of a text in a language the attribution rules do not read: spans and kinds, no speaker (a missing
    speaker is better than a wrong one)."""
    paragraphs = _paragraphs(text)
    return [_quote(text, span, paragraphs, ordinal) for ordinal, span in enumerate(find_quote_spans(text))]


def quotes_for_analysis(analysis: EntityAnalysis) -> list[Quote]:
    """Quotes of one text with speakers resolved against its entities. A rule that fails raises: the analysis
    step records it on the article."""
    return _build_quotes(analysis.text, analysis)
