"""Real local models, offline: the embedded GGUF in process, and the same GGUF behind a real
``llama_cpp.server`` process reached as an OpenAI-compatible server."""

from __future__ import annotations

import dspy
import pytest

from redac.lm import LMConfig, adapter_for, build_lm, check_lm, context_window, count_tokens

pytestmark = pytest.mark.slow



class Depeche(dspy.Signature):
    """Donne un titre court et le lieu principal de la dépêche."""

    depeche: str = dspy.InputField()
    titre: str = dspy.OutputField()
    lieu: str = dspy.OutputField()


DEMOS = [
    dspy.Example(depeche="Le président français a reçu mardi à l'Élysée le chancelier allemand pour parler "
                         "de l'Ukraine.", titre="Paris et Berlin parlent de l'Ukraine", lieu="Paris"
                 ).with_inputs("depeche"),
    dspy.Example(depeche="Un incendie a détruit dimanche un entrepôt près de Lyon, sans faire de victime.",
                 titre="Un entrepôt détruit par le feu près de Lyon", lieu="Lyon").with_inputs("depeche"),
]
DEPECHE = "Vladimir Poutine a rencontré Kim Jong Un à Pyongyang mercredi pour signer un accord de défense."


def predict(lm):
    program = dspy.Predict(Depeche)
    program.demos = DEMOS
    with dspy.context(lm=lm, adapter=adapter_for(lm.redac_config)):  # CompletionAdapter for these configs
        return program(depeche=DEPECHE)


def test_embedded_completion_style_parses(lm_dirs, gguf_path):
    # the base model driven by few-shot demos (the fine-tuned default is tested in test_finetune.py)
    cfg = LMConfig(provider="embedded", adapter=None, max_tokens=48, n_ctx=2048, record_to=lm_dirs / "rec.jsonl")
    lm = build_lm(cfg)
    result = predict(lm)
    assert result.titre.strip() and result.lieu.strip()
    assert "[[" not in result.titre + result.lieu
    (record,) = lm.usage.records
    assert record.source == "live" and record.prompt_tokens > 100 and 0 < record.completion_tokens <= 48
    assert record.cost_usd == 0
    # The reply DSPy saw carries every marker, written by the engine around the model's values.
    assert lm.history[-1]["outputs"][0].startswith("[[ ## titre ## ]]\n")
    assert predict(build_lm(cfg)).titre == result.titre  # deterministic: from the disk cache now
    text = "Le Kremlin a confirmé la rencontre."
    assert count_tokens(cfg, text) == lm.count_tokens(text) > 3
    assert context_window(cfg) == lm.context_window == 2048
    assert check_lm(cfg)["n_ctx_train"] >= 2048
    replay = LMConfig(provider="replay", replay_from=lm_dirs / "rec.jsonl")
    assert count_tokens(replay, text) == count_tokens(cfg, text)  # counted as the recording counted
    assert context_window(replay) == 2048
    assert predict(build_lm(replay)) == result


def test_openai_compatible_against_llama_cpp_server(llama_server, lm_dirs):
    info = check_lm(LMConfig(provider="openai_compatible", model="gemma-3-270m", api_base=llama_server))
    assert info["model_listed"] is True

    chat = build_lm(LMConfig(provider="openai_compatible", model="gemma-3-270m", api_base=llama_server,
                             max_tokens=24, cache=False))
    (reply,) = chat("La capitale de la France est")
    assert reply.strip()
    (record,) = chat.usage.records
    assert record.prompt_tokens > 0 and 0 < record.completion_tokens <= 24  # max_tokens reached the server

    # A base model behind a server is driven completion style, like the embedded one.
    base = build_lm(LMConfig(provider="openai_compatible", model="gemma-3-270m", api_base=llama_server,
                             max_tokens=48, completion_style=True))
    result = predict(base)
    assert result.titre.strip() and result.lieu.strip()
    totals = base.usage.totals()
    assert totals.calls == 1 and totals.prompt_tokens > 100 and 0 < totals.completion_tokens <= 48
