"""How well the fact metric's own extraction agrees with the hand-labelled facts of the dataset.

    .venv/bin/python benchmarks/bench_fact_metric.py [--dataset PATH] [--worst 5] [--examples 12] [--json OUT]

``fact_recall`` and ``fact_precision`` only see the facts that :func:`redac.metrics.profile_source`
extracts from the cleaned source (spaCy entities, figures, quotes). A fact it never extracts is a fact
no article is asked to keep, so this measures the extraction itself against ``record.facts`` (hand
labels: entities, numbers, dates, quotes) on every source of ``datasets/redac-fr-news``:

* **label recall** (per labelled kind): share of human-labelled facts the metric also extracts;
* **metric precision** (per extracted kind): share of the metric's extracted facts that humans
  labelled. Humans labelled the facts an article must keep, not every name or number in the source,
  so this is a lower bound: an unlabelled extracted fact is often a genuine but minor fact.

Matching uses the metric's own normalisers:

* entities: ``entity_key`` (folded capitalised words, leading "Le"/"La" dropped). A label matches an
  extracted entity when the keys are equal, when the label's key is inside the entity's (a shorter
  name: "Poutine" / "Vladimir Poutine", "Besnard" / "fonderie Besnard"), or when a **multi-word**
  entity's key is inside the label's ("Choe Son Hui" in "ministre des Affaires étrangères Choe Son
  Hui"); a one-word entity inside a longer label ("France" in "Banque de France") does not match.
  A label with an acronym in brackets ("Commission électorale nationale (CEN)") matches either. A
  label with no capitalised word ("préfecture") cannot match: NER extracts names only.
* numbers and dates: ``redac.figures.extract`` of the label must give at least one figure and
  every one of them must be among the metric's figures: same key, a bare month inside a full date (as
  in ``fact_recall``), or a bare number and a quantity of the same value ("196" / "196 euros": labels
  often leave the unit out). A label the extractor cannot read ("soixantaine", "XIIe siècle") is a
  miss. For precision an extracted figure counts as labelled when it matches, by the same rule, a
  figure of any number or date label (humans filed durations and times under either kind);
  extracted figures are reported in two groups by kind: numbers (num, pct, money, duration, ord) and
  dates (date, month, weekday, year, time, reldate).
* quotes: ``quote_support`` (the metric's own ≥ ``facts.quote_match`` share of word trigrams, exact
  sequence under 4 words) of the label against the extracted quotes. An extracted quote counts as
  labelled when it is mostly labelled text or holds a labelled quote (humans often labelled the
  telling part of a long quote).

The table is printed for all sources, then the sources with the lowest label recall (micro, all
kinds), with what the metric missed there. ``tests/dataset/test_quality.py`` holds floors on the
label recall per kind as a regression guard.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from redac.text import fold, normalise

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl"
CONFIG = ROOT / "evals" / "metrics.yaml"

LABEL_KINDS = ("entities", "numbers", "dates", "quotes")
#: Extracted figure kinds reported as "numbers" / "dates" on the metric side.
NUMBER_KINDS = frozenset({"num", "pct", "money", "duration", "ord"})
DATE_KINDS = frozenset({"date", "month", "weekday", "year", "time", "reldate"})


@dataclass
class KindCounts:
    """Counts for one kind on one source (or summed over sources)."""

    labelled: int = 0          # human labels of this kind
    found: int = 0             # ... that the metric extracts
    extracted: int = 0         # facts of this kind the metric extracts
    extracted_labelled: int = 0  # ... that humans labelled
    missed: list[tuple[str, str]] = field(default_factory=list)  # (label, reason) not extracted
    unlabelled: list[str] = field(default_factory=list)   # extractions nobody labelled

    @property
    def recall(self) -> float | None:
        return self.found / self.labelled if self.labelled else None

    @property
    def precision(self) -> float | None:
        return self.extracted_labelled / self.extracted if self.extracted else None

    def add(self, other: KindCounts, source: str | None = None) -> None:
        self.labelled += other.labelled
        self.found += other.found
        self.extracted += other.extracted
        self.extracted_labelled += other.extracted_labelled
        tag = f" [{source}]" if source else ""
        self.missed += [(m + tag, why) for m, why in other.missed]
        self.unlabelled += [u + tag for u in other.unlabelled]


@dataclass
class SourceReport:
    id: str
    split: str
    kinds: dict[str, KindCounts]

    @property
    def labelled(self) -> int:
        return sum(k.labelled for k in self.kinds.values())

    @property
    def found(self) -> int:
        return sum(k.found for k in self.kinds.values())

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0


# --------------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------------

def entity_matches(label_key: frozenset[str], entity_key: frozenset[str]) -> bool:
    """Same name, a shorter name of the entity, or a multi-word entity inside a longer label."""
    if not label_key or not entity_key:
        return False
    if label_key <= entity_key:
        return True
    return len(entity_key) >= 2 and entity_key < label_key


#: Why a label was not extracted, in the order they are tested.
REASONS = ("not in the source", "dropped by clean()", "dateline only", "not a name", "figure not read", "extracted as a quote",
           "partly extracted", "not extracted")


class _Where:
    """Where a label sits in the raw and cleaned source: explains a miss before blaming the extractor.
    Plain folded substrings (whitespace collapsed), as the dataset validation checks labels."""

    def __init__(self, raw: str, body: str) -> None:
        from redac.metrics.profile import strip_dateline

        self.raw = self._norm(raw)
        self.body = self._norm(body)
        self.story = self._norm(strip_dateline(normalise(body)))

    @staticmethod
    def _norm(text: str) -> str:
        return " ".join(fold(text).split())

    def reason(self, label: str, fallback: str) -> str:
        f = self._norm(label)
        if f not in self.raw:
            return "not in the source"
        if f not in self.body:
            return "dropped by clean()"
        if f not in self.story:
            return "dateline only"
        return fallback


_PAREN = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")


def label_keys(label: str) -> list[frozenset[str]]:
    """Entity keys a label stands for: "Commission électorale nationale (CEN)" is the name or the acronym."""
    from redac.metrics.entities import entity_key

    m = _PAREN.match(label)
    parts = [label] if m is None else [m.group(1), m.group(2)]
    return [k for k in (entity_key(p) for p in parts) if k]


def _entities(labels: list[str], profile, where: _Where) -> KindCounts:
    from redac.metrics.entities import folded_tokstr

    keys = [label_keys(lab) for lab in labels]
    ents = profile.entities
    quotes = {folded_tokstr(q) for q in profile.quotes}
    out = KindCounts(labelled=len(labels), extracted=len(ents))
    for lab, ks in zip(labels, keys):
        if any(entity_matches(k, e.key) for k in ks for e in ents):
            out.found += 1
            continue
        if not ks:
            why = "not a name"
        elif folded_tokstr(lab) in quotes:
            why = "extracted as a quote"   # a title in « » ("Grand large"): the metric keeps it as a quote
        elif any(k & e.key for k in ks for e in ents):
            why = "partly extracted"       # "CHU de Valbonne" -> "Valbonne"; "SC Lerville" -> "SC", "Lerville"
        else:
            why = "not extracted"
        out.missed.append((lab, where.reason(lab, why)))
    for e in ents:
        if any(entity_matches(k, e.key) for ks in keys for k in ks):
            out.extracted_labelled += 1
        else:
            out.unlabelled.append(f"{e.text} ({e.label})")
    return out


QUANTITY_KINDS = frozenset({"num", "pct", "money", "duration"})


class _FigureSet:
    """Figures for matching: keys as in ``fact_recall``, plus quantity values so that a bare number
    meets the same number with a unit ("196" / "196 euros la tonne"): labels often omit the unit."""

    def __init__(self, facts) -> None:
        self.keys = {f.key for f in facts}
        self.months = {k[1] for k in self.keys if k[0] == "date"}
        self.quantities = {f.key[1] for f in facts if f.kind in QUANTITY_KINDS}
        self.bare = {f.key[1] for f in facts if f.kind == "num"}

    def has(self, fact) -> bool:
        if fact.key in self.keys:
            return True
        if fact.kind == "month":  # "septembre" is kept by "19 septembre" (the metric's own rule)
            return fact.key[1] in self.months
        if fact.kind == "num":
            return fact.key[1] in self.quantities
        return fact.kind in QUANTITY_KINDS and fact.key[1] in self.bare


def _figures(numbers: list[str], dates: list[str], profile, where: _Where) -> dict[str, KindCounts]:
    from redac.figures import extract

    metric = _FigureSet(profile.figures)
    label_figs = {lab: extract(lab) for lab in [*numbers, *dates]}
    labelled = _FigureSet([f for figs in label_figs.values() for f in figs])
    out: dict[str, KindCounts] = {}
    for kind, labels in (("numbers", numbers), ("dates", dates)):
        kc = KindCounts(labelled=len(labels))
        for lab in labels:
            figs = label_figs[lab]
            if figs and all(metric.has(f) for f in figs):
                kc.found += 1
            else:
                kc.missed.append((lab, where.reason(lab, "not extracted" if figs else "figure not read")))
        out[kind] = kc
    for f in profile.figures:
        kc = out["numbers" if f.kind in NUMBER_KINDS else "dates"]
        kc.extracted += 1
        if labelled.has(f):
            kc.extracted_labelled += 1
        else:
            kc.unlabelled.append(f"{f.text} ({f.kind})")
    return out


def _quote_index(quotes: list[str]):
    """Trigrams and a separator-joined token string of several quotes (no trigram spans two quotes)."""
    from redac.factcheck import trigrams
    from redac.metrics.rouge import tokenize

    toks = [tokenize(q) for q in quotes]
    tri: set = set()
    for t in toks:
        tri |= trigrams(t)
    tokstr = " " + " \x00 ".join(" ".join(t) for t in toks) + " "
    return toks, tri, tokstr


def _quotes(labels: list[str], profile, cfg, where: _Where) -> KindCounts:
    from redac.factcheck import quote_support, trigrams

    need = cfg.facts.quote_match
    out = KindCounts(labelled=len(labels), extracted=len(profile.quotes))
    _, m_tri, m_str = _quote_index(profile.quotes)
    l_toks, l_tri, l_str = _quote_index(labels)
    for lab, toks in zip(labels, l_toks):
        if quote_support(toks, m_tri, m_str) >= need:
            out.found += 1
        else:
            out.missed.append((lab, where.reason(lab, "not extracted")))
    for q, toks in zip(profile.quotes, profile.quote_tokens):
        # Labelled: mostly made of labelled text, or holding a labelled quote (humans often label the
        # telling part of a long quote, as a shorter name of an entity counts above).
        q_tri, q_str = trigrams(toks), " " + " ".join(toks) + " "
        if quote_support(toks, l_tri, l_str) >= need or any(quote_support(t, q_tri, q_str) >= need for t in l_toks):
            out.extracted_labelled += 1
        else:
            out.unlabelled.append(q)
    return out


def analyse_record(record, cfg) -> SourceReport:
    """Compare the metric's source-side facts with one record's labels."""
    from redac.metrics import profile_source
    from redac.sources import clean

    profile = profile_source(clean(record.source, name=record.id), cfg)
    where = _Where(record.source, profile.body)
    facts = record.facts
    kinds = {"entities": _entities(list(facts.entities), profile, where),
             **_figures(list(facts.numbers), list(facts.dates), profile, where),
             "quotes": _quotes(list(facts.quotes), profile, cfg, where)}
    return SourceReport(id=record.id, split=record.split, kinds={k: kinds[k] for k in LABEL_KINDS})


def analyse(records, cfg) -> tuple[dict[str, KindCounts], list[SourceReport]]:
    per_source = [analyse_record(r, cfg) for r in records]
    totals = {k: KindCounts() for k in LABEL_KINDS}
    for rep in per_source:
        for k in LABEL_KINDS:
            totals[k].add(rep.kinds[k], rep.id)
    return totals, per_source


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------

def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def miss_reasons(kc: KindCounts) -> Counter:
    """Misses of one kind by reason (:data:`REASONS`)."""
    return Counter(why for _, why in kc.missed)


def render(totals: dict[str, KindCounts], per_source: list[SourceReport], *, worst: int = 5,
           examples: int = 10) -> str:
    lines = [f"Fact extraction of the metric vs hand labels, {len(per_source)} sources.",
             ("label recall = labels the metric extracts; metric precision = extractions humans labelled "
              "(a lower bound: humans labelled what an article must keep, not every name or figure)."), ""]
    lines.append("| kind | labelled | found | label recall | recall w/o clean() losses | extracted | "
                 "labelled | metric precision |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    all_kc = KindCounts()
    for k in [*LABEL_KINDS, "all"]:
        kc = all_kc if k == "all" else totals[k]
        if k != "all":
            all_kc.add(kc)
        lost = miss_reasons(kc)["dropped by clean()"]
        rest = kc.found / (kc.labelled - lost) if kc.labelled > lost else None
        lines.append(f"| {k} | {kc.labelled} | {kc.found} | {_pct(kc.recall)} | {_pct(rest)} | {kc.extracted} | "
                     f"{kc.extracted_labelled} | {_pct(kc.precision)} |")
    lines.append("")
    lines.append("Missed labels by reason:")
    lines.append("")
    lines.append("| kind | " + " | ".join(REASONS) + " |")
    lines.append("|---|" + "---:|" * len(REASONS))
    for k in LABEL_KINDS:
        c = miss_reasons(totals[k])
        lines.append(f"| {k} | " + " | ".join(str(c[r]) for r in REASONS) + " |")
    lines.append("")
    lines.append("Per-source label recall (micro, all kinds): " + ", ".join(
        f"{name} {_pct(v)}" for name, v in _spread([r.recall for r in per_source])))
    lines.append("")
    lines.append(f"Worst {worst} sources by label recall:")
    lines.append("")
    lines.append("| source | split | all | " + " | ".join(LABEL_KINDS) + " | missed (reason) |")
    lines.append("|---|---|---:|" + "---:|" * len(LABEL_KINDS) + "---|")
    for rep in sorted(per_source, key=lambda r: (r.recall, r.id))[:worst]:
        cells = [f"{rep.kinds[k].found}/{rep.kinds[k].labelled}" for k in LABEL_KINDS]
        missed = "; ".join(f"{m} ({why})" for k in LABEL_KINDS for m, why in rep.kinds[k].missed)
        lines.append(f"| {rep.id} | {rep.split} | {_pct(rep.recall)} | " + " | ".join(cells)
                     + f" | {_short(missed, 220)} |")
    lines.append("")
    for k in LABEL_KINDS:
        kc = totals[k]
        real = [m for m, why in kc.missed if why not in ("dropped by clean()",)]
        lines.append(f"{k}: missed in the cleaned body ({len(real)}): " + _short("; ".join(real[:examples]), 600))
        lines.append(f"{k}: extracted, not labelled ({len(kc.unlabelled)}): "
                     + _short("; ".join(kc.unlabelled[:examples]), 600))
    return "\n".join(lines)


def _spread(values: list[float]) -> list[tuple[str, float]]:
    v = sorted(values)
    if not v:
        return []
    return [("min", v[0]), ("median", v[len(v) // 2]), ("mean", sum(v) / len(v)), ("max", v[-1])]


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", default=str(DATASET))
    ap.add_argument("--config", default=str(CONFIG))
    ap.add_argument("--worst", type=int, default=5)
    ap.add_argument("--examples", type=int, default=10)
    ap.add_argument("--json", help="also write the per-source figures to this JSON file")
    args = ap.parse_args(argv)

    from redac.dataset import load_jsonl
    from redac.metrics import load_metrics_config

    cfg = load_metrics_config(args.config).model_copy(update={"embedder": "none"})  # extraction only
    records = load_jsonl(args.dataset)
    t0 = time.perf_counter()
    totals, per_source = analyse(records, cfg)
    elapsed = time.perf_counter() - t0
    print(render(totals, per_source, worst=args.worst, examples=args.examples))
    print(f"({len(records)} sources in {elapsed:.1f} s)")
    if args.json:
        data = {"totals": {k: {"labelled": kc.labelled, "found": kc.found, "label_recall": kc.recall,
                               "extracted": kc.extracted, "extracted_labelled": kc.extracted_labelled,
                               "metric_precision": kc.precision} for k, kc in totals.items()},
                "sources": [{"id": r.id, "split": r.split, "label_recall": r.recall,
                             **{k: {"found": kc.found, "labelled": kc.labelled, "extracted": kc.extracted,
                                    "extracted_labelled": kc.extracted_labelled, "missed": [f"{m} ({why})" for m, why in kc.missed],
                                    "unlabelled": kc.unlabelled} for k, kc in r.kinds.items()}}
                            for r in per_source]}
        Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
