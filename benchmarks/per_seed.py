"""The paper's per-seed work (train, brute force, prove and check every strategy), now against before, in one process.

  before  the pipeline as it was when the study was first estimated at ~90 min (commit BASELINE_COMMIT, loaded from
          git history as a separate package): training, brute force, and proving + checking cubic and a sample of
          the subcubic variants, scaled to all 100
  now     this checkout: training, brute force, cubic and all 100 subcubic variants proved and checked one after
          another in one process (what one `mechproof sweep` worker does per seed)

Prints CPU seconds per stage for both (the machine may be shared: CPU time is the steadier measure), their ratio,
and the study's projected wall time on 2 cores (151 seeds, two workers). The issue's target: ≤ 16 s per seed per
core (the whole study in ≤ 20 min on 2 cores), 4.5× less than before.

Usage: python benchmarks/per_seed.py [--seed 50] [--sample 10]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, as a sweep worker

import argparse  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

BASELINE_COMMIT = "30b817d"  # the pipeline before issue 8's speed-ups (and before format version 2)
SEEDS, CORES = 151, 2
TARGET_PER_SEED = 16.0


def cpu(fn):  # noqa: ANN001, ANN201
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def baseline_package(tmp: Path) -> object | None:
    """The old python/mechproof tree as package `mechproof_before` (it uses relative imports only)."""
    try:
        blob = subprocess.run(["git", "-C", str(ROOT), "archive", BASELINE_COMMIT, "python/mechproof"], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(tmp)  # noqa: S202 - our own repository's history
    (tmp / "python" / "mechproof").rename(tmp / "python" / "mechproof_before")
    sys.path.insert(0, str(tmp / "python"))
    return importlib.import_module("mechproof_before")


def stages_now(seed: int, tmp: Path) -> dict[str, float]:
    from mechproof import weights as weights_io
    from mechproof.tasks.maxk.bruteforce import brute_force
    from mechproof.certify import build_certificate, write_proven
    from mechproof.config import ModelConfig, TrainConfig
    from mechproof.tasks.maxk.strategies import STRATEGIES
    from mechproof.tasks.maxk.training import train
    from mechproof.weights import from_torch

    cfg = ModelConfig()
    res, t_train = cpu(lambda: train(cfg, TrainConfig(seed=seed), progress=False))
    w = from_torch(cfg, res.model.named_tensors(), seed=seed)
    _, t_brute = cpu(lambda: brute_force(w, progress=False))
    weights_io.save(w, tmp / "weights.json")
    t_prove = t_check = 0.0
    names = [n for n in STRATEGIES if n == "cubic" or n.startswith("subcubic-")]
    for name in names:
        proof, t = cpu(lambda name=name: STRATEGIES[name].run(w))
        t_prove += t
        _, t = cpu(lambda proof=proof, name=name: write_proven(build_certificate(w, proof), tmp / f"{name}.json"))
        t_check += t
    return {"train": t_train, "brute": t_brute, "prove": t_prove, "check": t_check, "strategies": len(names)}


def stages_before(pkg: object, seed: int, sample: int, tmp: Path) -> dict[str, float]:
    mod = "mechproof_before"
    weights_io = importlib.import_module(f"{mod}.weights")
    brute_force = importlib.import_module(f"{mod}.bruteforce").brute_force
    certify = importlib.import_module(f"{mod}.certify")
    config = importlib.import_module(f"{mod}.config")
    strategies = importlib.import_module(f"{mod}.strategies").STRATEGIES
    train = importlib.import_module(f"{mod}.training").train

    cfg = config.ModelConfig()
    res, t_train = cpu(lambda: train(cfg, config.TrainConfig(seed=seed), progress=False))
    w = weights_io.from_torch(cfg, res.model.named_tensors(), seed=seed)
    _, t_brute = cpu(lambda: brute_force(w, progress=False))
    weights_io.save(w, tmp / "weights.json")
    subcubic = [n for n in strategies if n.startswith("subcubic-")]
    chosen = subcubic[:: max(1, len(subcubic) // sample)][:sample]
    times = {}
    for name in ["cubic", *chosen]:
        proof, tp = cpu(lambda name=name: strategies[name].run(w))
        _, tc = cpu(lambda proof=proof, name=name: certify.write_proven(certify.build_certificate(w, proof), tmp / f"{name}.json"))
        times[name] = (tp, tc)
    scale = len(subcubic) / len(chosen)
    prove = times["cubic"][0] + scale * sum(times[n][0] for n in chosen)
    check = times["cubic"][1] + scale * sum(times[n][1] for n in chosen)
    return {"train": t_train, "brute": t_brute, "prove": prove, "check": check, "strategies": 1 + len(subcubic)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=50, help="a paper seed (default 50, the first of the 151)")
    ap.add_argument("--sample", type=int, default=10, help="subcubic variants timed for the baseline (scaled to 100)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        (tmp / "now").mkdir()
        (tmp / "before").mkdir()
        now = stages_now(args.seed, tmp / "now")
        pkg = baseline_package(tmp / "src")
        before = stages_before(pkg, args.seed, args.sample, tmp / "before") if pkg is not None else None
    rows = [("now", now)] + ([("before", before)] if before else [])
    print(f"seed {args.seed}: CPU seconds per stage (one core)")
    print(f"  {'':8s} {'train':>7s} {'brute':>7s} {'prove':>7s} {'check':>7s} {'total':>7s}")
    for label, st in rows:
        total = st["train"] + st["brute"] + st["prove"] + st["check"]
        print(f"  {label:8s} {st['train']:7.2f} {st['brute']:7.2f} {st['prove']:7.2f} {st['check']:7.2f} {total:7.2f}")
    total_now = sum(now[k] for k in ("train", "brute", "prove", "check"))
    study = total_now * SEEDS / CORES / 60
    print(f"  projected study: {SEEDS} seeds × {now['strategies'] + 1} rows on {CORES} cores ≈ {study:.1f} min "
          f"(target ≤ 20; per seed {total_now:.1f} s, target ≤ {TARGET_PER_SEED:.0f} s)")
    if before:
        total_before = sum(before[k] for k in ("train", "brute", "prove", "check"))
        print(f"  ratio now/before: {total_now / total_before:.3f} ({total_before / total_now:.1f}× faster; "
              f"the issue asks for ≥ 4.5×)")
    else:
        print("  before: unavailable (no git history)")


if __name__ == "__main__":
    main()
