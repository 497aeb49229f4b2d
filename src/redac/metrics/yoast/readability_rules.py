"""Yoast SEO's readability assessments for French, one function each, plus the French Flesch ease.

Each follows ``yoastseo/build/scoring/assessments/readability/<Name>Assessment.js`` and its research;
:func:`readability_assessments` runs those of ``scoring/assessors/contentAssessor.js`` (subheading
distribution, paragraph length, sentence length, transition words, passive voice, consecutive
sentence beginnings; text presence only below 50 characters) and appends ``fleschReadingEase``.
"""

from __future__ import annotations

from functools import lru_cache

from redac.metrics.config import ReadabilityConfig
from redac.metrics.feedback import short
from redac.metrics.yoast.assessment import Assessment
from redac.metrics.yoast.document import Sentence, YoastDocument
from redac.metrics.yoast.flesch import flesch_kandel
from redac.metrics.yoast.lexicon import lexicon
from redac.metrics.yoast.passive import is_passive


def _pct(part: int, whole: int) -> float:
    """formatNumber(part / whole * 100): Yoast compares rounded percentages."""
    return round(100 * part / whole, 1) if whole else 0.0


def subheading_distribution(doc: YoastDocument, c: ReadabilityConfig) -> Assessment:
    """SubheadingDistributionTooLongAssessment: no text under a heading over 300 words (350: red)."""
    ok, bad = c.section_words
    sections = doc.section_lengths()
    has_headings = any(b.heading_level for b in doc.blocks)
    if doc.word_count <= ok:
        return Assessment("subheadingsTooLong", 9, "subheading distribution: short text, good")
    if not has_headings:
        return Assessment("subheadingsTooLong", 2, "subheading distribution: the text has no subheadings: "
                          f"add H2 subheadings at least every {ok} words")
    too_long = [s for s in sections if s[1] > ok]
    if sections and sections[0][0] == "" and len(too_long) < 2 and sections[0][1] > ok:
        score = 6 if sections[0][1] <= bad else 3
        return Assessment("subheadingsTooLong", score, f"subheading distribution: the {sections[0][1]} words "
                          f"before the first subheading are over {ok}: add a subheading")
    longest = max(sections, key=lambda s: s[1])
    if longest[1] <= ok:
        return Assessment("subheadingsTooLong", 9, "subheading distribution: good")
    score = 6 if longest[1] <= bad else 3
    return Assessment("subheadingsTooLong", score, f"subheading distribution: {len(too_long)} section(s) run "
                      f"over {ok} words (longest {longest[1]}, under '{short(longest[0], 50)}'): split them "
                      "with subheadings")


def paragraph_length(doc: YoastDocument, c: ReadabilityConfig) -> Assessment:
    """ParagraphTooLongAssessment: the longest paragraph at most 150 words (200: red)."""
    ok, bad = c.paragraph_words
    lengths = [(n, b.text) for b in doc.paragraphs
               if (n := sum(len(s.words) for s in b.sentences))]
    if not lengths or max(lengths)[0] <= ok:
        return Assessment("textParagraphTooLong", 9, "paragraph length: no paragraph too long, good")
    longest = max(lengths)
    count = sum(1 for n, _ in lengths if n > ok)
    return Assessment("textParagraphTooLong", 6 if longest[0] <= bad else 3,
                      f"paragraph length: {count} paragraph(s) over {ok} words (longest {longest[0]}: "
                      f"'{short(longest[1], 50)}'): split them")


def sentence_length(doc: YoastDocument, c: ReadabilityConfig) -> Assessment:
    """SentenceLengthInTextAssessment: at most 25 % of sentences over 20 words (30 %: red)."""
    lengths = [n for s in doc.sentences if (n := len(s.words))]
    long = sum(1 for n in lengths if n > c.long_sentence_words)
    share = _pct(long, len(lengths))
    ok, bad = c.max_long_share
    if share <= ok:
        return Assessment("textSentenceLength", 9, f"sentence length: {share:g}% of sentences over "
                          f"{c.long_sentence_words} words, good")
    return Assessment("textSentenceLength", 6 if share <= bad else 3,
                      f"sentence length: {share:g}% of sentences ({long}) have more than {c.long_sentence_words} "
                      f"words, over the recommended {ok:g}%: split the longest")


def _at(tokens: tuple[str, ...], i: int, words: tuple[str, ...]) -> bool:
    return tokens[i:i + len(words)] == words


def has_transition(sentence: Sentence) -> bool:
    """findTransitionWords.js: a listed word or phrase among the sentence's lower-cased tokens, or both
    parts of a two-part one (``d'une part`` ... ``d'autre part``)."""
    return has_transition_memo(sentence.lower_tokens)


