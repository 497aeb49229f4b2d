"""A stand-in LM for the notebooks: a tiny OpenAI-compatible server that answers every step of
:class:`redac.program.RedacProgram` from the labelled set, deterministically and in milliseconds.

Why a server and not ``dspy.utils.DummyLM``: ``redac.experiments.run_eval`` builds its LM from the
experiment's ``lm:`` block, so the stand-in has to be something an ``LMConfig`` can point at. An
``openai_compatible`` endpoint on 127.0.0.1 is exactly that, and everything around the LM (request
keys, retries, usage, recording, MLflow) runs for real. To use a real model instead, replace the
``LMConfig`` it returns by ``parse_lm_spec("openai/gpt-4o-mini")`` (needs ``OPENAI_API_KEY``) or
``LMConfig(provider="embedded")`` (offline, slow, poor articles).

Two writers:

* ``"gold"``: a perfect model. ``extract`` lists the source's sentences, ``plan`` returns the gold
  article's keyphrase, title, meta description and outline, ``write`` returns the gold section under
  the requested heading.
* ``"extractive"``: the same plan, but each section just strings together the facts it was given,
  three sentences a paragraph: what a small model does when it copies its input.
"""

from __future__ import annotations

import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dspy

from redac.article import sections
from redac.lm import LMConfig
from redac.program import ExtractFacts, PlanArticle, WriteSection
from redac.sources import clean
from redac.text import fold, sentences

STYLES = ("gold", "extractive")


def _steps() -> list[tuple[str, type[dspy.Signature]]]:
    """Each step signature of the program (plain and ChainOfThought), with its field description as
    DSPy's ChatAdapter renders it at the top of the system message."""
    adapter = dspy.ChatAdapter()
    out = []
    for signature in (ExtractFacts, PlanArticle, WriteSection):
        for variant in (signature, dspy.ChainOfThought(signature).predict.signature):
            out.append((adapter.format_field_description(variant), variant))
    return out


def read_request(messages: list[dict]) -> tuple[type[dspy.Signature], dict[str, Any]]:
    """The program step a ChatAdapter request is for, and its input values.

    Read with DSPy's own ChatAdapter rather than by matching its wording: the step is the signature
    whose rendered field description opens the system message, and the values are what
    ``ChatAdapter.parse`` reads from the last user message once its rendered output reminder is removed.
    """
    system = str(messages[0].get("content") or "") if messages else ""
    signature = next((sig for description, sig in _steps() if system.startswith(description + "\n")), None)
    if signature is None:
        raise LookupError("not a ChatAdapter request for a step of RedacProgram")
    adapter = dspy.ChatAdapter()
    content = str(messages[-1].get("content") or "").removesuffix(adapter.user_message_output_requirements(signature))
    as_outputs = dspy.Signature({name: (field.annotation, dspy.OutputField())
                                 for name, field in signature.input_fields.items()}, "inputs")
    return signature, adapter.parse(as_outputs, content)


def reply(**fields: Any) -> str:
    """A ChatAdapter-shaped answer: each output field, then the ``completed`` marker."""
    parts = [f"[[ ## {name} ## ]]\n{json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v}"
             for name, v in fields.items()]
    return "\n\n".join(parts + ["[[ ## completed ## ]]"])


class StandIn:
    """Answers the program's three steps for any record of ``records`` (see the module docstring)."""

    def __init__(self, records: list, style: str = "gold") -> None:
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, got {style!r}")
        self.style = style
        self.records = {r.id: r for r in records}
        self._by_sentence: dict[str, str] = {}
        for r in records:
            for s in sentences(clean(r.source, name=r.id).body):
                self._by_sentence.setdefault(fold(s), r.id)
                # the program's fact lists drop list markers ("- ", "1. ")
                self._by_sentence.setdefault(fold(re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", s)), r.id)
        self.calls = 0
        self._server: ThreadingHTTPServer | None = None

    # ---- the model ------------------------------------------------------------------
    def record_for(self, facts: list[str]):
        """The labelled record whose source holds these facts (sentences of the source)."""
        for fact in facts:
            rid = self._by_sentence.get(fold(fact))
            if rid is not None:
                return self.records[rid]
        raise LookupError(f"no record holds the fact {facts[0] if facts else None!r}")

    def answer(self, messages: list[dict]) -> str:
        self.calls += 1
        signature, inputs = read_request(messages)
        # ChainOfThought steps (program.reasoning: true) ask for a `reasoning` field first.
        thought = {"reasoning": "Je reprends les faits fournis, sans rien ajouter."} \
            if "reasoning" in signature.output_fields else {}
        if "facts" in signature.output_fields:  # ExtractFacts
            return reply(**thought, facts=sentences(inputs["source"]))
        facts = list(inputs["facts"])
        gold = self.record_for(facts).gold
        if "keyphrase" in signature.output_fields:  # PlanArticle
            outline = [f"{'#' * s.heading.level} {s.heading.text}" for s in sections(gold.markdown)
                       if s.heading is not None and s.heading.level > 1]
            return reply(**thought, keyphrase=gold.keyphrase, title=gold.title,
                         meta_description=gold.meta_description, outline=outline)
        heading = inputs.get("heading", "")  # WriteSection
        if self.style == "gold":
            for s in sections(gold.markdown):
                level = s.heading.level if s.heading else 1
                if (heading == "Introduction" and level == 1) or (s.heading and fold(s.heading.text) == fold(heading)):
                    return reply(**thought, text=s.body)
        return reply(**thought, text="\n\n".join(" ".join(facts[i:i + 3]) for i in range(0, len(facts), 3)))

    # ---- the server -----------------------------------------------------------------
    def start(self) -> LMConfig:
        """Serve on a free local port; returns the ``LMConfig`` that points at it."""
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep notebook output clean
                pass

            def _send(self, payload: dict, status: int = 200) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._send({"object": "list", "data": [{"id": f"standin-{standin.style}", "object": "model"}]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                try:
                    text = standin.answer(body.get("messages", []))
                except Exception as exc:  # noqa: BLE001 - the client sees an HTTP 400 with the reason
                    self._send({"error": {"message": f"{type(exc).__name__}: {exc}"}}, status=400)
                    return
                prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", [])) // 4
                self._send({
                    "id": "standin", "object": "chat.completion", "created": 0, "model": f"standin-{standin.style}",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": prompt, "completion_tokens": len(text) // 4,
                              "total_tokens": prompt + len(text) // 4},
                })

        for name in ("NO_PROXY", "no_proxy"):  # a proxy set in the environment must not intercept 127.0.0.1
            if "127.0.0.1" not in os.environ.get(name, ""):
                os.environ[name] = ",".join(filter(None, [os.environ.get(name), "127.0.0.1"]))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        port = self._server.server_address[1]
        return LMConfig(provider="openai_compatible", api_base=f"http://127.0.0.1:{port}/v1",
                        model=f"standin-{self.style}", cache=False, num_retries=0)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
