"""Sound float64 evaluation of the induction model on many inputs at once, with a proven error bound.

The model is evaluated in plain float64 (numpy einsum, any summation order) from float copies of the exact tables
(tasks/induction/checker/tables.py) and of the checker's layer-1 exp enclosures, with `expf` (below) for the
layer-2 weights. A margin is decided only when it is farther from 0 than a bound on the whole computation's
error, so every verdict is the real model's. Notation: u = 2^−53, γ_m = m·u/(1 − m·u); M_X bounds |X| over a
table (exact maxima, rounded up); h = d_head, n = n_ctx. Every float table entry is within 2u (relative) of the
exact value, every layer-1 weight within 3u (the enclosure's lower end).

1. Layer-1 averages. a_l = w_l/Σw: the float sum of ≤ n weights and the quotient give |â − a| ≤ ε_a·a with
   ε_a = γ_{n+7}.
2. Images. An image of r1[p] (block X: κ, y, ρ or z) is E + Σ_l a_l·T_l (E the position's own table row, T layer 1's
   output rows); with Σ_l a_l = 1, its float value is within E_X = 2u·M_E + ε_T·M_T + γ_{n+1}·((1+2u)·M_E +
   (1+ε_T)·M_T), ε_T = (1+ε_a)(1+2u) − 1, and |X| ≤ M_E + M_T.
3. Scores s_k = ρ·κ_k (h terms): within E_s = h·(E_ρ·(M_κ+E_κ) + M_ρ·E_κ) + γ_h·h·(M_ρ+E_ρ)(M_κ+E_κ); the
   differences x_k = s_k − s_{i+1} within E_x = 2E_s + u·(2M_s + 2E_s), M_s = h·M_ρ·M_κ.
4. Layer-2 weights b_k = e^{x_k} (any reference score leaves the logits unchanged). expf(x) = T[k]·p(r) with
   k = ⌊64x⌋, r = x − k/64 ∈ [0, 1/64] (one rounding, relative u), T[k] the float of the exact enclosure of
   e^{k/64} (within 2u) and p the degree-8 Taylor polynomial by Horner (within γ_16; the tail is below 2^−70
   relative): relative error at most ε_exp = 24u. So |b̂ − b| ≤ ε_b·b with ε_b = e^{E_x}·(1 + ε_exp) − 1.
5. N_c = Σ_k b_k·((z_c − z_a) + (y_{k,c} − y_{k,a})) has the sign of logit_c − logit_a. It is formed as
   B·(z_c − z_a) + Y_c − Y_a with B = Σ_k b_k and Y = Σ_k b_k·y_k. Each float factor is within its error: B̂ within
   B·(ε_b + γ_n(1+ε_b)), ẑ_c − ẑ_a within 2E_z + 2u(M_z + E_z) of z_c − z_a (|·| ≤ 2M_z), Ŷ_c within
   B·(ε_b·M_y + E_y + γ_n(1+ε_b)(M_y+E_y)); the two products, two differences and one sum add relative errors of at
   most γ_5 on terms of size B·(2M_z + 2E_z)(1+ε_b+γ_n) and 2B·(M_y+E_y)(1+ε_b+γ_n). Altogether |N̂_c − N_c| ≤ B·E_N,
   E_N = (ε_b + γ_n(1+ε_b))·2M_z + (1+ε_b+γ_n)·(2E_z + 2u(M_z+E_z)) + 2(ε_b·M_y + E_y + γ_n(1+ε_b)(M_y+E_y))
   + γ_5·(1+ε_b+γ_n)·(2M_z + 2E_z + 2E_z + 2M_y + 2E_y) (the last term generously counts both products' sizes).
6. The float B̂ ≥ B·(1−ε_b)(1−γ_n). With
   τ = E_N·B̂/((1−ε_b)(1−γ_n))·(1 + 2^−30) (the factor covers τ's own roundings): N̂_c < −τ for every c ≠ a
   proves the input right; N̂_c > τ for some c proves it wrong (witness c). The rest is settled by the exact
   input rule (docs §11.4); what that cannot decide either is counted wrong and reported (`unresolved`).
"""

from __future__ import annotations

import math

import numpy as np

from ...checker.arith import exp_bounds
from ...intervals import enclose_array
from ...weights import ExactWeights
from .checker.tables import Tables

U = 2.0**-53


def gamma(m: int) -> float:
    return m * U / (1 - m * U)


