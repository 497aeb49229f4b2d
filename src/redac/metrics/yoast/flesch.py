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
                      list[tuple[re.Pattern[str], str, int]]]:
    config: dict[str, Any] = lexicon().syllables
    vowels = re.compile(f"[^{config['vowels']}]", re.I)
    steps = [(re.compile("|".join(f"(?:{f})" for f in step["fragments"]), re.I), int(step["countModifier"]))
             for step in config["deviations"]["vowels"]]
    words = config["deviations"]["words"]
    full = {d["word"]: int(d["syllables"]) for d in reversed(words["full"])}
    anchors = {"global": "{}", "atBeginning": "^{}", "atEnd": "{}$", "atBeginningOrEnd": "(?:^{0})|(?:{0}$)"}
    fragments = [(re.compile(anchors[where].format(d["word"])), d["word"], int(d["syllables"]))
                 for where, items in words["fragments"].items() for d in items]
    return vowels, steps, full, fragments


@lru_cache(maxsize=100_000)
def syllables(word: str) -> int:
    """Yoast's French syllable count of one lower-cased word."""
    vowels, steps, full, fragments = _rules()
    if word in full:
        return full[word]
    count = 0
    for regex, fragment, n in fragments:
        if regex.search(word):
            word = word.replace(fragment, " ", 1)
            count += n
    count += sum(1 for group in vowels.split(word) if group)
    return count + sum(len(regex.findall(word)) * n for regex, n in steps)


def flesch_kandel(sentence_count: int, text: str) -> float | None:
    """The score, clamped to [0, 100] and rounded like Yoast (``None`` under 11 words or no sentence)."""
    text = _NUMBER.sub("", text).strip()
    words = get_words(text)
    if sentence_count < 1 or len(words) <= 10:
        return None
    n_syllables = sum(syllables(w) for w in get_words(text.lower()))
    score = 207 - 1.015 * len(words) / sentence_count - 73.6 * n_syllables / len(words)
    return round(min(100.0, max(0.0, score)), 1)
