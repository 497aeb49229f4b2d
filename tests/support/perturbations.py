"""Perturbations of a gold article that any labelled pair accepts: the validity suite of the metrics.

Each perturbation breaks one property a good article has (a fact, its structure, its originality, its
SEO, its format) and must score under the untouched gold on the composite. Unlike the hand-made
fixture perturbations (``tests/fixtures/metrics/metrics_fixtures.py``), these work on any of the 60
pairs of the labelled set, so ``benchmarks/bench_validity.py`` can report, per kind, the share of pairs
where the gold outscores its perturbation, and ``tests/metrics/test_validity_dataset.py`` can hold it.

A perturbation is ``fn(gold, pair) -> Article | None``; ``None`` means it does not apply to this pair
(no figure to change, no boilerplate to paste, ...), which the report counts apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from redac.article import Article
from redac.dataset import Record
from redac.sources import Source

from tests.fixtures.metrics import metrics_fixtures as fx
from tests.metrics.yoast import perturb as yoast_perturb


@dataclass(frozen=True)
class Pair:
    """One labelled pair as the perturbations see it, plus the other pairs' golds (for demo leaks)."""

    record: Record
    source: Source
    gold: Article
    others: tuple[Record, ...]


Perturbation = Callable[[Article, Pair], "Article | None"]


def _md(a: Article, markdown: str) -> Article:
    return a.model_copy(update={"markdown": markdown})


