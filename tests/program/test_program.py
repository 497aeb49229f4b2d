"""Program logic with DSPy's DummyLM: composition, repairs, chunking, targets, demos."""

from __future__ import annotations

import json

import dspy
import pytest
from dspy.utils import DummyLM

from redac.program import (
    ProgramConfig, RedacProgram, as_list, chunk_text, clip, parse_outline, repair_plan, section_count,
    section_words,
)
from redac.sources import Source, Targets
from redac.text import count_words

BODY = (
    "Le maire de Lyon, Jean Dupont, a présenté mardi un budget de 12 millions d'euros.\n\n"
    "Il a déclaré : « Nous investissons dans les écoles »."
)
SECTION = "Jean Dupont a présenté mardi le budget de Lyon, qui atteint 12 millions d'euros. " * 12
_WORDS = ("maire budget ville école quartier conseil vote projet habitant rue parc musée piscine tramway "
          "crèche marché place jardin stade gare pont bibliothèque théâtre collège lycée hôpital port").split()


def section(i: int, n: int = 12) -> str:
    """A section of ``n`` sentences that share no word trigram with another section or sentence."""
    import random

    rng = random.Random(i)
    return " ".join(f"{' '.join(rng.sample(_WORDS, 9)).capitalize()}." for _ in range(n))


SECTIONS = [{"text": section(i)} for i in range(5)]
PLAN = {
    "keyphrase": "budget de Lyon",
    "title": "Le budget de Lyon présenté par Jean Dupont",
    "meta_description": "Le maire Jean Dupont a présenté mardi le budget de Lyon : 12 millions d'euros, avec une priorité "
                        "donnée aux écoles de la ville.",
    "outline": ["## Un budget de Lyon de 12 millions", "## Ce que dit le maire", "### Les écoles", "## La suite"],
}


def run(answers, source=BODY, **kw):
    adapter = dspy.ChatAdapter(use_json_adapter_fallback=False)  # as with completion-style backends
    with dspy.context(lm=DummyLM(answers), adapter=adapter):
        return RedacProgram(**kw)(source=Source(raw=source, body=source))


def test_program_composes_facts_plan_and_sections_into_an_article():
    facts = {"facts": ["Jean Dupont a présenté mardi un budget de 12 millions d'euros.",
                       "« Nous investissons dans les écoles »"]}
    pred = run([facts, PLAN] + SECTIONS, config=ProgramConfig(dedupe=True))
    article = pred.article
    assert article.title == PLAN["title"] and article.slug == "budget-de-lyon"
    assert article.markdown.startswith("# Le budget de Lyon présenté par Jean Dupont\n")
    assert [(h.level, h.text) for h in article.headings] == [
        (1, PLAN["title"]), (2, "Un budget de Lyon de 12 millions"), (2, "Ce que dit le maire"),
        (3, "Les écoles")]
    assert article.word_count == 4 * count_words(SECTIONS[0]["text"])
    assert pred.facts == facts["facts"]
    assert pred.repairs == ["outline cut from 4 to 3 subheadings (2 facts)"]  # a section needs facts of its own


def test_repeated_sentences_leave_the_article():
    facts = {"facts": [f"Fait numéro {i} sur le budget." for i in range(10)]}
    repeated = [SECTIONS[0], SECTIONS[1], SECTIONS[0], SECTIONS[2], SECTIONS[1]]
    pred = run([facts, PLAN] + repeated, config=ProgramConfig(dedupe=True))
    assert [h.text for h in pred.article.headings[1:]] == ["Un budget de Lyon de 12 millions", "Les écoles"]
    assert "24 repeated sentence(s) dropped" in pred.repairs
    assert any("'Ce que dit le maire' dropped" in r for r in pred.repairs)


def test_short_article_is_warned_not_hidden():
    pred = run([{"facts": ["Un fait."]}, PLAN] + [{"text": "Trop court."}] * 5)
    assert any("target is 700" in w for w in pred.warnings)


