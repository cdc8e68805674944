"""``python -m jupyter_mlstudio.debugger.rules``: a rule evaluation job (:mod:`.evaluate`)."""

import sys

from .evaluate import main

sys.exit(main())
