"""Brute force at K = 4 and K = 5: the filtered sound brute force against the previous dense pass.

The baseline is the previous implementation's float pass (mechproof before the filter, kept here verbatim in
spirit): for every input all V logits in float32, over a subset of the query tokens, scaled to all of them. It
is the cost of the old method without its exact settling (which is negligible), so the ratio is a slight
underestimate of the speed-up. Both run in this process with the same torch thread count (the filtered brute
force uses it as the number of single-threaded workers, one query each).

Usage: python benchmarks/bruteforce_scaling.py [--k5 models/k5-seed42.json] [--queries 4] [--threads 1]
Without --k5 the K = 5 model is trained first (k5 config, seed 42; about 10 s on one core).
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
from mechproof.tasks.maxk.bruteforce import FloatModel, brute_force  # noqa: E402
from mechproof.tasks.maxk.config import named_config  # noqa: E402
from mechproof.tasks.maxk.models import train_and_save  # noqa: E402


def dense_float_pass(w, queries: list[int]) -> int:  # noqa: ANN001
    """The previous brute force's float pass over the inputs with these query tokens: number proven right."""
    fm = FloatModel(w, "cpu")
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    L_tp = torch.tensor(fm.L_tp)
    eupu = torch.tensor(fm.eupu)
    idx = torch.arange(V)
    right = 0
    for q in queries:
        wq = torch.tensor(fm.tok_lo[q][:, None] * fm.pos_lo[q][None, :])
        A = (wq[:, :, None] * (L_tp + eupu[q][None, None, :])).float()
        Wt = wq.float()
        G_rest, W_rest, m_rest = A[q, n - 1][None, :], Wt[q, n - 1].reshape(1), torch.full((1,), q)
        for p in range(1, n - 1):
            G_rest = (G_rest[:, None, :] + A[:, p][None, :, :]).reshape(-1, V)
            W_rest = (W_rest[:, None] + Wt[:, p][None, :]).reshape(-1)
            m_rest = torch.maximum(m_rest[:, None], idx[None, :]).reshape(-1)
        for t0 in range(V):
            G = G_rest + A[t0, 0][None, :]
            W = W_rest + Wt[t0, 0]
            m = torch.clamp(m_rest, min=t0)
            Gm = G.gather(1, m[:, None])[:, 0]
            G.scatter_(1, m[:, None], -torch.inf)
            worst = (G.max(dim=1).values - Gm).double()
            right += int((worst < -(W.double() * (fm.eta * fm.B))).sum())
    return right


def timed(fn):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def compare(w, n_queries: int, label: str) -> None:  # noqa: ANN001
    V = w.cfg.d_vocab
    queries = list(range(V - 1, -1, -max(1, V // n_queries)))[:n_queries]  # spread over small and large q
    base, t_base = timed(lambda: dense_float_pass(w, queries))
    part, t_part = timed(lambda: brute_force(w, progress=False, queries=queries))
    full, t_full = timed(lambda: brute_force(w, progress=False))
    scaled = t_base * V / len(queries)
    print(f"{label}: {full.correct}/{full.total} = {full.accuracy:.6f} right (filter left {full.full_pass}, "
          f"settled {full.undecided_by_float}, ties {full.unresolved})")
    print(f"  previous dense pass, {len(queries)}/{V} queries: {t_base:8.2f} s  (float-proven right {base}; "
          f"filtered path on the same queries: {part.correct}, {t_part:.2f} s)")
    print(f"  previous dense pass, scaled to all queries: {scaled:8.2f} s")
    print(f"  filtered brute force, all inputs:           {t_full:8.2f} s   ratio {t_full / scaled:6.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--k4", default=str(ROOT / "certificates" / "seed42" / "weights.json"))
    ap.add_argument("--k5", default=None, help="a k5 weights file (default: train k5 seed 42 first)")
    ap.add_argument("--queries", type=int, default=4, help="query tokens the dense baseline runs on at K = 5")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch threads: {torch.get_num_threads()}")
    compare(weights_io.load(args.k4), 64, "K = 4")
    if args.k5:
        w5 = weights_io.load(args.k5)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            w5, secs = train_and_save(42, Path(tmp) / "k5-seed42.json", cfg=named_config("k5"), progress=False)
        print(f"trained k5 seed 42 in {secs:.1f} s")
    compare(w5, args.queries, "K = 5")


if __name__ == "__main__":
    main()
