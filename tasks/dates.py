"""Date parsing shared by extraction (pages) and discovery (feeds, sitemaps).

One parser: any common date spelling -> ISO 8601, a date or a date-time with the UTC offset as written. No
conversion to UTC, so the calendar day stays the publisher's. Machine dates (ISO 8601, RFC 822, unix seconds)
go through normalize_date; dates written for people ("21. Januar 2022", "3 de mayo de 2021", "12/01/2020")
through date_in_text, which reads month names in the common European languages and takes the page's locale
for the order of day and month when the numbers alone do not tell.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

__all__ = [
    "normalize_date", "date_in_text", "date_from_url", "day_first", "local_day", "is_utc", "published_after_fetch",
]

_WS = re.compile(r"\s+")

# month names and abbreviations (lower-case, accents kept), month by month
_MONTH_NAMES = [
    "january jan janvier janv janvier enero ene gennaio genn gen januar jän jänner janeiro januari januar stycznia "
    "styczeń ledna leden ianuarie tammikuuta tammikuu ocak",
    "february feb februar feb févr février fevrier febrero febbraio fevereiro februari lutego luty února únor "
    "februarie helmikuuta helmikuu şubat",
    "march mar märz maerz mrz mär mars marzo março maart marca marzec března březen martie maaliskuuta maaliskuu mart",
    "april apr avril avr abril aprile apr aprila kwietnia kwiecień dubna duben aprilie huhtikuuta huhtikuu nisan",
    "may mai mayo maggio mag maio mei maj maja května květen mai toukokuuta toukokuu mayıs",
    "june jun juni juin junio giugno giu junho czerwca czerwiec června červen iunie kesäkuuta kesäkuu haziran",
    "july jul juli juillet juil julio luglio lug julho lipca lipiec července červenec iulie heinäkuuta heinäkuu temmuz",
    "august aug august août aout agosto ago augustus augusti sierpnia sierpień srpna srpen "
    "elokuuta elokuu ağustos",
    "september sep sept septembre septiembre settembre set setembro september septembri września wrzesień září "
    "septembrie syyskuuta syyskuu eylül",
    "october oct oktober okt octobre octubre ottobre ott outubro out oktober października październik října říjen "
    "octombrie lokakuuta lokakuu ekim",
    "november nov november novembre noviembre novembre novembro listopada listopad listopadu noiembrie "
    "marraskuuta marraskuu kasım",
    "december dec dezember dez décembre decembre diciembre dic dicembre dezembro december grudnia grudzień prosince "
    "prosinec decembrie joulukuuta joulukuu aralık",
]
MONTHS: dict[str, int] = {name: i + 1 for i, names in enumerate(_MONTH_NAMES) for name in names.split()}


def _trie_pattern(words: list[str]) -> str:
    """One regex for many words, as a prefix tree ("jan(?:uary|vier)?..."): the engine rejects a position on its
    first letter instead of trying ~200 month names there (date_in_text runs on every page). A word that
    continues is tried before the shorter one it starts with, as in a longest-first alternation."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


_MONTH_RE = _trie_pattern(list(MONTHS))

_ISO_LIKE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{2}|UTC|GMT)?)?",
    re.I,
)
_TEXT_DATE_MDY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_TEXT_DATE_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|\b)")
_URL_DATE_COMPACT = re.compile(r"[/_-]((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)")
_URL_DATE_DMY = re.compile(r"/(\d{2})-(\d{2})-((?:19|20)\d{2})(?:[-/.]|$)")

