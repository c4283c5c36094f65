"""Text normalisation and paragraph-level boilerplate rules shared by HTML and plain-text extraction.

Each rule is a small named predicate over one paragraph, so a wrongly dropped paragraph can be traced to the
rule that dropped it (`explain_drops`) and each rule has its own unit test. Rules look at the shape of a line
(case, length, punctuation, position) rather than at any one site's wording, except for a few stock phrases
of publishing software ("Leave a Comment", "Scroll to Top") that are the same everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from tasks.boilerplate_phrases import (
    CAPTION_LABELS,
    DATE_FILLERS,
    MONTH_NAMES,
    NEWS_AGENCIES,
    NOTICE_TOPICS,
    NOTICE_VERBS,
    POST_META_STARTS,
    PROMPT_STARTS,
    RELATED_HEADINGS,
    RIGHTS_NOTICES,
    TEASER_LABELS,
    WEEKDAY_NAMES,
    WIDGET_LABELS,
    ZOOM_LABELS,
)

# ---------------------------------------------------------------------------------------------------------
# normalize_text

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u2061\u2062\u2063"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u3000\t\x0b\x0c\r"), " ")
_TRANSLATE = {**_ZERO_WIDTH, **_SPACES}
# one scan decides whether the (slower) mojibake repair and character mapping are needed at all
_NEEDS_WORK = re.compile("[\u00c2\u00c3\u00e2" + "".join(chr(c) for c in _TRANSLATE if c > 127) + "]")
# Runs of characters that UTF-8 bytes become when decoded as cp1252/latin-1 ("â€™", "Ã©").
_MOJIBAKE_RUN = re.compile("(?:[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+)+")
_MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
_MULTI_SPACE = re.compile(r" {2,}")
_SPACE_AROUND_NL = re.compile(r" *\n *")
_MANY_NL = re.compile(r"\n{3,}")


def _fix_mojibake_run(match: re.Match[str]) -> str:
    run = match.group(0)
    raw = bytearray()
    for ch in run:
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 255:
                return run
            raw.append(ord(ch))  # bytes cp1252 leaves undefined (0x81, 0x8d, 0x9d...) pass through latin-1
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return run


def repair_mojibake(s: str) -> str:
    """Undo UTF-8-read-as-cp1252 damage run by run; a run that does not decode cleanly is left as it is."""
    if not _MOJIBAKE_HINT.search(s):
        return s
    return _MOJIBAKE_RUN.sub(_fix_mojibake_run, s)


def normalize_text(s: str) -> str:
    """NFC, mojibake repaired where cheap, zero-width characters gone, odd spaces -> " ", whitespace collapsed.

    Curly quotes and dashes are kept: they carry meaning for quote detection. Single newlines survive (a <br>
    inside a paragraph); three or more become a paragraph break.
    """
    if not s:
        return ""
    if not s.isascii():
        if _NEEDS_WORK.search(s):
            s = repair_mojibake(s)
            s = s.translate(_TRANSLATE)
        s = unicodedata.normalize("NFC", s)
    elif "\t" in s or "\r" in s or "\x0b" in s or "\x0c" in s:
        s = s.translate(_TRANSLATE)
    if "  " in s:
        s = _MULTI_SPACE.sub(" ", s)
    if "\n" in s:
        s = _SPACE_AROUND_NL.sub("\n", s)
        s = _MANY_NL.sub("\n\n", s)
    return s.strip()


_WORD_RUN = re.compile(r"\w+")


def fold(s: str) -> str:
    """Comparison key: case- and punctuation-insensitive, so "Title" and "TITLE." match."""
    return " ".join(_WORD_RUN.findall(unicodedata.normalize("NFKC", s).casefold()))


# ---------------------------------------------------------------------------------------------------------
# paragraph rules: each returns True when the paragraph is boilerplate

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _words(p: str) -> list[str]:
    return _WORD.findall(p)


def is_all_caps_promo(p: str) -> bool:
    """An inline promo headline or CTA set in capitals ("CLICK HERE TO GET THE ... APP").

    Needs several words and nearly all cased letters upper-case, so a paragraph that merely contains an
    acronym ("NATO", "U.S.") is kept.
    """
    if len(p) > 300 or len(p) < 12:
        return False
    head = p[:24]
    if head.upper() != head:  # cheap reject: a promo line starts in capitals
        return False
    words = _words(p)
    if len(words) < 3:
        return False
    upper = sum(1 for c in p if c.isupper())
    lower = sum(1 for c in p if c.islower())
    return upper >= 12 and upper / (upper + lower) >= 0.9


_CTA = re.compile(
    r"^(?:click|tap) here\b|^(?:download|get|install) (?:the|our) .{0,40}\bapp\b|^sign up (?:for|to|now|here|today)\b"
    r"|^subscribe (?:to|now|today|for|here)\b|^(?:follow|like) us on\b|^join (?:us|our) .{0,40}(?:newsletter|community|channel)"
    r"|^(?:get|receive) (?:our|the) .{0,40}newsletter"
    r"|^(?:already a subscriber|not a subscriber|become a (?:member|subscriber))\b|^support (?:our|independent) journalism"
    r"|^(?:share|tweet) this\b|^share on (?:facebook|twitter|x|linkedin|whatsapp)\b|^we use cookies\b"
    r"|^(?:this|our) (?:website|site) uses cookies\b|^by (?:using|continuing to use) (?:this|our) (?:site|website)",
    re.I,
)


def is_call_to_action(p: str) -> bool:
    """App, newsletter, subscription, sharing and cookie prompts: short lines that start like an order."""
    return len(p) <= 250 and bool(_CTA.match(p.strip()))


_LINK_LABEL = re.compile(
    r"^(?:source link|source|read more|read more here|continue reading|read the full (?:story|article)|see more"
    r"|view (?:comments|gallery)|show comments|load more|advertisement|advertising|sponsored(?: content)?|ad"
    r"|related(?: articles| stories| content| posts| coverage)?|more from .{1,40}|recommended(?: for you)?"
    r"|you may also like|trending(?: now)?|most (?:read|popular)|top stories|watch(?: now)?|share|share this(?: article| story)?"
    r"|print|email|comments?|\d+ comments?|story continues below(?: advertisement)?|article continues below"
    r"|skip to (?:main )?content|skip advertisement|back to top|scroll to top|go to top|top of page)[\s:.»›>|-]*$",
    re.I,
)
_LEADING_LABEL = re.compile(r"^(?:read more|related|see also|also read|more|watch|listen|read next)\s*[:|»›>-]\s*\S", re.I)


def is_link_label(p: str) -> bool:
    """Stand-alone labels of links and widgets ("Source link", "Read more", "Scroll to Top", "Advertisement").

    A "Read more: <headline>" teaser counts too when it is short.
    """
    s = p.strip()
    if len(s) <= 60 and _LINK_LABEL.match(s):
        return True
    return len(s) <= 200 and bool(_LEADING_LABEL.match(s)) and not s.rstrip().endswith((".", "?", "!", "”", '"'))


_COMMENT_FORM_START = re.compile(
    r"(?:leave a (?:comment|reply)|post a comment|add a comment|write a comment|join the (?:conversation|discussion)"
    r"|cancel reply|post comment|submit comment|comments are closed|\d*\s*comments?\s*$|view \d+ comments"
    r"|you must be logged in to post a comment|log ?in to (?:comment|reply))",
    re.I,
)
_COMMENT_FORM_ANYWHERE = re.compile(
    r"email address will not be published|required fields are marked|save my name, email", re.I
)


def is_comment_form(p: str) -> bool:
    """The text of a comment form or comment-section header."""
    if len(p) > 300:
        return False
    s = p.strip()
    if _COMMENT_FORM_START.match(s):
        return True
    low = s.lower()
    return ("publish" in low or "required" in low or "save my name" in low) and bool(_COMMENT_FORM_ANYWHERE.search(s))


_WIDGET = re.compile(
    r"^(?:translate\s*[»›>]?|select language|powered by google translate|google translate"
    r"|scroll to top|back to top|go to top|\^?\s*top|cookie settings|accept (?:all )?cookies|manage (?:cookies|preferences))\s*$",
    re.I,
)


def is_widget_text(p: str) -> bool:
    """Labels of page widgets: translation pickers, scroll-to-top buttons, cookie buttons."""
    return len(p) <= 60 and bool(_WIDGET.match(p.strip()))


# every credit the two patterns below accept contains one of these (a cheap test before the regexes)
def _has_credit_key(low: str) -> bool:
    """Every credit the two patterns below accept contains one of these: a cheap test before the regexes."""
    return (
        "/" in low or "photo" in low or "image" in low or "getty" in low or "credit" in low or "picture" in low
        or "reuters" in low or "afp" in low or "shutterstock" in low or "istock" in low or "alamy" in low
        or "courtesy" in low or "handout" in low or "screenshot" in low or "illustration" in low
    )


_CREDIT_PAREN = re.compile(r"\(([^()]{2,120})\)\s*$")
_CREDIT_WORDS = re.compile(
    r"\b(?:photo|photos|photograph|image|images|pictures?|getty|reuters|afp|ap|epa|shutterstock|istock|alamy"
    r"|credit|courtesy|file|handout|video|screenshot|illustration)\b",
    re.I,
)
_CREDIT_TAIL = re.compile(
    r"(?:^|[.!?”\"]\s+)(?:photo|photograph|image|picture|credit|photo credit|image credit)s?\s*(?::|by)\s*[^.]{2,80}\.?$"
    r"|\b(?:getty images|shutterstock|istockphoto|alamy(?: stock photo)?)\.?$",
    re.I,
)


_PICTURE_WORD = re.compile(r"\b(?:photo|image|getty|credit|courtesy)", re.I)


def is_photo_caption(p: str) -> bool:
    """A photo caption that ends with its credit, like "... (AP Photo/Jacquelyn Martin)" or "Photo: X/Reuters".

    The whole caption goes: a caption is one paragraph. A final parenthesis counts as a credit only when it
    names a picture source with a slash or the word photo/image, so "(in Washington)" or a citation stays.
    """
    s = p.strip()
    if len(s) > 600:
        return False
    tail = s[-160:]  # a credit is at the end: scanning only the tail keeps the rule cheap on long paragraphs
    low = tail.lower()
    if not _has_credit_key(low):
        return False
    m = _CREDIT_PAREN.search(tail) if tail.endswith(")") else None
    if m:
        inner = m.group(1)
        if _CREDIT_WORDS.search(inner) and ("/" in inner or _PICTURE_WORD.search(inner)):
            return True
    return bool(_CREDIT_TAIL.search(tail))


def _ends_like_sentence(p: str) -> bool:
    return p.rstrip().endswith((".", "!", "?", "”", '"', "’", "'", ":", ";", ")", "…"))


def is_headline_ticker(p: str) -> bool:
    """A run of headlines glued into one line (a ticker or "trending" strip): many words, most capitalised,
    no sentence ending, often with bullet separators.
    """
    # the cheap tests first: this runs on the last paragraphs of every page, which are often long prose
    # a list written as a sentence ("Honorable mentions: A, B, C") has commas; a ticker has none
    if _ends_like_sentence(p) or p.count(",") >= 3 or _SENTENCE_MARK.search(p):
        return False
    words = _words(p)
    if len(words) < 12:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    content = [w for w in words if w.lower() not in _TICKER_SMALL_WORDS]
    return caps / max(1, len(content)) >= 0.6


_SENTENCE_MARK = re.compile(r"[.!?](?:[\s\[\]\"”’)]|$)")
_TICKER_SMALL_WORDS = frozenset("a an the and or of to in on for at by with from as is".split())


_BULLET_SEPARATOR = re.compile(r"\s[•|·]\s")


def is_bullet_separator_line(p: str) -> bool:
    """A line of short items joined by bullets or pipes ("Delhi • Bomb threat • School"): a tag or menu strip."""
    if "•" not in p and "|" not in p and "·" not in p:
        return False
    parts = _BULLET_SEPARATOR.split(p)
    return len(parts) >= 3 and all(len(_words(x)) <= 6 for x in parts)


def alternation(words: tuple[str, ...]) -> str:
    """A regex matching any of the words, as a trie (shared prefixes factored out): Python's re tries the
    branches of a flat alternation one by one, which made every date-line test several times slower."""
    trie: dict = {}
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return pattern(trie)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|" + alternation(MONTH_NAMES) + r")\.?"
)
# all three run on a lowered copy: a case-sensitive scan of the month trie is about twice as fast
_DATE_BITS = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th|\.)?\s+(?:de\s+)?{_MONTH}(?:,?\s+(?:de\s+)?\d{{4}})?\b|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    r"|\b\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2})?)?|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
    r"|\b\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?|\b\d+\s*(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago\b",
)
# removed too once a real date part is there, but not enough on their own ("2021 Planning underway")
_DATE_EXTRAS = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|"
    + alternation(WEEKDAY_NAMES) + r")\b\.?,?"
    r"|\b(?:19|20)\d{2}\b",
)
_DATE_FILLER = re.compile(
    r"\b(?:updated|published|posted|last|modified|on|at|ago|gmt|utc|bst|cet|cest|est|edt|pst|pdt|et|pt|ist|am|pm|"
    r"and|by|" + alternation(DATE_FILLERS) + r")\b|[/|•·,:\-–—()@]",
)


_HAS_DIGIT = re.compile(r"\d").search


def is_date_line(p: str) -> bool:
    """A dateline or timestamp on its own ("November 19, 2019 / 12:21 AM / Updated 14 hours ago"), possibly
    with a site or author name: once the date parts are gone, at most three words are left."""
    if len(p) > 100 or not _HAS_DIGIT(p):
        return False
    low = p.lower()
    if not _DATE_BITS.search(low):
        return False
    rest = _DATE_FILLER.sub(" ", _DATE_EXTRAS.sub(" ", _DATE_BITS.sub(" ", low)))
    # numbers left over ("4.2.3 April 2014": a version table) mean the line is about something else
    return len(rest.split()) <= 3 and not any(c.isdigit() for c in rest)


_BYLINE_LINE = re.compile(
    r"^(?i:by|written by|words by|story by|par|por|von)\s+"
    r"(?:[A-Z][\w.'’-]*|de|van|von|da|di|le|la)(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|di|le|la|and|&|,))*\s*$"
)


def is_byline_line(p: str) -> bool:
    """A byline left in the body ("by Lewis White", "By Jane Doe and John Roe"): By + capitalised names only."""
    return len(p) <= 80 and p[:1] in "BbWwSsPpVv" and bool(_BYLINE_LINE.match(p.strip()))


_CREDIT_LINE = re.compile(
    r"^\(?(?:reporting|additional reporting|writing|editing|edited|compiled|produced|research) by\b"
    r"|^source\s*:\s*[^.]{1,60}$",
    re.I,
)


def is_credit_line(p: str) -> bool:
    """Wire-story credits and source tags at the foot of a story ("Reporting by ...; Editing by ...",
    "SOURCE: News agencies")."""
    return len(p) <= 300 and bool(_CREDIT_LINE.match(p.strip()))


_LABEL_TRIM = " \t:;!?.,»›>|…-–—*()[]"
_RELATED_HEADINGS = frozenset(RELATED_HEADINGS)
_WIDGET_LABELS = frozenset(WIDGET_LABELS)


def _by_first_char(starts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Phrases grouped by their first character: str.startswith over a hundred phrases tries each in turn, and
    every short paragraph of a page goes through these tests."""
    if not all(starts):
        raise ValueError("an empty phrase would match every paragraph")
    groups: dict[str, list[str]] = {}
    for start in starts:
        groups.setdefault(start[0], []).append(start)
    return {first: tuple(group) for first, group in groups.items()}


