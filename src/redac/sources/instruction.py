"""The editor's request line ("Make this article seo compatible, ... at least 700 words") -> :class:`Targets`.

The request is pasted above (or glued to, or below) the story; it must leave the body, and its word,
subheading and language demands override the house rules. English and French phrasings are read.
"""

from __future__ import annotations

import re

from redac.sources.letters import UPPER
from redac.sources.model import Targets
from redac.text import count_words, normalise

_NUM = r"\d{1,3}(?:[ ,.]\d{3})+(?!\d)|\d+"
_SMALL = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
          "huit": 8, "neuf": 9, "dix": 10}
_CNT = rf"(?:{_NUM}|{'|'.join(sorted(_SMALL, key=len, reverse=True))})"
_WORDS = r"(?:words?|mots?)"  # no trailing \b: "700 wordsla Russie" (source_002) is glued
_SUBS = (r"(?:sub-?headings?|subheads?|sub-?titles?|headings?|headers?|h2s?|sections?|"
         r"inter-?titres?|sous-titres?|titres? de section)")
_LANGS = {"french": "fr", "français": "fr", "francais": "fr", "english": "en", "anglais": "en",
          "spanish": "es", "espagnol": "es", "german": "de", "allemand": "de", "italian": "it", "italien": "it",
          "portuguese": "pt", "portugais": "pt", "dutch": "nl", "néerlandais": "nl"}
_LANG_RE = rf"(?:{'|'.join(_LANGS)})"

_MIN_Q = (r"(?:at least|a minimum of|minimum of|minimum|min\.?|no (?:less|fewer) than|not (?:less|fewer) than|"
          r"(?<!no )(?<!not )more than|over|au moins|au minimum|un minimum de|minimum de|pas moins de|"
          r"(?<!pas )plus de|d'au moins)")
_MAX_Q = (r"(?:at most|no more than|not more than|a maximum of|maximum of|maximum|max\.?|up to|"
          r"(?<!no )(?<!not )(?:less|fewer) than|under|au plus|au maximum|un maximum de|maximum de|pas plus de|"
          r"jusqu'à|(?<!pas )(?<!au )moins de|sans dépasser|ne dépassant pas)")

# Directive phrases: each one is a request clause. Used both to recognise an instruction line and to
# find where a glued instruction ends.
_DIRECTIVE = re.compile(
    r"\b(?:please|merci de|instructions?\s*:|consignes?\s*:|"
    r"make|write|rewrite|create|produce|generate|turn|add|include|use|give|keep|optimi[sz]e|"
    r"let there be|there should be|it should be|should be|must be|be in|be written in|"
    r"rédige[rz]?|écris|écrivez|écrire|réécris|réécrivez|crée[rz]?|fais|faites|produis|produisez|"
    r"génère[rz]?|ajoute[rz]?|utilise[rz]?|mets|mettez|optimise[rz]?|transforme[rz]?)\b"
    r"|\b(?:an?|the|this|cet|un|l')\s*(?:seo\s+)?(?:article|text|texte|post|billet)\b"
    rf"|\bseo\b(?:[- ](?:compatible|friendly|optimi[sz]ed|optimisé))?|\bréférencement\b"
    rf"|\b(?:{_MIN_Q}|{_MAX_Q}|between|entre|de|from|about|around|environ|d'environ)?\s*{_CNT}"
    rf"(?:\s*(?:-|–|to|à|and|et)\s*{_CNT})?\s*{_WORDS}"
    rf"|\b(?:no|without|sans|pas d'|aucun|{_MIN_Q}|{_MAX_Q}|between|entre|with|avec|des|d')?\s*(?:{_CNT}\s*)?"
    rf"(?:(?:-|–|to|à|and|et)\s*{_CNT}\s*)?{_SUBS}(?:\b|(?=(?-i:[A-ZÀ-Þ])))"  # "5 subheadingsUne espèce": glued
    rf"|\b(?:(?:be |written |rédigé |écrit )?in {_LANG_RE}|en {_LANG_RE}|language\s*[:=]\s*[a-z]{{2}})\b",
    re.I,
)
_STRONG = re.compile(rf"{_WORDS}|{_SUBS}|\bseo\b|\brédige|\bwrite\b|\bécri|\bmake\b|\bcreate\b", re.I)
_CONTINUATION = re.compile(r"^(?:about|on|regarding|sur|à propos|concernant|autour|pour|for|with|avec|"
                           r"focus|insist|mention|include|use|keep|make|write|add|the|le ton|ton|style)\b", re.I)


