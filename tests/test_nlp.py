"""The shared NLP pass: a bug in a rule surfaces as an exception (recorded per page by the analysis step), never as
an article that silently has no entities or quotes."""

from __future__ import annotations

import pytest

import tasks.entities
import tasks.quotes
from tasks.analyze import analyze_documents
from tasks.models import ArticleEntity, Document
from tasks.nlp import analyze_texts, load_nlp
from tasks.speakers import resolve_speaker

TEXT = "“The port reopens on Monday,” harbour master Ines Duarte said. “Ships are waiting,” Duarte added."


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def broken(*args, **kwargs):
    raise ZeroDivisionError("a bug in a rule")


def test_the_joint_pass_finds_entities_and_quotes(nlp):
    ((entities, quotes),) = analyze_texts([TEXT], nlp)
    assert "Ines Duarte" in {e.name for e in entities}
    assert [q.speaker for q in quotes] == ["Ines Duarte", "Ines Duarte"]


@pytest.mark.parametrize(
    ("module", "name"),
    [(tasks.entities, "resolve_mentions"), (tasks.quotes, "_build_quotes"), (tasks.quotes, "resolve_speaker")],
)
def test_a_failing_rule_raises_and_the_page_records_it(nlp, monkeypatch, module, name):
    monkeypatch.setattr(module, name, broken)
    with pytest.raises(ZeroDivisionError):
        analyze_texts([TEXT], nlp)
    (analysis,) = analyze_documents([Document(url="https://example.org/a", title="Port", text=TEXT)], nlp)
    assert analysis.error == "ZeroDivisionError: a bug in a rule"
    assert analysis.entities == () and analysis.quotes == ()


def test_resolve_speaker_raises_on_bad_input():
    entity = ArticleEntity("Ines Duarte", "PERSON", 1, 0, 11, ("Ines Duarte",))
    assert resolve_speaker("Duarte", [entity]) == ("Ines Duarte", "PERSON")
    with pytest.raises(AttributeError):
        resolve_speaker("Duarte", [entity, None])  # type: ignore[list-item]
