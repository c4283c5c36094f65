"""Page metadata, one short function per field, each reading its sources (tasks.metaselectors) in order of trust.

  title      JSON-LD headline/name (an article object's), Dublin Core title, og:title, twitter:title,
             parsely-title, then <title> (site part cut as Readability does) or the only <h1>; a trailing
             " | Site" / " - Site" naming the site (og:site_name, publisher, host) is removed.
  authors    JSON-LD author (persons, organisations, @id references in @graph), then meta (dc:creator,
             author, article:author, byl, parsely/sailthru), then bylines in the page (rel=author,
             itemprop=author, class "byline"/"author"; a user name where the element says author), then an
             element after the headline that a label starts ("Von", "Por", "Autorin:"); a declared author that
             is only the site itself gives way to the page's byline. Cleaned of labels in several languages,
             dates, reading times, handles, job titles.
  published  JSON-LD datePublished, article:published_time and other date metas, JSON-LD dateCreated,
             itemprop=datePublished / <time datetime>, a /yyyy/mm/dd/ in the URL. ISO 8601, offset kept as
             written (no conversion, so the day is the publisher's). modified: dateModified and its metas.
  language   <html lang>, og:locale, Content-Language meta, JSON-LD inLanguage.
  others     canonical_url (link rel=canonical, og:url; made absolute), site_name, section, tags,
             description, image: JSON-LD first, then OpenGraph/article:*, then plain meta.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from html import unescape as html_unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tasks import metaselectors as sel
from tasks.clean import fold, normalize_text
from tasks.dates import date_from_url, date_in_text, day_first, day_month_swapped, is_utc, normalize_date
from tasks.jsonld import ARTICLE_TYPES, PAGE_TYPES, first_str, jsonld_objects, schema_types, str_list
from tasks.models import Document
from tasks.nodes import attr, hints, squash

__all__ = ["extract_metadata", "clean_byline", "strip_site_suffix", "with_listing_dates"]



# ---------------------------------------------------------------------------------------------------------
# authors

_BY_PREFIX = re.compile(
    r"^\s*(?:(?:(?:ein|blog|gast)\s*)?(?:written|posted|reported|story|words|text|eingestellt|geschrieben|verfasst"
    r"|gepostet|erstellt|artikel|beitrag|gastbeitrag|kommentar|interview|rezept|publié|publicado|escrito|scritto"
    r"|pubblicato)\s+(?:by|von|par|por|da|de|di)|by|par|por|von|door|av|di)\b[:\s]*"
    # a label and a colon before the name: "Autor: Jane Doe", "Interview: Julia Roe", "Texte : Marie Dupont"
    r"|^\s*(?:autor(?:in)?|authors?|auteur|text|texte|texto|testo|interview|redaktion|verfasser(?:in)?|quelle|source"
    r"|źródło|fuente|fonte)\s*:\s*",
    re.I,
)
# a byline's label left alone ("Artikel von:", "Eingestellt von") and comment-form field labels ("Name *",
# "Name (erforderlich)") are not names
_LABEL_ONLY = re.compile(
    r"(?:^|\s)(?:by|von|par|por|door|av|da|de)\s*:?\s*$"
    r"|^(?:name|e-?mail|website|webseite|url|text|kommentar|comment|nom|nombre|nome|alle artikel|all posts"
    r"|mehr|more)\b\s*[*:(]?.*$|erforderlich|required|obligatoire|pflichtfeld"
    r"|^(?:autor(?:in|en)?|authors?|auteurs?|autore|autori|verfasser(?:in)?"
    r"|user\s?name|benutzername|login|log in|sign in|anmelden|guest|gast|anonymous|anonym)$",
    re.I,
)
_JOB_WORDS = re.compile(
    r"\b(?:reporter|editor|correspondent|writer|contributor|columnist|producer|analyst|staff|journalist|author"
    r"|photographer|critic|intern|chief|senior|associate|contributing|news|desk|bureau|updated|published|posted"
    r"|min(?:ute)?s?\s+read|read|follow|twitter|email|health)\b",
    re.I,
)
_NAME_PARTICLES = frozenset("de da di du del della der den van von la le al bin ibn y e dos das zu ter ten".split())


_NOT_A_NAME = re.compile(r"\d|https?:|www\.|@|/|:|\?|!")
_LATIN_START = re.compile(r"[A-Za-z]")


_HANDLE = re.compile(r"[^\W_][\w.\-]{1,30}")


def _looks_like_name(s: str, handles: bool = False) -> bool:
    """A person or desk name: 1-5 words, no digits/URLs, every Latin word capitalised except particles (de, van).
    With `handles` (the element itself says it holds the author: rel=author, a vcard's fn, a username) a
    one-word user name as blogs and forums show it ("gizzmo", "freeman1984", "Isabella.DiBiase") counts too."""
    if handles and _HANDLE.fullmatch(s) and sum(1 for c in s if c.isalpha()) >= 2:
        return True
    if not s or len(s) > 60 or _NOT_A_NAME.search(s):
        return False
    words = s.split()
    if not 1 <= len(words) <= 5:
        return False
    for w in words:
        if _LATIN_START.match(w) and not w[0].isupper() and w.lower() not in _NAME_PARTICLES:
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
    r"|\b\d+\s*(?:-\s*)?(?:min(?:ute)?s?|hours?|hrs?)\b(?:\s+read)?.*$|\b(?:minute|min) read\b.*$"
    # a preposition before a date or a filing ("R. Roe am 07.08.2013", "Jane on 3 May", "under Politics")
    r"|\s(?:am|on|um|le|el|il|at)\s+\d.*$|\s(?:filed\s+)?(?:under|unter)(?:\s.*)?$",
    re.I,
)
_NOT_AUTHOR_ROLE = re.compile(
    r"^\s*(?:edited|photos?|photographs?|illustrations?|graphics|video|images?|design|additional reporting|"
    r"reporting contributed|fact[- ]checked|reviewed)\s+by\b",
    re.I,
)
_NAME_SPLIT = re.compile(r"\s*(?:;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*")


_LINK_OR_EMAIL = re.compile(r"\([^()]*(?:https?:|www\.|@)[^()]*\)|<[^<>]*@[^<>]*>|\S+@\S+\.\w+|(?<!\w)@\w+")
_BYLINE_SEPARATOR = re.compile(r"\s*[|\n•·—–]\s*|\s+-\s+")


# a role glued to the outlet before the name, as German bylines write it ("FOCUS-Online-Experte Robin Roe",
# "taz-Redakteurin Jana Roe", "SPIEGEL-Korrespondent Max Roe")
_GLUED_ROLE = re.compile(
    r"^\S+-(?:experte|expertin|redakteur|redakteurin|autor|autorin|korrespondent|korrespondentin|kolumnist"
    r"|kolumnistin|reporter|reporterin|mitarbeiter|mitarbeiterin|chefredakteur|chefredakteurin|volontär"
    r"|volontärin)\s+(?=\w)",
    re.I,
)
_LEADING_DATE = re.compile(r"^[\d.:/\s]+(?:uhr\b)?\s*[-|,]?\s*(?=\w)", re.I)


def clean_byline(raw: str, handles: bool = False) -> list[str]:
    """'By Jane Doe and John Roe | Updated 3 min read' -> ['Jane Doe', 'John Roe'].

    Cuts at separators (|, newline, bullets) and at the first date, time or reading time; drops the By/Par
    prefix and job titles; splits on 'and', '&' and ';', and on commas only when every part reads as a name
    ("Jane Doe, Senior Reporter" and "Name, Some Project" keep the first part only). `handles`: see
    _looks_like_name.
    """
    s = normalize_text(raw or "")
    s = _LINK_OR_EMAIL.sub(" ", s)  # links, emails
    if not s.strip():
        return []
    names: list[str] = []
    for segment in _BYLINE_SEPARATOR.split(s):
        if _NOT_AUTHOR_ROLE.match(segment):
            continue
        segment = segment.strip()
        if segment[:1].isdigit():
            segment = _LEADING_DATE.sub("", segment)
        segment = _BY_PREFIX.sub("", segment)
        if "-" in segment:
            segment = _GLUED_ROLE.sub("", segment)
        segment = _BYLINE_NOISE.sub("", segment).strip(" ,:;.-")
        segment = _BY_PREFIX.sub("", segment).strip(" ,:;.")
        if not segment:
            continue
        comma_parts = [c.strip(" .") for c in segment.split(",") if c.strip(" .")]
        if len(comma_parts) > 1:
            people = [c for c in comma_parts if not _JOB_WORDS.search(c)]
            if len(people) == len(comma_parts) and all(  # "A Roe, B Doe, C Poe and D Moe": four names
                2 <= len(p.split()) <= 4 for c in comma_parts for p in _NAME_SPLIT.split(c) if p.strip()
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
                if _looks_like_name(part, handles) and not _LABEL_ONLY.search(part) and part not in names:
                    names.append(part)
    return names


_NOT_PLAIN_AUTHOR = re.compile(r"https?:|www\.|@|\d{4}")


def _plain_author(value: str) -> list[str]:
    """A declared author field (meta, JSON-LD) taken as written when it is short and not a URL or a date:
    organisations ("Contributors to Wikimedia projects") do not look like personal names."""
    v = squash(normalize_text(value)).strip(" ,;")
    v = _BY_PREFIX.sub("", v).strip()
    if not v or len(v) > 80 or len(v.split()) > 8 or _NOT_PLAIN_AUTHOR.search(v):
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
            if schema_types(value) & {"organization", "newsmediaorganization", "corporation"}:
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
# meta elements

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

# ---------------------------------------------------------------------------------------------------------
# titles

_TITLE_SEP = re.compile(r"\s+(?:\||-|–|—|::|·|»|/|:|⋆|•|ǀ|>)\s+")


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
    short_last = len(parts[-1].split()) <= 5
    if last and any(
        last == k or (len(k) > 3 and (last.startswith(k) or k.startswith(last) or (short_last and k in last)))
        for k in keys
    ):
        return "".join(p + s for p, s in zip(parts[:-2], seps[:-1])) + parts[-2]
    first = fold(parts[0]).replace(" ", "")
    if first and any(first == k for k in keys):
        return title[len(parts[0]) + len(seps[0]) :]
    return title


def _part_the_headline_repeats(title: str, h1_texts: list[str]) -> str | None:
    """"Story - Section - Site" whose page shows "Story" as its <h1>: the parts the <h1> repeats are the headline
    (whatever the site calls itself, which the site-name rules cannot always tell)."""
    if not _TITLE_SEP.search(title):
        return None
    headlines = {fold(squash(h)) for h in h1_texts[:3]} - {""}
    if not headlines:
        return None
    spans = [m.span() for m in _TITLE_SEP.finditer(title)]
    # the headline is the longer side: an <h1> that is the site's logo must not leave the site name as the title
    for start, end in spans:  # a site or section part after the headline
        if fold(title[:start]) in headlines and start > len(title) - end:
            return title[:start].strip()
    for start, end in spans:  # a section or site part before it
        if fold(title[end:]) in headlines and len(title) - end > start:
            return title[end:].strip()
    return None


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
        headings = {squash(h.text()) for h in tree.css("h1, h2")[:20]}
        if title not in headings:
            cur = title[title.rfind(": ") + 2 :]
            if _word_count(cur) < 3:
                cur = title[title.find(": ") + 2 :]
            elif _word_count(title[: title.find(": ")]) > 5:
                cur = orig
    elif len(title) > 150 or len(title) < 15:
        h1s = tree.css("h1")
        if len(h1s) == 1:
            cur = squash(h1s[0].text())
    cur = cur.strip()
    n = _word_count(cur)
    if n <= 4 and (not had_hier or n != _word_count(re.sub(r"[|\-\\/>»–—·]+", "", orig)) - 1):
        cur = orig
    return cur or orig



# ---------------------------------------------------------------------------------------------------------
# the page's metadata sources, read once


@dataclass
class _Sources:
    """What the field functions read: meta elements by key, JSON-LD objects (articles first), <title>."""

    tree: LexborHTMLParser
    url: str | None
    metas: dict[str, list[str]]
    ld_sources: list[dict]
    ids: dict[str, dict]
    has_article: bool
    doc_title: str
    canonical_links: list[LexborNode]
    all_ld: list[dict]  # every JSON-LD object, whatever its type (a Recipe, a QAPage, a Product)
    ld_scripts: list[LexborNode]  # the JSON-LD scripts as written, for dates in JSON that does not parse
    state_scripts: list[LexborNode]  # inline scripts and JSON data (a page's state: __NEXT_DATA__, window.__STATE__)
    h1_nodes: list[LexborNode]  # the page's <h1> elements, in document order

    def ld(self, *keys: str) -> Any:
        for o in self.ld_sources:
            for k in keys:
                v = o.get(k)
                if v:
                    return v
        return None

    def meta(self, keys: tuple[str, ...]) -> str | None:
        return _meta(self.metas, *keys)

    @cached_property
    def dayfirst(self) -> bool:
        """Whether 03/04/2021 means the 3rd of April on this page (its language, else its host's country)."""
        html = self.tree.root  # (the <html> element: css_first("html") would be a query over the page)
        lang = (attr(html, "lang") if html else "") or self.meta(sel.LANGUAGE_META) or ""
        return day_first(lang, urlsplit(self.url).hostname if self.url else None)

    @cached_property
    def h1_texts(self) -> list[str]:
        """The first few <h1>s' texts (a logo or a section name is often an <h1> too)."""
        return [h.text(deep=True, separator=" ").strip() for h in self.h1_nodes[:5]]

    @cached_property
    def headline_node(self) -> LexborNode | None:
        """The page's headline: the longest of the first few <h1>s (a logo or a section name is often an <h1> too);
        a page without one has it in the <h2> its <title> repeats."""
        h1s = [(len(t), h) for h, t in zip(self.h1_nodes, self.h1_texts) if len(t) >= 8]
        if h1s:
            return max(h1s, key=lambda c: c[0])[1]
        title = self.doc_title.lower()
        for h2 in self.tree.css("h2")[:5]:
            text = h2.text(deep=True, separator=" ").strip()
            if len(text) >= 8 and squash(text).lower() in title:
                return h2
        return None

    @cached_property
    def body_text(self) -> str:
        """The text people read in <body>: without the code of its scripts and styles (a "created 02.06.10" in
        an ad script's comment is not the article's date)."""
        body = self.tree.body
        if body is None:
            return ""
        text = body.text(deep=True, separator=" ")
        kept: list[str] = []
        at = 0
        for code in body.css("script, style"):  # in page order, so one pass over the text cuts them all
            chunk = code.text(deep=True)
            found = text.find(chunk, at) if chunk and len(chunk) > 20 else -1
            if found >= 0:
                kept.append(text[at:found])
                at = found + len(chunk)
        kept.append(text[at:])
        return " ".join(kept)


def _sources(tree: LexborHTMLParser, url: str | None, nodes: list[LexborNode]) -> _Sources:
    meta_nodes, ld_scripts, canonical_links, untyped, state_scripts, h1_nodes = [], [], [], [], [], []
    title_node = None
    for node in nodes:
        tag = node.tag
        if tag == "meta":
            meta_nodes.append(node)
        elif tag == "script":
            kind = (node.attributes.get("type") or "").lower()  # (attr's lookup raises inside when it is absent)
            if "ld+json" in kind:
                ld_scripts.append(node)
            else:
                if not kind:
                    untyped.append(node)
                if not kind or "json" in kind or "javascript" in kind:
                    state_scripts.append(node)
        elif tag == "title":
            title_node = title_node or node
        elif tag == "h1":
            h1_nodes.append(node)
        elif "canonical" in (attr(node, "rel").lower().split()):
            canonical_links.append(node)
    if not ld_scripts:  # some pages leave out the type of their JSON-LD script
        ld_scripts = [n for n in untyped if (n.text(deep=True) or "").lstrip()[:1] in ("{", "[") and
                      '"@context"' in (n.text(deep=True) or "")[:300]]
    objs = jsonld_objects(ld_scripts)
    ids = {o["@id"]: o for o in objs if isinstance(o.get("@id"), str)}
    articles = [o for o in objs if schema_types(o) & ARTICLE_TYPES]
    pages = [o for o in objs if schema_types(o) & PAGE_TYPES]
    # an article object with a headline is the best; a WebPage only fills what the article lacks
    articles.sort(key=lambda o: (not o.get("headline"), not o.get("articleBody")))
    return _Sources(
        tree=tree,
        url=url,
        metas=_meta_map(meta_nodes),
        ld_sources=articles + pages,
        ids=ids,
        has_article=bool(articles),
        doc_title=squash(title_node.text()) if title_node else "",
        canonical_links=canonical_links,
        all_ld=objs,
        ld_scripts=ld_scripts,
        state_scripts=state_scripts,
        h1_nodes=h1_nodes,
    )


def extract_metadata(tree: LexborHTMLParser, url: str | None, nodes: list[LexborNode]) -> dict[str, Any]:
    """`nodes`: the page's meta, title, link and JSON-LD script elements (from <head> and from the body walk)
    and all its <h1> elements (found by the query for hidden elements: a query of their own is another pass)."""
    src = _sources(tree, url, nodes)
    site = site_name(src)  # first: title cleaning needs it
    body = src.ld("articleBody")
    return {
        "site_name": site,
        "title": title(src, site),
        "authors": authors(src),
        "published": published(src),
        "modified": modified(src),
        "language": language(src),
        "canonical_url": canonical_url(src),
        "section": section(src),
        "tags": tags(src),
        "description": description(src),
        "image": image(src),
        "ld_body": body if isinstance(body, str) else None,
    }


# ---------------------------------------------------------------------------------------------------------
# one function per field


def site_name(src: _Sources) -> str | None:
    publisher = src.ld("publisher")
    if isinstance(publisher, dict) and "name" not in publisher and isinstance(publisher.get("@id"), str):
        publisher = src.ids.get(publisher["@id"], publisher)
    name = src.meta(sel.SITE_NAME_META) or (first_str(publisher.get("name")) if isinstance(publisher, dict) else None)
    return normalize_text(name) if name else None


def title(src: _Sources, site: str | None) -> str | None:
    host = urlsplit(src.url).hostname if src.url else None
    doc_title = src.doc_title
    headline, name = first_str(src.ld("headline")), (first_str(src.ld("name")) if src.has_article else None)
    if headline and name and headline != name and doc_title:
        # two titles in JSON-LD: the one closer to <title> is the page's, the other a label ("list article")
        headline = max((headline, name), key=lambda t: _overlap(t, doc_title))
    found = headline or name or src.meta(sel.TITLE_META)
    from_title_tag = False
    if not found and doc_title:
        found, from_title_tag = doc_title, True
    if not found:
        h1 = src.tree.css_first("h1")
        found = squash(h1.text()) if h1 else None
    if found:
        found = normalize_text(squash(found))
        if from_title_tag:
            found = _headline_from_title_tag(found, src.tree)
        section_name = first_str(src.ld("articleSection")) or src.meta(sel.SECTION_FOR_TITLE_META)
        found = _part_the_headline_repeats(found, src.h1_texts) or (
            strip_site_suffix(found, site, host, section_name).strip() or found
        )
    return found or None


def authors(src: _Sources) -> tuple[str, ...]:
    """Declared authors (JSON-LD, then meta), else the byline in the page. A declared author that is only the
    site itself (its name, publisher or host: "Badische Zeitung", "LAOLA1.at") is what a CMS fills in when the
    writer is named in the page only, so the page's byline goes first there."""
    names = _author_names(src.ld(*sel.AUTHOR_LD), src.ids)
    if not names:
        for key in sel.AUTHOR_META:
            for v in src.metas.get(key, ()):  # a key repeated (one meta per author) gives every name
                if v and not v.startswith(("http://", "https://", "@")):
                    found = clean_byline(v) or _plain_author(v)
                    names.extend(n for n in found if n not in names)
            if names:
                break
    if not names or _only_the_site(names, src):
        names = _dom_authors(src.tree) or _labelled_byline(src) or names
    return tuple(names[:8])


def _as_written(labels: Iterable[str]) -> str:
    return "|".join(re.escape(w) for label in labels for w in (label, label.upper()))


_LABEL_START = re.compile(
    rf"(?:(?P<label>{_as_written(sel.BYLINE_LABELS)})|{_as_written(sel.BYLINE_PREPOSITIONS)})(?:\s*:\s*|\s+|$)"
)
_AFTER_HEADLINE_ELEMENTS = 60  # how far after the headline a byline is looked for (elements, in document order)


def _labelled_byline(src: _Sources) -> list[str]:
    """A short element just after the headline whose own text a byline label starts ("<p>Por <b>Ana Roe</b></p>"):
    the byline of a page that marks none. Only the few elements after the headline are read (a teaser's "Von ..."
    above it or further down is another article's); a preposition label counts before full names only."""
    headline = src.headline_node
    if headline is None:
        return []
    seen = 0
    level: LexborNode | None = headline
    for _ in range(3):
        if level is None or level.tag in ("body", "html"):
            break
        sibling = level.next
        while sibling is not None and seen < _AFTER_HEADLINE_ELEMENTS:
            for node in sibling.traverse():
                seen += 1
                if seen > _AFTER_HEADLINE_ELEMENTS:
                    break
                match = _LABEL_START.match(node.text(deep=False).lstrip())
                if not match:
                    continue
                text = node.text(deep=True, separator=" ")
                names = clean_byline(text) if len(text) <= 150 else []
                if names and (match.group("label") or all(2 <= len(n.split()) <= 4 for n in names)):
                    return names
            sibling = sibling.next
        level = level.parent
    return []


_NOT_ALNUM = re.compile(r"[\W_]+")


def _site_key(s: str) -> str:
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", s).casefold())


def _only_the_site(names: list[str], src: _Sources) -> bool:
    """Every name is the site's own: its og:site_name or publisher, or its host's name ("LN" for ln-online.de,
    "Motorsport-Total.com" for motorsport-total.com)."""
    host = (urlsplit(src.url).hostname or "") if src.url else ""
    labels = [lab for lab in host.lower().split(".") if lab not in ("www", "m", "de", "com", "org", "net", "at", "ch")]
    site = [_site_key(n) for n in (src.meta(sel.SITE_NAME_META), _publisher_name(src)) if n]
    site += [_site_key(lab) for lab in labels]
    site = [s for s in site if len(s) >= 2]

    def is_site(name: str) -> bool:  # "LN" is the start of "ln-online"; "LAOLA1.at" holds "laola1"
        key = _site_key(name)
        initials = "".join(w[0] for w in _NOT_ALNUM.split(name.casefold()) if w)  # "Hanns-Seidel-Stiftung": hss
        return bool(key) and any(key == s or (len(key) >= 4 and len(s) >= 4 and (key in s or s in key))
                                 or (" " not in name.strip() and s.startswith(key))
                                 or (len(initials) >= 3 and initials == s) for s in site)

    return bool(site) and all(is_site(n) for n in names)


def _publisher_name(src: _Sources) -> str | None:
    publisher = src.ld("publisher")
    if isinstance(publisher, list):
        publisher = publisher[0] if publisher else None
    if isinstance(publisher, dict) and "name" not in publisher and isinstance(publisher.get("@id"), str):
        publisher = src.ids.get(publisher["@id"], publisher)
    if not isinstance(publisher, dict) or "person" in schema_types(publisher):  # a blogger publishing themself
        return None
    return first_str(publisher.get("name"))


def published(src: _Sources) -> str | None:
    """The publication date as the page states it, in the page's own time zone. The declared one
    (_published_declared) unless the page shows people another (_shown_instead_of; a URL with the declared day
    confirms it without looking), or a declared UTC time one day off the URL's day (the server's clock, not the
    publisher's day, which is what an analyst groups by; not when the page shows people the declared day, which
    then is the day it states and the URL's the day the story was begun). When none is declared: the URL's day,
    the date shown beside the headline or in a date element (_published_shown), the page's own entry in a list
    on the page, the <title>, a labelled date in the text, the share image's URL."""
    declared = _published_declared(src)
    if declared:
        in_url = date_from_url(src.url)
        shown = None if in_url == declared[:10] else _shown_instead_of(declared, src)  # (the URL confirms it)
        if shown:
            return shown  # (the declared value itself when the page shows its day)
        if is_utc(declared) and in_url and _days_apart(in_url, declared) == 1:
            return in_url
        return declared
    return (
        date_from_url(src.url)
        or _published_shown(src)
        or _own_entry_date(src)
        or date_in_text(src.doc_title, src.dayfirst)
        or _labelled_date(src)
        or date_from_url(src.meta(sel.IMAGE_META))
    )


def _published_declared(src: _Sources) -> str | None:
    """Machine-readable publication dates, in order of trust: JSON-LD of the article, date metas, JSON-LD
    dateCreated, any other JSON-LD object's datePublished (or one in JSON that does not parse), markup."""
    return (
        normalize_date(first_str(src.ld(*sel.PUBLISHED_LD)))
        or normalize_date(src.meta(sel.PUBLISHED_META))
        or normalize_date(first_str(src.ld(*sel.CREATED_LD)))
        or normalize_date(_any_meta(src.metas))
        or _any_ld_published(src)
        or _dom_date(src.tree, src.dayfirst)
        or _script_state_published(src)
    )


_PUBLISHED_META = re.compile(sel.PUBLISHED_META_PATTERN)
_NOT_PUBLISHED_META = re.compile(sel.NOT_PUBLISHED_META_PATTERN)


def _any_meta(metas: dict[str, list[str]]) -> str | None:
    for key, values in metas.items():
        if _PUBLISHED_META.search(key) and not _NOT_PUBLISHED_META.search(key):
            for v in values:
                if normalize_date(v):
                    return v
    return None


_LD_PUBLISHED = re.compile(r'"(?:datePublished|dateCreated)"\s*:\s*"([^"]{8,40})"')


def _any_ld_published(src: _Sources) -> str | None:
    for obj in src.all_ld:
        found = normalize_date(first_str(obj.get("datePublished")))
        if found:
            return found
    for script in src.ld_scripts:
        m = _LD_PUBLISHED.search(script.text(deep=True) or "")
        if m and normalize_date(m.group(1)):
            return normalize_date(m.group(1))
    return None


# after a key: its closing quote (maybe escaped), ":" or "=", and an ISO date as a string
_STATE_VALUE = re.compile(r"""\\?["']?\s*[:=]\s*\\?["'](\d{4}-\d{2}-\d{2}[^"'\\]{0,30})""")


def _script_state_published(src: _Sources) -> str | None:
    """A publication date in the page's script state (a JS framework's __NEXT_DATA__, window.__INITIAL_STATE__, a
    shop's product JSON: "publishedAt", "published_at", "createdAt"), when the page declares none in markup: the
    first one in the page, which is the page's own object (related items come after it). Plain substring search
    per key, then the value read at that spot (a regex over whole scripts costs ~2 ms a page)."""
    for script in src.state_scripts:
        text = script.text(deep=True) or ""

        def value_after(end: int, text: str = text) -> str | None:
            m = _STATE_VALUE.match(text, end)
            return normalize_date(m.group(1)) if m else None

        day = _first_readable_after(text, sel.STATE_PUBLISHED_KEYS, value_after, tries=5, overlapping=False)
        if day:
            return day
    return None


def _first_readable_after(text: str, needles: Iterable[str], read: Callable[[int], str | None], tries: int,
                          overlapping: bool) -> str | None:
    """What `read` finds right after the earliest occurrence of any needle (it gets where the needle ends), trying
    each needle's first `tries` occurrences: one substring search per needle is far cheaper than a regex
    alternation over a whole page or script. `overlapping`: the next try may start inside the last occurrence."""
    found: list[tuple[int, str]] = []
    for needle in needles:
        at = text.find(needle)
        for _ in range(tries):
            if at < 0:
                break
            value = read(at + len(needle))
            if value:
                found.append((at, value))
                break
            at = text.find(needle, at + (1 if overlapping else len(needle)))
    return min(found)[1] if found else None


def _days_apart(a: str, b: str) -> int:
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)
    except ValueError:
        return -1


def modified(src: _Sources) -> str | None:
    return normalize_date(first_str(src.ld(*sel.MODIFIED_LD)) or src.meta(sel.MODIFIED_META))


def language(src: _Sources) -> str | None:
    html = src.tree.root
    lang = attr(html, "lang") or attr(html, "xml:lang") if html else ""
    lang = lang or src.meta(sel.LANGUAGE_META) or first_str(src.ld("inLanguage")) or ""
    return lang.strip().replace("_", "-") or None


# an absolute http(s) URL that urljoin would give back as it is: ASCII, a host, and no query, fragment, ";params",
# brackets, spaces or control characters (urljoin re-splits those and may drop an empty "?" or "#")
_PLAIN_ABSOLUTE_URL = re.compile(r"https?://[^/?#;\[\]\x00-\x20\x7f]+[^?#;\[\]\x00-\x20\x7f]*")


def _joined(base: str, href: str) -> str:
    """urljoin(base, href), without its parse and rebuild of an href that is already a plain absolute URL (as
    canonical and image URLs nearly always are): urljoin returns such an href unchanged."""
    if href.isascii() and _PLAIN_ABSOLUTE_URL.fullmatch(href):
        urlsplit(base)  # a malformed base raises here as it would in urljoin (cached: the page's URL is split anyway)
        return href
    return urljoin(base, href)


def canonical_url(src: _Sources) -> str | None:
    canon = None
    for link in src.canonical_links:
        href = attr(link, "href").strip()
        if href:
            canon = href
            break
    canon = canon or _meta(src.metas, "og:url")
    if canon:
        canon = _joined(src.url, canon) if src.url else canon
        if not canon.startswith(("http://", "https://")):
            canon = None
    return canon


def section(src: _Sources) -> str | None:
    found = first_str(src.ld("articleSection")) or src.meta(sel.SECTION_META)
    return normalize_text(found) if found else None


def tags(src: _Sources) -> tuple[str, ...]:
    found = str_list(src.ld("keywords")) or src.metas.get("article:tag", []) or str_list(src.meta(sel.TAGS_META))
    seen: list[str] = []
    for t in found:
        t = normalize_text(t)
        if t and t not in seen and len(t) <= 80:
            seen.append(t)
    return tuple(seen[:40])


def description(src: _Sources) -> str | None:
    found = first_str(src.ld("description")) or src.meta(sel.DESCRIPTION_META)
    return normalize_text(found) if found else None


def image(src: _Sources) -> str | None:
    found = first_str(src.ld(*sel.IMAGE_LD)) or src.meta(sel.IMAGE_META)
    if found and src.url:
        found = _joined(src.url, found)
    return found


# ---------------------------------------------------------------------------------------------------------
# in the page's markup


_COMMENTS = re.compile(r"comment|respond|reply|kommentar|discussion|disqus", re.I)


# a post's category and tag classes (WordPress "category-kommentar", "tag-comments") name its topics, not a comment
_TAXONOMY_CLASS = re.compile(r"(?:^|\s)(?:category|tag)-\S*", re.I)


def _in_comments_or_form(node: LexborNode) -> bool:
    """A commenter's name or a comment form's "Name *" field is not the article's author."""
    parent: LexborNode | None = node
    for _ in range(10):
        if parent is None or parent.tag in ("body", "html", "article", "main"):
            return False
        if parent.tag in ("form", "label", "textarea"):
            return True
        parent_hints = hints(parent)
        if _COMMENTS.search(parent_hints) and _COMMENTS.search(_TAXONOMY_CLASS.sub(" ", parent_hints)):
            return True
        parent = parent.parent
    return False


_AUTHOR_BOX_HINT = re.compile(r"(?:^|[\s_-])(?:authors?-?(?:bio|box|info|desc|avatar|image|photo|pic|social)s?)")
_INLINE_SPACE_RUN = re.compile(r"[ \t\r\f\v]+")
_BY_WORD_OR_NON_WORD = re.compile(r"(?i)\b(?:by|par|por|von|and|und|et)\b|\W")


_AUTHOR_ELEMENT_CLASS = re.compile(
    r"(?:^|\s)(?:fn|username|author|vcard|(?:post|entry|article)[-_]?author|author[-_]?(?:name|link))(?:\s|$)", re.I
)


def _names_the_author(node: LexborNode) -> bool:
    """rel=author, itemprop=author or a class that is exactly the author's (not "author-box", "authors-list"):
    the element holds the author, so a user name that does not read as a personal name is still the author."""
    attrs = node.attributes
    return ("author" in (attrs.get("rel") or "").lower().split() or "author" in (attrs.get("itemprop") or "").split()
            or bool(_AUTHOR_ELEMENT_CLASS.search(attrs.get("class") or "")))


def _dom_authors(tree: LexborHTMLParser) -> list[str]:
    """Names from byline-looking elements. A node whose whole text is names ("Ben Silverman") beats one that
    also holds a job title or headlines; the first such node in the page wins."""
    body = tree.body
    if body is None:
        return []
    fallback: list[str] = []
    for node in body.css(sel.BYLINE_SELECTOR)[:40]:
        if node.tag in ("html", "body", "article", "main", "section", "script", "style", "img", "label", "input"):
            continue
        node_hints = hints(node).lower()
        if "author" in node_hints and _AUTHOR_BOX_HINT.search(node_hints):
            continue
        name_node = node.css_first('[itemprop="name"]') if node.attributes.get("itemprop") else None
        raw = (name_node or node).text(deep=True, separator=" ") or attr(node, "content")
        text = _INLINE_SPACE_RUN.sub(" ", raw).strip()
        if not text or len(text) > 120:
            continue
        names = clean_byline(text) or (clean_byline(text, handles=True) if _names_the_author(node) else [])
        if not names or _in_comments_or_form(node):
            continue
        covered = sum(len(n) for n in names)
        letters = len(_BY_WORD_OR_NON_WORD.sub("", text))
        if covered >= 0.8 * letters - 2:
            return names
        if not fallback:
            fallback = names
    return fallback


def _dom_date(tree: LexborHTMLParser, dayfirst: bool) -> str | None:
    """itemprop/RDFa datePublished first, then dateCreated, <abbr class=published title>, <time pubdate>, then
    the first <time datetime> outside comments and teasers (one css pass)."""
    ranked: list[tuple[int, int, LexborNode]] = []
    for order, node in enumerate(tree.css(sel.DATE_SELECTOR)[:40]):
        if node.tag == "time" and "pubdate" not in node.attributes and not attr(node, "itemprop"):
            ranked.append((2, order, node))
            continue
        prop = attr(node, "itemprop") or attr(node, "property")
        ranked.append((0 if prop.endswith("datePublished") else 1, order, node))
    for rank, _order, node in sorted(ranked, key=lambda r: (r[0], r[1])):
        if rank == 2 and _elsewhere(node):
            continue
        d = _node_date(node, dayfirst)
        if d:
            return d
    return None


def _node_date(node: LexborNode, dayfirst: bool) -> str | None:
    for value in (attr(node, "datetime"), attr(node, "content"), attr(node, "title"), node.text(deep=True)):
        d = normalize_date(value) or date_in_text(value, dayfirst)
        if d:
            return d
    return None


_PUBLISHED_WORDS = re.compile(sel.PUBLISHED_WORDS, re.I)
_MODIFIED_WORDS = re.compile(sel.MODIFIED_WORDS, re.I)
_RELATIVE_TIME = re.compile(sel.RELATIVE_TIME_WORDS, re.I)
_ELSEWHERE = re.compile(sel.DATE_ELSEWHERE_HINTS, re.I)
_SITE_BAR = re.compile(sel.SITE_BAR_HINTS)
_COMMENT = re.compile(sel.COMMENT_HINTS, re.I)


def _elsewhere(node: LexborNode) -> bool:
    """Inside a comment, a sidebar, a teaser list, the footer or the site's top bar (which shows today's date): a
    date of something else. The walk up stops at the page's <article> or <main>: a date inside them is the
    article's. An <aside>, a sidebar or a <header> without the headline inside the <article> is the article's
    own info box (its date, its author), so it counts as elsewhere only when no <article> holds it; an <article>
    inside an <aside> is a related story's card. The node's own class counts too when it names a comment
    ("comment-meta")."""
    if _COMMENT.search(hints(node)):
        return True
    parent = node.parent
    in_aside = False
    for _ in range(12):
        if parent is None or parent.tag in ("body", "html"):
            return in_aside
        tag = parent.tag
        if tag == "article":
            return _card_in_aside(parent)
        if tag == "main":
            return in_aside
        if tag in ("footer", "nav"):
            return True
        tokens = hints(parent).lower().split()
        if tag == "aside" or any(token.startswith("sidebar") for token in tokens):
            # (a layout wrapper named for its sidebar, "mainwrap sidebar", holds the headline too)
            in_aside = in_aside or not _holds_headline(parent, "h1, h2")
        elif tag == "header" and not _holds_headline(parent):  # the site's header, unless an <article> holds it
            in_aside = True
        elif tokens and any(_ELSEWHERE.match(token) or _SITE_BAR.search(token) for token in tokens):
            return True
        parent = parent.parent
    return in_aside


def _card_in_aside(article: LexborNode) -> bool:
    """An <article> inside an <aside> (before <main> or <body>): a teaser card of another story."""
    parent = article.parent
    for _ in range(8):
        if parent is None or parent.tag in ("main", "body", "html"):
            return False
        if parent.tag == "aside":
            return True
        parent = parent.parent
    return False


# lexbor tests every selector of a group on every node, so each costs about a query of its own: the class words
# share one selector for their common start ("dat"), and the words are told apart on the few nodes it finds
_SHOWN_DATE_CLASS_START = os.path.commonprefix(sel.SHOWN_DATE_CLASS_WORDS)
assert _SHOWN_DATE_CLASS_START, "the class words need a common start"
_SHOWN_DATE_QUERY = f'{sel.SHOWN_DATE_TAG}, [class*="{_SHOWN_DATE_CLASS_START}" i]'


def _shown_date_nodes(tree: LexborHTMLParser) -> list[LexborNode]:
    """The <time> elements and the elements whose class holds a date word, in page order, each listed once per
    tag or word it has (as the group 'time, [class*="date" i], [class*="datum" i]' lists them)."""
    out: list[LexborNode] = []
    seen: set[int] = set()
    for node in tree.css(_SHOWN_DATE_QUERY):
        mem_id = node.mem_id
        if mem_id in seen:  # (listed once per selector of the query it matches)
            continue
        seen.add(mem_id)
        classes = attr(node, "class").lower()  # (no other letter lowers to one of the words' ASCII letters)
        times = (node.tag == sel.SHOWN_DATE_TAG) + sum(word in classes for word in sel.SHOWN_DATE_CLASS_WORDS)
        out.extend([node] * times)
    return out


def _shown_instead_of(declared: str, src: _Sources) -> str | None:
    """The date the page shows as the article's, when the declared one is not shown at all: the day a reader sees
    next to the byline is what the page states (a meta date is often the CMS record's creation or a re-save).
    `declared` itself when the page shows its day other than as an update (so no other rule moves it), None when
    nothing shown settles it. A <time> written as "1 minute ago" or "Yesterday" shows its datetime attribute's day.
    Read from <time> elements and elements whose class says date, in page order, outside comments, sidebars
    and teasers; trusted only when they agree on at most two days, none of them the declared one (a teaser list
    shows many days; a page that shows the declared day anywhere keeps it). A publication word before a date
    makes it the one; an update word makes it the last choice. When the date elements settle nothing (none, or
    a teaser list's many days), a date written right below the headline, not the declared day, is the one.
    Stops as soon as the answer is known: this runs on every dated page (one narrow css pass; the wide
    DATE_HINT_SELECTOR costs several times more)."""
    dayfirst = src.dayfirst
    shown: list[tuple[int, str]] = []
    days: set[str] = set()
    for node in _shown_date_nodes(src.tree)[:40]:
        text = node.text(deep=node.tag in _SMALL_TAGS)
        if not text or len(text) > 120:
            continue
        d = date_in_text(text, dayfirst) if _DIGIT.search(text) else None
        if not d and node.tag == "time" and _RELATIVE_TIME.search(text):
            d = normalize_date(attr(node, "datetime"))
        if not d:
            continue
        if d[:10] in days or not _elsewhere(node):
            if _shows_day(d, declared):  # (shown as the update: kept, but the URL's day may still correct it)
                return None if _MODIFIED_WORDS.search(f"{text} {attr(node, 'class')}") else declared
            days.add(d[:10])
            if len(days) > 2:
                shown = []
                break
            shown.append((0 if _PUBLISHED_WORDS.search(text) else 2 if _MODIFIED_WORDS.search(text) else 1, d))
    if shown:
        return min(shown, key=lambda c: c[0])[1]
    # no date element settles it: the date written right below the headline, if any, is the one people read
    below = _date_near_headline(src, below_only=True)
    if below and _shows_day(below, declared):
        return declared
    return below


def _shows_day(shown: str, declared: str) -> bool:
    """Whether a date read on the page is the declared day: as written, or a numeric date read in the other order
    ("11.03.17" under a US headline is read day first, as a dot date is almost everywhere)."""
    return shown[:10] == declared[:10] or day_month_swapped(shown[:10]) == declared[:10]


def _holds_headline(node: LexborNode, tags: str = "h1") -> bool:
    """An element around the article's headline: its first heading of `tags` has a headline's length (a site's
    header often has an <h1> too, around its logo; a page without an <h1> has its headline in an <h2>)."""
    heading = node.css_first(tags)
    return heading is not None and len(heading.text(deep=True, strip=True)) >= 20


def _published_shown(src: _Sources) -> str | None:
    """The date people read on the page: the first one written next to the headline, else one in an element
    whose class says date/meta/byline (a publication word before it wins, an update word loses)."""
    dayfirst = src.dayfirst
    near = _date_near_headline(src)
    if near:
        return near
    best: tuple[int, str] | None = None
    seen = 0
    for node in src.tree.css(sel.DATE_HINT_SELECTOR)[:150]:
        # a container's whole text can be the article: read deep only inside inline and small block elements, or
        # when the container's own text has no digit (its date is in a child: "Von: Anna | <span>31.10.23</span>")
        small = node.tag in _SMALL_TAGS
        text = node.text(deep=small)
        if not small and not _DIGIT.search(text or ""):
            text = node.text(deep=True)
        if text and len(text) > 200 and small:
            text = text[:200]  # a byline line that goes on with categories and tags: its date comes first
        if not text or len(text) > 200 or not _DIGIT.search(text):
            continue
        seen += 1
        if seen > 60:
            break
        d = date_in_text(text, dayfirst) or date_in_text(attr(node, "title"), dayfirst)
        if not d or _elsewhere(node):
            continue
        rank = 0 if _PUBLISHED_WORDS.search(text) else 2 if _MODIFIED_WORDS.search(text) else 1
        if best is None or rank < best[0]:
            best = (rank, d)
            if rank == 0:
                break
    return best[1] if best else None


_SMALL_TAGS = frozenset("span time small em strong b i a abbr li ul p dd dt td h5 h6 font nobr cite".split())
_DIGIT = re.compile(r"\d")


def _own_entry_date(src: _Sources) -> str | None:
    """The date beside the page's own entry in a list on the page ("latest news": a link to this very URL with
    its <time>), when the article itself shows none."""
    path = urlsplit(src.url).path.rstrip("/") if src.url else ""
    tail = path.rsplit("/", 1)[-1]
    if len(tail) < 6 or '"' in tail or "\\" in tail:
        return None
    for link in src.tree.css(f'a[href$="{tail}"]')[:5]:
        for node in [*link.css("time"), link]:
            d = normalize_date(attr(node, "datetime")) or date_in_text(node.text(deep=True)[:200], src.dayfirst)
            if d:
                return d
    return None


def _labelled_date(src: _Sources) -> str | None:
    """A date anywhere in the page's text right after a word that says it is the publication date
    ("Veröffentlicht am 16.08.2019", "Datum: 03.11.2021", "Published on", "Publié le"). Plain substring
    search per label (a regex alternation over a whole page costs ~20 ms)."""
    text = src.body_text[:30000].lower()  # (a label past the first 30,000 characters is a comment's, not the article's)
    dayfirst = src.dayfirst

    def date_after(end: int) -> str | None:
        after = text[end : end + 70]
        return date_in_text(after[:40], dayfirst) if _LABEL_GLUE.match(after) else None

    return _first_readable_after(text, sel.DATE_LABELS, date_after, tries=20, overlapping=True)


_LABEL_GLUE = re.compile(r"\s*(?:[:|-]\s*|(?:am|on|le|el|il|op|den|el día|on the)\s*:?\s|\s*(?=\d))")


def _date_near_headline(src: _Sources, below_only: bool = False) -> str | None:
    """A date written just below (else just above) the page's headline: dates often stand in plain <p> or <div>
    beside it. The text is read by walking the headline's siblings (and its ancestors' siblings) outward, so no
    page-wide text is built."""
    headline = src.headline_node
    if headline is None:
        return None
    below = date_in_text(_text_beside(headline, 300, forward=True), src.dayfirst)
    if below or below_only:
        return below
    return date_in_text(_text_beside(headline, 150, forward=False), src.dayfirst)


_NOT_TEXT = frozenset(("script", "style", "noscript", "template", "svg"))


def _leading_text(node: LexborNode, limit: int) -> str:
    """About the first `limit` characters of the text people read in `node` (no script code), without building
    the text of all of it: a sibling of the headline can be the whole article."""
    if node.tag == "-text":
        return squash((node.text_content or "")[: 30 * limit])[:limit]
    parts: list[str] = []
    total = 0
    # (whitespace-only text nodes, most of them, are passed over by lexbor: squash would make them "" anyway)
    for sub in node.traverse(include_text=True, skip_empty=True):
        if sub.tag != "-text" or (sub.parent is not None and sub.parent.tag in _NOT_TEXT):
            continue
        chunk = squash(sub.text_content or "")
        if chunk:
            parts.append(chunk)
            total += len(chunk) + 1
            if total >= limit:
                break
    return " ".join(parts)[:limit]


def _text_beside(node: LexborNode, limit: int, forward: bool) -> str:
    """About `limit` characters of the text people read right after (or right before) `node`, in page order."""
    parts: list[str] = []
    total = 0
    current: LexborNode | None = node
    for _ in range(8):  # ancestors
        if current is None or current.tag in ("body", "html"):
            break
        sibling = current.next if forward else current.prev
        for _ in range(40):  # siblings
            if sibling is None or total >= limit:
                break
            if sibling.tag not in _NOT_TEXT:
                text = (
                    _leading_text(sibling, limit - total)
                    if forward
                    else squash(sibling.text(deep=True, separator=" ")[-30 * limit :])[-limit:]
                )
                if text and not text.isspace():
                    parts.append(text)
                    total += len(text) + 1
            sibling = sibling.next if forward else sibling.prev
        if total >= limit:
            break
        current = current.parent
    if not forward:
        parts.reverse()
    joined = " ".join(parts)
    return joined[:limit] if forward else joined[-limit:]


# ---------------------------------------------------------------------------------------------------------
# dates from the listing that led to the page


def with_listing_dates(document: Document, published_hint: str | None, lastmod_hint: str | None) -> Document:
    """Fill the dates a page leaves out from its feed or sitemap entry. The page's own date always wins (it is
    what the page states). A feed date or news:publication_date is a publication date and fills `published`.
    A sitemap <lastmod> only says when the page last changed: it fills `modified`, and `published` only when
    nothing else (page, URL, feed, news sitemap) gives one, as the best day known."""
    published_hint, lastmod_hint = normalize_date(published_hint), normalize_date(lastmod_hint)
    changes: dict[str, str] = {}
    if not document.modified and lastmod_hint:
        changes["modified"] = lastmod_hint
    if not document.published:
        fallback = published_hint or lastmod_hint
        if fallback:
            changes["published"] = fallback
    return replace(document, **changes) if changes else document
