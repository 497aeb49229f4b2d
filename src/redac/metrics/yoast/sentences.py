"""Yoast SEO's sentence tokenizer, word tokenizer and word rules, on plain text.

A port of yoastseo's ``helpers/sentence/SentenceTokenizer.js`` (the tokenizer2 rules and
``getSentencesFromTokens``), ``helpers/word/splitIntoTokens.js`` + ``createPunctuationTokens.js`` and
``getWords.js`` / ``removePunctuation.js``. Yoast counts sentences, words and keyphrase matches with
these rules, so redac must split exactly where Yoast splits: a full stop ends a sentence only before a
space and a capital, digit or quote; "?" and "!" before any space; "…" and closing quotes like a stop.
"""

from __future__ import annotations

import re
from functools import lru_cache

_DELIMITERS = "”〞〟„』›»’‛`\"?!…۔؟"
_TOKEN = re.compile(
    r"(?P<full>\.)"
    rf"|(?P<delim>[{re.escape(_DELIMITERS)}])"
    r"|(?P<bstart>\s*[\[({]\s*)"
    r"|(?P<bend>[\])}]\s*)"
    rf"|(?P<text>[^.{re.escape(_DELIMITERS)}()\[\]{{}}]+)"
    r"|(?P<other>.)", re.S)
_SINGLE_QUOTES = "'‘’‛`‹›"
_DOUBLE_QUOTES = "\"“”〝〞〟‟„『』«»"
# English abbreviations Yoast never ends a sentence on (languages/en/config/abbreviations.js).
_ABBREVIATIONS = ("A.D.", "Adm.", "Adv.", "B.C.", "Br.", "Brig.", "Cmrd.", "Col.", "Cpl.", "Cpt.", "Dr.", "Esq.",
                  "Fr.", "Gen.", "Gov.", "Hon.", "Jr.", "Lieut.", "Lt.", "Maj.", "Mr.", "Mrs.", "Ms.", "Msgr.",
                  "Mx.", "No.", "Pfc.", "Pr.", "Prof.", "Pvt.", "Rep.", "Reps.", "Rev.", "Rt. Hon.", "Sen.",
                  "Sens.", "Sgt.", "Sps.", "Sr.", "St.", "vs.", "i.e.", "e.g.", "viz.", "Mt.")
_WB = r"[ \u00a0\u2014\n\r\t.,()”“〝〞〟‟„\"+\-;!¡?¿:/»«‹›<>]"
_ABBREVIATION_END = re.compile(
    "(?:" + "|".join(rf"(?:^|{_WB}){re.escape(a)}" for a in _ABBREVIATIONS) + r")$", re.I)
_INITIAL = re.compile(r"(?:^|[ \n\r\t\u00a0\u06d4\u061f\u060c\u061b.,'()\"+\-;!?:/»«‹›<>”“〝〞〟‟„])[A-Za-z]$")

# Word tokens (splitIntoTokens.js) and punctuation (removePunctuation.js).
_SEPARATORS = re.compile(r"([\s\u00A0\u2013\u2014\u002d\[\]]|#nbsp;)")
PUNCTUATION = ("–-()_[]’‘“”〝〞〟‟„\"'.?!:;,¿¡«»‹›\u2014\u00d7\u002b\u0026\u06d4\u061f\u060C\u061B\u3002\uff61"
               "\uff01\u203c\uff1f\u2047\u2049\u2048\u2025\u2026\u30fb\u30fc\u3001\u3003\u3004\u3006\u3007\u3008"
               "\u3009\u300a\u300b\u300c\u300d\u300e\u300f\u3010\u3011\u3012\u3013\u3014\u3015\u3016\u3017\u3018"
               "\u3019\u301a\u301b\u301c\u301d\u301e\u301f\u3020\u3036\u303c\u303d\uff5b\uff5d\uff5c\uff5e\uff5f"
               "\uff60\uff62\uff63\uff64\uff3b\uff3d\uff65\uffe5\uff04\uff05\uff20\uff06\uff07\uff08\uff09\uff0a"
               "\uff0f\uff1a\uff1b\uff1c\uff1e\uff3c<>")
_PUNCT_START = re.compile(f"^[{re.escape(PUNCTUATION)}]+")
_PUNCT_END = re.compile(f"[{re.escape(PUNCTUATION)}]+$")
_LOWER_ABBREVIATIONS = frozenset(a.lower() for a in _ABBREVIATIONS)
_PUNCT_SET = frozenset(PUNCTUATION)


_QUOTES = str.maketrans({**dict.fromkeys("‘’‛`‹›", "'"), **dict.fromkeys("“”〝〞〟‟„『』«»", '"')})


def normalise_quotes(text: str) -> str:
    """Yoast's quote normalisation (sanitize/quotes.js): curly and angle quotes become ' and "."""
    return text.translate(_QUOTES)


def _is_quote(ch: str) -> bool:
    return ch in _SINGLE_QUOTES or ch in _DOUBLE_QUOTES


