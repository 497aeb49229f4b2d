// Writes the French word lists redac ports from yoastseo (GPL-3.0) as one JSON document on stdout.
// Usage: node export_wordlists.js > src/redac/resources/yoast/fr.json
// The agreement test re-runs it against the pinned package and checks the shipped file is identical.
"use strict";
const base = "yoastseo/build/languageProcessing/languages/fr/";
const functionWords = require(base + "config/functionWords");
const participles = require(base + "config/internal/exceptionsParticiplesActive");
const irregulars = require(base + "config/internal/passiveVoiceIrregulars");
const transliterations = require("yoastseo/build/config/getTransliterations.js").default("fr_FR");
const pkg = require("yoastseo/package.json");

const data = {
    source: `yoastseo ${pkg.version} (GPL-3.0), build/languageProcessing/languages/fr/ and build/config/getTransliterations.js`,
    function_words: functionWords.all,
    cannot_be_between_passive_auxiliary_and_participle: functionWords.cannotBeBetweenPassiveAuxiliaryAndParticiple,
    cannot_directly_precede_passive_participle: functionWords.cannotDirectlyPrecedePassiveParticiple,
    stop_words: require(base + "config/stopWords").default,
    transition_words: require(base + "config/transitionWords").default,
    two_part_transition_words: require(base + "config/twoPartTransitionWords").default,
    first_word_exceptions: require(base + "config/firstWordExceptions").default,
    passive_auxiliaries: require(base + "config/internal/passiveVoiceAuxiliaries").default,
    participles_irregular_regular: irregulars.irregularsRegular,
    participles_irregular_ending_in_s: irregulars.irregularsEndingInS,
    participles_irregular_irregular: irregulars.irregularsIrregular,
    participle_exceptions_adjectives_verbs: participles.adjectivesVerbs,
    participle_exceptions_nouns: participles.nouns,
    participle_exceptions_others: participles.others,
    transliterations: transliterations.map((t) => [JSON.parse(`"${t.letter.source.slice(1, -1)}"`), t.alternative]),
    syllables: require(base + "config/syllables.json"),
};
process.stdout.write(JSON.stringify(data, null, 0) + "\n");
