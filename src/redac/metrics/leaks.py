"""Leaks: what an article carries that comes from elsewhere than its source, or from the machinery.

* **Content leaks**: text (word n-grams), names or figures of *another* example of the leak corpus
  (:mod:`redac.metrics.leakcorpus`: the program's few-shot demos, the labelled set) that this item's
  source does not have. A small model that retells its demo's story ("Valvergne", "l'Aubrette") is
  caught here, and so is an article recalled from a training gold. The item's own story (the corpus
  example whose source is this source) is never a leak, nor is anything the source itself contains.
* **Format leaks** in the article: JSON objects or quoted lists, DSPy field markers ``[[ ## x ## ]]``,
  chat preambles and sign-offs ("Voici l'article :", "Bien sûr !", "Here is"), a second front matter
  block or field lines (``---`` / ``title:``), code fences.

The value loses ``leaks.content_cost`` per other story leaked and ``leaks.format_cost`` per kind of
format leak; the default hard gate (under 0.5) zeroes the composite of an article about another story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from redac import figures as nums
from redac.article import Article
from redac.digest import text_key
from redac.memo import LRU
from redac.metrics.config import MetricsConfig
from redac.metrics.feedback import short
from redac.metrics.fragments import surface
from redac.metrics.leakcorpus import LeakIndex, containment, leak_index, ngrams
from redac.metrics.profile import ArticleView, SourceProfile, view
from redac.metrics.registry import register
from redac.metrics.result import MetricResult
from redac.text import fold
from redac.text import tokens as tokenize

_CAPITALISED = re.compile(r"(?<![^\W\d_])[A-ZÀ-ÖØ-Þ][^\W\d_]*")
_MD_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__|\*|_)?\s*")
# Chat preambles and sign-offs: only at the start of a line (after Markdown markers), where an
# assistant puts them; each needs the chat's own words, not a word a reporter might open with.
_CHAT = re.compile(
    r"(?:voici|voilà)\s+(?:donc\s+)?(?:l'|le |la |les |un |une |votre |vos |mon |ma |ce |cet |cette )?"
    r"(?:\w+\s+){0,2}?(?:article|texte|version|proposition|réécriture|rédaction|contenu|résultat)s?\b"
    r"|bien\s+(?:sûr|entendu)\s*(?:[!:.]|,\s*(?:voici|voilà|je\b|j'|c'est))|bien\s+(?:sûr|entendu)\s*$"
    r"|(?:certainement|absolument|avec plaisir|d'accord)\s*[!.,:]?\s*(?:voici|voilà|$)"
    r"|en\s+tant\s+qu(?:e\s+|')(?:ia\b|intelligence artificielle|assistant|modèle de langage)"
    r"|je\s+suis\s+(?:un\s+|une\s+)?(?:ia\b|intelligence artificielle|assistant|modèle de langage)"
    r"|j'espère\s+que\s+(?:cet|ce|cette)\s+(?:article|texte|version|proposition)"
    r"|n'hésitez\s+pas\s+à\s+(?:me\b|m')|(?:souhaitez|voulez)-vous\s+que\s+je\b"
    r"|here(?:'s|\s+is|\s+are)\b|(?:sure|certainly|of course)\s*[!,.]|as\s+an\s+ai\b|i\s+hope\s+this\b"
    r"|let\s+me\s+know\b",
    re.IGNORECASE)
_FORMAT = (
    ("json", re.compile(r"\{\s*\"[^\"\n]{1,40}\"\s*:|\"[a-z_]{2,30}\"\s*:\s*[\"\[{]")),
    ("json", re.compile(r"\[\s*(?P<q>[\"'])[^\n]*?(?P=q)\s*,\s*[\"']")),
    ("field_marker", re.compile(r"\[\[\s*#{1,3}\s*\w+\s*#{1,3}\s*\]\]")),
    ("front_matter", re.compile(r"^---[ \t]*\n(?:[ \t]*\n)?[ \t]*(?:title|meta_description|slug|keyphrase)\s*:"
                                r"|^(?:title|meta_description|slug|keyphrase)\s*:\s*\S", re.MULTILINE)),
    ("code_fence", re.compile(r"^\s*(?:```|~~~)", re.MULTILINE)),
)


def format_leaks(article: Article) -> list[tuple[str, str]]:
    """``(kind, snippet)`` of every format leak in the article's Markdown, title and meta description."""
    found: list[tuple[str, str]] = []
    texts = (article.markdown, article.title, article.meta_description)
    for kind, pattern in _FORMAT:
        for text in texts:
            found += [(kind, _snippet(text, m.start())) for m in pattern.finditer(text)]
    for line in article.markdown.splitlines():
        line = _MD_PREFIX.sub("", line).strip()
        m = _CHAT.match(line)
        if m:
            found.append(("preamble", line[:60]))
    return list(dict.fromkeys(found))


def _snippet(text: str, start: int, n: int = 60) -> str:
    return " ".join(text[start:start + n].split())


@dataclass
class Leak:
    """What one other story lent the article."""

    story: int
    positions: set[int] = field(default_factory=set)   # article token positions inside its n-grams
    names: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)


_SOURCE_GRAMS: LRU[set[int]] = LRU(256)
_OWN: LRU[frozenset[int]] = LRU(256)


def own_stories(index: LeakIndex, source: SourceProfile, n: int, overlap: float) -> tuple[set[int], frozenset[int]]:
    """The source's hashed n-grams, and the stories of the corpus that are this source's own."""
    grams = _SOURCE_GRAMS.get_or_make(f"{source.key}:{n}", lambda: set(ngrams(source.tokens, n)))
    own = _OWN.get_or_make(text_key(index.key, source.key), lambda: frozenset(
        i for i, s in enumerate(index.stories) if containment(grams, s.source_grams) >= overlap))
    return grams, own