# dates as people write them; each pattern names its groups so one reader handles them all
# The patterns that start with a digit test what precedes it in a lookbehind placed after that first digit
# ("\d(?<![\w.]\d)" is "(?<![\w.])\d"): a pattern that opens with its digit lets the engine skip ahead to the
# next digit instead of trying the lookbehind at every position (date_in_text runs on every page).
_TEXT_PATTERNS = [
    # 21. Januar 2022, 3 mai 2021, 1er mai 2021, 3 de mayo de 2021, 9 września 2020
    re.compile(rf"(?P<d>\d(?<![\w.]\d)\d?)(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+)?(?P<mon>{_MONTH_RE})\.?,?\s+(?:de\s+|del\s+)?(?P<y>\d{{4}})(?!\d)"),
    # January 21, 2022 / Jan. 21st 2022 / Dezember 16th, 2012
    re.compile(rf"(?<!\w)(?P<mon>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d)"),
    # 2022-01-21, 2022/01/21, 2022.01.21, 2022年1月21日
    re.compile(r"(?P<y>(?:19|20)(?<!\d\d\d)\d{2})(?P<sep>[-/.]|年\s?)(?P<m>\d{1,2})(?:(?P=sep)|月\s?)(?P<d>\d{1,2})(?!\d)"),
    # 21.01.2022, 21.1.22 (a dot means day first everywhere)
    re.compile(r"(?P<d>\d(?<![\d.]\d)\d?)\.\s?(?P<m>\d{1,2})\.\s?(?P<y>(?:19|20)\d{2}|\d{2})(?![\d.]\d)"),
    # 12/01/2020, 01-11-2023: order by the page's locale unless a part is over 12
    re.compile(r"(?P<a>\d(?<![\d/-]\d)\d?)(?P<sep>[/-])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d{2}|\d{2})(?![\d/-]\d)"),
]
_TIME_AFTER = re.compile(
    r"\s*(?:,|um|at|à|a las|alle|-|\|)?\s*(\d{1,2})[:.h](\d{2})(?!\d)(?::\d{2})?\s*(?:(a|p)\.?\s?m\b\.?)?"
)


_UNIX_SECONDS = re.compile(r"\d{9,11}")
_RFC_2822_DATE = re.compile(r"[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4}")


def normalize_date(value: str | None) -> str | None:
    """Any common date spelling -> ISO 8601 (date, or date-time with the offset as written; no conversion,
    so the calendar day stays the publisher's)."""
    s = _WS.sub(" ", value or "").strip()
    if not s or len(s) > 100:
        return None
    m = _ISO_LIKE.search(s)
    if m:
        y, mo, d, hh, mi, ss, tz = m.groups()
        if not _real_day(int(y), int(mo), int(d)):
            return None
        out = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
        if hh is not None and int(hh) < 24 and int(mi) < 60:
            out += f"T{int(hh):02d}:{mi}:{ss or '00'}"
            if tz:
                t = tz.upper()
                if t in ("Z", "UTC", "GMT"):
                    out += "+00:00"
                else:
                    digits = t[1:].replace(":", "")
                    digits = digits + "00" if len(digits) == 2 else digits
                    out += f"{t[0]}{digits[:2]}:{digits[2:4]}"
        return out
    if _UNIX_SECONDS.fullmatch(s):  # unix seconds
        try:
            return datetime.fromtimestamp(int(s), tz=timezone.utc).isoformat()
        except (ValueError, OverflowError, OSError):
            return None
    if _RFC_2822_DATE.search(s):
        try:
            return parsedate_to_datetime(s).isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    m2 = _TEXT_DATE_MDY.search(s)
    if m2 and m2.group(1).lower() in MONTHS:
        return _ymd(m2.group(3), MONTHS[m2.group(1).lower()], m2.group(2))
    m3 = _TEXT_DATE_DMY.search(s)
    if m3 and m3.group(2).lower() in MONTHS:
        return _ymd(m3.group(3), MONTHS[m3.group(2).lower()], m3.group(1))
    return None


def _ymd(y: str, mo: int, d: str) -> str | None:
    if not _real_day(int(y), mo, int(d)):
        return None
    return f"{int(y):04d}-{mo:02d}-{int(d):02d}"


def _real_day(y: int, m: int, d: int) -> bool:
    try:
        datetime(y, m, d)
    except ValueError:
        return False
    return True


def _valid(y: int, m: int, d: int) -> str | None:
    if y < 100:
        y += 2000 if y < 70 else 1900
    if not (1990 <= y <= 2100):
        return None
    try:
        return datetime(y, m, d).date().isoformat()
    except ValueError:
        return None


def day_first(language: str | None, host: str | None = None) -> bool:
    """Whether 03/04/2021 is the 3rd of April on this page: everywhere but US English (and the few other
    month-first locales). A bare "en" counts as US unless the host is in a day-first country."""
    lang = (language or "").lower().replace("_", "-")
    if lang.startswith("en"):
        region = lang[3:5]
        if region:
            return region not in ("us", "ph", "ca", "fm", "mh", "pw")
        tld = (host or "").rsplit(".", 1)[-1].lower()
        return tld in ("uk", "au", "nz", "ie", "in", "za", "sg", "pk", "ng", "ke")
    return True


