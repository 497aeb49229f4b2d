"""The fact metrics' known weaknesses, measured on the dataset's 60 golds and the test articles.

    .venv/bin/python benchmarks/bench_weaknesses.py [--only signs,names,coverage,gold,invented]

Prints one block per weakness (docs/metrics.md, "Fixed weaknesses", quotes these figures):

* signs: every signed percentage of a gold ("-14 %", "+0,7 %", "une baisse de 14 %") flipped one at a
  time; how many flips fact_precision reports, and the untouched golds' unsupported figures;
* names: source entities with an elided "d'" reported missing from the gold that names them;
* coverage: the golds' coverage (mean, min, under the 0.60 threshold), the test articles with every
  long sentence cut in two, and the calibration populations (seed sources x their own and each
  other's golds: mean best cosine);
* gold: gold_similarity of a faithful rewrite, half of the gold, the same topic's other stories and
  other topics;
* invented: each gold with one invented figure (a number in digits the source lacks) added to its
  first paragraph: how many still pass ``thresholds.composite``, and how many untouched golds pass.

It uses only ``score()`` and the dataset, so the same file runs against an older checkout (for the
"before" figures: ``git archive <commit> | tar -x -C /tmp/old`` and run it there with PYTHONPATH).
"""

from __future__ import annotations

import argparse
import itertools
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATASET = ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl"
PARTS = ("signs", "names", "coverage", "gold", "invented")
_SIGNED = re.compile(r"(?<![\w,])([-−+])(\d+(?:,\d+)?) ?%|\b(baisse|hausse|recul|progression) de (\d+(?:,\d+)?) ?%")
_FLIP = {"-": "+", "−": "+", "+": "-", "baisse": "hausse", "hausse": "baisse", "recul": "progression",
         "progression": "recul"}


def load():
    from redac.dataset import load_jsonl
    from redac.sources import clean

    records = load_jsonl(DATASET)
    return [(r, r.gold.to_article(), clean(r.source, name=r.id)) for r in records]


def _edit(article, start: int, end: int, new: str):
    md = article.markdown
    return article.model_copy(update={"markdown": md[:start] + new + md[end:]})


def signs(golds, cfg) -> None:
    from redac.metrics import score

    flips = caught = 0
    false_alarms = []
    for r, gold, source in golds:
        base = score(gold, source, cfg=cfg).results["fact_precision"].figures["unsupported_figures"]
        false_alarms += [f"{r.id}: {f}" for f in base]
        for m in _SIGNED.finditer(gold.markdown):
            word = m.group(1) or m.group(3)
            start = m.start(1) if m.group(1) else m.start(3)
            flipped = _edit(gold, start, start + len(word), _FLIP[word])
            bad = score(flipped, source, cfg=cfg).results["fact_precision"].figures["unsupported_figures"]
            flips += 1
            caught += len(bad) > len(base)
    print(f"signs: {caught} of {flips} flipped signs of percentages reported by fact_precision "
          f"({caught / max(flips, 1):.0%}); untouched golds: {len(false_alarms)} unsupported figures")
    print("  " + "; ".join(false_alarms))


def names(golds, cfg) -> None:
    from redac.metrics import score

    total, missing = 0, []
    for r, gold, source in golds:
        res = score(gold, source, cfg=cfg).results["fact_recall"].figures["missing_entities"]
        elided = [e for e in r.facts.entities if re.search(r"\b[dl]['’]", e, re.I)]
        total += len(elided)
        missing += [f"{r.id}: {e}" for e in res if re.search(r"-[dl]['’]|\b[dl]['’]\w", e, re.I)]
    print(f"names: {len(missing)} source entities with an elided d'/l' reported missing from their gold "
          f"({total} such labelled entities in the dataset): {missing}")


def _split(article):
    from redac.text import sentences

    def cut(s: str) -> str:
        commas = [m.start() for m in re.finditer(r", ", s)]
        if not commas or len(s.split()) < 12:
            return s
        i = min(commas, key=lambda c: abs(c - len(s) / 2))
        return s[:i] + ". " + s[i + 2:i + 3].upper() + s[i + 3:]

    lines = [ln if ln.startswith("#") or not ln.strip() else " ".join(map(cut, sentences(ln)))
             for ln in article.markdown.splitlines()]
    return article.model_copy(update={"markdown": "\n".join(lines)})


