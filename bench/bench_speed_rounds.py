"""Extraction speed of the working tree beside an earlier commit and trafilatura fast, in alternating rounds.

On the shared 2-core machine one run's CPU-second figures move by 10-40% with the other jobs on it, and
bench_extraction.py runs each extractor once, one after the other, so a slow spell can land on one of them.
This runs the shared scorer (unchanged) for the earlier commit, the working tree and trafilatura fast in turn,
round after round, each pinned to the same CPU, and prints every round's pages per CPU second with the mean
ratio per set and per language group (web-dev). The earlier commit is checked out with `git worktree` into a
scratch directory, removed at the end. Quality is not scored here (bench_extraction.py does that).

    uv run --group bench python bench/bench_speed_rounds.py --base f2773e1~1 [--rounds 3]
        [--datasets scrapinghub-dev web-dev mozilla] [--limit N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import one_core  # noqa: E402,F401  (pins this process, and the scorer runs it starts, to one CPU)
from bench_extraction import (  # noqa: E402
    DATA_DIRS,
    DATE_SETS,
    REPO,
    SHARED_EXTRACTION,
    language_groups,
    pages_per_cpu_s,
    run_one,
)
from language_groups import GROUPS  # noqa: E402

NEWSDESK = "tasks.extract:bench_extract"
PEER = "extractors:trafilatura_fast"


def speeds(result: dict, groups: dict[str, str] | None) -> dict[str, float]:
    """Pages per CPU second over the whole set and, when groups are given, per language group."""
    rows = result["per_page"]
    out = {"all": pages_per_cpu_s(rows) or 0.0}
    for group in GROUPS if groups else ():
        out[group] = pages_per_cpu_s([r for r in rows if groups.get(r["id"]) == group]) or 0.0
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="the earlier commit (any git revision)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--datasets", nargs="+", choices=list(DATA_DIRS), default=["scrapinghub-dev", "web-dev", "mozilla"])
    ap.add_argument("--limit", type=int, help="only the first N pages of each set (quick check)")
    args = ap.parse_args(argv)
    if not (SHARED_EXTRACTION / "bench_extract.py").exists():
        print(f"benchmark data not found at {SHARED_EXTRACTION}", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="newsdesk-rounds-"))
    base_dir = scratch / "base"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(base_dir), args.base], check=True,
                   capture_output=True)
    runners = {"base": (base_dir, NEWSDESK), "now": (REPO, NEWSDESK), "trafilatura_fast": (REPO, PEER)}
    groups = {d: language_groups(d) for d in args.datasets if d in DATE_SETS}
    # figures[dataset][runner][group] = one value per round
    figures: dict[str, dict[str, dict[str, list[float]]]] = {}
    try:
        for rnd in range(1, args.rounds + 1):
            for dataset in args.datasets:
                out_dir = scratch / f"round{rnd}"
                out_dir.mkdir(exist_ok=True)
                for name, (code_dir, spec) in runners.items():
                    result = run_one(name, spec, dataset, out_dir, args.limit, code_dir)
                    for group, value in speeds(result, groups.get(dataset)).items():
                        figures.setdefault(dataset, {}).setdefault(name, {}).setdefault(group, []).append(value)
                    print(f"round {rnd} {dataset:16s} {name:17s} {figures[dataset][name]['all'][-1]:7.1f} pages/cpu-s",
                          file=sys.stderr, flush=True)
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base_dir)], capture_output=True)
    print(f"\n== pages per CPU second, {args.rounds} alternating rounds (base = {args.base}), one core pinned")
    print("set / group".ljust(24) + "".join(n.rjust(26) for n in runners) + "ratio base".rjust(12) + "ratio now".rjust(11))
    for dataset, by_runner in figures.items():
        for group in by_runner["now"]:
            means = {n: statistics.mean(by_runner[n][group]) for n in runners}
            cells = "".join(
                (f"{means[n]:.1f} (" + "/".join(f"{v:.0f}" for v in by_runner[n][group]) + ")").rjust(26) for n in runners
            )
            peer = means["trafilatura_fast"] or float("nan")
            print(f"{dataset} {group}".ljust(24) + cells + f"{means['base'] / peer:.1f}x".rjust(12)
                  + f"{means['now'] / peer:.1f}x".rjust(11))
    print(f"(scratch: {scratch})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
