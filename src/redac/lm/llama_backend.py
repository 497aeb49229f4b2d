"""The embedded backend: a GGUF model (and its LoRA adapter) in process with llama.cpp, used completion
style; one loaded model per file and settings per process, and the copy guard and loop cut it decodes with."""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import Any

from redac.errors import ConfigError, LMError
from redac.lm.backend import Completion, stops
from redac.lm.completion import CompletionRequest, Generated, complete_fields
from redac.lm.config import LMConfig, embedded_model_path, resolve_adapter

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
                max_tokens=min(max_tokens, n_ctx - used - markers), stop=stops(body), rebilled=False)
        return Completion(text=out.text, finish_reason=out.finish_reason, prompt_tokens=out.prompt_tokens,
                          completion_tokens=out.completion_tokens, model=self.cfg.model_name)

    def close(self) -> None:
        pass
