"""The one engine behind every redac LM, and the backends it drives.

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
import contextlib
import contextvars
import logging
import math
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redac.errors import BudgetExceeded, ConfigError, LMError, RedacError
from redac.lm.completion import CompletionRequest, Generated, complete_fields
from redac.lm.config import LMConfig, embedded_model_path, resolve_adapter
from redac.lm.store import (
    Recorder,
    ReplayStore,
    ResponseCache,
    cache_key,
    record_line,
    request_key,
)
from redac.lm.usage import CallRecord, UsageLog

if TYPE_CHECKING:
    import openai

# Set by RedacLM around each call: DSPy's rollout_id never reaches an engine in the
# Request, yet optimizers use it to ask for a fresh sample of the same prompt.
ROLLOUT_ID: contextvars.ContextVar[Any] = contextvars.ContextVar("redac_rollout_id", default=None)
MAX_RETRY_DELAY_S = 60.0


class Transient(Exception):
    """A failure worth retrying: timeout, HTTP 429 or 5xx."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    model: str | None = None


def approx_tokens(text: str) -> int:
    """Token estimate for models whose tokenizer we do not ship (~3.5 characters a token,
    on the high side for French with OpenAI's tokenizers, so budgets and chunks err safe)."""
    return math.ceil(len(text) / 3.5) if text else 0


def _stops(body: dict) -> tuple[str, ...]:
    stop = body.get("stop") or ()
    return (stop,) if isinstance(stop, str) else tuple(stop)


def _messages_text(body: dict) -> str:
    return "\n\n".join(str(m.get("content") or "") for m in body.get("messages", []))


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


# ---- HTTP backend (OpenAI and OpenAI-compatible servers) ------------------------------
_CREATE_PARAMS = {"messages", "temperature", "max_tokens", "max_completion_tokens", "top_p", "stop", "seed",
                  "response_format", "tools", "tool_choice", "frequency_penalty", "presence_penalty", "logprobs",
                  "top_logprobs", "logit_bias", "user", "parallel_tool_calls", "reasoning_effort", "service_tier"}


def root_reason(exc: BaseException) -> str:
    """The innermost cause, in words a user recognises ('connection refused')."""
    seen = exc
    while seen.__cause__ is not None or seen.__context__ is not None:
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
    text = str(seen).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "host name not resolved"
    return str(seen) or type(seen).__name__