def date_in_text(text: str | None, dayfirst: bool = True) -> str | None:
    """The first date a person would read in `text` ("Veröffentlicht am 21. Januar 2022, 13:30"), as ISO 8601
    (a time is kept when written right after the date, without an offset: the page's own clock)."""
    if not text:
        return None
    s = _WS.sub(" ", text).strip().lower()
    best: tuple[int, str, int] | None = None
    for pattern in _TEXT_PATTERNS:
        for m in pattern.finditer(s):
            if best is not None and m.start() >= best[0]:
                break
            day = _read(m, dayfirst)
            if day:
                best = (m.start(), day, m.end())
                break
    if best is None:
        return None
    t = _TIME_AFTER.match(s, best[2])
    if t and int(t.group(1)) < 24 and int(t.group(2)) < 60:
        hour = int(t.group(1))
        if t.group(3) and hour <= 12:
            hour = hour % 12 + (12 if t.group(3) == "p" else 0)
        return f"{best[1]}T{hour:02d}:{t.group(2)}:00"
    return best[1]


def _read(m: re.Match[str], dayfirst: bool) -> str | None:
    g = m.groupdict()
    y = int(g["y"])
    if g.get("mon"):
        return _valid(y, MONTHS[g["mon"]], int(g["d"]))
    if g.get("a"):
        a, b = int(g["a"]), int(g["b"])
        if a > 12 or (dayfirst and b <= 12):
            return _valid(y, b, a)
        return _valid(y, a, b)
    return _valid(y, int(g["m"]), int(g["d"]))


def day_month_swapped(day: str) -> str | None:
    """The same YYYY-MM-DD with day and month swapped, when that is a date too: how a numeric date reads in the
    other order (11.03.17 is 11 March or 3 November)."""
    y, m, d = day[:4], day[5:7], day[8:10]
    return f"{y}-{d}-{m}" if m != d and _real_day(int(y), int(d), int(m)) else None


def date_from_url(url: str | None) -> str | None:
    """A /yyyy/mm/dd/ (or yyyy-mm-dd, /yyyymmdd/, /dd-mm-yyyy-) path segment as a date."""
    if not url:
        return None
    path = url.split("?", 1)[0]
    m = _URL_DATE.search(path)
    if m and _real_day(int(m.group(1)), int(m.group(2)), int(m.group(3))):
        return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    m = _URL_DATE_COMPACT.search(path)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _URL_DATE_DMY.search(path)
    if m:
        return _valid(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return None


def is_utc(iso: str | None) -> bool:
    """A date-time written in UTC (Z, +00:00): often a server's clock rather than the publisher's day."""
    return bool(iso) and len(iso) > 10 and iso.endswith("+00:00")


def local_day(iso: str | None) -> str | None:
    """The calendar day as the page gives it: the date part of the value as written (no conversion)."""
    if not iso or not _DAY.match(iso) or not _real_day(int(iso[:4]), int(iso[5:7]), int(iso[8:10])):
        return None
    return iso[:10]


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|T)")


# A page fetched at 23:00 UTC can be dated the next day where its publisher lives (up to UTC+14): a day's margin.
FUTURE_MARGIN = timedelta(days=1)


def published_after_fetch(published: str | None, fetched_at: str | None) -> str | None:
    """Why `published` cannot be the publication date, or None: a page cannot have been published more than a day
    after it was fetched (a typo in the year, an event's date taken for the article's, a clock gone wrong).

    Compared with the fetch time the page carries (not the clock at analysis), so a reprocess of an old archive
    decides the same. A date or a date-time without an offset is read as UTC, as the warehouse stores it.
    """
    if not published or not fetched_at:
        return None
    try:
        when = _as_utc(datetime.fromisoformat(published))
        fetched = _as_utc(datetime.fromisoformat(fetched_at.replace("Z", "+00:00")))
    except ValueError:
        return None
    ahead = when - fetched
    if ahead <= FUTURE_MARGIN:
        return None
    days = ahead.total_seconds() / 86400
    return f"published date {published} is {days:.1f} days after the page was fetched: dropped"


def _as_utc(when: datetime) -> datetime:
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
