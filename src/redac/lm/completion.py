"""The completion document a base (non-instruction-tuned) model continues, and the field-by-field
continuation of it.

A base model such as Gemma 3 270M cannot follow a chat template: asked as a chat
model it echoes the prompt and loops. It *can* continue a document whose pattern
it has just seen: instructions, each demo's inputs followed by its outputs in the
``[[ ## field ## ]]`` format, the final inputs, and the first output marker. The
model writes the outputs and ChatAdapter's parser reads them as usual.

The document is laid out from a :class:`CompletionRequest`, the structured request
:class:`redac.lm.adapter.CompletionAdapter` writes from the Signature (field names,
instructions, rendered demos and inputs). It travels to the engine inside the chat
messages DSPy sends (so keys, cache and recordings work as for any request), and the
engine reads it back without interpreting any prompt wording; a request in any other
shape is refused with an :class:`~redac.errors.LMError`. Nothing here imports DSPy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from redac.errors import LMError

MARKER = "[[ ## {} ## ]]"
COMPLETED = MARKER.format("completed")
REQUEST_FORMAT = "redac-completion"
REQUEST_VERSION = 1


@dataclass(frozen=True)
class CompletionPrompt:
    """A prompt to continue, the text to put back in front of the continuation, where to stop,
    and the output fields the engine writes the markers of."""

    prompt: str
    prefix: str
    stop: tuple[str, ...]
    outputs: tuple[str, ...]
    demos: int = 0


@dataclass(frozen=True)
class CompletionRequest:
    """One completion-style call, as :class:`redac.lm.adapter.CompletionAdapter` writes it.

    ``demos`` are (inputs, outputs) blocks as ChatAdapter renders a demo's user and
    assistant turns; ``final`` is the rendered inputs of the call.
    """

    instructions: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    demos: tuple[tuple[str, str], ...]
    final: str

    def to_messages(self) -> list[dict[str, str]]:
        """The chat messages that carry this request through DSPy to the engine: a header with the
        fields and instructions, then the demos as user/assistant turns, then the final inputs."""
        header = {"format": REQUEST_FORMAT, "version": REQUEST_VERSION, "instructions": self.instructions,
                  "inputs": list(self.inputs), "outputs": list(self.outputs)}
        messages = [{"role": "system", "content": json.dumps(header, ensure_ascii=False, sort_keys=True)}]
        for user, assistant in self.demos:
            messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
        messages.append({"role": "user", "content": self.final})
        return messages

    @classmethod
    def from_messages(cls, messages: Sequence[dict[str, Any]]) -> CompletionRequest:
        """Read a request back from its messages; LMError if they were not written by CompletionAdapter."""
        header = _header(messages[0]) if messages and messages[0].get("role") == "system" else None
        if header is None:
            raise LMError("a completion-style LM got a request it cannot lay out (not written by "
                          "redac.lm.adapter.CompletionAdapter): run it with the adapter redac.lm.adapter_for(config) "
                          "returns", field="lm")
        turns = [_text(m) for m in messages[1:]]
        roles = [m.get("role") for m in messages[1:]]
        if not turns or len(turns) % 2 != 1 or roles != ["user", "assistant"] * (len(turns) // 2) + ["user"]:
            raise LMError(f"malformed {REQUEST_FORMAT} request: expected demo user/assistant pairs then one user "
                          f"turn, got roles {roles}", field="lm")
        demos = tuple(zip(turns[:-1:2], turns[1:-1:2]))
        return cls(instructions=header["instructions"], inputs=tuple(header["inputs"]),
                   outputs=tuple(header["outputs"]), demos=demos, final=turns[-1])

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> CompletionRequest:
        """The request of an OpenAI-chat body (see :func:`redac.lm.engines.request_body`)."""
        return cls.from_messages(body.get("messages", []))

    def layout(self, *, max_demos: int | None = None) -> CompletionPrompt:
        """Lay the request out as one document ending at the first output marker.

        ``max_demos`` keeps only the last N demo pairs (used to fit a small context).
        """
        pairs = [(user.strip(), assistant.strip()) for user, assistant in self.demos]
        if max_demos is not None:
            pairs = pairs[len(pairs) - max_demos:] if max_demos > 0 else []
        first = MARKER.format(self.outputs[0])
        blocks = [self.instructions] if self.instructions else []
        for user, assistant in pairs:
            if not assistant.rstrip().endswith(COMPLETED):
                assistant = assistant.rstrip() + "\n\n" + COMPLETED
            blocks.append(user + "\n\n" + assistant)
        blocks.append(self.final.strip() + "\n\n" + first)
        prompt = "\n\n".join(blocks) + "\n"
        stop = (COMPLETED, *(MARKER.format(name) for name in self.inputs))
        return CompletionPrompt(prompt=prompt, prefix=first + "\n", stop=stop, outputs=self.outputs,
                                demos=len(pairs))


def is_completion_request(messages: Sequence[dict[str, Any]]) -> bool:
    """Whether chat messages carry a :class:`CompletionRequest` (a recording made completion-style)."""
    try:
        return bool(messages) and messages[0].get("role") == "system" and _header(messages[0]) is not None
    except LMError:
        return True  # ours, though unreadable: from_messages says why


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def _header(message: dict[str, Any]) -> dict[str, Any] | None:
    try:
        header = json.loads(_text(message))
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("format") != REQUEST_FORMAT:
        return None
    if header.get("version") != REQUEST_VERSION:
        raise LMError(f"{REQUEST_FORMAT} request version {header.get('version')!r} is not supported "
                      f"(this redac reads version {REQUEST_VERSION})", field="lm")
    fields_ok = all(isinstance(header.get(k), list) and all(isinstance(n, str) for n in header[k])
                    for k in ("inputs", "outputs"))
    if not fields_ok or not header["outputs"] or not isinstance(header.get("instructions"), str):
        raise LMError(f"malformed {REQUEST_FORMAT} request header: {sorted(header)}", field="lm")
    return header


@dataclass(frozen=True)
class Generated:
    """One model continuation, as a backend reports it."""

    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


Generate = Callable[[str, int, tuple[str, ...]], Generated]


def complete_fields(prompt: CompletionPrompt, generate: Generate, *, max_tokens: int, stop: tuple[str, ...] = (),
                    rebilled: bool = True) -> Generated:
    """Continue a laid-out prompt, field by field.

    ``generate(document, max_tokens, stop) -> Generated`` makes one continuation.
    The model writes only field values: each value stops at the next
    ``[[ ##`` and this function writes the next output marker itself, so the reply
    always carries every marker ChatAdapter parses, in order. ``rebilled`` says
    whether each continuation pays for its whole prompt again (an HTTP server) or
    reuses the evaluated prefix (llama.cpp in process): it decides the prompt-token
    count reported.
    """
    document, reply = prompt.prompt, prompt.prefix
    read = written = 0
    finish = "stop"
    for i, name in enumerate(prompt.outputs):
        left = max_tokens - written
        if left <= 0:  # out of tokens: the reply stays truncated and will not parse, honestly
            finish = "length"
            break
        if i:
            marker = f"\n\n{MARKER.format(name)}\n"
            document, reply = document + marker, reply + marker
        out = generate(document, left, ("[[ ##", *stop))
        read += out.prompt_tokens if (rebilled or i == 0) else 0
        written += out.completion_tokens
        value = out.text.strip()
        document, reply = document + value, reply + value
        if out.finish_reason in ("length", "loop"):
            finish = out.finish_reason
    return Generated(text=reply + f"\n\n{COMPLETED}", finish_reason=finish, prompt_tokens=read,
                     completion_tokens=written)


__all__ = ["COMPLETED", "MARKER", "CompletionPrompt", "CompletionRequest", "Generate", "Generated", "complete_fields",
           "is_completion_request"]
