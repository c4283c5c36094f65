"""Quality floor: body F1 on the shared dev sets must not drop more than 0.01 below bench/extraction_floor.json.

Uses the shared scorer's own metric functions (imported by path), on every page of each set; ~1 s.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from conftest import shared_path
from tasks.extract import bench_extract

REPO = Path(__file__).resolve().parents[1]
SHARED_EXTRACTION = REPO.parent / "shared" / "bench" / "extraction"
FLOOR = json.loads((REPO / "bench" / "extraction_floor.json").read_text(encoding="utf-8"))
TOLERANCE = 0.01


def _scorer() -> ModuleType:
    path = shared_path("bench", "extraction", "bench_extract.py")
    spec = importlib.util.spec_from_file_location("shared_bench_extract", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(dataset: str) -> dict[str, float]:
    """Body F1 (ScrapingHub metric) over the whole set and per group, as bench_extract.py computes it."""
    scorer = _scorer()
    data_dir = SHARED_EXTRACTION / dataset
    gold = scorer.load_gold(data_dir)
    per_group: dict[str, list] = {"all": []}
    for rec in gold:
        html, _encoding = scorer.decode_html((data_dir / f"{rec['id']}.html").read_bytes())
        pred = bench_extract(html, rec.get("url"))["text"]
        tp_fp_fn = scorer.string_shingle_matching(rec["text"], pred)
        for group in ["all", *(rec.get("groups") or [])]:
            per_group.setdefault(group, []).append(tp_fp_fn)
    return {group: scorer.metrics_from_tp_fp_fns(rows)["f1"] for group, rows in per_group.items()}


@pytest.mark.parametrize("dataset", sorted(FLOOR["f1"]))
def test_f1_not_below_floor(dataset: str) -> None:
    measured = measure(dataset)
    for group, floor in FLOOR["f1"][dataset].items():
        assert measured[group] >= floor - TOLERANCE, (
            f"{dataset}[{group}] body F1 {measured[group]:.4f} fell below the recorded {floor:.4f} - {TOLERANCE}"
        )
