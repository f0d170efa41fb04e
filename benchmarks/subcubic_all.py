"""All 100 subcubic variants of one model on one core, against the pre-speedup producer in the same process.

  baseline  the producer before the per-model cache and the float re-check (commit BASELINE_COMMIT, loaded from
            git history): a few variants, scaled to 100
  now       all 100 variants one after another from a cold cache (what `mechproof sweep` does per model)

Prints both totals (wall and CPU time: the machine may be shared), their CPU ratio (target ≤ TARGET_RATIO, and
≤ TARGET_SECONDS of CPU for the 100 variants of a V = 64, K = 4 model), the peak memory, and for the baseline's variants the certified counts side by side (now must be ≥ baseline).

Usage: python benchmarks/subcubic_all.py [--model certificates/seed42/weights.json] [--baseline N]
       python benchmarks/subcubic_all.py --model big.json --only subcubic-mx-avg-exact --baseline 0
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core: BLAS threads only contend on a busy machine

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

from mechproof import weights as weights_io  # noqa: E402
from mechproof.tasks.maxk.strategies.subcubic import VARIANTS, subcubic_proof  # noqa: E402
from mechproof.tasks.maxk.strategies.subcubic.shared import clear  # noqa: E402

BASELINE_COMMIT = "97b435e03134485bb97b6012dec4685055b28008"
BASELINE_PATH = "python/mechproof/strategies/subcubic.py"
TARGET_RATIO = 0.1
TARGET_SECONDS = 4.0


def baseline_module():  # noqa: ANN201
    """The old producer as module mechproof.strategies._subcubic_baseline (None without git history)."""
    try:
        src = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:{BASELINE_PATH}"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    name = "mechproof.strategies._subcubic_baseline"
    spec = importlib.util.spec_from_loader(name, loader=None)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    mod.__package__ = "mechproof.strategies"
    sys.modules[name] = mod  # dataclasses look their module up
    exec(compile(src, f"{BASELINE_COMMIT[:7]}:{BASELINE_PATH}", "exec"), mod.__dict__)  # noqa: S102
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / "certificates" / "seed42" / "weights.json"))
    ap.add_argument("--baseline", type=int, default=4, help="baseline variants to time (spread over the 100)")
    ap.add_argument("--only", default="", help="comma-separated variant keys instead of all 100")
    args = ap.parse_args()
    w = weights_io.load(args.model)
    cfg = w.cfg
    print(f"model {args.model}  V={cfg.d_vocab} n={cfg.n_ctx} d_model={cfg.d_model} d_head={cfg.d_head}")
    chosen = [v for v in VARIANTS if v.key in args.only.split(",")] if args.only else list(VARIANTS)

    clear()
    now: dict[str, int] = {}
    start, cpu = time.perf_counter(), time.process_time()
    for v in chosen:
        now[v.key] = subcubic_proof(w, v).correct
    t_now, c_now = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  now       {len(chosen):3d} variants {t_now:8.2f} s   (CPU {c_now:.2f} s; {t_now / len(chosen) * 1000:.1f} ms each; peak RSS {peak:.0f} MiB)")

    base = baseline_module() if args.baseline else None
    if base is None:
        if args.baseline:
            print("  baseline  unavailable (no git history)")
        return
    sample = chosen[:: max(1, len(chosen) // args.baseline)][: args.baseline]
    start, cpu = time.perf_counter(), time.process_time()
    old = {v.key: base.subcubic_proof(w, base.Variant(v.eupu, v.attention, v.qk)).correct for v in sample}
    scale = len(chosen) / len(sample)
    t_old, c_old = (time.perf_counter() - start) * scale, (time.process_time() - cpu) * scale
    print(f"  baseline  {len(chosen):3d} variants {t_old:8.2f} s   (CPU {c_old:.2f} s; estimated from {len(sample)})")
    ratio = c_now / c_old
    print(f"  ratio now/baseline (CPU) {ratio:.3f}  (target ≤ {TARGET_RATIO}: {'ok' if ratio <= TARGET_RATIO else 'MISSED'})")
    if len(chosen) == len(VARIANTS) and cfg.n_ctx == 4 and cfg.d_vocab == 64:
        print(f"  100 variants in {c_now:.2f} s CPU (target ≤ {TARGET_SECONDS} s: {'ok' if c_now <= TARGET_SECONDS else 'MISSED'})")
    for key, count in old.items():
        flag = "" if now[key] >= count else "   <-- WORSE"
        print(f"    {key:30s} baseline {count:12d}   now {now[key]:12d}{flag}")


if __name__ == "__main__":
    main()
