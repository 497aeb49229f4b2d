"""Chat messages -> one completion prompt, for base (non-instruction-tuned) models.

A base model such as Gemma 3 270M cannot follow a chat template: asked as a chat
model it echoes the prompt and loops. It *can* continue a document whose pattern
it has just seen. DSPy's ChatAdapter already writes that pattern: its demos are
inputs and outputs in the ``[[ ## field ## ]]`` format. So we lay the
conversation out as one plain document (instructions, each demo's inputs
followed by its outputs, the final inputs) and end it with the first output
marker; the model writes the outputs and ChatAdapter parses them as usual.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

MARKER = "[[ ## {} ## ]]"
COMPLETED = MARKER.format("completed")
_FIELD_LINE = re.compile(r"^\s*\d+\.\s+`(\w+)`", re.MULTILINE)
_ASK = re.compile(r"\n*Respond with the corresponding output fields.*\Z", re.DOTALL)


@dataclass(frozen=True)
class Layout:
    """What ChatAdapter's system message says about the task."""

    instructions: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


@dataclass(frozen=True)
class CompletionPrompt:
    """A prompt to continue, the text to put back in front of the continuation, and where to stop."""

    prompt: str
    prefix: str
    stop: tuple[str, ...]
    demos: int = 0
    layout: Layout | None = field(default=None, compare=False)


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def parse_layout(system: str) -> Layout | None:
    """Read field names and the objective out of a ChatAdapter system message (None if it is not one)."""
    head, sep, rest = system.partition("Your output fields are:")
    if not sep or "Your input fields are:" not in head:
        return None
    outputs_block, _, tail = rest.partition("All interactions will be structured")
    inputs = tuple(_FIELD_LINE.findall(head.partition("Your input fields are:")[2]))
    outputs = tuple(_FIELD_LINE.findall(outputs_block))
    if not outputs:
        return None
    _, _, objective = tail.partition("your objective is:")
    instructions = textwrap.dedent(objective.strip("\n")).strip()
    return Layout(instructions=instructions, inputs=inputs, outputs=outputs)


def flatten(messages: list[dict], *, max_demos: int | None = None) -> CompletionPrompt:
    """Lay chat messages out as one document ending at the first output marker.

    ``max_demos`` keeps only the last N demo pairs (used to fit a small context).
    Messages that do not come from ChatAdapter are joined as plain text.
    """
    system = "\n\n".join(_text(m.get("content")) for m in messages if m.get("role") == "system")
    turns = [m for m in messages if m.get("role") != "system"]
    layout = parse_layout(system) if system else None
    if layout is None or not turns or turns[-1].get("role") != "user":
        parts = [system] if system else []
        parts += [_text(m.get("content")) for m in turns]
        return CompletionPrompt(prompt="\n\n".join(p.strip() for p in parts if p.strip()) + "\n\n",
                                prefix="", stop=())

    final = _ASK.sub("", _text(turns[-1].get("content"))).strip()
    pairs: list[tuple[str, str]] = []
    history = turns[:-1]
    for i in range(0, len(history) - 1, 2):
        user, assistant = history[i], history[i + 1]
        if user.get("role") == "user" and assistant.get("role") == "assistant":
            pairs.append((_text(user.get("content")).strip(), _text(assistant.get("content")).strip()))
    if max_demos is not None:
        pairs = pairs[len(pairs) - max_demos:] if max_demos > 0 else []

    first = MARKER.format(layout.outputs[0])
    blocks = [layout.instructions] if layout.instructions else []
    for user, assistant in pairs:
        if not assistant.rstrip().endswith(COMPLETED):
            assistant = assistant.rstrip() + "\n\n" + COMPLETED
        blocks.append(user + "\n\n" + assistant)
    blocks.append(final + "\n\n" + first)
    prompt = "\n\n".join(blocks) + "\n"
    stop = (COMPLETED, *(MARKER.format(name) for name in layout.inputs))
    return CompletionPrompt(prompt=prompt, prefix=first + "\n", stop=stop, demos=len(pairs), layout=layout)


def count_demos(messages: list[dict]) -> int:
    """Number of demo (user, assistant) pairs before the final user turn."""
    turns = [m for m in messages if m.get("role") != "system"]
    return sum(1 for a, b in zip(turns[:-1:2], turns[1:-1:2])
               if a.get("role") == "user" and b.get("role") == "assistant")


@dataclass(frozen=True)
class Generated:
    """One model continuation, as a backend reports it."""

    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


def complete_fields(prompt: CompletionPrompt, generate, *, max_tokens: int, stop: tuple[str, ...] = (),
                    rebilled: bool = True) -> Generated:
    """Continue a flattened prompt, field by field when it has a ChatAdapter layout.

    ``generate(document, max_tokens, stop) -> Generated`` makes one continuation.
    With a layout the model writes only field values: each value stops at the next
    ``[[ ##`` and this function writes the next output marker itself, so the reply
    always carries every marker ChatAdapter parses, in order. ``rebilled`` says
    whether each continuation pays for its whole prompt again (an HTTP server) or
    reuses the evaluated prefix (llama.cpp in process): it decides the prompt-token
    count reported.
    """
    if prompt.layout is None:
        return generate(prompt.prompt, max_tokens, stop)
    document, reply = prompt.prompt, prompt.prefix
    read = written = 0
    finish = "stop"
    for i, name in enumerate(prompt.layout.outputs):
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
