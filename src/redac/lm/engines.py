"""The one engine behind every redac LM (the backends it drives: :mod:`redac.lm.http_backend`,
:mod:`redac.lm.llama_backend`).

dspy.LM hands an engine one canonical ``dspy.lm15.Request`` per call and expects
one ``Response``. :class:`RedacEngine` is that engine for all providers, so the
same steps run whatever answers: key the request, serve it from the replay file
or the disk cache, check the budget, call the live backend with retries, then
record, cache and account. DSPy's own response cache and retry loop are switched
off (``cache=False, num_retries=0`` on the dspy.LM) so the two layers never fight.

Backends make exactly one attempt and report transient failures as
:class:`Transient`; the engine owns backoff.
"""

from __future__ import annotations

import asyncio
import contextvars
import random
import time
from typing import Any

from redac.errors import LMError, RedacError
from redac.lm.backend import Completion, Transient, messages_text
from redac.lm.config import LMConfig
from redac.lm.store import (
    Recorder,
    ReplayStore,
    ResponseCache,
    cache_key,
    record_line,
    request_key,
)
from redac.lm.usage import CallRecord, UsageLog

# Set by RedacLM around each call: DSPy's rollout_id never reaches an engine in the
# Request, yet optimizers use it to ask for a fresh sample of the same prompt.
ROLLOUT_ID: contextvars.ContextVar[Any] = contextvars.ContextVar("redac_rollout_id", default=None)
MAX_RETRY_DELAY_S = 60.0


# ---- request normalisation -----------------------------------------------------------
def request_body(request) -> dict:
    """The OpenAI-chat body of a canonical Request: what is keyed, recorded and sent.

    ``max_completion_tokens`` is renamed ``max_tokens`` (each backend sends the name
    its server takes); text-only message contents are flattened to strings.
    """
    from dspy.clients.lm15_boundary import request_kwargs

    data = request_kwargs(request, "chat")
    if "max_completion_tokens" in data:
        data["max_tokens"] = data.pop("max_completion_tokens")
    messages = []
    for message in data.pop("messages", []):
        content = message.get("content")
        if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in content):
            content = "".join(p.get("text", "") for p in content)
        messages.append({**message, "content": content})
    body = {"messages": messages}
    body.update({k: v for k, v in sorted(data.items()) if v is not None})
    return body


# ---- the engine --------------------------------------------------------------------
def _dspy_error(exc: RedacError) -> Exception:
    """The same error, also typed as a DSPy LMError.

    DSPy wraps any other exception from an engine in LMUnexpectedError; its
    optimizers re-raise LMError instead of recording a failed example. A class
    that is both keeps ``except redac.errors.LMError`` / ``BudgetExceeded`` working
    (a ConfigError met during a call becomes a ConfigError that is also a DSPy LMError).
    """
    cls = _dual_class(type(exc))
    if cls is None:
        return exc
    dual = cls(exc.message, file=exc.file, line=exc.line, field=exc.field)
    return dual


_DUAL: dict[type, type] = {}


def _dual_class(cls: type) -> type | None:
    if not issubclass(cls, RedacError):
        return None
    from dspy.utils.exceptions import LMError as DSPyLMError

    if issubclass(cls, DSPyLMError):
        return cls
    if cls not in _DUAL:
        _DUAL[cls] = type(cls.__name__, (cls, DSPyLMError), {"__module__": __name__, "__qualname__": cls.__name__})
    return _DUAL[cls]


