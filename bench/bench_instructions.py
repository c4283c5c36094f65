"""Extraction cost in instructions per page (valgrind's cachegrind), newsdesk beside trafilatura on the same pages.

CPU seconds on the shared 2-core machine move by 15-40% between runs with the other jobs on it, and the peers
of bench_extraction.py run one after the other, so one run's speed ratio can land anywhere from 6x to 12x.
Instructions executed do not depend on the load: this counts them for one pass over a set (a run that reads
the pages and warms up, minus the same run with the pass added), so a change to the code shows as a change in
the count, to the instruction. Instructions are not time (lxml's C code does more per cycle than the Python
interpreter), so the CPU-second figures of bench_extraction.py stay the ones the targets are read against.

    uv run --group bench python bench/bench_instructions.py [--datasets scrapinghub-dev] [--limit N]
        [--extractors newsdesk trafilatura_fast]

Needs valgrind (Debian package `valgrind`). Under valgrind, 100 pages take ~1 minute for newsdesk,
~5 for trafilatura fast.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_EXTRACTION = REPO.parent / "shared" / "bench" / "extraction"
DATASETS = ("web-dev", "mozilla", "scrapinghub-dev")
EXTRACTORS = {
    "newsdesk": "tasks.extract:bench_extract",
    "trafilatura_fast": "extractors:trafilatura_fast",
    "trafilatura_precision": "extractors:trafilatura_precision",
}
WARMUP = 5
_I_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def worker(spec: str, dataset: str, limit: int | None, passes: int) -> None:
    """Read the pages, warm up on the first few, then extract every page `passes` times (0 or 1)."""
    sys.path[:0] = [str(REPO), str(SHARED_EXTRACTION)]
    from bench_extract import decode_html, load_function, load_gold  # the scorer's own page reading

    extract = load_function(spec)
    records = load_gold(SHARED_EXTRACTION / dataset)[:limit]
    pages = [
        (decode_html((SHARED_EXTRACTION / dataset / f"{r['id']}.html").read_bytes())[0], r.get("url"))
        for r in records
    ]
    for html, url in pages[:WARMUP]:
        extract(html, url)
    for _ in range(passes):
        for html, url in pages:
            extract(html, url)


def instructions(spec: str, dataset: str, limit: int | None, passes: int) -> int:
    """Instructions of one worker run under cachegrind (no cache simulation: only the count)."""
    cmd = [
        "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
        sys.executable, __file__, "--worker", spec, dataset, str(limit or 0), str(passes),
    ]
    env = dict(os.environ, PYTHONHASHSEED="0")  # the same hashing in every run, so the same instructions
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    found = _I_REFS.search(proc.stderr)
    if proc.returncode != 0 or not found:
        raise SystemExit(f"valgrind run failed for {spec} on {dataset}:\n{proc.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--worker":
        spec, dataset, limit, passes = sys.argv[2:6]
        worker(spec, dataset, int(limit) or None, int(passes))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", nargs="+", choices=DATASETS, default=["scrapinghub-dev"])
    ap.add_argument("--extractors", nargs="+", choices=sorted(EXTRACTORS), default=["newsdesk", "trafilatura_fast"])
    ap.add_argument("--limit", type=int, help="only the first N pages of each set")
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind not found (apt-get install valgrind)", file=sys.stderr)
        return 2
    if not (SHARED_EXTRACTION / "bench_extract.py").exists():
        print(f"benchmark data not found at {SHARED_EXTRACTION}", file=sys.stderr)
        return 2
    print(f"{'set':18}{'extractor':24}{'pages':>6}{'M instructions/page':>22}{'x newsdesk':>12}")
    sys.path.insert(0, str(SHARED_EXTRACTION))
    from bench_extract import load_gold

    names = sorted(args.extractors, key=lambda name: name != "newsdesk")  # newsdesk first: the others' ratios
    for dataset in args.datasets:
        n = len(load_gold(SHARED_EXTRACTION / dataset)[: args.limit])
        per_page: dict[str, float] = {}
        for name in names:
            spec = EXTRACTORS[name]
            print(f"counting {name} on {dataset} ...", file=sys.stderr, flush=True)
            base = instructions(spec, dataset, args.limit, 0)
            total = instructions(spec, dataset, args.limit, 1)
            per_page[name] = (total - base) / n / 1e6
            ratio = per_page[name] / per_page["newsdesk"] if "newsdesk" in per_page else None
            print(f"{dataset:18}{name:24}{n:>6}{per_page[name]:>22.2f}{'' if ratio is None else f'{ratio:.2f}x':>12}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