def _lo(m: int, e: int) -> float:
    return float(enclose_array(np.array([m], dtype=object), e)[0][0])


def _table(t: tuple[list[list[int]], int]) -> tuple[np.ndarray, float]:
    """(the float table, an upper bound of |entries|)."""
    rows, e = t
    mant = np.empty((len(rows), len(rows[0])), dtype=object)
    mant[:] = rows
    lo, hi = enclose_array(mant, e)
    return lo, float(np.max(np.maximum(np.abs(lo), np.abs(hi))))


class ExpF:
    """expf of the module docstring, with T[k] filled for the k asked for (|k/64| < 2^12)."""

    def __init__(self) -> None:
        self.k0 = 0
        self.t = np.zeros(0)

    def _fill(self, ks: range) -> np.ndarray:
        return np.array([_lo(*exp_bounds((k, -6))[0]) for k in ks])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if not np.all(np.abs(x) < 2.0**12):
            raise ArithmeticError("layer-2 score difference beyond |x| < 2^12")
        k = np.floor(x * 64.0)
        ki = k.astype(np.int64)
        lo, hi = int(ki.min()), int(ki.max())
        if not len(self.t):
            self.k0, self.t = lo, self._fill(range(lo, hi + 1))
        if lo < self.k0:
            self.t, self.k0 = np.concatenate([self._fill(range(lo, self.k0)), self.t]), lo
        top = self.k0 + len(self.t)
        if hi >= top:
            self.t = np.concatenate([self.t, self._fill(range(top, hi + 1))])
        r = x - k / 64.0
        p = np.full_like(r, 1.0 / math.factorial(8))
        for j in range(7, -1, -1):
            p = p * r + 1.0 / math.factorial(j)
        return self.t[ki - self.k0] * p