def _valid_beginning(ch: str) -> bool:
    """A capital, a digit, a quote or an inverted mark may start a sentence (isValidSentenceBeginning)."""
    return bool(ch) and (ch != ch.lower() or ch.isdigit() or _is_quote(ch) or ch in "¿¡"
                         or "\u0590" <= ch <= "\u06ff")


def _next_two(tokens: list[tuple[str, str]], i: int) -> str:
    nxt = "".join(src for _, src in tokens[i + 1:i + 3])
    return re.sub(r"\s+", " ", nxt, count=1)


def split_sentences(text: str) -> list[str]:
    """Yoast's sentences of one block of plain text (trimmed, empty ones dropped)."""
    tokens = [(m.lastgroup or "text", m.group()) for m in _TOKEN.finditer(text)]
    out: list[str] = []
    current = ""
    for i, (kind, src) in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        prev = tokens[i - 1] if i > 0 else None
        chars = _next_two(tokens, i)
        has_next = len(chars) >= 2
        start = chars[1] if has_next else ""
        current += src
        if kind == "delim":
            if nxt is None or nxt[0] in ("bend", "delim") or not nxt[1][:1].isspace():
                continue
            if _is_quote(src) and prev is not None and prev[1] != ".":
                continue
            if _is_quote(src) or src == "…":
                if has_next and _valid_beginning(start) and chars[0].isspace():
                    out.append(current)
                    current = ""
            else:
                out.append(current)
                current = ""
        elif kind == "full":
            # The longest abbreviation has 8 characters: looking at the last 10 is the same test, faster.
            if _ABBREVIATION_END.search(current[-10:]) or (has_next and chars[0].isdigit()):
                continue
            after = tokens[i + 2] if i + 2 < len(tokens) else None
            if (prev and nxt and after and prev[0] == "text" and _INITIAL.search(prev[1])
                    and nxt[0] == "text" and len(nxt[1].strip()) == 1 and after[0] == "full"):
                continue
            if has_next and _valid_beginning(start) and chars[0].isspace():
                out.append(current)
                current = ""
        elif kind == "bend":
            first = chars[0] if has_next else ""
            ended = prev is not None and prev[0] in ("full", "delim")
            if (has_next and first.isdigit()) or (ended and not _valid_beginning(first)):
                continue
            if ended and _valid_beginning(first):
                out.append(current)
                current = ""
    if current:
        out.append(current)
    return [s.strip() for s in out if s.strip()]


@lru_cache(maxsize=200_000)
def split_tokens(sentence: str) -> tuple[str, ...]:
    """Yoast's tokens of a sentence: words, separators (spaces, hyphens, dashes) and punctuation marks."""
    out: list[str] = []
    for raw in _SEPARATORS.split(sentence):
        if not raw:
            continue
        if raw[0] not in _PUNCT_SET and raw[-1] not in _PUNCT_SET:
            out.append(raw)
            continue
        pre: list[str] = []
        post: list[str] = []
        while raw and _PUNCT_START.match(raw):
            pre.append(raw[0])
            raw = raw[1:]
        while raw and _PUNCT_END.search(raw) and raw.lower() not in _LOWER_ABBREVIATIONS:
            post.insert(0, raw[-1])
            raw = raw[:-1]
        out += [t for t in (*pre, raw, *post) if t]
    return tuple(out)


def strip_punctuation(word: str) -> str:
    """removePunctuation.js: punctuation off both ends (``«Bonjour»,`` → ``Bonjour``)."""
    if "\u00a0" in word or "&amp" in word or "\\" in word:
        word = word.replace("\u00a0", " ").replace("&amp", "").replace("\\", "")
    if not word or (word[0] not in _PUNCT_SET and word[-1] not in _PUNCT_SET):
        return word
    return _PUNCT_END.sub("", _PUNCT_START.sub("", word))


def _word(token: str) -> str:
    """strip_punctuation with a fast path for the common token that needs none."""
    if token and token[0] not in _PUNCT_SET and token[-1] not in _PUNCT_SET and "&amp" not in token \
            and "\\" not in token and "\u00a0" not in token:
        return token
    return strip_punctuation(token)


def words_of_tokens(tokens: tuple[str, ...], *, split_on_hyphens: bool = True) -> list[str]:
    """getWordsFromTokens: the words among tokens; without hyphen splitting ``grands-parents`` is one."""
    texts = list(tokens)
    if not split_on_hyphens and "-" in texts:
        merged: list[str] = []
        i = 0
        while i < len(texts):
            if texts[i] == "-" and merged and i + 1 < len(texts):
                merged[-1] = merged[-1] + "-" + texts[i + 1]
                i += 2
                continue
            if texts[i] != "-":
                merged.append(texts[i])
            i += 1
        texts = merged
    return [w for w in map(_word, texts) if w and not w.isspace()]


def get_words(text: str) -> list[str]:
    """getWords.js: whitespace-separated words with edge punctuation removed (hyphenated words stay one)."""
    return [w for w in map(_word, text.split()) if w and not w.isspace()]
