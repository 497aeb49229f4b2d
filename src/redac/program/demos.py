"""Few-shot demos from the labelled set (what LabeledFewShot would pick, shaped for each step)."""

from __future__ import annotations

from typing import Any

import dspy

from redac.article import sections
from redac.program.budget import section_count, split_evenly
from redac.program.config import ProgramConfig
from redac.program.modules import RedacProgram
from redac.program.outputs import clip
from redac.program.plan import fallback_keyphrase_words
from redac.program.signatures import LEDE
from redac.rules import META_MAX_CHARS, TITLE_MAX_CHARS
from redac.sources import clean
from redac.text import count_words, sentences


def demos_from_records(records: list[Any], k: int = 2, style: str = "gold") -> dict[str, list[dspy.Example]]:
    """Few-shot demos for each predictor, shaped for that step, from labelled pairs.

    ``style="gold"``: the plan demo is the gold's SEO fields and headings, the write demos are gold
    sections (what a capable model should imitate). ``style="extractive"``: every output is taken from
    the demo's own facts (title and headings cut from them, sections made of them); a small base model
    copies its demos, so these teach it to copy from *its* input rather than from another story.
    In both styles the extract demo lists the cleaned source's sentences.
    """
    if style not in ("gold", "extractive"):
        raise ValueError(f"unknown demo style {style!r}")
    out: dict[str, list[dspy.Example]] = {"extract": [], "plan": [], "write": []}
    for record in records[:k]:
        src = clean(record.source, name=record.id)
        facts = sentences(src.body)
        out["extract"].append(dspy.Example(source=src.body, facts=facts).with_inputs("source"))
        if style == "gold":
            plan, write = _gold_demos(record.gold, facts, sections(record.gold.markdown))
        else:
            plan, write = _extractive_demos(facts, section_count(src.targets, ProgramConfig()))
        out["plan"].append(plan)
        out["write"].extend(write)
    return out


_WRITE_INPUTS = ("facts", "title", "keyphrase", "heading", "words")


def _gold_demos(gold: Any, facts: list[str], secs: list[Any]) -> tuple[dspy.Example, list[dspy.Example]]:
    body_secs = [s for s in secs if s.heading and s.heading.level > 1]
    outline = [f"{'#' * s.heading.level} {s.heading.text}" for s in body_secs]
    plan = dspy.Example(facts=facts, sections=sum(1 for o in outline if o.startswith("## ")),
                        keyphrase=gold.keyphrase, title=gold.title, meta_description=gold.meta_description,
                        outline=outline).with_inputs("facts", "sections")
    lede = next((s for s in secs if s.heading is not None and s.heading.level == 1), None)
    parts = split_evenly(facts, len(body_secs) + 1)
    write = []
    for part, sec in zip(parts, ([lede] if lede else []) + body_secs[:1]):
        heading = LEDE if sec.heading.level == 1 else sec.heading.text
        write.append(dspy.Example(facts=part, title=gold.title, keyphrase=gold.keyphrase, heading=heading,
                                  words=_round_words(sec.body), text=sec.body).with_inputs(*_WRITE_INPUTS))
    return plan, write


def _extractive_demos(facts: list[str], n_sections: int) -> tuple[dspy.Example, list[dspy.Example]]:
    parts = split_evenly(facts, n_sections + 1)
    keyphrase = fallback_keyphrase_words(facts)
    title = clip(facts[0].rstrip("."), TITLE_MAX_CHARS)
    headings = [clip(part[0].rstrip("."), 50) for part in parts[1:]]
    plan = dspy.Example(facts=facts, sections=len(headings), keyphrase=keyphrase, title=title,
                        meta_description=clip(" ".join(facts[:2]), META_MAX_CHARS),
                        outline=[f"## {h}" for h in headings]).with_inputs("facts", "sections")
    write = []
    for heading, part in list(zip([LEDE] + headings, parts))[:2]:
        text = "\n\n".join(" ".join(part[i:i + 3]) for i in range(0, len(part), 3))
        write.append(dspy.Example(facts=part, title=title, keyphrase=keyphrase, heading=heading,
                                  words=_round_words(text), text=text).with_inputs(*_WRITE_INPUTS))
    return plan, write


def _round_words(text: str) -> int:
    return max(80, round(count_words(text) / 10) * 10)


def with_demos(program: RedacProgram, demos: dict[str, list[dspy.Example]]) -> RedacProgram:
    """``program`` with each step's predictor given the demos shaped for it (``demos[step]``)."""
    for name, predictor in program.named_predictors():
        step = name.split(".")[0]
        if step in demos:
            predictor.demos = list(demos[step])
    return program
