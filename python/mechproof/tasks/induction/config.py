"""The induction task's configuration: vocabulary, context length and the two-layer model's widths.

The task (docs/certificate.md §11): tokens x_0 … x_{n−2} are distinct, the last token repeats an earlier one,
x_{n−1} = x_i with i ≤ n−3, and the answer is x_{i+1}. The model has two attention-only layers of one head each,
no LayerNorm, no MLP, no biases. `d_head` must be a power of 4, so that 1/√d_head = 2^−k is exact and every
attention score of layer 1 is an exact dyadic.
"""

from __future__ import annotations

import math
from typing import ClassVar

from pydantic import ConfigDict, Field, model_validator

from ...config import ModelConfig, TrainConfig

TASK = "induction"
N_LAYERS = 2


class InductionConfig(ModelConfig):
    """The four integers of a weights or certificate file's `config`; two layers are implied by the task."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    task: ClassVar[str] = TASK

    d_vocab: int = Field(16, ge=3, le=64, description="number of tokens (and of output logits)")
    n_ctx: int = Field(6, ge=3, le=16, description="sequence length n; the answer is read at position n−1")
    d_model: int = Field(32, ge=1, le=256)
    d_head: int = Field(16, ge=1, le=256, description="a power of 4: 1/√d_head is exact")

    @model_validator(mode="after")
    def _task_limits(self) -> "InductionConfig":
        if self.d_vocab < self.n_ctx - 1:
            raise ValueError(f"d_vocab must be at least n_ctx − 1 = {self.n_ctx - 1} (distinct tokens)")
        k = self.d_head.bit_length() - 1
        if self.d_head != 1 << k or k % 2:
            raise ValueError("d_head must be a power of 4 (1, 4, 16, 64, 256), so that 1/√d_head is exact")
        return self

    @property
    def inv_sqrt_log2(self) -> int:
        """k with 1/√d_head = 2^−k."""
        return (self.d_head.bit_length() - 1) // 2

    @property
    def n_inputs(self) -> int:
        """Distinct prefixes × match positions: V!/(V−n+1)! · (n−2)."""
        return math.perm(self.d_vocab, self.n_ctx - 1) * (self.n_ctx - 2)

    def tensor_shapes(self) -> dict[str, tuple[int, ...]]:
        """TransformerLens names and shapes of every parameter (one head per layer), in payload order."""
        v, n, d, h = self.d_vocab, self.n_ctx, self.d_model, self.d_head
        shapes: dict[str, tuple[int, ...]] = {"W_E": (v, d), "W_pos": (n, d)}
        for layer in range(N_LAYERS):
            shapes.update({
                f"blocks.{layer}.attn.W_Q": (1, d, h),
                f"blocks.{layer}.attn.W_K": (1, d, h),
                f"blocks.{layer}.attn.W_V": (1, d, h),
                f"blocks.{layer}.attn.W_O": (1, h, d),
            })  # fmt: skip
        shapes["W_U"] = (d, v)
        return shapes


def induction_train_config(seed: int = 0) -> TrainConfig:
    """The recipe: Adam β = (0.9, 0.98), ε = 1e-8, lr 3e-3, decoupled weight decay 1e-4, batch 256, 6,000
    steps, no schedule."""
    return TrainConfig(seed=seed, steps=6000, batch_size=256, lr=3e-3, weight_decay=1e-4, beta1=0.9, beta2=0.98)


CONFIGS: dict[str, InductionConfig] = {
    "ind6": InductionConfig(n_ctx=6),
    "ind8": InductionConfig(n_ctx=8),
    "ind10": InductionConfig(n_ctx=10),
}
"""Named configurations: V = 16, d_model 32, d_head 16, at n = 6, 8 and 10."""

SEEDS: dict[str, tuple[int, ...]] = {"ind6": tuple(range(7)), "ind8": (0,), "ind10": (0,)}
"""The models the results table covers: seeds 0–6 at n = 6, seed 0 at n = 8 and at n = 10."""


def config_from_doc(doc: object, path: object = None, field: str = "config") -> InductionConfig:
    """The `config` object of an induction weights or certificate file, read strictly (docs §10)."""
    from ...config import config_from_file

    return config_from_file(doc, path, field, cls=InductionConfig)  # type: ignore[return-value]
