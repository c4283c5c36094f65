"""JSON-LD (schema.org) in a page: the script bodies decoded leniently, the objects flattened, values read."""

from __future__ import annotations

import json
import re
from html import unescape as html_unescape
from typing import Any

from selectolax.lexbor import LexborNode

__all__ = ["ARTICLE_TYPES", "PAGE_TYPES", "schema_types", "jsonld_objects", "first_str", "str_list"]

ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "techarticle", "scholarlyarticle",
    "liveblogposting", "report", "socialmediaposting", "discussionforumposting", "posting", "satiricalarticle",
}
PAGE_TYPES = {"webpage", "itempage", "aboutpage", "collectionpage"}


def schema_types(obj: dict) -> set[str]:
    """The object's @type names, lower-case, without a schema.org URL prefix."""
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


def jsonld_objects(scripts: list[LexborNode]) -> list[dict]:
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


def first_str(value: Any) -> str | None:
    if isinstance(value, str):
        # JSON-LD is often written by templates that HTML-escape it ("&#163;71.6m", "doesn&#8217;t")
        return (html_unescape(value) if "&" in value else value).strip() or None
    if isinstance(value, list):
        for v in value:
            s = first_str(v)
            if s:
                return s
    if isinstance(value, dict):
        for key in ("url", "@value", "name", "contentUrl"):
            s = first_str(value.get(key))
            if s:
                return s
    return None


_LIST_SEPARATOR = re.compile(r"[,;]")


def str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in _LIST_SEPARATOR.split(value) if t.strip()]
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(str_list(v) if not isinstance(v, dict) else [first_str(v) or ""])
        return [x for x in out if x]
    return []

