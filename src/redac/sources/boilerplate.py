"""Lines that are chrome because of their neighbours: menu runs, comment threads, the masthead, and the
teaser cards after a "Lire aussi" marker.

Built on :func:`~redac.sources.chrome.chrome_kind` (one line alone); here the page's order and its
blank-line blocks decide, so a marker in the middle of an article never eats the story after it.
"""

from __future__ import annotations

import re

from redac.sources.chrome import chrome_kind, whole_line
from redac.sources.letters import UPPER
from redac.sources.model import Removed
from redac.sources.tables import is_table
from redac.text import count_words, fold

_MARKER = whole_line(r"(?:à|a)?\s*lire\s+(?:aussi|également|ensuite|plus)(?:\s+dans\s+[\w' -]{1,30})?|voir\s+aussi|"
                      r"(?:à|a)\s+voir\s+(?:aussi|également)|sur\s+le\s+même\s+sujet|dans\s+la\s+même\s+rubrique|"
                      r"les\s+plus\s+(?:lus|partagés|commentés|vus)|derni(?:er|ers|ère|ères)(?:\s+(?:articles?|"
                      r"actualités|infos|nouvelles|minute))?|à\s+la\s+une|(?:articles?|contenus?)\s+(?:similaires|liés|"
                      r"connexes|recommandés)|vous\s+(?:aimerez|pourriez\s+aimer)\s+aussi|nos\s+(?:autres\s+)?articles|"
                      r"plus\s+d'articles|read\s+(?:also|next)|related(?:\s+(?:articles|stories))?|more\s+stories|"
                      r"latest(?:\s+news)?|most\s+read|en\s+continu|recommandés?\s+pour\s+vous|ailleurs\s+sur\s+le\s+web")
_INLINE_MARKER = re.compile(r"^\W*(?:(?:à|a)\s+)?(?:lire|voir)\s+(?:aussi|également)\s*[:>›»]|^\W*(?:read\s+(?:also|"
                            r"more)|related|see\s+also)\s*[:>›»]", re.I)


def is_truncated(line: str) -> bool:
    """The line ends in "..." or "…": a teaser card's summary, or a story cut by its publisher."""
    return bool(re.search(r"(?:\.\.\.|…)\W*$", line))


def _title_like(line: str) -> bool:
    return count_words(line) <= 20 and not re.search(r"[.»\"]$", line)


def _is_prose(line: str) -> bool:
    return count_words(line) >= 8 and bool(re.search(r"[.!?»\"…]$", line))


def strip_boilerplate(paras: list[str], blocks: list[int] | None = None) -> tuple[list[str], list[Removed]]:
    """Drop page chrome lines, comment threads, the masthead, and the teaser cards after a "Lire aussi" marker.

    ``blocks`` (from :func:`~redac.sources.paragraphs.paragraphs_and_blocks`) says which lines the page grouped together
    without a blank line; without it every line is its own block. After a standalone marker:

    * the headlines listed in the marker's own block ("Lire aussi :" and three linked titles, "Les
      plus lus" and a numbered list) are teasers, up to the first line of prose;
    * otherwise only a title-like first line (the linked headline) is, so a marker in the middle of
      an article never eats the story after it;
    * a truncated "..." line is a card of a picture teaser (source_004's Telegram and Duterte
      cards): it and the headline and summary after it, up to the next chrome line, are teasers.

    A paragraph in a card is still kept when it names two of the story's proper nouns (the story
    resuming after a mid-article link).
    """
    blocks = list(range(len(paras))) if blocks is None else blocks
    kinds: list[str | None] = [None if is_table(p) else chrome_kind(p) for p in paras]
    kinds = _mark_navigation_runs(paras, kinds)
    kinds = _mark_comment_threads(paras, kinds, blocks)
    kinds = _mark_masthead(paras, kinds)
    markers = [i for i, p in enumerate(paras) if kinds[i] is None and _MARKER.match(p)]
    for i in markers:
        kinds[i] = "read_also"
    before = markers[0] if markers else 0
    story_names = _names(" ".join(p for p, k in zip(paras[:before], kinds[:before], strict=True) if k is None))

    def elsewhere(j: int) -> bool:  # a teaser for another story, not ours resuming
        return len(_names(paras[j]) & story_names) < 2

    for n, m in enumerate(markers):
        stop = markers[n + 1] if n + 1 < len(markers) else len(paras)
        listed = False
        j = m + 1
        while j < stop and blocks[j] == blocks[m]:
            if kinds[j] is None:
                if is_table(paras[j]) or not (_title_like(paras[j]) or is_truncated(paras[j])):
                    break
                kinds[j] = "teaser"
                listed = True
            j += 1
        seg = [j for j in range(m + 1, stop) if kinds[j] is None and not is_table(paras[j])]
        if not listed and seg and _title_like(paras[seg[0]]):
            kinds[seg[0]] = "teaser"
        for j in seg:
            if kinds[j] is None and is_truncated(paras[j]) and elsewhere(j):
                kinds[j] = "teaser"
                for k in range(j + 1, min(j + 3, stop)):
                    if kinds[k] is not None or is_table(paras[k]):
                        break
                    if elsewhere(k):
                        kinds[k] = "teaser"
    for i, p in enumerate(paras):
        if kinds[i] is None and _INLINE_MARKER.match(p):
            kinds[i] = "read_also"
    kept = [p for p, k in zip(paras, kinds, strict=True) if k is None]
    removed = [Removed(kind=k, text=p) for p, k in zip(paras, kinds, strict=True) if k is not None]
    return kept, removed


