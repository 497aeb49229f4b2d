"""Repairs inside a paragraph: agency credits, sentences glued by punctuation, glued link headlines, trailers.

Scraping loses line breaks and spaces, so page furniture ends up inside story sentences
("Ukraine.Lim", "(PA)Au cours", "...de l'ONU.Source link -57"). Only punctuation and whole
furniture fragments are touched; the story's words are never changed.
"""

from __future__ import annotations

import re

from redac.sources.letters import LOWER, UPPER
from redac.sources.model import Removed
from redac.text import count_words

_AGENCIES = r"(?:AP|AFP|PA|Reuters|REUTERS|EPA|Getty Images|Getty|Sipa|SIPA|Maxppp|MAXPPP|Abaca|ABACA|Yonhap|KCNA/KNS)"
_CREDIT = re.compile(rf"\s*\((?:{_AGENCIES}|(?:photos?|crédits?(?:\s+photos?)?|credits?)\s*:\s*[^()]{{1,80}}|"
                     rf"photo\s+{_AGENCIES}|[^()]{{0,160}}\bvia\s+{_AGENCIES})\)(?!\s*[-–—]\s)", re.I)


def strip_credits(para: str) -> tuple[str, list[Removed]]:
    """Remove photo agency credits "(PA)" and "(... via AP)" glued to captions in source_002.

    They carry no fact and their parentheses glue the next sentence (")Au cours"). The caption
    sentence itself stays: it may hold facts (a date, a place) found nowhere else. A dateline
    credit ("PARIS (AFP) - ...") is left alone.
    """
    removed = [Removed(kind="caption_credit", text=m.group(0).strip()) for m in _CREDIT.finditer(para)]
    return (_CREDIT.sub(" ", para) if removed else para), removed


_GLUE = [
    # "Ukraine.Lim", "Pyongyang.Le", "étranger.KCNA": a word of 2+ lower-case letters, the stop, a capital.
    # Excludes "U.S.A", "J.-C.Le" (upper-case before the stop) and decimals "3.5" (digits).
    re.compile(rf"(?<=[{LOWER}]{{2}}[.!?])(?=[{UPPER}«])"),
    # "« à sa convenance ».KCNA": a stop after a closing quote or parenthesis, then a capital.
    re.compile(rf"(?<=[»\"”)][.!?])(?=[{UPPER}«])"),
    re.compile(rf"(?<=[{LOWER}]\.\.\.)(?=[{UPPER}])|(?<=[{LOWER}]…)(?=[{UPPER}])"),
    # '...fin."Le' / ".»Après" and a closing guillemet stuck to the next word: "»Après".
    re.compile(rf"(?<=[.!?][\"”»])(?=[{UPPER}])|(?<=»)(?=[\w«])"),
    # ")Le": a closing parenthesis directly followed by a capitalised word.
    re.compile(rf"(?<=\))(?=[{UPPER}][{LOWER}])"),
]
_URLISH = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+@[\w.-]+\.\w+")


def unglue(text: str) -> str:
    """Insert the missing space where sentences were glued by punctuation ("Ukraine.Lim" -> "Ukraine. Lim").

    Only punctuation glue is repaired: words are never changed ("Unlors" stays as the source wrote
    it). URLs and e-mail addresses are left untouched.
    """
    protected: dict[str, str] = {}

    def protect(m: re.Match[str]) -> str:
        key = f"\x00{len(protected)}\x00"
        protected[key] = m.group(0)
        return key

    text = _URLISH.sub(protect, text)
    for pattern in _GLUE:
        text = pattern.sub(" ", text)
    for key, value in protected.items():
        text = text.replace(key, value)
    return text


_FUNCTION_START = (r"(?:Les|Le|La|L'|Il|Ils|Elle|Elles|Un|Une|Des|Ce|Cette|Ces|Au|Aux|Dans|Selon|Depuis|Mais|Lors|"
                   r"Après|Avant|Pour)")
_GLUED_HEADLINE = re.compile(
    rf"(?:(?<=^)|(?<=[.!?»\"] ))([{UPPER}][^.!?«»\"\n]{{2,160}}?[{LOWER}])(?={_FUNCTION_START}(?:\s|(?<=L')))")
_VERB_HINT = re.compile(r"\b(?:est|sont|a|ont|était|étaient|sera|seront|avait|avaient|fait|font|va|vont|doit|"
                        r"doivent|peut|peuvent|semble|reste|devient|selon|aurait|auraient|serait|seraient)\b"
                        r"|\b[^\W\d_]{3,}(?:ait|aient|ent|ont|era|eront|é|ée|és|ées|ir|er)\b", re.I)


def strip_glued_headlines(para: str) -> tuple[str, list[Removed]]:
    """Drop a related-link headline glued into the story ("...l'Ukraine. Dix ans de règne bizarre et secret
    de Kim Jong-unLes États-Unis ont...", source_002).

    The signal is a lower-case letter directly followed by a capitalised sentence opener with no
    stop in between. A short verbless fragment there is a link title (kind ``teaser``); anything
    longer or with a verb is story text missing its stop, and only gets a space.
    """
    removed: list[Removed] = []

    def repl(m: re.Match[str]) -> str:
        fragment = m.group(1)
        if count_words(fragment) <= 12 and not _VERB_HINT.search(fragment):
            removed.append(Removed(kind="teaser", text=fragment.strip()))
            return ""
        return fragment + " "

    return _GLUED_HEADLINE.sub(repl, para), removed


_TRAILING_TRAILER = re.compile(r"\s*(?:Source link(?:\s*-?\s*\d+)?|Lire la suite\W*|Read more\W*|"
                               r"Continue reading\W*)\s*$", re.I)


def strip_trailing_trailer(para: str) -> tuple[str, list[Removed]]:
    """"...de l'ONU.Source link -57": a trailer glued to the last sentence rather than on its own line."""
    m = _TRAILING_TRAILER.search(para)
    if not m or m.start() == 0:
        return para, []
    return para[:m.start()], [Removed(kind="trailer", text=m.group(0).strip())]
