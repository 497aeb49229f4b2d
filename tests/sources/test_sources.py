"""redac.sources on the five real seeds, the 60 labelled sources, an HTML page, tables, instruction variants and
broken files."""

from __future__ import annotations

import functools
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT
from redac.dataset import Record, load_jsonl
from redac.errors import SourceError
from redac.sources import (Source, Targets, clean, detect_language, is_html, parse_targets, read_source,
                           split_instruction, strip_boilerplate, unglue)
from redac.text import fold, normalise

SEEDS = ROOT / "tests" / "fixtures" / "seeds"             # verbatim copy: the repo is self-contained
FIXTURES = ROOT / "tests" / "fixtures" / "sources"
INSTRUCTION = ("Make this article seo compatible,Let there be subheadings for the article, be in french, "
               "create at least 700 words")


def seed(n: int) -> Source:
    return read_source(SEEDS / f"source_{n:03d}.txt")


def kinds(src: Source) -> Counter[str]:
    return Counter(r.kind for r in src.removed)


# ---- story sentences (a distinctive fragment of every sentence of the story, taken from the raw text) ----

STORY = {
    0: [
        "Le président russe Vladimir Poutine envisage de rendre prochainement visite au dirigeant nord-coréen "
        "Kim Jong Un à Pyongyang",
        "a rapporté dimanche l'agence de presse nord-coréenne KCNA",
        "a exprimé sa volonté de visiter [North Korea] à une date rapprochée",
        "Poutine s'est entretenu avec la ministre nord-coréenne des Affaires étrangères Choe Son Hui",
        "Choe a également a rencontré le ministre russe des Affaires étrangères Sergueï Lavrov et le "
        "vice-Premier ministre Alexandre Nobak lors de sa visite.",
        "Poutine ne s'est pas rendu à Pyongyang depuis 2000",
        "discuter avec le père de l'actuel dirigeant nord-coréen, Kim Jong Il.",
        "Le voyage à Moscou la semaine dernière d'une délégation nord-coréenne dirigée par le ministre des "
        "Affaires étrangères Choe faisait suite au sommet Russie-Corée du Nord de septembre dernier.",
        "Il s'agissait de renforcer « l'amitié et la coopération » entre les deux pays",
        "consolidées dans toutes les épreuves et tempêtes de l'histoire",
        "Les deux parties se sont déclarées préoccupées par « l'influence négative des actes de provocation",
        "menaçant la souveraineté de la Corée du Nord, selon le communiqué.",
        "Moscou a exprimé sa gratitude pour « avoir apporté son plein soutien et sa solidarité",
        "utilisant le terme que Poutine appelle l'invasion à grande échelle de l'Ukraine par la Russie.",
        "L'année dernière, POLITICO a rapporté que la Corée du Nord avait expédié de grandes quantités de "
        "munitions vers la Russie, livrant un million de cartouches d'artillerie.",
        "« Le monde a tourné le dos à la Russie, forçant Poutine à l'humiliation",
        "a déclaré le secrétaire britannique à la Défense, Grant Shapps, plus tôt ce mois-ci.",
        "[United Nations] résolutions et mettre en danger la sécurité d'une autre région du monde.",
        "Cela doit cesser maintenant », a prévenu Shapps.",
    ],
    1: [
        "Kim Jong-un s'est rendu en Russie en septembre, lorsqu'il a rencontré Vladimir Poutine au cosmodrome "
        "de Vostochny",
        "Le ministre russe des Affaires étrangères Sergueï Lavrov est arrivé mercredi en Corée du Nord, selon "
        "l'agence de presse officielle russe Tass",
        "le ministre russe de la Défense Sergueï Choïgu s'est rendu en Corée du Nord en juillet et le "
        "dirigeant nord-coréen Kim Jong.",
        "Un s'est rendu en Russie en septembre.",
        "Plus tôt dans la semaine, Lavrov a accompagné le président Vladimir Poutine lors d'une visite à Pékin",
        "Lavrov s'est rendu pour la dernière fois en Corée du Nord en 2018.",
        "Au cours de sa visite de deux jours, il doit rencontrer le ministre nord-coréen des Affaires "
        "étrangères Choe Son Hui",
        "Poutine a également accepté une invitation de Kim à se rendre en Corée du Nord, mais le moment n'a "
        "pas été annoncé.",
        "Lors de sa visite en Russie, Kim a rencontré Poutine au cosmodrome russe Vostochny",
        "La Maison Blanche a déclaré vendredi que la Corée du Nord avait livré plus de 1 000 conteneurs "
        "d'équipements militaires",
        "Les spéculations sur un éventuel projet nord-coréen visant à réapprovisionner les réserves de "
        "munitions russes",
        "Le porte-parole du Conseil de sécurité nationale de la Maison Blanche, John Kirby",
        "Kim a appelé le mois dernier à une augmentation exponentielle de la production d'armes nucléaires",
        "« nouvelle guerre froide », ont déclaré les médias d'État nord-coréens.",
        "Au cours du voyage de six jours de Kim en Russie, son plus long voyage à l'étranger en tant que "
        "dirigeant",
        "Les experts étrangers pensent que les deux pays, tous deux engagés dans des confrontations avec "
        "l'Occident",
        "en violation des résolutions du Conseil de sécurité de l'ONU.",
        "Ce voyage en Russie était également le premier voyage de Kim à l'étranger depuis la pandémie",
        "Après des décennies de relations chaudes et froides, la Russie et la Corée du Nord se sont "
        "rapprochées",
        "Les relations entre la Russie et la Corée du Nord remontent à la création du Nord en 1948",
        "Les expéditions d'aide soviétique ont joué un rôle crucial dans le maintien à flot de l'économie "
        "nord-coréenne",
        "avant la désintégration de l'Union soviétique au début des années 1990.",
    ],
    2: [
        "la Russie le ministre des Affaires étrangères a proposé des entretiens réguliers sur la sécurité avec "
        "Corée du Nord et Chine",
        "dirigées par les États-Unis, lors de sa rencontre avec le dirigeant nord-coréen Kim Jong-un et son plus "
        "haut diplomate à Pyongyang.",
        "Le ministre russe des Affaires étrangères Sergueï Lavrov est arrivé mercredi dans la capitale "
        "nord-coréenne pour un voyage de deux jours",
        "à la suite du sommet de septembre entre Kim et le président russe Vladimir Poutine.",
        "La semaine dernière, les États-Unis ont déclaré que la Corée du Nord avait transféré des munitions à "
        "la Russie",
        "interdisant tout commerce d'armes impliquant la Corée du Nord.",
        "Le dirigeant nord-coréen Kim Jong-un accueille jeudi le ministre russe des Affaires étrangères Sergueï "
        "Lavrov lors d'une réunion à Pyongyang.",
        "Au cours de leurs entretiens, Lavrov et Kim ont échangé des points de vue",
        "a rapporté l'agence de presse officielle nord-coréenne.",
        "Kim a exprimé sa détermination à mettre en œuvre les accords non spécifiés conclus avec Poutine le "
        "mois dernier.",
        "Lavrov a rencontré jeudi son homologue nord-coréen Choe Son-hui et a salué l'approfondissement de la "
        "collaboration bilatérale.",
        "Lavrov et Choe ont discuté de « la reprise de contacts à part entière »",
        "a indiqué le ministère russe des Affaires étrangères dans un communiqué.",
        "Il ajoute que Lavrov a invité Choe à se rendre à Moscou « à sa convenance ».",
        "KCNA a indiqué que les deux ministres ont discuté du renforcement de l'action commune",
        "notamment la situation dans la péninsule coréenne.",
        "La réunion Lavrov-Kim « signifie que la récente flotte de conteneurs",
        "a déclaré Leif-Eric Easley, professeur d'études internationales à l'université Ewha.",
        "à Séoul, a déclaré.",
        "Sur cette photo publiée par le service de presse du ministère russe des Affaires étrangères via sa "
        "chaîne de télégrammes",
        "assistent jeudi aux négociations à Pyongyang.",
        "Après avoir accepté l'aide de Pyongyang pour réapprovisionner l'Ukraine illégalement",
        "une technologie militaire qui pourrait menacer la stabilité en Asie de l'Est », a déclaré Easley.",
        "L'agence de presse officielle russe Tass a cité Lavrov disant aux journalistes",
        "Les Etats-Unis, le Japon et la Corée du Sud intensifient leurs activités militaires ici",
        "sont une grande préoccupation pour nous et nos amis nord-coréens », a déclaré Lavrov, selon Tass.",
        "Le récent tourbillon diplomatique entre la Russie et la Corée du Nord",
        "la Corée du Nord à propos de son programme nucléaire avancé et la Russie à propos de sa guerre avec "
        "l'Ukraine.",
        "Les États-Unis ont étendu leurs exercices militaires réguliers avec la Corée du Sud",
        "en réponse aux tirs de missiles de la Corée du Nord depuis l'année dernière.",
        "Les États-Unis et la Corée du Sud ont également repris certains exercices militaires trilatéraux avec "
        "le Japon.",
        "Au cours de la visite de Lavrov, l'attention extérieure s'est concentrée",
        "pour rendre la visite de Kim en Extrême-Orient russe.",
        "Au cours de son voyage en Russie, Kim a rencontré Poutine au cosmodrome de Vostochny",
        "a inspecté d'autres sites clés de fabrication d'armes russes.",
        "Lavrov, au premier plan à gauche, et le ministre nord-coréen des Affaires étrangères Choe Son Hui",
        "au Grand Monument de la colline Mansu à Pyongyang, en Corée du Nord.",
        ", le jeudi 19 octobre 2023.",
        "Cela a déclenché d'intenses spéculations selon lesquelles Kim rechercherait des technologies russes "
        "sophistiquées",
        "pour reconstituer l'inventaire d'armes en déclin de la Russie.",
        "Ni la Russie ni la Corée du Nord n'ont révélé ce sur quoi Poutine et Kim étaient convenus lors du "
        "sommet.",
        "Lors d'un dîner organisé en son honneur mercredi, Lavrov a déclaré",
        "soutenues par la Russie dans l'est de l'Ukraine, selon le ministère russe des Affaires étrangères.",
        "Ministère étranger.",
        "KCNA a déclaré que Lavrov a également félicité la Corée du Nord",
        "soutenait pleinement les efforts de Kim pour protéger sa sécurité et ses intérêts économiques.",
        "La Maison Blanche a annoncé vendredi que la Corée du Nord avait livré plus de 1 000 conteneurs",
        "La Maison Blanche a publié des images montrant que les conteneurs avaient été chargés sur un navire "
        "battant pavillon russe",
        "Depuis l'année dernière, les États-Unis accusent la Corée du Nord",
        "dont la plupart sont probablement des copies de munitions de l'ère soviétique.",
        "La Corée du Nord a fermement nié avoir expédié des armes à la Russie",
        "avaient déjà été utilisées en Ukraine.",
        "Lim Soosuk, porte-parole du ministère sud-coréen des Affaires étrangères",
        "conforme aux résolutions du Conseil de sécurité de l'ONU.",
    ],
    3: [
        "La Corée du Nord a assuré aujourd'hui que le président russe, Vladimir Poutine, a manifesté sa volonté "
        "de visiter son territoire",
        "en réponse à l'invitation du leader Kim Jong Unlors de son sommet l'année dernière.",
        "Poutine en aurait fait part au ministre nord-coréen des Affaires étrangères, Choe Son-hui",
        "en Russie entre le 15 et le 17 janvier, comme l'a rapporté dimanche l'agence de presse officielle KCNA",
        "Au cours de la réunion, Choe a transmis au président russe « les salutations chaleureuses » de Kim",
        "lui a demandé de lui envoyer ses vœux du Nouvel An",
        "a exprimé sa volonté de se rendre en RPDC dans un avenir proche », selon KCNA.",
        "RPDC est l'acronyme de République populaire démocratique de Corée, le nom officiel de la Corée du Nord.",
        "Visite de Choe en Russie, qui comprenait des rencontres avec le ministre des Affaires étrangères "
        "Sergui Lavrov",
        "sont définitivement entrées dans la voie d'un nouveau développement global », ont indiqué les médias "
        "susmentionnés.",
        "Le récent voyage du ministre nord-coréen des Affaires étrangères a permis de continuer à approfondir",
        "« dans tous les domaines cette année » 2024.",
        "75e anniversaire de la conclusion de leur accord bilatéral de coopération économique et culturelle.",
        "Le régime nord-coréen a également assuré que les deux pays avaient « approfondi leur communication "
        "stratégique »",
        "établir un nouvel ordre international multipolarisé fondé sur l'indépendance et la justice ».",
        "Les deux pays ont partagé leur préoccupation « pour le influence négative des États-Unis et de leurs "
        "alliés »",
        "« constituent une puissante force stratégique » et s'engageant à les pousser plus loin.",
        "Entre autres points, Pyongyang a salué la « mission importante » de la Russie",
        "leur opération militaire spéciale en Ukraineun euphémisme qui fait référence à l'invasion du pays "
        "voisin.",
        "Pyongyang a soutenu la guerre russe en Ukraine et aurait fourni la guerre en Ukraine.",
        "missiles balistiques, en échange d'une assistance militaire de Moscou",
        "porte sa belligérance envers Washington et Séoul à un nouveau niveau.",
    ],
    4: [
        "Le président russe, Vladimir Poutine, effectue une visite en Corée du Nord.",
        "Vladimir Poutine, le président russe, s'est posé à Pyongyang, en Corée du Nord, à l'occasion d'une "
        "visite effectuée mercredi (fuseau horaire).",
        "Comme l'a indiqué le Kremlin, il s'agit du deuxième voyage de M. Poutine dans ce pays isolé en tant "
        "que chef d'État.",
        "Sa dernière visite en Corée du Nord...",
        'Durant la visite de Poutine, un accord attendu sur une "partenariat stratégique" entre la Russie et '
        "la Corée du Nord est prévu pour signer.",
        "Dans des articles de contribution publiés par l'agence de nouvelles d'état nord-coréenne KCNA et le "
        'journal "Rodong Sinmun"',
        "Poutine avait précédemment exprimé sa gratitude envers la Corée du Nord pour son appui dans le "
        "conflit ukrainien.",
        'Poutine a écrit, "Nous apprécions absolument la République populaire démocratique de Corée (Corée du '
        'Nord) pour sa position ferme en appuyant les actions militaires russes en Ukraine."',
        "La visite vise à accroître la collaboration bilatérale",
        "a commenté Poutine.",
        'Les deux pays travaillent activement pour "avancer activement leur relation complète".',
        "L'Ouest a formulé des accusations contre la Corée du Nord pour armer la Russie dans son assaut "
        "militaire en Ukraine.",
        'La Corée du Nord a réfuté ces revendications comme "prépostères".',
        "Dans le moment actuel, Poutine cherche des renforts supplémentaires.",
    ],
}

