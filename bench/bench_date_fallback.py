"""Would htmldate pay as newsdesk's date fallback? Measured on web-dev + dates/dev in one process, one core.

For every page: newsdesk's whole extraction (rules only), then htmldate fast and extensive (original_date=True,
1995-01-01 to tomorrow, the page as bytes so it never downloads), then trafilatura fast, in rotating order, CPU
time around each call only. Prints published-day accuracy (shared scorer's comparison) per set and language
group for the rules alone and with htmldate filling the pages the rules leave undated; what htmldate says where
the rules' date comes only from a weaker source (a date-classed element or the headline's surroundings, the URL,
a text label); and pages per CPU second of the extraction with each fallback against trafilatura fast.

    uv run --group bench python bench/bench_date_fallback.py [--limit N]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "bench"
DATASETS = {"web-dev": SHARED / "extraction" / "web-dev", "dates/dev": SHARED / "dates" / "dev"}
GROUPS = ("all", "en", "de", "other")
MODES = ("fast", "extensive")

sys.path[:0] = [str(REPO), str(SHARED / "extraction"), str(REPO / "bench")]
import one_core  # noqa: E402,F401  (pins this process to one CPU)


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shared_bench_extract", SHARED / "extraction" / "bench_extract.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rule_source_recorder() -> tuple[dict[str, Any], Callable[[], str]]:
    """Wraps tasks.metadata.published so a call notes which of its sources gave the date, while the returned
    switch's "on" is true (off for the timed calls: the note runs the sources a second time)."""
    from tasks import metadata as md

    seen: dict[str, Any] = {"on": False}
    original = md.published

    def published(src: Any) -> str | None:
        if not seen["on"]:
            return original(src)
        steps = (
            ("declared", lambda: md._published_declared(src)),
            ("shown", lambda: md._published_shown(src)),
            ("url", lambda: md.date_from_url(src.url)),
            ("title", lambda: md.date_in_text(src.doc_title, src.dayfirst)),
            ("label", lambda: md._labelled_date(src)),
        )
        seen["source"] = next((name for name, step in steps if step()), "none")
        return original(src)

    md.published = published
    return seen, lambda: seen.get("source", "none")


