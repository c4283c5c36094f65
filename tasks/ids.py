"""Stable ids: one owner for how an article and an entity are keyed, so every run and every module agrees."""

from __future__ import annotations

import hashlib

from tasks.text_rules import normalise_name


def article_id(canonical_url: str) -> str:
    """Stable id of an article: the first 16 hex digits of the SHA-256 of its canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]


def entity_id(label: str, name: str) -> str:
    """Stable across articles and runs: the same person named the same way gets the same id."""
    key = f"{label.upper()}|{normalise_name(name)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
