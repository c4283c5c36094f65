"""Stable ids: one owner for how an article and an entity are keyed, so every run and every module agrees."""

from __future__ import annotations

import hashlib

from tasks.text_rules import normalise_name


def article_id(canonical_url: str) -> str:
    """Stable id of an article: the first 16 hex digits of the SHA-256 of its canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]


def entity_name_key(name: str) -> str:
    """The name part of an entity's id (stored as entity_mentions.name_key, which label reconciliation groups by)."""
    return normalise_name(name)


def entity_id(label: str, name: str) -> str:
    """Stable across articles and runs: the same person named the same way gets the same id."""
    key = f"{label.upper()}|{entity_name_key(name)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
