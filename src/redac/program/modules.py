"""The DSPy program: cleaned source -> facts -> SEO plan -> sections -> :class:`Article`.

Three predictors, each optimisable on its own (``extract``, ``plan``, ``write``):

* ``extract`` lists the facts a faithful rewrite must keep (who, what, when, where, numbers,
  quotes), chunk by chunk when the source is longer than the model's context;
* ``plan`` chooses the focus keyphrase, title, meta description and H2/H3 outline;
* ``write`` writes one section at a time from the facts, so long articles stay within what any
  model (including the small embedded one) can produce in one completion.

What can be derived is computed in code, not asked of the model: the slug comes from the keyphrase,
the H1 from the title, the word budget per section from the target. Every repair made to a model
output (a title cut to 60 characters, a missing heading level fixed...) is recorded in
``Prediction.repairs`` so evals can see it.

Build programs with :mod:`redac.program.factory`: the predictor types are fixed here, at construction.
"""

from __future__ import annotations

from typing import Any

import dspy

from redac.errors import ConfigError
from redac.factcheck import Support
from redac.program.assembly import assemble
from redac.program.budget import chunk_text, section_count, section_words, share_facts
from redac.program.config import (
    CONFIG_KEY,
    ProgramConfig,
    program_config,
    uses_reasoning,
)
from redac.program.outputs import as_list, dedupe
from redac.program.passes import drop_repeats, verify_parts
from redac.program.plan import repair_plan
from redac.program.signatures import LEDE, ExtractFacts, PlanArticle, WriteSection
from redac.sources import Source, clean
from redac.text import sentences


class RedacProgram(dspy.Module):  # type: ignore[misc]  # dspy ships no type information
    """Raw source text -> ``dspy.Prediction(article=Article, facts=[...], warnings=[...], repairs=[...])``."""

    def __init__(self, config: ProgramConfig | None = None) -> None:
        super().__init__()
        self.config = config or ProgramConfig()
        step = dspy.ChainOfThought if self.config.reasoning else dspy.Predict
        self.extract = step(ExtractFacts)
        self.plan = step(PlanArticle)
        self.write = step(WriteSection)

    def forward(self, source: str, targets: dict[str, Any] | None = None) -> dspy.Prediction:
        src = source if isinstance(source, Source) else clean(source)
        tgt = src.targets.model_copy(update=targets or {})
        warnings = list(src.warnings)

        facts = self._facts(src.body, warnings)

        n_sections = section_count(tgt, self.config)
        raw_plan = self.plan(facts=facts, sections=n_sections, config={"max_tokens": self.config.plan_tokens})
        plan = repair_plan(raw_plan, facts, tgt, n_sections, cap=self.config.dedupe)

        parts = share_facts(facts, len(plan.outline) + 1)
        words = section_words(tgt, len(parts))
        cap = self._cap(words * self.config.tokens_per_word)
        headings = [LEDE] + [text for _, text in plan.outline]
        texts = [
            self.write(facts=part, title=plan.title, keyphrase=plan.keyphrase, heading=heading, words=words,
                       config=cap).text
            for heading, part in zip(headings, parts)
        ]
        if self.config.verify:
            plan, texts = verify_parts(plan, texts, Support.of(src.body), facts)
        if self.config.dedupe:
            plan, texts = drop_repeats(plan, texts)
        lede, bodies = texts[0], texts[1:]
        article = assemble(plan, lede, bodies)
        if article.word_count < tgt.min_words:
            warnings.append(f"article has {article.word_count} words, target is {tgt.min_words}")
        return dspy.Prediction(article=article, facts=facts, warnings=warnings, repairs=plan.repairs)

    def _facts(self, body: str, warnings: list[str]) -> list[str]:
        if self.config.facts == "sentences":
            return dedupe(sentences(body))
        if self.config.facts != "model":
            raise ValueError(f"program config facts must be 'model' or 'sentences', got {self.config.facts!r}")
        chunks = chunk_text(body, self._source_budget())
        if len(chunks) > 1:
            warnings.append(f"source is longer than the model context: facts extracted from {len(chunks)} chunks")
        return dedupe([f for chunk in chunks for f in self._extract(chunk, warnings)])

    # The config travels with the saved state, so a program trained for one setting (``facts``) loads
    # with it; older state files without it keep the defaults.
    def dump_state(self, json_mode: bool = True) -> dict[str, Any]:
        state: dict[str, Any] = super().dump_state(json_mode=json_mode)
        state[CONFIG_KEY] = self.config.to_dict()
        return state

    # A state saved with the other predictor type cannot load here: the factory carries it over.
    def load_state(self, state: dict[str, Any], **kwargs: Any) -> RedacProgram:
        state = dict(state)
        saved = state.pop(CONFIG_KEY, None)
        if uses_reasoning(state) != self.config.reasoning:
            raise ConfigError(f"the program state was saved {'with' if uses_reasoning(state) else 'without'} "
                              f"ChainOfThought but this program was built {'with' if self.config.reasoning else 'without'}"
                              " it: load it with redac.program.load_program_state", field="reasoning")
        super().load_state(state, **kwargs)
        if isinstance(saved, dict):
            self.config = program_config({**self.config.to_dict(), **saved, "reasoning": self.config.reasoning},
                                         prefix=[CONFIG_KEY])
        return self

    def _extract(self, chunk: str, warnings: list[str]) -> list[str]:
        """The model's fact list for one chunk. When the model's answer does not parse or is empty, the
        chunk's own sentences are the facts (the most faithful list there is) and a warning says so."""
        from dspy.utils.exceptions import AdapterParseError

        try:
            facts = as_list(self.extract(source=chunk, config=self._cap(len(chunk) / 3)).facts)
        except AdapterParseError:
            facts = []
            warnings.append("the model's fact list did not parse; the source sentences are used as facts")
        else:
            if not facts:
                warnings.append("the model listed no facts; the source sentences are used as facts")
        return facts or sentences(chunk)

    @staticmethod
    def _cap(tokens: float) -> dict[str, int]:
        """Per-call output cap: enough for the step, so a looping model stops early."""
        return {"max_tokens": int(max(256, tokens + 64))}

    def _source_budget(self) -> int:
        """Characters of source that fit beside the prompt, demos and answer."""
        tokens = max(512, self.config.context_tokens - self.config.reserved_tokens)
        return int(tokens * self.config.chars_per_token)
