"""Completion-style layout: CompletionAdapter writes the request from the Signature, the engine lays out
the document without reading any prompt wording, and refuses requests it cannot lay out."""

from __future__ import annotations

import dspy
import pytest

from redac.errors import LMError
from redac.lm import LMConfig, adapter_for, build_lm
from redac.lm.adapter import CompletionAdapter
from redac.lm.completion import COMPLETED, CompletionRequest, Generated, complete_fields, is_completion_request
from redac.lm.llama_backend import looping



class Depeche(dspy.Signature):
    """Donne un titre court et le lieu principal de la dépêche."""

    depeche: str = dspy.InputField()
    titre: str = dspy.OutputField()
    lieu: str = dspy.OutputField(desc="une ville")


DEMOS = [
    dspy.Example(depeche="Le président a reçu mardi le chancelier allemand à l'Élysée.",
                 titre="Paris et Berlin parlent de l'Ukraine", lieu="Paris").with_inputs("depeche"),
    dspy.Example(depeche="Un incendie a détruit dimanche un entrepôt près de Lyon.",
                 titre="Un entrepôt détruit près de Lyon", lieu="Lyon").with_inputs("depeche"),
]
FINAL = {"depeche": "Sergueï Lavrov est arrivé jeudi à Pékin pour deux jours de visite."}
SIGNATURE = dspy.Predict(Depeche).signature


def request(demos=DEMOS) -> CompletionRequest:
    return CompletionAdapter().request(SIGNATURE, demos, FINAL)


def test_request_comes_from_the_signature_and_travels_in_the_messages():
    req = request()
    assert req.inputs == ("depeche",) and req.outputs == ("titre", "lieu")
    assert req.instructions == "Donne un titre court et le lieu principal de la dépêche."
    assert len(req.demos) == 2 and req.final == "[[ ## depeche ## ]]\n" + FINAL["depeche"]
    messages = CompletionAdapter().format(SIGNATURE, DEMOS, FINAL)
    assert is_completion_request(messages) and CompletionRequest.from_messages(messages) == req
    assert not is_completion_request(dspy.ChatAdapter().format(SIGNATURE, DEMOS, FINAL))


def test_layout_is_the_exact_document():
    # Pinned byte for byte: the shipped fine-tuned adapter was trained on this layout.
    prompt = request(DEMOS[:1]).layout()
    assert prompt.prompt == (
        "Donne un titre court et le lieu principal de la dépêche.\n\n"
        "[[ ## depeche ## ]]\nLe président a reçu mardi le chancelier allemand à l'Élysée.\n\n"
        "[[ ## titre ## ]]\nParis et Berlin parlent de l'Ukraine\n\n[[ ## lieu ## ]]\nParis\n\n"
        "[[ ## completed ## ]]\n\n"
        "[[ ## depeche ## ]]\n" + FINAL["depeche"] + "\n\n[[ ## titre ## ]]\n")


def test_layout_is_one_document_ending_at_first_output_marker():
    prompt = request().layout()
    text = prompt.prompt
    assert text.startswith("Donne un titre court")
    assert text.endswith("[[ ## depeche ## ]]\n" + FINAL["depeche"] + "\n\n[[ ## titre ## ]]\n")
    assert "Your input fields are" not in text and "{depeche}" not in text  # no template placeholders
    assert "Respond with the corresponding output fields" not in text
    assert text.count(COMPLETED) == 2  # one per demo
    assert text.index("Paris et Berlin") < text.index("Un entrepôt") < text.index("Lavrov")
    assert prompt.prefix == "[[ ## titre ## ]]\n" and prompt.outputs == ("titre", "lieu")
    assert prompt.stop == (COMPLETED, "[[ ## depeche ## ]]") and prompt.demos == 2


def test_layout_keeps_only_the_last_demos_when_asked():
    prompt = request().layout(max_demos=1)
    assert prompt.demos == 1 and "Paris et Berlin" not in prompt.prompt and "Un entrepôt" in prompt.prompt
    assert request().layout(max_demos=0).prompt.count(COMPLETED) == 0


