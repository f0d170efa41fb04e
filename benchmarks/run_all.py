"""mechproof benchmarks: each timing is printed next to a baseline run in the same process, as a ratio.

  brute force   sound brute force  vs  a plain float32 batched forward pass of the torch model over the
                same inputs (TransformerLens style; the paper's ~33 s): the cost (or gain) of soundness
  cubic         sound cubic proof  vs  the same algorithm in plain float64 (no rounding control)
  cubic+residual  the exact accuracy (cubic + every other input decided one by one)  vs  the cubic proof
  scale         (--scale) sound cubic proof on a trained V=128, n=10 model  vs  plain float64 cubic on it
  check         independent exact check of the cubic certificate  vs  producing it
  subcubic      each selected subcubic variant (proof + exact check)  vs  the cubic proof
  training      one model (3000 steps)  vs  the float32 forward baseline

Usage: python benchmarks/run_all.py [--model certificates/seed42/weights.json] [--quick] [--subcubic N] [--scale]
--quick runs the float32 baseline on 1/16 of the inputs and scales it (the ratio is then an estimate).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

import torch  # noqa: E402

from mechproof import weights as weights_io  # noqa: E402
from mechproof.certificate import dumps_certificate  # noqa: E402
from mechproof.certify import build_certificate, write_proven  # noqa: E402
from mechproof.config import ModelConfig, TrainConfig  # noqa: E402
from mechproof.tasks.maxk.bruteforce import brute_force  # noqa: E402
from mechproof.tasks.maxk.model import MaxOfKTransformer  # noqa: E402
from mechproof.tasks.maxk.strategies import STRATEGIES  # noqa: E402
from mechproof.tasks.maxk.strategies.cubic import cubic_float64_count, cubic_proof  # noqa: E402
from mechproof.tasks.maxk.training import train  # noqa: E402
from mechproof.weights import from_torch  # noqa: E402


def timed(fn):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def float32_forward_seconds(w, fraction: int) -> tuple[float, int]:  # noqa: ANN001
    """Plain batched float32 forward over all inputs (or 1/fraction of them, scaled up)."""
    model = MaxOfKTransformer.from_tensors(w.cfg, w.to_torch())
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    total = V**n
    count = total // fraction
    correct = 0
    start = time.perf_counter()
    with torch.no_grad():
        for lo in range(0, count, 1 << 16):
            idx = torch.arange(lo, min(lo + (1 << 16), count))
            tokens = torch.stack([(idx // V**p) % V for p in range(n)], dim=1)  # position 0 least significant
            correct += int((model(tokens).argmax(1) == tokens.max(1).values).sum())
    return (time.perf_counter() - start) * fraction, correct


def row(name: str, seconds: float, base_name: str, base: float) -> None:
    print(f"  {name:<38} {seconds:9.3f} s   {base_name:<30} {base:9.3f} s   ratio {seconds / base:7.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / "certificates" / "seed42" / "weights.json"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--subcubic", type=int, default=4, help="how many subcubic variants to time (0..100)")
    ap.add_argument("--scale", action="store_true", help="also train a V=128, n=10 model and time the cubic proof on it")
    args = ap.parse_args()
    w = weights_io.load(args.model)
    print(f"model {args.model}  (torch threads: {torch.get_num_threads()})")

    base, _ = float32_forward_seconds(w, 16 if args.quick else 1)
    bf, t_bf = timed(lambda: brute_force(w, progress=False))
    print("brute force")
    row(f"sound brute force ({bf.correct} right)", t_bf, "float32 forward (baseline)", base)

    print("cubic")
    proof, t_cubic = timed(lambda: cubic_proof(w))
    _, t_plain = timed(lambda: cubic_float64_count(w))
    row(f"sound cubic (bound {proof.correct / proof.total:.4f})", t_cubic, "plain float64 cubic", t_plain)
    with tempfile.TemporaryDirectory() as tmp:
        weights_io.save(w, Path(tmp) / "weights.json")
        cert = build_certificate(w, STRATEGIES["cubic"].run(w))
        _, t_check = write_proven(cert, Path(tmp) / "cubic.json")
    row("independent exact check of cubic", t_check, "sound cubic proof", t_cubic)
    if w.cfg.n_inputs <= 2**28:
        out, t_res = timed(lambda: STRATEGIES["cubic+residual"].run(w))
        size = len(dumps_certificate(build_certificate(w, out)).encode()) / 1e6
        row(f"cubic+residual ({out.correct}/{out.total}, {size:.1f} MB)", t_res, "sound cubic proof", t_cubic)
    if args.scale:
        print("scale")
        cfg = ModelConfig(d_vocab=128, n_ctx=10)
        big = from_torch(cfg, train(cfg, TrainConfig(seed=1), progress=False).model.named_tensors(), seed=1)
        big_proof, t_big = timed(lambda: cubic_proof(big))  # includes the exact matrices and exp enclosures
        _, t_big_plain = timed(lambda: cubic_float64_count(big))
        size = len(dumps_certificate(build_certificate(big, STRATEGIES["cubic"].run(big))).encode()) / 1e6
        row(f"sound cubic V=128 n=10 ({size:.1f} MB)", t_big, "plain float64 cubic", t_big_plain)

    names = [k for k in STRATEGIES if k.startswith("subcubic")]
    step = max(1, len(names) // max(1, args.subcubic)) if args.subcubic else len(names) + 1
    if args.subcubic:
        print("subcubic (proof + exact check)")
    for name in names[::step][: args.subcubic]:
        with tempfile.TemporaryDirectory() as tmp:
            weights_io.save(w, Path(tmp) / "weights.json")
            out, t_prove = timed(lambda: STRATEGIES[name].run(w))
            _, t_chk = write_proven(build_certificate(w, out), Path(tmp) / f"{out.file_stem}.json")
        row(f"{name} ({out.correct / out.total:.4f})", t_prove + t_chk, "sound cubic proof", t_cubic)

    print("training")
    _, t_train = timed(lambda: train(ModelConfig(), TrainConfig(seed=0), progress=False))
    row("train one model (3000 steps)", t_train, "float32 forward (baseline)", base)


if __name__ == "__main__":
    main()
