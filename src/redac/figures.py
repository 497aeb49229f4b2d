"""French numbers, quantities, dates and durations -> normalised, comparable facts.

Writers restate figures freely ("deux" for "2", "1 000" for "mille", "3,5 %" for "3,5 pour cent"), so
facts are compared on a normalised *key* (kind + value), never on surface text. Spelled-out numbers,
French thousand separators, decimal commas, ``million``/``milliard`` multipliers, currencies, durations,
ordinals, weekdays, day-month dates, numeric dates, years and relative dates are understood. A number
keeps its sign ("-14 %", "−14 %", "une baisse de 14 %" are -14; see :class:`Fact`), so a flipped
change is a different fact.

Pure regular expressions: it runs on every article of an optimisation run, so it must cost well under
a millisecond per 700 words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from redac.signs import sign_before
from redac.text import normalise

MONTHS = {m: i for i, m in enumerate(
    ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
     "novembre", "décembre"), start=1)}
MONTHS.update({"fevrier": 2, "aout": 8, "decembre": 12})
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

_UNITS = {
    "zéro": 0, "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "soixante": 60, "cent": 100, "cents": 100, "mille": 1000, "million": 10**6, "millions": 10**6,
    "milliard": 10**9, "milliards": 10**9,
}
_ORDINAL_WORDS = {
    "deuxième": 2, "second": 2, "seconde": 2, "troisième": 3, "quatrième": 4, "cinquième": 5, "sixième": 6,
    "septième": 7, "huitième": 8, "neuvième": 9, "dixième": 10, "onzième": 11, "douzième": 12,
    "vingtième": 20, "trentième": 30, "centième": 100,
}
_CURRENCIES = {
    "€": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD", "dollar": "USD", "dollars": "USD",
    "£": "GBP", "livre": "GBP", "livres": "GBP", "rouble": "RUB", "roubles": "RUB", "yuan": "CNY",
    "yuans": "CNY", "yen": "JPY", "yens": "JPY", "won": "KRW", "wons": "KRW", "franc": "CHF", "francs": "CHF",
}
_DURATIONS = {
    "jour": "jour", "jours": "jour", "journée": "jour", "journées": "jour", "nuit": "nuit", "nuits": "nuit",
    "semaine": "semaine", "semaines": "semaine", "mois": "mois", "an": "an", "ans": "an", "année": "an",
    "années": "an", "heure": "heure", "heures": "heure", "minute": "minute", "minutes": "minute",
    "seconde": "seconde", "secondes": "seconde", "décennie": "décennie", "décennies": "décennie",
    "siècle": "siècle", "siècles": "siècle",
}
_MULT = {"million": 10**6, "millions": 10**6, "milliard": 10**9, "milliards": 10**9, "mille": 1000,
         "md": 10**9, "mds": 10**9, "mrd": 10**9, "k": 1000, "m": 10**6}
# "les deux pays" means "both countries": a figure of speech, not a count to preserve.
_BOTH = re.compile(r"(?:\b(?:les|des|ces|aux|tous|toutes|nos|vos|leurs)\s+)$")

_WORDNUM = "|".join(sorted((re.escape(w) for w in _UNITS), key=len, reverse=True))
_WORDSEQ = rf"(?:{_WORDNUM})(?:(?:-et-|\s+et\s+|-|\s+)(?:{_WORDNUM}))*"
_DIGITS = r"\d{1,3}(?:[ .]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_RE = "|".join(WEEKDAYS)
_DUR_RE = "|".join(sorted((re.escape(w) for w in _DURATIONS), key=len, reverse=True))
_CUR_RE = "|".join(sorted((re.escape(w) for w in _CURRENCIES), key=len, reverse=True))

_B = r"(?<![\w/.,])(?<!\w-)"  # left boundary: not inside a word, a code ("COVID-19") or a longer number; "-14 %" is read, its sign by sign_before()
_E = r"(?![\w])"

# All patterns run on lower-cased text (re.I is several times slower in CPython's engine).
_NUMERIC_DATE = re.compile(rf"{_B}(\d{{1,2}})[/.](\d{{1,2}})[/.](\d{{4}}|\d{{2}}){_E}")
# "mercredi 19 juin 2024", "19 juin", "1er mai", "septembre 2023", "septembre": one pass.
_CALENDAR = re.compile(
    rf"(?:\b({_DAY_RE})\s+)?(?:(?<![\w\-/.,])(1er|\d{{1,2}})\s+)?\b({_MONTH_RE}){_E}(?:\s+(\d{{4}}){_E})?")
_WEEKDAY = re.compile(rf"\b({_DAY_RE}){_E}")
_TIME = re.compile(rf"{_B}(\d{{1,2}})\s?h\s?(\d{{2}})?{_E}")
_RELATIVE = re.compile(
    r"\b(?:(semaine|mois|année|an)\s+(dernière|dernier|passée|passé|prochaine|prochain)"
    r"|(avant-hier|hier|aujourd'hui|demain)|(ce mois-ci|cette semaine|cette année))\b")
_ORDINAL = re.compile(rf"{_B}(\d+)(?:e|è|ème|eme|er|ère|re){_E}"
                      rf"|\b({'|'.join(_ORDINAL_WORDS)}){_E}")
_QUANTITY = re.compile(
    rf"(?:(?P<pre>{_CUR_RE})\s?)?"
    rf"(?:{_B}(?P<dig>{_DIGITS})|(?<![\w\-'])(?P<word>{_WORDSEQ})(?![\w]))"
    rf"(?:\s*(?P<mult>millions?|milliards?|mille|mds?|mrd|k|m)(?![\w]))?"
    rf"(?:\s*(?P<unit>%|pour\s?cent{_E}|(?:d'|de\s+)?(?:{_CUR_RE})(?![\w])|(?:{_DUR_RE}){_E}))?")


@dataclass(frozen=True)
class Fact:
    """One normalised figure. ``key`` decides equality; ``text`` is what the writer wrote.

    ``sign`` is what the text says of the direction of a number (:data:`SIGNED` kinds): -1 for a
    minus sign ("-14 %", "−14 %") or a fall ("baisse de 14 %"), +1 for a plus sign or a rise ("hausse
    de 14 %"), 0 when unstated ("14 %"). A negative figure has a negative value in its key.
    """

    kind: str   # num | pct | money | duration | ord | year | date | month | weekday | time | reldate
    key: tuple[Any, ...]
    text: str
    sign: int = 0

    @property
    def value(self) -> float | None:
        """The number a lenient check compares (day of a date, amount of money...)."""
        if self.kind in ("num", "pct", "ord", "year"):
            return cast(float, self.key[1])
        if self.kind in ("money", "duration"):
            return cast(float, self.key[1])
        if self.kind == "date":
            return cast(float, self.key[2])
        return None


#: Kinds whose number can carry a sign ("-14 %", "+2,5 millions d'euros", "-5" degrees).
SIGNED = frozenset({"num", "pct", "money"})


def magnitude(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """The key without its sign: ``("pct", -14)`` -> ``("pct", 14)``."""
    if key[0] in SIGNED and isinstance(key[1], (int, float)) and key[1] < 0:
        return (key[0], _canon(-key[1]), *key[2:])
    return key


def _canon(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(float(v), 4)


def parse_digits(s: str) -> float:
    """"1 000" -> 1000, "3,5" -> 3.5, "1.000" -> 1000, "2.5" -> 2.5."""
    s = s.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", s):  # French thousands with dots
        s = s.replace(".", "")
    return float(s.replace(",", "."))


def parse_words(s: str) -> int | None:
    """French number words -> int ("quatre-vingt-dix" -> 90, "deux cent mille" -> 200000)."""
    tokens = [t for t in re.split(r"-et-|\s+et\s+|-|\s+", s.lower()) if t]
    total, current, i = 0, 0, 0
    while i < len(tokens):
        t = tokens[i]
        if t == "quatre" and i + 1 < len(tokens) and tokens[i + 1].startswith("vingt"):
            current += 80
            i += 2
            continue
        v = _UNITS.get(t)
        if v is None:
            return None
        if v == 100:
            current = (current or 1) * 100
        elif v >= 1000:
            total += (current or 1) * v
            current = 0
        else:
            current += v
        i += 1
    return total + current


# "1. Porto, première destination" / "2) Ajaccio": the number of an ordered-list item is not a figure
# (alone on its line too: the sentence splitter cuts "1." off its item).
_LIST_MARKER = re.compile(r"(?m)^[ \t]*\d{1,2}[.)](?=[ \t]+\S|[ \t]*$)")
# "€/100 œufs", "€/1 000 litres": the number a price is per. Not a fact to keep (no figure is extracted),
# but it backs the same number in an article ("les 100 œufs"): see :func:`per_unit_values`.
_PER_UNIT = re.compile(r"(?<=[^\W\d_]/|[€$£%]/)(\d{1,3}(?: \d{3})+|\d+)(?![\d,])")


def per_unit_values(text: str) -> set[float]:
    """The numbers of a text's per-unit denominators ("€/100 œufs" -> 100), for the "same number
    anywhere in the source" support of :func:`supported`."""
    return {_canon(parse_digits(m.group(1))) for m in _PER_UNIT.finditer(normalise(text))}


_TOKEN = re.compile(r"\d+|[€$£]|[^\W\d_]+")
_START = {  # which tokens can start a match of each pattern (a match is only tried there)
    "calendar": set(WEEKDAYS) | set(MONTHS),
    "weekday": set(WEEKDAYS),
    "relative": {"semaine", "mois", "année", "an", "avant", "hier", "aujourd", "demain", "ce", "cette"},
    "ordinal": set(_ORDINAL_WORDS),
    "quantity": set(_UNITS) | set(_CURRENCIES),
}

_KINDS_OF: dict[str, tuple[str, ...]] = {}
for _kind, _words in _START.items():
    for _w in _words:
        _KINDS_OF[_w] = (*_KINDS_OF.get(_w, ()), _kind)


def extract(text: str) -> list[Fact]:
    """All figures of a text, in order of appearance (dates claim their digits before plain numbers do).

    One tokenising pass finds where a pattern could start (a digit, a month, a number word...); each
    pattern is then tried only there, which keeps this well under a millisecond per article.
    """
    text = normalise(text)
    low = text.lower()
    if len(low) != len(text):  # a rare character changed length when lower-cased: keep offsets aligned
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    low = _LIST_MARKER.sub(lambda m: " " * len(m.group()), low)  # same length: offsets stay aligned
    starts: dict[str, list[int]] = {k: [] for k in ("digit", *_START)}
    for m in _TOKEN.finditer(low):
        tok = m.group()
        if tok[0].isdigit() or tok in "€$£":
            starts["digit"].append(m.start())
            continue
        for kind in _KINDS_OF.get(tok, ()):
            starts[kind].append(m.start())
    facts: list[tuple[int, Fact]] = []
    claimed: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in claimed)

    def scan(pattern: re.Pattern[str], *kinds: str) -> Iterator[re.Match[str]]:
        for pos in sorted({p for k in kinds for p in starts[k]}):
            m = pattern.match(low, pos)
            if m and m.end() > m.start() and free(*m.span()):
                yield m

    def add(pos: int, fact: Fact) -> None:
        facts.append((pos, fact))

    def surface(m: re.Match[str], g: int = 0) -> str:
        return text[m.start(g):m.end(g)]

    for m in scan(_NUMERIC_DATE, "digit"):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= d <= 31 and 1 <= mo <= 12:
            y = y + 2000 if y < 100 else y
            add(m.start(), Fact("date", ("date", mo, d), surface(m)))
            add(m.start(), Fact("year", ("year", y), surface(m)))
            claimed.append(m.span())
    for m in scan(_CALENDAR, "calendar", "digit"):
        if not free(*m.span()):
            continue
        weekday, day, month, year = m.groups()
        mo = MONTHS[month]
        if day is not None:
            d = 1 if day == "1er" else int(day)
            if not 1 <= d <= 31:
                continue
            add(m.start(), Fact("date", ("date", mo, d), surface(m)))
            if weekday:
                add(m.start(), Fact("weekday", ("weekday", weekday), surface(m, 1)))
            start = m.start()
        else:  # a bare month; a weekday just before it is not part of it
            add(m.start(3), Fact("month", ("month", mo), surface(m, 3)))
            start = m.start(3)
        if year:
            add(m.start(4), Fact("year", ("year", int(year)), year))
        claimed.append((start, m.end()))
    for m in scan(_WEEKDAY, "weekday"):
        add(m.start(), Fact("weekday", ("weekday", m.group(1)), surface(m)))
        claimed.append(m.span())
    for m in scan(_RELATIVE, "relative"):
        if m.group(1):
            unit = "an" if m.group(1) in ("an", "année") else m.group(1)
            when = "prochain" if m.group(2).startswith("prochain") else "dernier"
            canon = f"{unit} {when}"
        else:
            canon = m.group(3) or m.group(4)
        add(m.start(), Fact("reldate", ("reldate", canon), surface(m)))
        claimed.append(m.span())
    for m in scan(_TIME, "digit"):
        add(m.start(), Fact("time", ("time", int(m.group(1)), int(m.group(2) or 0)), surface(m)))
        claimed.append(m.span())
    for m in scan(_ORDINAL, "digit", "ordinal"):
        v = int(m.group(1)) if m.group(1) else _ORDINAL_WORDS[m.group(2)]
        add(m.start(), Fact("ord", ("ord", v), surface(m)))
        claimed.append(m.span())
    for m in scan(_QUANTITY, "digit", "quantity"):
        if not free(*m.span()):
            continue
        fact = _quantity(m, low, surface(m).strip())
        if fact is not None:
            add(m.start(), fact)
            claimed.append(m.span())
    facts.sort(key=lambda pf: pf[0])
    return [f for _, f in facts]


