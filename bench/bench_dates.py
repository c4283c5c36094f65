"""Dates and metadata benchmark: newsdesk beside htmldate and trafilatura on the open-web sets, in one run.

Published date right (same calendar day as the gold, the shared scorer's YYYY-MM-DD comparison) on
`extraction/web-dev` and `dates/dev`, per language group (bench/language_groups.py); title exact and author
token F1 on web-dev; pages per CPU second of newsdesk's whole extraction (body + metadata) against
trafilatura's fast mode on the same pages. Every extractor runs in this process on the same decoded pages, one
after the other, timed with time.process_time around the call only (a first untimed call imports lazily).

    uv run --group bench python bench/bench_dates.py [--only newsdesk] [--misses] [--json OUT] [--limit N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "bench"
SHARED_EXTRACTION = SHARED / "extraction"
DATASETS = {"web-dev": SHARED_EXTRACTION / "web-dev", "dates/dev": SHARED / "dates" / "dev"}
PEERS = ("htmldate_extensive", "htmldate_fast", "trafilatura_fast", "trafilatura_precision")
GROUPS = ("all", "en", "de", "other")
TARGET_DAY = 0.92
TARGET_SPEEDUP = 10.0

sys.path[:0] = [str(REPO), str(SHARED_EXTRACTION), str(REPO / "bench")]


def load_scorer() -> ModuleType:
    """The shared scorer, imported by path, so the date/title/author comparisons are exactly its own."""
    path = SHARED_EXTRACTION / "bench_extract.py"
    if not path.exists():
        raise SystemExit(f"shared benchmark not found at {SHARED_EXTRACTION} (../shared next to the repo)")
    spec = importlib.util.spec_from_file_location("shared_bench_extract", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def newsdesk(html: str, url: str | None) -> dict[str, Any]:
    from tasks.extract import bench_extract

    return bench_extract(html, url)


def extractor(name: str) -> Callable[[str, str | None], Any]:
    if name == "newsdesk":
        return newsdesk
    import extractors  # ../shared/bench/extraction/extractors.py

    return getattr(extractors, name)


def run(fn: Callable, pages: list[tuple[dict, str]], scorer: ModuleType) -> tuple[dict[str, dict], float]:
    """Outputs by id and the CPU seconds spent inside the calls."""
    if pages:
        fn(pages[0][1], pages[0][0].get("url"))  # warm-up: lazy imports, caches
    outputs: dict[str, dict] = {}
    cpu = 0.0
    for rec, html in pages:
        start = time.process_time()
        try:
            raw = fn(html, rec.get("url"))
            err = None
        except Exception as exc:  # noqa: BLE001 - a peer's crash on one page is that page's miss, recorded
            raw, err = None, f"{type(exc).__name__}: {exc}"
        cpu += time.process_time() - start
        out = scorer.normalize_output(raw)
        if err:
            out["error"] = err
        outputs[rec["id"]] = out
    return outputs, cpu


def day_accuracy(scorer: ModuleType, records: list[dict], outputs: dict[str, dict], groups: dict[str, str]) -> dict:
    """Share of dated gold pages whose predicted day equals the gold's, overall and per language group."""
    hits: dict[str, list[float]] = {g: [] for g in GROUPS}
    for rec in records:
        d = scorer.date_scores(rec.get("published"), outputs[rec["id"]].get("published"))
        if d is None:
            continue
        for g in ("all", groups[rec["id"]]):
            hits[g].append(d["match"])
    return {g: (sum(v) / len(v) if v else None, len(v)) for g, v in hits.items()}


def title_author(scorer: ModuleType, records: list[dict], outputs: dict[str, dict], groups: dict[str, str]) -> dict:
    title: dict[str, list[float]] = {g: [] for g in GROUPS}
    author: dict[str, list[float]] = {g: [] for g in GROUPS}
    for rec in records:
        out = outputs[rec["id"]]
        for g in ("all", groups[rec["id"]]):
            if rec.get("title"):
                title[g].append(scorer.title_scores(rec["title"], out.get("title"))["exact"])
            a = scorer.author_scores(rec.get("authors"), out.get("authors"))
            if a is not None:
                author[g].append(a["tokf1"])
    mean = lambda v: (sum(v) / len(v) if v else None, len(v))  # noqa: E731
    return {"title_exact": {g: mean(v) for g, v in title.items()}, "authors_f1": {g: mean(v) for g, v in author.items()}}


