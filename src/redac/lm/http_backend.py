"""The HTTP backend: one chat (or completion-style) request to OpenAI or an OpenAI-compatible server,
with the OpenAI SDK's own retries off and its errors turned into :class:`Transient` or one-line LMErrors."""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

from redac.errors import LMError
from redac.lm.backend import Completion, Transient, approx_tokens, messages_text, stops
from redac.lm.completion import CompletionRequest, Generated, complete_fields
from redac.lm.config import LMConfig

if TYPE_CHECKING:
    import openai

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
        prompt = usage.prompt_tokens if usage and usage.prompt_tokens is not None else approx_tokens(messages_text(body))
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
                              max_tokens=int(body.get("max_tokens") or self.cfg.max_tokens), stop=stops(body))
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