def coverage(golds, cfg) -> None:
    from tests.fixtures.metrics import metrics_fixtures as fx

    from redac.metrics import score

    def cov(a, s):
        return score(a, s, cfg=cfg).results["coverage"]

    values = {r.id: cov(g, s).value for r, g, s in golds}
    print(f"coverage: golds mean {statistics.mean(values.values()):.3f}, min {min(values.values()):.3f}, "
          f"under 0.60: {sorted(k for k, v in values.items() if v < 0.6)}")
    for k in fx.KEYS:
        a, s = fx.load_article(k), fx.load_source(k)
        print(f"  test article {k}: {cov(a, s).value:.3f}, every long sentence cut in two: {cov(_split(a), s).value:.3f}")
    by_id = {r.id: (g, s) for r, g, s in golds}
    seeds = [f"seed-00{i}" for i in range(5)]
    own = [cov(by_id[i][0], by_id[i][1]).figures["mean_best_cosine"] for i in seeds]
    cross = [cov(by_id[a][0], by_id[b][1]).figures["mean_best_cosine"] for a, b in itertools.permutations(seeds, 2)]
    cross_v = [cov(by_id[a][0], by_id[b][1]).value for a, b in itertools.permutations(seeds, 2)]
    print(f"  calibration (mean best cosine): own gold {min(own):.3f}-{max(own):.3f}, same topic other story "
          f"{min(cross):.3f}-{max(cross):.3f} (coverage value up to {max(cross_v):.3f})")


def gold(golds, cfg) -> None:
    from tests.fixtures.metrics import metrics_fixtures as fx

    from redac.metrics import score

    by_id = {r.id: (g, s) for r, g, s in golds}

    def sim(article, source, ref):
        return score(article, source, gold=ref, cfg=cfg).results["gold_similarity"].value

    def half(a):
        lines = a.markdown.splitlines()
        return a.model_copy(update={"markdown": "\n".join(lines[: len(lines) // 2])})

    seeds = [f"seed-00{i}" for i in range(5)]
    cats: dict[str, list[str]] = {}
    for i in by_id:
        if not i.startswith("seed"):
            cats.setdefault(i.rsplit("-", 1)[0], []).append(i)
    ids = sorted(by_id)
    pops = {
        "faithful rewrite (test article K vs gold seed-K)":
            [sim(fx.load_article(k), fx.load_source(k), by_id[f"seed-{k}"][0]) for k in fx.KEYS],
        "first half of the gold": [sim(half(g), s, g) for g, s in by_id.values()],
        "same topic, other story (seed golds)":
            [sim(by_id[a][0], by_id[b][1], by_id[b][0]) for a, b in itertools.permutations(seeds, 2)],
        "same category, other story":
            [sim(by_id[a][0], by_id[b][1], by_id[b][0]) for c in cats.values() for a, b in itertools.permutations(c, 2)],
        "other category": [sim(by_id[a][0], by_id[b][1], by_id[b][0]) for a, b in zip(ids, ids[17:] + ids[:17])
                           if a.split("-")[0] != b.split("-")[0]],
    }
    print("gold_similarity (value): population, n, min / median / max")
    for name, v in pops.items():
        print(f"  {name:52s} {len(v):4d}  {min(v):.2f} / {statistics.median(v):.2f} / {max(v):.2f}")


def invented(golds, cfg) -> None:
    from redac.metrics import score

    bar = cfg.thresholds["composite"]
    untouched = still = 0
    worst = []
    for r, g, s in golds:
        ok = score(g, s, facts=r.facts, cfg=cfg).composite >= bar
        untouched += ok
        lines = g.markdown.splitlines()
        i = next(i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith(("#", "-", "|", ">")))
        lines[i] += " Le montant total atteint 48 317 euros, selon les organisateurs."
        bad = score(g.model_copy(update={"markdown": "\n".join(lines)}), s, facts=r.facts, cfg=cfg)
        still += bad.composite >= bar
        worst.append(bad.composite)
    print(f"invented: untouched golds passing thresholds.composite ({bar}): {untouched} of {len(golds)}; "
          f"with one invented figure: {still} of {len(golds)} still pass (composite {min(worst):.3f}-{max(worst):.3f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ", ".join(PARTS))
    args = ap.parse_args()
    from redac.metrics import load_metrics_config

    cfg = load_metrics_config(ROOT / "evals" / "metrics.yaml")
    golds = load()
    for part in args.only.split(","):
        globals()[part](golds, cfg)


if __name__ == "__main__":
    main()
