"""Perturbations of gold articles for the Yoast agreement test: each breaks one Yoast rule, some at
several levels (keyphrase stuffing just above Yoast's maximum, far above it, +25 as in the issue).

Deterministic and text-only: they edit the Markdown and front matter, never call Yoast.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from redac.article import Article
from redac.metrics.yoast import parse_keyphrase, yoast_document
from redac.metrics.yoast.keyphrase import count_in_sentences
from redac.metrics.yoast.lexicon import lexicon, transliterate
from redac.metrics.yoast.seo_rules import recommended_count

_HEADING = re.compile(r"^#{1,6}\s")
_SUB = re.compile(r"^#{2,3}\s+(.*)$")


def _blocks(md: str) -> list[str]:
    return [b for b in re.split(r"\n\s*\n", md.strip()) if b.strip()]


def _is_prose(block: str) -> bool:
    return not _HEADING.match(block) and not block.lstrip().startswith(("|", "- ", "* ", "1."))


def _join(blocks: list[str]) -> str:
    return "\n\n".join(blocks) + "\n"


def _erase(text: str, words: tuple[str, ...], by: str = "ce sujet") -> str:
    """Replace each content word (any case, with or without accents) by ``by``."""
    for w in words:
        forms = "|".join(re.escape(f) for f in dict.fromkeys((w, transliterate(w))))
        text = re.sub(rf"(?<![^\W_])(?:{forms})(?![^\W_])", by, text, flags=re.I)
    return text


def _count(a: Article) -> tuple[int, int, int]:
    """(occurrences, maximum recommended, words) as the port counts them (to aim the stuffing levels)."""
    doc, kp = yoast_document(a), parse_keyphrase(a.keyphrase)
    words = doc.tree_word_count
    return count_in_sentences(doc.sentences, kp), recommended_count(kp.length, 3.0, words, maximum=True), words


def _stuff_once(a: Article, k: int) -> Article:
    """Insert one sentence made of the keyphrase into the k-th prose paragraph (round robin)."""
    blocks = _blocks(a.markdown)
    prose = [i for i, b in enumerate(blocks) if _is_prose(b)]
    i = prose[k % len(prose)]
    kp = a.keyphrase[:1].upper() + a.keyphrase[1:]
    blocks[i] = f"{blocks[i]} {kp} reste au cœur de l'actualité."
    return a.model_copy(update={"markdown": _join(blocks)})


def stuff(a: Article, level: str) -> Article:
    """``max``: at Yoast's maximum; ``over``: one above it; ``far``: density x length factor over 4 %;
    ``plus25``: 25 more occurrences."""
    n0 = _count(a)[0]
    k = 0
    while True:
        n, hi, words = _count(a)
        factor = 0.7 + parse_keyphrase(a.keyphrase).length / 3
        done = {"max": n >= hi, "over": n > hi, "far": 100 * n / words * factor > 4.3, "plus25": n >= n0 + 25}[level]
        if done or k > 200:
            return a
        if level == "max" and n + 1 > recommended_count(parse_keyphrase(a.keyphrase).length, 3.0, words + 8,
                                                        maximum=True):
            return a
        a = _stuff_once(a, k)
        k += 1


def no_intro(a: Article) -> Article:
    blocks = _blocks(a.markdown)
    i = next(i for i, b in enumerate(blocks) if _is_prose(b))
    blocks[i] = _erase(blocks[i], parse_keyphrase(a.keyphrase).words)
    return a.model_copy(update={"markdown": _join(blocks)})


def intro_split(a: Article) -> Article:
    """The keyphrase's words in the first paragraph, but never in one sentence."""
    kp = parse_keyphrase(a.keyphrase)
    blocks = _blocks(a.markdown)
    i = next(i for i, b in enumerate(blocks) if _is_prose(b))
    if kp.length < 2:
        return no_intro(a)
    text = _erase(blocks[i], kp.words)
    blocks[i] = f"{text} On parle de {kp.words[0]}. Et aussi de {' '.join(kp.words[1:])}."
    return a.model_copy(update={"markdown": _join(blocks)})


def no_heading_keyphrase(a: Article) -> Article:
    words = parse_keyphrase(a.keyphrase).words
    lines = [(_erase(x, words, "ce dossier") if _SUB.match(x) else x) for x in a.markdown.splitlines()]
    return a.model_copy(update={"markdown": "\n".join(lines) + "\n"})


def all_headings_keyphrase(a: Article) -> Article:
    lines = [(f"{x} : {a.keyphrase}" if _SUB.match(x) else x) for x in a.markdown.splitlines()]
    return a.model_copy(update={"markdown": "\n".join(lines) + "\n"})