def htmldate_call(mode: str) -> Callable[[str, str | None], str | None]:
    from htmldate import find_date

    def call(html: str, url: str | None) -> str | None:
        return find_date(
            html.encode("utf-8", "replace"), url=url, original_date=True, extensive_search=mode == "extensive",
            min_date=datetime(1995, 1, 1), max_date=datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1),
        )

    return call


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, help="first N pages of each set")
    args = ap.parse_args(argv)

    scorer = load_scorer()
    from language_groups import groups_by_id

    import extractors  # ../shared/bench/extraction/extractors.py
    from tasks.extract import extract_document

    recording, source_of_date = rule_source_recorder()
    calls: dict[str, Callable[[str, str | None], Any]] = {
        "newsdesk": lambda h, u: extract_document(h, u),
        "fast": htmldate_call("fast"),
        "extensive": htmldate_call("extensive"),
        "trafilatura_fast": extractors.trafilatura_fast,
    }
    rows: list[dict[str, Any]] = []
    for dataset, data_dir in DATASETS.items():
        records = scorer.load_gold(data_dir)[: args.limit]
        groups = groups_by_id(records, data_dir)
        for rec in records:
            html = scorer.decode_html((data_dir / f"{rec['id']}.html").read_bytes())[0]
            rows.append({"set": dataset, "group": groups[rec["id"]], "gold": rec.get("published"), "html": html,
                         "url": rec.get("url")})
    for fn in calls.values():  # warm-up: lazy imports
        fn(rows[0]["html"], rows[0]["url"])
    cpu = {name: 0.0 for name in calls}
    names = list(calls)
    for i, row in enumerate(rows):
        for name in names[i % len(names):] + names[: i % len(names)]:
            start = time.process_time()
            out = calls[name](row["html"], row["url"])
            cpu_used = time.process_time() - start
            cpu[name] += cpu_used
            if name == "newsdesk":
                recording["on"] = True  # untimed: which source gave the date
                extract_document(row["html"], row["url"])
                recording["on"] = False
                row["newsdesk"], row["source"] = out.published, source_of_date()
            elif name in MODES:
                row[name], row[name + "_cpu"] = out, cpu_used

    def right(row: dict, predicted: str | None) -> float | None:
        d = scorer.date_scores(row["gold"], predicted)
        return None if d is None else d["match"]

    policies = {
        "rules only": lambda r: r["newsdesk"],
        "rules, then htmldate fast": lambda r: r["newsdesk"] or r["fast"],
        "rules, then htmldate extensive": lambda r: r["newsdesk"] or r["extensive"],
    }
    for dataset in DATASETS:
        print(f"\n## {dataset}: published day right")
        print(f"| policy | {' | '.join(GROUPS)} |\n|---|{'---|' * len(GROUPS)}")
        for label, policy in policies.items():
            cells = []
            for g in GROUPS:
                hits = [right(r, policy(r)) for r in rows if r["set"] == dataset and g in ("all", r["group"])]
                hits = [h for h in hits if h is not None]
                cells.append(f"{sum(hits) / len(hits):.3f} ({len(hits)})" if hits else "-")
            print(f"| {label} | {' | '.join(cells)} |")

    print("\n## by the rules' source of the date (both sets, dated gold pages): right with the rules' date / with "
          "htmldate's; where they differ, htmldate fixes / breaks")
    for source in ("declared", "shown", "url", "title", "label", "none"):
        group = [r for r in rows if r["source"] == source and right(r, None) is not None]
        if not group:
            continue
        parts = [f"{source}: {len(group)} pages, rules right {int(sum(right(r, r['newsdesk']) for r in group))}"]
        for mode in MODES:
            fixes = sum(1 for r in group if not right(r, r["newsdesk"]) and right(r, r[mode]))
            breaks = sum(1 for r in group if right(r, r["newsdesk"]) and r[mode] and not right(r, r[mode]))
            parts.append(f"{mode} right {int(sum(right(r, r[mode]) for r in group))}, fixes {fixes} / breaks {breaks}")
        print("; ".join(parts))

    undated = [r for r in rows if not r["newsdesk"]]
    no_gold = [r for r in undated if right(r, None) is None]
    print(f"\n## pages the rules leave undated: {len(undated)} of {len(rows)} ({len(undated) - len(no_gold)} with a gold date)")
    for mode in MODES:
        spent = sorted(r[mode + "_cpu"] * 1000 for r in undated)
        dated = sum(1 for r in no_gold if r[mode])
        jan1 = sum(1 for r in no_gold if r[mode] and str(r[mode]).endswith("-01-01"))
        print(f"htmldate {mode}: {sum(spent) / len(spent):.1f} ms mean, {spent[len(spent) // 2]:.1f} median, "
              f"{spent[-1]:.0f} max a page; dates {dated} of the {len(no_gold)} pages whose gold has none "
              f"({jan1} of them a 1 January)")

    n = len(rows)
    base = n / cpu["newsdesk"]
    trafilatura = n / cpu["trafilatura_fast"]
    print(f"\n## speed: pages per CPU second, {n} pages, one core pinned (machine shared with other jobs)")
    print(f"| trafilatura fast | {trafilatura:.1f} |")
    print(f"| newsdesk, rules only | {base:.1f} ({base / trafilatura:.1f}x trafilatura fast) |")
    for mode in MODES:
        extra = sum(r[mode + "_cpu"] for r in undated)
        pps = n / (cpu["newsdesk"] + extra)
        print(f"| newsdesk, then htmldate {mode} on undated pages | {pps:.1f} ({pps / trafilatura:.1f}x; "
              f"+{extra / n * 1000:.2f} ms a page on average) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
