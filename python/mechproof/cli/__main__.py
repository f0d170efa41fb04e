"""`python -m mechproof.cli`."""

import sys

from . import app

sys.exit(app())
