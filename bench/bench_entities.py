"""Entities: the seed article against its gold (pass/fail per item), speed on one core beside plain spaCy, and
PER/ORG/LOC P/R/F1 on CoNLL-2003 validation with the benchmark's own scorer.

usage: uv run python bench/bench_entities.py [--skip-conll] [--skip-speed]

Speed compares, on the same texts in the same run: plain `spacy.load(model)(text)` (full pipeline, one call per
text), spaCy's NER-only `nlp.pipe` over whole texts, newsdesk's NER pass alone (`pipe_texts`: the NER over the
windows around name tokens), and newsdesk's entities (NER-only pass + cleaning and
resolution rules). CoNLL labels: PERSON -> PER, ORG -> ORG, GPE/LOC -> LOC (other spaCy labels are not scored).
"""

from __future__ import annotations

import one_core  # noqa: F401  (pins to one core before spaCy loads)

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tasks.entities import analyze_doc  # noqa: E402
from tasks.extract import extract_text_page  # noqa: E402
from tasks.given_names import load_given_names  # noqa: E402
from tasks.nlp import DEFAULT_MODEL, analyze_texts, disabled_for_ner, load_nlp, pipe_texts  # noqa: E402

SHARED = REPO.parent / "shared"
CONLL_LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}


def seed_body(seed_dir: Path) -> tuple[str, dict]:
    """The seed's clean body as the pipeline makes it (extraction and cleaning)."""
    gold = json.loads((seed_dir / "gold.json").read_text(encoding="utf-8"))
    raw = (seed_dir / gold["seed"]).read_text(encoding="utf-8")
    return extract_text_page(raw).text, gold


def seed_report(nlp) -> None:
    seed_dir = SHARED / "seed"
    if not (seed_dir / "gold.json").is_file():
        print(f"seed: not found at {seed_dir}, skipped")
        return
    body, gold = seed_body(seed_dir)
    ((entities, quotes),) = analyze_texts([body], nlp)
    labels: dict[str, set[str]] = {}
    for e in entities:
        labels.setdefault(e.label, set()).add(e.name)
    passed = failed = 0

    def check(ok: bool, what: str) -> None:
        nonlocal passed, failed
        passed += ok
        failed += not ok
        print(f"  {'PASS' if ok else 'FAIL'}  {what}")

    print("seed entities (gold label; GPE also accepts LOC):")
    for label, names in gold["entities"].items():
        found = labels.get(label, set()) | (labels.get("LOC", set()) if label == "GPE" else set())
        for name in names:
            check(name in found, f"{label:<7}{name}")
    surfaces = {e.name for e in entities} | {s for e in entities for s in e.surfaces}
    for name in gold["entities_must_not_appear"]:
        check(name not in surfaces, f"absent  {name}")
    roles = {e.name: e.role or "" for e in entities if e.label == "PERSON"}
    print("seed roles (gold role contained in ours):")
    for person, role in gold["person_roles"].items():
        check(role.lower() in roles.get(person, "").lower(), f"{person}: {roles.get(person)!r}")
    print("seed quotes (speaker = resolved name):")
    norm = lambda t: t.strip().strip(",.").strip()  # noqa: E731
    for expected in gold["quotes"]:
        found = [q for q in quotes if norm(q.text) == norm(expected["quote"])]
        got = found[0].speaker if found else None
        ok = bool(found) and got == expected["speaker"]
        if expected.get("optional") and not found:
            ok = True
        check(ok, f"{expected['speaker']:<16} <- {got!s:<16} {expected['quote'][:50]!r}")
    print(f"seed: {passed} passed, {failed} failed")


