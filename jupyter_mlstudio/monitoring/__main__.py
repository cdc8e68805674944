"""``python -m jupyter_mlstudio.monitoring``: the analyzer (see :mod:`.program`)."""

from __future__ import annotations

import sys

from .program import main

if __name__ == "__main__":
    sys.exit(main())
