"""The SEO plan (keyphrase, title, meta description, outline) and the repairs that make the model's
plan publishable under the house rules (:mod:`redac.rules`); every repair is recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from redac.program.outputs import as_list, clip
from redac.rules import (
    KEYPHRASE_MAX_WORDS,
    KEYPHRASE_MIN_WORDS,
    META_MAX_CHARS,
    SUBHEADING_MAX_CHARS,
    TITLE_MAX_CHARS,
)
from redac.sources import Targets
from redac.text import fold


@dataclass
class Plan:
    """What the plan step decides, once repaired; ``repairs`` lists every change made to the model's answer."""

    keyphrase: str
    title: str
    meta_description: str
    outline: list[tuple[int, str]]
    repairs: list[str] = field(default_factory=list)


def parse_outline(items: list[str]) -> list[tuple[int, str]]:
    """Outline items (``'## A'``, ``'### B'``, ``'C'``) -> ``(level, text)``; an unmarked item is an H2."""
    out = []
    for item in items:
        m = re.match(r"^\s*(#{2,3})\s*(.+)$", item)
        level, text = (len(m.group(1)), m.group(2)) if m else (2, item)
        text = text.strip(" #*:")
        if text:
            out.append((level, text))
    return out


def repair_plan(raw: Any, facts: list[str], targets: Targets, n_sections: int, *, cap: bool = False) -> Plan:
    """Make the model's plan publishable; each fix is recorded in ``repairs``."""
    repairs: list[str] = []
    keyphrase = " ".join(str(getattr(raw, "keyphrase", "") or "").split()).strip(" .\"'«»")
    if not keyphrase or len(keyphrase.split()) > KEYPHRASE_MAX_WORDS:
        repairs.append(f"keyphrase {keyphrase!r} replaced (must be {KEYPHRASE_MIN_WORDS}-{KEYPHRASE_MAX_WORDS} words)")
        keyphrase = fallback_keyphrase_words(facts)
    title = " ".join(str(getattr(raw, "title", "") or "").split()).strip(" \"«»#")
    if not title:
        repairs.append("empty title replaced by the keyphrase")
        title = keyphrase[:1].upper() + keyphrase[1:]
    if len(title) > TITLE_MAX_CHARS:
        repairs.append(f"title cut from {len(title)} to {TITLE_MAX_CHARS} characters")
        title = clip(title, TITLE_MAX_CHARS)
    meta = " ".join(str(getattr(raw, "meta_description", "") or "").split())
    if len(meta) > META_MAX_CHARS:
        repairs.append(f"meta description cut from {len(meta)} to {META_MAX_CHARS} characters")
        meta = clip(meta, META_MAX_CHARS)
    outline = parse_outline(as_list(getattr(raw, "outline", []) or []))
    if outline and outline[0][0] == 3:
        outline[0] = (2, outline[0][1])
        repairs.append("first subheading promoted from H3 to H2")
    seen: set[str] = set()
    unique = []
    for level, text in outline:
        if fold(text) not in seen:
            seen.add(fold(text))
            unique.append((level, text))
    if len(unique) < len(outline):
        repairs.append("duplicate subheadings removed")
    outline = unique
    if targets.max_subheadings is not None and len(outline) > targets.max_subheadings:
        repairs.append(f"outline cut to {targets.max_subheadings} subheadings (instruction)")
        outline = outline[: targets.max_subheadings]
    h2 = sum(1 for level, _ in outline if level == 2)
    if targets.subheadings and h2 < min(n_sections, targets.max_subheadings or n_sections):
        missing = min(n_sections, targets.max_subheadings or n_sections) - h2
        extra = [(2, _fact_heading(f)) for f in facts if fold(_fact_heading(f)) not in seen][:missing]
        if extra:
            repairs.append(f"{len(extra)} subheadings added from the facts (the plan had {h2})")
            outline += extra
    room = max(targets.min_subheadings if targets.subheadings else 0, len(facts) // 2)
    if cap and len(outline) > room:  # a section needs facts of its own, or it retells the others
        repairs.append(f"outline cut from {len(outline)} to {room} subheadings ({len(facts)} facts)")
        outline = outline[:room]
    return Plan(keyphrase=keyphrase, title=title, meta_description=meta, outline=outline, repairs=repairs)


def fallback_keyphrase(facts: list[str]) -> str:
    """The most frequent capitalised name in the facts, else the first words of the first fact."""
    names: dict[str, int] = {}
    for fact in facts:
        for name in re.findall(r"\b[A-ZÀ-Ö][\w'-]+(?: [A-ZÀ-Ö][\w'-]+)*", fact):
            names[name] = names.get(name, 0) + 1
    if names:
        return max(names, key=lambda n: (names[n], len(n)))
    return " ".join((facts[0] if facts else "actualité").split()[:3])


def _fact_heading(fact: str) -> str:
    return clip(fact.rstrip("."), SUBHEADING_MAX_CHARS)



def fallback_keyphrase_words(facts: list[str]) -> str:
    """:func:`fallback_keyphrase` cut to the house maximum of words."""
    return " ".join(fallback_keyphrase(facts).split()[:KEYPHRASE_MAX_WORDS])
