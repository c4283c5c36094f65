"""Quality floor: body F1 on the shared dev sets must not drop more than 0.01 below bench/extraction_floor.json.

Uses the shared scorer's own metric functions (imported by path), on every page of each set: the ScrapingHub
shingle F1 on mozilla and scrapinghub-dev, trafilatura's snippet F1 on web-dev (overall and per language group
of bench/language_groups.py, so a regression in one language shows); a few seconds.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest

from conftest import shared_path
from tasks.extract import bench_extract

REPO = Path(__file__).resolve().parents[1]
SHARED_EXTRACTION = REPO.parent / "shared" / "bench" / "extraction"
FLOOR = json.loads((REPO / "bench" / "extraction_floor.json").read_text(encoding="utf-8"))
TOLERANCE = 0.01


def _scorer() -> ModuleType:
    return _module(shared_path("bench", "extraction", "bench_extract.py"), "shared_bench_extract")


def _module(path: Path, name: str) -> ModuleType:
    """A module of the shared benchmark, imported by path (it is not a package of this project)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def _outputs(data_dir: Path) -> dict[str, dict]:
    """newsdesk's output for every page of a set, by page id, made once a session: the snippet, date and author
    floors all read web-dev's pages."""
    scorer = _scorer()
    outputs = {}
    for rec in scorer.load_gold(data_dir):
        html, _encoding = scorer.decode_html((data_dir / f"{rec['id']}.html").read_bytes())
        outputs[rec["id"]] = bench_extract(html, rec.get("url"))
    return outputs


def _language_groups(gold: list[dict], data_dir: Path) -> dict[str, str]:
    return _module(REPO / "bench" / "language_groups.py", "bench_language_groups").groups_by_id(gold, data_dir)


def _mean_per_group(data_dir: Path, score: Callable[[dict, dict], float | None]) -> dict[str, float]:
    """Mean of `score(gold record, newsdesk's output)` over the pages it scores (None: not counted, as in
    bench_dates.py), overall and per language group."""
    gold = _scorer().load_gold(data_dir)
    groups = _language_groups(gold, data_dir)
    outputs = _outputs(data_dir)
    values: dict[str, list[float]] = {"all": []}
    for rec in gold:
        value = score(rec, outputs[rec["id"]])
        if value is None:
            continue
        for group in ("all", groups[rec["id"]]):
            values.setdefault(group, []).append(value)
    return {group: sum(v) / len(v) for group, v in values.items()}


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


def measure_snippets(dataset: str) -> dict[str, float]:
    """Snippet F1 (trafilatura's metric, as bench_extract.py computes it) over the set and per language group."""
    scorer = _scorer()
    data_dir = SHARED_EXTRACTION / dataset
    gold = scorer.load_gold(data_dir)
    group_of = _language_groups(gold, data_dir)
    outputs = _outputs(data_dir)
    per_group: dict[str, list] = {"all": []}
    for rec in gold:
        counts = scorer.snippet_counts(rec, outputs[rec["id"]]["text"])
        for group in ("all", group_of[rec["id"]]):
            per_group.setdefault(group, []).append(counts)
    return {group: scorer.snippet_scores(rows)["f1"] for group, rows in per_group.items()}


@pytest.mark.parametrize("dataset", sorted(FLOOR["snippet_f1"]))
def test_snippet_f1_not_below_floor(dataset: str) -> None:
    measured = measure_snippets(dataset)
    for group, floor in FLOOR["snippet_f1"][dataset].items():
        assert measured[group] >= floor - TOLERANCE, (
            f"{dataset}[{group}] snippet F1 {measured[group]:.4f} fell below the recorded {floor:.4f} - {TOLERANCE}"
        )


@pytest.mark.parametrize("dataset", sorted(FLOOR["f1"]))
def test_f1_not_below_floor(dataset: str) -> None:
    measured = measure(dataset)
    for group, floor in FLOOR["f1"][dataset].items():
        assert measured[group] >= floor - TOLERANCE, (
            f"{dataset}[{group}] body F1 {measured[group]:.4f} fell below the recorded {floor:.4f} - {TOLERANCE}"
        )


# ---------------------------------------------------------------------------------------------------------
# published date (same calendar day as the gold) on the open-web sets: bench/extraction_floor.json "published_day"

SHARED_BENCH = SHARED_EXTRACTION.parent
DATE_SETS = {
    "web-dev": SHARED_EXTRACTION / "web-dev",
    "dates/dev": SHARED_BENCH / "dates" / "dev",
    "mozilla": SHARED_EXTRACTION / "mozilla",  # (33 dated pages: one page is 0.03, so the floor sees any loss)
}


def measure_published_day(dataset: str) -> dict[str, float]:
    """Share of dated gold pages whose published day newsdesk gets right, overall and per language group, as
    bench/bench_dates.py computes it (a gold date the scorer cannot read is not counted)."""
    scorer = _scorer()

    def hit(rec: dict, output: dict) -> float | None:
        if not rec.get("published"):
            return None
        score = scorer.date_scores(rec["published"], output["published"])
        return None if score is None else score["match"]

    return _mean_per_group(DATE_SETS[dataset], hit)


@pytest.mark.parametrize("dataset", sorted(FLOOR.get("published_day", {})))
def test_published_day_not_below_floor(dataset: str) -> None:
    shared_path(*DATE_SETS[dataset].relative_to(REPO.parent / "shared").parts)  # skips (or fails in CI) when missing
    measured = measure_published_day(dataset)
    for group, floor in FLOOR["published_day"][dataset].items():
        assert measured[group] >= floor - TOLERANCE, (
            f"{dataset}[{group}] published day {measured[group]:.4f} fell below the recorded {floor:.4f} - {TOLERANCE}"
        )


# ---------------------------------------------------------------------------------------------------------
# author token F1 on web-dev: bench/extraction_floor.json "author_f1"


def measure_author_f1(dataset: str) -> dict[str, float]:
    """Mean author token F1 over the pages whose gold names an author, overall and per language group, as
    bench/bench_dates.py computes it (the shared scorer's author_scores)."""
    scorer = _scorer()

    def token_f1(rec: dict, output: dict) -> float | None:
        score = scorer.author_scores(rec.get("authors"), output["authors"])
        return None if score is None else score["tokf1"]

    return _mean_per_group(SHARED_EXTRACTION / dataset, token_f1)


@pytest.mark.parametrize("dataset", sorted(FLOOR.get("author_f1", {})))
def test_author_f1_not_below_floor(dataset: str) -> None:
    shared_path("bench", "extraction", dataset)  # skips (or fails in CI) when missing
    measured = measure_author_f1(dataset)
    for group, floor in FLOOR["author_f1"][dataset].items():
        assert measured[group] >= floor - TOLERANCE, (
            f"{dataset}[{group}] author token F1 {measured[group]:.4f} fell below the recorded {floor:.4f} - {TOLERANCE}"
        )