def _quantity(m: re.Match[str], text: str, surface: str) -> Fact | None:
    pre, dig, word, mult, unit = m.group("pre", "dig", "word", "mult", "unit")
    if dig is not None:
        value = parse_digits(dig)
        bare_year = (mult is None and unit is None and pre is None and re.fullmatch(r"\d{4}", dig)
                     and 1800 <= value <= 2100)
        if bare_year:
            return Fact("year", ("year", int(value)), surface)
    else:
        words = parse_words(word)
        if words is None:
            return None
        value = words
        low = word
        if low in ("un", "une") and not mult:
            return None  # the article "un", not a count
        if low in ("neuf", "neufs") and not (mult or unit):
            return None  # "un bâtiment neuf": the adjective, not nine
        if low in ("million", "millions", "milliard", "milliards"):
            return None  # "des millions de personnes": an order of magnitude, not a figure
        if low == "deux" and _BOTH.search(text[max(0, m.start() - 12):m.start()]):
            return None
        if pre is not None and unit is None:
            pre = None  # "livre trois": "livre" was a noun, not a currency
    if mult:
        value *= _MULT[mult.lower()]
    cur = pre and _CURRENCIES.get(pre.lower())
    u = (unit or "").lower()
    pct = u in ("%",) or u.replace(" ", "") == "pourcent"
    sign, shown = sign_before(text, m.start(), pct) if dig is not None or pct else (0, "")
    value = -value if sign < 0 else value
    surface = shown + surface
    if pct:
        return Fact("pct", ("pct", _canon(value)), surface, sign)
    if u:
        word_u = re.sub(r"^(?:d'|de\s+)", "", u)
        if word_u in _CURRENCIES:
            cur = _CURRENCIES[word_u]
        elif word_u in _DURATIONS:
            return Fact("duration", ("duration", _canon(abs(value)), _DURATIONS[word_u]), surface.lstrip("-−–+"))
    if cur:
        return Fact("money", ("money", _canon(value), cur), surface, sign)
    return Fact("num", ("num", _canon(value)), surface, sign)


