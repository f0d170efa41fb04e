"""Sound brute-force accuracy: the exact number of inputs (out of d_vocab^n_ctx) that the model gets right.

"The model" is the real-number function of the exact weights (docs/paper.md §1), with ties counted as wrong.
Inputs are numbered index = Σ_p t_p·V^p (position 0 least significant), as in the paper's enumeration.

Method. With w_p = exp(score_p/√d_head) > 0 and L_j(t, p) = EUPU[q,j] + EVOU[t,j] + PVOU[p,j], the logits are
G_j / W with G_j = Σ_p w_p L_j(t_p, p) and W = Σ_p w_p, so an input with max token m is right iff
N_j = G_j − G_m < 0 for every j ≠ m. Three stages, each deciding only what it has proven:

1. Filter (n terms per input). With Δ_j(t, p) = L_j(t, p) − L_m(t, p) and D(t, p, m) = max_{j≠m} Δ_j(t, p),
   max_{j≠m} N_j ≤ F := Σ_p w_p D(t_p, p, m) because every w_p > 0. A float upper bound of F below zero proves
   the input right; nothing else is decided here. Inputs are enumerated per (query q, max m) in product boxes,
   so F is an outer sum of per-position vectors.
2. Full pass (n·V terms) over the inputs the filter left: Ĝ_j in float, margins compared with a proven bound.
   What float32 leaves open goes through the same pass in float64 (the same analysis with u = 2^-53).
3. Settle: inputs the full pass cannot decide are evaluated in mpmath interval arithmetic from the exact
   weights at rising precision (`settle`); if no precision separates some N_j from 0 (an exact tie), wrong.

Error analysis. u = unit roundoff of the working type (2^-24 float32, 2^-53 float64), u₆₄ = 2^-53, n = n_ctx,
γ_k = k·u/(1 − k·u), B ≥ max|EUPU| + max|EVOU| + max|PVOU| (rounded up from the exact maxima), so |L| ≤ B and
|Δ| ≤ 2B. ê, v̂, p̂ are the float64 nearest to the exact entries (each within u₆₄ relative); X̂ = fl(fl(v̂ + p̂) + ê)
is within 3u₆₄B(1+u₆₄) of L. The exp enclosures (intervals.exp_claims) are checked to have relative width
≤ 2^-50, so any point of one is within relative 2^-50 of the true value.

Filter. Δ̂_j = fl(X̂_j − X̂_m) is within 6u₆₄B(1+u₆₄) + u₆₄·2B(1+3u₆₄) ≤ 8u₆₄B(1+3u₆₄) < 2^-49·B of Δ_j, so
D ≤ D⁺ := up(max_{j≠m} Δ̂_j + 2^-49·B) (`up` = one float64 step towards +∞ after the round-to-nearest operation,
which makes it an upper bound). With w_lo ≤ w_p ≤ w_hi from the enclosures (products rounded down and up),
w_p·D ≤ a := up(w_hi·D⁺) if D⁺ ≥ 0, else up(w_lo·D⁺) (true for any w_lo ≤ w_p), and a is then rounded up into the
working type. So F ≤ Σ_p a_p. The float sum S of these n terms (any order) is within γ_{n−1}·Σ_p|a_p| of
Σ_p a_p, and Σ_p|a_p| ≤ M := |a_query| + Σ_{p<n−1} max_{t≤m}|a(t, p, m)|. The filter therefore proves the input
right when S < −θ with θ ≥ γ_{n−1}·M, computed in float64 with a (1+2^-20) margin for its own roundings and
then rounded up into the working type (so that the comparison itself is exact). No partial sum can overflow
when M < (largest float)/(2n); otherwise (an a of ±∞ included) θ = ∞ and the filter decides nothing.

Full pass. ŵ₆₄ = fl₆₄(tok_lo·pos_lo) is within relative 2^-50 + 2^-50 + u₆₄(1+…) < 2^-48.5 of w_p, and
ŵ = fl(ŵ₆₄) within 2^-48 + u. A_p = fl(fl₆₄(ŵ₆₄·X̂)) = ŵ₆₄·X̂·(1+ε₁)(1+ε₂) with |ε₁| ≤ u₆₄, |ε₂| ≤ u, so
|A_p − w_p L_p| ≤ w_p·B·(2^-48.5 + 2^-51.4 + u₆₄ + u)(1+2^-40) ≤ w_p·B·(2^-48 + u)(1+2^-40). Ĝ_j = float sum of
the n terms A_p (any order) adds γ_{n−1}·Σ|A_p| ≤ γ_{n−1}(1+2^-47)(1+u)·W·B. Ŵ = float sum of the ŵ_p is at
least W(1 − 2^-48 − u)(1 − γ_{n−1}), so W ≤ Ŵ(1 + (n+2)u + 2^-46) for n ≤ 64. Altogether
|Ĝ_j − G_j| ≤ E := (2^-48 + n·u)(1+2^-14)·Ŵ·B. The computed margin is worst = fl(max_{j≠m} Ĝ_j − Ĝ_m) =
(Ĝ_{j*} − Ĝ_m)(1+ε), |ε| ≤ u. If worst < 0 then every N_j ≤ Ĝ_{j*} − Ĝ_m + 2E ≤ worst/(1+u) + 2E, which is
< 0 when worst < −2E(1+u); if worst > 0 then N_{j*} ≥ worst/(1+u) − 2E > 0 when worst > 2E(1+u). So with
τ = η·B·Ŵ, η = 2(2^-48 + n·u)(1+2^-12) ≥ 2(1+u)(1+2^-14)(2^-48 + n·u) plus room for the three float64 roundings
of τ itself, the pass marks an input right when worst < −τ, wrong when worst > τ, and leaves it to `settle`
otherwise, and always when worst or τ is not finite (an overflow, which the analysis does not cover).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import torch
from mpmath import iv
from tqdm import tqdm

from ...exact import Dyadic, ExactMatrices, exact_matrices
from ...intervals import add_up, ceil_f64, claims_to_f64, exp_claims, inv_sqrt_claim, mul_down, mul_up, up
from ...weights import ExactWeights

MAX_INPUTS = 2**36
"""Brute force refuses larger input spaces (K = 6 at V = 64 is 2^36); sample them (tasks/maxk/estimate.py)."""

_BOX = 1 << 24  # largest filter box evaluated at once (elements)
_CHUNK = 1 << 16  # inputs per full-pass batch


@dataclass(frozen=True)
class BruteForceResult:
    correct: int
    total: int
    undecided_by_float: int  # left by the full pass in the working type (then float64, then interval arithmetic)
    unresolved: int  # undecided even by exact interval arithmetic: counted as wrong (ties)
    seconds: float
    verdicts: np.ndarray | None = None  # bool [t_0, …, t_{n-1}]: right? (only with keep_verdicts)
    wrong: np.ndarray | None = None  # int64 indices Σ t_p·V^p of the wrong inputs, ascending (with wrong_indices)
    full_pass: int = 0  # inputs the filter could not prove right
    settled: int = 0  # inputs decided by interval arithmetic (`settle`)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total


def input_index(tokens: np.ndarray, d_vocab: int) -> np.ndarray:
    """Index Σ_p t_p·V^p of each row of an int array [..., n] (position 0 least significant)."""
    tokens = np.asarray(tokens, dtype=np.int64)
    powers = d_vocab ** np.arange(tokens.shape[-1], dtype=np.int64)
    return (tokens * powers).sum(axis=-1)


def input_tokens(index: np.ndarray, d_vocab: int, n_ctx: int) -> np.ndarray:
    """The inverse of input_index: int64 [..., n_ctx]."""
    index = np.asarray(index, dtype=np.int64)
    if d_vocab & (d_vocab - 1) == 0:  # a power of two: shifts and masks
        b = d_vocab.bit_length() - 1
        return np.stack([(index >> (b * p)) & (d_vocab - 1) for p in range(n_ctx)], axis=-1)
    return np.stack([(index // d_vocab**p) % d_vocab for p in range(n_ctx)], axis=-1)


class FloatModel:
    """The float tables of the filter and of the full pass, and their sound decisions (module docstring)."""

    def __init__(self, w: ExactWeights, device: str | torch.device | None = None, dtype: torch.dtype = torch.float32):
        if dtype not in (torch.float32, torch.float64):
            raise ValueError(f"dtype must be torch.float32 or torch.float64, got {dtype}")
        self.cfg = w.cfg
        self.dtype = dtype
        self.dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.mats = exact_matrices(w)
        n = self.cfg.n_ctx
        r = inv_sqrt_claim(self.cfg.d_head)
        self.tok_lo, self.tok_hi = claims_to_f64(*exp_claims(self.mats.EQKE, r))  # [q, t]
        self.pos_lo, self.pos_hi = claims_to_f64(*exp_claims(self.mats.EQKP, r))  # [q, p]
        rel = max(np.max((self.tok_hi - self.tok_lo) / self.tok_lo), np.max((self.pos_hi - self.pos_lo) / self.pos_lo))
        if not rel <= 2.0**-50:
            raise ArithmeticError(f"exp enclosures too wide for the error analysis (relative width {rel:.3g})")
        self.eupu, evou, pvou = (m.to_float64() for m in (self.mats.EUPU, self.mats.EVOU, self.mats.PVOU))
        self.B = float(add_up(add_up(_abs_max(self.mats.EUPU), _abs_max(self.mats.EVOU)), _abs_max(self.mats.PVOU)))
        self.u = torch.finfo(dtype).eps / 2
        self.eta = _eta(n, dtype)
        self.L_tp = evou[:, None, :] + pvou[None, :, :]  # [t, p, j] float64, fl(v̂ + p̂)
        self._L_dev = torch.tensor(self.L_tp, dtype=torch.float64, device=self.dev)
        self._eupu_dev = torch.tensor(self.eupu, dtype=torch.float64, device=self.dev)
        self._wlo_dev = torch.tensor(self.tok_lo, dtype=torch.float64, device=self.dev)
        self._plo_dev = torch.tensor(self.pos_lo, dtype=torch.float64, device=self.dev)

    # ---------------------------------------------------------------------------------------- filter (stage 1)
    def filter_table(self, q: int) -> tuple[torch.Tensor, np.ndarray]:
        """(a [t, p, m] in the working type with a ≥ w_p·D(t, p, m), θ [m]) for query token q."""
        V, n = self.cfg.d_vocab, self.cfg.n_ctx
        X = self.L_tp + self.eupu[q][None, None, :]  # [t, p, j]: fl(fl(v̂ + p̂) + ê)
        diff = X[:, :, :, None] - X[:, :, None, :]  # [t, p, j, m] = fl(X̂_j − X̂_m)
        diag = np.arange(V)
        diff[:, :, diag, diag] = -np.inf
        D_up = add_up(diff.max(axis=2), up(2.0**-49 * self.B))  # [t, p, m]
        w_lo = mul_down(self.tok_lo[q][:, None], self.pos_lo[q][None, :])[:, :, None]
        w_hi = mul_up(self.tok_hi[q][:, None], self.pos_hi[q][None, :])[:, :, None]
        a = _round_up_to(mul_up(np.where(D_up >= 0, w_hi, w_lo), D_up), self.dtype)
        absa = np.abs(a.astype(np.float64))
        below = np.tril(np.ones((V, V), dtype=bool))  # [m, t]: t ≤ m
        M = np.where(below.T[:, None, :], absa, 0.0)[:, : n - 1, :].max(axis=0).sum(axis=0)  # [m]
        M = M + absa[q, n - 1, :]
        gamma = (n - 1) * self.u / (1 - (n - 1) * self.u)
        theta = _round_up_to(gamma * M * (1 + 2.0**-20), self.dtype).astype(np.float64)
        theta[~(M < torch.finfo(self.dtype).max / (2 * n))] = np.inf  # a partial sum could overflow
        return torch.tensor(a, device=self.dev), theta

    # ------------------------------------------------------------------------------------- full pass (stage 2)
    def a_rows(
        self, q: torch.Tensor, t: torch.Tensor, p: torch.Tensor, dtype: torch.dtype | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(A[q, t, p, :] = fl(fl₆₄(ŵ₆₄·X̂)) [..., V], ŵ [...]) for index tensors of one shape, in `dtype`
        (default: the working type)."""
        w64 = self._wlo_dev[q, t] * self._plo_dev[q, p]
        X = self._L_dev[t, p] + self._eupu_dev[q]
        dtype = dtype or self.dtype
        return (w64[..., None] * X).to(dtype), w64.to(dtype)

    def decide(self, A: torch.Tensor, Wt: torch.Tensor, m: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(right, wrong) masks for inputs given as A [k, n, V] and ŵ [k, n] rows and their max token m [k]; the
        bound is that of A's type."""
        n = A.shape[1]
        G = A[:, 0].clone()
        W = Wt[:, 0].clone()
        for p in range(1, n):
            G += A[:, p]
            W += Wt[:, p]
        Gm = G.gather(1, m[:, None])[:, 0]
        G.scatter_(1, m[:, None], -torch.inf)
        worst = (G.max(dim=1).values - Gm).double()
        tau = W.double() * (_eta(n, A.dtype) * self.B)
        sure = torch.isfinite(worst) & torch.isfinite(tau)
        return sure & (worst < -tau), sure & (worst > tau)

    def decide_inputs(self, tokens: torch.Tensor, dtype: torch.dtype | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(right, wrong) masks for an int64 tensor of inputs [k, n] on the device (any query tokens)."""
        n = tokens.shape[1]
        q = tokens[:, -1:].expand(-1, n)
        pos = torch.arange(n, device=tokens.device).expand_as(tokens)
        A, Wt = self.a_rows(q, tokens, pos, dtype)
        return self.decide(A, Wt, tokens.max(dim=1).values)

    def settle_all(self, tokens: np.ndarray) -> tuple[np.ndarray, int, int]:
        """Exact verdicts for inputs [k, n] that a float pass left open: the float64 full pass first (when the
        working type is narrower), then `settle`. Returns (right?, number settled exactly, exact ties)."""
        right = np.zeros(len(tokens), dtype=bool)
        open_ = np.ones(len(tokens), dtype=bool)
        if self.dtype != torch.float64:
            block = max(1, (1 << 21) // (self.cfg.n_ctx * self.cfg.d_vocab))
            for lo in range(0, len(tokens), block):
                chunk = torch.tensor(tokens[lo : lo + block], dtype=torch.int64, device=self.dev)
                ok, bad = self.decide_inputs(chunk, torch.float64)
                right[lo : lo + len(chunk)] = ok.cpu().numpy()
                open_[lo : lo + len(chunk)] = (~(ok | bad)).cpu().numpy()
        ties = 0
        for i in np.flatnonzero(open_):
            verdict = settle(self.mats, self.cfg.d_head, tuple(int(t) for t in tokens[i]))
            ties += verdict is None
            right[i] = bool(verdict)
        return right, int(open_.sum()), ties


def _eta(n: int, dtype: torch.dtype) -> float:
    """η of the full pass for n terms in `dtype` (module docstring)."""
    return 2 * (2.0**-48 + n * torch.finfo(dtype).eps / 2) * (1 + 2.0**-12)


def _abs_max(d: Dyadic) -> float:
    """An upper bound (float64) of the largest |entry| of an exact matrix."""
    return ceil_f64(int(np.max(np.abs(d.mant))), d.exp)


def _round_up_to(x: np.ndarray, dtype: torch.dtype) -> np.ndarray:
    """The smallest working-type values ≥ x (float64 → float32 rounds to nearest, then steps up if below)."""
    if dtype == torch.float64:
        return x
    with np.errstate(over="ignore"):
        y = x.astype(np.float32)
    low = y.astype(np.float64) < x
    y[low] = np.nextafter(y[low], np.float32(np.inf))
    return y


def _boxes(q: int, m: int, n: int) -> Iterator[list[tuple[int, int]]]:
    """Disjoint token ranges [start, stop) per non-query position covering the inputs with query q and max m:
    for q < m, by the first non-query position holding m; each box at most _BOX inputs."""
    if q == m:
        boxes = [[(0, m + 1)] * (n - 1)]
    else:
        boxes = [[(0, m)] * i + [(m, m + 1)] + [(0, m + 1)] * (n - 2 - i) for i in range(n - 1)]
    for box in boxes:
        yield from _split(box)


def _split(box: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    size = math.prod(b - a for a, b in box)
    if size == 0:
        return
    wide = next((i for i, (a, b) in enumerate(box) if b - a > 1), None)
    if size <= _BOX or wide is None:
        yield box
        return
    a, b = box[wide]
    for t in range(a, b):
        yield from _split(box[:wide] + [(t, t + 1)] + box[wide + 1 :])


def _one_query(fm: FloatModel, q: int) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    """Stages 1 and 2 for the inputs with query token q: (wrong inputs, inputs left to settle, full-pass count)."""
    V, n = fm.cfg.d_vocab, fm.cfg.n_ctx
    dev = fm.dev
    a, theta = fm.filter_table(q)
    left: list[torch.Tensor] = []
    for m in range(q, V):
        c = a[q, n - 1, m]
        thr = -float(theta[m])
        for box in _boxes(q, m, n):
            S = a[box[0][0] : box[0][1], 0, m] + c
            for p in range(1, n - 1):
                S = S[..., None] + a[box[p][0] : box[p][1], p, m]
            rest = torch.nonzero(~(S < thr))
            if len(rest):
                left.append(rest + torch.tensor([lo for lo, _ in box], device=dev))
    wrong: list[np.ndarray] = []
    unsure: list[np.ndarray] = []
    if not left:
        return wrong, unsure, 0
    rest = torch.cat(left)
    tokens = torch.cat([rest, torch.full((len(rest), 1), q, device=dev)], dim=1)
    pos = torch.arange(n, device=dev)
    every_t = torch.arange(V, device=dev)[:, None].expand(V, n)
    A_q, W_q = fm.a_rows(torch.full((V, n), q, device=dev), every_t, pos.expand(V, n))  # [t, p, j], [t, p]
    for lo in range(0, len(tokens), _CHUNK):
        chunk = tokens[lo : lo + _CHUNK]
        ok, bad = fm.decide(A_q[chunk, pos], W_q[chunk, pos], chunk.max(dim=1).values)
        if bool(bad.any()):
            wrong.append(chunk[bad].cpu().numpy())
        maybe = ~(ok | bad)
        if bool(maybe.any()):
            unsure.append(chunk[maybe].cpu().numpy())
    return wrong, unsure, len(tokens)


def brute_force(
    w: ExactWeights,
    device: str | None = None,
    dtype: torch.dtype = torch.float32,
    progress: bool = True,
    keep_verdicts: bool = False,
    wrong_indices: bool = False,
    queries: Iterable[int] | None = None,
) -> BruteForceResult:
    """Count the inputs whose last-position argmax is the max token, soundly (see module docstring).

    `keep_verdicts` returns the boolean array over all inputs (V^n bytes); `wrong_indices` the ascending int64
    indices of the wrong inputs instead, which is small for a good model. `queries` restricts the count to the
    inputs whose last token is one of them (total = their number · V^(n−1)), e.g. for benchmarks.
    """
    start = time.perf_counter()
    cfg = w.cfg
    V, n = cfg.d_vocab, cfg.n_ctx
    if V**n > MAX_INPUTS:
        raise ValueError(f"{V}^{n} inputs is beyond brute force (limit {MAX_INPUTS}); estimate by sampling instead")
    qs = sorted(set(range(V) if queries is None else queries))
    if not all(0 <= q < V for q in qs):
        raise ValueError(f"queries must lie in 0..{V - 1}")
    fm = FloatModel(w, device, dtype)
    wrong: list[np.ndarray] = []
    unsure: list[np.ndarray] = []
    full_pass = 0
    bar = tqdm(total=len(qs), desc="brute force", disable=not progress, unit="query")
    # On the CPU, one query per torch thread, each single-threaded: many medium-sized ops, each its own parallel
    # region, stall whenever a core is shared (measured 7x slower at K = 5 on a busy 2-core machine).
    workers = torch.get_num_threads() if fm.dev.type == "cpu" else 1
    threads = torch.get_num_threads()
    try:
        if fm.dev.type == "cpu":
            torch.set_num_threads(1)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for q_wrong, q_unsure, q_full in pool.map(lambda q: _one_query(fm, q), qs):
                wrong += q_wrong
                unsure += q_unsure
                full_pass += q_full
                bar.update()
    finally:
        torch.set_num_threads(threads)
        bar.close()
    undecided = np.concatenate(unsure) if unsure else np.zeros((0, n), dtype=np.int64)
    right, settled, ties = fm.settle_all(undecided)
    wrong.append(undecided[~right])
    wrong_idx = np.sort(input_index(np.concatenate(wrong), V))
    total = len(qs) * V ** (n - 1)
    verdicts = None
    if keep_verdicts:
        verdicts = np.zeros((V,) * n, dtype=bool)
        verdicts[..., qs] = True
        verdicts[tuple(input_tokens(wrong_idx, V, n).T)] = False
    return BruteForceResult(
        correct=total - len(wrong_idx),
        total=total,
        undecided_by_float=len(undecided),
        unresolved=ties,
        settled=settled,
        seconds=time.perf_counter() - start,
        verdicts=verdicts,
        wrong=wrong_idx if wrong_indices else None,
        full_pass=full_pass,
    )


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
