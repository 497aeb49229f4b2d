"""LMConfig -> a real ``dspy.LM`` (usable in dspy.configure / dspy.context, adapters, optimizers),
plus the preflight check and the token helpers the program uses to chunk long sources."""

from __future__ import annotations

import os
import time
from typing import Any

import dspy
from dspy.utils.exceptions import LMConfigurationError

from redac.errors import ConfigError, LMError
from redac.lm.adapter import CompletionAdapter
from redac.lm.completion import is_completion_request
from redac.lm.config import (
    DEFAULT_CONTEXT_WINDOWS,
    EMBEDDED_MODEL,
    UNKNOWN_CONTEXT_WINDOW,
    LMConfig,
    embedded_model_path,
    longest_prefix,
    resolve_adapter,
)
from redac.lm.backend import approx_tokens
from redac.lm.engines import ROLLOUT_ID, AsyncRedacEngine, RedacEngine
from redac.lm.http_backend import HTTPBackend, root_reason
from redac.lm.llama_backend import LlamaBackend, load_llama
from redac.lm.store import ReplayStore
from redac.lm.usage import Budget, UsageLog

PREFLIGHT_TIMEOUT_S = 4.0


class RedacLM(dspy.LM):
    """A dspy.LM driven by :class:`RedacEngine`: one cache, replay, retries and usage for every backend.

    ``lm.usage`` is the shared tally (read ``lm.usage.totals()``, ``lm.usage.reset()``);
    ``lm.usage.budget`` caps live calls. Copies made by DSPy share engine and tally.
    """

    def __init__(self, config: LMConfig, engine: RedacEngine, *, temperature: float | None = None,
                 max_tokens: int | None = None) -> None:
        # DSPy's own cache and retries are off: the engine owns both (see docs/lm.md).
        super().__init__(config.dspy_model, engine=engine, async_engine=AsyncRedacEngine(engine), cache=False,
                         num_retries=0,
                         temperature=config.temperature if temperature is None else temperature,
                         max_tokens=config.max_tokens if max_tokens is None else max_tokens)
        self.redac_config = config

    @property
    def usage(self) -> UsageLog:
        return self._engine_spec.usage

    def set_budget(self, budget: Budget | None) -> None:
        """Cap live calls; a cost cap needs a price for the live model (checked now)."""
        engine: RedacEngine = self._engine_spec
        if budget is not None and budget.max_cost_usd is not None and engine.live_cfg is not None \
                and engine.live_cfg.price() is None:
            raise ConfigError(f"a cost budget needs a price for {engine.live_cfg.model_name!r}: add it to lm.prices",
                              field="lm.prices")
        engine.usage.budget = budget

    @property
    def context_window(self) -> int:
        return self._engine_spec.context_window

    def count_tokens(self, text: str) -> int:
        return self._engine_spec.count_tokens(text)

    def close(self) -> None:
        super().close()
        self._engine_spec.close()

    def dump_state(self) -> dict[str, Any]:
        """DSPy saves an LM a predictor holds (SIMBA sets one): keep the config, never a secret."""
        state = dspy.BaseLM.dump_state(self)
        state["redac_config"] = self.redac_config.model_dump(mode="json", exclude_none=True)
        return state

    @classmethod
    def load_state(cls, state: dict[str, Any], *, allow_custom_lm_class: bool = False) -> RedacLM:
        if "redac_config" not in state:
            raise ConfigError("saved LM state has no redac_config", field="lm")
        lm = build_lm(LMConfig.from_dict(state["redac_config"]))
        overrides = {k: state[k] for k in ("temperature", "max_tokens", "rollout_id") if k in state}
        return lm.copy(**overrides) if overrides else lm

    def _rollout(self, kwargs: dict) -> Any:
        """The call's rollout_id: call kwargs, then this LM's kwargs (lm.copy(rollout_id=...)),
        then ``dspy.context(rollout_id=...)``. It keys the cache and replay (docs/lm.md)."""
        for value in (kwargs.get("rollout_id"), self.kwargs.get("rollout_id"), dspy.settings.get("rollout_id")):
            if value is not None:
                return value
        return None

    def __call__(self, prompt=None, *, messages=None, **kwargs):
        token = ROLLOUT_ID.set(self._rollout(kwargs))
        try:
            return super().__call__(prompt, messages=messages, **kwargs)
        finally:
            ROLLOUT_ID.reset(token)

    async def acall(self, prompt=None, *, messages=None, **kwargs):
        token = ROLLOUT_ID.set(self._rollout(kwargs))
        try:
            return await super().acall(prompt, messages=messages, **kwargs)
        finally:
            ROLLOUT_ID.reset(token)


def _api_key(cfg: LMConfig, *, required: bool) -> str | None:
    key = os.environ.get(cfg.api_key_env)
    if required and not key:
        raise ConfigError(f"environment variable {cfg.api_key_env} is not set", field="lm.api_key_env")
    return key or None


