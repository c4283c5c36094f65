"""Date parsing shared by extraction (pages) and discovery (feeds, sitemaps).

One parser: any common date spelling -> ISO 8601, a date or a date-time with the UTC offset as written. No
conversion to UTC, so the calendar day stays the publisher's.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["normalize_date", "date_from_url"]

_WS = re.compile(r"\s+")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
            ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
            ("nov", "november"), ("dec", "december"),
        ]
    )
    for m in names
}
_ISO_LIKE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{2}|UTC|GMT)?)?",
    re.I,
)
_TEXT_DATE_MDY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_TEXT_DATE_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|\b)")


def normalize_date(value: str | None) -> str | None:
    """Any common date spelling -> ISO 8601 (date, or date-time with the offset as written; no conversion,
    so the calendar day stays the publisher's)."""
    s = _WS.sub(" ", value or "").strip()
    if not s or len(s) > 100:
        return None
    m = _ISO_LIKE.search(s)
    if m:
        y, mo, d, hh, mi, ss, tz = m.groups()
        if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
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
    if re.fullmatch(r"\d{9,11}", s):  # unix seconds
        try:
            return datetime.fromtimestamp(int(s), tz=timezone.utc).isoformat()
        except (ValueError, OverflowError, OSError):
            return None
    if re.search(r"[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4}", s):
        try:
            return parsedate_to_datetime(s).isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    m2 = _TEXT_DATE_MDY.search(s)
    if m2 and m2.group(1).lower() in _MONTHS:
        return _ymd(m2.group(3), _MONTHS[m2.group(1).lower()], m2.group(2))
    m3 = _TEXT_DATE_DMY.search(s)
    if m3 and m3.group(2).lower() in _MONTHS:
        return _ymd(m3.group(3), _MONTHS[m3.group(2).lower()], m3.group(1))
    return None


def _ymd(y: str, mo: int, d: str) -> str | None:
    if not (1 <= int(d) <= 31):
        return None
    return f"{int(y):04d}-{mo:02d}-{int(d):02d}"




def date_from_url(url: str | None) -> str | None:
    """A /yyyy/mm/dd/ (or yyyy-mm-dd) path segment as a date."""
    if not url:
        return None
    m = _URL_DATE.search(url)
    if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
        return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return None
