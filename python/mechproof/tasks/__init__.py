"""Tasks: each a package with its configuration, model, training, brute force, strategies and checker rules.

Max-of-K is the original task (its modules still live at the package's top level); `induction` is the two-layer
induction head (tasks/induction/). Files name their task (weights version 2, certificates version 3); version-1
weights and version-1/2 certificates are Max-of-K. This module maps a task name to its configuration class
without importing any task's heavy modules.

A task package provides (tasks/induction/ as the example):

* `config`: its ModelConfig subclass (with the ClassVar `task` and `n_inputs`, `tensor_shapes()` in payload
  order), named configurations `CONFIGS`, the models of the results table `SEEDS`, and its training recipe;
* `model`, `training.train(cfg, train_cfg)`, `models.load_or_train(name)`: the torch model, deterministic training
  and the model store;
* `space`: the input numbering (a bijection onto 0 … n_inputs − 1: `encode`, `decode`, vectorized `index_of`,
  `tokens_of`) used by the `residual` and `wrong` lists;
* `bruteforce.brute_force(w, workers)` and `estimate_accuracy(w, samples)`: sound ground truth;
* `strategies.STRATEGIES` and `prove(w, name, …)` → mechproof.strategies.ProofOutput;
* `schema.CLAIM_SCHEMAS`, `PARAM_SCHEMAS` (read by mechproof.certificate for a certificate of the task), and
  its checker entry point (`checker.check_induction(cert, claims, w, path)` → (inputs proven right, inputs
  proven wrong or None)), which
  mechproof.checker.check calls for a certificate of the task;
* `results`: the results-table rows of a model (and, for induction, `study`: the committed rows of
  results/induction/ and the table rebuilt from them).
"""

from __future__ import annotations

from ..config import ModelConfig

MAXK = "maxk"
INDUCTION = "induction"
TASKS = (MAXK, INDUCTION)


def config_class(task: str) -> type[ModelConfig]:
    """The configuration class of a task (KeyError for an unknown task)."""
    if task == MAXK:
        return ModelConfig
    if task == INDUCTION:
        from .induction.config import InductionConfig

        return InductionConfig
    raise KeyError(task)
