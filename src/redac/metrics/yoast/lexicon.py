"""The French word lists of Yoast SEO, loaded once from ``redac/resources/yoast/fr.json``.

The file is exported from the npm package ``yoastseo`` (GPL-3.0; version and paths in its ``source``
field) by ``tests/metrics/yoast/export_wordlists.js``; the agreement test checks it still equals the
pinned package's lists. Kept as data, not code, so an upgrade is one re-export.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class FrenchLexicon:
    """Yoast's French configuration (``languages/fr/config``), as sets and tuples."""

    source: str
    function_words: frozenset[str]               # config/functionWords.js `all`: not keyphrase content words
    transition_words: tuple[tuple[str, ...], ...]  # config/transitionWords.js, each split on spaces
    two_part_transition_words: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    first_word_exceptions: frozenset[str]        # config/firstWordExceptions.js (sentence beginnings)
    stop_words: tuple[str, ...]                  # config/stopWords.js: clause breakers (passive voice)
    passive_auxiliaries: tuple[str, ...]         # config/internal/passiveVoiceAuxiliaries.js
    not_between_auxiliary_and_participle: frozenset[str]
    not_directly_before_participle: frozenset[str]
    irregular_participles: frozenset[str]        # + e, s, es
    irregular_participles_in_s: frozenset[str]   # + e, es
    irregular_participles_fixed: frozenset[str]
    adjective_exceptions: frozenset[str]         # participle-looking adjectives and intransitive verbs
    noun_exceptions: frozenset[str]
    other_exceptions: frozenset[str]
    transliterations: tuple[tuple[re.Pattern[str], str], ...]
    syllables: dict[str, Any]                    # config/syllables.json


@lru_cache(maxsize=1)
def lexicon() -> FrenchLexicon:
    """The shipped French lists (read once per process)."""
    raw = json.loads(resources.files("redac").joinpath("resources/yoast/fr.json").read_text(encoding="utf-8"))
    return FrenchLexicon(
        source=raw["source"],
        function_words=frozenset(raw["function_words"]),
        transition_words=tuple(tuple(w.lower().split(" ")) for w in raw["transition_words"]),
        two_part_transition_words=tuple((tuple(a.lower().split(" ")), tuple(b.lower().split(" ")))
                                        for a, b in raw["two_part_transition_words"]),
        first_word_exceptions=frozenset(raw["first_word_exceptions"]),
        stop_words=tuple(raw["stop_words"]),
        passive_auxiliaries=tuple(raw["passive_auxiliaries"]),
        not_between_auxiliary_and_participle=frozenset(raw["cannot_be_between_passive_auxiliary_and_participle"]),
        not_directly_before_participle=frozenset(raw["cannot_directly_precede_passive_participle"]),
        irregular_participles=frozenset(raw["participles_irregular_regular"]),
        irregular_participles_in_s=frozenset(raw["participles_irregular_ending_in_s"]),
        irregular_participles_fixed=frozenset(raw["participles_irregular_irregular"]),
        adjective_exceptions=frozenset(raw["participle_exceptions_adjectives_verbs"]),
        noun_exceptions=frozenset(raw["participle_exceptions_nouns"]),
        other_exceptions=frozenset(raw["participle_exceptions_others"]),
        transliterations=tuple((re.compile(f"[{re.escape(chars)}]"), alt) for chars, alt in raw["transliterations"]),
        syllables=raw["syllables"],
    )


def transliterate(text: str) -> str:
    """Yoast's French transliteration (accents off): ``élection`` → ``election``."""
    for pattern, alternative in lexicon().transliterations:
        text = pattern.sub(alternative, text)
    return text