_PROMPT_STARTS_BY_FIRST = _by_first_char(PROMPT_STARTS)
_LONGEST_PROMPT_START = max(len(start) for start in PROMPT_STARTS)
_POST_META_STARTS_BY_FIRST = _by_first_char(POST_META_STARTS)
_LONGEST_POST_META_START = max(len(start) for start in POST_META_STARTS)
_FOLLOW_PROMPT = re.compile(
    r"(?:follow|folg\w*|suivez|s[ií]guenos|seguici|obserwuj)\b.{0,80}\b(?:on|auf|sur|en|su|na)\s+"
    r"(?:twitter|facebook|instagram|linkedin|telegram|whatsapp|tiktok|youtube|x)\b"
)
_APP_PROMPT = re.compile(r"\bdownload (?:the|our) .{0,50}\bapps?\b|\bcanal de telegram\b|\bwhatsapp[- ]kanal\b")
_FOLLOW_STARTS = ("follow", "folg", "suivez", "síguenos", "siguenos", "seguici", "obserwuj")


_NOTICE_VERB = re.compile(alternation(NOTICE_VERBS)).search  # run on a lowered copy


def _label_key(p: str) -> str:
    return p.strip().strip(_LABEL_TRIM).lower()


_TEASER_LABELS = frozenset(TEASER_LABELS) | _RELATED_HEADINGS
_LABEL_SPLIT = re.compile(r"\s*[:|»›>]\s*")
_CAPTION_LABEL = re.compile(r"^(?:" + alternation(CAPTION_LABELS) + r")\.?\s*\d{0,3}\s*:", re.I)