class FastModel:
    def __init__(self, w: ExactWeights) -> None:
        t = Tables(w)
        self.V, self.n = t.V, t.n
        n = self.n
        tabs = {name: _table(getattr(t, name)) for name in ("qe", "qv", "ke", "kv", "ye", "yv", "ze", "zv")}
        self.h = tabs["qe"][0].shape[1]
        self.E_ky = np.concatenate([tabs["ke"][0], tabs["ye"][0]], axis=1)
        self.T_ky = np.concatenate([tabs["kv"][0], tabs["yv"][0]], axis=1)
        self.E_all = np.concatenate([tabs[x + "e"][0] for x in "qzky"], axis=1)
        self.T_all = np.concatenate([tabs[x + "v"][0] for x in "qzky"], axis=1)
        S, e = t.S1
        N = len(S)
        self.w1 = np.zeros((N, N))
        for r, row in enumerate(S):
            cols = [c for c in range(N) if c % n <= r % n]
            shift = max(row[c] for c in cols)
            for c in cols:
                self.w1[r, c] = _lo(*exp_bounds((row[c] - shift, e))[0])
        self.exp = ExpF()
        self.tau_factor = self._error_bound({x: (tabs[x + "e"][1], tabs[x + "v"][1]) for x in "qzky"})

    def _error_bound(self, M: dict[str, tuple[float, float]]) -> float:
        """E_N / ((1 − ε_b)(1 − γ_n)) · (1 + 2^−30) of the module docstring (rounded generously up)."""
        n, h = self.n, self.h
        eps_a = gamma(n + 7)
        eps_t = (1 + eps_a) * (1 + 2 * U) - 1
        E = {x: 2 * U * me + eps_t * mt + gamma(n + 1) * ((1 + 2 * U) * me + (1 + eps_t) * mt) for x, (me, mt) in M.items()}
        Mx = {x: me + mt for x, (me, mt) in M.items()}
        E_s = h * (E["q"] * (Mx["k"] + E["k"]) + Mx["q"] * E["k"]) + gamma(h) * h * (Mx["q"] + E["q"]) * (Mx["k"] + E["k"])
        E_x = 2 * E_s + U * (2 * h * Mx["q"] * Mx["k"] + 2 * E_s)
        eps_b = math.exp(E_x) * (1 + 24 * U) - 1
        Mz, My, Ez, Ey = Mx["z"], Mx["y"], E["z"], E["y"]
        big = 1 + eps_b + gamma(n)
        E_N = ((eps_b + gamma(n) * (1 + eps_b)) * 2 * Mz + big * (2 * Ez + 2 * U * (Mz + Ez))
               + 2 * (eps_b * My + Ey + gamma(n) * (1 + eps_b) * (My + Ey))
               + gamma(5) * big * (4 * Ez + 2 * Mz + 2 * My + 2 * Ey))  # fmt: skip
        return E_N / ((1 - eps_b) * (1 - gamma(n))) * (1 + 2.0**-30) * 2  # ×2: room for this float arithmetic

    # ------------------------------------------------------------------------------------------ evaluation
    def _avg(self, rows: np.ndarray, cols: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
        w = self.w1[rows[..., None], cols[..., None, :]] if rows.ndim == cols.ndim else self.w1[rows[..., None], cols]
        if mask is not None:
            w = w * mask
        return w / w.sum(axis=-1, keepdims=True)

    def keys(self, cols: np.ndarray) -> np.ndarray:
        """κ | y of positions 0 … n−2 for inputs with columns cols [B, n−1]: [B, n−1, h + V]."""
        m = cols.shape[1]
        a = self._avg(cols, cols, np.tri(m, dtype=bool))  # [B, p, l]: layer 1 at p over l ≤ p
        return self.E_ky[cols] + np.einsum("bpl,bld->bpd", a, self.T_ky[cols])

    def last(self, cols: np.ndarray) -> np.ndarray:
        """ρ | z | κ | y of position n−1 [B, 2h + 2V] for inputs with columns cols [B, n]."""
        a = self._avg(cols[:, -1], cols, None)  # [B, l]
        return self.E_all[cols[:, -1]] + np.einsum("bl,bld->bd", a, self.T_all[cols])

    def margins(self, keys: np.ndarray, last: np.ndarray, i: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N̂ [B, V] with N̂_a = 0, τ [B]) of the module docstring; N is formed as
        B·(z − z_a) + Σ_k b_k·y_k − Σ_k b_k·y_{k,a} (step 6)."""
        h, V = self.h, self.V
        rows = np.arange(len(i))
        rho = last[:, :h]
        s = np.concatenate([np.einsum("bd,bkd->bk", rho, keys[:, :, :h]), np.einsum("bd,bd->b", rho, last[:, h + V : 2 * h + V])[:, None]], axis=1)
        b = self.exp(s - s[rows, i + 1][:, None])
        B = b.sum(axis=1)
        by = np.einsum("bk,bkc->bc", b[:, :-1], keys[:, :, h:]) + b[:, -1:] * last[:, 2 * h + V :]
        z = last[:, h : h + V]
        N = B[:, None] * (z - z[rows, a][:, None]) + (by - by[rows, a][:, None])
        N[rows, a] = 0.0
        return N, B * self.tau_factor

    @staticmethod
    def verdicts(N: np.ndarray, tau: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(right, wrong, witness): right if N̂_c < −τ for every c ≠ a, wrong if N̂_c > τ for some c."""
        rows = np.arange(len(a))
        others = np.ones(N.shape, dtype=bool)
        others[rows, a] = False
        right = np.all(~others | (N < -tau[:, None]), axis=1)
        over = others & (N > tau[:, None])
        return right, over.any(axis=1), np.where(over.any(axis=1), over.argmax(axis=1), -1)

    def decide(self, tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(right, wrong, witness) for inputs [B, n]; neither: left to the exact rule."""
        n = self.n
        cols = tokens * n + np.arange(n)
        i = (tokens[:, : n - 2] == tokens[:, n - 1 : n]).argmax(axis=1)
        a = tokens[np.arange(len(tokens)), i + 1]
        return self.verdicts(*self.margins(self.keys(cols[:, :-1]), self.last(cols), i, a), a)

    def decide_prefixes(self, prefixes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same for the n−2 inputs of each prefix x_0 … x_{n−2} [B, n−1]: arrays [B, n−2] by match position."""
        n = self.n
        B = len(prefixes)
        cols = prefixes * n + np.arange(n - 1)
        keys = self.keys(cols)
        out = (np.zeros((B, n - 2), dtype=bool), np.zeros((B, n - 2), dtype=bool), np.zeros((B, n - 2), dtype=np.int64))
        for i in range(n - 2):
            full = np.concatenate([cols, (prefixes[:, i] * n + n - 1)[:, None]], axis=1)
            a = prefixes[:, i + 1]
            r, w, c = self.verdicts(*self.margins(keys, self.last(full), np.full(B, i), a), a)
            out[0][:, i], out[1][:, i], out[2][:, i] = r, w, c
        return out