def test_plan_repairs_are_recorded():
    raw = dspy.Prediction(keyphrase="un très long groupe de mots clés", title="T" * 80,
                          meta_description="M " * 100, outline=["### Sous-partie", "Sous-partie", "## Deux"])
    plan = repair_plan(raw, ["Jean Dupont a parlé à Lyon."], Targets(), 4)
    assert len(plan.title) <= 60 and len(plan.meta_description) <= 156
    assert plan.keyphrase == "Jean Dupont"
    assert plan.outline[0] == (2, "Sous-partie") and len(plan.outline) >= 2
    text = " | ".join(plan.repairs)
    for fragment in ("keyphrase", "title cut", "meta description cut", "promoted", "duplicate"):
        assert fragment in text


def test_instruction_caps_subheadings():
    targets = Targets(min_words=900, max_subheadings=2)
    assert section_count(targets, ProgramConfig()) == 2
    raw = dspy.Prediction(**PLAN)
    assert len(repair_plan(raw, ["f"], targets, 2).outline) == 2
    assert section_count(Targets(subheadings=False), ProgramConfig()) == 0
    assert section_words(Targets(min_words=700), 5) == 160


def test_long_source_is_chunked_with_a_visible_warning():
    long_body = "\n\n".join(f"Paragraphe {i} : la mairie de Lyon a voté {i} millions d'euros." for i in range(400))
    config = ProgramConfig(context_tokens=4096, reserved_tokens=3072)
    n_chunks = len(chunk_text(long_body, RedacProgram(config)._source_budget()))
    assert n_chunks > 1
    answers = [{"facts": [f"fait {i}"]} for i in range(n_chunks)] + [PLAN] + [{"text": SECTION}] * 5
    pred = run(answers, source=long_body, config=config)
    assert any("chunks" in w for w in pred.warnings)
    assert pred.facts == [f"fait {i}" for i in range(n_chunks)]


