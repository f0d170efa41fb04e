"""Tiny induction models, their literal verdicts and their certificates, shared by the induction tests.

Models are built once per process (functools.cache); certificates are written into a folder the caller gives.
"""

from __future__ import annotations

import functools
from pathlib import Path

from induction_reference import all_inputs, tiny_model, verdict

from mechproof import weights as weights_io
from mechproof.certify import build_certificate, write_proven
from mechproof.tasks.induction.space import encode
from mechproof.tasks.induction.strategies import prove
from mechproof.weights import ExactWeights

TINY = dict(seed=1, steps=300, V=5, n=4)  # 120 inputs, 114 right
MID = dict(seed=3, steps=200, V=6, n=5)  # 1,080 inputs, about half right: every kind of claim occurs


@functools.cache
def model(kind: str = "tiny") -> ExactWeights:
    return tiny_model(**(TINY if kind == "tiny" else MID))


@functools.cache
def truth(kind: str = "tiny") -> dict[int, bool | None]:
    """The literal model's verdict for every input, by index (docs §11.1)."""
    w = model(kind)
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    return {encode(x, V): verdict(w, x) for x in all_inputs(V, n)}


def write(folder: Path, kind: str = "tiny", strategy: str = "windows", depth: int = 1, upper: bool = False) -> Path:
    """A checked certificate of the model, next to its weights.json."""
    w = model(kind)
    folder.mkdir(parents=True, exist_ok=True)
    weights_io.save(w, folder / "weights.json")
    proof = prove(w, strategy, depth, upper)
    path = folder / f"{proof.file_stem}.json"
    write_proven(build_certificate(w, proof), path)
    return path


def undelta(ds: list[int]) -> list[int]:
    """The input indices of a `residual`/`wrong` list from its deltas (docs §9: the first absolute, then gaps)."""
    out, x = [], 0
    for j, d in enumerate(ds):
        x = d if j == 0 else x + d
        out.append(x)
    return out
