"""Deterministic training of the induction model on CPU (float32, one torch thread), like Max-of-K's.

The initial weights and the data stream come from two `torch.Generator`s seeded from the user's seed by SHA-256
(mechproof.training.derived_seed); training runs single-threaded with deterministic algorithms. The same seed
on the same machine gives byte-identical weights. The recipe (config.induction_train_config): Adam with
β = (0.9, 0.98), ε = 1e-8, lr 3e-3, decoupled weight decay 1e-4 (AdamW: p ← p − lr·wd·p), no schedule; batch 256,
6,000 steps of uniform random inputs; cross-entropy on the last position's logits against the answer x_{i+1}.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ...config import TrainConfig
from ...training import _deterministic, derived_seed
from .config import InductionConfig
from .model import InductionTransformer
from .space import answers, sample_batch


@dataclass(frozen=True)
class TrainResult:
    model: InductionTransformer
    final_loss: float
    final_batch_accuracy: float
    seconds: float


def train(cfg: InductionConfig, tcfg: TrainConfig) -> TrainResult:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with _deterministic():
            return _train(cfg, tcfg)
    finally:
        torch.set_num_threads(threads)


def _train(cfg: InductionConfig, tcfg: TrainConfig) -> TrainResult:
    start = time.perf_counter()
    model = InductionTransformer(cfg)
    model.init_weights(torch.Generator().manual_seed(derived_seed(tcfg.seed, "model")))
    data = torch.Generator().manual_seed(derived_seed(tcfg.seed, "data"))
    opt = torch.optim.AdamW(
        model.parameters(), lr=tcfg.lr, betas=(tcfg.beta1, tcfg.beta2), eps=1e-8, weight_decay=tcfg.weight_decay,
        foreach=True,
    )  # fmt: skip
    loss = torch.tensor(float("nan"))
    acc = float("nan")
    for step in range(tcfg.steps):
        tokens = sample_batch(cfg.d_vocab, cfg.n_ctx, tcfg.batch_size, data)
        labels = answers(tokens)
        logits = model(tokens)
        loss = F.cross_entropy(logits, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step == tcfg.steps - 1:
            acc = (logits.argmax(dim=1) == labels).float().mean().item()
    return TrainResult(model, float(loss.item()), acc, time.perf_counter() - start)
