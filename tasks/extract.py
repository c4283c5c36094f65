"""Main-content extraction: one HTML page (or a page saved as plain text) -> a clean Document.

The body is found from the DOM's structure: schema.org articleBody when a page marks exactly one, else the
container whose paragraphs score highest (text length, commas, link density, paragraph shape; <article> and
class/id hints only nudge the score), widened to sibling blocks that are paragraphs too. Inside it,
paragraphs, headings, lists, tables and block quotes are kept in order; link lists, share bars, comments,
galleries and captions are dropped (by shape first, class/id hints second); tasks.clean then drops
boilerplate lines by named rules.

Metadata, field by field, the first usable value in this order of trust:
  title      JSON-LD headline/name (an article object's), Dublin Core title, og:title, twitter:title,
             parsely-title, then <title> (site part cut as Readability does) or the only <h1>; a trailing
             " | Site" / " - Site" naming the site (og:site_name, publisher, host) is removed.
  authors    JSON-LD author (persons, organisations, @id references in @graph), then meta (dc:creator,
             author, article:author, byl, parsely/sailthru), then bylines in the page (rel=author,
             itemprop=author, class/id "byline"/"author"), cleaned of "By", dates, reading times, job titles.
  published  JSON-LD datePublished, article:published_time and other date metas, JSON-LD dateCreated,
             itemprop=datePublished / <time datetime>, a /yyyy/mm/dd/ in the URL. ISO 8601, offset kept as
             written (no conversion, so the day is the publisher's). modified: dateModified and its metas.
  language   <html lang>, og:locale, Content-Language meta, JSON-LD inLanguage.
  others     canonical_url (link rel=canonical, og:url; made absolute), site_name, section, tags,
             description, image: JSON-LD first, then OpenGraph/article:*, then plain meta.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from html import unescape as html_unescape
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tasks.clean import clean_paragraphs, fold, normalize_text
from tasks.models import Document

__all__ = ["extract_document", "extract_text_page", "bench_extract"]

# ---------------------------------------------------------------------------------------------------------
# helpers

_WS = re.compile(r"\s+")


def _squash(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip()


def _attr(node: LexborNode, name: str) -> str:
    try:
        v = node.attributes.get(name)
    except Exception:
        return ""
    return v or ""


def _hints(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


# ---------------------------------------------------------------------------------------------------------
# dates

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
    s = _squash(value)
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


# ---------------------------------------------------------------------------------------------------------
# authors

_BY_PREFIX = re.compile(r"^\s*(?:written\s+by|posted\s+by|reported\s+by|story\s+by|words\s+by|by|par|por|von|door|av)\b[:\s]*", re.I)
_JOB_WORDS = re.compile(
    r"\b(?:reporter|editor|correspondent|writer|contributor|columnist|producer|analyst|staff|journalist|author"
    r"|photographer|critic|intern|chief|senior|associate|contributing|news|desk|bureau|updated|published|posted"
    r"|min(?:ute)?s?\s+read|read|follow|twitter|email|health)\b",
    re.I,
)
_NAME_PARTICLES = frozenset("de da di du del della der den van von la le al bin ibn y e dos das zu ter ten".split())


def _looks_like_name(s: str) -> bool:
    """A person or desk name: 1-5 words, no digits/URLs, every Latin word capitalised except particles (de, van)."""
    if not s or len(s) > 60 or re.search(r"\d|https?:|www\.|@|/|:|\?|!", s):
        return False
    words = s.split()
    if not 1 <= len(words) <= 5:
        return False
    for w in words:
        if re.match(r"[A-Za-z]", w) and not w[0].isupper() and w.lower() not in _NAME_PARTICLES:
            return False
    return sum(1 for c in s if c.isalpha()) >= 3


_MONTH_NAMES = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)\.?"
)
# dates, times and reading times inside a byline ("March 25, 2015", "6:01 am", "3 min read", "Updated ...")
_BYLINE_NOISE = re.compile(
    rf"\b(?:updated|published|posted|last updated|modified)\b.*$"
    rf"|\b{_MONTH_NAMES}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?.*$"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_NAMES}(?:,?\s+\d{{4}})?.*$"
    r"|\b\d{1,2}[:.]\d{2}\s*(?:am|pm)?.*$|\b\d{4}-\d{2}-\d{2}.*$|\b\d{1,2}/\d{1,2}/\d{2,4}.*$"
    r"|\b\d+\s*(?:-\s*)?(?:min(?:ute)?s?|hours?|hrs?)\b(?:\s+read)?.*$|\b(?:minute|min) read\b.*$",
    re.I,
)
_NOT_AUTHOR_ROLE = re.compile(
    r"^\s*(?:edited|photos?|photographs?|illustrations?|graphics|video|images?|design|additional reporting|"
    r"reporting contributed|fact[- ]checked|reviewed)\s+by\b",
    re.I,
)
_NAME_SPLIT = re.compile(r"\s*(?:;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*")


def clean_byline(raw: str) -> list[str]:
    """'By Jane Doe and John Roe | Updated 3 min read' -> ['Jane Doe', 'John Roe'].

    Cuts at separators (|, newline, bullets) and at the first date, time or reading time; drops the By/Par
    prefix and job titles; splits on 'and', '&' and ';', and on commas only when every part reads as a name
    ("Jane Doe, Senior Reporter" and "Name, Some Project" keep the first part only).
    """
    s = normalize_text(raw or "")
    s = re.sub(r"\([^()]*(?:https?:|www\.|@)[^()]*\)|<[^<>]*@[^<>]*>|\S+@\S+\.\w+", " ", s)  # links, emails
    if not s.strip():
        return []
    names: list[str] = []
    for segment in re.split(r"\s*[|\n•·—–]\s*|\s+-\s+", s):
        if _NOT_AUTHOR_ROLE.match(segment):
            continue
        segment = _BY_PREFIX.sub("", segment.strip())
        segment = _BYLINE_NOISE.sub("", segment).strip(" ,:;.-")
        segment = _BY_PREFIX.sub("", segment).strip(" ,:;.")
        if not segment:
            continue
        comma_parts = [c.strip(" .") for c in segment.split(",") if c.strip(" .")]
        if len(comma_parts) > 1:
            people = [c for c in comma_parts if not _JOB_WORDS.search(c)]
            if len(people) == len(comma_parts) and all(
                2 <= len(_NAME_SPLIT.sub(" ", c).split()) <= 4 for c in comma_parts
            ):
                candidates = comma_parts
            else:
                candidates = comma_parts[:1]
        else:
            candidates = comma_parts
        for chunk in candidates:
            for part in _NAME_SPLIT.split(chunk):
                part = _BY_PREFIX.sub("", part).strip(" ,:;.()")
                if not part or _JOB_WORDS.search(part):
                    continue
                if _looks_like_name(part) and part not in names:
                    names.append(part)
    return names


def _plain_author(value: str) -> list[str]:
    """A declared author field (meta, JSON-LD) taken as written when it is short and not a URL or a date:
    organisations ("Contributors to Wikimedia projects") do not look like personal names."""
    v = _squash(normalize_text(value)).strip(" ,;")
    v = _BY_PREFIX.sub("", v).strip()
    if not v or len(v) > 80 or len(v.split()) > 8 or re.search(r"https?:|www\.|@|\d{4}", v):
        return []
    return [v]


def _author_names(value: Any, ids: dict[str, dict]) -> list[str]:
    """JSON-LD author value (string, object, @id reference, or a list of these) -> names."""
    if value is None:
        return []
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            for n in _author_names(v, ids):
                if n not in out:
                    out.append(n)
        return out
    if isinstance(value, dict):
        if "name" not in value and isinstance(value.get("@id"), str) and value["@id"] in ids:
            value = ids[value["@id"]]
        name = value.get("name")
        if isinstance(name, list):
            name = name[0] if name else None
        if isinstance(name, dict):
            name = name.get("@value")
        if isinstance(name, str):
            name = html_unescape(name)
            if _types(value) & {"organization", "newsmediaorganization", "corporation"}:
                return _plain_author(name)  # an organisation's name is not a byline to split
            return clean_byline(name) or _plain_author(name)
        given, family = value.get("givenName"), value.get("familyName")
        if isinstance(given, str) and isinstance(family, str):
            return [f"{given} {family}".strip()]
        return []
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            return []
        return clean_byline(value)
    return []


# ---------------------------------------------------------------------------------------------------------
# metadata

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "techarticle", "scholarlyarticle",
    "liveblogposting", "report", "socialmediaposting", "discussionforumposting", "posting", "satiricalarticle",
}
_PAGE_TYPES = {"webpage", "itempage", "aboutpage", "collectionpage"}


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower().rsplit("/", 1)[-1]}
    if isinstance(t, list):
        return {x.lower().rsplit("/", 1)[-1] for x in t if isinstance(x, str)}
    return set()


def _walk_jsonld(data: Any, out: list[dict], depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            _walk_jsonld(item, out, depth + 1)
    elif isinstance(data, dict):
        out.append(data)
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in data:
                _walk_jsonld(data[key], out, depth + 1)


_JSON_DECODER = json.JSONDecoder(strict=False)  # control characters inside strings are common in JSON-LD


def _strip_jsonld_wrapper(raw: str) -> str:
    """Drop <!-- -->, <![CDATA[ ]]> (and their // forms) around a JSON-LD body, without scanning all of it."""
    raw = raw.strip()
    for opener in ("//<![CDATA[", "<![CDATA[", "<!--"):
        if raw.startswith(opener):
            raw = raw[len(opener) :].lstrip()
    for closer in ("//]]>", "]]>", "-->"):
        if raw.endswith(closer):
            raw = raw[: -len(closer)].rstrip()
    if raw.endswith("//"):
        raw = raw[:-2].rstrip()
    return raw.rstrip(";")


def _jsonld_objects(scripts: list[LexborNode]) -> list[dict]:
    objs: list[dict] = []
    for script in scripts:
        raw = (script.text(deep=True) or "").strip()
        if not raw:
            continue
        raw = _strip_jsonld_wrapper(raw)
        try:
            data = _JSON_DECODER.decode(raw)
        except ValueError:
            # trailing junk or two objects glued together: try the outermost {...} or [...]
            start = min((i for i in (raw.find("{"), raw.find("[")) if i >= 0), default=-1)
            end = max(raw.rfind("}"), raw.rfind("]"))
            if start < 0 or end <= start:
                continue
            try:
                data = _JSON_DECODER.decode(raw[start : end + 1])
            except ValueError:
                continue
        _walk_jsonld(data, objs)
    return objs


def _first_str(value: Any) -> str | None:
    if isinstance(value, str):
        # JSON-LD is often written by templates that HTML-escape it ("&#163;71.6m", "doesn&#8217;t")
        return (html_unescape(value) if "&" in value else value).strip() or None
    if isinstance(value, list):
        for v in value:
            s = _first_str(v)
            if s:
                return s
    if isinstance(value, dict):
        for key in ("url", "@value", "name", "contentUrl"):
            s = _first_str(value.get(key))
            if s:
                return s
    return None


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in re.split(r"[,;]", value) if t.strip()]
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(_str_list(v) if not isinstance(v, dict) else [_first_str(v) or ""])
        return [x for x in out if x]
    return []


