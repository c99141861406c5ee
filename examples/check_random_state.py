#!/usr/bin/env python3
"""The checker's old name: it is now ``tools/rng_check.py``.

``python examples/check_random_state.py PATH...`` still runs it, with the
same arguments, findings and exit status.
"""

import runpy
import sys
from pathlib import Path

CHECKER = Path(__file__).resolve().parent.parent / "tools" / "rng_check.py"
sys.argv[0] = str(CHECKER)
runpy.run_path(str(CHECKER), run_name="__main__")
