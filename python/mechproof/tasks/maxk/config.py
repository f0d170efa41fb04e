"""Max-of-K's named configurations (docs/paper.md §1) and the seeds of the paper's study (§2).

Its configuration class is the core's `ModelConfig` (mechproof.config), which every task's configuration extends.
"""

from __future__ import annotations

from ...config import ModelConfig


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