def _meta_map(meta_nodes: list[LexborNode]) -> dict[str, list[str]]:
    metas: dict[str, list[str]] = {}
    for m in meta_nodes:
        attrs = m.attributes
        content = attrs.get("content")
        if content is None:
            continue
        for key_attr in ("property", "name", "itemprop", "http-equiv"):
            key = attrs.get(key_attr)
            if key:
                for k in key.lower().split():
                    metas.setdefault(k, []).append(content.strip())
    return metas


def _meta(metas: dict[str, list[str]], *keys: str) -> str | None:
    for k in keys:
        for v in metas.get(k, ()):
            if v:
                return v
    return None


_TITLE_SEP = re.compile(r"\s+(?:\||-|–|—|::|·|»|/|:)\s+")


_LABELS = frozenset("opinion analysis editorial commentary review live video watch podcast explainer".split())


def strip_site_suffix(title: str, site_name: str | None, host: str | None, section: str | None = None) -> str:
    """Drop a " | Site" / " - Site" part (either end) that names the site, and a leading "Opinion | " /
    "<section> | " label, so the title is the headline only."""
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    first_key = fold(parts[0])
    if first_key in _LABELS or (section and first_key == fold(section)):
        seps = _TITLE_SEP.findall(title)
        title = title[len(parts[0]) + len(seps[0]) :]
        parts = parts[1:]
        if len(parts) < 2:
            return title
    keys = set()
    if site_name:
        keys.add(fold(site_name).replace(" ", ""))
    if host:
        h = host.lower().removeprefix("www.").split(".")
        if h:
            keys.add(h[0])
    if not keys:
        return title
    seps = _TITLE_SEP.findall(title)
    last = fold(parts[-1]).replace(" ", "")
    if last and any(last == k or (len(k) > 3 and (last.startswith(k) or k.startswith(last))) for k in keys):
        return "".join(p + s for p, s in zip(parts[:-2], seps[:-1])) + parts[-2]
    first = fold(parts[0]).replace(" ", "")
    if first and any(first == k for k in keys):
        return title[len(parts[0]) + len(seps[0]) :]
    return title


