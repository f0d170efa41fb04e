"""An independent, slow, exact-as-needed reference for tests: the model's definition evaluated input by input.

It follows the transformer literally (embeddings, Q/K/V/O, softmax, unembedding) in mpmath interval arithmetic
from the weight mantissas, sharing no code with mechproof's brute force, exact matrices or strategies. Only
for tiny configurations.
"""

from __future__ import annotations

import itertools

import torch
from mpmath import iv

from mechproof.config import ModelConfig, TrainConfig
from mechproof.tasks.maxk.training import train
from mechproof.weights import ExactWeights, from_torch


def _tensor(w: ExactWeights, name: str) -> list:
    t = w.tensors[name]
    vals = [iv.ldexp(iv.mpf(m), t.exponent) for m in t.mantissas]
    shape = t.shape[-2:] if len(t.shape) == 3 else t.shape
    rows, cols = shape
    return [vals[i * cols : (i + 1) * cols] for i in range(rows)]


def _vecmat(v: list, M: list) -> list:
    return [sum((v[i] * M[i][j] for i in range(len(v))), iv.mpf(0)) for j in range(len(M[0]))]


def literal(w: ExactWeights, prec: int = 200, inputs=None):  # noqa: ANN001, ANN201 - generator
    """For every input (or those given): (tokens, α = attention on the max-token positions,
    [logit_j − logit_m for j ≠ m]), as mpmath intervals at `prec` bits, following the transformer's definition
    literally."""
    old = iv.prec
    iv.prec = prec
    try:
        cfg = w.cfg
        E, P, Q, K, V, O, U = (_tensor(w, n) for n in ("W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U"))
        scale = 1 / iv.sqrt(iv.mpf(cfg.d_head))
        if inputs is None:
            inputs = itertools.product(range(cfg.d_vocab), repeat=cfg.n_ctx)
        for tokens in inputs:
            tokens = tuple(int(t) for t in tokens)
            resid = [[E[t][i] + P[p][i] for i in range(cfg.d_model)] for p, t in enumerate(tokens)]
            query = _vecmat(resid[-1], Q)
            scores = [sum((a * b for a, b in zip(query, _vecmat(r, K))), iv.mpf(0)) * scale for r in resid]
            top = max(float(s.mid) for s in scores)
            ws = [iv.exp(s - top) for s in scores]
            total = sum(ws, iv.mpf(0))
            m = max(tokens)
            alpha = sum((wt for wt, t in zip(ws, tokens) if t == m), iv.mpf(0)) / total
            mixed = [iv.mpf(0)] * cfg.d_head
            for wgt, r in zip(ws, resid):
                mixed = [a + wgt * b / total for a, b in zip(mixed, _vecmat(r, V))]
            final = [a + b for a, b in zip(resid[-1], _vecmat(mixed, O))]
            logits = _vecmat(final, U)
            yield tokens, alpha, [logits[j] - logits[m] for j in range(cfg.d_vocab) if j != m]
    finally:
        iv.prec = old


def verdicts(w: ExactWeights, prec: int = 200, inputs=None) -> dict[tuple[int, ...], bool | None]:  # noqa: ANN001
    """For every input (or those given): True if the max token's logit is strictly largest, False if not, None
    if undecided."""
    out: dict[tuple[int, ...], bool | None] = {}
    for tokens, _, diffs in literal(w, prec, inputs):
        if any(d.a >= 0 for d in diffs):
            out[tokens] = False
        elif all(d.b < 0 for d in diffs):
            out[tokens] = True
        else:
            out[tokens] = None
    return out


def small_model(cfg: ModelConfig, seed: int, steps: int, noise: float = 0.0) -> ExactWeights:
    """A quickly trained tiny model, optionally with Gaussian noise added to every weight."""
    model = train(cfg, TrainConfig(seed=seed, steps=steps), progress=False).model
    tensors = model.named_tensors()
    if noise:
        g = torch.Generator().manual_seed(seed + 7)
        tensors = {k: v + noise * torch.randn(v.shape, generator=g) for k, v in tensors.items()}
    return from_torch(cfg, tensors, seed=seed)


def covered_inputs(cases, n: int):  # noqa: ANN001, ANN201
    """Every input a cubic certificate's case list covers (each once per case)."""
    for q, m, c, G in cases:
        if c == 0:
            yield tuple([m] * (n - 1) + [q])
            continue
        for nonmax_pos in itertools.combinations(range(n - 1), c):
            for ks in itertools.product(G, repeat=c):
                seq = [m] * (n - 1)
                for p, k in zip(nonmax_pos, ks):
                    seq[p] = k
                yield tuple(seq + [q])


