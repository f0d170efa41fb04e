"""`mechproof sweep`: run proof strategies on many seeds, keep only checked results, tabulate them.

For each seed: train the model (or reuse models/seed<N>.json), compute its exact brute-force accuracy, then for
each selected strategy prove a bound, keep the certificate under <out>/certificates/seed<N>/ only after the
independent checker has accepted it, and record one row (rows.py lists the columns and the folder layout).

Modules, by seam:

* select: which seeds and strategies, which torch device;
* rows: the row store (one atomic JSON file per row, keyed by weights SHA-256, strategy and certificate format
  version) and the table formats; folder: every row a folder holds (row files and earlier tables), the tables
  rebuilt from them and the folder's lock; timing: seconds per stage and per run;
* tasks: the per-seed work (model, brute force, prove + check), on this machine's disk or as plain data for
  other machines; ops: the brute-force proof length;
* runner: `run_sweep`, the progress bar, and the engines: engines.local (in process or a process pool) and
  engines.ray (a Ray cluster; imported only when asked for);
* merge: shards from several machines into one folder, every row re-checked before it is taken;
* paper: the paper's study, committed under results/paper-max4/, and the check of recomputed rows against it.

Resuming. Every finished (seed, strategy) is its own small file, written atomically, so an interrupted run
(Ctrl-C, a crash) leaves only complete rows and a rerun skips them, as it skips rows that only the folder's
tables hold (a committed results.csv): a sweep adds rows to a folder and never drops one (folder.py). A row is only valid for the model it was
computed on: a rerun that finds rows for a different model (say, models/ was retrained) refuses that seed
instead of mixing them. A strategy that fails (an exception, or a certificate the checker rejects) leaves
<out>/failures/seed<N>/<strategy>.json instead of a row and is retried next time.
"""

from __future__ import annotations

from .folder import build_tables, load_failures, load_rows, present_rows
from .merge import MergeSummary, merge_shards
from .ops import brute_force_ops, matrix_ops
from .rows import BRUTE, VOLATILE, differing_columns, failure_path, read_csv_table, row_key, row_path
from .runner import Engine, SweepSummary, pending_tasks, run_sweep
from .select import parse_seeds, resolve_device, select_strategies
from .tasks import SweepSpec

__all__ = [
    "BRUTE",
    "VOLATILE",
    "Engine",
    "MergeSummary",
    "SweepSpec",
    "SweepSummary",
    "brute_force_ops",
    "build_tables",
    "differing_columns",
    "failure_path",
    "load_failures",
    "load_rows",
    "matrix_ops",
    "merge_shards",
    "parse_seeds",
    "pending_tasks",
    "present_rows",
    "read_csv_table",
    "resolve_device",
    "row_key",
    "row_path",
    "run_sweep",
    "select_strategies",
]
