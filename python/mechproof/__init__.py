"""mechproof: machine-checked accuracy lower bounds for Max-of-K transformers.

Pipeline: config → model → training → exact weights → strategies → certificate → checker → report.
"""

__version__ = "0.1.0"