class HTTPBackend:
    """One chat completion over HTTP with the OpenAI SDK (its own retries off)."""

    def __init__(self, cfg: LMConfig, api_key: str | None) -> None:
        self.cfg = cfg
        self.api_base = cfg.resolved_api_base
        self._api_key = api_key
        self._client: openai.OpenAI | None = None
        self._lock = threading.Lock()

    def _get_client(self):
        with self._lock:
            if self._client is None:
                import openai

                self._client = openai.OpenAI(base_url=self.api_base, api_key=self._api_key or "not-needed",
                                             timeout=self.cfg.timeout_s, max_retries=0)
            return self._client

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    @contextlib.contextmanager
    def _errors(self):
        """OpenAI SDK errors -> Transient (retried by the engine) or LMError (not retried)."""
        import openai

        try:
            yield
        except openai.APITimeoutError:
            raise Transient(f"timeout after {self.cfg.timeout_s:g} s") from None
        except openai.APIConnectionError as exc:
            raise LMError(f"cannot reach {self.api_base}: {root_reason(exc)}", field="lm.api_base") from None
        except openai.APIStatusError as exc:
            status = exc.status_code
            detail = _short(exc)
            if status == 429 or status >= 500:
                raise Transient(f"HTTP {status}: {detail}", retry_after=_retry_after(exc)) from None
            if status in (401, 403):
                raise LMError(f"HTTP {status} from {self.api_base}: the API key was refused ({detail})",
                              field="lm.api_key_env") from None
            raise LMError(f"HTTP {status} from {self.api_base}: {detail}",
                          field="lm.model" if status == 404 else "lm") from None

    def complete(self, body: dict) -> Completion:
        if self.cfg.completion_style:
            return self._complete_text(body)
        payload = dict(body)
        if self.cfg.provider == "openai" and "max_tokens" in payload:
            # OpenAI's current name (required by its reasoning models); compatible servers read max_tokens.
            payload["max_completion_tokens"] = payload.pop("max_tokens")
        extra = {k: payload.pop(k) for k in list(payload) if k not in _CREATE_PARAMS}
        with self._errors():
            response = self._get_client().chat.completions.create(
                model=self.cfg.model, extra_body=extra or None, **payload)
        if not response.choices:
            raise LMError(f"{self.api_base} returned no choices", field="lm.api_base")
        choice = response.choices[0]
        text = choice.message.content or ""
        usage = response.usage
        prompt = usage.prompt_tokens if usage and usage.prompt_tokens is not None else approx_tokens(_messages_text(body))
        completion = usage.completion_tokens if usage and usage.completion_tokens is not None else approx_tokens(text)
        return Completion(text=text, finish_reason=choice.finish_reason or "stop", prompt_tokens=prompt,
                          completion_tokens=completion, model=response.model)

    def _complete_text(self, body: dict) -> Completion:
        """Completion style over /v1/completions, for base models behind a server (see completion.py)."""
        prompt = CompletionRequest.from_body(body).layout()
        client = self._get_client()
        model = {"name": None}

        def generate(document: str, left: int, stop: tuple[str, ...]) -> Generated:
            with self._errors():
                response = client.completions.create(
                    model=self.cfg.model, prompt=document, max_tokens=left, stop=list(stop) or None,
                    temperature=body.get("temperature", self.cfg.temperature), seed=body.get("seed"),
                    extra_body={"repeat_penalty": self.cfg.repeat_penalty})
            if not response.choices:
                raise LMError(f"{self.api_base} returned no choices", field="lm.api_base")
            choice, usage = response.choices[0], response.usage
            text = choice.text or ""
            model["name"] = response.model
            return Generated(text=text, finish_reason=choice.finish_reason or "stop",
                             prompt_tokens=usage.prompt_tokens if usage else approx_tokens(document),
                             completion_tokens=usage.completion_tokens if usage else approx_tokens(text))

        out = complete_fields(prompt, generate,
                              max_tokens=int(body.get("max_tokens") or self.cfg.max_tokens), stop=_stops(body))
        return Completion(text=out.text, finish_reason=out.finish_reason, prompt_tokens=out.prompt_tokens,
                          completion_tokens=out.completion_tokens, model=model["name"])

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def _short(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
        if isinstance(inner, str):
            return inner[:300]
    return (getattr(exc, "message", None) or str(exc))[:300]


def _retry_after(exc) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


# ---- embedded backend (llama.cpp in process) -----------------------------------------
_LLAMAS: dict[tuple, tuple[Any, threading.Lock]] = {}
_LLAMAS_LOCK = threading.Lock()


def load_llama(path: Path, n_ctx: int, n_threads: int, seed: int = 0, vocab_only: bool = False,
               lora_path: Path | None = None, lora_scale: float = 1.0):
    """One llama.cpp model per (file, adapter, settings) per process, with the lock that serialises its use."""
    key = (str(path), n_ctx, n_threads, seed, vocab_only, str(lora_path) if lora_path else None, lora_scale)
    with _LLAMAS_LOCK:
        if key not in _LLAMAS:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ConfigError("the embedded model needs llama-cpp-python: pip install 'redac[local]'",
                                  field="lm.provider") from None
            # llama-cpp-python maps llama.cpp's newer log levels one off, so its KV-cache warnings
            # print even with verbose=False: keep stderr quiet while loading (failures still raise).
            try:
                from llama_cpp._utils import suppress_stdout_stderr

                quiet: contextlib.AbstractContextManager[Any] = suppress_stdout_stderr(disable=False)
            except ImportError:  # pragma: no cover - private helper moved
                quiet = contextlib.nullcontext()
            with quiet:
                llm = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, seed=seed,
                            vocab_only=vocab_only, verbose=False,
                            lora_path=str(lora_path) if lora_path and not vocab_only else None,
                            lora_scale=lora_scale)
            logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL)
            _LLAMAS[key] = (llm, threading.Lock())
        return _LLAMAS[key]


def copy_guard(prompt_ids: list[int], ngram: int, penalty: float):
    """A llama.cpp logits processor: a token that would continue a run of ``ngram`` tokens found in the
    prompt loses ``penalty`` logits (only once the continuation has ``ngram - 1`` tokens of its own)."""
    table: dict[tuple[int, ...], set[int]] = {}
    width = ngram - 1
    for i in range(len(prompt_ids) - width):
        table.setdefault(tuple(prompt_ids[i:i + width]), set()).add(prompt_ids[i + width])
    start = len(prompt_ids)

    def process(input_ids, scores):
        if len(input_ids) - start >= width:
            nxt = table.get(tuple(int(t) for t in input_ids[-width:]))
            if nxt:
                scores[list(nxt)] -= penalty
        return scores

    return process