def cover_counts(cases, V: int, n: int, kind: str, paper_count: bool = False):  # noqa: ANN001, ANN201
    """How many certificate cases cover each input ([t_0, …, t_{n-1}] int array), for cubic or subcubic
    case lists, built by block assignment (independent of the strategies' own counting)."""
    import numpy as np

    counts = np.zeros((V,) * n, dtype=np.int16)
    for entry in cases:
        if kind == "cubic":
            q, m, c, G = entry
            nonmax_sets = itertools.combinations(range(n - 1), c)
            token_index = np.array(G)
        else:
            q, m, c, g = entry
            k = c if q == m else c - 1
            nonmax_sets = itertools.combinations(range(n - 1), k)
            token_index = np.arange(0, m - g + (0 if paper_count else 1))
        for S in nonmax_sets:
            idx = []
            for p in range(n - 1):
                idx.append(token_index if p in S else np.array([m]))
            idx.append(np.array([q]))
            counts[np.ix_(*idx)] += 1
    return counts


def input_rule(w: ExactWeights, r: tuple[int, int, int], inputs=None):  # noqa: ANN001, ANN201
    """docs/certificate.md §8 transliterated with the checker's exp_bounds and exact matrices (nothing from the
    producer): for every input (or the given token tuples), (right?, {j: lo_j} for the j ≠ m with lo_j ≥ 0).
    `r` is the inv_sqrt claim."""
    from fractions import Fraction

    from mechproof.checker.arith import exp_bounds
    from mechproof.checker.matrices import exact_matrices

    mats = exact_matrices(w)
    V, n = w.cfg.d_vocab, w.cfg.n_ctx

    def F(dy):  # noqa: ANN001, ANN202
        return Fraction(dy[0]) * Fraction(2) ** dy[1]

    def val(name, i, j):  # noqa: ANN001, ANN202
        rows, e = mats[name]
        return Fraction(rows[i][j]) * Fraction(2) ** e

    def enclosure(name, i, j):  # noqa: ANN001, ANN202
        rows, e = mats[name]
        a = rows[i][j]
        x1, x2 = (a * r[0], e + r[2]), (a * r[1], e + r[2])
        x_lo, x_hi = (x1, x2) if a >= 0 else (x2, x1)
        return F(exp_bounds(x_lo)[0]), F(exp_bounds(x_hi)[1])

    tok: dict = {}
    pos: dict = {}
    out = {}
    for tokens in itertools.product(range(V), repeat=n) if inputs is None else inputs:
        tokens = tuple(int(t) for t in tokens)
        for p, t in enumerate(tokens):
            if (tokens[-1], t) not in tok:
                tok[tokens[-1], t] = enclosure("EQKE", tokens[-1], t)
            if (tokens[-1], p) not in pos:
                pos[tokens[-1], p] = enclosure("EQKP", tokens[-1], p)
        q, m = tokens[-1], max(tokens)
        same = len(set(tokens)) == 1
        w_lo = [(1 if same else tok[q, t][0]) * pos[q, p][0] for p, t in enumerate(tokens)]
        w_hi = [(1 if same else tok[q, t][1]) * pos[q, p][1] for p, t in enumerate(tokens)]
        right, wrong = True, {}
        for j in range(V):
            if j == m:
                continue
            up = lo = Fraction(0)
            for p, t in enumerate(tokens):
                N = (val("EUPU", q, j) - val("EUPU", q, m)) + (val("EVOU", t, j) - val("EVOU", t, m))
                N += val("PVOU", p, j) - val("PVOU", p, m)
                up += N * (w_hi[p] if N >= 0 else w_lo[p])
                lo += N * (w_lo[p] if N >= 0 else w_hi[p])
            right = right and up < 0
            if lo >= 0:
                wrong[j] = lo
        out[tokens] = (right, wrong)
    return out


def index(tokens, V: int) -> int:  # noqa: ANN001
    """Input index Σ_p t_p·V^p (position 0 least significant), docs §8."""
    return sum(t * V**p for p, t in enumerate(tokens))


