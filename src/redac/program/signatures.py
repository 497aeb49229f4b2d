"""The prompts: one DSPy Signature per step (``extract``, ``plan``, ``write``).

Docstrings are the instructions the optimisers rewrite; docstrings and field descriptions must stay
byte-identical unless the prompts are meant to change: the gate replays LM responses recorded for these
exact prompts, and the shipped adapter was fine-tuned on them. The numbers the plan prompt states are
the house rules of :mod:`redac.rules` (a test keeps them in agreement).
"""

from __future__ import annotations

import dspy


class ExtractFacts(dspy.Signature):  # type: ignore[misc]  # dspy ships no type information
    """Liste tous les faits de la dépêche, sans en inventer aucun : qui, quoi, quand, où,
    chaque nombre avec son unité, chaque date, et chaque citation recopiée mot pour mot entre « ».
    Une phrase courte en français par fait, dans l'ordre du texte."""

    source: str = dspy.InputField(desc="texte de la dépêche, nettoyé")
    facts: list[str] = dspy.OutputField(desc="faits, une phrase courte chacun")


class PlanArticle(dspy.Signature):  # type: ignore[misc]  # dspy ships no type information
    """Prépare un article SEO en français à partir des faits : une expression clé (1 à 4 mots),
    un titre de 60 caractères au plus qui la contient, une méta-description de 120 à 156
    caractères qui la contient, et un plan de sous-titres H2 (et H3 si utile) dont au moins un
    contient l'expression clé. N'ajoute aucun fait absent de la liste."""

    facts: list[str] = dspy.InputField(desc="faits à conserver")
    sections: int = dspy.InputField(desc="nombre de sous-titres H2 souhaité")
    keyphrase: str = dspy.OutputField(desc="expression clé principale, 1 à 4 mots")
    title: str = dspy.OutputField(desc="titre, 60 caractères au plus, contient l'expression clé")
    meta_description: str = dspy.OutputField(desc="120 à 156 caractères, contient l'expression clé")
    outline: list[str] = dspy.OutputField(desc="sous-titres, chacun préfixé par '## ' ou '### '")


class WriteSection(dspy.Signature):  # type: ignore[misc]  # dspy ships no type information
    """Rédige en français une section d'article de presse à partir des faits fournis, sans rien
    inventer : aucun nom, nombre, date ou citation absent des faits. Utilise tous les faits de la
    section. Phrases courtes, paragraphes de 3 à 5 phrases, citations exactes entre « ». Pas de
    sous-titre dans le texte."""

    facts: list[str] = dspy.InputField(desc="faits de cette section, tous à utiliser")
    title: str = dspy.InputField(desc="titre de l'article")
    keyphrase: str = dspy.InputField(desc="expression clé à placer naturellement")
    heading: str = dspy.InputField(desc="sous-titre de la section ('Introduction' pour le chapeau)")
    words: int = dspy.InputField(desc="longueur visée en mots")
    text: str = dspy.OutputField(desc="texte de la section, en paragraphes")


LEDE = "Introduction"  # the heading the write step gets for the lede
