"""Quick checks for one or more hand-written pairs: python check_pair.py pairs/<id> [...]

Each pair folder holds source.txt (raw, as received), gold.md (front matter + Markdown) and labels.yaml.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from redac.article import Article
from redac.text import count_words, fold


def check(folder: Path) -> list[str]:
    problems: list[str] = []
    source = (folder / "source.txt").read_text(encoding="utf-8")
    gold = Article.read(folder / "gold.md")
    labels = yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8")) or {}
    targets = labels.get("targets") or {}
    min_words = int(targets.get("min_words", 700))
    h = gold.headings
    h1 = [x for x in h if x.level == 1]
    h2 = [x for x in h if x.level == 2]
    kp = fold(gold.keyphrase)
    first_para = next((p for p in gold.body_text.split("\n\n") if p.strip()), "")
    checks = [
        (gold.word_count >= min_words, f"gold has {gold.word_count} words < {min_words}"),
        (len(h1) == 1 and h[0].level == 1, "gold must start with exactly one '# title' H1"),
        (len(h2) >= int(targets.get("min_subheadings", 3)), f"only {len(h2)} H2"),
        (targets.get("max_subheadings") is None or len(h2) + len([x for x in h if x.level == 3]) <= targets["max_subheadings"],
         "more subheadings than max_subheadings"),
        (len(gold.title) <= 60, f"title is {len(gold.title)} chars > 60"),
        (120 <= len(gold.meta_description) <= 156, f"meta_description is {len(gold.meta_description)} chars, need 120-156"),
        (1 <= len(gold.keyphrase.split()) <= 4, "keyphrase must be 1-4 words"),
        (kp in fold(gold.title), "keyphrase not in title"),
        (kp in fold(gold.meta_description), "keyphrase not in meta_description"),
        (gold.slug and all(w in gold.slug for w in fold(gold.keyphrase).replace("'", " ").split() if len(w) > 2),
         "slug must contain the keyphrase words"),
        (kp in fold(first_para), "keyphrase not in first paragraph"),
        (any(kp in fold(x.text) for x in h if x.level in (2, 3)), "keyphrase in no H2/H3"),
        (h1 and h1[0].text == gold.title, "H1 text must equal the front-matter title"),
    ]
    problems += [msg for ok, msg in checks if not ok]
    facts = labels.get("facts") or {}
    for kind in ("entities", "numbers", "dates", "quotes"):
        for fact in facts.get(kind) or []:
            if fold(fact) not in fold(source):
                problems.append(f"{kind}: {fact!r} not found verbatim in source.txt")
            if fold(fact) not in fold(gold.markdown):
                problems.append(f"{kind}: {fact!r} not found verbatim in gold.md")
    for key in ("facts", "tags"):
        if key not in labels:
            problems.append(f"labels.yaml: missing {key}")
    if count_words(source) < 80:
        problems.append("source shorter than 80 words")
    return problems


if __name__ == "__main__":
    bad = 0
    for arg in sys.argv[1:]:
        problems = check(Path(arg))
        bad += bool(problems)
        print(f"{arg}: {'OK' if not problems else ''}")
        for p in problems:
            print(f"  - {p}")
    sys.exit(1 if bad else 0)
