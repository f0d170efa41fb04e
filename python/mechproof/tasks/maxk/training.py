"""Deterministic training of a Max-of-K model on CPU (docs/paper.md §2), optionally on a GPU.

Determinism: the initial weights and the data stream come from two `torch.Generator`s whose seeds are derived
from the user's seed by SHA-256, training runs single-threaded with deterministic algorithms, and the loop has no
other source of randomness. The same seed on the same machine therefore gives byte-identical weights.

`device="cpu"` (the default) is the deterministic path above. `device="cuda"` draws the same initial weights and
the same data stream (both on the CPU, then moved), but the GPU's float reductions differ from the CPU's, so its
weights differ from the CPU-trained ones, and even run to run they are only as reproducible as cuBLAS/cuDNN make
them (deterministic algorithms are requested, with a warning instead of an error where none exists).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from tqdm import tqdm

from ...config import ModelConfig, TrainConfig
from ...training import _deterministic, derived_seed
from .model import MaxOfKTransformer


@dataclass(frozen=True)
class TrainResult:
    model: MaxOfKTransformer
    final_loss: float
    final_batch_accuracy: float
    seconds: float


def train(cfg: ModelConfig, tcfg: TrainConfig, progress: bool = True, device: str = "cpu") -> TrainResult:
    """Train one model: K uniform tokens per sample drawn online, cross-entropy on the last-position logits.

    `device` is a torch device ("cpu", "cuda", "cuda:1"). Only "cpu" is byte-for-byte deterministic (module
    docstring); the returned model is on the CPU either way.
    """
    dev = torch.device(device)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        if dev.type == "cpu":
            with _deterministic():
                return _train(cfg, tcfg, progress)
        # cuBLAS is deterministic only with a fixed workspace; this takes effect if cuBLAS is not initialised yet.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        with _deterministic(warn_only=True):
            return _train(cfg, tcfg, progress, dev)
    finally:
        torch.set_num_threads(threads)


def _train(cfg: ModelConfig, tcfg: TrainConfig, progress: bool, dev: torch.device | None = None) -> TrainResult:
    start = time.perf_counter()
    model = MaxOfKTransformer(cfg)
    model.init_weights(torch.Generator().manual_seed(derived_seed(tcfg.seed, "model")))
    if dev is not None:
        model.to(dev)
    data = torch.Generator().manual_seed(derived_seed(tcfg.seed, "data"))
    # foreach: one fused update over the seven tensors (25% less CPU per seed; the same bytes as the per-tensor
    # loop, which tests/test_training.py checks).
    opt = torch.optim.AdamW(
        model.parameters(), lr=tcfg.lr, betas=(tcfg.beta1, tcfg.beta2), weight_decay=tcfg.weight_decay, foreach=True
    )
    loss = torch.tensor(float("nan"))
    acc = float("nan")
    bar = tqdm(range(tcfg.steps), desc=f"train seed {tcfg.seed}", disable=not progress, unit="step")
    for step in bar:
        tokens = torch.randint(0, cfg.d_vocab, (tcfg.batch_size, cfg.n_ctx), generator=data)
        if dev is not None:
            tokens = tokens.to(dev)
        labels = tokens.max(dim=1).values
        logits = model(tokens)
        loss = F.cross_entropy(logits, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == tcfg.steps - 1:
            acc = (logits.argmax(dim=1) == labels).float().mean().item()
            bar.set_postfix(loss=f"{loss.item():.4f}", acc=f"{acc:.3f}")
    if dev is not None:
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        model.to("cpu")
    return TrainResult(model, float(loss.item()), acc, time.perf_counter() - start)
