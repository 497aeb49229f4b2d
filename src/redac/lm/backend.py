"""What a backend is to the engine: one attempt at one request, a :class:`Completion` out, and
:class:`Transient` for a failure worth retrying (the engine owns backoff, caching and accounting)."""

from __future__ import annotations

import math
from dataclasses import dataclass


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


def stops(body: dict) -> tuple[str, ...]:
    stop = body.get("stop") or ()
    return (stop,) if isinstance(stop, str) else tuple(stop)


def messages_text(body: dict) -> str:
    return "\n\n".join(str(m.get("content") or "") for m in body.get("messages", []))
