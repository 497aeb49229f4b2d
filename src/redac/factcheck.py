"""Is what a text says supported by its source? Names, figures and quotes, checked cheaply.

Used on both sides of the loop: the program's verification step drops sentences that name a person or
place, state a figure or quote words the source never has (before an article is returned), and the
metric suite reuses the same quote and figure primitives to score precision. It sits below both, so
the program never imports the metrics and the metrics never import the program.

Pure Python and regular expressions (no spaCy): the program runs it on every section it writes.
Names are judged by their words: a capitalised word the source never uses, in the middle of a sentence
(or starting one and followed by another capitalised word), is a name the source does not support.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from redac import figures as nums
from redac.text import fold, normalise, sentences, tokens

_QUOTE = re.compile(r"«\s*([^«»]{1,1200}?)\s*»|“([^“”]{1,1200}?)”|\"([^\"\n]{1,1200}?)\"")
_CAPITAL = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’\-]*\w|[A-ZÀ-ÖØ-Þ]")
# Capitalised words that are not names when they start a sentence or follow a colon.
_FUNCTION = frozenset(fold(w) for w in """
le la les l un une des du de d au aux il ils elle elles on nous vous ce cet cette ces en et ou mais
si ne se sa son ses leur leurs sur par pour qui que quand selon dans avec apres avant depuis lors
pendant comme ainsi alors enfin toutefois cependant pourtant outre face entre cote tous toutes puis
pourquoi comment combien ou quel quelle quels quelles
""".split())
QUOTE_MATCH = 0.7  # share of a long quote's word trigrams that must be found in the source


def quotes_of(text: str) -> list[str]:
    """Quoted passages (« », “ ”, straight double quotes), in order, stripped, de-duplicated."""
    out = []
    for m in _QUOTE.finditer(normalise(text)):
        q = " ".join((m.group(1) or m.group(2) or m.group(3) or "").split()).strip(" ,.;:")
        if q and re.search(r"\w", q):
            out.append(q)
    return list(dict.fromkeys(out))


def trigrams(toks: list[str]) -> set[tuple[str, str, str]]:
    return set(zip(toks, toks[1:], toks[2:]))


def quote_support(q_tokens: list[str], text_trigrams: set[tuple[str, str, str]], text_tokstr: str) -> float:
    """Share of a quote found in a text: short quotes must appear whole, long ones by word trigrams
    (tolerates changed punctuation, a dropped word, "[...]" edits)."""
    if not q_tokens:
        return 1.0
    if len(q_tokens) < 4:
        return 1.0 if f" {' '.join(q_tokens)} " in text_tokstr else 0.0
    grams = list(zip(q_tokens, q_tokens[1:], q_tokens[2:]))
    return sum(g in text_trigrams for g in grams) / len(grams)


def _name_words(sentence: str) -> set[str]:
    """Folded capitalised words of a sentence that can belong to a name."""
    found = [(m.start(), m.group(0)) for m in _CAPITAL.finditer(sentence)]
    out = set()
    for i, (pos, word) in enumerate(found):
        before = sentence[:pos].rstrip()
        initial = not before or before[-1] in ".!?:«»\"(—–-*|"  # also after Markdown bullets and bold
        followed = i + 1 < len(found) and sentence[pos + len(word):found[i + 1][0]].strip() in ("", "-")
        for part in re.split(r"['’\-]", word):
            key = fold(part)
            if len(key) < 2 or key in _FUNCTION or not part[:1].isupper() or not key.isalpha():
                continue
            if not initial or followed:
                out.add(key)
    return out


@dataclass
class Support:
    """What a source supports: its folded words, figures and quote index (built once per source)."""

    words: set[str]
    figure_keys: set[tuple[Any, ...]]
    figure_values: set[float]
    trigram_set: set[tuple[str, str, str]]
    tokstr: str
    extra_words: set[str] = field(default_factory=set)  # e.g. the article's own title and keyphrase

    @classmethod
    def of(cls, source_text: str, *, also: str = "") -> Support:
        toks = tokens(source_text)
        figs = nums.extract(source_text)
        return cls(words={fold(t) for t in toks}, figure_keys=nums.support_keys(figs),
                   figure_values=nums.values_of(figs) | nums.per_unit_values(source_text), trigram_set=trigrams(toks),
                   tokstr=f" {' '.join(toks)} ", extra_words={fold(t) for t in tokens(also)})


@dataclass(frozen=True)
class Finding:
    kind: str  # name | figure | quote
    text: str


def unsupported(sentence: str, support: Support) -> list[Finding]:
    """Names, figures and quotes of one sentence that the source does not support."""
    out: list[Finding] = []
    known = support.words | support.extra_words
    for key in sorted(_name_words(sentence) - known):
        out.append(Finding("name", key))
    for fact in nums.extract(sentence):
        if nums.checkable(fact) and not nums.supported(fact, support.figure_keys, support.figure_values):
            out.append(Finding("figure", fact.text))
    for quote in quotes_of(sentence):
        if quote_support(tokens(quote), support.trigram_set, support.tokstr) < QUOTE_MATCH:
            out.append(Finding("quote", quote))
    return out


@dataclass
class Checked:
    text: str  # the kept sentences, paragraphs preserved
    dropped: list[tuple[str, list[Finding]]]


def keep_supported(text: str, support: Support) -> Checked:
    """Drop every sentence with an unsupported name, figure or quote; keep paragraph breaks."""
    kept_paras, dropped = [], []
    for para in re.split(r"\n\s*\n", text):
        kept = []
        for sentence in sentences(para):
            findings = unsupported(sentence, support)
            if findings:
                dropped.append((sentence, findings))
            else:
                kept.append(sentence)
        if kept:
            kept_paras.append(" ".join(kept))
    return Checked(text="\n\n".join(kept_paras), dropped=dropped)
