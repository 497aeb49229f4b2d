"""Quality checks: one record's gold meets the house rules and its labelled facts are really
there; the set keeps seeds out of test and test sources away from train/dev ones."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from redac import rules
from redac.article import paragraphs
from redac.dataset.dedup import NEAR_DUP_THRESHOLD, SHINGLE, near_duplicates
from redac.dataset.jsonl import parse_jsonl
from redac.dataset.problems import Problem
from redac.dataset.schema import FACT_KINDS, KIND_TAGS, TOPIC_TAGS, Record
from redac.text import count_words, fold, slugify

MIN_SOURCE_WORDS = 80
# the house rules, shared with the program's repairs and the SEO metric
MAX_TITLE_CHARS = rules.TITLE_MAX_CHARS
META_CHARS = (rules.META_MIN_CHARS, rules.META_MAX_CHARS)
KEYPHRASE_WORDS = (rules.KEYPHRASE_MIN_WORDS, rules.KEYPHRASE_MAX_WORDS)


class Finding(NamedTuple):
    field: str
    message: str


def quality_findings(record: Record) -> list[Finding]:
    """Everything wrong with one record's gold article, labels and tags (empty list = good)."""
    out: list[Finding] = []

    def add(field: str, message: str) -> None:
        out.append(Finding(field, message))

    gold, targets = record.gold, record.targets
    article = gold.to_article()

    # source
    source_words = count_words(record.source)
    if source_words < MIN_SOURCE_WORDS:
        add("source", f"{source_words} words < {MIN_SOURCE_WORDS} (too short to be a source)")
    if record.instruction is not None and fold(record.instruction.strip()) not in fold(record.source):
        add("instruction", "not found verbatim in the source (it must be the source's own instruction line)")

    # length, headings
    words = article.word_count
    if words < targets.min_words:
        add("gold.markdown", f"{words} words < targets.min_words {targets.min_words}")
    if targets.max_words is not None and words > targets.max_words:
        add("gold.markdown", f"{words} words > targets.max_words {targets.max_words}")
    heads = article.headings
    h1 = [h for h in heads if h.level == 1]
    h2 = [h for h in heads if h.level == 2]
    h23 = [h for h in heads if h.level in (2, 3)]
    if not gold.markdown.lstrip().startswith("# "):
        add("gold.markdown", "must start with the H1 '# title'")
    if len(h1) != 1:
        add("gold.markdown", f"{len(h1)} H1 headings, expected exactly 1")
    elif h1[0].text != gold.title:
        add("gold.markdown", f"H1 {h1[0].text!r} differs from gold.title {gold.title!r}")
    if targets.subheadings and len(h2) < targets.min_subheadings:
        add("gold.markdown", f"{len(h2)} H2 subheadings < targets.min_subheadings {targets.min_subheadings}")
    if targets.max_subheadings is not None and len(h23) > targets.max_subheadings:
        add("gold.markdown", f"{len(h23)} H2/H3 subheadings > targets.max_subheadings {targets.max_subheadings}")

    # SEO fields
    if not gold.title.strip():
        add("gold.title", "empty")
    elif len(gold.title) > MAX_TITLE_CHARS:
        add("gold.title", f"{len(gold.title)} characters > {MAX_TITLE_CHARS}")
    lo, hi = META_CHARS
    if not lo <= len(gold.meta_description) <= hi:
        add("gold.meta_description", f"{len(gold.meta_description)} characters, need {lo}-{hi}")
    if not re.fullmatch(rules.SLUG_PATTERN, gold.slug):
        add("gold.slug", f"{gold.slug!r} is not a slug (lower-case ASCII words joined by '-')")
    kp = fold(gold.keyphrase.strip())
    n_kp = len(gold.keyphrase.split())
    if not KEYPHRASE_WORDS[0] <= n_kp <= KEYPHRASE_WORDS[1]:
        add("gold.keyphrase", f"{n_kp} words, need {KEYPHRASE_WORDS[0]}-{KEYPHRASE_WORDS[1]}")
    if kp:
        if kp not in fold(gold.title):
            add("gold.title", f"keyphrase {gold.keyphrase!r} not in the title")
        if kp not in fold(gold.meta_description):
            add("gold.meta_description", f"keyphrase {gold.keyphrase!r} not in the meta description")
        slug_words = set(gold.slug.split("-"))
        missing = [w for w in slugify(gold.keyphrase).split("-") if len(w) > 2 and w not in slug_words]
        if missing:
            add("gold.slug", f"keyphrase word(s) {', '.join(missing)} not in the slug")
        paras = paragraphs(gold.markdown)
        if not paras or kp not in fold(paras[0]):
            add("gold.markdown", f"keyphrase {gold.keyphrase!r} not in the first paragraph")
        if not any(kp in fold(h.text) for h in h23):
            add("gold.markdown", f"keyphrase {gold.keyphrase!r} in no H2/H3 subheading")

    # facts: verbatim (accent/case-folded) in the source and in the gold article
    folded_source, folded_gold = fold(record.source), fold(gold.markdown)
    for kind in FACT_KINDS:
        first_seen: dict[str, int] = {}
        for i, fact in enumerate(getattr(record.facts, kind)):
            field = f"facts.{kind}[{i}]"
            key = fold(fact.strip())
            if not key:
                add(field, "empty fact")
                continue
            if key in first_seen:
                add(field, f"duplicate of facts.{kind}[{first_seen[key]}]")
                continue
            first_seen[key] = i
            if key not in folded_source:
                add(field, f"{fact!r} not found verbatim in the source")
            if key not in folded_gold:
                add(field, f"{fact!r} not found verbatim in the gold article")

    # tags
    unknown = [t for t in record.tags if t not in TOPIC_TAGS and t not in KIND_TAGS]
    if unknown:
        add("tags", f"unknown tag(s) {', '.join(map(repr, unknown))}; topics: {', '.join(TOPIC_TAGS)}; "
                    f"kinds: {', '.join(KIND_TAGS)}")
    topics = [t for t in record.tags if t in TOPIC_TAGS]
    if len(topics) != 1:
        add("tags", f"{len(topics)} topic tags, expected exactly 1 of {', '.join(TOPIC_TAGS)}")
    if not any(t in KIND_TAGS for t in record.tags):
        add("tags", f"no kind tag (one or more of {', '.join(KIND_TAGS)})")
    if len(set(record.tags)) != len(record.tags):
        add("tags", "duplicate tag")
    if record.instruction is not None and "instruction" not in record.tags:
        add("tags", "has an instruction but no 'instruction' tag")
    if record.instruction is None and "instruction" in record.tags:
        add("tags", "tagged 'instruction' but instruction is null")
    return out


