"""Languages on the web-dev pages: detection accuracy per language group, quotes in „…“ / »…« / «…» marks, and
entity rows on German pages before (English model over every text) and after (models by language).

usage: uv run --group bench python bench/bench_language.py [--part detect|quotes|entities]...
       add `--with lingua-language-detector` to `uv run` to score lingua beside py3langid in the same run.

Truth for detection is the language of each page's gold snippets (bench/language_groups.gold_language), never the
page's declaration. That truth is itself read by py3langid (on the gold snippets, not on newsdesk's text), which
favours py3langid a little against lingua; figures per group say where each tool errs.
"""

from __future__ import annotations

import one_core  # noqa: F401  (pins to one core before numpy or spaCy load)

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from language_groups import gold_language  # noqa: E402

from tasks.extract import extract_document  # noqa: E402
from tasks.language import detect_language, normalise_declared_language  # noqa: E402

WEB_DEV = REPO.parent / "shared" / "bench" / "extraction" / "web-dev"
# A quote in a non-English convention: opening and closing mark of one pair, at least four words inside.
FOREIGN_QUOTE_RE = re.compile(r"„[^„“”\n]+[“”]|»[^»«\n]+«|«[^«»\n]+»")
MIN_WORDS = 4


def group_of(code: str | None) -> str:
    return code if code in ("en", "de", "fr") else "other"


def load_pages() -> list[tuple[dict, str, object]]:
    """(gold record, html, newsdesk Document) of every web-dev page."""
    out = []
    for line in (WEB_DEV / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        path = WEB_DEV / f"{record['id']}.html"
        if not path.exists():
            continue
        html = path.read_bytes().decode("utf-8", "replace")
        out.append((record, html, extract_document(html, record.get("url"))))
    return out


def lingua_detector():
    try:
        from lingua import LanguageDetectorBuilder
    except ImportError:
        return None
    return LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()


def lingua_code(detector, text: str) -> str | None:
    found = detector.detect_language_of(text[:20_000])
    return found.iso_code_639_1.name.lower() if found else None


def detect_part(pages) -> None:
    rows = []  # (group, truth, declared, newsdesk, lingua)
    detector = lingua_detector()
    nd_cpu = lg_cpu = 0.0
    chars = 0
    for record, html, document in pages:
        truth = gold_language(record, html)
        if truth is None or not document.text.strip():
            continue
        chars += len(document.text)
        started = time.process_time()
        reading = detect_language(document.text, document.language)
        nd_cpu += time.process_time() - started
        lingua = None
        if detector is not None:
            started = time.process_time()
            lingua = lingua_code(detector, document.text)
            lg_cpu += time.process_time() - started
        rows.append((group_of(truth), truth, normalise_declared_language(document.language), reading.language, lingua))
    print(f"language detection on web-dev: {len(rows)} pages with gold language and extracted text")
    header = f"  {'group':<7}{'pages':>6}  {'declared as is':>15}  {'newsdesk':>9}"
    header += f"  {'lingua alone':>13}" if detector else ""
    print(header)
    for group in ("en", "de", "fr", "other", "all"):
        sel = [r for r in rows if group == "all" or r[0] == group]
        if not sel:
            continue
        acc = lambda i: sum(r[i] == r[1] for r in sel) / len(sel)  # noqa: E731
        line = f"  {group:<7}{len(sel):>6}  {acc(2):>15.3f}  {acc(3):>9.3f}"
        line += f"  {acc(4):>13.3f}" if detector else ""
        print(line)
    print(f"  speed: py3langid (newsdesk detect_language) {chars / 1000 / max(nd_cpu, 1e-9):,.0f} k chars per CPU s, "
          f"{len(rows) / max(nd_cpu, 1e-9):,.0f} pages per CPU s", end="")
    if detector:
        print(f"; lingua {chars / 1000 / max(lg_cpu, 1e-9):,.0f} k chars per CPU s, "
              f"{len(rows) / max(lg_cpu, 1e-9):,.0f} pages per CPU s")
    else:
        print(" (lingua not installed: run with `uv run --with lingua-language-detector ...` to compare)")
    misses = Counter((r[1], r[3]) for r in rows if r[3] != r[1])
    print("  newsdesk misses (truth -> reported):", ", ".join(f"{t}->{p} x{n}" for (t, p), n in misses.most_common(8)))


def quotes_part(pages, pipelines) -> None:
    from tasks.analyze import analyze_documents

    selected = []
    for record, html, document in pages:
        spans = [m for m in FOREIGN_QUOTE_RE.finditer(document.text) if len(m.group()[1:-1].split()) >= MIN_WORDS]
        if spans:
            selected.append((document, spans))
    analyses = analyze_documents([d for d, _ in selected], pipelines)
    with_quote = 0
    covered = total = 0
    by_mark: Counter = Counter()
    by_mark_found: Counter = Counter()
    for (document, spans), analysis in zip(selected, analyses, strict=True):
        quotes = [q for q in analysis.quotes if q.kind != "scare"]
        with_quote += bool(quotes)
        for span in spans:
            total += 1
            by_mark[span.group()[0]] += 1
            inner = (span.start() + 1, span.end() - 1)
            hit = any(min(q.end, inner[1]) - max(q.start, inner[0]) >= 0.5 * (inner[1] - inner[0]) for q in quotes)
            covered += hit
            by_mark_found[span.group()[0]] += hit
    print(f"quotes on web-dev pages whose text has „…“, »…« or «…» quotes of {MIN_WORDS}+ words: {len(selected)} pages")
    print(f"  pages with at least one quote found: {with_quote / max(len(selected), 1):.3f} ({with_quote}/{len(selected)})")
    print(f"  such spans found as a quote (>= 50% overlap): {covered / max(total, 1):.3f} ({covered}/{total}); by mark: "
          + ", ".join(f"{m}…: {by_mark_found[m]}/{by_mark[m]}" for m in by_mark))


def entities_part(pages, pipelines) -> None:
    from tasks.analyze import analyze_documents
    from tasks.nlp import Pipelines, load_nlp

    german = [d for r, html, d in pages if gold_language(r, html) == "de" and d.text.strip()]
    english_only = Pipelines({"en": load_nlp()}, assume_language="en")
    before = analyze_documents(german, english_only)
    after = analyze_documents(german, pipelines)
    rows_before = sum(len(a.entities) for a in before)
    rows_after = sum(len(a.entities) for a in after)
    notes = Counter(a.note for a in after if a.note)
    print(f"entities on the {len(german)} German web-dev pages (gold language de):")
    print(f"  entity rows, English model over every text (before): {rows_before}")
    print(f"  entity rows, models by detected language (now):      {rows_after}")
    print("  analysis notes:", dict(notes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", action="append", choices=("detect", "quotes", "entities"))
    args = parser.parse_args()
    parts = args.part or ["detect", "quotes", "entities"]
    pages = load_pages()
    from tasks.nlp import Pipelines

    pipelines = Pipelines.from_settings()
    if "detect" in parts:
        detect_part(pages)
    if "quotes" in parts:
        quotes_part(pages, pipelines)
    if "entities" in parts:
        entities_part(pages, pipelines)
    print("(machine shared with other engineers' jobs; CPU time, one core)")


if __name__ == "__main__":
    main()
