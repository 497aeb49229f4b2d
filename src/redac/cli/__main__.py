"""``python -m redac.cli``: the same entry point as ``redac``."""

import sys

from redac.cli import main

sys.exit(main())