def is_teaser_line(p: str) -> bool:
    """A teaser for another story behind a label ("Le puede interesar: <headline>", "MIRA: <headline>",
    "Lesen Sie auch | <headline>"): the label is one of tasks.boilerplate_phrases, the rest is a headline
    (no sentence ending)."""
    if len(p) > 200:
        return False
    head = p[:46]
    if ":" not in head and "|" not in head and "»" not in head and "›" not in head and ">" not in head:
        return False
    parts = _LABEL_SPLIT.split(p.strip(), maxsplit=1)
    if len(parts) != 2 or len(parts[0]) > 45 or not parts[1]:
        return False
    return parts[0].lower() in _TEASER_LABELS and not parts[1].rstrip().endswith((".", "!", ";"))


_ZOOM_STARTS = tuple(f"{label} " for label in ZOOM_LABELS)
_AGENCY_TAG = re.compile(
    r"^\(?(?:[a-zäöüß]{1,5}\s*/\s*)*(?:" + "|".join(NEWS_AGENCIES) + r")(?:\s*/\s*[a-zäöüß]{1,5})*\)?\.?$", re.I
)


def is_caption_label(p: str) -> bool:
    """A picture caption or credit behind its label ("Abbildung 4: klassische Schwachschicht.", "Foto: X",
    "(Quelle: Foto X)", "Copyright: X"), or behind the picture's zoom button ("Vergrößern ...")."""
    if len(p) > 250:
        return False
    s = p.strip().lstrip("(")
    return bool(_CAPTION_LABEL.match(s)) or s[:20].lower().startswith(_ZOOM_STARTS)