class CubicReference:
    """docs/certificate.md §2, §4.3 and §4.4 transliterated with exact rationals from the checker's matrices (not
    the producer's code): exact U, classes and keys, group terms and the case test, for checking cubic claims."""

    def __init__(self, w: ExactWeights, claims: dict) -> None:
        from fractions import Fraction

        from mechproof.checker.matrices import exact_matrices

        self.F = lambda m, e: Fraction(m) * Fraction(2) ** e  # noqa: E731
        mats = exact_matrices(w)
        self.V, self.n = w.cfg.d_vocab, w.cfg.n_ctx

        def frac(name):  # noqa: ANN001, ANN202
            rows, e = mats[name]
            return [[self.F(x, e) for x in row] for row in rows]

        EU, EV, PV = frac("EUPU"), frac("EVOU"), frac("PVOU")
        V, n = self.V, self.n
        P_star = [[max(PV[p][j] - PV[p][m] for p in range(n)) for j in range(V)] for m in range(V)]
        self.E_star = [[max(EU[q][j] - EU[q][m] for j in range(V) if j != m) for m in range(V)] for q in range(V)]
        self.V_star = [[max(EV[t][j] - EV[t][m] + P_star[m][j] for j in range(V) if j != m) for t in range(V)] for m in range(V)]
        eqkp = mats["EQKP"][0]
        self.order = [sorted(range(n - 1), key=lambda p, q=q: (eqkp[q][p], p)) for q in range(V)]

        def claim(c):  # noqa: ANN001, ANN202
            return [[(self.F(lo, e), self.F(hi, e)) for lo, hi, e in zip(*rows)] for rows in zip(c["lo"], c["hi"], c["exp"])]

        self.tok, self.pos = claim(claims["exp_eqke"]), claim(claims["exp_eqkp"])

    def U(self, q: int, m: int, t: int):  # noqa: ANN201
        return self.E_star[q][m] + self.V_star[m][t]

    def key(self, q: int, m: int, k: int) -> tuple[int, object]:
        u = self.U(q, m, k)
        return (1, u * self.tok[q][k][1]) if u >= 0 else (-1, u * self.tok[q][k][0])

    def group(self, q: int, m: int, t: int, slots: list[int]):  # noqa: ANN201
        if not slots:
            return 0
        u = self.U(q, m, t)
        end = 1 if u >= 0 else 0
        return u * self.tok[q][t][end] * sum(self.pos[q][p][end] for p in slots)

    def placements(self, q: int, c: int) -> list[tuple[list[int], list[int]]]:
        n_max, order = self.n - 1 - c, self.order[q]
        return [(s, [p for p in range(self.n - 1) if p not in s]) for s in (order[:n_max], order[c:])]

    def passes(self, q: int, m: int, c: int, k: int) -> bool:
        """§4.3: the pure input with non-max token k, both placements."""
        for mx, others in self.placements(q, c):
            groups = [(m, mx + ([self.n - 1] if q == m else [])), (k, others)] + ([(q, [self.n - 1])] if q != m else [])
            if not sum(self.group(q, m, t, s) for t, s in groups) < 0:
                return False
        return True

    def prefix_set(self, q: int, m: int, kp: int, kn: int) -> list[int]:
        """§4.4: G from the boundary tokens (raises AssertionError on a boundary of the wrong class)."""
        keys = {k: self.key(q, m, k) for k in range(m)}
        G = []
        for b, cls in ((kp, 1), (kn, -1)):
            if b < 0:
                continue
            assert keys[b][0] == cls, f"boundary token {b} of the wrong class"
            G += [k for k in range(m) if keys[k][0] == cls and (keys[k][1], k) <= (keys[b][1], b)]
        return sorted(G)

    def boundary_test(self, q: int, m: int, c: int, kp: int, kn: int) -> bool:
        """§4.4: T_max + T_q + max(A_kp·S⁺, A_kn·S⁻) < 0 for both placements."""
        for mx, others in self.placements(q, c):
            base = self.group(q, m, m, mx + ([self.n - 1] if q == m else [])) + (self.group(q, m, q, [self.n - 1]) if q != m else 0)
            parts = []
            if kp >= 0:
                parts.append(self.key(q, m, kp)[1] * sum(self.pos[q][p][1] for p in others))
            if kn >= 0:
                parts.append(self.key(q, m, kn)[1] * sum(self.pos[q][p][0] for p in others))
            if not base + max(parts) < 0:
                return False
        return True


def check_cubic_prefix(w: ExactWeights, claims: dict, sizes=None):  # noqa: ANN001, ANN201
    """Check every cubic-prefix entry with the reference (well-formed, boundary test exact, token set maximal,
    c = 0 by the input rule; |G| = sizes when given) and return the cases as (q, m, c, G), G per docs §4.4."""
    ref = CubicReference(w, claims)
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    listed = {}
    entries = claims["cases"]["entries"]
    for (q, m, c, kp, kn), size in zip(entries, sizes or [None] * len(entries)):
        assert 0 <= q <= m < V and 0 <= c <= (n - 1 if q == m else n - 2)
        assert (q, m, c) not in listed, "case listed twice"
        if c == 0:
            assert kp == kn == -1 and size in (0, None)
            listed[q, m, c] = [m]
            continue
        assert (kp, kn) != (-1, -1) and all(-1 <= b < m for b in (kp, kn))
        G = ref.prefix_set(q, m, kp, kn)
        assert ref.boundary_test(q, m, c, kp, kn), f"case[{q},{m},{c}] fails its test"
        assert size is None or len(G) == size
        listed[q, m, c] = G
    r = (claims["inv_sqrt_d_head"]["lo"], claims["inv_sqrt_d_head"]["hi"], claims["inv_sqrt_d_head"]["exp"])
    c0_inputs = [(m,) * (n - 1) + (q,) for m in range(V) for q in range(m + 1)]
    rule = input_rule(w, r, c0_inputs)
    for m in range(V):
        for q in range(m + 1):
            assert ((q, m, 0) in listed) == rule[(m,) * (n - 1) + (q,)][0], f"c = 0 case ({q}, {m})"
            for c in range(1, n if q == m else n - 1):
                passing = [k for k in range(m) if ref.passes(q, m, c, k)]
                assert listed.get((q, m, c), []) == passing, f"case ({q},{m},{c}) is not the maximal set"
    return [(q, m, c, G) for (q, m, c), G in listed.items()]