def split_instruction(text: str) -> tuple[str | None, str]:
    """Separate the editor's request ("Make this article seo compatible, ... at least 700 words") from the story.

    The request is read at the head of the text (several lines may be requests) and, as a whole
    line, at the tail. When the request is glued to the story with no newline (source_002:
    "...at least 700 wordsla Russie le ministre..."), the cut is made at the end of the last directive
    clause of the chain that starts the line.
    """
    lines = text.split("\n")
    found: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        instruction, rest = _split_instruction_line(lines[i])
        if instruction is None:
            break
        found.append(instruction)
        if rest:
            lines[i] = rest
            break
        lines[i] = ""
        i += 1
    tail = max((j for j, line in enumerate(lines) if line.strip()), default=None)
    if tail is not None and (not found or tail > i):
        instruction, rest = _split_instruction_line(lines[tail])
        if instruction is not None and not rest and count_words(lines[tail]) <= 40:
            found.append(instruction)
            lines[tail] = ""
    if not found:
        return None, text
    return "\n".join(found), "\n".join(lines).strip("\n")


def _split_instruction_line(line: str) -> tuple[str | None, str]:
    """(instruction, rest of the line) when ``line`` starts with a request, else (None, line)."""
    stripped = line.strip()
    chain: list[re.Match[str]] = []
    for m in _DIRECTIVE.finditer(stripped):
        if not m.group(0).strip():
            continue
        gap = m.start() - (chain[-1].end() if chain else 0)
        if gap > (12 if not chain else 45):
            break
        chain.append(m)
    strong = [m for m in chain if _STRONG.search(m.group(0))]
    n_words = count_words(stripped)
    if not strong or (len(chain) < 2 and n_words > 8):
        return None, line
    # A request is mostly directive clauses: a story line that merely starts with "Use" and mentions
    # "300 words" is not one.
    end = chain[-1].end()
    covered = sum(len(m.group(0).strip()) for m in chain)
    if covered < 0.4 * end:
        return None, line
    rest = stripped[end:]
    glued = bool(re.match(r"[^\W\d_]", rest))  # "wordsla Russie": a letter right after the last directive
    rest_clean = rest.lstrip(" ,.;:!-–—)")
    new_sentence = re.match(r"\s*[.!?:]", rest) and re.match(rf"[«\"]?\s*[{UPPER}]", rest_clean)
    if glued or (new_sentence and count_words(rest_clean) >= 12 and not _CONTINUATION.match(rest_clean)):
        return stripped[:end].strip(), rest_clean.strip()
    if not rest_clean or _CONTINUATION.match(rest_clean) or covered >= 0.4 * len(stripped):
        return stripped, ""  # "...900 mots sur la visite de Poutine": the topic is part of the request
    return None, line


def _num(token: str) -> int:
    token = token.strip().lower()
    if token in _SMALL:
        return _SMALL[token]
    return int(re.sub(r"[ ,.]", "", token))