def no_headings(a: Article) -> Article:
    lines = [x for x in a.markdown.splitlines() if not _SUB.match(x)]
    return a.model_copy(update={"markdown": re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"})


def no_meta_keyphrase(a: Article) -> Article:
    return a.model_copy(update={"meta_description": _erase(a.meta_description, parse_keyphrase(a.keyphrase).words)})


def meta_length(a: Article, level: str) -> Article:
    meta = {"empty": "", "short": a.meta_description[:90].rsplit(" ", 1)[0] + ".",
            "long": a.meta_description + " Tous les détails, les chiffres et les réactions dans notre article."}[level]
    return a.model_copy(update={"meta_description": meta})


def no_slug_keyphrase(a: Article) -> Article:
    return a.model_copy(update={"slug": "article-du-jour-actualite"})


def title(a: Article, level: str) -> Article:
    t = {"missing": _erase(a.title, parse_keyphrase(a.keyphrase).words, "l'affaire"),
         "late": f"Ce qu'il faut retenir : {a.keyphrase}",
         "long": a.title + " : les chiffres, les réactions et tout ce qu'il faut savoir cette semaine"}[level]
    return a.model_copy(update={"title": t})


def keyphrase(a: Article, level: str) -> Article:
    kp = {"empty": "", "long": a.keyphrase + " premier bilan complet officiel national"}[level]
    return a.model_copy(update={"keyphrase": kp})


def short_text(a: Article) -> Article:
    blocks = _blocks(a.markdown)
    keep, words = [], 0
    for b in blocks:
        keep.append(b)
        words += len(b.split())
        if words > 150:
            break
    return a.model_copy(update={"markdown": _join(keep)})


def long_paragraphs(a: Article, size: int) -> Article:
    """Merge runs of ``size`` consecutive prose paragraphs into one."""
    out: list[str] = []
    run: list[str] = []
    for b in _blocks(a.markdown):
        if _is_prose(b) and len(run) < size:
            run.append(b)
            continue
        if run:
            out.append(" ".join(run))
            run = []
        if _is_prose(b):
            run.append(b)
        else:
            out.append(b)
    if run:
        out.append(" ".join(run))
    return a.model_copy(update={"markdown": _join(out)})


def long_sentences(a: Article, every: int) -> Article:
    """Join every ``every``-th sentence boundary of prose paragraphs with ", et"."""
    k = 0

    def glue(m: re.Match[str]) -> str:
        nonlocal k
        k += 1
        return f", et {m.group(1).lower()}" if k % every == 0 else m.group()

    blocks = [re.sub(r"\. ([A-ZÀ-Ý][a-zà-ÿ])", glue, b) if _is_prose(b) else b for b in _blocks(a.markdown)]
    return a.model_copy(update={"markdown": _join(blocks)})


def no_transitions(a: Article) -> Article:
    singles = sorted({w[0] for w in lexicon().transition_words if len(w) == 1}, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w'])(" + "|".join(re.escape(w) for w in singles) + r")(?![\w'-])\s*,?\s*", re.I)
    blocks = [pattern.sub("", b) if _is_prose(b) else b for b in _blocks(a.markdown)]
    return a.model_copy(update={"markdown": _join(blocks)})


def passive(a: Article, every: int) -> Article:
    """Add a passive sentence to every ``every``-th prose paragraph."""
    blocks = _blocks(a.markdown)
    prose = [i for i, b in enumerate(blocks) if _is_prose(b)]
    for n, i in enumerate(prose):
        if n % every == 0:
            blocks[i] += " Cette décision a été validée par le conseil."
    return a.model_copy(update={"markdown": _join(blocks)})


def same_beginnings(a: Article) -> Article:
    """Start three consecutive sentences of the longest paragraph with the same word."""
    blocks = _blocks(a.markdown)
    prose = [i for i, b in enumerate(blocks) if _is_prose(b)]
    i = max(prose, key=lambda j: len(blocks[j]))
    blocks[i] += " Aujourd'hui, tout change. Aujourd'hui, rien ne bouge. Aujourd'hui, on attend."
    return a.model_copy(update={"markdown": _join(blocks)})


SEO: dict[str, Callable[[Article], Article]] = {
    "stuff_max": lambda a: stuff(a, "max"), "stuff_over": lambda a: stuff(a, "over"),
    "stuff_far": lambda a: stuff(a, "far"), "stuff_plus25": lambda a: stuff(a, "plus25"),
    "no_intro_keyphrase": no_intro, "intro_split": intro_split, "no_heading_keyphrase": no_heading_keyphrase,
    "all_headings_keyphrase": all_headings_keyphrase, "no_headings": no_headings,
    "no_meta_keyphrase": no_meta_keyphrase, "meta_empty": lambda a: meta_length(a, "empty"),
    "meta_short": lambda a: meta_length(a, "short"), "meta_long": lambda a: meta_length(a, "long"),
    "no_slug_keyphrase": no_slug_keyphrase, "title_missing": lambda a: title(a, "missing"),
    "title_late": lambda a: title(a, "late"), "title_long": lambda a: title(a, "long"),
    "keyphrase_empty": lambda a: keyphrase(a, "empty"), "keyphrase_long": lambda a: keyphrase(a, "long"),
    "short_text": short_text,
}
READABILITY: dict[str, Callable[[Article], Article]] = {
    "long_paragraphs_3": lambda a: long_paragraphs(a, 3), "long_paragraphs_6": lambda a: long_paragraphs(a, 6),
    "long_sentences_2": lambda a: long_sentences(a, 2), "long_sentences_3": lambda a: long_sentences(a, 3),
    "no_headings": no_headings, "no_transitions": no_transitions,
    "passive_2": lambda a: passive(a, 2), "passive_1": lambda a: passive(a, 1),
    "same_beginnings": same_beginnings, "short_text": short_text,
}