def is_agency_tag(p: str) -> bool:
    """The initials and agency that close a wire story ("aja/PAP", "dpa/lno", "(AFP)")."""
    return len(p) <= 30 and bool(_AGENCY_TAG.match(p.strip()))


def is_related_heading(p: str) -> bool:
    """The heading of a related-stories, recommendations or about-the-author box, in any language of
    tasks.boilerplate_phrases ("Das könnte Sie auch interessieren", "Le puede interesar", "Lire aussi")."""
    return len(p) <= 60 and _label_key(p) in _RELATED_HEADINGS


def is_widget_label(p: str) -> bool:
    """A sharing, liking, comment, paging, tag or table-of-contents label on its own ("Gefällt mir",
    "Sharing is caring", "Inhaltsverzeichnis", "Anzeige"), in any language of tasks.boilerplate_phrases."""
    return len(p) <= 40 and _label_key(p) in _WIDGET_LABELS


def is_prompt(p: str) -> bool:
    """A prompt to subscribe, register, log in, donate, follow, share or install an app, or an advertising
    disclosure, in any language of tasks.boilerplate_phrases ("Mit unserem Newsletter ...", "To view the full
    story, please subscribe", "Suscríbete ...", "Follow X on Twitter", "download the X apps")."""
    if len(p) > 250:
        return False
    head = p.lstrip(" \n*•·►▶→»›")[:_LONGEST_PROMPT_START].lower()  # prompts are known by their start
    if head.startswith(_PROMPT_STARTS_BY_FIRST.get(head[:1], ())):
        return True
    if head.startswith(_FOLLOW_STARTS) and _FOLLOW_PROMPT.match(p.lstrip(" \n*•·►▶→»›").lower()):
        return True
    return ("ownload" in p or "elegram" in p or "hatsapp" in p) and bool(_APP_PROMPT.search(p.lower()))