# Kinds that a writer may not invent: checked for precision. Relative dates ("hier") are recall-only,
# because an article legitimately re-anchors them ("mercredi" -> "ce mercredi-là").
PRECISION_KINDS = frozenset({"num", "pct", "money", "duration", "ord", "year", "date", "month", "weekday", "time"})


def checkable(fact: Fact) -> bool:
    """Figures an article may not invent. Relative dates ("hier") and a spelled-out "deux" are left
    out: writers re-anchor the first and use the second idiomatically ("à deux reprises")."""
    if fact.kind not in PRECISION_KINDS:
        return False
    return not (fact.kind == "num" and fact.key[1] == 2 and not any(c.isdigit() for c in fact.text))


def firm(fact: Fact) -> bool:
    """Is an unsupported figure firm evidence of an invention? Yes when written with digits, or a
    percentage, an amount, a date, a month or a weekday; not a spelled-out count, ordinal or duration
    ("Quatre priorités", "La seconde est commerciale", "deux jours après l'annonce"), which writers
    derive from the text they restate (5 of the 7 unsupported figures of the 60 human golds)."""
    return any(c.isdigit() for c in fact.text) or fact.kind not in ("num", "ord", "duration")


def supported(fact: Fact, source_keys: set[tuple[Any, ...]], source_values: set[float]) -> bool:
    """Is an article figure backed by the source? Same key, or (for amounts) the same number anywhere.

    A stated sign must agree: "-14 %" is not backed by "+14 %" or "14 %", "hausse de 14 %" not by
    "-14 %". An unstated one is not a contradiction: "14 %" is backed by "-14 %" (a writer restates
    "-14 %" as "un recul de 14 %", whose verb this check may not know). Where the source states the
    quantity with the other sign, the lenient "same number anywhere" does not apply."""
    if fact.key in source_keys:
        return True
    if fact.kind == "month":
        return any(k[0] == "date" and k[1] == fact.key[1] for k in source_keys)
    v = fact.value
    if fact.kind in ("weekday", "time", "date") or v is None:
        return False
    if fact.kind in SIGNED and v and (fact.kind, _canon(-v), *fact.key[2:]) in source_keys:
        # The source states this quantity with the other sign: only the same number *with this sign*
        # elsewhere in it backs the figure (a negative value is always a stated sign; a positive one is
        # stated only where :func:`support_keys` marked it), not a "14" of "14 mars".
        return fact.sign == 0 or (_canon(v) in source_values if v < 0 else ("+", _canon(v)) in source_keys)
    if fact.sign == 0 and fact.kind in SIGNED and _canon(-v) in source_values:
        return True
    return _canon(v) in source_values


def support_keys(facts: list[Fact]) -> set[tuple[Any, ...]]:
    """The keys a source's figures support, plus a ``("+", value)`` mark for each number written with
    a plus sign or a rise (what :func:`supported` needs to back "+0,2 %" by a table's "+0,2")."""
    return {f.key for f in facts} | {("+", f.key[1]) for f in facts if f.sign > 0}


def values_of(facts: list[Fact]) -> set[float]:
    vals = set()
    for f in facts:
        if f.value is not None:
            vals.add(_canon(f.value))
        if f.kind == "date":
            vals.add(f.key[2])
    return vals
