"""The two-layer induction transformer in plain torch, with TransformerLens parameter names and shapes.

r0[p] = W_E[x_p] + W_pos[p]; layer 1 is causal self-attention over every position, r1 = r0 + attn1(r0); layer 2
attends from the last position only, over every position of r1: r2 = r1[n−1] + attn2; logits = r2 · W_U.
Scores are divided by √d_head. Only the last position's logits are used.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .config import N_LAYERS, InductionConfig


class InductionTransformer(nn.Module):
    def __init__(self, cfg: InductionConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.params = nn.ParameterDict(
            {name.replace(".", "_"): nn.Parameter(torch.zeros(shape)) for name, shape in cfg.tensor_shapes().items()}
        )

    def tensor(self, name: str) -> torch.Tensor:
        return self.params[name.replace(".", "_")]

    def init_weights(self, generator: torch.Generator) -> None:
        """Every matrix ~ N(0, 1/rows), rows = its input dimension, drawn in payload order."""
        with torch.no_grad():
            for name, shape in self.cfg.tensor_shapes().items():
                self.tensor(name).normal_(0.0, 1.0 / math.sqrt(shape[-2]), generator=generator)

    def layer(self, i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        return tuple(self.tensor(f"blocks.{i}.attn.W_{x}")[0] for x in "QKVO")  # type: ignore[return-value]

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens [batch, n_ctx] (int64) → last-position logits [batch, d_vocab]."""
        scale = 1.0 / math.sqrt(self.cfg.d_head)
        n = tokens.shape[1]
        r0 = self.tensor("W_E")[tokens] + self.tensor("W_pos")  # [b, n, d]
        Q, K, V, O = self.layer(0)
        scores = (r0 @ Q) @ (r0 @ K).transpose(1, 2) * scale  # [b, query p, key l]
        causal = torch.ones(n, n, dtype=torch.bool, device=tokens.device).tril()
        attn = torch.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1)
        r1 = r0 + (attn @ (r0 @ V)) @ O
        Q, K, V, O = self.layer(N_LAYERS - 1)
        query = r1[:, -1, :] @ Q  # [b, h]
        s2 = torch.einsum("bh,bnh->bn", query, r1 @ K) * scale
        a2 = torch.softmax(s2, dim=-1)
        r2 = r1[:, -1, :] + torch.einsum("bn,bnh->bh", a2, r1 @ V) @ O
        return r2 @ self.tensor("W_U")

    def named_tensors(self) -> dict[str, torch.Tensor]:
        """Parameters by TransformerLens name, detached float32 copies."""
        return {name: self.tensor(name).detach().clone() for name in self.cfg.tensor_shapes()}

    @classmethod
    def from_tensors(cls, cfg: InductionConfig, tensors: dict[str, torch.Tensor]) -> "InductionTransformer":
        model = cls(cfg)
        with torch.no_grad():
            for name, value in tensors.items():
                model.tensor(name).copy_(value)
        return model
