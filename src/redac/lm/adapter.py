"""The DSPy adapter for completion-style LMs: the Signature and demos -> a :class:`CompletionRequest`.

ChatAdapter writes chat messages in English ("Your input fields are: ..."). A base model
reads none of that; it continues a document (see :mod:`redac.lm.completion`). Rather
than parse ChatAdapter's wording back out of its messages, which breaks silently when
DSPy rewords its prompt, this adapter lays the request out from the Signature itself
through ChatAdapter's ``format_*`` hooks (the ``[[ ## field ## ]]`` blocks of the demos
and inputs) and parses replies as ChatAdapter does. It never falls back to JSONAdapter:
a second, differently-shaped generation is useless for a base model and a guaranteed
miss for a replay file.

The finetune example builder uses the same adapter, so a model is trained on exactly
the documents it reads at inference.
"""

from __future__ import annotations

import textwrap
from typing import Any

import dspy

from redac.errors import LMError
from redac.lm.completion import CompletionRequest


def instructions(signature: type[dspy.Signature]) -> str:
    """The Signature's instructions as the document states them: dedented, whitespace-only lines
    emptied, stripped (what ChatAdapter's objective paragraph held, re-dedented)."""
    text = textwrap.dedent(signature.instructions)
    return textwrap.dedent("\n".join(" " * 8 + line for line in text.splitlines())).strip()


class CompletionAdapter(dspy.ChatAdapter):
    """ChatAdapter's field blocks and parser, with messages that carry a :class:`CompletionRequest`."""

    def __init__(self, callbacks: list[Any] | None = None) -> None:
        super().__init__(callbacks=callbacks, use_json_adapter_fallback=False)

    def request(self, signature: type[dspy.Signature], demos: list[dict[str, Any]],
                inputs: dict[str, Any]) -> CompletionRequest:
        """The completion request for one call: field names, instructions, rendered demos and inputs."""
        if self._get_history_field_name(signature):
            raise LMError(f"{signature.__name__} has a conversation history field; completion-style LMs "
                          "cannot lay one out", field="lm")
        turns = self.format_demos(signature, demos)
        pairs = tuple((str(turns[i]["content"]), str(turns[i + 1]["content"])) for i in range(0, len(turns), 2))
        return CompletionRequest(instructions=instructions(signature), inputs=tuple(signature.input_fields),
                                 outputs=tuple(signature.output_fields), demos=pairs,
                                 final=self.format_user_message_content(signature, inputs))

    def format(self, signature: type[dspy.Signature], demos: list[dict[str, Any]],
               inputs: dict[str, Any]) -> list[dict[str, Any]]:
        return self.request(signature, demos, inputs).to_messages()


__all__ = ["CompletionAdapter", "instructions"]
