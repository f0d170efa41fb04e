"""Sound brute-force accuracy: the exact number of inputs (out of d_vocab^n_ctx) that the model gets right.

"The model" is the real-number function of the exact weights (paper-spec §1), with ties counted as wrong.

Method. With w_p = exp(score_p/√d_head) > 0 and L_j(t, p) = EUPU[q,j] + EVOU[t,j] + PVOU[p,j], the logits are
G_j / W with G_j = Σ_p w_p L_j(t_p, p) and W = Σ_p w_p, so an input with max token m is right iff
N_j = G_j − G_m < 0 for every j ≠ m. The bulk pass computes Ĝ in float (float32 by default) from
  * ŵ_p: a float within relative δ_w of the true w_p. It is the float64 product of points inside the float64
    enclosures of the exp claims (intervals.exp_claims), whose relative width is checked to be ≤ 2^-50, then
    rounded to the working type: δ_w ≤ 2·(2^-50 + 2^-52) + 2^-53 + u ≤ 2^-48 + u;
  * L̂: float sums of the float-rounded exact matrix entries.
Error analysis (u = unit roundoff of the float type, n = n_ctx, B = max_{q,t,p,j} |EUPU|+|EVOU|+|PVOU| rounded
up): each L̂ differs from L by at most 5u·B (three representation errors and two additions); each product
ŵ_p·L̂ by at most (δ_w + 5u + u + small)·w_p·B; the n-term float sum adds γ_{n}·Σ_p ŵ_p|L̂| ≤ (n+1)u·Ŵ·B'.
So |Ĝ_j − G_j| ≤ (δ_w + (n+8)u)·(1+2^-20)·Ŵ·B, and |N̂_j − N_j| ≤ 2·that + u·|N̂_j| ≤ τ := η·Ŵ·B with
η = 2·(2^-48 + (n+11)u)·(1+2^-20) rounded up to a power of two. A float that is within τ of zero decides nothing.
The pass therefore marks an input right when max_{j≠m} N̂_j < −τ, wrong when it is > τ, and undecided
otherwise. Each undecided input is settled by mpmath interval arithmetic from the exact weights at rising
precision (`settle`); if even that cannot separate N_j from 0 (an exact tie) it is counted as wrong.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from mpmath import iv
from tqdm import tqdm

from .exact import ExactMatrices, exact_matrices
from .intervals import claims_to_f64, exp_claims, inv_sqrt_claim
from .weights import ExactWeights


@dataclass(frozen=True)
class BruteForceResult:
    correct: int
    total: int
    undecided_by_float: int
    unresolved: int  # undecided even by exact interval arithmetic: counted as wrong (ties)
    seconds: float
    verdicts: np.ndarray | None = None  # bool [t_0, …, t_{n-1}]: right? (only with keep_verdicts)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total


def _f(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float64)


def brute_force(
    w: ExactWeights,
    device: str | None = None,
    dtype: torch.dtype = torch.float32,
    progress: bool = True,
    keep_verdicts: bool = False,
) -> BruteForceResult:
    """Count the inputs whose last-position argmax is the max token, soundly (see module docstring)."""
    start = time.perf_counter()
    cfg = w.cfg
    V, n = cfg.d_vocab, cfg.n_ctx
    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    mats = exact_matrices(w)
    r = inv_sqrt_claim(cfg.d_head)
    tok_lo, tok_hi = claims_to_f64(*exp_claims(mats.EQKE, r))  # [q, t]
    pos_lo, pos_hi = claims_to_f64(*exp_claims(mats.EQKP, r))  # [q, p]
    rel = max(float(np.max((tok_hi - tok_lo) / tok_lo)), float(np.max((pos_hi - pos_lo) / pos_lo)))
    if not rel <= 2.0**-50:
        raise ArithmeticError(f"exp enclosures too wide for the error analysis (relative width {rel:.3g})")
    eupu, evou, pvou = (m.to_float64() for m in (mats.EUPU, mats.EVOU, mats.PVOU))
    B = float(np.max(np.abs(eupu)) + np.max(np.abs(evou)) + np.max(np.abs(pvou))) * (1 + 2.0**-40)
    u = torch.finfo(dtype).eps / 2  # unit roundoff
    eta = 2.0 ** math.ceil(math.log2(2 * (2.0**-48 + (n + 11) * u) * (1 + 2.0**-20)))

    tok_mid = np.sqrt(tok_lo * tok_hi)
    pos_mid = np.sqrt(pos_lo * pos_hi)
    # L[t, p, j] without the EUPU row, which is added per query below.
    L_tp = torch.tensor(evou[:, None, :] + pvou[None, :, :], dtype=torch.float64, device=dev)
    eupu_t = torch.tensor(eupu, dtype=torch.float64, device=dev)
    correct = 0
    undecided: list[tuple[int, ...]] = []
    verdicts = np.zeros((V,) * n, dtype=bool) if keep_verdicts else None
    idx = torch.arange(V, device=dev)
    for q in tqdm(range(V), desc="brute force", disable=not progress, unit="query"):
        wq = torch.tensor(tok_mid[q][:, None] * pos_mid[q][None, :], dtype=torch.float64, device=dev)  # [t, p]
        A = (wq[:, :, None] * (L_tp + eupu_t[q][None, None, :])).to(dtype)  # [t, p, j] = w·L
        Wt = wq.to(dtype)
        # Sum over the non-query positions 1..n-2 first (independent of the chunked position 0).
        G_rest = A[q, n - 1][None, :]  # [1, j]
        W_rest = Wt[q, n - 1].reshape(1)
        m_rest = torch.full((1,), q, device=dev)
        for p in range(1, n - 1):
            G_rest = (G_rest[:, None, :] + A[:, p][None, :, :]).reshape(-1, V)
            W_rest = (W_rest[:, None] + Wt[:, p][None, :]).reshape(-1)
            m_rest = torch.maximum(m_rest[:, None], idx[None, :]).reshape(-1)
        # Position 0 is the slowest-varying digit in our enumeration; inputs are (t0, rest...).
        for t0 in range(V):
            G = G_rest + A[t0, 0][None, :]
            W = W_rest + Wt[t0, 0]
            m = torch.clamp(m_rest, min=t0)
            Gm = G.gather(1, m[:, None])[:, 0]
            G.scatter_(1, m[:, None], -torch.inf)
            worst = G.max(dim=1).values - Gm  # max_{j≠m} N̂_j
            tau = eta * B * W
            ok = worst < -tau
            correct += int(ok.sum())
            if verdicts is not None:  # chunk rows enumerate positions 1..n-2 (base V), query q last
                verdicts[t0, ..., q] = ok.reshape((V,) * (n - 2)).cpu().numpy()
            unsure = (~ok) & (worst <= tau)
            if bool(unsure.any()):
                for flat in torch.nonzero(unsure)[:, 0].tolist():
                    undecided.append(_decode(q, t0, flat, V, n))
    unresolved = 0
    for tokens in undecided:
        verdict = settle(mats, cfg.d_head, tokens)
        if verdict is None:
            unresolved += 1
        elif verdict:
            correct += 1
            if verdicts is not None:
                verdicts[tokens] = True
    return BruteForceResult(correct, V**n, len(undecided), unresolved, time.perf_counter() - start, verdicts)


def _decode(q: int, t0: int, flat: int, V: int, n: int) -> tuple[int, ...]:
    """Index within a chunk → the input tokens (t_0, …, t_{n-1}); positions 1..n-2 are base-V digits."""
    middle = []
    for _ in range(n - 2):
        middle.append(flat % V)
        flat //= V
    return (t0, *reversed(middle), q)


def settle(mats: ExactMatrices, d_head: int, tokens: tuple[int, ...], precisions=(80, 160, 320)) -> bool | None:
    """Decide one input with mpmath interval arithmetic from the exact matrices: True right, False wrong,
    None if no precision separates some N_j from 0 (an exact tie, which counts as wrong)."""
    q, m = tokens[-1], max(tokens)
    V = mats.EUPU.mant.shape[1]
    old = iv.prec
    try:
        for prec in precisions:
            iv.prec = prec
            r = 1 / iv.sqrt(iv.mpf(d_head))

            def val(d, i, j):  # noqa: ANN001 - exact entry as an interval
                return iv.ldexp(iv.mpf(int(d.mant[i, j])), d.exp)

            wts = [iv.exp((val(mats.EQKE, q, t) + val(mats.EQKP, q, p)) * r) for p, t in enumerate(tokens)]
            verdict: bool | None = True
            for j in range(V):
                if j == m:
                    continue
                N = iv.mpf(0)
                for p, t in enumerate(tokens):
                    diff = (val(mats.EUPU, q, j) - val(mats.EUPU, q, m)) + (val(mats.EVOU, t, j) - val(mats.EVOU, t, m))
                    diff += val(mats.PVOU, p, j) - val(mats.PVOU, p, m)
                    N += wts[p] * diff
                if N.a >= 0:
                    return False
                if not N.b < 0:
                    verdict = None
            if verdict:
                return True
        return None
    finally:
        iv.prec = old
