"""Fine-tuning the embedded model: step examples laid out as at inference, train-split guard, config
errors, LoRA -> GGUF conversion (checked against llama.cpp), adapters in the LM config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dspy
import pytest
from dspy.utils import DummyLM

from tests.conftest import ROOT
from redac.article import sections
from redac.dataset import load_jsonl
from redac.errors import ConfigError, DatasetError
from redac.finetune import FinetuneConfig, build_examples, load_finetune_config, record_examples
from redac.finetune.examples import align_facts, content_words
from redac.finetune.train import epoch_order, lr_factor
from redac.lm.adapter import CompletionAdapter
from redac.lm.completion import COMPLETED, MARKER, CompletionRequest
from redac.lm.config import LMConfig, parse_lm_spec, resolve_adapter
from redac.program import RedacProgram
from redac.sources import clean
from redac.text import sentences

DATASET = ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl"
CONFIG = ROOT / "experiments" / "finetune-embedded.yaml"


@pytest.fixture(scope="module")
def records():
    return load_jsonl(DATASET)


def student() -> RedacProgram:
    program = RedacProgram()
    program.config.facts = "sentences"
    return program


def train_record(records, rid="sport-c03"):
    return next(r for r in records if r.id == rid)


# ---- examples ----------------------------------------------------------------------------------
def test_examples_cover_plan_and_every_gold_section(records):
    record = train_record(records)
    examples = record_examples(student(), record)
    plans = [e for e in examples if e.step == "plan"]
    writes = [e for e in examples if e.step == "write"]
    with_text = [s for s in sections(record.gold.markdown) if s.heading is not None and s.body.strip()]
    assert len(plans) == 1 and len(writes) == len(with_text)  # the lede (H1) and every H2/H3 with text
    plan = plans[0]
    assert plan.prompt.endswith(MARKER.format("keyphrase") + "\n")
    assert plan.target.startswith(record.gold.keyphrase + "\n\n" + MARKER.format("title"))
    assert plan.target.endswith(COMPLETED)
    for write in writes:
        assert write.prompt.endswith(MARKER.format("text") + "\n") and write.target.endswith(COMPLETED)
        assert "[[ ## " not in write.target[: -len(COMPLETED)]  # the section text only, then the end marker
    assert "Introduction" in writes[0].prompt


def test_write_facts_are_source_sentences_the_section_draws_on(records):
    record = train_record(records)
    facts = sentences(clean(record.source, name=record.id).body)
    for write in (e for e in record_examples(student(), record) if e.step == "write"):
        listed = json.loads(write.prompt.split(MARKER.format("facts") + "\n", 1)[1].split("\n\n[[ ##", 1)[0])
        assert listed and all(f in facts for f in listed)


def test_plan_prompt_is_the_prompt_the_program_sends_at_inference(records):
    """Train as you serve: the plan example's prompt is what the embedded engine renders for the same step."""
    record = train_record(records)
    plan = next(e for e in record_examples(student(), record) if e.step == "plan")
    lm = DummyLM([{"keyphrase": "x", "title": "t", "meta_description": "m", "outline": ["## a"]}]
                 + [{"text": "texte"}] * 10)
    with dspy.context(lm=lm, adapter=CompletionAdapter()):
        student()(source=clean(record.source, name=record.id))
    first = CompletionRequest.from_messages(lm.history[0]["messages"]).layout().prompt  # facts: sentences -> the first call is the plan
    assert MARKER.format("keyphrase") in first
    cut = MARKER.format("sections")
    assert first.split(cut)[0] == plan.prompt.split(cut)[0]


def test_align_facts_keeps_every_fact_and_prefers_precision():
    facts = ["Le maire Jean Dupont a présenté un budget de 12 millions d'euros.",
             "Les écoles de Lyon recevront 4 millions d'euros.",
             "Le vote aura lieu le 3 mars."]
    secs = ["Jean Dupont, maire, a présenté mardi un budget de 12 millions d'euros pour la ville.",
            "Les écoles recevront 4 millions d'euros. Le conseil votera le 3 mars."]
    shares = align_facts(facts, secs)
    assert shares[0] == [facts[0]]
    assert shares[1] == [facts[1], facts[2]]
    assert "dupont" in content_words(facts[0]) and "le" not in content_words(facts[0])


