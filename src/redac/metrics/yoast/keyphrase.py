"""Keyphrase matching as Yoast SEO does it for French without Premium morphology.

``researches/getWordForms.js`` + ``buildTopicStems.js``: the keyphrase is lower-cased, split on spaces
and hyphens, and its function words dropped (``config/functionWords.js``); each remaining *content
word* is matched as written (French has no free stemmer: ``élection`` does not match ``élections``),
case-insensitively, also in its unaccented spelling, between Yoast's word boundaries, an elided
article before it allowed (``l'élection``) (``helpers/match/matchTextWithTransliteration.js``,
``helpers/word/addWordboundary.js``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from redac.metrics.yoast.document import Sentence
from redac.metrics.yoast.lexicon import lexicon, transliterate
from redac.metrics.yoast.sentences import get_words, normalise_quotes, split_sentences

_WB = r"[ \u00a0\u2014\u06d4\u061f\u060C\u061B\n\r\t.,()”“〝〞〟‟„\"+\-;!¡?¿:/»«‹›<>"
_START = f"(?:^|{_WB}'‘’‛`])"
_END = f"(?:$|{_WB}]|['‘’‛`]{_WB}])"


@lru_cache(maxsize=4096)
def word_pattern(word: str) -> re.Pattern[str]:
    """Yoast's regex for one word form (or phrase): itself or its transliteration, between boundaries."""
    forms = dict.fromkeys((word, transliterate(word)))
    body = "|".join(re.escape(f) for f in forms)
    return re.compile(f"{_START}(?:{body}){_END}", re.I)


@dataclass(frozen=True)
class Keyphrase:
    """The focus keyphrase as Yoast uses it: the text, its content words, whether any were function words."""

    text: str
    words: tuple[str, ...]
    function_only: bool = False  # every word is a function word (FunctionWordsInKeyphraseAssessment)

    def __bool__(self) -> bool:
        return bool(self.words)

    @property
    def length(self) -> int:
        return len(self.words)


@lru_cache(maxsize=4096)
def parse_keyphrase(text: str) -> Keyphrase:
    """Content words of ``text`` (all its words if every one is a function word)."""
    text = normalise_quotes(text).strip()
    if not re.sub(r"[‘’“”\"'.?!:;,¿¡«»&*@#±^%|~`\[\](){}⟨⟩<>/\\–\-—×+\s]", "", text):
        return Keyphrase("", ())
    lowered = text.lower()
    if lowered[:1] == '"' and lowered[-1:] == '"' and len(lowered) > 1:
        return Keyphrase(text, (lowered[1:-1],))   # an exact-match request: the phrase is one "word"
    words = [w for w in (get_words(part)[0] if get_words(part) else "" for part in re.split(r"[\s\u2013-]", lowered))
             if w]
    content = [w for w in words if w not in lexicon().function_words]
    return Keyphrase(text, tuple(content or words), function_only=bool(words) and not content)


def count_in_text(text: str, word: str) -> int:
    """Matches of one word form in a string (matchTextWithWord; consecutive matches share a boundary)."""
    return len(word_pattern(word).findall(normalise_quotes(text)))


def share_found(text: str, keyphrase: Keyphrase) -> int:
    """Percentage (rounded) of the keyphrase's content words found in ``text`` (findWordFormsInString)."""
    if not keyphrase:
        return 0
    found = sum(1 for w in keyphrase.words if count_in_text(text, w))
    return round(100 * found / keyphrase.length)


def count_in_sentences(sentences: list[Sentence], keyphrase: Keyphrase) -> int:
    """Keyphrase occurrences (keywordCount.js): per sentence, the fewest tokens matching any one content
    word, summed; a sentence missing a word counts 0."""
    if not keyphrase:
        return 0
    words = [(word_pattern(w), tuple(dict.fromkeys((w, transliterate(w))))) for w in keyphrase.words]
    total = 0
    for sentence in sentences:
        tokens = sentence.match_tokens
        joined = sentence.match_text
        if not all(any(f in joined for f in forms) for _, forms in words):
            continue  # some content word is absent: no occurrence (most sentences; a substring test is cheap)
        total += min(sum(1 for t in tokens if any(f in t for f in forms) and p.search(t)) for p, forms in words)
    return total


def count_in_description(description: str, keyphrase: Keyphrase) -> int:
    """Full keyphrase matches in the meta description, sentence by sentence (metaDescriptionKeyword.js)."""
    if not keyphrase:
        return 0
    return sum(min(count_in_text(s, w) for w in keyphrase.words) for s in split_sentences(description))


def in_title(title: str, keyphrase: Keyphrase) -> tuple[bool, bool, int]:
    """``(exact phrase found, all content words found, position)`` in the SEO title
    (findKeyphraseInSEOTitle.js); position 0 also when only function words precede the phrase."""
    title = normalise_quotes(title)
    match = word_pattern(keyphrase.text).search(title)
    if match:
        found = match.group().strip(" \u00a0.,;:!?()\"'«»-")
        position = title.find(found)
        before = get_words(title[:position].lower())
        words = [w for part in before for w in re.split(r"[\s\u2013-]", part) if w]
        if all(w in lexicon().function_words for w in words):
            position = 0
        return True, True, position
    return False, share_found(title, keyphrase) == 100, -1