def looping(text: str, window: int = 48, times: int = 3) -> int | None:
    """If the text ends by repeating itself, the length to keep (one copy); else None."""
    if len(text) < window * times:
        return None
    tail = text[-window:]
    if text.count(tail) < times:
        return None
    return text.find(tail) + window


class LlamaBackend:
    """A base GGUF model used completion-style (see redac.lm.completion).

    The engine writes each output marker itself and the
    model writes only the field values, stopping at the next ``[[ ##``; the reply
    therefore always has every marker ChatAdapter looks for. Loops are cut by
    ``repeat_penalty``, ``max_tokens`` and a repeated-tail check.
    """

    def __init__(self, cfg: LMConfig) -> None:
        self.cfg = cfg
        self.path = embedded_model_path(cfg)
        self.adapter = resolve_adapter(cfg)

    def _model(self):
        return load_llama(self.path, self.cfg.n_ctx, self.cfg.n_threads, self.cfg.seed,
                          lora_path=self.adapter.path if self.adapter else None, lora_scale=self.cfg.lora_scale)

    def count_tokens(self, text: str) -> int:
        llm, lock = self._model()
        with lock:
            return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _generate(self, llm, prompt: str, max_tokens: int, stop: tuple[str, ...], *, temperature: float,
                  seed: int) -> Generated:
        text, finish, pieces = "", "length", 0
        processors = None
        if self.cfg.copy_penalty > 0:
            from llama_cpp import LogitsProcessorList

            ids = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
            processors = LogitsProcessorList([copy_guard(ids, self.cfg.copy_ngram, self.cfg.copy_penalty)])
        stream = llm.create_completion(prompt, max_tokens=max_tokens, temperature=temperature,
                                       logits_processor=processors,
                                       repeat_penalty=self.cfg.repeat_penalty,
                                       frequency_penalty=self.cfg.frequency_penalty,
                                       presence_penalty=self.cfg.presence_penalty, stop=list(stop) or None,
                                       seed=seed, stream=True)
        try:
            for chunk in stream:
                choice = chunk["choices"][0]
                text += choice.get("text") or ""
                pieces += 1
                if choice.get("finish_reason"):
                    finish = choice["finish_reason"]
                if pieces % 16 == 0 and (keep := looping(text)) is not None:
                    text, finish = text[:keep], "loop"
                    break
        finally:
            stream.close()
        count = lambda s: len(llm.tokenize(s.encode("utf-8"), add_bos=False, special=False))
        return Generated(text=text, finish_reason=finish, prompt_tokens=count(prompt) + 1,
                         completion_tokens=count(text) if text else 0)

    def complete(self, body: dict) -> Completion:
        request = CompletionRequest.from_body(body)
        max_tokens = int(body.get("max_tokens") or self.cfg.max_tokens)
        temperature = float(body.get("temperature", self.cfg.temperature) or 0.0)
        seed = int(body.get("seed", self.cfg.seed))
        llm, lock = self._model()
        n_ctx = self.cfg.n_ctx
        with lock:
            # Drop the oldest demos first if the prompt does not fit beside a useful answer.
            for keep in [None, *range(len(request.demos) - 1, -1, -1)]:
                prompt = request.layout(max_demos=keep)
                used = len(llm.tokenize(prompt.prompt.encode("utf-8"), add_bos=True, special=False))
                if used + min(max_tokens, 256) <= n_ctx:
                    break
            else:
                raise LMError(f"prompt of {used} tokens does not fit the embedded model's context of {n_ctx} tokens",
                              field="lm.n_ctx")
            markers = 16 * len(prompt.outputs)
            out = complete_fields(
                prompt,
                lambda doc, left, stop: self._generate(llm, doc, left, stop, temperature=temperature, seed=seed),
                max_tokens=min(max_tokens, n_ctx - used - markers), stop=_stops(body), rebilled=False)
        return Completion(text=out.text, finish_reason=out.finish_reason, prompt_tokens=out.prompt_tokens,
                          completion_tokens=out.completion_tokens, model=self.cfg.model_name)

    def close(self) -> None:
        pass


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
        held = self.usage.reserve(prompt_tokens=self.count_tokens(_messages_text(body)),
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
    "AsyncRedacEngine",
    "BudgetExceeded",
    "Completion",
    "HTTPBackend",
    "LlamaBackend",
    "RedacEngine",
    "Transient",
    "approx_tokens",
    "load_llama",
    "request_body",
    "root_reason",
]
