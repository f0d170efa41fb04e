"""Model and training configuration.

The defaults are the paper's Max-of-4 setup (docs/paper.md §1–§2). Everything downstream reads shapes from a
`ModelConfig`, so a different vocabulary, context length or width only needs a different config.
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


CONFIGS: dict[str, ModelConfig] = {
    "k4": ModelConfig(),
    "k5": ModelConfig(n_ctx=5),
    "k10": ModelConfig(n_ctx=10),
    "k20": ModelConfig(n_ctx=20),
    "k10v128": ModelConfig(n_ctx=10, d_vocab=128),
    "k20v512": ModelConfig(n_ctx=20, d_vocab=512),
}
"""The paper's Max-of-K configurations by name (docs/paper.md §1): only n_ctx and d_vocab differ, and every one
is trained with the same `TrainConfig`. `k4` is the main study and the default everywhere."""

DEFAULT_CONFIG = "k4"


class UnknownConfig(ValueError):
    """A configuration name that is not in CONFIGS; the message lists the known names."""


def named_config(name: str) -> ModelConfig:
    """The ModelConfig called `name` (k4, k5, k10, k20, k10v128, k20v512)."""
    try:
        return CONFIGS[name]
    except KeyError:
        raise UnknownConfig(f"unknown configuration {name!r}; known: {', '.join(CONFIGS)}") from None


def config_name(cfg: ModelConfig) -> str | None:
    """The name of a configuration, or None if it is not one of CONFIGS (e.g. a small test model)."""
    return next((name for name, c in CONFIGS.items() if c == cfg), None)


PAPER_SEEDS: tuple[int, ...] = (
    50, 104, 123, 519, 742, 913, 1185, 1283, 1412, 1490, 1681, 1696, 1895, 1951, 2236, 2306, 2345, 2549, 2743,
    2773, 3175, 3254, 3284, 4157, 4305, 4430, 4647, 4729, 4800, 4810, 5358, 5615, 5781, 5928, 6082, 6155, 6159,
    6204, 6532, 6549, 6589, 6910, 7098, 7238, 7310, 7467, 7790, 7884, 8048, 8299, 8721, 8745, 8840, 8893, 9132,
    9134, 9504, 9816, 10248, 11124, 11130, 11498, 11598, 11611, 12141, 12287, 12457, 12493, 12552, 12561, 13036,
    13293, 13468, 13654, 13716, 14095, 14929, 15043, 15399, 15622, 15662, 16069, 16149, 16197, 16284, 17080,
    17096, 17194, 17197, 18146, 18289, 18668, 19004, 19093, 19451, 19488, 19538, 19917, 20013, 20294, 20338,
    20415, 20539, 20751, 20754, 20976, 21317, 21598, 22261, 22286, 22401, 22545, 23241, 23367, 23447, 23633,
    23696, 24144, 24173, 24202, 24262, 24438, 24566, 25516, 26278, 26374, 26829, 26932, 27300, 27484, 27584,
    27671, 27714, 28090, 28716, 28778, 29022, 29052, 29110, 29195, 29565, 29725, 29726, 30371, 30463, 30684,
    30899, 31308, 32103, 32374, 32382,
)
"""The 151 seeds of the paper's Max-of-4 study (docs/paper.md §2)."""


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
