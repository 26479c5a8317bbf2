"""`python -m sim`: the command line (sim/cli/main.py)."""

import sys

from sim.cli.main import main

sys.exit(main())
