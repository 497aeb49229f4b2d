"""Validity of the metric suite on every labelled pair: the gold must outscore each of its perturbations.

The perturbations (``tests/support/perturbations.py``) break one property each: a fact (an invented
figure or quote, a swapped name), the structure (no headings, plain text), originality (a near-verbatim
copy of the source), the story itself (another pair's gold, as a model copying its demos writes),
the format (JSON debris, a chat preamble) or SEO (keyphrase stuffing). ``benchmarks/bench_validity.py``
prints the full table.
"""

from __future__ import annotations

import pytest

from benchmarks import bench_validity as vb

from tests.conftest import ROOT
from tests.support.perturbations import PERTURBATIONS
from redac.dataset import load_jsonl
from redac.metrics import load_metrics_config


@pytest.fixture(scope="module")
def reports():
    records = load_jsonl(ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl")
    return vb.run(records, load_metrics_config(ROOT / "evals" / "metrics.yaml"))


def test_every_kind_applies_to_most_pairs(reports):
    thin = {k: r.applied for k, r in reports.items() if r.applied < 10}
    assert not thin, f"perturbations that apply to under 10 pairs say little: {thin}"


def test_every_perturbed_article_is_graded(reports):
    refused = {k: r.refused for k, r in reports.items() if r.refused}
    assert not refused, f"perturbed articles refused instead of graded: {refused}"


@pytest.mark.parametrize("kind", list(PERTURBATIONS))
def test_gold_outscores_its_perturbation(reports, kind):
    r = reports[kind]
    assert r.share >= vb.FLOOR, (f"{kind}: the gold wins on {r.share:.0%} of {r.applied} pairs; losers: "
                                 + ", ".join(f"{pid} {g:.3f}<={b:.3f}" for pid, g, b in r.losers[:8]))