def parse_targets(instruction: str, base: Targets | None = None) -> Targets:
    """Read word counts, subheading counts and language from a request, in English or French.

    Rules: "N words" or "at least N" sets the minimum; "no more than N" the maximum; "between N and
    M" both. An upper bound below the house minimum lowers the minimum to 80 % of it (a window, not an
    exact count). "without subheadings" means zero; "N subheadings" means exactly N.
    """
    t = (base or Targets()).model_copy()
    text = " ".join(normalise(instruction).split())
    low = text.lower()
    upd: dict[str, object] = {}

    if m := re.search(rf"\b(?:between|entre|from|de)\s+({_NUM})\s*(?:and|et|to|à|-|–)\s*({_NUM})\s*{_WORDS}", low) \
            or re.search(rf"\b({_NUM})\s*(?:-|–|to|à)\s*({_NUM})\s*{_WORDS}", low):
        lo, hi = sorted((_num(m.group(1)), _num(m.group(2))))
        upd |= {"min_words": lo, "max_words": hi}
    else:
        mx = re.search(rf"{_MAX_Q}\s+({_NUM})\s*{_WORDS}|\b({_NUM})\s*{_WORDS}\s*(?:maximum|max\b|at most|au plus|"
                       r"or (?:less|fewer)|ou moins)", low)
        mn = re.search(rf"{_MIN_Q}\s+({_NUM})\s*{_WORDS}|\b({_NUM})\s*{_WORDS}\s*(?:minimum|min\b|at least|au moins|"
                       r"or more|ou plus)", low)
        if mx:
            upd["max_words"] = _num(mx.group(1) or mx.group(2))
        if mn:
            upd["min_words"] = _num(mn.group(1) or mn.group(2))
        if not mx and not mn and (plain := re.search(rf"\b({_NUM})\s*{_WORDS}", low)):
            upd["min_words"] = _num(plain.group(1))
    if "max_words" in upd and "min_words" not in upd and t.min_words > upd["max_words"]:  # type: ignore[operator]
        upd["min_words"] = max(1, int(upd["max_words"] * 0.8))  # type: ignore[operator]
    if "max_words" in upd and "min_words" in upd and upd["min_words"] > upd["max_words"]:  # type: ignore[operator]
        upd["min_words"], upd["max_words"] = upd["max_words"], upd["min_words"]

    if re.search(rf"\b(?:no|without|sans|pas d'|aucun|zero|zéro|0)\s+(?:any\s+)?{_SUBS}", low):
        upd |= {"subheadings": False, "min_subheadings": 0, "max_subheadings": 0}
    elif m := re.search(rf"\b(?:between|entre|from|de)\s+({_CNT})\s*(?:and|et|to|à|-|–)\s*({_CNT})\s*{_SUBS}", low) \
            or re.search(rf"(?<![\w'])({_CNT})\s*(?:-|–|to|à)\s*({_CNT})\s*{_SUBS}", low):
        lo, hi = sorted((_num(m.group(1)), _num(m.group(2))))
        upd |= {"subheadings": True, "min_subheadings": lo, "max_subheadings": hi}
    else:
        mx = re.search(rf"{_MAX_Q}\s+({_CNT})\s*{_SUBS}", low)
        mn = re.search(rf"{_MIN_Q}\s+({_CNT})\s*{_SUBS}", low)
        exact = re.search(rf"(?<![\w'])({_CNT})\s+{_SUBS}", low)
        if mx:
            upd["max_subheadings"] = _num(mx.group(1))
            if t.min_subheadings > upd["max_subheadings"]:  # type: ignore[operator]
                upd["min_subheadings"] = upd["max_subheadings"]
        if mn:
            upd["min_subheadings"] = _num(mn.group(1))
        if exact and not mx and not mn:
            upd["min_subheadings"] = upd["max_subheadings"] = _num(exact.group(1))
        if mx or mn or exact or re.search(_SUBS, low):
            upd["subheadings"] = True

    if m := re.search(rf"\b(?:in|en)\s+({_LANG_RE})\b", low) or re.search(r"\blanguage\s*[:=]\s*([a-z]{2})\b", low):
        upd["language"] = _LANGS.get(m.group(1), m.group(1))
    return t.model_copy(update=upd)


def is_glued_instruction(text: str, instruction: str | None) -> bool:
    """True when the request ran straight into the story with no separator ("700 wordsla Russie")."""
    if not instruction:
        return False
    last = instruction.split("\n")[-1]
    idx = text.find(last)
    return idx >= 0 and text[idx + len(last): idx + len(last) + 1].isalpha()