@lru_cache(maxsize=50_000)
def has_transition_memo(tokens: tuple[str, ...]) -> bool:
    by_first, two_part = _transition_index()
    for i, t in enumerate(tokens):
        if any(_at(tokens, i, words) for words in by_first.get(t, ())):
            return True
    present = set(tokens)
    return any(a[0] in present and b[0] in present and any(_at(tokens, i, a) for i in range(len(tokens)))
               and any(_at(tokens, i, b) for i in range(len(tokens))) for a, b in two_part)


@lru_cache(maxsize=1)
def _transition_index() -> tuple[dict[str, list[tuple[str, ...]]], tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]:
    """Transition words by their first word, and the two-part ones."""
    lex = lexicon()
    index: dict[str, list[tuple[str, ...]]] = {}
    for words in lex.transition_words:
        index.setdefault(words[0], []).append(words)
    return index, lex.two_part_transition_words


def transition_words(doc: YoastDocument, c: ReadabilityConfig) -> Assessment:
    """TransitionWordsAssessment: at least 30 % of sentences with a transition word (under 20 %: red)."""
    total = len(doc.sentences)
    with_tw = sum(1 for s in doc.sentences if has_transition(s))  # memoised per sentence
    share = _pct(with_tw, total)
    words = doc.tree_word_count
    orange, green = c.transition_share
    if words < 200 or share >= green:
        return Assessment("textTransitionWords", 9, f"transition words: in {share:g}% of sentences, good")
    return Assessment("textTransitionWords", 3 if share < orange else 6,
                      f"transition words: only {share:g}% of sentences ({with_tw} of {total}) contain one, under "
                      f"{green:g}%: link sentences with words like 'ainsi', 'en effet', 'cependant', 'donc'")


def passive_voice(doc: YoastDocument, c: ReadabilityConfig) -> Assessment:
    """PassiveVoiceAssessment: at most 10 % of sentences in the passive (15 %: red)."""
    passives = [s for s in doc.html_sentences if is_passive(s)]
    share = _pct(len(passives), len(doc.html_sentences))
    ok, bad = c.passive_share
    if share <= ok:
        return Assessment("passiveVoice", 9, f"passive voice: {share:g}% of sentences, good")
    return Assessment("passiveVoice", 6 if share <= bad else 3,
                      f"passive voice: {share:g}% of sentences ({len(passives)}) are passive, over {ok:g}%: "
                      f"use the active voice (e.g. '{short(passives[0], 60)}')")


def sentence_beginnings(doc: YoastDocument) -> Assessment:
    """SentenceBeginningsAssessment: never more than 2 consecutive sentences starting with the same word
    (lists and tables aside; ``le``, ``la``, ``un``... count with the next word)."""
    exceptions = lexicon().first_word_exceptions
    beginnings: list[str] = []
    for b in doc.blocks:
        if b.kind in ("li", "cell"):
            continue
        for s in b.sentences:
            words = [w for w in s.words if w.strip()]
            first = words[0].lower() if words else ""
            if first in exceptions and len(words) > 1:
                first += " " + words[1].lower()
            beginnings.append(first)
    # compareFirstWords: a sentence with no word joins the run that follows it.
    worst, word, run = 0, "", 0
    for i, cur in enumerate(beginnings):
        run += 1
        if cur and cur != (beginnings[i + 1] if i + 1 < len(beginnings) else None):
            if run > worst:
                worst, word = run, cur
            run = 0
    if worst <= 2:
        return Assessment("sentenceBeginnings", 9, "consecutive sentences: varied beginnings, good")
    return Assessment("sentenceBeginnings", 3, f"consecutive sentences: {worst} sentences in a row start with "
                      f"'{word}': vary the beginnings")


def flesch_reading_ease(doc: YoastDocument, c: ReadabilityConfig) -> Assessment:
    """The French Flesch ease (Kandel & Moles): at least 60 green, 50–60 orange, below red."""
    score = flesch_kandel(len(doc.html_sentences), [b.text for b in doc.blocks])
    orange, green = c.flesch
    if score is None or score >= green:
        return Assessment("fleschReadingEase", 9, f"Flesch reading ease: {score}, good")
    return Assessment("fleschReadingEase", 6 if score >= orange else 3,
                      f"Flesch reading ease: {score} (fairly difficult under {green:g}): use shorter sentences "
                      "and simpler words")


def readability_assessments(doc: YoastDocument, c: ReadabilityConfig) -> list[Assessment]:
    """Yoast's content assessor for French, in its order, then the Flesch ease (redac's addition)."""
    out = [subheading_distribution(doc, c), paragraph_length(doc, c), sentence_length(doc, c),
           transition_words(doc, c), passive_voice(doc, c)]
    if len(doc.text) < 50:
        out.append(Assessment("textPresence", 3, "not enough content: write the article"))
    return [*out, sentence_beginnings(doc), flesch_reading_ease(doc, c)]
