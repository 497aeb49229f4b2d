"""The French Flesch reading ease (Kandel & Moles), with Yoast SEO's syllable counter.

``207 - 1.015 x words/sentences - 73.6 x syllables/words`` (``languages/fr/helpers/
calculateFleschReadingScore.js``), on the text without numbers, counted by
``researches/getFleschReadingScore.js``; syllables are vowel groups corrected by the French
deviations of ``languages/fr/config/syllables.json`` (``helpers/syllables/countSyllables.js``).
Yoast 3.6 shows this score as an insight only; redac scores it as Yoast's earlier assessment did
(≥ 60 green, 50–60 orange, below red).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from redac.metrics.yoast.lexicon import lexicon
from redac.metrics.yoast.sentences import get_words

_NUMBER = re.compile(r"\b[0-9]+\b")


@lru_cache(maxsize=1)
def _rules() -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], int]], dict[str, int],
                      list[tuple[re.Pattern[str], str, int]], re.Pattern[str]]:
    config: dict[str, Any] = lexicon().syllables
    vowels = re.compile(f"[^{config['vowels']}]", re.I)
    steps = [(re.compile("|".join(f"(?:{f})" for f in step["fragments"]), re.I), int(step["countModifier"]))
             for step in config["deviations"]["vowels"]]
    words = config["deviations"]["words"]
    full = {d["word"]: int(d["syllables"]) for d in reversed(words["full"])}
    anchors = {"global": "{}", "atBeginning": "^{}", "atEnd": "{}$", "atBeginningOrEnd": "(?:^{0})|(?:{0}$)"}
    fragments = [(re.compile(anchors[where].format(d["word"])), d["word"], int(d["syllables"]))
                 for where, items in words["fragments"].items() for d in items]
    any_fragment = re.compile("|".join(f"(?:{d['word']})" for items in words["fragments"].values() for d in items))
    return vowels, steps, full, fragments, any_fragment


@lru_cache(maxsize=100_000)
def syllables(word: str) -> int:
    """Yoast's French syllable count of one lower-cased word."""
    vowels, steps, full, fragments, any_fragment = _rules()
    if word in full:
        return full[word]
    count = 0
    for regex, fragment, n in fragments if any_fragment.search(word) else ():
        if regex.search(word):
            word = word.replace(fragment, " ", 1)
            count += n
    count += sum(1 for group in vowels.split(word) if group)
    return count + sum(len(regex.findall(word)) * n for regex, n in steps)


@lru_cache(maxsize=20_000)
def text_counts(text: str) -> tuple[int, int]:
    """``(words, syllables)`` of one block once numbers are stripped (stripNumbers.js, getWords.js)."""
    words = get_words(_NUMBER.sub("", text).strip())
    return len(words), sum(syllables(w.lower()) for w in words)


def flesch_kandel(sentence_count: int, blocks: list[str]) -> float | None:
    """The score of the text made of ``blocks``, clamped to [0, 100] and rounded like Yoast (``None``
    under 11 words or without a sentence)."""
    counts = [text_counts(b) for b in blocks]
    n_words, n_syllables = sum(c[0] for c in counts), sum(c[1] for c in counts)
    if sentence_count < 1 or n_words <= 10:
        return None
    score = 207 - 1.015 * n_words / sentence_count - 73.6 * n_syllables / n_words
    return round(min(100.0, max(0.0, score)), 1)
