"""Shared test setup: the repository paths every test module uses, the markers, and the LM fixtures.

``tests/`` is a package that mirrors ``src/redac/`` (``tests/lm/`` tests ``redac.lm``, and so on); tests
import helpers as ``tests.support.*`` and ``tests.fixtures.*`` and read data through the paths below,
so no test edits ``sys.path``. Real local servers, the embedded model and isolated cache folders are
fixtures in :mod:`tests.support.lm_servers`, registered here for every test.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]        # the repository
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"                          # the five real inputs, byte for byte (see SHA256SUMS)
DATASET_DIR = ROOT / "datasets" / "redac-fr-news"
DATASET = DATASET_DIR / "redac-fr-news.jsonl"

pytest_plugins = ["tests.support.lm_servers"]
