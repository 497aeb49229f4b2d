"""The HTTP path end to end against a real local server (http.server on 127.0.0.1):
retries, errors, preflight, disk cache, usage and budget, record and replay through dspy.Predict."""

from __future__ import annotations

import asyncio
import json
import re
import threading

import dspy
import pytest

from redac.errors import BudgetExceeded, ConfigError, LMError
from redac.lm import Budget, LMConfig, build_lm, check_lm, context_window



def compat(fake, **extra) -> LMConfig:
    return LMConfig(provider="openai_compatible", model="fake-model", api_base=fake.api_base,
                    retry_backoff_s=0.01, **extra)


def ask(lm, question: str = "Qui a rencontré Kim Jong Un à Pyongyang ?") -> str:
    with dspy.context(lm=lm, adapter=dspy.ChatAdapter(use_json_adapter_fallback=False)):
        return dspy.Predict("question -> answer")(question=question).answer


def test_429_then_500_then_success(fake_openai, lm_dirs):
    fake_openai.script.extend([429, 500])
    lm = build_lm(compat(fake_openai, cache=False))
    answer = ask(lm)
    assert answer.startswith("réponse ")
    assert len(fake_openai.posts) == 3
    body = fake_openai.posts[-1]["body"]
    assert body["max_tokens"] == 4096 and "max_completion_tokens" not in body  # llama.cpp/vLLM read max_tokens
    assert body["temperature"] == 0.0 and body["model"] == "fake-model"
    assert fake_openai.posts[-1]["auth"] == "Bearer not-needed"
    (record,) = lm.usage.records
    assert record.attempts == 3 and record.source == "live"
    totals = lm.usage.totals()
    assert (totals.calls, totals.prompt_tokens, totals.completion_tokens) == (1, 11, 7)


def test_timeout_is_retried(fake_openai, lm_dirs):
    fake_openai.script.append(("sleep", 1.5))
    lm = build_lm(compat(fake_openai, cache=False, timeout_s=0.3))
    assert ask(lm).startswith("réponse ")
    assert len(fake_openai.posts) == 2


def test_persistent_500_is_an_lm_error(fake_openai, lm_dirs):
    fake_openai.script.extend([500] * 10)
    lm = build_lm(compat(fake_openai, cache=False, num_retries=2))
    with pytest.raises(LMError) as info:
        ask(lm)
    assert len(fake_openai.posts) == 3
    assert "HTTP 500" in str(info.value) and "gave up after 3 attempts" in str(info.value)
    # Also a DSPy LMError, so DSPy's optimizers stop instead of scoring a failed example.
    assert isinstance(info.value, dspy.utils.exceptions.LMError)


@pytest.mark.parametrize(("status", "field"), [(400, "lm"), (401, "lm.api_key_env"), (404, "lm.model")])
def test_other_4xx_are_not_retried(fake_openai, lm_dirs, status, field):
    fake_openai.script.extend([status] * 5)
    lm = build_lm(compat(fake_openai, cache=False))
    with pytest.raises(LMError) as info:
        ask(lm)
    assert len(fake_openai.posts) == 1
    assert info.value.field == field and f"HTTP {status}" in info.value.message


def test_unreachable_server_is_reported(lm_dirs, dead_api_base):
    base = dead_api_base
    cfg = LMConfig(provider="openai_compatible", model="m", api_base=base)
    with pytest.raises(LMError) as info:
        check_lm(cfg)
    assert str(info.value) == f"lm.api_base: cannot reach {base}/models: connection refused"
    with pytest.raises(LMError) as info:
        ask(build_lm(cfg))
    assert info.value.message == f"cannot reach {base}: connection refused"


def test_check_lm_lists_served_models(fake_openai, monkeypatch):
    info = check_lm(compat(fake_openai))
    assert info["served_models"] == ["fake-model"] and info["model_listed"] is True
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY is not set"):
        check_lm(LMConfig(provider="openai", model="gpt-4o-mini", api_base=fake_openai.api_base))


def test_second_identical_call_is_a_cache_hit(fake_openai, lm_dirs):
    cfg = compat(fake_openai)
    first = ask(build_lm(cfg))
    again = build_lm(cfg)  # a new LM, as in a re-run: the disk cache answers
    assert ask(again) == first
    assert len(fake_openai.posts) == 1
    totals = again.usage.totals()
    assert (totals.calls, totals.cache_hits, totals.total_tokens) == (0, 1, 0)
    other_model = compat(fake_openai).model_copy(update={"model": "other-model"})
    ask(build_lm(other_model))  # the cache key holds provider and model
    assert len(fake_openai.posts) == 2
    ask(build_lm(compat(fake_openai, cache=False)))
    assert len(fake_openai.posts) == 3
    assert (lm_dirs / "cache").is_dir()


def test_rollout_id_asks_for_a_fresh_sample(fake_openai, lm_dirs):
    lm = build_lm(compat(fake_openai))
    ask(lm)
    ask(lm.copy(rollout_id=1, temperature=1.0))
    ask(lm.copy(rollout_id=1, temperature=1.0))
    with dspy.context(rollout_id=2):
        ask(lm.copy(temperature=1.0))
    assert len(fake_openai.posts) == 3
    assert lm.usage.totals().cache_hits == 1  # copies share the tally


def test_budget_is_enforced_before_the_call(fake_openai, lm_dirs):
    lm = build_lm(compat(fake_openai), budget=Budget(max_calls=1))
    ask(lm, "Première question ?")
    ask(lm, "Première question ?")  # a cache hit is free
    with pytest.raises(BudgetExceeded) as info:
        ask(lm, "Deuxième question ?")
    assert info.value.field == "budget.max_calls"
    assert len(fake_openai.posts) == 1

    small = build_lm(compat(fake_openai, max_tokens=500), budget=Budget(max_tokens=400))
    with pytest.raises(BudgetExceeded, match="token budget"):
        ask(small, "Troisième question ?")
    assert len(fake_openai.posts) == 1
    lm.usage.reset()
    assert lm.usage.totals().calls == 0


