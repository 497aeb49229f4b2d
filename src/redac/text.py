"""French text primitives shared by cleaning, articles and metrics.

Kept dependency-free and pure so every stage counts words and splits sentences the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from redac.rules import SLUG_MAX_CHARS

_TYPO = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "\u2013": "–", "\u2014": "—",
    "\u200b": "", "\ufeff": "", "\u00ad": "",
}
_TYPO_RE = re.compile("|".join(map(re.escape, _TYPO)))

# A number with French thousand separators ("1 000", "2 500 000") is one token.
_NUMBER = r"\d{1,3}(?: \d{3})+(?:,\d+)?|\d+(?:[.,]\d+)*"
_WORD_RE = re.compile(rf"(?:{_NUMBER})(?:\s?%)?|[^\W\d_](?:[\w'\-]*\w)?", re.UNICODE)

# Sentence end: . ! ? … (optionally followed by a closing quote/bracket), then space and an upper-case
# letter, a digit or an opening quote. Abbreviations that commonly precede a capital are protected.
_ABBREV = ("M", "MM", "Mme", "Mmes", "Mlle", "Dr", "Pr", "St", "Ste", "etc", "av", "J.-C", "cf", "p", "n°", "art")
_SENT_RE = re.compile(r"(?<=[.!?…])[»\")\]]?\s+(?=[«\"(\[]?\s?[A-ZÀ-ÖØ-Þ0-9])")


def normalise(text: str) -> str:
    """Unicode NFC, typographic apostrophes/spaces folded, line endings unified.

    spaCy's French model splits names on ’ so every stage sees the ASCII apostrophe.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _TYPO_RE.sub(lambda m: _TYPO[m.group(0)], text)


def words(text: str) -> list[str]:
    """French words: elisions stay attached ("l'homme"), hyphenated compounds are one word,
    "1 000" and "3,5 %" are one token. Markdown markup is not a word."""
    return _WORD_RE.findall(normalise(text))


_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-cased ``\\w+`` runs: accents kept, elisions split ("l'homme" -> "l", "homme")."""
    return _TOKEN_RE.findall(normalise(text).lower())


#: Texts up to this length (a sentence, a heading) have their word count memoised; whole articles do not,
#: so the memo stays small however many articles an optimisation run scores.
_MEMO_CHARS = 600


def count_words(text: str) -> int:
    """Number of :func:`words` (memoised for sentence-sized texts: the metrics count them many times)."""
    return _count_short(text) if len(text) <= _MEMO_CHARS else len(words(text))


@lru_cache(maxsize=65_536)
def _count_short(text: str) -> int:
    return len(words(text))


def sentences(text: str) -> list[str]:
    """Split prose into sentences (paragraph breaks always split)."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n(?=#)|(?<=\n)(?=[-*] )", normalise(text)):
        para = " ".join(para.split())
        if not para:
            continue
        parts = _SENT_RE.split(para)
        merged: list[str] = []
        for part in parts:
            if merged and _ends_with_abbrev(merged[-1]):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        out.extend(p.strip() for p in merged if p.strip())
    return out


def _ends_with_abbrev(sentence: str) -> bool:
    last = sentence.rstrip(".").rsplit(" ", 1)[-1]
    return last in _ABBREV or (len(last) == 1 and last.isupper())


def slugify(text: str, max_len: int = SLUG_MAX_CHARS) -> str:
    """ASCII, lower-case, hyphen-separated slug ("Économie : 3 %" -> "economie-3")."""
    ascii_text = unicodedata.normalize("NFKD", normalise(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0]
    return slug


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching ("Économie" -> "economie")."""
    decomposed = unicodedata.normalize("NFKD", normalise(text).lower())
    if decomposed.isascii():
        return decomposed
    return _combining_re().sub("", decomposed)


@lru_cache(maxsize=1)
def _combining_re() -> re.Pattern[str]:
    """Every code point with a non-zero combining class (what ``unicodedata.combining`` tests), as one
    character class: an order of magnitude faster than testing each character in Python. Built on first
    use (a scan of the code space, ~0.06 s) so importing redac stays instant."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in range(0x110000) if unicodedata.combining(chr(c))) + "]")