BOILERPLATE_004 = ["Aller au contenu", "Lire aussi", "commentaires", "Membres", "Publique", "Telegram",
                   "syndicats", "Duterte", "Philippines", "Sur cette photo illustrative",
                   "Poutine lors d'une réunion avec le dirigeant de la Corée du Nord, Kim"]


# ---- the seeds ----

def test_seed_copy_is_verbatim():
    """The fixtures are byte-for-byte the five real inputs (digests taken from the originals when copied)."""
    import hashlib

    recorded = dict(reversed(line.split()) for line in (SEEDS / "SHA256SUMS").read_text().splitlines())
    assert sorted(recorded) == [f"source_{n:03d}.txt" for n in range(5)]
    for name, digest in recorded.items():
        assert hashlib.sha256((SEEDS / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("n", range(5))
def test_no_story_sentence_is_lost(n):
    src = seed(n)
    missing = [frag for frag in STORY[n] if normalise(frag) not in src.body]
    assert not missing, f"source_{n:03d}: story fragments missing from body: {missing}"
    assert src.language == "fr"
    assert "\n\n\n" not in src.body and "  " not in src.body


@pytest.mark.parametrize("n", range(5))
def test_every_character_is_kept_or_accounted_for(n):
    """Nothing disappears silently: letters and digits of the raw text = body + removed records."""
    src = seed(n)

    def chars(text: str) -> Counter[str]:
        return Counter(c for c in normalise(text) if c.isalnum())

    accounted = chars(src.body)
    for r in src.removed:
        accounted += chars(r.text)
    assert accounted == chars(src.raw)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_instruction_is_removed_and_sets_targets(n):
    src = seed(n)
    assert src.instruction == INSTRUCTION
    assert src.removed_of("instruction") == [INSTRUCTION]
    assert src.targets == Targets(language="fr", min_words=700, subheadings=True)
    for word in ("seo", "subheadings", "700 words", "Make this article"):
        assert word not in src.body


@pytest.mark.parametrize("n", [3, 4])
def test_no_instruction_means_house_targets(n):
    src = seed(n)
    assert src.instruction is None and not src.removed_of("instruction")
    assert src.targets == Targets()


def test_source_000_and_001_only_lose_the_instruction():
    for n in (0, 1):
        src = seed(n)
        assert kinds(src) == Counter({"instruction": 1}), src.removed
        assert src.body.startswith(("Le président russe Vladimir Poutine", "Kim Jong-un s'est rendu"))


def test_source_003_is_untouched_including_its_typos():
    src = seed(3)
    assert src.removed == []
    assert "Kim Jong Unlors de son sommet" in src.body  # a word typo: not ours to fix
    assert "en Ukraineun euphémisme" in src.body
    assert src.body.count("\n\n") == 9  # 10 paragraphs, one per source line


def test_source_002_instruction_glued_to_story_is_split():
    src = seed(2)
    assert src.body.startswith("la Russie le ministre des Affaires étrangères a proposé")
    assert "words" not in src.body
    assert any("glued" in w for w in src.warnings)
    assert any("mid-sentence" in w for w in src.warnings)


def test_source_002_glued_sentences_are_split():
    body = seed(2).body
    for joined in ["Ukraine. Lim Soosuk", "à Pyongyang. Le ministre russe", "Vladimir Poutine. La semaine dernière",
                   "la Corée du Nord. Le dirigeant nord-coréen", "à Pyongyang. Au cours de leurs entretiens",
                   "le mois dernier. Lavrov a rencontré", "« à sa convenance ». KCNA a indiqué",
                   "Ministère étranger. KCNA a déclaré", "» Après avoir accepté", "2023. Cela a déclenché",
                   "l'Ukraine. Les États-Unis ont étendu"]:
        assert joined in body, joined
    assert not re.search(r"[a-zé]{2}\.[A-ZÉ]", body)  # no glue left
    assert "Ewha. à Séoul" in body  # lower-case after a stop is the source's own text: left alone


def test_source_002_trailer_credits_and_glued_link_headline():
    src = seed(2)
    assert src.removed_of("trailer") == ["Source link -57"]
    assert "Source link" not in src.body and "-57" not in src.body
    assert src.removed_of("caption_credit") == [
        "(PA)", "(PA)", "(Chaîne de télégramme du service de presse du ministère russe des Affaires étrangères "
        "via AP)", "(PA)"]
    assert "(PA)" not in src.body and "via AP" not in src.body
    # the related-video link glued into the text ("...Kim Jong-unLes États-Unis...") is not story
    assert src.removed_of("teaser") == ["Dix ans de règne bizarre et secret de Kim Jong-un"]
    assert "Dix ans de règne" not in src.body
    assert set(kinds(src)) == {"instruction", "trailer", "caption_credit", "teaser"}


def test_source_004_scraped_page():
    src = seed(4)
    assert src.removed_of("skip_link") == ["Aller au contenu"]
    assert src.removed_of("read_also") == ["Lire aussi:", "Dernier"]
    assert src.removed_of("comments") == ["commentaires"]
    assert src.removed_of("member_banner") == ["Membres Publique", "Membres Publique"]
    assert src.removed_of("caption_duplicate") == ["Poutine lors d'une réunion avec le dirigeant de la Corée du "
                                                   "Nord, Kim"] * 2
    assert src.removed_of("duplicate") == ["Le président russe, Vladimir Poutine, effectue une visite en Corée "
                                           "du Nord."]
    teasers = src.removed_of("teaser")
    assert len(teasers) == 6
    assert any(t.startswith("Telegram sert de plateforme") for t in teasers)
    assert any("Nations unies" in t for t in teasers)
    assert any(t.startswith("L'ancien président philippin Duterte") for t in teasers)
    assert any(t.startswith("Rodrigo Duterte, le président des Philippines") for t in teasers)
    for junk in BOILERPLATE_004:
        assert junk not in src.body, junk
    assert not re.search(r"(?m)^Dernier$", src.body)
    assert src.body.count("effectue une visite en Corée du Nord.") == 1  # headline kept once
    assert src.body.startswith("Le président russe, Vladimir Poutine, effectue une visite")


def test_source_004_warnings():
    warnings = seed(4).warnings
    assert any("lede looks truncated" in w and "Sa dernière visite en Corée du Nord..." in w for w in warnings)
    assert any(w.startswith("source is only") and "target is 700" in w for w in warnings)
    assert not any("language" in w for w in warnings)


def test_clean_is_pure():
    raws = [(SEEDS / f"source_{n:03d}.txt").read_text(encoding="utf-8") for n in range(5)]
    first = [clean(raw, name=f"s{i}") for i, raw in enumerate(raws)]
    assert [clean(raw, name=f"s{i}") for i, raw in enumerate(raws)] == first
    assert first[0].raw == raws[0] and first[0].name == "s0"


# ---- instruction and targets ----

@pytest.mark.parametrize("text, expected", [
    (INSTRUCTION, dict(language="fr", min_words=700, max_words=None, subheadings=True)),
    ("Rédige un article SEO de 900 mots en français, pas plus de 4 intertitres",
     dict(language="fr", min_words=900, subheadings=True, min_subheadings=3, max_subheadings=4)),
    ("Write at least 1200 words", dict(min_words=1200, max_words=None)),
    ("no more than 4 subheadings", dict(subheadings=True, min_subheadings=3, max_subheadings=4)),
    ("pas plus de 2 intertitres", dict(subheadings=True, min_subheadings=2, max_subheadings=2)),
    ("Rédige un article d'au moins 1 200 mots", dict(min_words=1200)),
    ("sans intertitres", dict(subheadings=False, min_subheadings=0, max_subheadings=0)),
    ("Write the article without subheadings, 800 words", dict(subheadings=False, max_subheadings=0, min_words=800)),
    ("Écris un article de 800 à 1000 mots avec au moins 5 intertitres",
     dict(min_words=800, max_words=1000, min_subheadings=5, max_subheadings=None)),
    ("Write an SEO article in English, between 900 and 1,100 words, with three subheadings",
     dict(language="en", min_words=900, max_words=1100, min_subheadings=3, max_subheadings=3)),
    ("Please write no more than 500 words", dict(min_words=400, max_words=500)),
    ("Rédigez un texte de maximum 600 mots en anglais", dict(language="en", min_words=480, max_words=600)),
    ("Write 1000 words, 2-4 subheadings", dict(min_words=1000, min_subheadings=2, max_subheadings=4)),
    ("Make it SEO friendly, at most 5 H2, 750 words minimum", dict(min_words=750, max_subheadings=5)),
    ("Write at least 1000 words and no more than 800 words", dict(min_words=800, max_words=1000)),
])
def test_parse_targets(text, expected):
    targets = parse_targets(text)
    assert {k: getattr(targets, k) for k in expected} == expected


@pytest.mark.parametrize("instruction", [
    INSTRUCTION,
    "Rédige un article SEO de 900 mots en français, pas plus de 4 intertitres",
    "Write at least 1200 words",
    "sans intertitres",
])
def test_split_instruction_on_its_own_line(instruction):
    story = "Le président a parlé mardi devant les députés.\nIl a promis une réforme."
    assert split_instruction(f"{instruction}\n{story}") == (instruction, story)
    assert split_instruction(f"{story}\n\n{instruction}\n") == (instruction, story)


def test_split_instruction_several_lines():
    text = "Write at least 1200 words\nno more than 4 subheadings\nLe président a parlé mardi."
    instruction, rest = split_instruction(text)
    assert instruction == "Write at least 1200 words\nno more than 4 subheadings"
    assert rest == "Le président a parlé mardi."
    assert parse_targets(instruction).model_dump(include={"min_words", "max_subheadings"}) == {
        "min_words": 1200, "max_subheadings": 4}


@pytest.mark.parametrize("line", [
    "Le ministre a écrit un article de 900 mots sur la guerre.",
    "Fais attention, a dit le ministre, la guerre continue en Ukraine depuis 2022 et le bilan est lourd.",
    "Créer 700 emplois d'ici 2027 : c'est l'objectif annoncé lundi par le groupe industriel.",
    "Use of force: the UN said 300 words were spoken.",
    "Les intertitres du rapport de 200 pages ont été rédigés en français par la commission.",
])
def test_story_lines_are_not_instructions(line):
    assert split_instruction(line) == (None, line)


def test_instruction_only_source_is_empty_after_cleaning():
    with pytest.raises(SourceError) as err:
        clean(INSTRUCTION, name="only_instruction.txt")
    assert "only_instruction.txt" in str(err.value)
    assert "empty after cleaning (removed: instruction)" in str(err.value)


# ---- glue ----

@pytest.mark.parametrize("raw, expected", [
    ("en Ukraine.Lim Soosuk", "en Ukraine. Lim Soosuk"),
    ("à Pyongyang. (PA)Au cours", "à Pyongyang. (PA) Au cours"),
    ("Moscou « à sa convenance ».KCNA a indiqué", "Moscou « à sa convenance ». KCNA a indiqué"),
    ("à Pyongyang. »Après avoir", "à Pyongyang. » Après avoir"),
    ('ils ont dit "non".Le lendemain', 'ils ont dit "non". Le lendemain'),
    ("la croissance sera de 3.5 % en 2024.", "la croissance sera de 3.5 % en 2024."),
    ("les forces des U.S.A. et de l'OTAN", "les forces des U.S.A. et de l'OTAN"),
    ("en 52 av. J.-C.Les Gaulois", "en 52 av. J.-C.Les Gaulois"),
    ("M.Poutine est arrivé", "M.Poutine est arrivé"),
    ("voir www.Example.com et https://site.fr/Page.Html ou jean.Dupont@mail.fr",
     "voir www.Example.com et https://site.fr/Page.Html ou jean.Dupont@mail.fr"),
    ("Kim Jong Unlors de son sommet", "Kim Jong Unlors de son sommet"),
    ("Il a dit:Bonjour", "Il a dit:Bonjour"),
])
def test_unglue(raw, expected):
    assert unglue(raw) == expected


# ---- boilerplate in plain text ----

PAGE = """Passer au contenu principal
Accueil › International › Asie
Publié le 12 juin 2024 à 10h30
Par Jean Dupont
Nous utilisons des cookies pour améliorer votre expérience. En poursuivant, vous acceptez notre politique.
Tout accepter

Séoul a convoqué mardi l'ambassadeur russe après la signature du traité.

Publicité

Le ministère a dénoncé une menace pour la péninsule.
Partager sur Facebook
À lire aussi
Le Japon renforce ses défenses

Le gouvernement sud-coréen étudie désormais des livraisons d'armes à l'Ukraine.
Photo : AFP
Newsletter
Inscrivez-vous à notre newsletter quotidienne
Source : AFP
Lire la suite
"""

PAGE_STORY = ["Séoul a convoqué mardi l'ambassadeur russe après la signature du traité.",
              "Le ministère a dénoncé une menace pour la péninsule.",
              "Le gouvernement sud-coréen étudie désormais des livraisons d'armes à l'Ukraine."]


def test_text_boilerplate_is_dropped_and_story_after_a_read_also_link_is_kept():
    src = clean(PAGE, name="page.txt")
    assert src.body == "\n\n".join(PAGE_STORY)
    got = {r.kind: r.text for r in src.removed}
    assert got["skip_link"] == "Passer au contenu principal"
    assert got["navigation"] == "Accueil › International › Asie"
    assert got["cookie_banner"] == "Tout accepter"
    assert got["advert"] == "Publicité"
    assert got["share"] == "Partager sur Facebook"
    assert got["read_also"] == "À lire aussi"
    assert got["teaser"] == "Le Japon renforce ses défenses"
    assert got["photo_credit"] == "Photo : AFP"
    assert got["newsletter"] == "Inscrivez-vous à notre newsletter quotidienne"
    assert got["trailer"] == "Lire la suite"
    assert src.removed_of("byline") == ["Publié le 12 juin 2024 à 10h30", "Par Jean Dupont"]


def test_inline_read_also_and_glued_trailer():
    src = clean("Le sommet s'est ouvert lundi à Bruxelles.\nLire aussi : Les Vingt-Sept divisés sur l'Ukraine\n"
                "Les dirigeants doivent adopter un texte commun.Source link")
    assert src.body == ("Le sommet s'est ouvert lundi à Bruxelles.\n\n"
                        "Les dirigeants doivent adopter un texte commun.")
    assert src.removed_of("read_also") == ["Lire aussi : Les Vingt-Sept divisés sur l'Ukraine"]
    assert src.removed_of("trailer") == ["Source link"]


def test_story_lines_that_look_like_chrome_words_are_kept():
    story = ["Dernier rebondissement : le parquet a fait appel de la décision lundi.",
             "Par ailleurs, le ministre a rappelé que la publicité pour le tabac est interdite.",
             "Les membres du conseil ont partagé leurs commentaires sur le projet de loi."]
    kept, removed = strip_boilerplate(story)
    assert kept == story and removed == []


def test_hard_wrapped_paragraphs_are_joined():
    src = clean("Le président russe est arrivé mercredi à Pyongyang\npour une visite de deux jours.\n\n"
                "Il doit signer un accord.")
    assert src.body == ("Le président russe est arrivé mercredi à Pyongyang pour une visite de deux jours.\n\n"
                        "Il doit signer un accord.")


# ---- HTML ----

HTML_STORY = [
    "Nantes : la ligne 6 du tramway mise en service en septembre 2027",
    "Le conseil métropolitain de Nantes a voté jeudi soir le financement de la ligne 6 du tramway",
    "Le projet a été adopté par 71 voix contre 22, après près de quatre heures de débats.",
    "La future ligne mesurera 11,4 kilomètres et comptera 19 stations",
    "le tramway devrait transporter 45 000 voyageurs par jour",
    "« C'est le plus gros investissement de transport depuis vingt ans », a-t-elle déclaré",
    "L'opposition a critiqué le coût du projet, qu'elle juge sous-estimé.",
    "Le groupe d'opposition réclame une étude indépendante",
    "Des travaux dès l'automne",
    "Les premiers travaux de déviation des réseaux d'eau et d'électricité commenceront en octobre 2025.",
    "La circulation automobile sera réduite à une voie",
    "l'État financera 58 millions d'euros du projet, la région Pays de la Loire 40 millions",
    "Le reste sera couvert par un emprunt",
]
HTML_JUNK = ["cookies", "Tout accepter", "Aller au contenu", "Accueil", "Partager", "Lire aussi", "Cheviré",
             "Publicité", "Newsletter", "Recevez chaque matin", "commentaires", "Yannick44", "bouchons",
             "Les plus lus", "Saint-Nazaire", "FC Nantes", "Tous droits réservés", "Mentions légales",
             "Claire Le Goff", "<", "gtag"]


def test_html_page_keeps_the_article_only():
    src = read_source(FIXTURES / "tramway_nantes.html")
    assert src.name == "tramway_nantes"
    assert [f for f in HTML_STORY if f not in src.body] == []
    assert [j for j in HTML_JUNK if j in src.body] == []
    dropped = src.removed_of("html_boilerplate")
    assert any("Nous utilisons des cookies" in d for d in dropped)
    assert "Saint-Nazaire : un incendie détruit un entrepôt du port" in dropped
    assert "Encore des bouchons en perspective, merci la métropole." in dropped
    assert "Sport" in dropped  # a menu item, even though "transport" is in the story
    assert not any("voté jeudi soir" in d for d in dropped)
    assert src.language == "fr"


def test_html_is_sniffed_whatever_the_extension(tmp_path):
    copy = tmp_path / "page.txt"
    shutil.copy(FIXTURES / "tramway_nantes.html", copy)
    assert read_source(copy).body == read_source(FIXTURES / "tramway_nantes.html").body


def test_is_html():
    assert is_html((FIXTURES / "tramway_nantes.html").read_text(encoding="utf-8"))
    assert is_html("<div><p>Un</p><p>Deux</p><p>Trois</p><p>Quatre</p><span>x</span></div>")
    for n in range(5):
        assert not is_html((SEEDS / f"source_{n:03d}.txt").read_text(encoding="utf-8"))
    assert not is_html("Le taux est <3 % et le prix > 10 euros.")


# ---- language ----

ENGLISH = ("North Korea said on Sunday that Russian President Vladimir Putin had expressed his willingness to "
           "visit the country soon, in response to an invitation from leader Kim Jong Un during their summit "
           "last year. The foreign minister met Putin in Moscow last week, according to the state news agency.")


def test_english_source_is_detected_and_warned():
    src = clean(ENGLISH, name="english.txt")
    assert src.language == "en"
    assert any("source language is 'en'" in w for w in src.warnings)


@pytest.mark.parametrize("text, lang", [
    (ENGLISH, "en"),
    ("El presidente ruso, Vladimir Putin, expresó su voluntad de visitar Corea del Norte en un futuro "
     "próximo, según informó el domingo la agencia oficial de noticias.", "es"),
    ("Der russische Präsident Wladimir Putin hat nach Angaben der staatlichen Nachrichtenagentur seine "
     "Bereitschaft erklärt, Nordkorea in naher Zukunft zu besuchen.", "de"),
    ("Prezydent Rosji Władimir Putin wyraził gotowość odwiedzenia Korei Północnej w najbliższej "
     "przyszłości, poinformowała w niedzielę państwowa agencja prasowa.", "pl"),  # langdetect fallback
    ("Poutine est arrivé à Pyongyang pour une visite de deux jours.", "fr"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_detect_language_on_1000_words():
    text = " ".join((SEEDS / "source_002.txt").read_text(encoding="utf-8").split()[:1000])
    assert detect_language(text) == "fr"


# ---- errors ----

def _raises(path: Path, fragment: str) -> None:
    with pytest.raises(SourceError) as err:
        read_source(path)
    message = str(err.value)
    assert str(path) in message and fragment in message, message
    assert "\n" not in message
    assert err.value.file == str(path)


def test_missing_file(tmp_path):
    _raises(tmp_path / "nope.txt", "file not found")


def test_directory(tmp_path):
    _raises(tmp_path, "is a directory")


def test_empty_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    _raises(tmp_path / "empty.txt", "file is empty")


def test_whitespace_only_file(tmp_path):
    (tmp_path / "blank.md").write_text(" \n\t\n  \n", encoding="utf-8")
    _raises(tmp_path / "blank.md", "empty")


def test_binary_file(tmp_path):
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _raises(tmp_path / "image.txt", "NUL byte at offset 8")


def test_latin1_file_names_the_byte_offset(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("Le président est arrivé.".encode("latin-1"))
    _raises(tmp_path / "latin1.txt", "not valid UTF-8 (byte 0xE9 at offset 5)")


def test_pdf_file(tmp_path):
    (tmp_path / "article.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    _raises(tmp_path / "article.pdf", "PDF")


def test_only_boilerplate_is_empty_after_cleaning(tmp_path):
    (tmp_path / "chrome.txt").write_text("Aller au contenu\n\nPublicité\n\nPartager\n\nSource link -12\n",
                                         encoding="utf-8")
    _raises(tmp_path / "chrome.txt", "empty after cleaning (removed: advert, share, skip_link, trailer)")


def test_clean_empty_and_whitespace():
    for raw in ("", "   \n\n\t "):
        with pytest.raises(SourceError) as err:
            clean(raw, name="inline")
        assert str(err.value) == "inline: source is empty"


def test_utf8_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffLe président est arrivé.\r\nIl repart demain.\r\n".encode("utf-8"))
    assert read_source(path).body == "Le président est arrivé.\n\nIl repart demain."


def test_mid_article_read_also_does_not_eat_the_rest_of_the_story():
    raw = ("Le Premier ministre Michel Barnier a présenté mardi son budget à l'Assemblée nationale.\n\n"
           "À lire aussi\n\n"
           "Budget 2025 : ce qui change pour les retraités\n\n"
           "Michel Barnier a défendu devant l'Assemblée nationale un effort de 60 milliards d'euros.\n\n"
           "Selon Matignon, le déficit public doit revenir à 5 % du PIB en 2025, et Michel Barnier promet...\n\n"
           "Lire la suite")
    src = clean(raw)
    assert src.removed_of("teaser") == ["Budget 2025 : ce qui change pour les retraités"]
    assert "un effort de 60 milliards d'euros" in src.body
    assert "doit revenir à 5 % du PIB en 2025" in src.body
    assert src.removed_of("trailer") == ["Lire la suite"]


def test_markdown_source(tmp_path):
    path = tmp_path / "depeche.md"
    path.write_text("# Séisme au Japon\n\nUn séisme de magnitude 7,1 a frappé [Kyushu](https://example.org/k) "
                    "jeudi.\n", encoding="utf-8")
    src = read_source(path)
    assert src.body == "Séisme au Japon\n\nUn séisme de magnitude 7,1 a frappé Kyushu jeudi."
    assert src.warnings[-1].startswith("source is only")


def test_unexpected_extension_is_read_with_a_warning(tmp_path):
    path = tmp_path / "depeche.dat"
    path.write_text("Un séisme de magnitude 7,1 a frappé l'île de Kyushu jeudi, selon l'agence météorologique.",
                    encoding="utf-8")
    src = read_source(path)
    assert src.body.startswith("Un séisme")
    assert "unexpected extension '.dat'; read as text" in src.warnings


@pytest.mark.parametrize("line, instruction, story", [
    ("Write at least 900 words. Le président russe Vladimir Poutine est arrivé mercredi à Pyongyang pour une "
     "visite de deux jours, selon le Kremlin.", "Write at least 900 words",
     "Le président russe Vladimir Poutine est arrivé mercredi à Pyongyang pour une visite de deux jours, selon "
     "le Kremlin."),
    ("Rédige un article de 900 mots sur la visite de Poutine en Corée du Nord, en insistant sur les enjeux "
     "militaires et la réaction des États-Unis", None, ""),
])
def test_instruction_and_story_on_one_line(line, instruction, story):
    got_instruction, rest = split_instruction(line)
    assert got_instruction == (instruction or line) and rest == story


# ---- tables ----

B04_TABLE = """| Produit | Unité | 3e trim. N-1 | 3e trim. N | Variation |
|---|---|---|---|---|
| Blé tendre | €/tonne | 228 | 196 | -14 % |
| Maïs grain | €/tonne | 214 | 189 | -12 % |
| Lait de vache | €/1 000 litres | 468 | 441 | -6 % |
| Porc | €/kg carcasse | 2,05 | 1,87 | -9 % |
| Jeunes bovins | €/kg carcasse | 5,12 | 5,64 | +10 % |
| Œufs | €/100 œufs | 11,40 | 11,90 | +4 % |"""


def test_plain_text_pipe_table_is_kept_as_one_markdown_block():
    src = clean(record("economie-b04").source)
    paras = src.body.split("\n\n")
    assert B04_TABLE in paras  # padded "a    | b" columns become one Markdown table paragraph
    assert paras[paras.index(B04_TABLE) - 1] == "Prix moyens payés aux producteurs dans l'Ouest"
    assert "Source : OPAO, note de conjoncture du troisième trimestre." in paras  # the table's source note
    assert not any("228" in r.text for r in src.removed)


def test_markdown_tables_are_kept_row_for_row():
    src = clean(record("sport-c04").source)
    tables = [p for p in src.body.split("\n\n") if p.startswith("|")]
    assert [t.count("\n") + 1 for t in tables] == [7, 6]  # header + rule + 5 riders; header + rule + 4
    assert "| 4 | Lucas Pellerin (FRA) | Team Bocage | à 45 s |" in tables[0].split("\n")
    assert tables[1].split("\n")[:2] == ["| Rang | Coureur | Temps |", "|---|---|---|"]
    assert src.removed == []


def test_aligned_columns_make_a_table_and_menus_or_prose_do_not():
    raw = ("Les résultats par ville sont publiés ci-dessous par la préfecture, selon le décompte officiel.\n\n"
           "Ville\tInscrits\tVotants\n"
           "Nantes\t210 000\t98 500\n"
           "Angers\t110 300\t52 100\n\n"
           "            2023     2024\n"
           "Recettes    12,1     13,4\n"
           "Dépenses    11,8     12,9\n\n"
           "Le taux de participation atteint 46 %.  Il était de 41 % en 2019.\n"
           "Le préfet a salué un scrutin calme.  Aucun incident n'a été signalé.")
    paras = clean(raw).body.split("\n\n")
    assert "| Ville | Inscrits | Votants |\n|---|---|---|\n| Nantes | 210 000 | 98 500 |\n" \
           "| Angers | 110 300 | 52 100 |" in paras
    assert "| | 2023 | 2024 |\n|---|---|---|\n| Recettes | 12,1 | 13,4 |\n| Dépenses | 11,8 | 12,9 |" in paras
    assert "Le taux de participation atteint 46 %. Il était de 41 % en 2019." in paras  # prose, not cells
    menu = clean("Accueil | Actualités | Sport | Loisirs\nSe connecter | S'abonner\n\n"
                 "Le conseil municipal a voté jeudi le budget de la ville, par 33 voix contre 10.")
    assert menu.body == "Le conseil municipal a voté jeudi le budget de la ville, par 33 voix contre 10."


def test_html_table_is_kept():
    html = ("<html><body><nav><a href='/'>Accueil</a> <a href='/eco'>Économie</a></nav><article>"
            "<h1>Les prix agricoles reculent encore au troisième trimestre</h1>"
            "<p>Le prix du blé tendre a baissé de 14 % au troisième trimestre, selon l'observatoire régional des "
            "prix agricoles, qui publiait mardi sa note de conjoncture trimestrielle.</p>"
            "<table><tr><th>Produit</th><th>Prix</th><th>Variation</th></tr>"
            "<tr><td>Blé tendre</td><td>196</td><td>-14 %</td></tr>"
            "<tr><td>Maïs grain</td><td>189</td><td>-12 %</td></tr></table>"
            "<p>Les producteurs de lait réclament au moins 480 euros les 1 000 litres, a indiqué lundi la "
            "coopérative, premier collecteur de la région.</p></article></body></html>")
    src = clean(html)
    assert ("| Produit | Prix | Variation |\n|---|---|---|\n| Blé tendre | 196 | -14 % |\n"
            "| Maïs grain | 189 | -12 % |") in src.body.split("\n\n")
    assert not any(r.text in ("196", "Blé tendre") for r in src.removed)


# ---- the labelled set: every fact survives, no chrome leaks ----

DATASET = ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl"


@functools.cache
def records() -> dict[str, Record]:
    return {r.id: r for r in load_jsonl(DATASET)}


def record(record_id: str) -> Record:
    return records()[record_id]


@functools.cache
def cleaned(record_id: str) -> Source:
    return clean(record(record_id).source, name=record_id)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", fold(normalise(text)))


def test_labelled_set_has_60_records():
    assert len(records()) == 60


@pytest.mark.parametrize("record_id", sorted(records()))
def test_every_labelled_fact_is_in_the_body(record_id):
    """The labels are facts of the story written as in the source, so each must survive cleaning."""
    rec, src = record(record_id), cleaned(record_id)
    body = _squeeze(src.body)
    lost = [f"{kind}: {fact}" for kind, fact in rec.facts.flat() if _squeeze(fact) not in body]
    assert not lost, f"{record_id}: labelled facts missing from the body: {lost}"
    if rec.instruction:
        assert _squeeze(rec.instruction) not in body
    assert src.instruction == rec.instruction
    assert src.targets == rec.targets


# Lines of page chrome that leaked into bodies before (site names, account and subscription prompts,
# cookie headings, menus, reading times, share bars, newsletters, comment widgets and readers'
# comments, other stories' headlines, footers). None is in any gold article or label.
CHROME = [
    "MONDE EXPRESS", "ORBITE MAG", "SORTIR À VAUCLERC", "L'Écho de la Brenne", "Le Réveil du Périgord Vert",
    "S'abonner", "Se connecter", "Connexion |", "Mon compte", "Abonnement 1 €", "ABONNEZ-VOUS", "Déjà abonné",
    "Nous respectons votre vie privée", "Gestion de vos préférences", "cookies",
    "Rechercher", "ACTUALITÉ", "EN DIRECT", "Économie > Entreprises", "Culture > Festivals", "Accueil",
    "Par la rédaction", "Par Orbite Mag", "Le 18/09 à 06h00", "min de lecture", "Lecture 4 min", "Temps de lecture",
    "Partager", "Facebook", "Twitter", "Imprimer", "Copier le lien", "Newsletter", "newsletter", "S'inscrire",
    "Je m'inscris", "Votre e-mail", "Votre adresse e-mail", "Publicité", "PUBLICITÉ", "Sponsorisé",
    "commentaire", "Commentaires", "Réagir à cet article", "Connectez-vous", "pour commenter", "JuraLibre39",
    "Pragmatique ·", "Abeille46", "Le_Causse", "Jeanjacques24", "Marie-Lou :", "TrailDu12", "Randonneuse48",
    "Jeanmi :",
    "Lire aussi", "À voir aussi", "Les plus lus", "Les plus partagés", "Vous aimerez aussi", "Sur le même sujet",
    "Un camping-car prend feu", "Prix des carburants", "Pontarlier", "des orages attendus sur tout le Sud-Ouest",
    "le derby du Quercy", "VIDÉO.", "Deux blessés dans un accident", "Une nouvelle boulangerie ouvre",
    "la route de Brantôme", "Un nouveau directeur pour l'office", "Voiture électrique", "Il y a 50 ans",
    "les peintres de la vallée", "le ciné-club fête", "orages attendus ce week-end",
    "les prix repartent à la hausse",
    "Tous droits réservés", "Mentions légales", "Source link",
]
SECTION_LABELS = ["Immobilier", "Expositions", "Faits divers", "International", "Espace"]  # above the headline


def test_no_page_chrome_in_any_body():
    story = [r.gold.markdown + "\n".join(f for _, f in r.facts.flat()) for r in records().values()]
    assert not [c for c in CHROME if any(c in s for s in story)], "a chrome string is story text after all"
    leaked = {rid: [c for c in CHROME if c in cleaned(rid).body] for rid in records()}
    assert not {rid: c for rid, c in leaked.items() if c}
    labels = {rid: [s for s in SECTION_LABELS if s in cleaned(rid).body.split("\n\n")] for rid in records()}
    assert not {rid: s for rid, s in labels.items() if s}


CHROME_KINDS = [
    ("international-a06", "masthead", "MONDE EXPRESS"),
    ("international-a06", "masthead", "International"),
    ("international-a06", "subscription", "S'abonner | Se connecter"),
    ("local-b10", "subscription", "ABONNEZ-VOUS pour lire la suite - Déjà abonné ? Connectez-vous"),
    ("faits-divers-d14", "share", "Partager : Facebook Twitter Mail Imprimer"),
    ("faits-divers-d14", "newsletter", "Newsletter Faits divers — Chaque soir, l'essentiel de l'actualité de votre "
                                       "département. Je m'inscris"),
    ("faits-divers-d14", "comments", "Abeille46 — Quelle honte, courage à lui"),
    ("faits-divers-d14", "cookie_banner", "Gestion de vos préférences"),
    ("economie-d05", "comments", "Bravo à eux, c'est ça le vrai made in Jura"),  # under "JuraLibre39 · il y a 3 h"
    ("economie-d05", "footer",
     "Mentions légales · Politique de confidentialité · Gérer mes cookies · Nous contacter"),
    ("economie-d05", "navigation", "Économie > Entreprises"),
    ("economie-b02", "teaser", "2. Un camping-car prend feu sur l'aire de repos de la RN 43"),
    ("sport-d10", "navigation", "EN DIRECT | Tennis : le tableau final du tournoi de Lyon | Rugby : les "
                                "compositions du week-end | Cyclisme : le parcours du Tour dévoilé"),
    ("sport-d10", "advert", "Sponsorisé · Découvrez nos offres de voyage dans les Pyrénées"),
    ("sport-d10", "byline", "Lecture 4 min."),
    ("science-c11", "masthead", "ORBITE MAG"),
    ("science-c11", "newsletter", "[ Votre adresse e-mail ] [ OK ]"),
    ("local-b10", "navigation", "ACTUALITÉ | POLITIQUE | ÉCONOMIE | CULTURE | SPORTS | AVIS DE DÉCÈS"),
]


@pytest.mark.parametrize("record_id, kind, text", CHROME_KINDS,
                         ids=[f"{rid}-{kind}-{n}" for n, (rid, kind, _) in enumerate(CHROME_KINDS)])
def test_chrome_is_removed_with_its_kind(record_id, kind, text):
    assert text in cleaned(record_id).removed_of(kind)


def test_story_resuming_after_a_list_of_linked_headlines_is_kept():
    """"Lire aussi :" and three headlines in one block, then the story again after a blank line."""
    src = cleaned("economie-b02")
    assert src.removed_of("teaser")[:3] == ["Ligue 2 : le FC Vaudrecourt recrute un attaquant venu de Belgique",
                                            "Marché de Noël : les exposants devront s'inscrire avant le 15 octobre",
                                            "Météo : un week-end orageux attendu sur le département"]
    assert "Ouverte en 1962, la fonderie est le premier employeur privé de la commune" in src.body
    assert "La CGT appelle à un rassemblement devant les grilles de l'usine" in src.body


def test_dispatch_subheadings_in_capitals_are_kept():
    for rid, heading in [("economie-b05", "LA BOURSE SANCTIONNE"), ("politique-a03", "LACOMBE NE CONTESTERA PAS")]:
        assert heading in cleaned(rid).body.split("\n\n")
        assert cleaned(rid).removed == [] or all(r.kind in ("instruction", "trailer") for r in cleaned(rid).removed)


def test_glued_instruction_ending_in_subheadings_is_split():
    src = cleaned("science-c14")
    assert src.body.startswith("Une nouvelle espèce de coléoptère aveugle")
    assert src.targets.max_subheadings == 5
    assert any("glued" in w for w in src.warnings)


def test_ragged_markdown_table_stays_one_table():
    src = clean("Le budget a été voté jeudi soir par le conseil municipal de la ville.\n\n"
                "| Poste | Budget |\n|---|---|\n| Écoles | 14,8 M€ |\n| Voirie | 9,3 M€ | +1 % |\n")
    assert src.body.split("\n\n")[1] == ("| Poste | Budget | |\n|---|---|---|\n| Écoles | 14,8 M€ | |\n"
                                         "| Voirie | 9,3 M€ | +1 % |")


def test_comment_thread_needs_a_handle_or_a_stamp():
    thread = clean("Le maire a inauguré samedi la nouvelle médiathèque de la commune, en présence du préfet.\n\n"
                   "3 commentaires\nLolo_44 : enfin !\nMarc : il était temps\nVoir les 3 commentaires\n")
    assert thread.removed_of("comments") == ["3 commentaires", "Lolo_44 : enfin !", "Marc : il était temps",
                                             "Voir les 3 commentaires"]
    story = clean("12 commentaires\nRésultat : la quantité d'ordures a baissé de 31 % en un an dans la commune.\n"
                  "Le maire s'en félicite.")
    assert story.body.startswith("Résultat : la quantité d'ordures a baissé de 31 %")


def test_package_exports_its_public_api():
    import redac.sources as pkg

    assert sorted(pkg.__all__) == sorted(set(pkg.__all__))
    assert all(hasattr(pkg, name) and not name.startswith("_") for name in pkg.__all__)
