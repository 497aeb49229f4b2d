"""ROUGE-L / ROUGE-2 with a French-safe tokenizer and a bit-parallel LCS.

rouge-score's default tokenizer maps every character outside ``[a-z0-9]`` to a space, so "général"
becomes "g n ral"; :class:`FrenchTokenizer` keeps accented letters (pass it to
``RougeScorer(..., tokenizer=FrenchTokenizer())`` for identical tokens). rouge-score's LCS is a pure
Python O(n*m) table: ~0.25 s for a 700-word article against its source, which alone would blow the
speed budget. :func:`lcs_length` computes the same number with the bit-vector algorithm of Allison
and Dix (1986) / Hyyrö (2004) on Python integers: one big-int add per token of the second text.
A test checks that :func:`rouge_scores` equals rouge-score's output on real text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from redac.text import tokens as tokenize


class FrenchTokenizer:
    """Lower-cased ``\\w+`` runs: accents kept, elisions split ("l'homme" -> "l", "homme")."""

    def tokenize(self, text: str) -> list[str]:
        return tokenize(text)


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two token lists (bit-parallel, exact)."""
    if not a or not b:
        return 0
    if len(a) > len(b):  # fewer bits per word of the loop
        a, b = b, a
    masks: dict[str, int] = {}
    for i, tok in enumerate(a):
        masks[tok] = masks.get(tok, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for tok in b:
        u = v & masks.get(tok, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


@dataclass(frozen=True)
class Rouge:
    precision: float
    recall: float
    fmeasure: float


def _prf(overlap: int, n_pred: int, n_ref: int) -> Rouge:
    p = overlap / n_pred if n_pred else 0.0
    r = overlap / n_ref if n_ref else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Rouge(p, r, f)


def rouge_scores(reference: list[str], prediction: list[str]) -> dict[str, Rouge]:
    """``{"rougeL": ..., "rouge2": ...}`` with rouge-score's definitions (reference = target)."""
    ref2 = Counter(zip(reference, reference[1:]))
    pred2 = Counter(zip(prediction, prediction[1:]))
    overlap2 = sum((ref2 & pred2).values())
    return {
        "rougeL": _prf(lcs_length(reference, prediction), len(prediction), len(reference)),
        "rouge2": _prf(overlap2, sum(pred2.values()), sum(ref2.values())),
    }