def _overlap(a: str, b: str) -> float:
    ta, tb = set(fold(a).split()), set(fold(b).split())
    return len(ta & tb) / (len(ta | tb) or 1)


_HIER_SEP = re.compile(r" [|\-\\/>»–—·] ")


def _word_count(s: str) -> int:
    return len(s.split())


def _headline_from_title_tag(title: str, tree: LexborHTMLParser) -> str:
    """<title> usually carries the site too ("Story - Site", "Site: Story"); keep the part that reads as the
    headline unless that leaves too few words to be one (the rules of Readability's title cleaner)."""
    orig = title
    cur = title
    had_hier = bool(re.search(r" [\\/>»] ", title))
    seps = _HIER_SEP.findall(title)
    if seps:
        cur = title[: title.rfind(seps[-1])]  # up to the last separator: "Story - Section - Site" -> "Story - Section"
        if _word_count(cur) < 3:
            cur = title[title.find(seps[0]) + len(seps[0]) :]  # "Site | Story"
    elif ": " in title:
        headings = {_squash(h.text()) for h in tree.css("h1, h2")[:20]}
        if title not in headings:
            cur = title[title.rfind(": ") + 2 :]
            if _word_count(cur) < 3:
                cur = title[title.find(": ") + 2 :]
            elif _word_count(title[: title.find(": ")]) > 5:
                cur = orig
    elif len(title) > 150 or len(title) < 15:
        h1s = tree.css("h1")
        if len(h1s) == 1:
            cur = _squash(h1s[0].text())
    cur = cur.strip()
    n = _word_count(cur)
    if n <= 4 and (not had_hier or n != _word_count(re.sub(r"[|\-\\/>»–—·]+", "", orig)) - 1):
        cur = orig
    return cur or orig


def _extract_metadata(tree: LexborHTMLParser, url: str | None, nodes: list[LexborNode]) -> dict[str, Any]:
    """`nodes`: the page's meta, title, link and JSON-LD script elements (from <head> and from the body walk)."""
    md: dict[str, Any] = {}
    meta_nodes, ld_scripts, canonical_links = [], [], []
    title_node = None
    for node in nodes:
        tag = node.tag
        if tag == "meta":
            meta_nodes.append(node)
        elif tag == "script":
            if "ld+json" in _attr(node, "type").lower():
                ld_scripts.append(node)
        elif tag == "title":
            title_node = title_node or node
        elif "canonical" in (_attr(node, "rel").lower().split()):
            canonical_links.append(node)
    objs = _jsonld_objects(ld_scripts)
    ids = {o["@id"]: o for o in objs if isinstance(o.get("@id"), str)}
    articles = [o for o in objs if _types(o) & _ARTICLE_TYPES]
    pages = [o for o in objs if _types(o) & _PAGE_TYPES]
    # an article object with a headline is the best; a WebPage only fills what the article lacks
    articles.sort(key=lambda o: (not o.get("headline"), not o.get("articleBody")))
    ld_sources = articles + pages
    metas = _meta_map(meta_nodes)

    def ld(*keys: str) -> Any:
        for o in ld_sources:
            for k in keys:
                v = o.get(k)
                if v:
                    return v
        return None

    # site name first: title cleaning needs it
    publisher = ld("publisher")
    if isinstance(publisher, dict) and "name" not in publisher and isinstance(publisher.get("@id"), str):
        publisher = ids.get(publisher["@id"], publisher)
    site_name = _meta(metas, "og:site_name", "application-name", "al:ios:app_name") or (
        _first_str(publisher.get("name")) if isinstance(publisher, dict) else None
    )
    md["site_name"] = normalize_text(site_name) if site_name else None

    host = urlsplit(url).hostname if url else None
    doc_title = _squash(title_node.text()) if title_node else ""
    headline, name = _first_str(ld("headline")), (_first_str(ld("name")) if articles else None)
    if headline and name and headline != name and doc_title:
        # two titles in JSON-LD: the one closer to <title> is the page's, the other a label ("list article")
        headline = max((headline, name), key=lambda t: _overlap(t, doc_title))
    title = headline or name or _meta(
        metas, "dc:title", "dc.title", "dcterm:title", "dcterms:title", "dcterms.title", "og:title", "twitter:title",
        "parsely-title", "sailthru.title",
    )
    from_title_tag = False
    if not title and doc_title:
        title, from_title_tag = doc_title, True
    if not title:
        h1 = tree.css_first("h1")
        title = _squash(h1.text()) if h1 else None
    if title:
        title = normalize_text(_squash(title))
        if from_title_tag:
            title = _headline_from_title_tag(title, tree)
        section_name = _first_str(ld("articleSection")) or _meta(metas, "article:section")
        title = strip_site_suffix(title, md["site_name"], host, section_name).strip() or title
    md["title"] = title or None

    # authors
    authors = _author_names(ld("author", "creator"), ids)
    if not authors:
        for key in ("dc:creator", "dc.creator", "dcterm:creator", "dcterms:creator", "dcterms.creator", "author",
                    "article:author", "og:article:author", "byl", "parsely-author", "sailthru.author", "twitter:creator:name"):
            for v in metas.get(key, ()):  # a key repeated (one meta per author) gives every name
                if v and not v.startswith(("http://", "https://", "@")):
                    names = clean_byline(v) or _plain_author(v)
                    authors.extend(n for n in names if n not in authors)
            if authors:
                break
    if not authors:
        authors = _dom_authors(tree)
    md["authors"] = tuple(authors[:8])

    # dates
    published = normalize_date(_first_str(ld("datePublished")))
    if not published:
        published = normalize_date(
            _meta(
                metas, "article:published_time", "og:published_time", "article:published", "datepublished",
                "pubdate", "publishdate", "publish-date", "publish_date", "parsely-pub-date", "sailthru.date",
                "dc.date.issued", "dc:date", "dc.date", "dcterms.date", "dcterms:created", "dcterms.created", "date", "og:pubdate",
                "article.published", "published_time", "cxenseparse:recs:publishtime",
            )
        )
    if not published:
        published = normalize_date(_first_str(ld("dateCreated", "uploadDate")))
    if not published:
        published = _dom_date(tree)
    if not published and url:
        m = _URL_DATE.search(url)
        if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
            published = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    md["published"] = published
    md["modified"] = normalize_date(
        _first_str(ld("dateModified"))
        or _meta(metas, "article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified")
    )

    # language
    html = tree.css_first("html")
    lang = _attr(html, "lang") or _attr(html, "xml:lang") if html else ""
    lang = lang or _meta(metas, "og:locale", "content-language", "language", "dc.language") or _first_str(ld("inLanguage")) or ""
    md["language"] = lang.strip().replace("_", "-") or None

    canon = None
    for link in canonical_links:
        href = _attr(link, "href").strip()
        if href:
            canon = href
            break
    canon = canon or _meta(metas, "og:url")
    if canon:
        canon = urljoin(url, canon) if url else canon
        if not canon.startswith(("http://", "https://")):
            canon = None
    md["canonical_url"] = canon

    section = _first_str(ld("articleSection")) or _meta(metas, "article:section", "section", "parsely-section", "sailthru.section")
    md["section"] = normalize_text(section) if section else None
    tags = _str_list(ld("keywords")) or metas.get("article:tag", []) or _str_list(_meta(metas, "news_keywords", "keywords", "parsely-tags", "sailthru.tags"))
    seen: list[str] = []
    for t in tags:
        t = normalize_text(t)
        if t and t not in seen and len(t) <= 80:
            seen.append(t)
    md["tags"] = tuple(seen[:40])
    desc = _first_str(ld("description")) or _meta(metas, "og:description", "description", "twitter:description", "dc.description")
    md["description"] = normalize_text(desc) if desc else None
    image = _first_str(ld("image", "thumbnailUrl")) or _meta(metas, "og:image", "og:image:url", "twitter:image", "twitter:image:src")
    if image and url:
        image = urljoin(url, image)
    md["image"] = image
    body = ld("articleBody")
    md["ld_body"] = body if isinstance(body, str) else None
    return md


