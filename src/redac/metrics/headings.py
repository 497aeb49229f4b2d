"""Headings: the structure a web article needs (one H1, enough H2, a sane hierarchy, no empty,
overlong or duplicated sections). The value is the share of checks passed; the H2 count earns
partial credit so that 2 of 3 subheadings is better than none."""

from __future__ import annotations

from redac.article import Article, sections
from redac.metrics.config import MetricsConfig
from redac.metrics.profile import SourceProfile, view
from redac.metrics.registry import register
from redac.metrics.result import MetricResult
from redac.text import count_words, fold


@register("headings", summary="H1 / H2 / H3 structure", weight=0.06, threshold=0.80)
def headings(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    v = view(article)
    secs = sections(v.markdown)
    heads = [s.heading for s in secs if s.heading is not None]
    t = source.targets
    checks: dict[str, float] = {}
    problems: list[str] = []

    h1 = [h for h in heads if h.level == 1]
    checks["one_h1"] = 1.0 if len(h1) == 1 and heads and heads[0].level == 1 else 0.0
    if not checks["one_h1"]:
        problems.append("start with exactly one '# title' (H1)" if len(h1) != 1 else "put the H1 title first")

    h2 = [h for h in heads if h.level == 2]
    need = t.min_subheadings if t.subheadings else 0
    if need:
        checks["enough_h2"] = min(1.0, len(h2) / need)
        if len(h2) < need:
            problems.append(f"add subheadings: {len(h2)} '## ' found, at least {need} wanted")
    if t.max_subheadings is not None:
        checks["not_too_many_h2"] = 1.0 if len(h2) <= t.max_subheadings else 0.0
        if len(h2) > t.max_subheadings:
            problems.append(f"use at most {t.max_subheadings} '## ' subheadings ({len(h2)} found)")

    skips = []
    prev = 0
    for h in heads:
        if h.level > (prev or 1) + 1:
            skips.append(h.text)
        prev = h.level
    checks["hierarchy"] = 0.0 if skips else 1.0
    if skips:
        problems.append("an H3 must sit under an H2 (level skipped at: " + ", ".join(f"'{s}'" for s in skips[:3]) + ")")

    # Empty: a heading with no prose before the next heading of the same or a higher level.
    empty = []
    for i, s in enumerate(secs):
        if s.heading is None or s.heading.level == 1:
            continue
        has_text = bool(s.body.strip())
        j = i + 1
        while not has_text and j < len(secs) and (nxt := secs[j].heading) is not None and nxt.level > s.heading.level:
            has_text = bool(secs[j].body.strip())
            j += 1
        if not has_text:
            empty.append(s.heading.text)
    checks["no_empty_section"] = 0.0 if empty else 1.0
    if empty:
        problems.append("write text under " + ", ".join(f"'{e}'" for e in empty[:3]))

    limit = cfg.headings.max_section_words
    sizes = [count_words(s.body) for s in secs]
    long_secs = [(s.heading.text if s.heading else "(introduction)", n) for s, n in zip(secs, sizes) if n > limit]
    checks["no_long_section"] = 0.0 if long_secs else 1.0
    if long_secs:
        problems.append("split with a subheading: " + ", ".join(f"'{h}' ({n} words)" for h, n in long_secs[:3])
                        + f" runs over {limit} words")

    seen: dict[str, str] = {}
    dups = []
    for h in heads:
        k = " ".join(fold(h.text).split())
        if k in seen:
            dups.append(h.text)
        seen[k] = h.text
    checks["no_duplicate"] = 0.0 if dups else 1.0
    if dups:
        problems.append("rename duplicated headings: " + ", ".join(f"'{d}'" for d in dups[:3]))

    value = sum(checks.values()) / len(checks)
    figures = {"checks": checks, "h1": len(h1), "h2": len(h2), "h3": sum(h.level == 3 for h in heads),
               "longest_section_words": max(sizes, default=0)}
    feedback = ("Heading structure is sound (one H1, " + f"{len(h2)} H2, clean hierarchy)." if not problems
                else "Fix the headings: " + "; ".join(problems) + ".")
    if not heads:  # plain text: the other checks pass vacuously, and no structure earns nothing
        value = 0.0
        feedback = (f"No H1/H2 headings: add a title as H1 ('# title' on the first line) and at least "
                    f"{max(need, 1)} H2 subheadings ('## ') over the sections of the text.")
    return MetricResult(name="headings", value=value, figures=figures, feedback=feedback)