def _prose(a: Article) -> list[int]:
    lines = a.markdown.splitlines()
    return [i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")]


def change_number(a: Article, p: Pair) -> Article | None:
    """Change one figure of the prose to a value the source never has (2000 -> 2002): one invented
    figure. (A figure changed into another of the source's own numbers is a binding error the fact
    metric does not see: docs/metrics.md lists it among the blind spots.)"""
    lines = a.markdown.splitlines()
    have = set(re.findall(r"\d+", p.source.body.replace("\u202f", "").replace("\xa0", "").replace(" ", "")))
    for i in _prose(a):
        for m in re.finditer(r"(?<![\w,.-])(\d{1,4})(?![\w,.]\d|\s\d{3})", lines[i]):
            digits = m.group(1)
            for step in (2, 3, 4, 5, 7):
                bumped = digits[:-1] + str((int(digits[-1]) + step) % 10)
                if bumped not in have and bumped.lstrip("0") == bumped:
                    lines[i] = lines[i][: m.start(1)] + bumped + lines[i][m.end(1):]
                    return _md(a, "\n".join(lines))
    return None


def swap_entity(a: Article, p: Pair) -> Article | None:
    """Replace the first labelled multi-word name the gold uses by a person the source never names."""
    for name in p.record.facts.entities if p.record.facts else []:
        if " " in name and name in a.markdown and name.split()[-1][:1].isupper() and "Blinken" not in p.source.body:
            return fx.swap_entity(a, p.source, name)
    return None


def drop_paragraph(a: Article, p: Pair) -> Article | None:
    """Drop the prose paragraph holding the most labelled facts that no other paragraph states: facts lost.
    ``None`` when every paragraph only repeats facts stated elsewhere (dropping one loses nothing)."""
    lines = a.markdown.splitlines()
    prose = _prose(a)[1:]  # keep the lede
    facts = [f for _, f in p.record.facts.flat()] if p.record.facts else []

    def unique_facts(i: int) -> int:
        return sum(1 for f in facts if f in lines[i] and not any(f in lines[j] for j in _prose(a) if j != i))

    best = max(prose, key=lambda i: (unique_facts(i), len(lines[i])), default=None)
    if best is None or unique_facts(best) == 0:
        return None
    return _md(a, "\n".join(ln for i, ln in enumerate(lines) if i != best))


def add_invented_quote(a: Article, p: Pair) -> Article | None:
    return fx.add_invented_quote(a)


INVENTED_FIGURE = "Selon un décompte publié mardi, 4 732 personnes auraient été concernées depuis 2019."


def add_invented_figure(a: Article, p: Pair) -> Article | None:
    """One sentence with two figures the source does not have, appended to the lede: one invented fact."""
    lines = a.markdown.splitlines()
    lede = _prose(a)[0]
    lines[lede] += " " + INVENTED_FIGURE
    return _md(a, "\n".join(lines))


def remove_headings(a: Article, p: Pair) -> Article:
    return fx.remove_headings(a)


def plain_text(a: Article, p: Pair) -> Article:
    """What a chat model that forgot the format returns: prose only, no headings, no front matter."""
    prose = "\n\n".join(a.markdown.splitlines()[i] for i in _prose(a))
    return Article.from_markdown(prose)


def stuff_keyphrase(a: Article, p: Pair) -> Article:
    return fx.stuff_keyphrase(a)


def stuff_just_over_maximum(a: Article, p: Pair) -> Article:
    """The keyphrase added until it occurs once more than Yoast's recommended maximum for this text."""
    return yoast_perturb.stuff(a, "over")


def near_verbatim_copy(a: Article, p: Pair) -> Article:
    return fx.near_verbatim_copy(a, p.source)


def shuffled_copy(a: Article, p: Pair) -> Article:
    """The source's sentences in reverse order: a copy that breaks up the long copied passages."""
    return fx.near_verbatim_copy(a, p.source, shuffle=True)


def other_story(a: Article, p: Pair) -> Article | None:
    """Another pair's gold presented as this pair's article: a model writing some other story of the set."""
    other = next((r for r in p.others if r.id.split("-")[0] != p.record.id.split("-")[0]), None)
    return other.gold.to_article() if other else None


def demo_story(a: Article, p: Pair) -> Article:
    """The story of one of the shipped program's few-shot demos: what a base model copying its demos writes."""
    return fx.demo_story(a)


def json_fragments(a: Article, p: Pair) -> Article:
    return fx.json_fragments(a)


def field_markers(a: Article, p: Pair) -> Article:
    return fx.field_markers(a)


def chat_preamble(a: Article, p: Pair) -> Article:
    return fx.chat_preamble(a)


def second_front_matter(a: Article, p: Pair) -> Article:
    return fx.second_front_matter(a)


def pad_with_repeats(a: Article, p: Pair) -> Article | None:
    return fx.pad_with_repeats(a) if len(_prose(a)) > 6 else None


def paste_boilerplate(a: Article, p: Pair) -> Article | None:
    try:
        return fx.paste_boilerplate(a, p.source)
    except ValueError:
        return None


def truncate(a: Article, p: Pair) -> Article:
    """Only the first third of the article: short, and most facts gone."""
    lines = a.markdown.splitlines()
    prose = _prose(a)
    cut = prose[max(1, len(prose) // 3)]
    return _md(a, "\n".join(lines[:cut]))


#: Every kind, in report order.
PERTURBATIONS: dict[str, Perturbation] = {
    "change_number": change_number,
    "swap_entity": swap_entity,
    "add_invented_figure": add_invented_figure,
    "add_invented_quote": add_invented_quote,
    "drop_paragraph": drop_paragraph,
    "truncate": truncate,
    "remove_headings": remove_headings,
    "plain_text": plain_text,
    "stuff_keyphrase": stuff_keyphrase,
    "stuff_just_over_maximum": stuff_just_over_maximum,
    "near_verbatim_copy": near_verbatim_copy,
    "shuffled_copy": shuffled_copy,
    "demo_story": demo_story,
    "other_story": other_story,
    "json_fragments": json_fragments,
    "field_markers": field_markers,
    "chat_preamble": chat_preamble,
    "second_front_matter": second_front_matter,
    "pad_with_repeats": pad_with_repeats,
    "paste_boilerplate": paste_boilerplate,
}


def pairs(records: list[Record]) -> list[Pair]:
    """Every record as a :class:`Pair` (source cleaned as the suite cleans it)."""
    from redac.sources import clean

    out = []
    for r in records:
        others = tuple(o for o in records if o.id != r.id)
        out.append(Pair(record=r, source=clean(r.source, name=r.id), gold=r.gold.to_article(),
                        others=others))
    return out
