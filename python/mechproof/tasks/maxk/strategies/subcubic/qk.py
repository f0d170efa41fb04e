"""The QK side (docs/certificate.md §7.2), exact: Approx of EQKE_tok, the bound ε_q on its error, and the choices
(peels, centres, spectral ε) behind them.

The ten qk rules share most of their work: EQKE_tok and its float SVD, and two peeled chains (2 factors for
`svd`, `max_diff`, `mean+max_diff`, `max_diff_exact`; 4 factors for the `subproduct` rules) with their prefix and
suffix products. `Chains` computes each once; `qk_bound` then applies one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

from .....exact import Dyadic
from .variants import RECURSIVE, SPLIT

PEEL_BITS = 384  # docs §10: every peeled factor F_i′ has entries below 2^384 at its own exponent


# ------------------------------------------------------------------------------------ exact building blocks
def mean_rows(x: Dyadic) -> Dyadic:
    """The mean row: exact when the row count is a power of two, else a dyadic rounding (a choice)."""
    rows = x.mant.shape[0]
    total = x.mant.sum(axis=0)
    if rows & (rows - 1) == 0:
        return Dyadic(total, x.exp - (rows.bit_length() - 1))
    return Dyadic.from_float(np.array([float(v) for v in total]) * 2.0**x.exp / rows, bits=52)


def broadcast(scalar: Dyadic, n: int) -> Dyadic:
    """A 1-entry dyadic repeated n times."""
    return Dyadic(np.full(n, scalar.mant.reshape(-1)[0], dtype=object), scalar.exp)


def _minimum(xs: list[Dyadic]) -> Dyadic:
    e = min(x.exp for x in xs)
    out = xs[0].rescaled(e)
    for x in xs[1:]:
        out = np.minimum(out, x.rescaled(e))
    return Dyadic(out, e)


def _row_chain(c: Dyadic, factors: list[Dyadic]) -> Dyadic:
    """c·F_1⋯F_j as a vector-matrix chain (never a matrix product)."""
    out = c.row()
    for f in factors:
        out = out @ f
    return out


def _range_bound(P: Dyadic, rho: Dyadic, centre: Dyadic | None, tail: list[Dyadic]) -> Dyadic:
    """Σ_r |P[q,r] − c_r|·ρ[r] (+ rowrange(c·T), T = tail[0]⋯tail[-1], when centred on c): a bound on the row
    ranges of P·T, given a bound ρ on the row ranges of T."""
    if centre is None:
        return (P.abs() @ rho.col()).flat()
    spread = _row_chain(centre, tail).rowrange()
    return broadcast(spread, P.mant.shape[0]) + ((P - centre.row()).abs() @ rho.col()).flat()


@dataclass
class QKBound:
    approx: Dyadic  # V×V, Approx of EQKE_tok
    eps: Dyadic  # V, ε_q ≥ row range of Err = EQKE_tok − Approx
    peels: list[tuple[Dyadic, Dyadic] | None]
    centres: list[Dyadic | None]
    spectral_eps: tuple[int, int] | None


@dataclass(frozen=True)
class Chain:
    """One peeled chain: factors F_i, peels (x_i, y_i), F_i′ = F_i − x_i·y_iᵀ and its partial products."""

    peels: list[tuple[Dyadic, Dyadic]]
    primed: list[Dyadic]

    def prefix(self, s: int) -> Dyadic:
        """F_1′⋯F_s′ for s = 1..k−1."""
        return self._prefixes[s - 1]

    def suffix(self, s: int) -> Dyadic:
        """F_{s+1}′⋯F_k′ for s = 1..k−1."""
        return self._suffixes[s - 1]

    @cached_property
    def _prefixes(self) -> list[Dyadic]:
        out = [self.primed[0]]
        for f in self.primed[1:-1]:
            out.append(out[-1] @ f)
        return out

    @cached_property
    def _suffixes(self) -> list[Dyadic]:
        out = [self.primed[-1]]
        for f in self.primed[-2:0:-1]:  # right to left, never the V×V product with F_1′
            out.append(f @ out[-1])
        return out[::-1]

    @cached_property
    def err(self) -> Dyadic:
        """Err = F_1′⋯F_k′, formed as (first half)·(second half)."""
        half = len(self.primed) // 2
        return self.prefix(half) @ self.suffix(half)


class Chains:
    """EQKE_tok = Eq·Q·Kᵀ·Ekᵀ and its two peeled chains, each formed once (on first use)."""

    def __init__(self, Eq: Dyadic, Ek: Dyadic, Q: Dyadic, K: Dyadic) -> None:
        self.Eq, self.Ek, self.Q, self.K = Eq, Ek, Q, K

    @cached_property
    def EqQ(self) -> Dyadic:
        return self.Eq @ self.Q

    @cached_property
    def KtEkt(self) -> Dyadic:
        return (self.Ek @ self.K).T

    @cached_property
    def full(self) -> Dyadic:
        return self.EqQ @ self.KtEkt

    @cached_property
    def _svd(self) -> tuple[np.ndarray, np.ndarray]:
        U, _, Vt = np.linalg.svd(self.full.to_float64())
        return U, Vt

    @cache  # noqa: B019 - one Chains per weights, kept by the per-weights cache
    def chain(self, four: bool) -> Chain:
        """Peel rank-1 (rank-2 on the token sides of the 4-factor chain) directions off every factor: the top
        query/key directions of EQKE_tok on the token sides, the top singular directions of W_Q and W_Kᵀ."""
        factors = [self.Eq, self.Q, self.K.T, self.Ek.T] if four else [self.EqQ, self.KtEkt]
        U, Vt = self._svd
        rank = 2 if four else 1
        peels: list[tuple[Dyadic, Dyadic]] = []
        for i, F in enumerate(factors):
            if i == 0:  # the top query directions: F − x·(Fᵀx)ᵀ
                x = Dyadic.from_float(U[:, :rank])
                y = F.T @ x
            elif i == len(factors) - 1:  # the top key directions: F − (F·y)·yᵀ
                y = Dyadic.from_float(Vt[:rank].T)
                x = F @ y
            elif i == 1:  # W_Q: its top left singular direction
                x = Dyadic.from_float(np.linalg.svd(F.to_float64())[0][:, :1])
                y = F.T @ x
            else:  # W_Kᵀ: its top right singular direction
                y = Dyadic.from_float(np.linalg.svd(F.to_float64())[2][:1].T)
                x = F @ y
            peels.append((x, y))
        primed = [F - x @ y.T for F, (x, y) in zip(factors, peels)]
        if any(abs(int(v)).bit_length() >= PEEL_BITS for F in primed for v in F.mant.flat):
            raise ValueError(f"a peeled factor has an entry of {PEEL_BITS} bits or more (docs §10)")
        return Chain(peels, primed)


def qk_bound(qk: str, Eq: Dyadic, Ek: Dyadic, Q: Dyadic, K: Dyadic) -> QKBound:
    """Approx of EQKE_tok = Eq·Q·Kᵀ·Ekᵀ, the bound ε_q on its error, and the choices behind them (§7.2)."""
    return qk_rule(qk, Chains(Eq, Ek, Q, K))


def qk_rule(qk: str, chains: Chains) -> QKBound:
    """One qk rule on shared chains."""
    full = chains.full
    V = full.mant.shape[0]
    if qk == "exact_EQKE+max_diff_exact":
        return QKBound(full, Dyadic(np.zeros(V, dtype=object), 0), [], [], None)
    ch = chains.chain("subproduct" in qk)
    primed, k = ch.primed, len(ch.primed)
    centres: list[Dyadic | None] = []
    spectral = None
    if qk == "max_diff_exact":
        eps = ch.err.rowrange()
    elif qk in SPLIT:
        bounds = []
        for split in range(1, k):
            P = ch.prefix(split)
            c = mean_rows(P) if qk.startswith("mean+") else None
            if c is not None:
                centres.append(c)
            S = ch.suffix(split)
            bounds.append(_range_bound(P, S.rowrange(), c, [S]))
        eps = _minimum(bounds)
    elif qk in RECURSIVE:
        centre_all = qk.startswith("mean_recursive")
        rho = primed[-1].rowrange()
        level_centres: list[Dyadic | None] = []
        for i in range(k - 2, 0, -1):  # 0-based factor i, i.e. levels k−1 .. 2: rows of F_i′⋯F_k′
            c = mean_rows(primed[i]) if centre_all else None
            level_centres.append(c)
            rho = _range_bound(primed[i], rho, c, primed[i + 1 :])
        c1 = mean_rows(primed[0]) if qk.startswith("mean") else None
        eps = _range_bound(primed[0], rho, c1, primed[1:])
        if qk.startswith("mean+"):
            centres = [c1]
        elif centre_all:
            centres = [c1] + level_centres[::-1]
    elif qk == "svd":
        G = primed[0].T @ primed[0]
        Kk = primed[1] @ primed[1].T
        spectral = spectral_eps(G @ Kk)
        eps = broadcast(Dyadic(np.array([spectral[0]], dtype=object), spectral[1]), V)
    else:
        raise ValueError(f"unknown qk option {qk!r}")
    return QKBound(full - ch.err, eps, list(ch.peels), centres, spectral)


def spectral_eps(M: Dyadic) -> tuple[int, int]:
    """A dyadic ε = (m, e) with (ε²/2)^8 ≥ trace(M^8): then ε ≥ √2·σ_1(Err) (docs §7.2, rule `svd`).
    trace(M^8) = Σ_ij M4[i,j]·M4[j,i] with M4 = M^4 (exact; saves the last matrix product)."""
    M2 = M @ M
    M4 = M2 @ M2
    t, e = int((M4.mant * M4.mant.T).sum()), 2 * M4.exp
    if t <= 0:
        return (0, 0)
    # ε^16 ≥ 2^8·t·2^e; take ε = m·2^f with m of about 40 bits: m = ⌈(t·2^(e+8−16f))^(1/16)⌉
    f = (t.bit_length() + e + 8) // 16 - 40
    shift = e + 8 - 16 * f
    N = t << shift if shift >= 0 else -((-t) >> -shift)  # ⌈t·2^shift⌉
    m = _iroot_ceil(N, 16)
    assert (m**16 << max(0, 16 * f - 8 - e)) >= (t << max(0, e - 16 * f + 8))
    return m, f


def _iroot_ceil(N: int, k: int) -> int:
    """⌈N^(1/k)⌉ for N ≥ 1 (integer Newton iteration)."""
    x = 1 << -(-N.bit_length() // k)  # ≥ the root
    while True:
        y = ((k - 1) * x + N // x ** (k - 1)) // k
        if y >= x:
            break
        x = y
    while x**k > N:  # x is now ⌊root⌋ or slightly above; settle exactly
        x -= 1
    return x if x**k == N else x + 1
