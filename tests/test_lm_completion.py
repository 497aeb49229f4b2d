"""Chat -> completion-style layout, on the messages DSPy's ChatAdapter really writes."""

from __future__ import annotations

import dspy
import pytest

from redac.lm.completion import COMPLETED, CompletionPrompt, Generated, complete_fields, flatten, parse_layout
from redac.lm.engines import looping


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


def chat_messages(demos=DEMOS) -> list[dict]:
    return dspy.ChatAdapter().format(dspy.Predict(Depeche).signature, demos, FINAL)


def test_layout_from_chat_adapter_system_message():
    layout = parse_layout(chat_messages()[0]["content"])
    assert layout is not None
    assert layout.inputs == ("depeche",) and layout.outputs == ("titre", "lieu")
    assert layout.instructions == "Donne un titre court et le lieu principal de la dépêche."


def test_flatten_is_one_document_ending_at_first_output_marker():
    prompt = flatten(chat_messages())
    text = prompt.prompt
    assert text.startswith("Donne un titre court")
    assert text.endswith("[[ ## depeche ## ]]\n" + FINAL["depeche"] + "\n\n[[ ## titre ## ]]\n")
    assert "Your input fields are" not in text and "{depeche}" not in text  # no template placeholders
    assert "Respond with the corresponding output fields" not in text
    assert text.count(COMPLETED) == 2  # one per demo
    assert text.index("Paris et Berlin") < text.index("Un entrepôt") < text.index("Lavrov")
    assert prompt.prefix == "[[ ## titre ## ]]\n"
    assert prompt.stop == (COMPLETED, "[[ ## depeche ## ]]") and prompt.demos == 2


def test_flatten_keeps_only_the_last_demos_when_asked():
    prompt = flatten(chat_messages(), max_demos=1)
    assert prompt.demos == 1 and "Paris et Berlin" not in prompt.prompt and "Un entrepôt" in prompt.prompt
    assert flatten(chat_messages(), max_demos=0).prompt.count(COMPLETED) == 0


def test_flatten_without_chat_adapter_layout_is_plain_text():
    prompt = flatten([{"role": "user", "content": "Bonjour"}])
    assert prompt == CompletionPrompt(prompt="Bonjour\n\n", prefix="", stop=())


def test_complete_fields_writes_every_marker_and_parses():
    values = iter(["Lavrov à Pékin\n\n", " Pékin"])
    calls = []

    def generate(document, left, stop):
        calls.append((document, left, stop))
        text = next(values)
        return Generated(text=text, finish_reason="stop", prompt_tokens=100 + len(calls), completion_tokens=4)

    prompt = flatten(chat_messages())
    out = complete_fields(prompt, generate, max_tokens=50, rebilled=False)
    assert calls[0][0] == prompt.prompt and calls[0][2][0] == "[[ ##"
    assert calls[1][0].endswith("Lavrov à Pékin\n\n[[ ## lieu ## ]]\n") and calls[1][1] == 46
    assert out.prompt_tokens == 101 and out.completion_tokens == 8  # prefix reused: first prompt only
    parsed = dspy.ChatAdapter().parse(dspy.Predict(Depeche).signature, out.text)
    assert parsed == {"titre": "Lavrov à Pékin", "lieu": "Pékin"}


def test_complete_fields_stops_when_tokens_run_out():
    def generate(document, left, stop):
        return Generated(text="mot " * left, finish_reason="length", prompt_tokens=10, completion_tokens=left)

    out = complete_fields(flatten(chat_messages()), generate, max_tokens=5)
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
