"""Near-duplicate sources (character 5-gram Jaccard), so a test source never retells a train one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from redac.dataset.schema import Record, check_split_name
from redac.text import fold

NEAR_DUP_THRESHOLD = 0.5  # char 5-gram Jaccard; unrelated sources ~0.07, same story retold ~0.2-0.3
SHINGLE = 5


class NearDuplicate(NamedTuple):
    a: str
    b: str
    score: float


def shingles(text: str, n: int = SHINGLE) -> frozenset[str]:
    """Character n-grams of the folded text, punctuation and spacing collapsed."""
    flat = re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()
    return frozenset(flat[i:i + n] for i in range(max(len(flat) - n + 1, 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicates(records: Sequence[Record], threshold: float = NEAR_DUP_THRESHOLD, *,
                    splits: tuple[str, str] | None = None) -> list[NearDuplicate]:
    """Pairs of records whose sources share at least ``threshold`` of their character 5-grams
    (exact Jaccard: at this size it is cheap, so no MinHash approximation is needed).

    ``splits=("test", "train")`` compares only test sources with train ones (``a`` is the test id);
    ``None`` compares every pair. Highest score first.
    """
    if splits is not None:
        for s in splits:
            check_split_name(s)
        left = [r for r in records if r.split == splits[0]]
        right = [r for r in records if r.split == splits[1]]
        candidates = [(x, y) for x in left for y in right if x.id != y.id]
    else:
        ordered = sorted(records, key=lambda r: r.id)
        candidates = [(x, y) for i, x in enumerate(ordered) for y in ordered[i + 1:]]
    cache: dict[str, frozenset[str]] = {}

    def sh(r: Record) -> frozenset[str]:
        if r.id not in cache:
            cache[r.id] = shingles(r.source)
        return cache[r.id]

    found = [NearDuplicate(x.id, y.id, round(jaccard(sh(x), sh(y)), 4)) for x, y in candidates]
    return sorted((d for d in found if d.score >= threshold), key=lambda d: (-d.score, d.a, d.b))
