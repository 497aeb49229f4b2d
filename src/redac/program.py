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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import dspy

from redac.article import Article, sections
from redac.factcheck import Support, keep_supported, unsupported
from redac.sources import Source, Targets, clean
from redac.text import count_words, fold, sentences, slugify

# --------------------------------------------------------------------------------------------
# Signatures: the prompts. Docstrings are the instructions the optimisers rewrite.
# --------------------------------------------------------------------------------------------


class ExtractFacts(dspy.Signature):
    """Liste tous les faits de la dépêche, sans en inventer aucun : qui, quoi, quand, où,
    chaque nombre avec son unité, chaque date, et chaque citation recopiée mot pour mot entre « ».
    Une phrase courte en français par fait, dans l'ordre du texte."""

    source: str = dspy.InputField(desc="texte de la dépêche, nettoyé")
    facts: list[str] = dspy.OutputField(desc="faits, une phrase courte chacun")


class PlanArticle(dspy.Signature):
    """Prépare un article SEO en français à partir des faits : une expression clé (1 à 4 mots),
    un titre de 60 caractères au plus qui la contient, une méta-description de 120 à 156
    caractères qui la contient, et un plan de sous-titres H2 (et H3 si utile) dont au moins un
    contient l'expression clé. N'ajoute aucun fait absent de la liste."""

    facts: list[str] = dspy.InputField(desc="faits à conserver")
    sections: int = dspy.InputField(desc="nombre de sous-titres H2 souhaité")
    keyphrase: str = dspy.OutputField(desc="expression clé principale, 1 à 4 mots")
    title: str = dspy.OutputField(desc="titre, 60 caractères au plus, contient l'expression clé")
    meta_description: str = dspy.OutputField(desc="120 à 156 caractères, contient l'expression clé")
    outline: list[str] = dspy.OutputField(desc="sous-titres, chacun préfixé par '## ' ou '### '")


class WriteSection(dspy.Signature):
    """Rédige en français une section d'article de presse à partir des faits fournis, sans rien
    inventer : aucun nom, nombre, date ou citation absent des faits. Utilise tous les faits de la
    section. Phrases courtes, paragraphes de 3 à 5 phrases, citations exactes entre « ». Pas de
    sous-titre dans le texte."""

    facts: list[str] = dspy.InputField(desc="faits de cette section, tous à utiliser")
    title: str = dspy.InputField(desc="titre de l'article")
    keyphrase: str = dspy.InputField(desc="expression clé à placer naturellement")
    heading: str = dspy.InputField(desc="sous-titre de la section ('Introduction' pour le chapeau)")
    words: int = dspy.InputField(desc="longueur visée en mots")
    text: str = dspy.OutputField(desc="texte de la section, en paragraphes")


LEDE = "Introduction"
CONFIG_KEY = "redac_config"  # where a saved program state keeps its ProgramConfig


@dataclass
class ProgramConfig:
    """Knobs of the program that are not prompts (prompts and demos live in the DSPy state)."""

    reasoning: bool = False  # ChainOfThought instead of Predict for every step
    # Where the facts come from: "model" asks the extract step; "sentences" takes the cleaned source's
    # sentences (no LM call, nothing invented; what the fine-tuned embedded model is trained on).
    facts: str = "model"
    # Drop sentences (and plan fields) naming people or places, stating figures or quoting words that the
    # source does not have (redac.factcheck); every drop is recorded in ``repairs``.
    verify: bool = False
    # No repetition: at most one subheading per two facts, and sentences that repeat an earlier sentence
    # of the article dropped (with sections left empty).
    dedupe: bool = False
    context_tokens: int = 8192  # the LM's context window; sources longer than the budget are chunked
    reserved_tokens: int = 3072  # room kept for instructions, demos and the answer
    min_sections: int = 3
    max_sections: int = 6
    chars_per_token: float = 3.5  # cheap token estimate for French when no tokenizer is at hand
    tokens_per_word: float = 2.2  # output budget per requested word (French, Markdown, field markers)
    plan_tokens: int = 400

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Plan:
    keyphrase: str
    title: str
    meta_description: str
    outline: list[tuple[int, str]]
    repairs: list[str] = field(default_factory=list)