def speed_report(texts: list[str], label: str) -> None:
    import spacy

    words = sum(len(t.split()) for t in texts)
    plain = spacy.load(DEFAULT_MODEL)
    plain(texts[0])
    t0 = time.process_time()
    for text in texts:
        plain(text)
    full = time.process_time() - t0

    nlp = load_nlp()
    load_given_names()  # the given-name table of the entity and quote rules, read once a process, like the model
    t0 = time.process_time()
    for _ in nlp.pipe(texts, disable=disabled_for_ner(nlp), batch_size=8):
        pass
    ner_whole = time.process_time() - t0
    t0 = time.process_time()
    for _ in pipe_texts(texts, nlp):
        pass
    ner_only = time.process_time() - t0
    t0 = time.process_time()
    [analyze_doc(doc).entities for doc in pipe_texts(texts, nlp)]
    ours = time.process_time() - t0
    t0 = time.process_time()
    analyze_texts(texts, nlp)
    both = time.process_time() - t0
    print(f"\nspeed on {label} ({len(texts)} texts, {words:,} words), one core, words per CPU second:")
    print(f"  plain spacy.load(...)(text), full pipeline  {words / full:9,.0f} words/s")
    print(f"  spaCy NER-only nlp.pipe over whole texts    {words / ner_whole:9,.0f} words/s")
    print(f"  newsdesk NER pass (name windows), no rules  {words / ner_only:9,.0f} words/s")
    print(f"  newsdesk entities (NER pass + rules)        {words / ours:9,.0f} words/s")
    print(f"  newsdesk analyze_texts (entities + quotes)  {words / both:9,.0f} words/s")


def conll_report(nlp) -> None:
    gold_path = SHARED / "bench" / "entities" / "conll2003_valid.jsonl"
    if not gold_path.is_file():
        print(f"CoNLL: not found at {gold_path}, skipped")
        return
    spec = importlib.util.spec_from_file_location("score_ner", gold_path.parent / "score_ner.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    docs = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ours, raw = {}, {}
    texts = [d["text"] for d in docs]
    plain = nlp.pipe(texts, disable=disabled_for_ner(nlp))  # spaCy's NER over each whole text, as it comes
    for doc_json, doc, plain_doc in zip(docs, pipe_texts(texts, nlp), plain, strict=True):
        analysis = analyze_doc(doc)
        ours[doc_json["doc_id"]] = {
            "entities": [
                {"start": m.start, "end": m.end, "label": CONLL_LABELS[m.label]}
                for m in analysis.mentions
                if m.label in CONLL_LABELS
            ]
        }
        raw[doc_json["doc_id"]] = {
            "entities": [
                {"start": e.start_char, "end": e.end_char, "label": CONLL_LABELS[e.label_]}
                for e in plain_doc.ents
                if e.label_ in CONLL_LABELS
            ]
        }
    gold = {d["doc_id"]: d for d in docs}
    labels = {"PER", "ORG", "LOC"}
    print(f"\nCoNLL-2003 validation ({len(docs)} documents), exact spans, PER/ORG/LOC:")
    print(f"  {'system':<34}{'PER F1':>8}{'ORG F1':>8}{'LOC F1':>8}{'P':>8}{'R':>8}{'F1':>8}")
    for name, pred, relax in (
        ("spaCy sm ents as they come", raw, False),
        ("newsdesk mentions", ours, False),
        ("spaCy sm ents (--relax)", raw, True),
        ("newsdesk mentions (--relax)", ours, True),
    ):
        res = scorer.score(gold, pred, labels, relax)
        o = res["overall"]
        print(
            f"  {name:<34}{res['PER']['f1']:8.3f}{res['ORG']['f1']:8.3f}{res['LOC']['f1']:8.3f}"
            f"{o['p']:8.3f}{o['r']:8.3f}{o['f1']:8.3f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-conll", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    nlp = load_nlp()
    seed_report(nlp)
    if not args.skip_speed:
        polnear = SHARED / "bench" / "quotes" / "polnear_dev.jsonl"
        if polnear.is_file():
            texts = [json.loads(line)["text"] for line in polnear.read_text(encoding="utf-8").splitlines() if line]
            speed_report(texts, "PolNeAR dev news articles")
    if not args.skip_conll:
        conll_report(nlp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
