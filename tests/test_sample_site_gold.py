"""The demo's own site against its hand-written gold (flows/sample_site/gold.json): every quote's resolved
speaker, every person, organisation, place and event with its label, roles, and no junk entities. The demo's
summary ("Top speakers") and the example queries read exactly these rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.extract import extract_document
from tasks.nlp import analyze_texts, load_nlp

SITE = Path(__file__).resolve().parents[1] / "flows" / "sample_site"
GOLD = json.loads((SITE / "gold.json").read_text(encoding="utf-8"))["articles"]
ALLOWED = {"PERSON": {"PERSON"}, "ORG": {"ORG"}, "PLACE": {"GPE", "LOC", "FAC"}, "EVENT": {"EVENT"}}


@pytest.fixture(scope="module")
def analysed():
    nlp = load_nlp()
    paths = sorted(GOLD)
    texts = [extract_document((SITE / path).read_text(encoding="utf-8")).text for path in paths]
    return dict(zip(paths, analyze_texts(texts, nlp), strict=True))


def entity_problems(path: str, entities) -> list[str]:
    gold = GOLD[path]
    problems = []
    for kind, allowed in ALLOWED.items():
        for name in gold.get(kind, []):
            found = [e for e in entities if e.name == name or name in e.surfaces]
            if not found:
                problems.append(f"{path}: {kind} {name!r} not found")
            elif not any(e.label in allowed for e in found):
                problems.append(f"{path}: {name!r} labelled {[e.label for e in found]}, expected {kind}")
    names = {e.name for e in entities} | {s for e in entities for s in e.surfaces}
    problems += [f"{path}: junk entity {n!r}" for n in gold.get("not_entities", []) if n in names]
    people = {e.name for e in entities if e.label == "PERSON"} | {
        s for e in entities if e.label == "PERSON" for s in e.surfaces
    }
    problems += [f"{path}: {n!r} labelled PERSON" for n in gold.get("not_people", []) if n in people]
    roles = {e.name: e.role or "" for e in entities if e.label == "PERSON"}
    for person, role in gold.get("roles", {}).items():
        if role.lower() not in roles.get(person, "").lower():
            problems.append(f"{path}: role of {person!r} is {roles.get(person)!r}, expected to contain {role!r}")
    return problems


def quote_problems(path: str, quotes) -> list[str]:
    problems = []
    expected = GOLD[path]["quotes"]
    for item in expected:
        found = [q for q in quotes if q.text.startswith(item["starts"])]
        if not found:
            problems.append(f"{path}: quote {item['starts']!r} not found")
        elif found[0].speaker != item["speaker"]:
            problems.append(f"{path}: {item['starts']!r} said by {found[0].speaker!r}, expected {item['speaker']!r}")
    extra = [q.text[:40] for q in quotes if not any(q.text.startswith(i["starts"]) for i in expected)]
    problems += [f"{path}: quote not in the gold: {t!r}" for t in extra]
    return problems


@pytest.mark.parametrize("path", sorted(GOLD))
def test_sample_article_entities_match_gold(analysed, path):
    entities, _ = analysed[path]
    assert entity_problems(path, entities) == []


@pytest.mark.parametrize("path", sorted(GOLD))
def test_sample_article_speakers_match_gold(analysed, path):
    _, quotes = analysed[path]
    assert quote_problems(path, quotes) == []


def test_gold_names_every_article_of_the_site():
    articles = {str(p.relative_to(SITE)) for p in (SITE / "news").rglob("*.html")}
    assert articles == set(GOLD)