class RedacProgram(dspy.Module):
    """Raw source text -> ``dspy.Prediction(article=Article, facts=[...], warnings=[...], repairs=[...])``."""

    def __init__(self, config: ProgramConfig | None = None) -> None:
        super().__init__()
        self.config = config or ProgramConfig()
        step = dspy.ChainOfThought if self.config.reasoning else dspy.Predict
        self.extract = step(ExtractFacts)
        self.plan = step(PlanArticle)
        self.write = step(WriteSection)

    def forward(self, source: str, targets: dict | None = None) -> dspy.Prediction:
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
        state = super().dump_state(json_mode=json_mode)
        state[CONFIG_KEY] = self.config.to_dict()
        return state

    def load_state(self, state: dict[str, Any], **kwargs: Any) -> RedacProgram:
        state = dict(state)
        saved = state.pop(CONFIG_KEY, None)
        super().load_state(state, **kwargs)
        if isinstance(saved, dict):
            known = {k: v for k, v in saved.items() if k in ProgramConfig.__dataclass_fields__}
            self.config = ProgramConfig(**{**self.config.to_dict(), **known})
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


# --------------------------------------------------------------------------------------------
# Pure helpers: everything that can be computed rather than generated.
# --------------------------------------------------------------------------------------------


def as_list(value: Any) -> list[str]:
    """Model list output -> clean list of strings (tolerates a JSON string or bullet lines)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [line for line in value.splitlines()]
    if not isinstance(value, list):
        value = [value]
    out = []
    for item in value:
        text = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", str(item)).strip()
        if text:
            out.append(text)
    return out


def dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = fold(item).strip(" .")
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def chunk_text(text: str, max_chars: int) -> list[str]:
    """Split at paragraph (then sentence) boundaries into chunks of at most ``max_chars``."""
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        if len(para) <= max_chars:
            pieces.append(para)
        else:
            pieces.extend(re.split(r"(?<=[.!?»])\s+", para))
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + len(piece) + 2 <= max_chars:
            chunks[-1] = f"{chunks[-1]}\n\n{piece}"
        else:
            chunks.append(piece[:max_chars])
    return chunks


def split_evenly(items: list[str], parts: int) -> list[list[str]]:
    """Consecutive slices of nearly equal size, in order: the lede gets the first facts (news order),
    each section its own facts, so sections do not repeat each other. Never returns an empty slice
    while there are items to share."""
    parts = max(1, min(parts, len(items))) if items else max(1, parts)
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def share_facts(facts: list[str], parts: int) -> list[list[str]]:
    """Each part's facts: consecutive slices when there are at least two facts per part, otherwise
    overlapping windows of consecutive facts, so every part has something to say and no two parts
    get the whole list (which makes every section retell the same story)."""
    if len(facts) >= 2 * parts or not facts:
        return split_evenly(facts, parts)
    size = min(len(facts), max(1, -(-len(facts) // parts)))
    out = []
    for i in range(parts):
        start = min(len(facts) - size, (i * len(facts)) // parts)
        out.append(facts[start:start + size])
    return out


def section_count(targets: Targets, config: ProgramConfig) -> int:
    """H2 count: enough for ~250 words per section, within the config and the instruction's cap."""
    wanted = max(config.min_sections, min(config.max_sections, round(targets.min_words / 250)))
    wanted = max(wanted, targets.min_subheadings)
    if targets.max_subheadings is not None:
        wanted = min(wanted, targets.max_subheadings)
    return wanted if targets.subheadings else 0


def section_words(targets: Targets, parts: int) -> int:
    """Words to ask per part, with a 15 % margin because models stop short."""
    return max(80, round(targets.min_words * 1.15 / max(parts, 1) / 10) * 10)


