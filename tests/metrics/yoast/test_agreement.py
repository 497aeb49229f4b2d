"""redac's ``seo`` and ``readability`` against the real Yoast SEO analysis (npm ``yoastseo``, pinned in
``package.json`` / ``package-lock.json``), on the 60 golds of the dataset and perturbations of them.

Needs node and npm (Debian: ``apt-get install -y nodejs npm``; ``.ci/run`` installs them); the node
modules are installed here with ``npm ci`` on first use. Prints the table of disagreements (``-s``)
and writes it to ``out/yoast_agreement.md``.
"""

from __future__ import annotations

import fcntl
import json
import math
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from redac.article import Article
from redac.metrics import MetricsConfig
from redac.metrics.readability import readability
from redac.metrics.seo import seo
from redac.metrics.yoast import title_width
from tests.conftest import DATASET, ROOT
from tests.metrics.yoast import perturb
from tests.metrics.yoast.html import to_html

HERE = Path(__file__).resolve().parent
CFG = MetricsConfig(embedder="none")
MIN_SPEARMAN = 0.8
# Yoast's keyphrase assessments and the words redac's feedback names each one with.
KEYPHRASE_ASSESSMENTS = {
    "introductionKeyword": "keyphrase in introduction", "keyphraseLength": "keyphrase length",
    "keyphraseDensity": "keyphrase density", "metaDescriptionKeyword": "keyphrase in meta description",
    "subheadingsKeyword": "keyphrase in subheadings", "keyphraseInSEOTitle": "keyphrase in SEO title",
    "slugKeyword": "keyphrase in slug", "functionWordsInKeyphrase": "function words in keyphrase",
}
# Scored by Yoast, not by redac: an article here has no images or links, so they are the same for all.
YOAST_ONLY = {"imageKeyphrase", "images", "externalLinks", "internalLinks", "textCompetingLinks"}


@dataclass
class Case:
    id: str
    article: Article
    analyses: tuple[str, ...]
    yoast: dict[str, Any] = field(default_factory=dict)
    redac: dict[str, Any] = field(default_factory=dict)


def build_cases() -> list[Case]:
    """The 60 golds (both analyses), then each perturbation on 3 of them (its own analysis)."""
    golds = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = [(g["id"], Article(**g["gold"])) for g in golds]
    cases = [Case(i, a, ("seo", "readability")) for i, a in articles]
    for analysis, kinds in (("seo", perturb.SEO), ("readability", perturb.READABILITY)):
        for k, (name, fn) in enumerate(kinds.items()):
            for j in (k % 20, k % 20 + 20, k % 20 + 40):
                gid, a = articles[j]
                cases.append(Case(f"{gid}/{name}", fn(a), (analysis,)))
    return cases