class RedacEngine:
    """A DSPy engine: replay -> disk cache -> budget -> live backend with retries -> record."""

    def __init__(self, cfg: LMConfig, *, live_cfg: LMConfig | None, backend, usage: UsageLog,
                 replay: ReplayStore | None, context_window: int, token_counter) -> None:
        self.cfg = cfg
        self.live_cfg = live_cfg
        self.backend = backend
        self.usage = usage
        self.replay = replay
        self.context_window = context_window
        self.count_tokens = token_counter
        self.cache = ResponseCache(live_cfg.resolved_cache_dir()) if live_cfg is not None and live_cfg.cache else None
        record_to = cfg.record_to or (live_cfg.record_to if live_cfg is not None else None)
        self.recorder = Recorder(record_to) if record_to is not None else None
        remote = live_cfg is not None and live_cfg.provider in ("openai", "openai_compatible")
        # Capabilities DSPy's adapters read from a custom engine.
        self.supports_response_schema = remote
        self.supported_params = frozenset({"temperature", "max_tokens", "stop", "seed"}
                                          | ({"top_p", "response_format"} if remote else set()))

    # DSPy may deep-copy modules holding an LM; the engine is a shared resource.
    def __deepcopy__(self, memo):
        return self

    @property
    def provider(self) -> str:
        return (self.live_cfg or self.cfg).provider

    @property
    def model_name(self) -> str:
        return (self.live_cfg or self.cfg).model_name

    def complete(self, request):
        from dspy.clients.engines.base import validate_request

        validate_request(request)
        try:
            return self._complete(request)
        except RedacError as exc:
            raise _dspy_error(exc) from None

    def stream(self, request):
        from dspy.lm15 import response_to_events

        return iter(list(response_to_events(self.complete(request))))

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        if self.backend is not None:
            self.backend.close()

    def _complete(self, request):
        body = request_body(request)
        rollout = ROLLOUT_ID.get()
        key = request_key(body, rollout)
        if self.replay is not None:
            entry = self.replay.get(key)
            if entry is not None:
                self.usage.add(CallRecord(key=key, provider=entry.get("provider", "replay"),
                                          model=entry.get("model", ""), source="replay"))
                self._record(key, body, rollout, entry["response"]["text"], entry["response"].get("finish_reason", "stop"),
                             entry["response"].get("model"), **_usage(entry), provider=entry.get("provider", "replay"),
                             model=entry.get("model", self.cfg.model_name))
                return _response(request, entry["response"]["text"], entry["response"].get("finish_reason", "stop"))
            if self.backend is None:
                raise LMError(f"replay miss: no recorded response for request key {key} in {self.replay.path}",
                              file=str(self.replay.path), field="lm.replay_from")
        assert self.live_cfg is not None  # no live config means no backend: a replay miss raised above
        ckey = cache_key(self.provider, self.live_cfg.cache_identity(), key)
        if self.cache is not None:
            hit = self.cache.get(ckey)
            if hit is not None and isinstance(hit.get("text"), str):
                self.usage.add(CallRecord(key=key, provider=self.provider, model=self.model_name, source="cache"))
                self._record(key, body, rollout, hit["text"], hit.get("finish_reason", "stop"), hit.get("model"),
                             hit.get("prompt_tokens", 0), hit.get("completion_tokens", 0))
                return _response(request, hit["text"], hit.get("finish_reason", "stop"))
        completion, attempts, latency = self._live(body)
        price = self.live_cfg.price()
        cost = price.cost(completion.prompt_tokens, completion.completion_tokens) if price else 0.0
        self.usage.add(CallRecord(key=key, provider=self.provider, model=self.model_name, source="live",
                                  prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens,
                                  cost_usd=cost, latency_s=latency, attempts=attempts, priced=price is not None))
        if self.cache is not None:
            self.cache.set(ckey, {"text": completion.text, "finish_reason": completion.finish_reason,
                                  "model": completion.model, "prompt_tokens": completion.prompt_tokens,
                                  "completion_tokens": completion.completion_tokens})
        self._record(key, body, rollout, completion.text, completion.finish_reason, completion.model,
                     completion.prompt_tokens, completion.completion_tokens)
        if self.replay is not None and self.recorder is not None and self.recorder.path == self.replay.path:
            self.replay.add({"key": key, "response": {"text": completion.text}})
        return _response(request, completion.text, completion.finish_reason,
                         completion.prompt_tokens, completion.completion_tokens, completion.model)

    def _live(self, body: dict) -> tuple[Completion, int, float]:
        cfg = self.live_cfg
        assert cfg is not None  # only called with a live backend, which comes with its config
        price = cfg.price()
        held = self.usage.reserve(prompt_tokens=self.count_tokens(messages_text(body)),
                                  max_completion_tokens=int(body.get("max_tokens") or cfg.max_tokens),
                                  price_in=price.input if price else None, price_out=price.output if price else None)
        try:
            attempts, start = 0, time.monotonic()
            while True:
                attempts += 1
                try:
                    return self.backend.complete(body), attempts, time.monotonic() - start
                except Transient as exc:
                    if attempts > cfg.num_retries:
                        where = cfg.resolved_api_base if cfg.provider in ("openai", "openai_compatible") else cfg.provider
                        raise LMError(f"{where}: {exc.reason} (gave up after {attempts} attempts)",
                                      field="lm.api_base") from None
                    delay = exc.retry_after if exc.retry_after is not None else cfg.retry_backoff_s * 2 ** (attempts - 1)
                    delay = min(delay, MAX_RETRY_DELAY_S)
                    time.sleep(delay + random.uniform(0, delay / 2))
        finally:
            self.usage.release(held)

    def _record(self, key, body, rollout, text, finish_reason, response_model, prompt_tokens=0,
                completion_tokens=0, *, provider=None, model=None) -> None:
        if self.recorder is None:
            return
        self.recorder.append(record_line(
            key=key, provider=provider or self.provider, model=model or self.model_name,
            context_window=self.context_window, body=body, rollout_id=rollout, text=text,
            finish_reason=finish_reason, response_model=response_model, prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens))


def _usage(entry: dict) -> dict:
    usage = entry.get("usage") or {}
    return {"prompt_tokens": int(usage.get("prompt_tokens") or 0),
            "completion_tokens": int(usage.get("completion_tokens") or 0)}


def _response(request, text: str, finish_reason: str, prompt_tokens: int = 0, completion_tokens: int = 0,
              model: str | None = None):
    """A canonical Response. Cache and replay hits report zero usage, as DSPy's own cache hits do."""
    from dspy.lm15 import Message, Response, TextPart, Usage

    reason = finish_reason if finish_reason in ("stop", "length", "tool_call", "content_filter") else "stop"
    return Response(id=None, model=model or request.model, message=Message.assistant([TextPart(text)]),
                    finish_reason=reason,
                    usage=Usage(input_tokens=prompt_tokens, output_tokens=completion_tokens,
                                total_tokens=prompt_tokens + completion_tokens))


class AsyncRedacEngine:
    """The async door DSPy requires for acall(): the sync engine in a worker thread."""

    def __init__(self, sync: RedacEngine) -> None:
        self.sync = sync

    def __deepcopy__(self, memo):
        return self

    async def complete(self, request):
        return await asyncio.to_thread(self.sync.complete, request)

    async def stream(self, request):
        from dspy.lm15 import response_to_events

        for event in response_to_events(await self.complete(request)):
            yield event

    async def aclose(self) -> None:
        return None


__all__ = [
    "ROLLOUT_ID",
    "AsyncRedacEngine",
    "RedacEngine",
    "request_body",
]