def _backend(cfg: LMConfig):
    if cfg.provider == "openai":
        return HTTPBackend(cfg, _api_key(cfg, required=True))
    if cfg.provider == "openai_compatible":
        return HTTPBackend(cfg, _api_key(cfg, required=False))
    if cfg.provider == "embedded":
        try:
            import llama_cpp  # noqa: F401
        except ImportError:
            raise ConfigError("the embedded model needs llama-cpp-python: pip install 'redac[local]'",
                              field="lm.provider") from None
        return LlamaBackend(cfg)
    raise ConfigError(f"provider {cfg.provider!r} has no live backend", field="lm.provider")


def build_lm(cfg: LMConfig, *, budget: Budget | None = None, usage: UsageLog | None = None) -> RedacLM:
    """Build the LM for a config. Raises ConfigError before any call for what can be known now
    (missing API key, missing model file, unreadable replay file)."""
    replay = ReplayStore(cfg.replay_from) if cfg.provider == "replay" else None  # type: ignore[arg-type]
    live_cfg = cfg.fallback if cfg.provider == "replay" else cfg
    backend = _backend(live_cfg) if live_cfg is not None else None
    engine = RedacEngine(cfg, live_cfg=live_cfg, backend=backend, usage=usage or UsageLog(), replay=replay,
                         context_window=context_window(cfg, replay=replay),
                         token_counter=_token_counter(cfg, backend, replay))
    temperature, max_tokens = _generation_params(cfg, replay)
    try:
        lm = RedacLM(cfg, engine, temperature=temperature, max_tokens=max_tokens)
    except LMConfigurationError as exc:  # e.g. OpenAI reasoning models' constraints
        raise ConfigError(exc.message, field="lm.temperature") from None
    if budget is not None:
        lm.set_budget(budget)
    return lm


def _generation_params(cfg: LMConfig, replay: ReplayStore | None) -> tuple[float, int]:
    """temperature and max_tokens for the requests; both are in the request key.

    A replay run asks what the recording asked, or it would miss every time: values set
    in the replay config win, then the recorded request's, then the fallback's.
    """
    if cfg.provider != "replay":
        return cfg.temperature, cfg.max_tokens
    values = {"temperature": cfg.temperature, "max_tokens": cfg.max_tokens}
    recorded = (replay.first() or {}).get("request", {}) if replay is not None else {}
    for name in values:
        if name in cfg.model_fields_set:
            continue
        if isinstance(recorded.get(name), (int, float)):
            values[name] = recorded[name]
        elif cfg.fallback is not None:
            values[name] = getattr(cfg.fallback, name)
    return float(values["temperature"]), int(values["max_tokens"])


def _token_counter(cfg: LMConfig, backend, replay: ReplayStore | None):
    if backend is not None and cfg.provider != "replay":
        return backend.count_tokens
    recorded = replay.first() if replay is not None else None
    if recorded is not None:
        # Count as the recording did, so chunking (and hence every request key) is the same on replay.
        if recorded.get("provider") == "embedded":
            return lambda text: _embedded_count(LMConfig(provider="embedded"), text)
        return approx_tokens
    return backend.count_tokens if backend is not None else approx_tokens


def context_window(cfg: LMConfig, *, replay: ReplayStore | None = None) -> int:
    """Tokens the model can read and write in one call (for chunking and truncation)."""
    if cfg.context_window is not None:
        return cfg.context_window
    if cfg.provider == "embedded":
        return cfg.n_ctx
    if cfg.provider == "openai":
        return longest_prefix(DEFAULT_CONTEXT_WINDOWS, cfg.model_name) or UNKNOWN_CONTEXT_WINDOW
    if cfg.provider == "replay":
        recorded = replay.first() if replay is not None else _first_record(cfg)
        if recorded is not None and isinstance(recorded.get("context_window"), int):
            return recorded["context_window"]
        if cfg.fallback is not None:
            return context_window(cfg.fallback)
    return UNKNOWN_CONTEXT_WINDOW


def _first_record(cfg: LMConfig) -> dict | None:
    """The first line of a replay file (provider, context window of the recording), read cheaply."""
    import json

    if cfg.replay_from is None or not cfg.replay_from.is_file():
        return None
    with open(cfg.replay_from, encoding="utf-8") as fh:
        for raw in fh:
            if raw.strip():
                try:
                    entry = json.loads(raw)
                except ValueError:
                    return None
                return entry if isinstance(entry, dict) else None
    return None


def _embedded_count(cfg: LMConfig, text: str) -> int:
    llm, lock = load_llama(embedded_model_path(cfg), cfg.n_ctx, cfg.n_threads, cfg.seed, vocab_only=True)
    with lock:
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))


