"""LMConfig, the --lm spec parser, YAML loading, prices and paths: no model, no network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from redac.errors import ConfigError
from redac.lm import DEFAULT_PRICES, PROVIDERS, LMConfig, Price, load_lm_config, parse_lm_spec



def test_import_is_light():
    code = "import sys, redac.lm; print(sorted(m for m in ('dspy', 'llama_cpp', 'openai', 'litellm') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(("spec", "expected"), [
    ("embedded", {"provider": "embedded", "model_name": "gemma-3-270m-q4_k_m+redac-fr-news", "adapter": "default"}),
    ("embedded:base", {"provider": "embedded", "model_name": "gemma-3-270m-q4_k_m", "adapter": None}),
    ("openai/gpt-4o-mini", {"provider": "openai", "model": "gpt-4o-mini"}),
    ("openai:gpt-4.1-nano", {"provider": "openai", "model": "gpt-4.1-nano"}),
    ("openai_compatible:http://127.0.0.1:8080/v1@Qwen/Qwen2.5-7B",
     {"provider": "openai_compatible", "api_base": "http://127.0.0.1:8080/v1", "model": "Qwen/Qwen2.5-7B"}),
    ("openai_compatible:http://localhost:11434/v1/@llama3:8b",
     {"provider": "openai_compatible", "api_base": "http://localhost:11434/v1", "model": "llama3:8b"}),
    ("replay:runs/rec.jsonl", {"provider": "replay", "replay_from": Path("runs/rec.jsonl")}),
])
def test_parse_lm_spec(spec, expected):
    cfg = parse_lm_spec(spec)
    for key, value in expected.items():
        assert getattr(cfg, key) == value


@pytest.mark.parametrize("spec", ["anthropic/claude-3", "vllm:http://x@y", "mistral/large"])
def test_unknown_provider_lists_valid_ones(spec):
    with pytest.raises(ConfigError) as info:
        parse_lm_spec(spec)
    assert info.value.field == "lm.provider"
    for name in PROVIDERS:
        assert name in info.value.message


@pytest.mark.parametrize(("spec", "needle"), [
    ("", "empty"),
    ("gpt-4o-mini", "cannot parse"),
    ("openai_compatible:http://127.0.0.1:8080/v1", "openai_compatible:<api_base>@<model>"),
    ("openai_compatible:127.0.0.1:8080@m", "http://"),
    ("openai", "needs more"),
])
def test_bad_specs(spec, needle):
    with pytest.raises(ConfigError) as info:
        parse_lm_spec(spec)
    assert needle in str(info.value)
    assert info.value.field and info.value.field.startswith("lm")


def test_provider_requirements():
    with pytest.raises(ConfigError) as info:
        LMConfig.from_dict({"provider": "openai_compatible", "model": "m"})
    assert "api_base is required" in info.value.message
    with pytest.raises(ConfigError, match="replay_from is required"):
        LMConfig.from_dict({"provider": "replay"})
    with pytest.raises(ConfigError, match="fallback is only used"):
        LMConfig.from_dict({"provider": "embedded", "fallback": {"provider": "embedded"}})
    with pytest.raises(ConfigError, match="completion_style applies"):
        LMConfig.from_dict({"provider": "openai", "model": "gpt-4o", "completion_style": True})


def test_yaml_block_and_unknown_key_path(tmp_path):
    good = tmp_path / "lm.yaml"
    good.write_text("lm:\n  provider: replay\n  replay_from: rec.jsonl\n  fallback:\n"
                    "    provider: openai\n    model: gpt-4o-mini\n    temperature: 0.2\n", encoding="utf-8")
    cfg = parse_lm_spec(str(good))
    assert cfg.fallback is not None and cfg.fallback.temperature == 0.2

    bad = tmp_path / "bad.yaml"
    bad.write_text("lm:\n  provider: replay\n  replay_from: rec.jsonl\n  fallback:\n"
                   "    provider: openai\n    model: gpt-4o-mini\n    tempreature: 0.2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_lm_config(bad)
    err = info.value
    assert err.field == "lm.fallback.tempreature"
    assert err.file == str(bad) and err.line == 7
    assert "unknown key 'tempreature'" in str(err)

    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("lm:\n  provider: anthropic\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_lm_config(wrong)
    assert info.value.field == "lm.provider" and info.value.line == 2

    missing = tmp_path / "none.yaml"
    missing.write_text("model: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no 'lm:' block"):
        load_lm_config(missing)


def test_bad_values_name_the_field():
    with pytest.raises(ConfigError) as info:
        LMConfig.from_dict({"provider": "embedded", "temperature": 3})
    assert info.value.field == "lm.temperature"
    with pytest.raises(ConfigError) as info:
        LMConfig.from_dict({"provider": "embedded", "prices": {"m": {"input": 1}}})
    assert info.value.field == "lm.prices.m.output"


def test_public_dict_has_no_secrets(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    cfg = LMConfig(provider="openai_compatible", model="m", api_base="https://user:pw@gateway.example/v1",
                   prices={"m": Price(input=1, output=2)})
    params = cfg.public_dict()
    text = repr(params)
    assert "sk-secret-value" not in text and "pw" not in text and "user" not in text
    assert params["api_base"] == "https://gateway.example/v1"
    assert params["api_key_env"] == "OPENAI_API_KEY"
    assert params["prices.m.output"] == 2.0
    assert all(isinstance(v, (str, int, float, bool)) for v in params.values())
    assert "n_ctx" not in params  # embedded-only settings stay out of remote runs


def test_prices():
    assert LMConfig(provider="openai", model="gpt-4o-mini-2024-07-18").price() == DEFAULT_PRICES["gpt-4o-mini"]
    assert LMConfig(provider="openai", model="gpt-4o").price() == DEFAULT_PRICES["gpt-4o"]
    assert LMConfig(provider="openai", model="gpt-9-turbo").price() is None
    custom = LMConfig(provider="openai", model="gpt-9-turbo", prices={"gpt-9": Price(input=3, output=4)})
    assert custom.price().cost(1_000_000, 500_000) == pytest.approx(5.0)
    assert LMConfig(provider="embedded").price().cost(10**6, 10**6) == 0
    assert LMConfig(provider="openai_compatible", model="x", api_base="http://h/v1").price().input == 0


def test_cache_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("REDAC_CACHE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert LMConfig(provider="embedded").resolved_cache_dir() == tmp_path / ".redac" / "cache"
    monkeypatch.setenv("REDAC_CACHE_DIR", str(tmp_path / "c"))
    assert LMConfig(provider="embedded").resolved_cache_dir() == tmp_path / "c"
    assert LMConfig(provider="embedded", cache_dir=tmp_path / "d").resolved_cache_dir() == tmp_path / "d"


def test_context_window_and_approx_tokens():
    from redac.lm import context_window, count_tokens

    assert context_window(LMConfig(provider="openai", model="gpt-4o-mini")) == 128_000
    assert context_window(LMConfig(provider="embedded", n_ctx=4096)) == 4096
    assert context_window(LMConfig(provider="openai_compatible", model="m", api_base="http://h/v1",
                                   context_window=32_768)) == 32_768
    text = "Le président russe a rencontré le dirigeant nord-coréen à Pyongyang. " * 10
    estimate = count_tokens(LMConfig(provider="openai", model="gpt-4o-mini"), text)
    assert len(text) / 5 < estimate < len(text) / 2


def test_missing_api_key_is_a_config_error_at_build_time(lm_dirs, monkeypatch):
    from redac.lm import build_lm

    with pytest.raises(ConfigError) as info:
        build_lm(parse_lm_spec("openai/gpt-4o-mini"))
    assert str(info.value) == "lm.api_key_env: environment variable OPENAI_API_KEY is not set"
    with pytest.raises(ConfigError, match="MY_KEY is not set"):
        build_lm(LMConfig(provider="openai", model="gpt-4o-mini", api_key_env="MY_KEY"))
    monkeypatch.setenv("MY_KEY", "sk-test")
    lm = build_lm(LMConfig(provider="openai", model="gpt-4o-mini", api_key_env="MY_KEY"))
    assert lm.model == "openai/gpt-4o-mini" and "sk-test" not in repr(lm.kwargs)


def test_replay_file_missing_is_a_config_error(lm_dirs):
    from redac.lm import build_lm

    with pytest.raises(ConfigError, match="replay file not found"):
        build_lm(parse_lm_spec(f"replay:{lm_dirs / 'nope.jsonl'}"))


def test_openai_reasoning_model_constraints_are_config_errors(lm_dirs, monkeypatch):
    from redac.lm import build_lm

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with pytest.raises(ConfigError) as info:
        build_lm(LMConfig(provider="openai", model="o3-mini", temperature=0.0))
    assert info.value.field == "lm.temperature" and "temperature=1.0" in info.value.message
    lm = build_lm(LMConfig(provider="openai", model="o3-mini", temperature=1.0, max_tokens=16000))
    assert lm.context_window == 200_000
