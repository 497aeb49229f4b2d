"""Training examples for the embedded model, built from the program's own prompts.

Each example is one step of the program (``plan`` or ``write``; ``extract`` on request) exactly as the
embedded engine lays it out at inference: :class:`redac.lm.adapter.CompletionAdapter` lays the step out
(instructions, no demos, the step's inputs) as the completion document that ends at the first output
marker, and the target is what the engine expects back (each field value, the next marker, and
``[[ ## completed ## ]]`` so the model learns to stop).

Targets come from the labelled **train** split only:

* ``plan``: the gold's keyphrase, title, meta description and H2/H3 outline, from the source's sentences;
* ``write``: one example per gold section (the lede under "Introduction", then each H2/H3), whose facts
  are the source sentences that section draws on (by shared names, figures and words), so the model
  learns to write from *its* facts and nothing else;
* ``extract``: the cleaned source's sentences (what the program computes with ``facts: sentences``).

Nothing here imports torch: building and inspecting the set is cheap and testable.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from redac.article import sections
from redac.text import count_words, fold, sentences

if TYPE_CHECKING:
    import dspy

STEPS = ("extract", "plan", "write")
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Words too common in French news to say that a sentence and a section share content (the short ones
# matter when capitalised at the start of a sentence: "Le", "Il", "Selon").
_STOP = frozenset(fold(w) for w in """
le la les un une des du de au aux il ils elle on ce en et ou si ne se sa son ses sur par pour qui que
alors aussi autre avant avec avoir cela celle celui cette ces comme dans depuis deux donc dont elle elles
encore entre est était être fait faire leur leurs lors mais même moins notamment nous ont par pas plus pour
quand que quel quelle qui sans selon ses son sont sous sur tous tout toute toutes très une vers été après
""".split())


@dataclass(frozen=True)
class StepExample:
    """One supervised completion: ``prompt`` is fed, ``target`` is learnt."""

    id: str  # record id + step + index, e.g. "sport-c03/write/2"
    record: str
    step: str
    prompt: str
    target: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


# ---- alignment of gold sections with source sentences ---------------------------------------------
def content_words(text: str) -> set[str]:
    """Folded words that carry content: names, figures, and words of four letters or more."""
    out = set()
    for token in _TOKEN.findall(text):
        key = fold(token)
        if (token[:1].isupper() or token.isdigit() or len(key) >= 4) and key not in _STOP:
            out.add(key)
    return out


def align_facts(facts: Sequence[str], section_texts: Sequence[str], *, threshold: float = 0.5) -> list[list[str]]:
    """For each section, the facts (in source order) it draws on.

    A fact goes to every section that holds at least ``threshold`` of its content words, and always to
    the section that holds the most of them, so no fact is lost and a section is never taught to state
    what its facts do not. A section that matches nothing gets its single best fact.
    """
    fact_words = [content_words(f) for f in facts]
    sec_words = [content_words(t) for t in section_texts]
    out: list[list[int]] = [[] for _ in section_texts]
    for i, words in enumerate(fact_words):
        if not words:
            continue
        shares = [len(words & sw) / len(words) for sw in sec_words]
        best = max(range(len(shares)), key=lambda j: shares[j]) if shares else None
        for j, share in enumerate(shares):
            if share >= threshold or (j == best and share > 0):
                out[j].append(i)
    for j, picked in enumerate(out):
        if not picked and facts:
            best_fact = max(range(len(facts)), key=lambda i: len(fact_words[i] & sec_words[j]))
            picked.append(best_fact)
    return [[facts[i] for i in sorted(set(picked))] for picked in out]


def round_words(text: str) -> int:
    """The ``words`` input of a write step: the section's length, rounded as the program rounds it."""
    return max(80, round(count_words(text) / 10) * 10)


