"""Golden pages, web-poet style: each folder under tests/golden/ holds a page the project wrote itself
(`input.html`) and what extraction must make of it (`output.json`), checked field by field.

output.json keys:
  url            the page's URL (passed to extraction)
  why            the rule the page exercises (for the reader; not checked)
  text_includes  strings that must be in the body text
  text_excludes  strings that must not be in the body text
  any other key  a Document field (title, authors, published, language, ...) compared exactly;
                 tuples are compared as lists
These run on a fresh clone (no ../shared needed), so every extraction rule keeps a check of its own.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tasks.extract import extract_document

GOLDEN = Path(__file__).resolve().parent / "golden"
NOT_FIELDS = {"url", "why", "text_includes", "text_excludes"}
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input.html").exists()) if GOLDEN.exists() else []


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def test_there_are_golden_pages() -> None:
    assert CASES, f"no golden pages under {GOLDEN}"


@pytest.mark.parametrize("case", CASES)
def test_golden_page(case: str) -> None:
    folder = GOLDEN / case
    expected = json.loads((folder / "output.json").read_text(encoding="utf-8"))
    html = (folder / "input.html").read_text(encoding="utf-8")
    doc = extract_document(html, expected.get("url"))
    fields = {f.name: _plain(getattr(doc, f.name)) for f in dataclasses.fields(doc)}
    problems = []
    for key, want in expected.items():
        if key in NOT_FIELDS:
            continue
        if key not in fields:
            problems.append(f"{key}: not a Document field")
        elif fields[key] != want:
            problems.append(f"{key}: expected {want!r}, got {fields[key]!r}")
    for snippet in expected.get("text_includes", []):
        if snippet not in doc.text:
            problems.append(f"text lacks {snippet!r}")
    for snippet in expected.get("text_excludes", []):
        if snippet in doc.text:
            problems.append(f"text keeps {snippet!r}")
    assert not problems, f"{case}: " + "; ".join(problems)
