"""A deterministic "capable model" for the program's three steps, served by the fake OpenAI server.

The step and its inputs are read with the notebooks' stand-in (:mod:`notebooks.standin`), which uses
DSPy's ChatAdapter itself rather than matching its English wording: one reader for both doubles.
"""

from __future__ import annotations

from notebooks.standin import read_request, reply

SECTION = ("Vladimir Poutine envisage de se rendre à Pyongyang, selon l'agence KCNA. Le dirigeant russe ne s'y est "
           "pas rendu depuis 2000. La ministre Choe Son Hui était à Moscou la semaine dernière. ") * 4


def program_reply(body: dict) -> str:
    """Answer each step of the program the way a capable model would (deterministic)."""
    signature, _ = read_request(body["messages"])
    outputs = signature.output_fields
    if "facts" in outputs:
        size = len(body["messages"][-1]["content"])  # differs per source, so examples do not share requests
        return reply(facts=["Poutine envisage de visiter Pyongyang.", "KCNA l'a rapporté dimanche.",
                            f"Le texte compte {size} caractères."])
    if "keyphrase" in outputs:
        return reply(keyphrase="Poutine à Pyongyang", title="Poutine à Pyongyang : une visite annoncée",
                     meta_description="Poutine à Pyongyang : le président russe envisage de rendre visite à Kim "
                                      "Jong Un, selon l'agence KCNA, qui l'a rapporté dimanche.",
                     outline=["## Poutine à Pyongyang bientôt", "## Une visite préparée", "## Les réactions"])
    return reply(text=SECTION)
