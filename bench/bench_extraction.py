"""Extraction benchmark: newsdesk vs trafilatura (favor_precision) on the shared dev sets, in one run.

Runs the shared scorer (../shared/bench/extraction/bench_extract.py, standard library only) unchanged, once per
(extractor, dataset), each in its own worker process as the scorer does, then prints the figures side by side
with the targets of issue 3. Results JSON and predictions go to a scratch directory (printed), never into the
repository or ../shared.

    uv run --group bench python bench/bench_extraction.py [--limit N] [--keep DIR] [--only newsdesk]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_EXTRACTION = REPO.parent / "shared" / "bench" / "extraction"
DATASETS = ("mozilla", "scrapinghub-dev")
EXTRACTORS = {
    "newsdesk": "tasks.extract:bench_extract",
    "trafilatura_precision": "extractors:trafilatura_precision",
}


def run_one(name: str, spec: str, dataset: str, out_dir: Path, limit: int | None) -> dict:
    """One scorer run in a subprocess; returns its results JSON."""
    out = out_dir / f"{name}.{dataset}.json"
    cmd = [
        sys.executable, str(SHARED_EXTRACTION / "bench_extract.py"),
        "--data", str(SHARED_EXTRACTION / dataset), "--extractor", spec, "--name", name,
        "--out", str(out), "--save-predictions", str(out_dir / f"{name}.{dataset}.pred.jsonl"),
        "--bootstrap", "200",
    ]
    if limit:
        cmd += ["--limit", str(limit)]
    env = dict(os.environ)
    # the repo (for tasks.*) and the scorer's folder (for extractors.*) importable; scratch files out of ../shared
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(SHARED_EXTRACTION), env.get("PYTHONPATH", "")])
    env["BENCH_TMPDIR"] = str(out_dir / "scratch")
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"scorer failed for {name} on {dataset}:\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def _f(x: float | None, nd: int = 3) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def summary_rows(res: dict) -> dict[str, str]:
    m = res["metrics"]
    o = m["overall"]
    sh = o.get("sh") or {}
    real = (m["groups"].get("real") or {}).get("sh") or {}
    sp = res.get("speed") or {}
    return {
        "F1": _f(sh.get("f1")),
        "P": _f(sh.get("precision")),
        "R": _f(sh.get("recall")),
        "F1[real]": _f(real.get("f1")) if real else "-",
        "title exact": _f((o.get("title") or {}).get("exact"), 2),
        "authors": _f((o.get("author") or {}).get("tokf1"), 2),
        "date": _f((o.get("date") or {}).get("match"), 2),
        "pages/cpu-s": _f(sp.get("pages_per_cpu_s"), 1),
        "pages/s": _f(sp.get("pages_per_s"), 1),
        "peak MB": _f((res.get("memory") or {}).get("peak_rss_mb"), 0),
        "empty": str(o.get("n_empty")),
    }


def print_side_by_side(results: dict[tuple[str, str], dict]) -> None:
    for dataset in DATASETS:
        names = [n for n in EXTRACTORS if (n, dataset) in results]
        if not names:
            continue
        rows = {n: summary_rows(results[(n, dataset)]) for n in names}
        n_pages = results[(names[0], dataset)]["metrics"]["overall"]["n_pages"]
        print(f"\n== {dataset} ({n_pages} pages)")
        cols = list(next(iter(rows.values())))
        width = max(len(n) for n in names) + 2
        print("metric".ljust(14) + "".join(n.rjust(width) for n in names))
        for c in cols:
            print(c.ljust(14) + "".join(rows[n][c].rjust(width) for n in names))
    if all((n, d) in results for n in EXTRACTORS for d in DATASETS):
        nd = {d: results[("newsdesk", d)] for d in DATASETS}
        tr = {d: results[("trafilatura_precision", d)] for d in DATASETS}

        def g(res: dict, *path: str) -> float:
            cur: object = res
            for p in path:
                cur = (cur or {}).get(p) if isinstance(cur, dict) else None
            return float(cur or 0.0)

        checks = [
            ("F1 scrapinghub-dev >= 0.97", g(nd["scrapinghub-dev"], "metrics", "overall", "sh", "f1") >= 0.97),
            ("F1 mozilla[real] >= 0.95", g(nd["mozilla"], "metrics", "groups", "real", "sh", "f1") >= 0.95),
            ("F1 > trafilatura on both", all(
                g(nd[d], "metrics", "overall", "sh", "f1") > g(tr[d], "metrics", "overall", "sh", "f1") for d in DATASETS)),
            ("title exact >= 0.85 (mozilla)", g(nd["mozilla"], "metrics", "overall", "title", "exact") >= 0.85),
            ("authors >= 0.85 (mozilla)", g(nd["mozilla"], "metrics", "overall", "author", "tokf1") >= 0.85),
            ("date >= 0.95 (mozilla)", g(nd["mozilla"], "metrics", "overall", "date", "match") >= 0.95),
            ("pages/cpu-s >= 10x trafilatura", all(
                g(nd[d], "speed", "pages_per_cpu_s") >= 10 * g(tr[d], "speed", "pages_per_cpu_s") for d in DATASETS)),
            ("peak memory <= trafilatura", all(
                g(nd[d], "memory", "peak_rss_mb") <= g(tr[d], "memory", "peak_rss_mb") for d in DATASETS)),
        ]
        print("\n== targets (issue 3)")
        for label, ok in checks:
            print(f"  [{'x' if ok else ' '}] {label}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, help="only the first N pages of each set (quick check)")
    ap.add_argument("--keep", type=Path, help="write results here instead of a temporary directory")
    ap.add_argument("--only", choices=sorted(EXTRACTORS), help="run one extractor only")
    args = ap.parse_args(argv)
    if not (SHARED_EXTRACTION / "bench_extract.py").exists():
        print(f"benchmark data not found at {SHARED_EXTRACTION}", file=sys.stderr)
        return 2
    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[tuple[str, str], dict] = {}
    for dataset in DATASETS:
        for name, spec in EXTRACTORS.items():
            if args.only and name != args.only:
                continue
            print(f"running {name} on {dataset} ...", file=sys.stderr, flush=True)
            results[(name, dataset)] = run_one(name, spec, dataset, out_dir, args.limit)
    print_side_by_side(results)
    print(f"\nresults and predictions: {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