# ---- rendering with the program's prompts ----------------------------------------------------------
def render(signature: type[dspy.Signature], inputs: dict, outputs: dict) -> tuple[str, str]:
    """(completion prompt, target) for one step, laid out as the embedded engine does at inference."""
    from redac.lm.adapter import CompletionAdapter
    from redac.lm.completion import COMPLETED, MARKER

    adapter = CompletionAdapter()
    prompt = adapter.request(signature, demos=[], inputs=inputs).layout()
    names = list(signature.output_fields)
    values = adapter.format_assistant_message_content(signature, outputs)
    first = MARKER.format(names[0])
    body = values.strip()
    if not body.startswith(first):
        raise ValueError(f"unexpected assistant layout for {signature.__name__}: {body[:60]!r}")
    target = body[len(first):].strip("\n")
    if not target.rstrip().endswith(COMPLETED):
        target = target.rstrip() + "\n\n" + COMPLETED
    return prompt.prompt, target


def _signature(program, step: str):
    predictor = getattr(program, step)
    return getattr(predictor, "predict", predictor).signature  # ChainOfThought wraps a Predict


def record_examples(program, record, *, steps: Iterable[str] = ("plan", "write")) -> list[StepExample]:
    """The step examples of one labelled record (its gold is the target)."""
    from redac.program import LEDE, section_count
    from redac.sources import clean

    steps = tuple(steps)
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise ValueError(f"unknown steps {sorted(unknown)}; valid: {', '.join(STEPS)}")
    src = clean(record.source, name=record.id)
    facts = sentences(src.body)
    gold = record.gold
    secs = sections(gold.markdown)
    lede = next((s for s in secs if s.heading is not None and s.heading.level == 1), None)
    body_secs = [s for s in secs if s.heading is not None and s.heading.level > 1 and s.body.strip()]
    outline = [f"{'#' * h.level} {h.text}" for s in body_secs if (h := s.heading) is not None]
    out: list[StepExample] = []

    def add(step: str, index: int, inputs: dict, outputs: dict) -> None:
        prompt, target = render(_signature(program, step), inputs, outputs)
        out.append(StepExample(id=f"{record.id}/{step}/{index}", record=record.id, step=step, prompt=prompt,
                               target=target))

    if "extract" in steps:
        add("extract", 0, {"source": src.body}, {"facts": facts})
    if "plan" in steps:
        n_h2 = sum(1 for o in outline if o.startswith("## ")) or section_count(src.targets, program.config)
        add("plan", 0, {"facts": facts, "sections": n_h2},
            {"keyphrase": gold.keyphrase, "title": gold.title, "meta_description": gold.meta_description,
             "outline": outline})
    if "write" in steps:
        parts = ([lede] if lede is not None and lede.body.strip() else []) + body_secs
        shares = align_facts(facts, [s.body for s in parts])
        for i, (sec, share) in enumerate(zip(parts, shares)):
            assert sec.heading is not None  # the lede and body sections were picked by their heading
            heading = LEDE if sec.heading.level == 1 else sec.heading.text
            add("write", i, {"facts": share, "title": gold.title, "keyphrase": gold.keyphrase, "heading": heading,
                             "words": round_words(sec.body)}, {"text": sec.body.strip()})
    return out


def build_examples(program, records: Sequence, *, steps: Iterable[str] = ("plan", "write")) -> list[StepExample]:
    """Step examples for labelled records. Refuses anything but the train split: dev and test measure
    the model, so they must never be learnt."""
    from redac.dataset import assert_no_test
    from redac.errors import DatasetError

    records = list(records)
    assert_no_test(records)
    others = sorted({r.split for r in records} - {"train"})
    if others:
        raise DatasetError(f"fine-tuning learns from the train split only, got {', '.join(others)}", field="split")
    return [ex for record in records for ex in record_examples(program, record, steps=steps)]


def examples_digest(examples: Sequence[StepExample]) -> str:
    """A short hash of the training data (what was learnt, byte for byte)."""
    h = hashlib.sha256()
    for ex in examples:
        h.update(json.dumps(ex.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()[:16]
