"""French passive voice, as Yoast SEO detects it (periphrastic: a form of *être* + a past participle).

A port of yoastseo's ``helpers/passiveVoice/periphrastic/getClauses.js`` with the French options of
``languages/fr/helpers/getClauses.js``: the lower-cased sentence is cut into clauses at auxiliaries,
stop words and commas; a clause starting with an auxiliary (not a reflexive ``se``/``me`` before it, not
``c'``/``s'``, not ``le``/``la``/``une`` after it) is passive if it holds a participle (``-é(e)(s)`` or an
irregular one, ``helpers/internal/getParticiples.js``) that is not on the exception lists
(``values/Clause.js``: adjectives, nouns, a word that cannot precede a participle...).
"""

from __future__ import annotations

import re
from functools import lru_cache

from redac.metrics.yoast.lexicon import lexicon
from redac.metrics.yoast.sentences import get_words

_BOUNDARY = frozenset(" \n\r\t\u00a0\u06d4\u061f\u060c\u061b.,'()\"+-;!?:/»«‹›<>”“〝〞〟‟„")
_WB = r"[ \u00a0\u2014\u06d4\u061f\u060C\u061B\n\r\t.,()”“〝〞〟‟„\"+\-;!¡?¿:/»«‹›<>"
_REGULAR = re.compile(r"\S+(é|ée|és|ées)($|[ \n\r\t.,'()\"+\-;!?:/»«‹›<>])", re.I)
_STOP_CHARACTER = re.compile(r",(?=[ \n\r\t'\"+\-»«‹›<>])")
_ELISION = re.compile(r"c'|s'|peut-")
_SINGLE_QUOTES = re.compile("[‘’‛`‹›]")


def _word_regex(words: list[str] | tuple[str, ...]) -> re.Pattern[str]:
    """createRegexFromArray with Yoast's word boundaries (the end one a look-ahead)."""
    body = "|".join(f"(?:{re.escape(w)})" for w in words)
    return re.compile(f"(?:^|{_WB}'‘’‛`])(?:{body})(?:$|(?={_WB}])|['‘’‛`]{_WB}])", re.I)


@lru_cache(maxsize=1)
def _regexes() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    lex = lexicon()
    return (_word_regex(lex.passive_auxiliaries),
            _word_regex(["se", "me", "te", "s'y", "m'y", "t'y", "nous nous", "vous vous"]),
            _word_regex(["le", "la", "les", "une", "l'un", "l'une"]))


def _indices_of(word: str, text: str) -> list[tuple[int, str]]:
    """getIndicesByWord: each occurrence of ``word`` between boundary characters."""
    out, start, n = [], 0, len(word)
    while word and (i := text.find(word, start)) > -1:
        before = i == 0 or text[i - 1] in _BOUNDARY
        after = i + n == len(text) or (i + n < len(text) and text[i + n] in _BOUNDARY)
        if before and after:
            out.append((i, word))
        start = i + n
    return out


def _ends(matches: list[tuple[int, str]], space: int) -> set[int]:
    return {i + len(m) + space for i, m in matches}


def _found(regex: re.Pattern[str], text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in regex.finditer(text)]


_PARTS = re.compile("[" + re.escape("".join(sorted(_BOUNDARY))) + "]")


def _present(words: tuple[str, ...], text: str) -> list[str]:
    """The words of the list that may occur in ``text`` between boundaries (a cheap pre-filter: a word
    without boundary characters must be one of the text's parts)."""
    parts = set(_PARTS.split(text))
    return [w for w in words if (w in parts) if not _PARTS.search(w)] + [w for w in words if _PARTS.search(w)
                                                                           and w in text]


def _breakers(sentence: str) -> list[tuple[int, str]]:
    auxiliary, reflexive, _ = _regexes()
    lex = lexicon()
    aux = [x for w in _present(lex.passive_auxiliaries, sentence) for x in _indices_of(w.strip(), sentence)]
    stops = [x for w in _present(lex.stop_words, sentence) for x in _indices_of(w.strip(), sentence)]
    commas = [(m.start(), m.group()) for m in _STOP_CHARACTER.finditer(sentence)]
    after_reflexive = _ends(_found(reflexive, sentence), 1)
    after_elision = _ends(_found(_ELISION, sentence), 0)
    aux = [x for x in aux if x[0] not in after_reflexive and x[0] not in after_elision]
    indices = sorted(aux + stops + commas)
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(indices):
        out.append(indices[i])
        if i + 1 < len(indices) and indices[i + 1][0] < indices[i][0] + len(indices[i][1]):
            i += 1
        i += 1
    return out


def _auxiliaries(clause: str) -> list[str]:
    auxiliary, reflexive, following = _regexes()
    matched = [m.group().strip() for m in auxiliary.finditer(clause)]
    found = [x for w in matched for x in _indices_of(w, clause)]
    after_reflexive = _ends(_found(reflexive, clause), 1)
    followed = {i for i, _ in _found(following, clause)}
    return [m for i, m in found if i not in after_reflexive and i + len(m) not in followed]


def _is_participle(word: str) -> bool:
    lex = lexicon()
    if _REGULAR.search(word) or word in lex.irregular_participles_fixed:
        return True
    stems = {word, word[:-1] if word[-1:] in "es" else "", word[:-2] if word.endswith("es") else ""}
    stems_in_s = {word, word[:-1] if word.endswith("e") else "", word[:-2] if word.endswith("es") else ""}
    return bool(stems & lex.irregular_participles) or bool(stems_in_s & lex.irregular_participles_in_s)


def _is_exception(participle: str, words: list[str]) -> bool:
    lex = lexicon()
    p = participle
    if p.startswith(("l'", "d'")) or p in lex.other_exceptions:
        return True
    adjective = p[:-2] if p.endswith("es") else p[:-1] if p.endswith(("e", "s")) else p
    if p in lex.adjective_exceptions or adjective in lex.adjective_exceptions:
        return True
    if p in lex.noun_exceptions or (p.endswith("s") and p[:-1] in lex.noun_exceptions):
        return True
    index = words.index(p) if p in words else -1
    if index >= 1 and words[index - 1] in lex.not_directly_before_participle:
        return True
    return index >= 1 and any(w in lex.not_between_auxiliary_and_participle for w in words[:index])


def _passive_clause(clause: str) -> bool:
    words = [w.lower() for w in get_words(clause)]
    return any(_is_participle(w) and not _is_exception(w, words) for w in words)


@lru_cache(maxsize=50_000)
def is_passive(sentence: str) -> bool:
    """Whether Yoast counts ``sentence`` as passive."""
    text = _SINGLE_QUOTES.sub("'", sentence.lower())
    if not _regexes()[0].search(text):
        return False
    cuts = _breakers(text)
    for k, (start, _) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(text)
        clause = text[start:end].strip()
        if _auxiliaries(clause) and _passive_clause(clause):
            return True
    return False