def test_chunk_text_keeps_every_character_of_content():
    text = "\n\n".join("Phrase numéro %d. Encore une phrase." % i for i in range(200))
    chunks = chunk_text(text, 500)
    assert all(len(c) <= 500 for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


@pytest.mark.parametrize("value,expected", [
    ('["a", "b"]', ["a", "b"]), ("- a\n- b", ["a", "b"]), (["1. a", " "], ["a"]), ("seul", ["seul"]),
])
def test_as_list_tolerates_model_formats(value, expected):
    assert as_list(value) == expected


def test_outline_and_clip_helpers():
    assert parse_outline(["## A", "### B", "C", "#"]) == [(2, "A"), (3, "B"), (2, "C")]
    assert clip("un deux trois quatre", 12) == "un deux"


def test_program_state_round_trips_as_json(tmp_path):
    program = RedacProgram()
    program.plan.demos = [dspy.Example(facts=["f"], sections=3, **PLAN).with_inputs("facts", "sections")]
    path = tmp_path / "program.json"
    program.save(str(path))
    assert path.read_text().lstrip().startswith("{")
    loaded = RedacProgram()
    loaded.load(str(path))
    assert loaded.plan.demos[0]["keyphrase"] == "budget de Lyon"


def test_facts_are_shared_between_sections_without_repeating():
    from redac.program import share_facts, split_evenly

    facts = [f"fait {i}" for i in range(10)]
    parts = share_facts(facts, 4)
    assert [len(p) for p in parts] == [3, 3, 2, 2] and sum(parts, []) == facts
    few = share_facts(facts[:3], 4)  # too few to share: overlapping windows, never the whole list each
    assert len(few) == 4 and all(len(p) == 1 for p in few) and sorted({f for p in few for f in p}) == facts[:3]
    assert split_evenly([], 3) == [[], [], []]


def test_demos_from_records_in_both_styles():
    from redac.dataset import load_jsonl
    from redac.program import demos_from_records

    records = [r for r in load_jsonl("datasets/redac-fr-news/redac-fr-news.jsonl") if r.split == "train"][:2]
    gold = demos_from_records(records, k=2, style="gold")
    assert len(gold["extract"]) == 2 and len(gold["plan"]) == 2 and len(gold["write"]) >= 2
    assert gold["plan"][0]["title"] == records[0].gold.title
    extractive = demos_from_records(records, k=1, style="extractive")
    demo = extractive["write"][0]
    assert all(f in demo["text"] for f in demo["facts"])  # outputs are made of the demo's own facts
    with pytest.raises(ValueError):
        demos_from_records(records, style="other")


def test_unparseable_fact_list_falls_back_to_source_sentences_with_a_warning():
    answers = [{"facts": "pas une liste [["}, PLAN] + [{"text": SECTION}] * 5
    pred = run(answers)
    assert pred.facts[0].startswith("Le maire de Lyon, Jean Dupont")
    assert any("source sentences are used as facts" in w for w in pred.warnings)


# --------------------------------------------------------------------------------------------
# One factory from one config type: the predictor types follow the config, saved states load whatever
# predictor type saved them, unknown settings are refused by name.
# --------------------------------------------------------------------------------------------


def _step_types(program) -> dict[str, str]:
    return {name: type(getattr(program, name)).__name__ for name in ("extract", "plan", "write")}


def _instructions(program) -> dict[str, str]:
    return {name.split(".")[0]: p.signature.instructions for name, p in program.named_predictors()}


def test_reasoning_in_the_config_builds_chain_of_thought_predictors():
    from redac.program import build_program

    assert set(_step_types(build_program({"reasoning": True})).values()) == {"ChainOfThought"}
    assert set(_step_types(build_program(ProgramConfig())).values()) == {"Predict"}


def test_experiment_reasoning_runs_chain_of_thought_on_the_packaged_predict_state():
    """The bug: ``program: {reasoning: true}`` swapped the config of a Predict program and ran Predict."""
    from redac.api import DEFAULT_PROGRAM, load_program
    from redac.experiments import ExperimentConfig, make_program

    cfg = ExperimentConfig.model_validate({"name": "t", "lm": {"provider": "embedded"},
                                           "program": {"reasoning": True, "state": str(DEFAULT_PROGRAM)}})
    program = make_program(cfg)
    assert program.config.reasoning is True
    assert set(_step_types(program).values()) == {"ChainOfThought"}
    assert [n for n, _ in program.named_predictors()] == ["extract.predict", "plan.predict", "write.predict"]
    packaged = load_program(DEFAULT_PROGRAM)  # the state's instructions and demos are carried over
    assert _instructions(program) == _instructions(packaged)
    assert [len(p.demos) for _, p in program.named_predictors()] == [len(p.demos) for _, p in
                                                                     packaged.named_predictors()]
    unset = ExperimentConfig.model_validate({"name": "t", "lm": {"provider": "embedded"},
                                             "program": {"state": str(DEFAULT_PROGRAM)}})
    assert set(_step_types(make_program(unset)).values()) == {"Predict"}


def test_a_saved_chain_of_thought_program_loads_and_round_trips(tmp_path):
    from redac.api import load_program
    from redac.program import CONFIG_KEY, build_program, load_program_state

    program = build_program({"reasoning": True, "facts": "sentences", "max_sections": 4})
    program.plan.predict.demos = [dspy.Example(facts=["f"], sections=3, **PLAN).with_inputs("facts", "sections")]
    path = tmp_path / "cot.json"
    program.save(str(path))

    loaded = load_program_state(path)
    assert set(_step_types(loaded).values()) == {"ChainOfThought"}
    assert loaded.config == program.config
    assert loaded.plan.predict.demos[0]["keyphrase"] == "budget de Lyon"
    assert load_program(path).config.reasoning is True  # the API goes through the same factory
    again = tmp_path / "again.json"
    loaded.save(str(again))
    first, second = (json.loads(p.read_text()) for p in (path, again))
    assert first[CONFIG_KEY] == second[CONFIG_KEY]
    assert {k: v for k, v in first.items() if k != "metadata"} == {k: v for k, v in second.items() if k != "metadata"}


def test_a_predict_state_plus_overrides(tmp_path):
    from redac.program import load_program_state

    program = RedacProgram(ProgramConfig(facts="sentences", max_sections=4))
    program.write.demos = [dspy.Example(facts=["f"], title="t", keyphrase="k", heading="h", words=80,
                                        text="x").with_inputs("facts", "title", "keyphrase", "heading", "words")]
    path = tmp_path / "predict.json"
    program.save(str(path))

    loaded = load_program_state(path, {"verify": True})
    assert set(_step_types(loaded).values()) == {"Predict"}
    assert (loaded.config.facts, loaded.config.max_sections, loaded.config.verify) == ("sentences", 4, True)
    assert len(loaded.write.demos) == 1

    cot = load_program_state(path, ProgramConfig(reasoning=True))  # a ProgramConfig overrides what it sets
    assert set(_step_types(cot).values()) == {"ChainOfThought"}
    assert (cot.config.facts, cot.config.max_sections, cot.config.reasoning) == ("sentences", 4, True)
    assert len(cot.write.predict.demos) == 1 and cot.write.predict.signature.instructions == \
        program.write.signature.instructions
    assert list(cot.write.predict.signature.output_fields) == ["reasoning", "text"]


def test_a_state_cannot_be_loaded_into_a_program_built_for_the_other_predictor_type(tmp_path):
    from redac.errors import ConfigError

    RedacProgram(ProgramConfig(reasoning=True)).save(str(tmp_path / "cot.json"))
    with pytest.raises(ConfigError, match="load_program_state"):
        RedacProgram().load(str(tmp_path / "cot.json"))


def test_unknown_program_settings_are_refused_by_name(tmp_path):
    from redac.errors import ConfigError
    from redac.program import CONFIG_KEY, build_program, load_program_state

    with pytest.raises(ConfigError, match="unknown key 'beam_width'") as info:
        build_program({"beam_width": 4})
    assert info.value.field == "beam_width"
    with pytest.raises(ConfigError) as info:
        build_program({"facts": "guess"})
    assert info.value.field == "facts"

    path = tmp_path / "newer.json"
    RedacProgram().save(str(path))
    state = json.loads(path.read_text())
    state[CONFIG_KEY]["beam_width"] = 4
    path.write_text(json.dumps(state))
    with pytest.raises(ConfigError, match="unknown key 'beam_width'") as info:
        load_program_state(path)
    assert info.value.field == f"{CONFIG_KEY}.beam_width" and info.value.file == str(path)
    with pytest.raises(ConfigError):
        RedacProgram().load(str(path))


def test_the_plan_prompt_states_the_house_rules():
    """The prompts cannot read redac.rules (they must stay byte-identical): they must agree with it."""
    from redac import rules
    from redac.program import PlanArticle

    doc = PlanArticle.__doc__ or ""
    assert f"({rules.KEYPHRASE_MIN_WORDS} à {rules.KEYPHRASE_MAX_WORDS} mots)" in doc
    assert f"titre de {rules.TITLE_MAX_CHARS} caractères au plus" in doc
    assert f"méta-description de {rules.META_MIN_CHARS} à {rules.META_MAX_CHARS}\n    caractères" in doc
    fields = {k: f.json_schema_extra["desc"] for k, f in PlanArticle.fields.items()}
    assert fields["keyphrase"].endswith(f"{rules.KEYPHRASE_MIN_WORDS} à {rules.KEYPHRASE_MAX_WORDS} mots")
    assert fields["title"].startswith(f"titre, {rules.TITLE_MAX_CHARS} caractères au plus")
    assert fields["meta_description"].startswith(f"{rules.META_MIN_CHARS} à {rules.META_MAX_CHARS} caractères")


def test_repairs_and_the_seo_metric_share_the_house_rules():
    from redac import rules
    from redac.metrics import MetricsConfig

    seo = MetricsConfig().seo
    # The seo metric follows Yoast (docs/metrics.md, "Yoast rules"): its meta description band and keyphrase
    # maximum are the house rules; it measures the title in pixels (Yoast) where the repairs count characters.
    assert seo.meta_chars == (rules.META_MIN_CHARS, rules.META_MAX_CHARS)
    assert seo.keyphrase_words[0] == rules.KEYPHRASE_MAX_WORDS
    raw = dspy.Prediction(keyphrase="k", title="T" * 80, meta_description="M " * 100, outline=[])
    plan = repair_plan(raw, ["f"], Targets(), 0)
    assert len(plan.title) == rules.TITLE_MAX_CHARS and len(plan.meta_description) <= rules.META_MAX_CHARS