_OPENERS = frozenset(fold(w) for w in "le la les l un une des du de d au aux ce cette ces il ils elle elles on nous "
                     "dans sur selon pour par avec sans comme durant pendant apres avant depuis lors mais et en sa "
                     "son ses leur leurs cela tous toutes the a an in on for".split())


def _names(text: str) -> set[str]:
    """Capitalised words (proper nouns, mostly), folded; sentence openers like "Les" are ignored."""
    found = re.findall(rf"(?<![\w'])[{UPPER}][\w-]{{2,}}", text)
    return {fold(w) for w in found} - _OPENERS


def _mark_navigation_runs(paras: list[str], kinds: list[str | None]) -> list[str | None]:
    """Four or more consecutive one-to-three-word lines without punctuation are a menu, not prose."""
    out = list(kinds)
    short = [k is None and count_words(p) <= 3 and not re.search(r"[.!?,;]", p)
             for p, k in zip(paras, kinds, strict=True)]
    i = 0
    while i < len(paras):
        j = i
        while j < len(paras) and short[j]:
            j += 1
        if j - i >= 4:
            for k in range(i, j):
                out[k] = "navigation"
        i = max(j, i + 1)
    return out


_PSEUDO = r"[\w.'-]{2,30}"
_COMMENT_POST = re.compile(rf"^{_PSEUDO}\s*(?::|—|–|\s-)\s+\S")
_HANDLE = re.compile(r"^[\w.'-]*(?:\d|_|[a-zà-ÿ][A-ZÀ-Þ])[\w.'-]*\s*(?::|—|–|\s-)\s")  # "TrailDu12 :", "Le_Causse —"
_COMMENT_STAMP = re.compile(rf"^{_PSEUDO}\s*[·•|,–—-]\s*(?:il\s+y\s+a\s+\d+\s*\w+|hier|aujourd'hui|le\s+\d{{1,2}}\b"
                            r"[^.!?]{0,30}|\d{1,2}\s*[h:]\s*\d{2})\W*$", re.I)


def _mark_comment_threads(paras: list[str], kinds: list[str | None], blocks: list[int]) -> list[str | None]:
    """Readers' comments under a "12 commentaires" header, in the header's own block: "JuraLibre39 · il y a
    3 heures" and the text under it, "TrailDu12 : Quel monstre !", "Abeille46 — ...".

    A "Name : text" line is a comment only once the thread is established by a user handle (digits,
    underscore, "CamelCase") or a time stamp, so a story line such as "Résultat : ..." that happens
    to follow a comment counter is kept.
    """
    out = list(kinds)
    for i, kind in enumerate(kinds):
        if kind != "comments":
            continue
        j, under_stamp, thread = i + 1, False, False
        while j < len(paras) and blocks[j] == blocks[i]:
            post = _COMMENT_POST.match(paras[j]) and count_words(paras[j]) <= 80
            if out[j] == "comments":
                under_stamp = False
            elif out[j] is not None or is_table(paras[j]):
                break
            elif _COMMENT_STAMP.match(paras[j]):
                under_stamp = thread = True
                out[j] = "comments"
            elif under_stamp or (post and (thread or _HANDLE.match(paras[j]))):
                under_stamp, thread = False, True
                out[j] = "comments"
            else:
                break
            j += 1
    return out


def _mark_masthead(paras: list[str], kinds: list[str | None]) -> list[str | None]:
    """On a web page, the short lines above the headline: the site's name ("MONDE EXPRESS", "L'Écho de la
    Brenne") and the section label ("Immobilier", "Faits divers").

    Only in the page header (before the first sentence of prose), only when that header holds other
    chrome (menus, cookie text: a web page, not a dispatch whose title happens to be short), and
    only above a longer title-like line (the headline), so a dispatch's own short title is kept.
    Story subheadings, even in capitals ("LA BOURSE SANCTIONNE"), come after the lede and are kept.
    """
    out = list(kinds)
    end = next((i for i, (p, k) in enumerate(zip(paras, kinds, strict=True)) if k is None and _is_prose(p)),
               len(paras))
    if not any(k is not None for k in kinds[:end]):
        return out
    heads = [i for i in range(end) if kinds[i] is None and not is_table(paras[i]) and _title_like(paras[i])
             and count_words(paras[i]) >= 6]
    for i in range(heads[-1] if heads else 0):
        if kinds[i] is None and count_words(paras[i]) <= 5 and not re.search(r"[\d.!?:;,«»\"()]", paras[i]):
            out[i] = "masthead"
    return out