def is_notice(p: str) -> bool:
    """A cookie or JavaScript notice ("Tu navegador tiene deshabilitado el uso de Cookies", "Bitte aktivieren
    Sie JavaScript"): a short paragraph naming cookies or JavaScript with a verb of allowing or using them."""
    if len(p) > 200:
        return False
    s = p.lower()
    for topic in NOTICE_TOPICS:
        if topic in s:
            return bool(_NOTICE_VERB(s))
    return False


def is_rights_notice(p: str) -> bool:
    """A copyright or reprint notice ("© 2020 CBS Interactive Inc. All Rights Reserved.")."""
    if len(p) > 200:
        return False
    s = p.lower()
    for notice in RIGHTS_NOTICES:  # a plain loop of substring tests: faster here than any() or a regex
        if notice in s:
            return True
    return False


def is_post_meta(p: str) -> bool:
    """A blog's post metadata or picture-credit line ("This entry was posted in ...", "Kategorie: News",
    "Titelbild: ...")."""
    if len(p) > 250:
        return False
    head = p.lstrip()[:_LONGEST_POST_META_START].lower()
    return head.startswith(_POST_META_STARTS_BY_FIRST.get(head[:1], ()))


_MARKUP_TOKEN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+){2,}$")


def is_markup_token(p: str) -> bool:
    """A lone lower-case hyphenated token ("medium-browser-and-portrait-tablet"): a CSS or template name that
    leaked into the text, never prose."""
    return len(p) <= 60 and bool(_MARKUP_TOKEN.match(p.strip()))