def clip(text: str, limit: int) -> str:
    """Cut at a word boundary to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else head[:limit]
    return cut.rstrip(" ,;:–-")


def parse_outline(items: list[str]) -> list[tuple[int, str]]:
    out = []
    for item in items:
        m = re.match(r"^\s*(#{2,3})\s*(.+)$", item)
        level, text = (len(m.group(1)), m.group(2)) if m else (2, item)
        text = text.strip(" #*:")
        if text:
            out.append((level, text))
    return out


def repair_plan(raw: Any, facts: list[str], targets: Targets, n_sections: int, *, cap: bool = False) -> Plan:
    """Make the model's plan publishable; each fix is recorded in ``repairs``."""
    repairs: list[str] = []
    keyphrase = " ".join(str(getattr(raw, "keyphrase", "") or "").split()).strip(" .\"'«»")
    if not keyphrase or len(keyphrase.split()) > 4:
        repairs.append(f"keyphrase {keyphrase!r} replaced (must be 1-4 words)")
        keyphrase = " ".join(fallback_keyphrase(facts).split()[:4])
    title = " ".join(str(getattr(raw, "title", "") or "").split()).strip(" \"«»#")
    if not title:
        repairs.append("empty title replaced by the keyphrase")
        title = keyphrase[:1].upper() + keyphrase[1:]
    if len(title) > 60:
        repairs.append(f"title cut from {len(title)} to 60 characters")
        title = clip(title, 60)
    meta = " ".join(str(getattr(raw, "meta_description", "") or "").split())
    if len(meta) > 156:
        repairs.append(f"meta description cut from {len(meta)} to 156 characters")
        meta = clip(meta, 156)
    outline = parse_outline(as_list(getattr(raw, "outline", []) or []))
    if outline and outline[0][0] == 3:
        outline[0] = (2, outline[0][1])
        repairs.append("first subheading promoted from H3 to H2")
    seen: set[str] = set()
    unique = []
    for level, text in outline:
        if fold(text) not in seen:
            seen.add(fold(text))
            unique.append((level, text))
    if len(unique) < len(outline):
        repairs.append("duplicate subheadings removed")
    outline = unique
    if targets.max_subheadings is not None and len(outline) > targets.max_subheadings:
        repairs.append(f"outline cut to {targets.max_subheadings} subheadings (instruction)")
        outline = outline[: targets.max_subheadings]
    h2 = sum(1 for level, _ in outline if level == 2)
    if targets.subheadings and h2 < min(n_sections, targets.max_subheadings or n_sections):
        missing = min(n_sections, targets.max_subheadings or n_sections) - h2
        extra = [(2, _fact_heading(f)) for f in facts if fold(_fact_heading(f)) not in seen][:missing]
        if extra:
            repairs.append(f"{len(extra)} subheadings added from the facts (the plan had {h2})")
            outline += extra
    room = max(targets.min_subheadings if targets.subheadings else 0, len(facts) // 2)
    if cap and len(outline) > room:  # a section needs facts of its own, or it retells the others
        repairs.append(f"outline cut from {len(outline)} to {room} subheadings ({len(facts)} facts)")
        outline = outline[:room]
    return Plan(keyphrase=keyphrase, title=title, meta_description=meta, outline=outline, repairs=repairs)


def verify_parts(plan: Plan, texts: list[str], support: Support, facts: list[str]) -> tuple[Plan, list[str]]:
    """The verification step: what the source does not support leaves the article.

    Sentences with an unsupported name, figure or quote are dropped from each section; a section left
    empty goes with its heading; an unsupported keyphrase, title or meta description is rebuilt from the
    facts and an unsupported subheading is dropped. Each change is a repair."""
    repairs = list(plan.repairs)
    outline: list[tuple[int, str]] = []
    checked = [keep_supported(t, support) for t in texts]
    for i, result in enumerate(checked):
        if result.dropped:
            what = sorted({f.text for _, findings in result.dropped for f in findings})
            repairs.append(f"verify: {len(result.dropped)} sentence(s) dropped from "
                           f"{'the lede' if i == 0 else repr(plan.outline[i - 1][1])}: not in the source: "
                           + ", ".join(what[:6]))
    kept_texts = [checked[0].text]
    for (level, heading), result in zip(plan.outline, checked[1:]):
        if not result.text.strip():
            repairs.append(f"verify: section {heading!r} dropped (no supported sentence left)")
            continue
        if unsupported(heading, support):
            repairs.append(f"verify: subheading {heading!r} dropped (not in the source)")
            kept_texts[-1] = "\n\n".join(t for t in (kept_texts[-1], result.text) if t)
            continue
        outline.append((level, heading))
        kept_texts.append(result.text)
    keyphrase, title, meta = plan.keyphrase, plan.title, plan.meta_description
    if unsupported(keyphrase, support):
        keyphrase = " ".join(fallback_keyphrase(facts).split()[:4])
        repairs.append(f"verify: keyphrase {plan.keyphrase!r} replaced by {keyphrase!r} (not in the source)")
    if unsupported(title, support):
        title = clip(keyphrase[:1].upper() + keyphrase[1:], 60)
        repairs.append(f"verify: title {plan.title!r} replaced (not in the source)")
    if meta and unsupported(meta, support):
        meta = clip(" ".join(facts[:2]), 156)
        repairs.append("verify: meta description rebuilt from the facts (not in the source)")
    if outline and outline[0][0] == 3:
        outline[0] = (2, outline[0][1])
    return Plan(keyphrase=keyphrase, title=title, meta_description=meta, outline=outline, repairs=repairs), kept_texts


def drop_repeats(plan: Plan, texts: list[str], threshold: float = 0.6) -> tuple[Plan, list[str]]:
    """Drop sentences that say again what an earlier sentence of the article said (word trigrams shared
    at ``threshold`` or more): repetition is padding, not content. A section left empty goes with its
    heading. Each drop is a repair."""
    from redac.factcheck import trigrams
    from redac.text import tokens

    seen: list[set] = []
    kept_texts: list[str] = []
    dropped = 0
    for text in texts:
        paras = []
        for para in re.split(r"\n\s*\n", text or ""):
            kept = []
            for sentence in sentences(para):
                grams = trigrams(tokens(sentence))
                if grams and any(len(grams & other) >= threshold * len(grams) for other in seen):
                    dropped += 1
                    continue
                seen.append(grams)
                kept.append(sentence)
            if kept:
                paras.append(" ".join(kept))
        kept_texts.append("\n\n".join(paras))
    if not dropped:
        return plan, texts
    repairs = [*plan.repairs, f"{dropped} repeated sentence(s) dropped"]
    outline, bodies = [], [kept_texts[0]]
    for heading, body in zip(plan.outline, kept_texts[1:]):
        if body.strip():
            outline.append(heading)
            bodies.append(body)
        else:
            repairs.append(f"section {heading[1]!r} dropped (it only repeated earlier sections)")
    if outline and outline[0][0] == 3:
        outline[0] = (2, outline[0][1])
    return Plan(keyphrase=plan.keyphrase, title=plan.title, meta_description=plan.meta_description,
                outline=outline, repairs=repairs), bodies


def fallback_keyphrase(facts: list[str]) -> str:
    """The most frequent capitalised name in the facts, else the first words of the first fact."""
    names: dict[str, int] = {}
    for fact in facts:
        for name in re.findall(r"\b[A-ZÀ-Ö][\w'-]+(?: [A-ZÀ-Ö][\w'-]+)*", fact):
            names[name] = names.get(name, 0) + 1
    if names:
        return max(names, key=lambda n: (names[n], len(n)))
    return " ".join((facts[0] if facts else "actualité").split()[:3])


def _fact_heading(fact: str) -> str:
    return clip(fact.rstrip("."), 60)


def strip_headings(text: str) -> str:
    """A section body must not bring its own headings or a repeated title."""
    lines = [line for line in str(text or "").splitlines() if not re.match(r"^\s*#{1,6}\s", line)]
    return "\n".join(lines).strip()


def assemble(plan: Plan, lede: str, bodies: list[str]) -> Article:
    parts = [f"# {plan.title}", strip_headings(lede)]
    for (level, heading), body in zip(plan.outline, bodies):
        parts += [f"{'#' * level} {heading}", strip_headings(body)]
    markdown = "\n\n".join(p for p in parts if p) + "\n"
    return Article(
        title=plan.title,
        meta_description=plan.meta_description,
        slug=slugify(plan.keyphrase) or slugify(plan.title),
        keyphrase=plan.keyphrase,
        markdown=markdown,
    )


# --------------------------------------------------------------------------------------------
# Demos from the labelled set (what LabeledFewShot would pick, shaped for each step).
# --------------------------------------------------------------------------------------------


def demos_from_records(records: list, k: int = 2, style: str = "gold") -> dict[str, list[dspy.Example]]:
    """Few-shot demos for each predictor, shaped for that step, from labelled pairs.

    ``style="gold"``: the plan demo is the gold's SEO fields and headings, the write demos are gold
    sections (what a capable model should imitate). ``style="extractive"``: every output is taken from
    the demo's own facts (title and headings cut from them, sections made of them); a small base model
    copies its demos, so these teach it to copy from *its* input rather than from another story.
    In both styles the extract demo lists the cleaned source's sentences.
    """
    if style not in ("gold", "extractive"):
        raise ValueError(f"unknown demo style {style!r}")
    out: dict[str, list[dspy.Example]] = {"extract": [], "plan": [], "write": []}
    for record in records[:k]:
        src = clean(record.source, name=record.id)
        facts = sentences(src.body)
        out["extract"].append(dspy.Example(source=src.body, facts=facts).with_inputs("source"))
        if style == "gold":
            plan, write = _gold_demos(record.gold, facts, sections(record.gold.markdown))
        else:
            plan, write = _extractive_demos(facts, section_count(src.targets, ProgramConfig()))
        out["plan"].append(plan)
        out["write"].extend(write)
    return out


_WRITE_INPUTS = ("facts", "title", "keyphrase", "heading", "words")


def _gold_demos(gold, facts: list[str], secs: list) -> tuple[dspy.Example, list[dspy.Example]]:
    body_secs = [s for s in secs if s.heading and s.heading.level > 1]
    outline = [f"{'#' * s.heading.level} {s.heading.text}" for s in body_secs]
    plan = dspy.Example(facts=facts, sections=sum(1 for o in outline if o.startswith("## ")),
                        keyphrase=gold.keyphrase, title=gold.title, meta_description=gold.meta_description,
                        outline=outline).with_inputs("facts", "sections")
    lede = next((s for s in secs if s.heading is not None and s.heading.level == 1), None)
    parts = split_evenly(facts, len(body_secs) + 1)
    write = []
    for part, sec in zip(parts, ([lede] if lede else []) + body_secs[:1]):
        heading = LEDE if sec.heading.level == 1 else sec.heading.text
        write.append(dspy.Example(facts=part, title=gold.title, keyphrase=gold.keyphrase, heading=heading,
                                  words=_round_words(sec.body), text=sec.body).with_inputs(*_WRITE_INPUTS))
    return plan, write


def _extractive_demos(facts: list[str], n_sections: int) -> tuple[dspy.Example, list[dspy.Example]]:
    parts = split_evenly(facts, n_sections + 1)
    keyphrase = " ".join(fallback_keyphrase(facts).split()[:4])
    title = clip(facts[0].rstrip("."), 60)
    headings = [clip(part[0].rstrip("."), 50) for part in parts[1:]]
    plan = dspy.Example(facts=facts, sections=len(headings), keyphrase=keyphrase, title=title,
                        meta_description=clip(" ".join(facts[:2]), 156),
                        outline=[f"## {h}" for h in headings]).with_inputs("facts", "sections")
    write = []
    for heading, part in list(zip([LEDE] + headings, parts))[:2]:
        text = "\n\n".join(" ".join(part[i:i + 3]) for i in range(0, len(part), 3))
        write.append(dspy.Example(facts=part, title=title, keyphrase=keyphrase, heading=heading,
                                  words=_round_words(text), text=text).with_inputs(*_WRITE_INPUTS))
    return plan, write


def _round_words(text: str) -> int:
    return max(80, round(count_words(text) / 10) * 10)


def with_demos(program: RedacProgram, demos: dict[str, list[dspy.Example]]) -> RedacProgram:
    for name, predictor in program.named_predictors():
        step = name.split(".")[0]
        if step in demos:
            predictor.demos = list(demos[step])
    return program
