"""Quote extraction and attribution on PolNeAR dev, scored with the benchmark's own scorer.

usage: uv run python bench/bench_quotes.py [--gold PATH] [--pred-out PATH] [--min-words N]

PolNeAR's gold speaker is the mention as written next to the quote (often a pronoun), so the prediction's speaker
is Quote.speaker_text here, not the resolved name. The resolved name (Quote.speaker) is then scored on its own, by
gold speaker kind: for named and nominal gold speakers it must match the gold as written (the scorer's
contained-or-lastname test: "the Post" -> "The Washington Post", "a spokeswoman for X, Jennifer Y" -> "Jennifer Y");
a pronoun's referent is not in the gold, so for pronouns only the share resolved to a name is shown. Organisations
(a named or nominal gold speaker raw spaCy tags ORG, and never PERSON, in the article) are a kind of their own, with the share
resolved with speaker_label ORG. --misses N prints N speaker misses (as written) of each gold kind, for analysis.
Two secondary figures for named gold speakers, labelled as such (the primary figure and the scorer are unchanged):
- "lenient": the resolved name gets the leniency the name as written gets from the containment test: a resolved
  person counts when its surname passes the scorer's test ('Trump and Ryan' -> 'Donald Trump'), a resolved
  organisation or place when its acronym does ('the DNC' -> 'Democratic National Committee', 'The U.S. media' ->
  'United States'); the gold as written cannot show a first name or an expansion.
- "gold names someone": only the gold speakers in which raw spaCy finds a PERSON, ORG, GPE or NORP (of the same
  article) inside the span; PolNeAR's "name" kind is coarse and also holds 'One strategist', 'His wife', 'The ad',
  which name no one (the speaker column keeps them as written, with no entity).
Beside them, how many named quotes count as resolved right only through a phrase kept as written with no entity
(quotes.py keeps 'said Hannity', 'the Senate minority leader' or 'One strategist' as written when it resolves to
none of the article's entities): those pass the containment test without being resolved.
Speed: words per CPU second (time.process_time) of the NER pass + entity rules, then of the quote rules alone on
top, one process pinned to one core.
"""

from __future__ import annotations

import one_core  # noqa: F401  (pins to one core before spaCy loads)

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tasks.entities import analyze_doc  # noqa: E402
from tasks.given_names import load_given_names  # noqa: E402
from tasks.nlp import load_nlp, pipe_texts  # noqa: E402
from tasks.quotes import quotes_for_analysis  # noqa: E402

