"""Near-duplicate fingerprints of article texts: MinHash over word shingles, banded for LSH lookups.

Copies of one article across sites (wire stories, autoblogs, a group's regional papers) differ in headline,
promo paragraphs, credit lines and how much of the text they keep, so exact hashes miss them. Two texts are the
same story when most of the shorter one's 5-word shingles are in the longer one (containment) and the shingle
sets overlap enough (Jaccard) that a copy of a small part of a text, or a shared boilerplate block, does not
pass. The signature is a small implementation on numpy rather than datasketch: the same MinHash, measured
faster here (bench/bench_stories.py --choice), and nothing in datasketch's LSH stores its index in DuckDB.

The permutation parameters are fixed by SEED: stored signatures stay comparable across runs and versions. A
change to SEED, NUM_PERM, BANDS or SHINGLE_WORDS needs `newsdesk reprocess` (which rebuilds every signature).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
NUM_PERM = 120
BANDS = 40  # of ROWS values each: a pair with Jaccard 0.4 shares a band with p = 0.94, 0.5 with p = 0.996
ROWS = NUM_PERM // BANDS
SEED = 1
MIN_SHINGLES = 60  # below ~64 words a text (a caption, a brief) is its own story: too little to tell copies apart
MIN_CONTAINMENT = 0.8  # share of the shorter text's shingles found in the longer one
MIN_JACCARD = 0.4  # and overlap of the two sets: keeps a teaser or a shared boilerplate block apart

_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_WORD = re.compile(r"\w+", re.UNICODE)
_rng = np.random.RandomState(SEED)
_A = _rng.randint(1, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _rng.randint(0, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
                 0xFF51AFD7ED558CCD], dtype=np.uint64)[:SHINGLE_WORDS]


@dataclass(frozen=True)
class Fingerprint:
    """What is stored per article: the MinHash signature, its LSH band keys and the shingle count."""

    shingles: int
    signature: tuple[int, ...]  # NUM_PERM 32-bit minima; empty when the text is too short to match
    bands: tuple[int, ...]  # BANDS signed 64-bit keys (band index mixed in), empty when too short


def words(text: str) -> list[str]:
    """Lower-cased word tokens: punctuation, quote styles and spacing differ between copies of one text."""
    return _WORD.findall(text.casefold())


def shingle_hashes(text: str) -> np.ndarray:
    """Distinct 32-bit hashes of the text's SHINGLE_WORDS-word shingles."""
    tokens = words(text)
    if len(tokens) < SHINGLE_WORDS:
        return np.zeros(0, dtype=np.uint64)
    word_hashes = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in tokens), dtype=np.uint64, count=len(tokens))
    count = len(tokens) - SHINGLE_WORDS + 1
    mixed = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        mixed ^= word_hashes[offset : offset + count] * _MIX[offset]
        mixed = (mixed << np.uint64(13)) | (mixed >> np.uint64(51))
    mixed ^= mixed >> np.uint64(29)
    return np.unique(mixed & _MAX_HASH)


def fingerprint(text: str) -> Fingerprint:
    """The text's MinHash signature and band keys, or none when it has fewer than MIN_SHINGLES shingles."""
    hashes = shingle_hashes(text)
    if len(hashes) < MIN_SHINGLES:
        return Fingerprint(shingles=len(hashes), signature=(), bands=())
    permuted = ((hashes[:, None] * _A[None, :] + _B[None, :]) % _MERSENNE) & _MAX_HASH
    signature = permuted.min(axis=0)
    return Fingerprint(shingles=len(hashes), signature=tuple(int(v) for v in signature), bands=band_keys(signature))


def band_keys(signature: np.ndarray) -> tuple[int, ...]:
    """One 64-bit key per band: two texts that share a key are candidates to compare."""
    rows = signature.astype("<u4").reshape(BANDS, ROWS)
    keys = []
    for band, values in enumerate(rows):
        digest = hashlib.blake2b(band.to_bytes(2, "little") + values.tobytes(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


def estimated_jaccard(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    """Share of equal MinHash positions: an unbiased estimate of the shingle sets' Jaccard similarity."""
    if not a or not b:
        return 0.0
    return float(np.count_nonzero(np.asarray(a) == np.asarray(b))) / len(a)


def containment(jaccard: float, shingles_a: int, shingles_b: int) -> float:
    """Share of the smaller set inside the larger, from the Jaccard estimate and the two set sizes."""
    if jaccard <= 0 or min(shingles_a, shingles_b) == 0:
        return 0.0
    shared = jaccard * (shingles_a + shingles_b) / (1 + jaccard)
    return min(1.0, shared / min(shingles_a, shingles_b))


def same_story(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two texts are copies of one article (see the module docstring for the rule)."""
    if not a.signature or not b.signature:
        return False
    jaccard = estimated_jaccard(a.signature, b.signature)
    return jaccard >= MIN_JACCARD and containment(jaccard, a.shingles, b.shingles) >= MIN_CONTAINMENT


def story_id(member_article_ids: list[str] | set[str]) -> str:
    """A story's id from its members alone (the smallest article id), so batch order cannot change it."""
    return "s" + hashlib.sha256(("story:" + min(member_article_ids)).encode("utf-8")).hexdigest()[:15]