_BYLINE_SELECTOR = '[rel="author"], [itemprop~="author"], [class*="byline" i], [class*="author" i]'


def _dom_authors(tree: LexborHTMLParser) -> list[str]:
    """Names from byline-looking elements. A node whose whole text is names ("Ben Silverman") beats one that
    also holds a job title or headlines; the first such node in the page wins."""
    body = tree.body
    if body is None:
        return []
    fallback: list[str] = []
    for node in body.css(_BYLINE_SELECTOR)[:40]:
        if node.tag in ("html", "body", "article", "main", "section", "script", "style", "img"):
            continue
        hints = _hints(node).lower()
        if "author" in hints and re.search(r"(?:^|[\s_-])(?:authors?-?(?:bio|box|info|desc|avatar|image|photo|pic|social)s?)", hints):
            continue
        name_node = node.css_first('[itemprop="name"]') if node.attributes.get("itemprop") else None
        raw = (name_node or node).text(deep=True, separator=" ") or _attr(node, "content")
        text = re.sub(r"[ \t\r\f\v]+", " ", raw).strip()
        if not text or len(text) > 120:
            continue
        names = clean_byline(text)
        if not names:
            continue
        covered = sum(len(n) for n in names)
        letters = len(re.sub(r"(?i)\b(?:by|par|por|von|and|und|et)\b|\W", "", text))
        if covered >= 0.8 * letters - 2:
            return names
        if not fallback:
            fallback = names
    return fallback


def _dom_date(tree: LexborHTMLParser) -> str | None:
    """itemprop=datePublished first, then <time pubdate>, then the first <time datetime> (one css pass)."""
    ranked: list[tuple[int, int, LexborNode]] = []
    for order, node in enumerate(tree.css('[itemprop="datePublished"], time[pubdate], time[datetime]')[:30]):
        attrs = node.attributes
        rank = 0 if attrs.get("itemprop") == "datePublished" else 1 if "pubdate" in attrs else 2
        ranked.append((rank, order, node))
    for _rank, _order, node in sorted(ranked, key=lambda r: (r[0], r[1])):
        value = _attr(node, "datetime") or _attr(node, "content") or node.text(deep=True)
        d = normalize_date(value)
        if d:
            return d
    return None


# ---------------------------------------------------------------------------------------------------------
# main content

