"""Language group (en, de, other) of each page of a shared gold set, for per-language figures in the benchmarks.

The truth is the language of the gold itself (the `with` snippets, else the gold text, else the title), as
py3langid reads it: never the page's own declaration, which is what is being measured elsewhere. Sets whose gold
has no text (dates/dev) fall back to the page's visible text.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import py3langid
from selectolax.lexbor import LexborHTMLParser

GROUPS = ("en", "de", "other")


def visible_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, noscript"):
        node.decompose()
    return tree.body.text(separator=" ") if tree.body else ""


def gold_language(record: dict, html: str | None = None) -> str | None:
    """ISO 639-1 code of the gold text of one record (else of the page's visible text), or None."""
    sample = " ".join(record.get("with") or []) or (record.get("text") or "") or (record.get("title") or "")
    if not sample.strip() and html:
        sample = visible_text(html)
    if not sample.strip():
        return None
    code, _score = py3langid.classify(sample[:5000])
    return code


def language_group(record: dict, html: str | None = None) -> str:
    """en, de, or other (other includes records with nothing to read)."""
    code = gold_language(record, html)
    return code if code in ("en", "de") else "other"


def groups_by_id(records: Iterable[dict], data_dir: Path | None = None) -> dict[str, str]:
    """Group of every record; with data_dir, pages whose gold has no text are read from <data_dir>/<id>.html."""
    out = {}
    for rec in records:
        page = data_dir / f"{rec['id']}.html" if data_dir else None
        html = page.read_bytes().decode("utf-8", "replace") if page and page.exists() else None
        out[rec["id"]] = language_group(rec, html)
    return out
