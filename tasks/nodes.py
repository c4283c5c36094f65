"""Small readers of selectolax nodes shared by the body scorer (extract.py) and the metadata readers (metadata.py)."""

from __future__ import annotations

from selectolax.lexbor import LexborNode


def squash(s: str | None) -> str:
    """Whitespace runs folded to one space, ends trimmed (split/join: the same whitespace as a regex, cheaper)."""
    return " ".join((s or "").split())


def attr(node: LexborNode, name: str) -> str:
    """An attribute's value, "" when absent (lexbor raises on some nodes of broken markup: those have none)."""
    try:
        # (attrs looks the one name up; attributes would build a dict of all of them first, several times slower)
        v = node.attrs.get(name)
    except Exception:  # noqa: BLE001 - a node whose attributes cannot be read has no usable attribute
        return ""
    return v or ""


def hints(node: LexborNode) -> str:
    """The class and id of a node, where pages name what a block is ("related", "article-body")."""
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