# Rules applied everywhere in the body, in this order; the name is what explain_drops reports.
PARAGRAPH_RULES: dict[str, Callable[[str], bool]] = {
    "all_caps_promo": is_all_caps_promo,
    "call_to_action": is_call_to_action,
    "link_label": is_link_label,
    "comment_form": is_comment_form,
    "widget_text": is_widget_text,
    "photo_caption": is_photo_caption,
    "bullet_separator_line": is_bullet_separator_line,
    "date_line": is_date_line,
    "byline_line": is_byline_line,
    "credit_line": is_credit_line,
    "markup_token": is_markup_token,
    "related_heading": is_related_heading,
    "widget_label": is_widget_label,
    "prompt": is_prompt,
    "notice": is_notice,
    "rights_notice": is_rights_notice,
    "post_meta": is_post_meta,
    "teaser_line": is_teaser_line,
    "caption_label": is_caption_label,
    "agency_tag": is_agency_tag,
}

_HAS_WORD = re.compile(r"\w")
# No rule drops a paragraph longer than this (the longest are photo captions); longer ones skip the rules.
_LONGEST_BOILERPLATE = 700
# Every rule but the caption one only fires on paragraphs up to this length (see each rule's own limit).
_LONGEST_SHORT_RULE = 300

# The longest paragraph each rule can accept (the limits inside the rules): explain_drops skips the call
# for longer ones, which keeps cleaning cheap on prose.
_RULE_MAX_LENGTH = {
    "all_caps_promo": 300, "call_to_action": 250, "link_label": 200, "comment_form": 300, "widget_text": 60,
    "photo_caption": 600, "date_line": 100, "byline_line": 80, "credit_line": 300, "markup_token": 60,
    "related_heading": 60, "widget_label": 40, "prompt": 250, "notice": 200, "rights_notice": 200,
    "post_meta": 250, "teaser_line": 200, "caption_label": 250, "agency_tag": 30,
}
_RULES_BY_LENGTH = [(name, rule, _RULE_MAX_LENGTH.get(name, 1 << 30)) for name, rule in PARAGRAPH_RULES.items()]
# the rules, in order, that can fire on a paragraph of each length up to _LONGEST_SHORT_RULE (index: the length),
# so the loop over a page's short paragraphs tests no length and calls no rule that cannot fire
_RULES_FOR_LENGTH = [
    tuple((name, rule) for name, rule, longest in _RULES_BY_LENGTH if n <= longest)
    for n in range(_LONGEST_SHORT_RULE + 1)
]