def count_tokens(cfg: LMConfig, text: str) -> int:
    """Tokens in ``text`` for this model: exact for the embedded model, an estimate for remote ones."""
    if cfg.provider == "embedded":
        return _embedded_count(cfg, text)
    if cfg.provider == "replay":
        recorded = _first_record(cfg)
        if recorded is not None and recorded.get("provider") == "embedded":
            return _embedded_count(LMConfig(provider="embedded"), text)
        if recorded is None and cfg.fallback is not None:
            return count_tokens(cfg.fallback, text)
    return approx_tokens(text)


# ---- preflight ---------------------------------------------------------------------
def check_lm(cfg: LMConfig) -> dict[str, Any]:
    """Fast preflight (< 5 s): can this config answer at all? Returns what it found; raises
    ConfigError (fix the config) or LMError (the backend is not there)."""
    if cfg.provider in ("openai", "openai_compatible"):
        return _check_http(cfg)
    if cfg.provider == "embedded":
        path = embedded_model_path(cfg)
        start = time.monotonic()
        adapter = resolve_adapter(cfg)
        llm, _ = load_llama(path, cfg.n_ctx, cfg.n_threads, cfg.seed, lora_path=adapter.path if adapter else None,
                            lora_scale=cfg.lora_scale)
        trained = next((int(v) for k, v in (llm.metadata or {}).items() if k.endswith(".context_length")), None)
        return {"provider": "embedded", "model": cfg.model_name, "model_path": str(path), "n_ctx": llm.n_ctx(),
                "n_ctx_train": trained, "adapter": str(adapter.path) if adapter else None,
                "load_s": round(time.monotonic() - start, 3)}
    store = ReplayStore(cfg.replay_from)  # type: ignore[arg-type]
    info: dict[str, Any] = {"provider": "replay", "replay_from": str(cfg.replay_from), "records": len(store.entries)}
    if cfg.fallback is not None:
        info["fallback"] = check_lm(cfg.fallback)
    return info


def _check_http(cfg: LMConfig) -> dict[str, Any]:
    import httpx

    key = _api_key(cfg, required=cfg.provider == "openai")
    url = f"{cfg.resolved_api_base}/models"
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    start = time.monotonic()
    try:
        response = httpx.get(url, headers=headers, timeout=httpx.Timeout(PREFLIGHT_TIMEOUT_S, connect=3.0))
    except httpx.TimeoutException:
        raise LMError(f"cannot reach {url}: no answer within {PREFLIGHT_TIMEOUT_S:g} s", field="lm.api_base") from None
    except httpx.HTTPError as exc:
        raise LMError(f"cannot reach {url}: {root_reason(exc)}", field="lm.api_base") from None
    if response.status_code in (401, 403):
        raise LMError(f"HTTP {response.status_code} from {url}: the API key in {cfg.api_key_env} was refused",
                      field="lm.api_key_env")
    if response.status_code != 200:
        raise LMError(f"HTTP {response.status_code} from {url}", field="lm.api_base")
    try:
        served = [m.get("id") for m in response.json().get("data", []) if isinstance(m, dict)]
    except (ValueError, AttributeError):
        raise LMError(f"{url} did not answer with an OpenAI model list", field="lm.api_base") from None
    return {"provider": cfg.provider, "model": cfg.model_name, "api_base": cfg.resolved_api_base,
            "served_models": served, "model_listed": cfg.model in served,
            "latency_s": round(time.monotonic() - start, 3)}


__all__ = ["EMBEDDED_MODEL", "RedacLM", "adapter_for", "build_lm", "check_lm", "completion_style", "context_window",
           "count_tokens"]


def completion_style(cfg: LMConfig) -> bool:
    """Whether this config's requests are completion documents (laid out by CompletionAdapter).

    The embedded base model and ``completion_style`` servers are; a replay is whatever its recording
    holds (its first request), or its fallback's style when there is no recording yet.
    """
    if cfg.provider == "embedded":
        return True
    if cfg.provider == "replay":
        recorded = _first_record(cfg)
        if recorded is not None:
            messages = (recorded.get("request") or {}).get("messages") or []
            return isinstance(messages, list) and is_completion_request(messages)
        return cfg.fallback is not None and completion_style(cfg.fallback)
    return cfg.completion_style


def adapter_for(cfg: LMConfig) -> dspy.Adapter:
    """The DSPy adapter for this backend.

    Completion-style backends (the embedded base model, a base model behind a server, replays of their
    recordings) get :class:`~redac.lm.adapter.CompletionAdapter`, which lays the completion document out
    from the Signature. Replays of chat recordings get a ChatAdapter without the JSONAdapter fallback (a
    second, differently-shaped request would be a guaranteed miss); chat models get DSPy's ChatAdapter.
    """
    if completion_style(cfg):
        return CompletionAdapter()
    return dspy.ChatAdapter(use_json_adapter_fallback=cfg.provider != "replay")