def test_examples_refuse_dev_and_test(records):
    dev = [r for r in records if r.split == "dev"][:1]
    with pytest.raises(DatasetError, match="train split only"):
        build_examples(student(), dev)
    test = [r for r in records if r.split == "test"][:1]
    with pytest.raises(DatasetError):
        build_examples(student(), test)


# ---- config and CLI ------------------------------------------------------------------------------
def test_shipped_config_is_valid_and_trains_train_only():
    cfg = load_finetune_config(CONFIG)
    assert cfg.dataset.split == "train" and cfg.facts == "sentences" and cfg.steps == ["plan", "write"]


def test_config_errors_name_file_line_and_key(tmp_path):
    bad = tmp_path / "ft.yaml"
    bad.write_text("version: 1\nname: x\nlora:\n  rank: 16\n  lr: 0.1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_finetune_config(bad)
    assert "lora.lr" in str(err.value) and ":5" in str(err.value) and "unknown key" in str(err.value)
    bad.write_text("version: 1\nname: x\ndataset: {split: dev}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="dataset.split"):
        load_finetune_config(bad)
    with pytest.raises(ValueError, match="extract"):
        FinetuneConfig(name="x", facts="model", steps=["plan", "write"])


def test_cli_dry_run_counts_examples_without_training(tmp_path):
    out = subprocess.run([sys.executable, "-m", "redac.cli", "finetune", str(CONFIG), "--dry-run"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "32 train records" in out.stdout and "plan" in out.stdout and "nothing was trained" in out.stdout


def test_schedule_and_order_are_deterministic():
    assert epoch_order(10, 0, 1) == epoch_order(10, 0, 1) != epoch_order(10, 0, 0)
    assert lr_factor(0, 100, 5) == pytest.approx(0.2) and lr_factor(4, 100, 5) == 1.0
    assert lr_factor(100, 100, 5) == pytest.approx(0.1)


# ---- adapters in the LM config -------------------------------------------------------------------
def test_embedded_default_uses_the_shipped_adapter_and_base_stays_selectable():
    default, base = parse_lm_spec("embedded"), parse_lm_spec("embedded:base")
    shipped = resolve_adapter(default)
    assert shipped is not None and shipped.path.is_file() and shipped.program is not None
    assert resolve_adapter(base) is None
    assert default.model_name.endswith("+redac-fr-news") and "+" not in base.model_name
    # answers are cached per adapter content and decoding settings, never shared across them
    tuned = default.model_copy(update={"repeat_penalty": 1.3})
    assert len({default.cache_identity(), base.cache_identity(), tuned.cache_identity()}) == 3
    public = default.public_dict()
    assert public["adapter"] == "default" and public["adapter_sha256"] == shipped.sha256


def test_adapter_errors_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="adapter not found"):
        resolve_adapter(LMConfig(provider="embedded", adapter=str(tmp_path / "nope")))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no adapter.gguf"):
        resolve_adapter(LMConfig(provider="embedded", adapter=str(tmp_path / "empty")))
    with pytest.raises(ConfigError, match="adapter"):
        LMConfig.from_dict({"provider": "openai", "model": "gpt-4o-mini", "adapter": "x.gguf"})


def test_default_program_follows_the_lm():
    from redac.api import DEFAULT_PROGRAM, default_program_path, load_program

    assert default_program_path(parse_lm_spec("embedded:base")) == DEFAULT_PROGRAM
    assert default_program_path(parse_lm_spec("openai/gpt-4o-mini")) == DEFAULT_PROGRAM
    tuned = load_program(lm=parse_lm_spec("embedded"))
    assert tuned.config.facts == "sentences"
    assert all(not p.demos for _, p in tuned.named_predictors())  # the adapter replaces the demos


def test_bundle_refuses_other_adapter_weights():
    from redac.bundle import check_adapter

    check_adapter(parse_lm_spec("embedded"), resolve_adapter(parse_lm_spec("embedded")).sha256)
    with pytest.raises(ConfigError, match="adapter"):
        check_adapter(parse_lm_spec("embedded"), "0" * 64)


# ---- LoRA -> GGUF -----------------------------------------------------------------------------------
def tiny_adapter(tmp_path: Path) -> Path:
    torch = pytest.importorskip("torch")
    pytest.importorskip("peft")
    from peft import LoraConfig, get_peft_model
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    torch.manual_seed(0)
    config = Gemma3TextConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                              num_attention_heads=2, num_key_value_heads=1, head_dim=16)
    model = get_peft_model(Gemma3ForCausalLM(config), LoraConfig(
        r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"], init_lora_weights=False))
    model.save_pretrained(str(tmp_path / "peft"))
    return tmp_path / "peft"


def test_convert_writes_llama_cpp_adapter_layout(tmp_path):
    gguf = pytest.importorskip("gguf")
    from safetensors.numpy import load_file

    from redac.finetune.convert import convert

    peft_dir = tiny_adapter(tmp_path)
    out = convert(peft_dir, tmp_path / "adapter.gguf", arch_name="gemma3", dtype="f32")
    reader = gguf.GGUFReader(str(out))
    field = lambda key: reader.fields[key]  # noqa: E731
    assert bytes(field("general.type").parts[-1]).decode() == "adapter"
    assert bytes(field("adapter.type").parts[-1]).decode() == "lora"
    assert float(field("adapter.lora.alpha").parts[-1][0]) == 8.0
    tensors = {t.name: t for t in reader.tensors}
    assert len(tensors) == 2 * 3 * 2  # a and b, 3 modules, 2 layers
    source = load_file(str(peft_dir / "adapter_model.safetensors"))
    a = source["base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight"]  # (rank, in)
    b = source["base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"]  # (out, rank)
    got_a = tensors["blk.1.attn_q.weight.lora_a"]
    got_b = tensors["blk.1.ffn_down.weight.lora_b"]
    assert list(got_a.shape) == [a.shape[1], a.shape[0]]  # GGUF lists ne: innermost first
    assert got_a.data.reshape(a.shape).tolist() == a.tolist()
    assert got_b.data.reshape(b.shape).tolist() == b.tolist()


@pytest.mark.slow
def test_llama_cpp_with_the_converted_adapter_matches_torch(tmp_path):
    """The real check of the conversion: the base GGUF + converted adapter in llama.cpp gives the same
    next-token distribution as the dequantised model + peft adapter in torch."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("peft")
    import numpy as np
    from peft import LoraConfig, get_peft_model

    from redac.finetune.convert import convert
    from redac.finetune.train import load_base
    from redac.lm.config import embedded_model_path

    base = embedded_model_path()
    model, tokenizer = load_base(base)
    torch.manual_seed(0)
    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, init_lora_weights=False,
                                             target_modules=["q_proj", "o_proj", "up_proj", "down_proj"]))
    for name, p in model.named_parameters():  # a strong, visible adapter
        if "lora_B" in name:
            p.data.normal_(0, 0.02)
    model.save_pretrained(str(tmp_path / "peft"))
    adapter = convert(tmp_path / "peft", tmp_path / "adapter.gguf", arch_name="gemma3", dtype="f32")
    text = "Le maire de Lyon a présenté mardi un budget de"
    ids = [tokenizer.bos_token_id] + tokenizer(text, add_special_tokens=False)["input_ids"]
    model.eval()
    with torch.no_grad():
        torch_logits = model(input_ids=torch.tensor([ids])).logits[0, -1].float().numpy()
        with model.disable_adapter():
            plain = model(input_ids=torch.tensor([ids])).logits[0, -1].float().numpy()
    from llama_cpp import Llama

    llm = Llama(model_path=str(base), lora_path=str(adapter), n_ctx=512, n_threads=2, logits_all=True,
                verbose=False)
    llm.eval(ids)
    cpp = np.array(llm.scores[len(ids) - 1], dtype=np.float32)
    top = lambda v: set(np.argsort(v)[-5:])  # noqa: E731
    assert int(np.argmax(cpp)) == int(np.argmax(torch_logits))
    assert len(top(cpp) & top(torch_logits)) >= 4
    assert np.corrcoef(cpp, torch_logits)[0, 1] > 0.99
    assert np.abs(torch_logits - plain).max() > 1.0  # the adapter does change the model


def test_bundle_of_the_fine_tuned_program_names_the_adapter_and_its_digest(tmp_path):
    from redac.bundle import default_lm_config, load, source_from_file, write_bundle

    shipped = resolve_adapter(parse_lm_spec("embedded"))
    config = tmp_path / "exp.yaml"
    config.write_text("version: 1\nname: ft\nlm: {provider: embedded}\ntracking: {enabled: false}\n", encoding="utf-8")
    bundle = write_bundle(source_from_file(shipped.program, config), tmp_path / "bundle")
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lm"]["adapter"] == "default" and manifest["lm"]["adapter_sha256"] == shipped.sha256
    assert manifest["program_config"]["facts"] == "sentences" and manifest["program_config"]["verify"] is True
    assert "redac_config" not in json.loads((bundle / "program.json").read_text(encoding="utf-8"))
    loaded = load(bundle)
    assert loaded.program.config.verify is True
    assert default_lm_config(loaded.manifest).adapter == "default"


@pytest.mark.slow
def test_shipped_adapter_writes_about_its_own_source():
    """The default offline model on a real seed it was not trained on (source_003 is kept out of training):
    the article parses, is structured, and is about this story (its people and places), not a demo's."""
    from redac.api import rewrite
    from redac.factcheck import Support, unsupported

    seed = ROOT / "tests" / "fixtures" / "seeds" / "source_003.txt"
    record = next(r for r in load_jsonl(DATASET) if r.id == "seed-003")
    assert "seed-003" in load_finetune_config(CONFIG).dataset.exclude_ids
    (result,) = rewrite([seed], lm="embedded")
    assert result.ok, result.error
    article = result.article
    assert len([h for h in article.headings if h.level == 2]) >= 1 and article.word_count > 150
    folded = article.markdown.lower()
    named = [e for e in record.facts.entities if e.lower() in folded]
    assert len(named) >= 2, named  # the story's own people and places
    support = Support.of(clean(record.source, name=record.id).body)
    assert not [f for s in sentences(article.body_text) for f in unsupported(s, support)]  # verified


def test_training_resumes_from_its_checkpoint_to_the_same_weights(tmp_path):
    """A run stopped by its wall-clock budget and resumed ends with the weights of an uninterrupted run."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("peft")
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    from redac.finetune import LoraSettings
    from redac.finetune.train import Encoded, attach_lora, train

    settings = LoraSettings(rank=4, alpha=8, dropout=0.0, target_modules=["q_proj", "down_proj"], epochs=2,
                            grad_accum=2, warmup_steps=1, checkpoint_every=2, learning_rate=1e-2)
    data = [Encoded(id=f"e{i}", step="write", ids=[2, *range(3 + i, 20 + i)], n_prompt=6) for i in range(5)]

    def fresh():
        torch.manual_seed(0)
        config = Gemma3TextConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                  num_attention_heads=2, num_key_value_heads=1, head_dim=16)
        return attach_lora(Gemma3ForCausalLM(config), settings)

    whole = train(fresh(), data, settings, tmp_path / "a")
    assert whole.state.finished and whole.state.seen == 10 and whole.stopped is None
    first = train(fresh(), data, settings, tmp_path / "b", budget_s=1e-9)
    assert first.stopped == "budget" and 0 < first.state.seen < 10
    second = train(fresh(), data, settings, tmp_path / "b")
    assert second.state.finished and second.state.seen == 10
    assert second.state.losses[: first.state.seen] == first.state.losses
    from safetensors.torch import load_file

    a = load_file(str(whole.adapter_dir / "adapter_model.safetensors"))
    b = load_file(str(second.adapter_dir / "adapter_model.safetensors"))
    assert a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)
    assert second.state.losses == pytest.approx(whole.state.losses, abs=1e-3)


def test_copy_guard_penalises_only_continuations_of_prompt_runs():
    import numpy as np

    from redac.lm.llama_backend import copy_guard

    prompt = [2, 10, 11, 12, 13, 14, 7]
    guard = copy_guard(prompt, ngram=3, penalty=5.0)
    scores = np.zeros(20, dtype=np.float32)
    # the continuation has fewer than ngram-1 tokens of its own: nothing changes
    assert not guard(np.array(prompt + [10]), scores.copy()).any()
    out = guard(np.array(prompt + [10, 11]), scores.copy())  # "10 11" was followed by 12 in the prompt
    assert out[12] == -5.0 and np.count_nonzero(out) == 1
    assert not guard(np.array(prompt + [11, 10]), scores.copy()).any()


def test_adapter_manifest_decoding_fills_only_unset_fields(tmp_path):
    folder = tmp_path / "ad"
    folder.mkdir()
    (folder / "adapter.gguf").write_bytes(b"GGUF")
    (folder / "manifest.json").write_text(json.dumps({"decoding": {"copy_penalty": 3.0, "repeat_penalty": 1.2}}))
    served = LMConfig(provider="embedded", adapter=str(folder))
    assert (served.copy_penalty, served.repeat_penalty) == (3.0, 1.2)
    assert LMConfig(provider="embedded", adapter=str(folder), copy_penalty=0).copy_penalty == 0
    assert LMConfig(provider="embedded", adapter=None).copy_penalty == 0  # the base model: plain defaults
    again = LMConfig.from_dict({**served.model_dump(mode="json", exclude_unset=True), "adapter": None})
    assert again.copy_penalty == 0 and again.repeat_penalty == 1.1  # recommendations do not stick


def test_teacher_examples_score_with_labelled_facts_and_keep_articles_over_thresholds(records, monkeypatch):
    # teacher_examples passed `labelled=` to score() and read a `Scores.passed` that never existed.
    import redac.lm
    from redac.finetune.run import teacher_examples
    from redac.metrics import load_metrics_config, score

    monkeypatch.setattr(redac.lm, "check_lm", lambda cfg: None)
    monkeypatch.setattr(redac.lm, "build_lm", lambda cfg: DummyLM([]))
    monkeypatch.setattr(redac.lm, "adapter_for", lambda cfg: None)
    picked = [r for r in records if r.split == "train"][:2]
    golds = iter([r.gold.to_article() for r in picked])

    class Teacher:  # writes the gold article; it has no predictor, so no step example comes out
        def named_predictors(self):
            return []

        def __call__(self, source):
            return dspy.Prediction(article=next(golds))

    cfg = load_finetune_config(CONFIG).model_copy(update={"teacher": parse_lm_spec("embedded")})
    out, extra = teacher_examples(cfg, Teacher(), picked)
    thresholds = load_metrics_config(cfg.metrics).thresholds
    expected = [r.id for r in picked
                if not score(r.gold.to_article(), clean(r.source, name=r.id), gold=r.gold.to_article(),
                             facts=r.facts, cfg=load_metrics_config(cfg.metrics)).failing(thresholds)]
    assert out == []
    assert extra["teacher_kept"] == expected
    assert sorted(extra["teacher_kept"] + extra["teacher_dropped"]) == sorted(r.id for r in picked)
