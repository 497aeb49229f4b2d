// Runs the real Yoast SEO analysis (npm package yoastseo, pinned in package.json) on a list of papers.
// Usage: node run_yoast.js papers.json > results.json
// Each paper: {id, html, keyword, title, description, slug, locale, titleWidth, analyses}; analyses is
// a subset of ["seo", "readability"] (default both). Prints, per paper, the SEO assessor's and the
// content (readability) assessor's overall score and each assessment's identifier, score and text
// (HTML tags stripped). titleWidth is the SEO title's width in pixels: Yoast measures it in the
// browser, so the caller supplies it.
"use strict";
const fs = require("fs");
const { Paper, SeoAssessor, ContentAssessor } = require("yoastseo");
const FrenchResearcher = require("yoastseo/build/languageProcessing/languages/fr/Researcher").default;

const strip = (text) => (text || "").replace(/<[^>]+>/g, "");

function run(assessor, paper) {
    assessor.assess(paper);
    const results = assessor.getValidResults();
    const aggregator = assessor.getScoreAggregator();
    if (aggregator.setLocale) {
        aggregator.setLocale(paper.getLocale());
    }
    return {
        score: aggregator.aggregate(results),
        assessments: results.map((r) => ({ id: r.getIdentifier(), score: r.getScore(), text: strip(r.getText()) })),
    };
}

function analyse(input) {
    const paper = new Paper(input.html, {
        keyword: input.keyword || "",
        title: input.title || "",
        titleWidth: input.titleWidth || 0,
        description: input.description || "",
        slug: input.slug || "",
        locale: input.locale || "fr_FR",
    });
    const analyses = input.analyses || ["seo", "readability"];
    const out = { id: input.id };
    if (analyses.includes("seo")) {
        out.seo = run(new SeoAssessor(new FrenchResearcher(paper)), paper);
    }
    if (analyses.includes("readability")) {
        out.readability = run(new ContentAssessor(new FrenchResearcher(paper)), paper);
    }
    return out;
}

const papers = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
process.stdout.write(JSON.stringify(papers.map(analyse), null, 1) + "\n");
