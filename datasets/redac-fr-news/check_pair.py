"""Check hand-written pairs: python check_pair.py pairs/<id> [pairs/<id> ...]

Each pair folder holds source.txt (raw, as received), gold.md (front matter + Markdown) and
labels.yaml. This is a thin wrapper over :func:`redac.dataset.check_pair`, the same checks that
``redac data validate`` runs on the built JSONL: structure of the three files, schema, the gold
article's length/heading/SEO thresholds, every labelled fact verbatim (accent/case-folded) in the
source and in the gold, tags, and near-duplication of the source with the other pairs' sources.
Each problem is printed as ``file:line: field: message``; the exit code is 1 if any pair fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

from redac.dataset import check_pair, is_complete, pair_folders, read_pair


def _neighbours(pairs_dir: Path) -> list:
    """The complete, readable pairs of PAIRS_DIR (for the near-duplicate check)."""
    out = []
    for other in pair_folders(pairs_dir):
        if is_complete(other):
            try:
                out.append(read_pair(other))
            except Exception:  # a broken neighbour is reported when it is checked itself
                continue
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    bad = 0
    cache: dict[Path, list] = {}
    for arg in argv:
        folder = Path(arg)
        parent = folder.resolve().parent
        if parent not in cache:
            cache[parent] = _neighbours(parent) if parent.is_dir() else []
        others = [r for r in cache[parent] if r.id != folder.name]
        problems = check_pair(folder, others=others)
        bad += bool(problems)
        print(f"{arg}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
        for problem in problems:
            print(f"  - {problem}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
