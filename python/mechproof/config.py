"""Model and training configuration.

`ModelConfig` is Max-of-K's configuration and the base class of every task's (tasks/induction/config.py); its
defaults are the paper's Max-of-4 setup (docs/paper.md §1–§2). Everything downstream reads shapes from a
`ModelConfig`, so a different vocabulary, context length or width only needs a different config. The named
Max-of-K configurations are in tasks/maxk/config.py.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ModelConfig(BaseModel):
    """One-layer, one-head, attention-only transformer without LayerNorm or biases."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    task: ClassVar[str] = "maxk"
    """The task this configuration belongs to (a weights or certificate file names it, docs §1, §3)."""

    d_vocab: int = Field(64, ge=2, le=4096, description="number of tokens (and of output logits)")
    n_ctx: int = Field(4, ge=2, le=64, description="sequence length K; the answer is read at position K-1")
    d_model: int = Field(32, ge=1, le=1024)
    d_head: int = Field(32, ge=1, le=1024)

    @property
    def n_inputs(self) -> int:
        """How many distinct inputs the model has: d_vocab ** n_ctx."""
        return self.d_vocab**self.n_ctx

    def tensor_shapes(self) -> dict[str, tuple[int, ...]]:
        """TransformerLens names and shapes of every parameter (one head)."""
        v, n, d, h = self.d_vocab, self.n_ctx, self.d_model, self.d_head
        return {
            "W_E": (v, d),
            "W_pos": (n, d),
            "W_Q": (1, d, h),
            "W_K": (1, d, h),
            "W_V": (1, d, h),
            "W_O": (1, h, d),
            "W_U": (d, v),
        }


class TrainConfig(BaseModel):
    """The paper's training recipe: online uniform sequences, AdamW, loss at the last position."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = Field(42, ge=0)
    steps: int = Field(3000, ge=1)
    batch_size: int = Field(128, ge=1)
    lr: float = Field(1e-3, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    beta1: float = 0.9
    beta2: float = 0.999

    @model_validator(mode="after")
    def _betas(self) -> "TrainConfig":
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ValueError("betas must lie in [0, 1)")
        return self


def config_from_file(doc: object, path: object = None, field: str = "config", cls: type[ModelConfig] = ModelConfig) -> ModelConfig:
    """The `config` object of a weights or certificate file, read strictly (docs/certificate.md §10): exactly the
    four keys, each a JSON integer (no bools, decimals or strings), no defaults filled in. `cls` is the task's
    configuration class (ModelConfig for Max-of-K)."""
    from .errors import InputError

    keys = tuple(cls.model_fields)
    if not isinstance(doc, dict):
        raise InputError(path, field, f"expected an object with the integer keys {list(keys)}")
    missing = [k for k in keys if k not in doc]
    extra = sorted(set(doc) - set(keys))
    if missing or extra:
        raise InputError(path, field, f"expected exactly the keys {list(keys)}; missing {missing}, unknown {extra}")
    for k in keys:
        v = doc[k]
        if not isinstance(v, int) or isinstance(v, bool):
            raise InputError(path, f"{field}.{k}", f"expected a JSON integer, got {type(v).__name__}")
    try:
        return cls(**doc)
    except ValueError as e:  # pydantic.ValidationError: a value out of range
        err = e.errors()[0] if hasattr(e, "errors") else {"loc": (), "msg": str(e)}
        loc = ".".join(str(x) for x in err["loc"])
        raise InputError(path, f"{field}.{loc}" if loc else field, err["msg"]) from None
