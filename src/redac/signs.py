"""The direction a French text gives a number: a minus or plus sign written against it, or for a
percentage a fall or a rise in words ("une baisse de 14 %").

Kept apart from :mod:`redac.figures` (which calls it for every amount it extracts) because its rules
are about the words around a number, not the number: which dashes are minus signs, which verbs and
nouns state a change.
"""

from __future__ import annotations

import re

# A sign belongs to a number only when written against it ("-14 %", "(+0,7 %)", "à −2,4 %") after a
# space, a bracket or the start of the text: "31-27", "2019-2020", "COVID-19" and a "- 14 morts" bullet
# are not negative. U+2212 (minus) may be followed by a space; the en dash is a minus only when attached.
_SIGN_BEFORE = re.compile(r"(?:^|(?<=[\s(\[;:/=]))(?:([-–+])|(−)\s?)$")
# A fall or a rise of a percentage: "une baisse de 14 %", "a reculé de 2,4 %", "en hausse de près de 9 %".
# Only for percentages: "une baisse de 212 emplois" restates "212 emplois supprimés", a count, not a sign.
_FALL = ("baisse|baisses|baissé|baissée|baissent|recul|reculs|recule|reculé|reculent|chute|chutes|chuté|chutent"
         "|diminution|diminutions|diminue|diminué|diminuée|diminuent|repli|replié|repliée|contraction|contracté"
         "|régression|régressé|décrue|reflux|fléchi|fléchissement|plongé|dégringolé|effondré|effondre")
_RISE = ("hausse|hausses|haussé|augmentation|augmentations|augmente|augmenté|augmentée|augmentent|progression"
         "|progressions|progresse|progressé|progressent|croissance|crû|croît|bond|bondi|bondit|grimpé|grimpe"
         "|grimpent|accroissement|accru|accrue|rebond|rebondi|envolée|envolé")
_DIRECTION = re.compile(rf"\b(?:({_FALL})|({_RISE}))\s+(?:de\s+|d')"
                        r"(?:(?:plus|près|moins)\s+de\s+|presque\s+|environ\s+|quelque\s+|l'ordre\s+de\s+)?$")


def sign_before(text: str, start: int, pct: bool) -> tuple[int, str]:
    """The direction the text gives the number starting at ``start``: -1 (a minus sign, a fall), +1 (a
    plus sign, a rise) or 0 (unstated; see :class:`redac.figures.Fact`), and the text that states it
    ("-", "baisse de "), shown with the figure in feedback. ``pct``: the number is a percentage, the
    only kind a fall or a rise in words applies to. ``text`` is lower-cased."""
    m = _SIGN_BEFORE.search(text[max(0, start - 3):start])
    if m:
        return (1, "+") if m.group(1) == "+" else (-1, m.group(0).strip())
    if pct:
        d = _DIRECTION.search(text[max(0, start - 45):start])
        if d:
            return (-1 if d.group(1) else 1), d.group(0)
    return 0, ""


__all__ = ["sign_before"]