def _cell(x: tuple[float | None, int]) -> str:
    return "-" if x[0] is None else f"{x[0]:.3f} ({x[1]})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["newsdesk"], help="skip the peers (quick look while working)")
    ap.add_argument("--misses", action="store_true", help="list newsdesk's date misses (id, gold, predicted, url)")
    ap.add_argument("--json", type=Path, help="write the figures as JSON here")
    ap.add_argument("--limit", type=int, help="first N pages of each set")
    args = ap.parse_args(argv)

    scorer = load_scorer()
    from language_groups import groups_by_id

    names = ["newsdesk"] + ([] if args.only else list(PEERS))
    figures: dict[str, Any] = {"datasets": {}, "speed": {}}
    cpu_total = {n: 0.0 for n in names}
    pages_total = 0
    for dataset, data_dir in DATASETS.items():
        records = scorer.load_gold(data_dir)[: args.limit]
        groups = groups_by_id(records, data_dir)
        pages = [(rec, scorer.decode_html((data_dir / f"{rec['id']}.html").read_bytes())[0]) for rec in records]
        pages_total += len(pages)
        per_name: dict[str, Any] = {}
        outputs_by_name = {}
        for name in names:
            outputs, cpu = run(extractor(name), pages, scorer)
            outputs_by_name[name] = outputs
            cpu_total[name] += cpu
            per_name[name] = {"published_day": day_accuracy(scorer, records, outputs, groups)}
            if dataset == "web-dev" and not name.startswith("htmldate"):
                per_name[name].update(title_author(scorer, records, outputs, groups))
        figures["datasets"][dataset] = per_name

        counts = {g: sum(1 for r in records if r.get("published") and (g == "all" or groups[r["id"]] == g)) for g in GROUPS}
        print(f"\n## {dataset}: published day right (dated pages: " + ", ".join(f"{g} {counts[g]}" for g in GROUPS) + ")")
        print(f"| extractor | {' | '.join(GROUPS)} |\n|---|{'---|' * len(GROUPS)}")
        for name in names:
            acc = per_name[name]["published_day"]
            print(f"| {name} | {' | '.join(_cell(acc[g]) for g in GROUPS)} |")
        if dataset == "web-dev":
            for key, label in (("title_exact", "title exact"), ("authors_f1", "author token F1")):
                print(f"\n## {dataset}: {label}")
                print(f"| extractor | {' | '.join(GROUPS)} |\n|---|{'---|' * len(GROUPS)}")
                for name in names:
                    if key in per_name[name]:
                        print(f"| {name} | {' | '.join(_cell(per_name[name][key][g]) for g in GROUPS)} |")
        if args.misses:
            print(f"\n### newsdesk date misses on {dataset}")
            outs = outputs_by_name["newsdesk"]
            for rec in records:
                d = scorer.date_scores(rec.get("published"), outs[rec["id"]].get("published"))
                if d and not d["match"]:
                    print(f"{rec['id']} [{groups[rec['id']]}] gold {rec['published']} got {outs[rec['id']].get('published')} {rec.get('url')}")

    print(f"\n## speed: pages per CPU second over both sets ({pages_total} pages; machine shared with other jobs)")
    for name in names:
        pps = pages_total / cpu_total[name] if cpu_total[name] else float("nan")
        figures["speed"][name] = pps
        print(f"| {name} | {pps:.1f} |")
    if "trafilatura_fast" in figures["speed"]:
        ratio = figures["speed"]["newsdesk"] / figures["speed"]["trafilatura_fast"]
        figures["speed"]["newsdesk_over_trafilatura_fast"] = ratio
        print(f"newsdesk / trafilatura_fast: {ratio:.1f}x (target >= {TARGET_SPEEDUP:.0f}x)")
    if not args.only:
        for dataset in DATASETS:
            nd = figures["datasets"][dataset]["newsdesk"]["published_day"]["all"][0]
            hd = figures["datasets"][dataset]["htmldate_extensive"]["published_day"]["all"][0]
            ok = nd >= TARGET_DAY and nd > hd
            print(f"target {dataset}: day {nd:.3f} >= {TARGET_DAY} and > htmldate extensive {hd:.3f}: {'met' if ok else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