def node_modules() -> None:
    """``npm ci`` into this folder if the pinned package is not there yet; fail clearly without node."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{' and '.join(missing)} not found: the Yoast agreement test runs the real yoastseo "
                    "package; install them (Debian: apt-get install -y nodejs npm)")
    with open(HERE / ".npm-install.lock", "w") as lock:  # two xdist workers must not run npm ci at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (HERE / "node_modules" / "yoastseo" / "package.json").exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=900,
                           capture_output=True)


def run_yoast(cases: list[Case], tmp: Path) -> None:
    papers = [{"id": c.id, "html": to_html(c.article.markdown), "keyword": c.article.keyphrase,
               "title": c.article.title, "titleWidth": round(title_width(c.article.title)),
               "description": c.article.meta_description, "slug": c.article.slug, "locale": "fr_FR",
               "analyses": list(c.analyses)} for c in cases]
    path = tmp / "papers.json"
    path.write_text(json.dumps(papers, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(["node", str(HERE / "run_yoast.js"), str(path)], cwd=HERE, check=True, timeout=900,
                          capture_output=True, text=True)
    for case, result in zip(cases, json.loads(done.stdout), strict=True):
        assert result["id"] == case.id
        case.yoast = result


def scored_cases(tmp: Path) -> list[Case]:
    node_modules()
    out = build_cases()
    run_yoast(out, tmp)
    for c in out:
        for analysis in c.analyses:
            fn = seo if analysis == "seo" else readability
            c.redac[analysis] = fn(c.article, None, CFG)  # type: ignore[arg-type]  # neither reads the source
    write_report(out)
    return out


def ranks(xs: list[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(xs: list[float], ys: list[float]) -> float:
    try:
        from scipy.stats import spearmanr
    except ImportError:
        rx, ry = ranks(xs), ranks(ys)
        mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
        cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
        return cov / math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return float(spearmanr(xs, ys).statistic)


def pairs(cases: list[Case], analysis: str) -> tuple[list[float], list[float]]:
    chosen = [c for c in cases if analysis in c.analyses]
    return [c.redac[analysis].value for c in chosen], [float(c.yoast[analysis]["score"]) for c in chosen]


def differing(case: Case, analysis: str) -> list[str]:
    """``id yoast/redac`` for each assessment where the two disagree."""
    mine = case.redac[analysis].figures["assessments"]
    return [f"{a['id']} {a['score']}/{mine.get(a['id'])}" for a in case.yoast[analysis]["assessments"]
            if a["id"] not in YOAST_ONLY and mine.get(a["id"]) != a["score"]]


def write_report(cases: list[Case]) -> None:
    """Per analysis: Spearman, assessment agreement, then every case where an assessment differs and the
    ten cases whose ranks differ most (``-s`` prints it; also ``out/yoast_agreement.md``)."""
    lines = ["# redac vs Yoast SEO (yoastseo, pinned in tests/metrics/yoast/package.json)", ""]
    for analysis in ("seo", "readability"):
        xs, ys = pairs(cases, analysis)
        chosen = [c for c in cases if analysis in c.analyses]
        total = sum(1 for c in chosen for a in c.yoast[analysis]["assessments"] if a["id"] not in YOAST_ONLY)
        diffs = [differing(c, analysis) for c in chosen]
        rx, ry = ranks(xs), ranks(ys)
        gap = [abs(a - b) for a, b in zip(rx, ry)]
        shown = sorted({i for i, d in enumerate(diffs) if d}
                       | set(sorted(range(len(chosen)), key=lambda i: -gap[i])[:10]), key=lambda i: -gap[i])
        lines += [f"## {analysis}: Spearman {spearman(xs, ys):.3f} over {len(chosen)} cases; assessments "
                  f"agreeing {total - sum(map(len, diffs))}/{total}", "",
                  "| case | redac | Yoast | rank gap | assessments that differ (Yoast/redac) |", "|---|---|---|---|---|"]
        lines += [f"| {chosen[i].id} | {xs[i]:.2f} | {ys[i]:g} | {gap[i]:.0f} | {', '.join(diffs[i]) or '-'} |"
                  for i in shown]
        lines.append("")
    text = "\n".join(lines)
    print("\n" + text)
    (ROOT / "out").mkdir(exist_ok=True)
    (ROOT / "out" / "yoast_agreement.md").write_text(text, encoding="utf-8")


def disagreements(cases: list[Case]) -> list[str]:
    """What the test asserts, as failure lines: Spearman per analysis, red keyphrase checks unnamed,
    keyphrase stuffing not red in both."""
    wrong = []
    for analysis in ("seo", "readability"):
        rho = spearman(*pairs(cases, analysis))
        if rho < MIN_SPEARMAN:
            wrong.append(f"{analysis}: Spearman {rho:.3f} < {MIN_SPEARMAN}")
    for c in cases:
        if "seo" not in c.analyses:
            continue
        yoast = {a["id"]: a for a in c.yoast["seo"]["assessments"]}
        for a in yoast.values():
            name = KEYPHRASE_ASSESSMENTS.get(a["id"])
            if name and a["score"] <= 4 and name not in c.redac["seo"].feedback:
                wrong.append(f"{c.id}: Yoast {a['id']}={a['score']} not named by redac ({a['text'][:80]})")
        if c.id.endswith(("/stuff_over", "/stuff_far", "/stuff_plus25")):
            density = yoast["keyphraseDensity"]["score"]
            mine = c.redac["seo"].figures["assessments"]["keyphraseDensity"]
            if density >= 0 or mine != density:
                wrong.append(f"{c.id}: keyphrase density Yoast {density}, redac {mine} (both must be red)")
    return wrong


def test_redac_agrees_with_yoast(tmp_path: Path) -> None:
    """One test (the node run takes about a minute; under xdist it must run once): Spearman >= 0.8 for
    seo and readability, every red keyphrase assessment named, keyphrase stuffing red in both."""
    wrong = disagreements(scored_cases(tmp_path))
    assert not wrong, "\n".join(wrong) + "\n(table: out/yoast_agreement.md)"


def test_shipped_word_lists_are_the_pinned_packages() -> None:
    node_modules()
    done = subprocess.run(["node", str(HERE / "export_wordlists.js")], cwd=HERE, check=True, timeout=120,
                          capture_output=True, text=True)
    shipped = (ROOT / "src" / "redac" / "resources" / "yoast" / "fr.json").read_text(encoding="utf-8")
    assert json.loads(done.stdout) == json.loads(shipped), "re-export: node tests/metrics/yoast/export_wordlists.js"
