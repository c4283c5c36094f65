"""Quote extraction and attribution on PolNeAR dev, scored with the benchmark's own scorer.

usage: uv run python bench/bench_quotes.py [--gold PATH] [--pred-out PATH] [--min-words N]

PolNeAR's gold speaker is the mention as written next to the quote (often a pronoun), so the prediction's speaker
is Quote.speaker_text here, not the resolved name. The resolved name (Quote.speaker) is then scored on its own, by
gold speaker kind: for named and nominal gold speakers it must match the gold as written (the scorer's
contained-or-lastname test: "the Post" -> "The Washington Post", "a spokeswoman for X, Jennifer Y" -> "Jennifer Y");
a pronoun's referent is not in the gold, so for pronouns only the share resolved to a name is shown.
Speed: words per CPU second (time.process_time) of the NER pass + entity rules, then of the quote rules alone on
top, one process pinned to one core.
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


def resolved_report(scorer, gold_path: Path, pred_path: Path) -> None:
    """Resolved speaker (`speaker`) beside the speaker as written (`speaker_text`), by gold speaker kind."""
    resolved_path = pred_path.with_name(pred_path.stem + "_resolved.jsonl")
    with pred_path.open(encoding="utf-8") as src, resolved_path.open("w", encoding="utf-8") as out:
        for line in src:
            record = json.loads(line)
            for quote in record["quotes"]:
                quote["speaker"] = quote["resolved"]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    gold = scorer.load(gold_path)
    written = scorer.score(gold, scorer.load(pred_path))["speaker"]
    resolved = scorer.score(gold, scorer.load(resolved_path))["speaker"]
    print("resolved speaker (speaker column) vs as written (speaker_text), matched quotes, by gold speaker kind:")
    for kind in ("name", "nominal"):
        if kind in resolved:
            w, r = written[kind], resolved[kind]
            print(f"  {kind:<9} n={r['n']:4d}  as written right {w['any']:.3f}  resolved right {r['any']:.3f}  "
                  f"resolved empty {r['pred_empty']:.3f}")
    if "pronoun" in resolved:
        r = resolved["pronoun"]
        print(f"  {'pronoun':<9} n={r['n']:4d}  resolved to a name {1 - r['pred_empty']:.3f} (referent not in the gold)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=SHARED / "polnear_dev.jsonl")
    parser.add_argument("--pred-out", type=Path, default=Path("/tmp/newsdesk_quotes_pred.jsonl"))
    parser.add_argument("--min-words", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    if not args.gold.is_file():
        print(f"gold file not found: {args.gold}", file=sys.stderr)
        return 2
    docs = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [d["text"] for d in docs]
    words = sum(len(t.split()) for t in texts)

    nlp = load_nlp()
    nlp(texts[0])  # warm up
    t0 = time.process_time()
    analyses = [analyze_doc(doc) for doc in pipe_texts(texts, nlp, batch_size=args.batch_size)]
    t1 = time.process_time()
    all_quotes = [quotes_for_analysis(a) for a in analyses]
    t2 = time.process_time()

    with args.pred_out.open("w", encoding="utf-8") as out:
        for doc, quotes in zip(docs, all_quotes, strict=True):
            record = {
                "doc_id": doc["doc_id"],
                "quotes": [
                    {"quote": q.text, "start": q.start, "end": q.end, "speaker": q.speaker_text,
                     "resolved": q.speaker, "kind": q.kind}
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
    resolved_report(scorer, args.gold, args.pred_out)
    ner_s, quote_s = t1 - t0, t2 - t1
    print(f"\nspeed, one process, CPU time: NER pass + entity rules {words / ner_s:,.0f} words/s ({ner_s:.2f} s); "
          f"quote rules alone {words / quote_s:,.0f} words/s ({quote_s:.2f} s); "
          f"entities + quotes {words / (ner_s + quote_s):,.0f} words/s")
    print(f"predictions written to {args.pred_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