def dataset_problems(records: Sequence[Record], file: str, lines: Mapping[str, int] | None = None,
                     threshold: float = NEAR_DUP_THRESHOLD) -> list[Problem]:
    """Problems of the set as a whole: seeds in test, test sources near-duplicating train/dev ones."""
    lines = lines or {}
    out = [Problem(file, lines.get(r.id), "split", f"seed pair {r.id!r} must not be in test (seeds are shown to users)")
           for r in records if r.is_seed and r.split == "test"]
    for dup in near_duplicates(records, threshold, splits=("test", "train")) + \
            near_duplicates(records, threshold, splits=("test", "dev")):
        out.append(Problem(file, lines.get(dup.a), "source",
                           f"test source is a near-duplicate of {dup.b!r} (char {SHINGLE}-gram Jaccard "
                           f"{dup.score:.2f} >= {threshold})"))
    return out


def validate(path: str | Path, *, quality: bool = True) -> list[Problem]:
    """Every problem of a JSONL file: syntax, schema, duplicates, split names, and (``quality``)
    the gold/label checks of each record and the set-level checks (seeds, near-duplicates)."""
    parsed = parse_jsonl(path)
    problems = list(parsed.problems)
    if quality:
        for record in parsed.records:
            line = parsed.lines[record.id]
            problems += [Problem(str(path), line, f.field, f.message) for f in quality_findings(record)]
        problems += dataset_problems(parsed.records, str(path), parsed.lines)
    return sorted(problems, key=lambda p: (p.line or 0,))