def test_cost_is_accounted_and_capped(fake_openai, lm_dirs, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    cfg = LMConfig(provider="openai", model="gpt-4o-mini", api_base=fake_openai.api_base, max_tokens=1000)
    lm = build_lm(cfg, budget=Budget(max_cost_usd=0.0009))
    ask(lm)
    assert fake_openai.posts[0]["auth"] == "Bearer sk-test"
    assert fake_openai.posts[0]["body"]["max_completion_tokens"] == 1000  # OpenAI's own name
    assert lm.usage.totals().cost_usd == pytest.approx((11 * 0.15 + 7 * 0.60) / 1e6)
    with pytest.raises(BudgetExceeded, match="cost budget"):
        # Worst case of the next call (1000 output tokens at $0.60/M) would pass the cap.
        lm.usage.budget = Budget(max_cost_usd=0.0005)
        ask(lm, "Autre question ?")
    unpriced = build_lm(cfg.model_copy(update={"model": "gpt-9-preview"}))
    with pytest.raises(ConfigError, match="add it to lm.prices"):
        unpriced.set_budget(Budget(max_cost_usd=1.0))


def test_record_then_replay_round_trip(fake_openai, lm_dirs):
    record = lm_dirs / "rec.jsonl"
    live = build_lm(compat(fake_openai, record_to=record, context_window=32_768, max_tokens=100))
    answers = [ask(live, q) for q in ("Où ?", "Quand ?", "Où ?")]
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2  # no duplicate for the repeated (cached) question
    first = lines[0]
    assert set(first) >= {"key", "provider", "model", "request", "response", "usage", "context_window"}
    assert first["model"] == "fake-model" and first["usage"] == {"prompt_tokens": 11, "completion_tokens": 7}
    assert "api_key" not in json.dumps(first)

    fake_openai.server.shutdown()  # replay needs no server
    replay_cfg = LMConfig(provider="replay", replay_from=record)
    replay = build_lm(replay_cfg)
    # Chunking on replay sees what the recorded run saw, so the same requests (keys) come out.
    assert context_window(replay_cfg) == replay.context_window == 32_768
    assert replay.kwargs["max_tokens"] == 100  # asks what the recording asked (max_tokens is in the key)
    assert [ask(replay, q) for q in ("Où ?", "Quand ?", "Où ?")] == answers
    assert replay.usage.totals().replay_hits == 3 and replay.usage.totals().calls == 0
    with pytest.raises(LMError) as info:
        ask(replay, "Pourquoi ?")
    err = info.value
    assert err.field == "lm.replay_from" and err.file == str(record)
    assert re.fullmatch(rf"replay miss: no recorded response for request key [0-9a-f]{{32}} in {re.escape(str(record))}",
                        err.message)


def test_replay_miss_goes_to_the_fallback(fake_openai, lm_dirs):
    record = lm_dirs / "rec.jsonl"
    ask(build_lm(compat(fake_openai, record_to=record)), "Où ?")
    cfg = LMConfig(provider="replay", replay_from=record, record_to=record, fallback=compat(fake_openai))
    lm = build_lm(cfg)
    assert ask(lm, "Où ?").startswith("réponse")
    assert len(fake_openai.posts) == 1
    assert ask(lm, "Pourquoi ?").startswith("réponse")
    assert len(fake_openai.posts) == 2
    assert len(record.read_text(encoding="utf-8").splitlines()) == 2  # the miss was recorded
    assert ask(build_lm(LMConfig(provider="replay", replay_from=record)), "Pourquoi ?").startswith("réponse")


def test_concurrent_recording_keeps_one_line_per_key(fake_openai, lm_dirs):
    record = lm_dirs / "rec.jsonl"
    lms = [build_lm(compat(fake_openai, record_to=record, cache=False)) for _ in range(2)]
    questions = [f"Question {i} ?" for i in range(6)]

    def work(lm):
        for q in questions:
            ask(lm, q)

    threads = [threading.Thread(target=work, args=(lm,)) for lm in lms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [json.loads(line)["key"] for line in record.read_text(encoding="utf-8").splitlines()]
    assert len(keys) == len(set(keys)) == len(questions)


def test_async_calls_use_the_same_engine(fake_openai, lm_dirs):
    lm = build_lm(compat(fake_openai))

    async def run():
        with dspy.context(lm=lm, adapter=dspy.ChatAdapter(use_json_adapter_fallback=False)):
            return await dspy.Predict("question -> answer").acall(question="Où ?")

    assert asyncio.run(run()).answer.startswith("réponse")
    assert ask(lm, "Où ?").startswith("réponse") and len(fake_openai.posts) == 1


def test_a_program_holding_the_lm_saves_and_loads_without_secrets(fake_openai, lm_dirs, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-saved")
    program = dspy.Predict("question -> answer")
    program.set_lm(build_lm(compat(fake_openai)).copy(rollout_id=3, temperature=0.7))  # as SIMBA does
    path = tmp_path / "program.json"
    program.save(str(path))
    assert "sk-never-saved" not in path.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="custom serialized LM class"):
        dspy.Predict("question -> answer").load(str(path))  # DSPy's gate for custom LM classes
    loaded = dspy.Predict("question -> answer")
    loaded.load(str(path), allow_unsafe_lm_state=True)
    assert loaded.lm.redac_config == compat(fake_openai)
    assert (loaded.lm.kwargs["rollout_id"], loaded.lm.kwargs["temperature"]) == (3, 0.7)