# Markers after which the rest of a page is its furniture (comment form, footer) - only trusted near the end.
_END_MARKER = re.compile(
    r"(?:leave a (?:comment|reply)|post a comment|add a comment|join the (?:conversation|discussion)"
    r"|\d+ comments?|comments are closed|source link|scroll to top|back to top|translate\s*[»›>]"
    r"|you must be logged in to post a comment)\W*$",
    re.I,
)


def is_end_marker(p: str) -> bool:
    """Lines that publishing software puts where the article ends: a comment form, "Source link", a
    scroll-to-top button. Narrower than the drop rules (a table header "Comment" must not cut the article)."""
    if len(p) >= 200:
        return False
    s = p.strip()
    return bool(_END_MARKER.match(s)) or "will not be published" in s.lower()


def _only_headlines_after(paragraphs: list[str], i: int) -> bool:
    """Whether nothing after paragraph i reads as prose: a related-stories box is headlines and labels, while
    a "Read also" box set inside the article is followed by more of the article's sentences."""
    return not any(len(p) >= 80 and p.rstrip().endswith((".", "!", "?", "”", '"', "“", "»")) for p in paragraphs[i + 1 :])


def _tail_start(paragraphs: list[str], min_fraction: float = 0.6) -> int:
    """Index of the first end-of-article marker lying in the last part of the text, or len(paragraphs)."""
    total = sum(len(p) for p in paragraphs) or 1
    seen = 0
    for i, p in enumerate(paragraphs):
        if seen / total >= min_fraction and (
            is_end_marker(p) or (is_related_heading(p) and _only_headlines_after(paragraphs, i))
        ):
            return i
        seen += len(p)
    return len(paragraphs)


def explain_drops(paragraphs: list[str], title: str | None) -> list[tuple[str, str | None]]:
    """Each paragraph with the name of the rule that drops it (None = kept). Same decisions as clean_paragraphs."""
    normalised = [normalize_text(p) for p in paragraphs]
    title_key = fold(title) if title else ""
    title_len = len(title or "")
    tail = _tail_start(normalised)
    out: list[tuple[str, str | None]] = []
    # the named rules judge a paragraph by its text alone, and a page repeats its short lines ("Foto:", a label
    # under each picture, "Anzeige"): each distinct one is judged once
    verdicts: dict[str, str | None] = {}
    for i, p in enumerate(normalised):
        reason: str | None = None
        if not p or not _HAS_WORD.search(p):
            reason = "empty"
        elif i >= tail:
            reason = "after_end_marker"
        elif title_key and abs(len(p) - title_len) <= 0.3 * title_len + 5 and fold(p) == title_key:
            reason = "repeated_title"
        elif len(p) > _LONGEST_SHORT_RULE:
            # long prose: only a caption (ending with its credit) can still be furniture
            if len(p) <= _LONGEST_BOILERPLATE and is_photo_caption(p):
                reason = "photo_caption"
        elif p in verdicts:
            reason = verdicts[p]
        else:
            for name, rule in _RULES_FOR_LENGTH[len(p)]:
                if rule(p):
                    reason = name
                    break
            verdicts[p] = reason
        out.append((p, reason))
    # A ticker is only trusted at the very end: mid-article, a capitalised run is more likely a list of names.
    for j in range(len(out) - 1, -1, -1):
        p, reason = out[j]
        if reason is not None:
            continue
        if is_headline_ticker(p):
            out[j] = (p, "trailing_headline_ticker")
            continue
        break
    return out


def clean_paragraphs(paragraphs: list[str], title: str | None) -> list[str]:
    """Normalise each paragraph and drop the boilerplate ones (see PARAGRAPH_RULES), keeping order.

    Also drops the title repeated as a paragraph and everything after an
    end-of-article marker (comment form, "Source link", scroll-to-top) found in the last 40% of the text.
    """
    kept: list[str] = []
    for p, reason in explain_drops(paragraphs, title):
        if reason is not None:
            continue
        kept.append(p)
    return kept
