"""Passes over the written sections before assembly: verification against the source (``verify``) and
removal of repeated sentences (``dedupe``). Both can leave a section empty; one helper drops it with its
heading and keeps the outline well formed."""

from __future__ import annotations

import re
from collections.abc import Callable

from redac.factcheck import Support, keep_supported, unsupported
from redac.program.outputs import clip
from redac.program.plan import Plan, fallback_keyphrase_words
from redac.rules import META_MAX_CHARS, TITLE_MAX_CHARS
from redac.text import sentences


def keep_sections(plan: Plan, texts: list[str], repairs: list[str], *, dropped: Callable[[str], str],
                  merge: Callable[[str], bool] | None = None) -> tuple[list[tuple[int, str]], list[str]]:
    """The outline and texts (lede first) left after a pass changed the section ``texts``.

    A section left empty goes with its heading (``dropped(heading)`` is the repair recorded); a section
    whose heading ``merge`` refuses keeps its text, appended to the previous kept part, and loses its
    heading. A leading H3 is promoted to H2."""
    outline: list[tuple[int, str]] = []
    kept_texts = [texts[0]]
    for (level, heading), text in zip(plan.outline, texts[1:]):
        if not text.strip():
            repairs.append(dropped(heading))
            continue
        if merge is not None and merge(heading):
            kept_texts[-1] = "\n\n".join(t for t in (kept_texts[-1], text) if t)
            continue
        outline.append((level, heading))
        kept_texts.append(text)
    if outline and outline[0][0] == 3:
        outline[0] = (2, outline[0][1])
    return outline, kept_texts


def verify_parts(plan: Plan, texts: list[str], support: Support, facts: list[str]) -> tuple[Plan, list[str]]:
    """The verification step: what the source does not support leaves the article.

    Sentences with an unsupported name, figure or quote are dropped from each section; a section left
    empty goes with its heading; an unsupported keyphrase, title or meta description is rebuilt from the
    facts and an unsupported subheading is dropped. Each change is a repair."""
    repairs = list(plan.repairs)
    checked = [keep_supported(t, support) for t in texts]
    for i, result in enumerate(checked):
        if result.dropped:
            what = sorted({f.text for _, findings in result.dropped for f in findings})
            repairs.append(f"verify: {len(result.dropped)} sentence(s) dropped from "
                           f"{'the lede' if i == 0 else repr(plan.outline[i - 1][1])}: not in the source: "
                           + ", ".join(what[:6]))

    def unsupported_heading(heading: str) -> bool:
        if unsupported(heading, support):
            repairs.append(f"verify: subheading {heading!r} dropped (not in the source)")
            return True
        return False

    outline, kept_texts = keep_sections(
        plan, [result.text for result in checked], repairs,
        dropped=lambda heading: f"verify: section {heading!r} dropped (no supported sentence left)",
        merge=unsupported_heading)
    keyphrase, title, meta = plan.keyphrase, plan.title, plan.meta_description
    if unsupported(keyphrase, support):
        keyphrase = fallback_keyphrase_words(facts)
        repairs.append(f"verify: keyphrase {plan.keyphrase!r} replaced by {keyphrase!r} (not in the source)")
    if unsupported(title, support):
        title = clip(keyphrase[:1].upper() + keyphrase[1:], TITLE_MAX_CHARS)
        repairs.append(f"verify: title {plan.title!r} replaced (not in the source)")
    if meta and unsupported(meta, support):
        meta = clip(" ".join(facts[:2]), META_MAX_CHARS)
        repairs.append("verify: meta description rebuilt from the facts (not in the source)")
    return Plan(keyphrase=keyphrase, title=title, meta_description=meta, outline=outline, repairs=repairs), kept_texts


def drop_repeats(plan: Plan, texts: list[str], threshold: float = 0.6) -> tuple[Plan, list[str]]:
    """Drop sentences that say again what an earlier sentence of the article said (word trigrams shared
    at ``threshold`` or more): repetition is padding, not content. A section left empty goes with its
    heading. Each drop is a repair."""
    from redac.factcheck import trigrams
    from redac.text import tokens

    seen: list[set[tuple[str, str, str]]] = []
    kept_texts: list[str] = []
    dropped = 0
    for text in texts:
        paras = []
        for para in re.split(r"\n\s*\n", text or ""):
            kept = []
            for sentence in sentences(para):
                grams = trigrams(tokens(sentence))
                if grams and any(len(grams & other) >= threshold * len(grams) for other in seen):
                    dropped += 1
                    continue
                seen.append(grams)
                kept.append(sentence)
            if kept:
                paras.append(" ".join(kept))
        kept_texts.append("\n\n".join(paras))
    if not dropped:
        return plan, texts
    repairs = [*plan.repairs, f"{dropped} repeated sentence(s) dropped"]
    outline, bodies = keep_sections(
        plan, kept_texts, repairs,
        dropped=lambda heading: f"section {heading!r} dropped (it only repeated earlier sections)")
    return Plan(keyphrase=plan.keyphrase, title=plan.title, meta_description=plan.meta_description,
                outline=outline, repairs=repairs), bodies