_DROP_TAGS = [
    "script", "style", "noscript", "iframe", "svg", "template", "button", "input", "select", "textarea", "canvas",
    "object", "embed", "link", "meta", "nav", "aside", "footer", "figure", "figcaption", "picture", "video",
    "audio", "map", "dialog", "menu", "label", "option", "head",
]
_NEGATIVE = re.compile(
    r"comment|gallery|slideshow|carousel|share(?!d)|sharing|social|related|newsletter|subscri|cookie|consent|promo|advert|sponsor|sidebar|widget"
    r"|breadcrumb|menu|navbar|navigation|footer|masthead|popup|modal|signup|sign-up|recommend|outbrain|taboola|disqus"
    r"|pagination|pager|author-?bio|caption|credit|toolbar|banner|skip|tooltip|rating|more-stories|read-?next"
    r"|trending|most-?popular|also-?read|teaser|byline|dateline|meta-?data|tags|keywords|login|paywall"
    r"|(?:^|[\s_-])(?:ad|ads|nav|tag|hide|print|rail|prev|next)(?:$|[\s_-])",
    re.I,
)
_STRONG_NEGATIVE = re.compile(
    r"comment|disqus|gallery|slideshow|carousel|related|recommend|outbrain|taboola|newsletter|share(?!d)|sharing|social"
    r"|cookie|consent|popup|modal|promo|advert|sponsor|trending|most-?popular|read-?next|more-stories",
    re.I,
)
_POSITIVE = re.compile(r"article|body|content|entry|main|post|story|text|blog|hentry|prose|rich-?text|paragraph", re.I)
_BLOCK_TAGS = frozenset(
    "p div section article main header h1 h2 h3 h4 h5 h6 ul ol li blockquote pre table thead tbody tfoot tr "
    "dl dt dd hr address center details summary fieldset form caption hgroup".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# blocks kept even when they are all link text: headings, list items and table rows are content structure
_KEEP_LINKED = _HEADINGS | {"li", "tr"}
# containers whose own text runs are paragraphs scored for their parent (Readability scores p, td, pre)
_PARA_TAGS = frozenset("p pre li".split())
_NOT_SCORED = frozenset("li h1 h2 h3 h4 h5 h6 dt dd th caption summary address hgroup".split())
_TAG_SCORE = {"div": 5, "article": 10, "main": 5, "section": 3, "pre": 3, "td": 3, "blockquote": 3,
              "form": -3, "ol": -3, "ul": -3, "dl": -3, "li": -3, "address": -3, "th": -5,
              "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "body": -5}
# a paragraph's points go to five ancestors: all to the parent, half to the grandparent, then 1/(3 * level)
_LEVEL_DIVISORS = (1, 2, 6, 9, 12)
_BR_BREAK = re.compile(r"\x00\s*\x00[\s\x00]*")
_SKIP_INLINE = frozenset("img hr wbr area source track".split()) | frozenset(_DROP_TAGS)


class _TagIds:
    """lexbor's integer ids of the tags the walk tells apart (fixed for a lexbor build; read once)."""

    def __init__(self) -> None:
        probe = LexborHTMLParser("<p>x<!--c--></p>")
        para = probe.css_first("p")
        assert para is not None and para.first_child is not None and para.last_child is not None
        self.text = para.first_child.tag_id
        comment = para.last_child.tag_id

        def ids(names: Iterable[str]) -> frozenset[int]:
            return frozenset(probe.create_node(n).tag_id for n in names)

        self.block_names = {probe.create_node(n).tag_id: n for n in _BLOCK_TAGS | {"pre"}}
        self.block = frozenset(self.block_names)
        self.skip = ids(_SKIP_INLINE) | {comment}  # comments are skipped like the dropped tags
        self.cell = ids(("td", "th"))
        self.head_like = ids(("script", "meta", "link", "title"))
        self.br, self.pre, self.a = (probe.create_node(n).tag_id for n in ("br", "pre", "a"))


@lru_cache(maxsize=1)
def _tag_ids() -> _TagIds:
    return _TagIds()


class _El:
    """One block-level element of the page with totals gathered bottom-up in a single walk."""

    __slots__ = ("node", "tag", "parent", "text_len", "link_len", "score", "points", "good", "scored", "_hints", "order")

    def __init__(self, node: LexborNode, tag: str, parent: int, order: int) -> None:
        self.node = node
        self.tag = tag
        self.parent = parent
        self.text_len = 0
        self.link_len = 0
        self.score = 0.0
        self.points = 0.0  # what its paragraphs gave it, before tag/class weights
        self.good = 0  # chars of paragraph-like text (long, few links, outside furniture) in its subtree
        self.scored = False
        self._hints: str | None = None
        self.order = order

    @property
    def hints(self) -> str:
        """class, id and itemprop, read only when needed (attribute access is the costly part of the walk)."""
        if self._hints is None:
            attrs = self.node.attributes
            self._hints = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".strip()
            if attrs.get("itemprop"):
                self._hints += f" itemprop={attrs['itemprop']}"
        return self._hints

    @property
    def link_density(self) -> float:
        return min(1.0, self.link_len / self.text_len) if self.text_len else 0.0


class _Page:
    """The body as block elements (tree of _El) and text blocks (runs of inline content) in document order."""

    def __init__(self, body: LexborNode) -> None:
        self.els: list[_El] = [_El(body, "body", -1, 0)]
        self.blocks: list[tuple[str, int, int]] = []  # (text, link chars, index of the containing _El)
        self.head_like: list[LexborNode] = []  # meta / link / script / title elements met in the body
        self._walk_body(body)

    def _walk_body(self, body: LexborNode) -> None:
        """One recursive pass; the hot loop of extraction, so it works on locals only.

        Text runs collect in `buf` ("\x00" marks a <br>); a block element flushes the run before and after
        itself. Each block element's text and link lengths are summed into its parent on the way back up.
        """
        els = self.els
        blocks = self.blocks
        buf: list[str] = []
        link_acc = [0]  # link chars in the current run
        ids = _tag_ids()
        text_id, br_id, pre_id, a_id = ids.text, ids.br, ids.pre, ids.a
        block_ids, skip_ids, cell_ids, head_like_ids = ids.block, ids.skip, ids.cell, ids.head_like
        block_names = ids.block_names
        head_like = self.head_like

        def flush(el: int) -> None:
            if not buf:
                return
            text = "".join(buf)
            buf.clear()
            link = link_acc[0]
            link_acc[0] = 0
            if "\x00" not in text:
                text = " ".join(text.split())
                if text:
                    blocks.append((text, link, el))
                    els[el].text_len += len(text)
                return
            parts = []
            for part in _BR_BREAK.split(text):
                lines = [" ".join(line.split()) for line in part.split("\x00")]
                part = "\n".join(line for line in lines if line)
                if part:
                    parts.append(part)
            total = sum(len(p) for p in parts) or 1
            els[el].text_len += sum(len(p) for p in parts)
            for p in parts:
                # link chars shared out in proportion: good enough for a density
                blocks.append((p, link * len(p) // total, el))

        def walk(node: LexborNode, e: _El, cur: int, in_link: bool, depth: int) -> None:
            # first_child/next and integer tag ids: measurably cheaper than iter() and tag names here
            child = node.first_child
            while child is not None:
                tid = child.tag_id
                if tid == text_id:
                    t = child.text_content
                    if t:
                        buf.append(t)
                        if in_link:  # text lengths are counted once per run, in flush(); links here
                            n = len(t.strip())
                            e.link_len += n
                            link_acc[0] += n
                elif tid in block_ids:
                    if depth <= 300:
                        if buf:
                            flush(cur)
                        idx = len(els)
                        ce = _El(child, block_names[tid], cur, idx)
                        els.append(ce)
                        if tid == pre_id:
                            # code and poetry: keep the lines as they are, one block
                            raw = child.text(deep=True) or ""
                            lines = [line.rstrip() for line in raw.replace("\r", "").split("\n")]
                            text = "\n".join(lines).strip("\n")
                            if text.strip():
                                ce.text_len = len(text)
                                blocks.append((text, 0, idx))
                        else:
                            walk(child, ce, idx, in_link, depth + 1)
                            if buf:
                                flush(idx)
                        e.text_len += ce.text_len
                        e.link_len += ce.link_len
                elif tid == br_id:
                    buf.append("\x00")
                elif tid in skip_ids:
                    if tid in head_like_ids:
                        head_like.append(child)
                elif tid in cell_ids:
                    # cells of a row read as one line, so a row stays one paragraph
                    if depth <= 300:
                        buf.append(" ")
                        walk(child, e, cur, in_link, depth + 1)
                        buf.append(" ")
                elif depth <= 300:
                    walk(child, e, cur, in_link or tid == a_id, depth + 1)
                child = child.next

        walk(body, els[0], 0, False, 0)
        flush(0)
        # the recursive closure refers to itself through its cell: break that cycle so the page (and the
        # parsed tree its nodes keep alive) is freed at once instead of at the next garbage collection
        walk = None  # type: ignore[assignment]  # noqa: F841

    # -- scoring -----------------------------------------------------------------------------------------

    def _init_score(self, e: _El) -> None:
        e.scored = True
        e.score = _TAG_SCORE.get(e.tag, 0) + _class_weight_of(e.hints)
        if e.tag == "article" or "itemprop=articlebody" in e.hints.lower():
            e.score += 15

    def in_furniture(self, i: int) -> bool:
        """Whether element i lies inside a part hinted as comments/related/sidebar/... (memoised upwards)."""
        memo = self._zone
        path = []
        while i >= 0 and memo[i] is None:
            path.append(i)
            i = self.els[i].parent
        flag = memo[i] if i >= 0 else False
        # a hinted part holding most of the page is a page wrapper with an odd class, not furniture
        limit = 0.6 * self.els[0].text_len
        for j in reversed(path):
            flag = flag or (j != 0 and self.els[j].text_len <= limit and _hinted_furniture(self.els[j].hints))
            memo[j] = flag
        return bool(flag)

    def score(self, skip_furniture: bool = True) -> list[_El]:
        els = self.els
        self._zone: list[bool | None] = [None] * len(els)
        for text, _link, ci in self.blocks:
            n = len(text)
            if n < 25:
                continue
            c = els[ci]
            if _link >= 0.5 * n:  # a link, or a list of them, is navigation whatever its length
                continue
            if c.tag in _NOT_SCORED and not (c.tag == "li" and n >= 80):  # long list items are prose
                continue
            if skip_furniture and self.in_furniture(ci):
                continue
            if n >= 80 and _link < 0.3 * n:
                c.good += n
            commas = text.count(",")
            if commas < 10 and not text.isascii():
                commas += text.count("，") + text.count("、")
            points = 1 + min(commas, 10) + min(n // 100, 3)
            i = c.parent if c.tag in _PARA_TAGS else ci
            for divisor in _LEVEL_DIVISORS:
                if i < 0:
                    break
                e = els[i]
                if not e.scored:
                    self._init_score(e)
                share = points / divisor
                e.score += share
                e.points += share
                i = e.parent
        for e in reversed(els):  # children come after their parent: one reverse pass sums subtrees
            if e.good and e.parent >= 0:
                els[e.parent].good += e.good
        ranked = [e for e in els if e.scored]
        for e in ranked:
            e.score *= 1 - e.link_density
        ranked.sort(key=lambda e: e.score, reverse=True)
        return ranked

    def ancestors(self, i: int) -> list[int]:
        out = []
        i = self.els[i].parent
        while i >= 0:
            out.append(i)
            i = self.els[i].parent
        return out

    def pick(self) -> list[int]:
        """Indexes of the elements that make the article: the best candidate and its good siblings."""
        ranked = self.score()
        if not ranked or ranked[0].score < 5:
            for e in self.els:
                e.scored = False
                e.score = e.points = 0.0
                e.good = 0
            ranked = self.score(skip_furniture=False)
        if not ranked or ranked[0].score <= 0:
            return [0]
        top = ranked[0]
        top_i = top.order
        best_score = top.score
        # several strong candidates under one ancestor: the article is split, take the ancestor
        rivals = [e.order for e in ranked[1:5] if e.score >= top.score * 0.75]
        if len(rivals) >= 2:
            top_anc = self.ancestors(top_i)
            for a in top_anc:
                if a == 0 or _hinted_furniture(self.els[a].hints):
                    break
                if sum(1 for r in rivals if a in self.ancestors(r)) >= 2:
                    top_i = a
                    break
        # climb while the parent is only a wrapper around the candidate
        while True:
            p = self.els[top_i].parent
            if p <= 0:
                break
            pe = self.els[p]
            if pe.tag == "body" or _hinted_furniture(pe.hints):
                break
            cur = self.els[top_i]
            added_text = pe.text_len - cur.text_len
            added_good = pe.good - cur.good
            # a wrapper, or a parent whose extra text is mostly more paragraphs (an article split in sections)
            if added_text <= 0.1 * pe.text_len or (added_good >= 0.15 * cur.good and added_good >= 0.6 * added_text):
                top_i = p
                continue
            break
        top = self.els[top_i]
        parent = top.parent
        if parent < 0:
            return [top_i]
        top_score = max(best_score, top.score if top.scored else 0.0)
        threshold = max(10.0, top_score * 0.2)
        chosen = []
        for e in self.els[parent + 1 :]:
            if e.parent != parent:
                continue
            if e.order == top_i:
                chosen.append(e.order)
                continue
            if _hinted_furniture(e.hints):
                continue
            bonus = top_score * 0.2 if e.hints and e.hints == top.hints else 0.0
            # a class weight alone does not make a sibling part of the article: its paragraphs must too
            if e.scored and e.score + bonus >= threshold and e.points * (1 - e.link_density) >= threshold * 0.5:
                chosen.append(e.order)
            elif e.tag == "p":
                ld = e.link_density
                if e.text_len > 80 and ld < 0.25:
                    chosen.append(e.order)
                elif 0 < e.text_len <= 80 and ld == 0 and re.search(r"\.( |$)", e.node.text() or ""):
                    chosen.append(e.order)
        return chosen or [top_i]

    # -- output ------------------------------------------------------------------------------------------

    def furniture(self, e: _El) -> bool:
        """Inside the article: link lists, share bars, captions and promos, judged by shape first and by
        class/id hints only when the shape agrees (short or link-heavy), except for parts whose hint names
        something that is never article text (comments, galleries, related links). Hints are read last:
        reading attributes is the costly part."""
        tag = e.tag
        if tag in _HEADINGS or tag == "pre" or e.text_len == 0:
            return False
        if tag == "p":
            return e.text_len < 200 and _hinted_furniture(e.hints)
        ld = e.link_density
        if e.text_len < 2000:
            # lists of related links are (nearly) all link text; a list that names linked people or projects
            # in prose runs lower, so lists get a higher bar than generic boxes
            if tag in ("ul", "ol", "dl") and ld > 0.65:
                return True
            if tag in ("table", "div", "section", "header", "form") and ld > 0.5:
                return True
        if tag == "li" or tag == "tr" or tag == "dd" or tag == "dt":
            return False  # items and rows are judged through their list or table
        neg, pos, strong = _hint_kind(e.hints)
        if not neg or pos:
            return False
        return strong or e.text_len < 400 or ld > 0.3

    def paragraphs(self, roots: list[int]) -> list[str]:
        """Text blocks under the roots, minus those inside furniture, in document order."""
        els = self.els
        # state per element: 0 outside the article, 1 kept, 2 inside but dropped (furniture on the way)
        state = bytearray(len(els))
        root_set = set(roots)
        for e in els:  # parents come before their children, so one forward pass settles everything
            i = e.order
            if i in root_set:
                state[i] = 2 if (i != 0 and self.furniture(e)) else 1
                continue
            ps = state[e.parent] if e.parent >= 0 else 0
            if ps == 1:
                state[i] = 2 if self.furniture(e) else 1
            else:
                state[i] = ps
        out = []
        for text, link, ci in self.blocks:
            if state[ci] != 1:
                continue
            n = len(text)
            # a stand-alone link line ("Read the full report") inside the article is navigation
            # (a table row is kept as a data row only when it is one line: br-separated links are a menu)
            if link and link >= 0.8 * n and n < 120 and (els[ci].tag not in _KEEP_LINKED or "\n" in text):
                continue
            out.append(text)
        return out


_HINT_CACHE: dict[str, tuple[bool, bool]] = {}
_STATE_TOKEN = re.compile(r"^(?:has|with|no|non|not|show|is|js|enable[ds]?|disable[ds]?|can|allow)[-_]", re.I)


_SLUG_STOPWORDS = frozenset("a an the of to and or in on for with at by from is are how why what your our".split())


def _is_slug(token: str) -> bool:
    parts = re.split(r"[-_]+", token.lower())
    return len(parts) >= 5 and any(p in _SLUG_STOPWORDS for p in parts)


def _hint_kind(hints: str) -> tuple[bool, bool, bool]:
    """(negative, positive, strong) from class/id tokens. A token naming both ("post-comments") counts as
    negative: the more specific word is the furniture one. `strong`: a negative token naming a part that is
    never article text whatever its size (comments, galleries, related links)."""
    if not hints:
        return (False, False, False)
    kind = _HINT_CACHE.get(hints)
    if kind is None:
        neg = pos = strong = False
        for token in hints.split():
            if _STATE_TOKEN.match(token):  # "has-sidebar", "with-comments": a page state, not a part
                continue
            if _is_slug(token):  # "sharing-with-a-single-developer": an id made from a heading
                continue
            if _NEGATIVE.search(token):
                neg = True
                strong = strong or bool(_STRONG_NEGATIVE.search(token))
            elif _POSITIVE.search(token):
                pos = True
        kind = (neg, pos, strong)
        if len(_HINT_CACHE) < 50_000:
            _HINT_CACHE[hints] = kind
    return kind


def _class_weight_of(hints: str) -> int:
    neg, pos, _ = _hint_kind(hints)
    return (-25 if neg else 0) + (25 if pos else 0)


def _hinted_furniture(hints: str) -> bool:
    neg, pos, _ = _hint_kind(hints)
    return neg and not pos


def _strongly_hinted_furniture(hints: str) -> bool:
    neg, pos, strong = _hint_kind(hints)
    return strong and not pos


# a broad query (each selector in a group costs a pass), narrowed in Python below
_HIDDEN_OR_BODY = '[hidden], [aria-hidden="true"], [style*="none" i], [style*="hidden" i], [itemprop="articleBody" i]'


def _prepare(tree: LexborHTMLParser) -> set[int]:
    """Remove hidden elements; return the mem_ids of elements marked itemprop=articleBody.

    One css() query does both (each query is a full DOM pass). Scripts, navigation and the like are not
    removed but skipped by the walk, which is cheaper than a pass per tag. Only the outermost hidden
    elements are decomposed: touching a node inside an already freed subtree is unsafe.
    """
    marked: set[int] = set()
    hidden: list[LexborNode] = []
    hidden_ids: set[int] = set()
    for node in tree.css(_HIDDEN_OR_BODY):
        attrs = node.attributes
        prop = (attrs.get("itemprop") or "").lower()
        style = (attrs.get("style") or "").replace(" ", "").lower()  # "display: none" -> "display:none"
        is_hidden = (
            "hidden" in attrs
            or attrs.get("aria-hidden") == "true"
            or "display:none" in style
            or "visibility:hidden" in style
        )
        if not is_hidden:
            if prop == "articlebody":
                marked.add(node.mem_id)
            continue
        anc = node.parent
        inside = False
        while anc is not None:
            if anc.mem_id in hidden_ids:
                inside = True
                break
            anc = anc.parent
        if not inside:
            hidden.append(node)
            hidden_ids.add(node.mem_id)
    for node in hidden:
        node.decompose()
    return marked


# Class/id words sites use for a story's key-point bullets ("Key Points", "Story highlights", "Takeaways").
_KEY_POINTS_HINT = re.compile(
    r"key[-_ ]?points?|story[-_ ]?highlights|article[-_ ]?highlights|key[-_ ]?takeaways|takeaways|tl[-_]?dr|"
    r"summary[-_ ]?(?:points|bullets|list)",
    re.I,
)


def _summary_points(page: _Page) -> tuple[list[str], list[str]]:
    """The first list the page marks as key points (on the list or on its two nearest block ancestors), 2-8
    items, and the headings of the marked block ("Key Points"), which must leave the body with it.

    Works on the walk's block elements, whose class/id the scoring reads anyway, instead of another DOM pass.
    """
    els = page.els
    for el in els:
        # key points are a few sentences, not links: numbers the walk already has rule out menus and link
        # lists before any class attribute is read
        if el.tag not in ("ul", "ol") or not 40 <= el.text_len <= 4000 or el.link_len * 3 > el.text_len:
            continue
        block = el if _KEY_POINTS_HINT.search(el.hints) else None
        ancestor = el.parent
        for _ in range(2):
            if ancestor < 0:
                break
            if _KEY_POINTS_HINT.search(els[ancestor].hints):
                block = els[ancestor]
            ancestor = els[ancestor].parent
        if block is None:
            continue
        items = [_squash(normalize_text(item.text(separator=" "))) for item in el.node.css("li")]
        items = [item for item in items if 3 <= _word_count(item) <= 80]
        if 2 <= len(items) <= 8:
            headings = [
                _squash(normalize_text(h.text(separator=" "))) for h in block.node.css("h1, h2, h3, h4, h5, h6")
            ]
            return items, headings
    return [], []


def extract_document(html: str, url: str | None = None) -> Document:
    """Body text and metadata of one HTML page; a page without an article gives text "".

    A bug raises instead of giving an empty Document, so the analysis step records it as a failure rather
    than as a page without text.
    """
    return _extract_document(html, url)


def _extract_document(html: str, url: str | None) -> Document:
    if not isinstance(html, str):
        html = html.decode("utf-8", "replace") if isinstance(html, (bytes, bytearray)) else ""
    # (NUL characters need no cleaning: lexbor drops them, and the walk uses "\x00" as its <br> mark)
    if not html.strip():
        return Document(url=url, title=None, text="")
    tree = LexborHTMLParser(html)
    marked = _prepare(tree)
    body = tree.body
    page = _Page(body) if body is not None else None
    head = tree.head
    head_nodes = head.css('meta, title, link[rel], script[type*="ld+json"]') if head is not None else []
    md = _extract_metadata(tree, url, head_nodes + (page.head_like if page else []))
    title = md["title"]
    paragraphs = _main_paragraphs(page, marked, md.get("ld_body")) if page else []
    summary, summary_headings = _summary_points(page) if page else ([], [])
    body = clean_paragraphs(paragraphs, title)
    if summary:
        points = {fold(point) for point in [*summary, *summary_headings]}
        body = [paragraph for paragraph in body if fold(paragraph) not in points]
    return Document(
        url=url,
        title=title,
        text="\n\n".join(body),
        authors=md["authors"],
        published=md["published"],
        modified=md["modified"],
        language=md["language"],
        canonical_url=md["canonical_url"],
        site_name=md["site_name"],
        section=md["section"],
        tags=md["tags"],
        description=md["description"],
        image=md["image"],
        summary_points=tuple(summary),
    )


def _main_paragraphs(page: _Page, marked: set[int], ld_body: str | None) -> list[str]:
    paras: list[str] = []
    if marked:
        roots = [e.order for e in page.els if e.text_len >= 200 and e.node.mem_id in marked]
        if len(roots) == 1:
            paras = page.paragraphs(roots)
    if not paras:
        paras = page.paragraphs(page.pick())
    if sum(len(p) for p in paras) < 200 and ld_body and len(ld_body) > 200:
        return [p for p in re.split(r"\n\s*\n|\r?\n", ld_body) if p.strip()]
    return paras


# ---------------------------------------------------------------------------------------------------------
# plain text pages

_BULLET = re.compile(r"^\s*[•·▪◦●‣∙*–-]\s+")


def extract_text_page(text: str, url: str | None = None) -> Document:
    """A page saved as text the way a browser shows it: one block per line, title first, boilerplate included.

    The first non-empty line is the title (repeats of it are dropped); bullet lines before the body are the
    summary points, kept apart from the body; the rest goes through the same cleaning rules as HTML.
    """
    return _extract_text_page(text, url)


def _extract_text_page(text: str, url: str | None) -> Document:
    if not isinstance(text, str):
        text = text.decode("utf-8", "replace") if isinstance(text, (bytes, bytearray)) else ""
    lines = [normalize_text(line) for line in text.replace("\x00", "").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return Document(url=url, title=None, text="")
    title = lines[0]
    title_key = fold(title)
    rest = lines[1:]
    summary: list[str] = []
    i = 0
    while i < len(rest):
        line = rest[i]
        if fold(line) == title_key:
            i += 1
            continue
        if _BULLET.match(line):
            summary.append(_BULLET.sub("", line).strip())
            i += 1
            continue
        break
    body = clean_paragraphs(rest[i:], title)
    return Document(url=url, title=title, text="\n\n".join(body), summary_points=tuple(summary))


# ---------------------------------------------------------------------------------------------------------
# benchmark adapter


def bench_extract(html: str, url: str | None) -> dict[str, Any]:
    """Adapter for the shared scorer (bench_extract.py): text plus the metadata it scores."""
    doc = extract_document(html, url)
    return {"text": doc.text, "title": doc.title, "authors": list(doc.authors), "published": doc.published}
