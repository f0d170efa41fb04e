"""The Max-of-K transformer in plain torch, with TransformerLens parameter names and shapes.

Only the logits at the last position are ever used (the readout), and under the causal mask the last position
attends to every position, so `forward` computes just that row: the same function as a TransformerLens
`HookedTransformer(attn_only, normalization_type=None)` with zero biases, at a fraction of the cost.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ...config import ModelConfig


class MaxOfKTransformer(nn.Module):
    """logits = (E[q] + P[K-1]) W_U + Σ_p a_p (E[t_p] + P[p]) W_V W_O W_U,  a = softmax(score / √d_head)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        shapes = cfg.tensor_shapes()
        self.W_E = nn.Parameter(torch.zeros(shapes["W_E"]))
        self.W_pos = nn.Parameter(torch.zeros(shapes["W_pos"]))
        self.W_Q = nn.Parameter(torch.zeros(shapes["W_Q"]))
        self.W_K = nn.Parameter(torch.zeros(shapes["W_K"]))
        self.W_V = nn.Parameter(torch.zeros(shapes["W_V"]))
        self.W_O = nn.Parameter(torch.zeros(shapes["W_O"]))
        self.W_U = nn.Parameter(torch.zeros(shapes["W_U"]))

    def init_weights(self, generator: torch.Generator) -> None:
        """TransformerLens' GPT-2 style init: every W_* ~ N(0, (0.8/√d_model)²), drawn in a fixed order."""
        std = 0.8 / math.sqrt(self.cfg.d_model)
        with torch.no_grad():
            for name in self.cfg.tensor_shapes():
                getattr(self, name).normal_(0.0, std, generator=generator)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens [batch, n_ctx] (int64) → last-position logits [batch, d_vocab]."""
        resid = self.W_E[tokens] + self.W_pos  # [b, n, d]
        query = resid[:, -1, :] @ self.W_Q[0]  # [b, h]
        keys = resid @ self.W_K[0]  # [b, n, h]
        scores = torch.einsum("bh,bnh->bn", query, keys) / math.sqrt(self.cfg.d_head)
        attn = torch.softmax(scores, dim=-1)
        values = resid @ self.W_V[0]  # [b, n, h]
        mixed = torch.einsum("bn,bnh->bh", attn, values) @ self.W_O[0]  # [b, d]
        return (resid[:, -1, :] + mixed) @ self.W_U

    def named_tensors(self) -> dict[str, torch.Tensor]:
        """Parameters by TransformerLens name, detached float32 copies."""
        return {name: getattr(self, name).detach().clone() for name in self.cfg.tensor_shapes()}

    @classmethod
    def from_tensors(cls, cfg: ModelConfig, tensors: dict[str, torch.Tensor]) -> "MaxOfKTransformer":
        model = cls(cfg)
        with torch.no_grad():
            for name, value in tensors.items():
                getattr(model, name).copy_(value)
        return model
