"""Tasks: each a package with its configuration, model, training, brute force, strategies and checker rules.

`maxk` is Max-of-K, the original task (tasks/maxk/); `induction` is the two-layer induction head
(tasks/induction/). Files name their task (weights version 2, certificates version 3); version-1 weights and
version-1/2 certificates are Max-of-K. This module maps a task name to its configuration class without importing
any task's heavy modules. What the tasks share (exact weights, model references, the certificate envelope, the
input lists, the checker's entry point and arithmetic, sweep, report, the command line, the proof-assistant
exporters) stays outside tasks/.

A task package provides (tasks/induction/ as the example; Max-of-K's differences in brackets):

* `config`: its ModelConfig subclass (with the ClassVar `task` and `n_inputs`, `tensor_shapes()` in payload
  order), named configurations `CONFIGS`, the models of the results table `SEEDS`, and its training recipe
  [maxk: its class is ModelConfig itself, the base of every task's; the paper's seeds `PAPER_SEEDS`; the recipe
  is TrainConfig's defaults];
* `model`, `training.train(cfg, train_cfg)`, `models.load_or_train(name)`: the torch model, deterministic training
  and the model store;
* `space`: the input numbering (a bijection onto 0 … n_inputs − 1: `encode`, `decode`, vectorized `index_of`,
  `tokens_of`) used by the `residual` and `wrong` lists [maxk: the default numbering x = Σ_p t_p·V^p,
  mechproof.checker.inputs.decode and bruteforce.input_index, input_tokens];
* `bruteforce.brute_force(w, workers)` and `estimate_accuracy(w, samples)`: sound ground truth [maxk:
  `estimate.estimate_accuracy`];
* `strategies.STRATEGIES` and `prove(w, name, …)` → mechproof.strategies.ProofOutput [maxk: each
  StrategyInfo's `run(w)`];
* `schema.CLAIM_SCHEMAS`, `PARAM_SCHEMAS` (read by mechproof.certificate for a certificate of the task), and
  its checker entry point (`checker.check_induction(cert, claims, w, path)` → (inputs proven right, inputs proven
  wrong or None); maxk: `checker.cubic.check_cubic`, `checker.subcubic.check_subcubic`), which
  mechproof.checker.check calls for a certificate of the task;
* `results`: the results-table rows of a model (and, for induction, `study`: the committed rows of
  results/induction/ and the table rebuilt from them) [maxk: the study is mechproof.sweep; `explain`, its slack
  maps].
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