SHARED = REPO.parent / "shared" / "bench" / "quotes"
# Published figures from shared/bench/README.md (polnear_dev, same scorer), shown beside ours.
REFERENCE = [
    ("regex between quote marks (>=3 words, no speaker)", 0.881, None),
    ("textacy direct_quotations", 0.762, 0.685),
    ("sayswho", 0.812, 0.735),
]


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("score_quotes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _matched_pairs(scorer, gold_doc: dict, pred_doc: dict) -> list[tuple[dict, dict]]:
    """(gold quote, predicted quote) pairs matched as the scorer matches them: >= 50% overlap, greedy, one-to-one."""
    text = gold_doc["text"]
    gold = scorer.spans_for(text, gold_doc.get("quotes", []), 0)
    pred = scorer.spans_for(text, pred_doc.get("quotes", []), 0)
    pairs = []
    for gi, (gs, ge, _) in enumerate(gold):
        for pi, (ps, pe, _) in enumerate(pred):
            if ps is not None and (ov := min(ge, pe) - max(gs, ps)) > 0 and ov >= 0.5 * max(ge - gs, pe - ps):
                pairs.append((ov, gi, pi))
    used_gold, used_pred, out = set(), set(), []
    for _, gi, pi in sorted(pairs, reverse=True):
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            out.append((gold[gi][2], pred[pi][2]))
    return out


def _bare(name: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+|[\u2019']s?$", "", " ".join(name.lower().split())).strip()


def organisation_names(doc) -> set[str]:
    """Names raw spaCy tags ORG in an article and never as a person (nor as a person's surname): spaCy tags some
    people ORG ("Caddell"), and a name it also tags PERSON is not counted as an organisation."""
    people = {_bare(e.text) for e in doc.ents if e.label_ == "PERSON"}
    people |= {p.split()[-1] for p in people if p}
    return {_bare(e.text) for e in doc.ents if e.label_ == "ORG"} - people


NAMING_LABELS = ("PERSON", "ORG", "GPE", "NORP")


def entity_texts(doc) -> set[str]:
    """What raw spaCy tags as a person, organisation, place or group in an article, as written."""
    return {e.text for e in doc.ents if e.label_ in NAMING_LABELS and e.text.strip()}


def names_someone(gold_speaker: str, texts: set[str]) -> bool:
    """A gold speaker span that holds one of the article's raw spaCy entities ('Mark Holden, chairman of ...'),
    not one that names no one ('One strategist')."""
    return any(re.search(r"(?<!\w)" + re.escape(t) + r"(?!\w)", gold_speaker) for t in texts)


def speaker_kind(gold_quote: dict, org_names: set[str]) -> str:
    """Gold speaker kind, with organisations apart: a named or nominal gold speaker that raw spaCy tags ORG in
    the same article and never PERSON ("the Post", "The National Rifle Association")."""
    kind = gold_quote.get("speaker_kind") or "name"
    if kind != "pronoun" and _bare(gold_quote["speaker"]) in org_names:
        return "organisation"
    return kind


def resolved_report(
    scorer, gold_path: Path, pred_path: Path, org_names: dict[str, set[str]], named: dict[str, set[str]]
) -> None:
    """Resolved speaker (`speaker`) beside the speaker as written (`speaker_text`), by gold speaker kind."""
    gold = scorer.load(gold_path)
    pred = scorer.load(pred_path)
    counts: dict[str, dict[str, int]] = {}
    gaps: dict[str, int] = {}
    for doc_id, gold_doc in gold.items():
        for gq, pq in _matched_pairs(scorer, gold_doc, pred.get(doc_id, {})):
            if gq.get("speaker") is None:
                continue
            kind = speaker_kind(gq, org_names.get(doc_id, set()))
            if kind == "name" and names_someone(gq["speaker"], named.get(doc_id, set())):
                kinds = (kind, "name, gold names someone")
            else:
                kinds = (kind,)
            written, resolved = scorer.speaker_checks(pq["speaker"], gq["speaker"]), scorer.speaker_checks(pq["resolved"], gq["speaker"])
            written_right, resolved_right = written[1] or written[2], resolved[1] or resolved[2]
            for k in kinds:
                c = counts.setdefault(
                    k, {"n": 0, "written": 0, "resolved": 0, "surname": 0, "empty": 0, "entity": 0, "org": 0, "as_written": 0}
                )
                c["n"] += 1
                c["written"] += written_right
                c["resolved"] += resolved_right
                c["surname"] += resolved_right or _lenient_right(scorer, pq, gq)
                c["empty"] += not pq["resolved"]
                c["entity"] += pq["label"] is not None
                c["org"] += pq["label"] == "ORG"
                c["as_written"] += resolved_right and pq["label"] is None
            if kind == "name" and written_right != resolved_right:
                cause = "resolved right, written wrong" if resolved_right else _gap_cause(scorer, pq, gq)
                gaps[cause] = gaps.get(cause, 0) + 1
    print("resolved speaker (speaker column) vs as written (speaker_text), matched quotes, by gold speaker kind")
    print("(right = the scorer's contained-or-lastname test against the gold as written; organisation = a named or")
    print(" nominal gold speaker raw spaCy tags ORG, never PERSON, in the article; 'to an entity' = speaker_label set):")
    for kind in ("name", "organisation", "nominal", "pronoun"):
        if kind not in counts:
            continue
        c, n = counts[kind], counts[kind]["n"]
        line = f"  {kind:<12} n={n:4d}  "
        if kind != "pronoun":
            line += f"as written right {c['written'] / n:.3f}  resolved right {c['resolved'] / n:.3f}  "
        line += f"resolved to an entity {c['entity'] / n:.3f}  empty {c['empty'] / n:.3f}"
        if kind == "organisation":
            line += f"  as ORG {c['org'] / n:.3f}"
        print(line)
    print("  (pronoun: the referent is not in the gold, so only the share resolved is shown)")
    if "name" in counts:
        print("  secondary figures for named gold speakers (see the docstring):")
        c, n = counts["name"], counts["name"]["n"]
        print(f"  name, lenient (a resolved person's surname or an organisation's acronym checked as written): "
              f"resolved right {c['surname'] / n:.3f} (as written {c['written'] / n:.3f})")
        print(f"  name, resolved right by a phrase kept as written with no entity (speaker_label NULL: 'said Hannity',"
              f" 'One strategist'): {c['as_written']} of {n} ({c['as_written'] / n:.3f})")
        if "name, gold names someone" in counts:
            c = counts["name, gold names someone"]
            n = c["n"]
            print(f"  name, gold names someone (raw spaCy PERSON/ORG/GPE/NORP inside the gold span) n={n}: as written "
                  f"right {c['written'] / n:.3f}  resolved right {c['resolved'] / n:.3f}  "
                  f"lenient {c['surname'] / n:.3f}")
        print("  name quotes where as written and resolved disagree, by cause:")
        for cause, k in sorted(gaps.items(), key=lambda kv: -kv[1]):
            print(f"    {k:4d}  {cause}")


def _acronym_right(scorer, pq: dict, gq: dict) -> bool:
    """A resolved organisation or place whose acronym passes the scorer's test ('the DNC', 'The U.S. media')."""
    if pq["label"] not in ("ORG", "GPE", "NORP") or not pq["resolved"]:
        return False
    letters = [w[0] for w in pq["resolved"].split() if w[:1].isupper()]
    if len(letters) < 2:
        return False
    acronym = "".join(letters)
    # 'U.S.' is cleaned to 'u s' by the scorer, so the dotted form is tried too
    return any(any(scorer.speaker_checks(form, gq["speaker"])[1:]) for form in (acronym, ".".join(letters) + "."))


def _lenient_right(scorer, pq: dict, gq: dict) -> bool:
    """The resolved name with the leniency the name as written gets: a surname or an acronym as the text has it."""
    return _surname_right(scorer, pq, gq) or _acronym_right(scorer, pq, gq)


def _surname_right(scorer, pq: dict, gq: dict) -> bool:
    """A resolved person's surname passes the scorer's test where the full name cannot ('Trump and Ryan')."""
    if pq["label"] != "PERSON" or not pq["resolved"]:
        return False
    checks = scorer.speaker_checks(pq["resolved"].split()[-1], gq["speaker"])
    return checks[1] or checks[2]


def _gap_cause(scorer, pq: dict, gq: dict) -> str:
    """Why the speaker as written passes and the resolved one does not, for one named gold speaker."""
    written, resolved = pq["speaker"] or "", pq["resolved"] or ""
    if not resolved:
        return "written right, resolved empty"
    if _surname_right(scorer, pq, gq) and resolved.split()[-1].lower() == written.split()[-1].lower():
        return "written right, resolved to the full name of the written surname (not checkable against the gold)"
    letters = re.sub(r"[^A-Z]", "", written)
    initials = "".join(w[0] for w in resolved.split() if w[:1].isupper())
    if written.strip(". ").isupper() and letters and initials == letters:
        return "written right, resolved to the full name of the written acronym ('RNC')"
    return "written right, resolved to another entity or phrase"


def print_misses(scorer, gold_path: Path, pred_path: Path, org_names: dict[str, set[str]], per_kind: int) -> None:
    """Matched quotes whose speaker as written is wrong, first ones of each gold kind, with the text before."""
    gold, pred = scorer.load(gold_path), scorer.load(pred_path)
    shown: dict[str, int] = {}
    for doc_id, gold_doc in gold.items():
        for gq, pq in _matched_pairs(scorer, gold_doc, pred.get(doc_id, {})):
            if gq.get("speaker") is None:
                continue
            _, contained, lastname = scorer.speaker_checks(pq["speaker"], gq["speaker"])
            kind = speaker_kind(gq, org_names.get(doc_id, set()))
            if contained or lastname or shown.get(kind, 0) >= per_kind:
                continue
            shown[kind] = shown.get(kind, 0) + 1
            start = gold_doc["text"].find(gq["quote"])
            before = gold_doc["text"][max(0, start - 160) : max(0, start)].replace("\n", " / ")
            print(f"  [{kind}] gold {gq['speaker']!r} written {pq['speaker']!r} resolved {pq['resolved']!r} "
                  f"({doc_id})\n      ...{before}\u2039{gq['quote'][:60]}\u203a")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=SHARED / "polnear_dev.jsonl")
    parser.add_argument("--pred-out", type=Path, default=Path("/tmp/newsdesk_quotes_pred.jsonl"))
    parser.add_argument("--min-words", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--misses", type=int, default=0, help="print this many speaker misses per gold kind")
    args = parser.parse_args()
    if not args.gold.is_file():
        print(f"gold file not found: {args.gold}", file=sys.stderr)
        return 2
    docs = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [d["text"] for d in docs]
    words = sum(len(t.split()) for t in texts)

    nlp = load_nlp()
    nlp(texts[0])  # warm up
    load_given_names()  # read once a process, like the model
    t0 = time.process_time()
    docs_nlp = list(pipe_texts(texts, nlp, batch_size=args.batch_size))
    analyses = [analyze_doc(doc) for doc in docs_nlp]
    t1 = time.process_time()
    org_names = {d["doc_id"]: organisation_names(doc) for d, doc in zip(docs, docs_nlp, strict=True)}
    named = {d["doc_id"]: entity_texts(doc) for d, doc in zip(docs, docs_nlp, strict=True)}
    all_quotes = [quotes_for_analysis(a) for a in analyses]
    t2 = time.process_time()

    with args.pred_out.open("w", encoding="utf-8") as out:
        for doc, quotes in zip(docs, all_quotes, strict=True):
            record = {
                "doc_id": doc["doc_id"],
                "quotes": [
                    {"quote": q.text, "start": q.start, "end": q.end, "speaker": q.speaker_text,
                     "resolved": q.speaker, "label": q.speaker_label, "kind": q.kind}
                    for q in quotes
                ],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

    scorer = load_scorer(SHARED / "score_quotes.py")
    result = scorer.score(scorer.load(args.gold), scorer.load(args.pred_out), args.min_words)
    ov, qs = result["overlap50"], result["quote+speaker"]
    print(f"{args.gold.name}: {len(docs)} articles, {words:,} words, gold quotes {result['n_gold']}, "
          f"predicted {result['n_pred']} (min_words={args.min_words})")
    print(f"{'system':<52}{'quote F1 (>=50%)':>18}{'quote+speaker F1':>18}")
    for name, quote_f1, speaker_f1 in REFERENCE:
        print(f"{name:<52}{quote_f1:>18.3f}{(f'{speaker_f1:.3f}' if speaker_f1 else '-'):>18}")
    print(f"{'newsdesk (this run)':<52}{ov['f1']:>18.3f}{qs['f1']:>18.3f}")
    print(f"\nnewsdesk quote overlap P {ov['p']:.3f} R {ov['r']:.3f} F1 {ov['f1']:.3f}; exact F1 {result['exact']['f1']:.3f}; "
          f"quote+speaker P {qs['p']:.3f} R {qs['r']:.3f} F1 {qs['f1']:.3f}")
    print("speaker accuracy on matched quotes (contained-or-lastname = 'any'):")
    for kind, m in sorted(result["speaker"].items(), key=lambda kv: (kv[0] != "all", kv[0])):
        print(f"  {kind:<9} n={m['n']:4d}  any {m['any']:.3f}  exact {m['exact']:.3f}  empty {m['pred_empty']:.3f}")
    resolved_report(scorer, args.gold, args.pred_out, org_names, named)
    if args.misses:
        print_misses(scorer, args.gold, args.pred_out, org_names, args.misses)
    ner_s, quote_s = t1 - t0, t2 - t1
    print(f"\nspeed, one process, CPU time: NER pass + entity rules {words / ner_s:,.0f} words/s ({ner_s:.2f} s); "
          f"quote rules alone {words / quote_s:,.0f} words/s ({quote_s:.2f} s); "
          f"entities + quotes {words / (ner_s + quote_s):,.0f} words/s")
    print(f"predictions written to {args.pred_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