@pytest.mark.parametrize("messages", [
    [{"role": "user", "content": "Bonjour"}],
    dspy.ChatAdapter().format(SIGNATURE, DEMOS, FINAL),
    [],
])
def test_requests_not_from_the_adapter_are_refused(messages):
    with pytest.raises(LMError, match="CompletionAdapter"):
        CompletionRequest.from_messages(messages)


def test_malformed_completion_request_is_refused():
    messages = CompletionAdapter().format(SIGNATURE, DEMOS, FINAL)
    with pytest.raises(LMError, match="malformed"):
        CompletionRequest.from_messages(messages[:-1])  # ends on an assistant turn


def test_completion_style_engine_refuses_chat_adapter_requests(fake_openai, lm_dirs):
    """A ChatAdapter request must fail loudly, not be joined as text and continued (and nothing is sent)."""
    cfg = LMConfig(provider="openai_compatible", model="base", api_base=fake_openai.api_base, completion_style=True,
                   num_retries=0)
    lm = build_lm(cfg)
    with dspy.context(lm=lm, adapter=dspy.ChatAdapter(use_json_adapter_fallback=False)), \
            pytest.raises(LMError, match="cannot lay out"):
        dspy.Predict(Depeche)(depeche=FINAL["depeche"])
    assert fake_openai.requests == []


def test_adapter_for_picks_the_completion_adapter_for_completion_style(tmp_path):
    assert isinstance(adapter_for(LMConfig(provider="embedded", adapter=None)), CompletionAdapter)
    assert isinstance(adapter_for(LMConfig(provider="openai_compatible", model="m", api_base="http://x/v1",
                                           completion_style=True)), CompletionAdapter)
    chat = adapter_for(LMConfig(provider="openai_compatible", model="m", api_base="http://x/v1"))
    assert type(chat) is dspy.ChatAdapter and chat.use_json_adapter_fallback
    import json

    recorded = tmp_path / "rec.jsonl"
    for messages, expected in ((CompletionAdapter().format(SIGNATURE, [], FINAL), CompletionAdapter),
                               (dspy.ChatAdapter().format(SIGNATURE, [], FINAL), dspy.ChatAdapter)):
        recorded.write_text(json.dumps({"key": "k", "request": {"messages": messages},
                                        "response": {"text": "x"}}) + "\n")
        adapter = adapter_for(LMConfig(provider="replay", replay_from=recorded))
        assert type(adapter) is expected and not adapter.use_json_adapter_fallback


def test_complete_fields_writes_every_marker_and_parses():
    values = iter(["Lavrov à Pékin\n\n", " Pékin"])
    calls = []

    def generate(document, left, stop):
        calls.append((document, left, stop))
        text = next(values)
        return Generated(text=text, finish_reason="stop", prompt_tokens=100 + len(calls), completion_tokens=4)

    prompt = request().layout()
    out = complete_fields(prompt, generate, max_tokens=50, rebilled=False)
    assert calls[0][0] == prompt.prompt and calls[0][2][0] == "[[ ##"
    assert calls[1][0].endswith("Lavrov à Pékin\n\n[[ ## lieu ## ]]\n") and calls[1][1] == 46
    assert out.prompt_tokens == 101 and out.completion_tokens == 8  # prefix reused: first prompt only
    parsed = CompletionAdapter().parse(SIGNATURE, out.text)
    assert parsed == {"titre": "Lavrov à Pékin", "lieu": "Pékin"}


def test_complete_fields_stops_when_tokens_run_out():
    def generate(document, left, stop):
        return Generated(text="mot " * left, finish_reason="length", prompt_tokens=10, completion_tokens=left)

    out = complete_fields(request().layout(), generate, max_tokens=5)
    assert out.finish_reason == "length" and out.completion_tokens == 5
    assert "[[ ## lieu ## ]]" not in out.text


@pytest.mark.parametrize(("text", "keep"), [
    ("Le Kremlin a confirmé la visite. " * 6, len("Le Kremlin a confirmé la visite. ") * 2),
    ("Une phrase qui ne se répète pas, suivie d'une autre tout aussi différente, et d'une troisième.", None),
])
def test_loop_guard(text, keep):
    found = looping(text)
    if keep is None:
        assert found is None
    else:
        assert found is not None and found <= keep and text[:found] in text
