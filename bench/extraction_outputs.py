"""Every field extraction gives for every page of the shared extraction sets, to check that a speed change left
the output as it was: dump before the change, dump after, compare.

The shared scorer's predictions (bench_extraction.py --keep) hold only text, title, authors and published; a
speed change must keep all the other fields too (dates, canonical URL, tags, summary points...).

    uv run python bench/extraction_outputs.py --out /tmp/before.jsonl            # on the old code
    uv run python bench/extraction_outputs.py --out /tmp/after.jsonl --compare /tmp/before.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_EXTRACTION = REPO.parent / "shared" / "bench" / "extraction"
DATASETS = ("web-dev", "mozilla", "scrapinghub-dev")
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(SHARED_EXTRACTION))

from bench_extract import decode_html, load_gold  # noqa: E402  (the scorer's own reading of the pages)

from tasks.extract import extract_document  # noqa: E402


def dump(out: Path, datasets: list[str]) -> int:
    """Write one JSON line per page (set, id and every Document field); returns the number of pages."""
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for dataset in datasets:
            for record in load_gold(SHARED_EXTRACTION / dataset):
                html, _encoding = decode_html((SHARED_EXTRACTION / dataset / f"{record['id']}.html").read_bytes())
                doc = dataclasses.asdict(extract_document(html, record.get("url")))
                f.write(json.dumps({"set": dataset, "id": record["id"], **doc}, ensure_ascii=False) + "\n")
                n += 1
    return n


def differences(old: Path, new: Path) -> list[str]:
    """'set/id: field, field' for each page whose output differs (or that only one dump has)."""

    def read(path: Path) -> dict[tuple[str, str], dict]:
        with path.open(encoding="utf-8") as f:
            return {(row["set"], row["id"]): row for row in map(json.loads, f)}

    before, after = read(old), read(new)
    out = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a is None or b is None:
            out.append(f"{key[0]}/{key[1]}: only in {'new' if a is None else 'old'} dump")
        elif a != b:
            out.append(f"{key[0]}/{key[1]}: " + ", ".join(k for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="JSONL file to write")
    ap.add_argument("--compare", type=Path, help="an earlier dump: list the pages whose output changed")
    ap.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    args = ap.parse_args(argv)
    if not (SHARED_EXTRACTION / "bench_extract.py").exists():
        print(f"benchmark data not found at {SHARED_EXTRACTION}", file=sys.stderr)
        return 2
    n = dump(args.out, args.datasets)
    print(f"{n} pages written to {args.out}")
    if args.compare:
        changed = differences(args.compare, args.out)
        print(f"{len(changed)} pages differ from {args.compare}")
        for line in changed:
            print("  " + line)
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