def sentence_tokens(v: ArticleView) -> list[list[str]]:
    """Tokens of each of ``v.all_sentences`` (title and headings, then the prose sentences)."""
    heads = v.all_sentences[: len(v.all_sentences) - len(v.sentences)]
    return [tokenize(s) for s in heads] + v.sentence_tokens


def content_leaks(v: ArticleView, source: SourceProfile, index: LeakIndex, n: int, overlap: float) -> dict[int, Leak]:
    """Every other story's n-grams, names and figures in the article that the source does not have."""
    source_grams, own = own_stories(index, source, n, overlap)
    out: dict[int, Leak] = {}

    def leak(story: int) -> Leak:
        return out.setdefault(story, Leak(story))

    offset = 0
    seen: set[int] = set()  # a phrase repeated (title, heading, body) is one leak, counted once
    for toks in sentence_tokens(v):  # within sentences, as the index (they tile ``v.all_tokens``)
        for i, g in enumerate(ngrams(toks, n)):
            story = index.grams.get(g)
            if story is not None and story not in own and g not in source_grams and g not in seen:
                seen.add(g)
                leak(story).positions.update(range(offset + i, offset + i + n))
        offset += len(toks)
    names = sorted({w for _, mid in v.capitals for w in mid} - source.words)
    for name in names:
        story = index.names.get(name)
        if story is not None and story not in own:
            leak(story).names.append(name)
    for key, f in {f.key: f for f in reversed(v.figures)}.items():  # each figure once, first mention's text
        story = index.figures.get(key)
        if (story is not None and story not in own and nums.checkable(f)
                and not nums.supported(f, source.figure_keys, source.figure_values)):
            leak(story).figures.append(f.text)
    return out


def _weight(leak: Leak) -> int:
    """Sort key, strongest evidence first: a name or figure weighs as much as ten copied words."""
    return -(len(leak.positions) + 10 * (len(leak.names) + len(leak.figures)))


def _surfaces(names: list[str], text: str) -> list[str]:
    """Folded name words as the article writes them ("meric" -> "Méric")."""
    wanted = set(names)
    found: dict[str, str] = {}
    for part in _CAPITALISED.findall(text) if wanted else ():
        key = fold(part)
        if key in wanted:
            found.setdefault(key, part)
    return [found.get(n, n) for n in names]


def _passages(positions: set[int], toks: list[str], text: str, k: int = 2) -> list[str]:
    """The ``k`` longest runs of leaked positions, as the article wrote them (clipped)."""
    runs: list[list[int]] = []
    for p in sorted(positions):
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    runs.sort(key=len, reverse=True)
    out = []
    for run in runs[:k]:
        out.append(short(surface(text, toks[run[0]:run[-1] + 1]), 70))
    return out


@register("leaks", summary="no text or names from other examples, no format debris", weight=0.03,
          threshold=1.00, gate=(0.5, "the article retells another example, not its source"))
def leaks(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    c = cfg.leaks
    v = view(article)
    index = leak_index(c)
    text = "\n".join(v.all_sentences)
    found = content_leaks(v, source, index, c.ngram, c.own_overlap)
    ranked = sorted(found.values(), key=_weight)
    content: list[dict[str, Any]] = []
    for leak in ranked:
        if len(leak.positions) >= c.min_words or len(leak.names) + len(leak.figures) >= c.min_facts:
            content.append({"example": index.stories[leak.story].label, "words": len(leak.positions),
                            "names": _surfaces(leak.names[:8], text), "figures": leak.figures[:8],
                            "passages": _passages(leak.positions, v.all_tokens, text)})
    fmt = format_leaks(article)
    kinds = list(dict.fromkeys(k for k, _ in fmt))
    value = max(0.0, 1.0 - c.content_cost * len(content) - c.format_cost * len(kinds))
    leaked = {d["example"] for d in content}
    near = [x for x in ranked if index.stories[x.story].label not in leaked][:5]
    figures = {
        "content_leaks": content, "format_leaks": [[k, s] for k, s in fmt[:10]], "format_kinds": kinds,
        # Evidence under the bar (words, names, figures of another story): what a stricter setting would flag.
        "below_threshold": [{"example": index.stories[x.story].label, "words": len(x.positions),
                             "names": _surfaces(x.names[:4], text), "figures": x.figures[:4]} for x in near],
        "corpus": {"files": index.files, "missing": index.missing, "examples": index.n_examples,
                   "stories": len(index.stories)},
        "own_examples": [lbl for i in sorted(own_stories(index, source, c.ngram, c.own_overlap)[1])
                         for lbl in index.stories[i].labels],
    }
    parts = []
    for d in content[:3]:
        what = [f"names {', '.join(d['names'][:5])}" if d["names"] else "",
                f"figures {', '.join(d['figures'][:4])}" if d["figures"] else "",
                " | ".join(f"« {p} »" for p in d["passages"])]
        parts.append(f"from {d['example']}: " + "; ".join(w for w in what if w))
    if fmt:
        parts.append("format debris: " + " | ".join(f"{k} « {s[:40]} »" for k, s in fmt[:4]))
    if not parts:
        feedback = "Nothing from another example or from the prompt format leaked into the article."
    else:
        feedback = ("Write only about this source and deliver the article alone. Delete what does not come from "
                    "it: " + "; ".join(parts) + ".")
    return MetricResult(name="leaks", value=value, figures=figures, feedback=feedback)
