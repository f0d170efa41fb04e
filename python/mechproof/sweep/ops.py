"""Proof length of the brute-force "proof": it has no certificate to count from, so it is counted analytically,
in the checker's units, to sit on the same axis as the certified strategies."""

from __future__ import annotations

from ..config import ModelConfig


def brute_force_ops(cfg: ModelConfig) -> dict[str, int]:
    """Proof length of the brute-force "proof", counted analytically (it has no certificate to count from).

    Kinds and units are the checker's (one scalar mul/add/cmp, one exp enclosure; checker.arith.OPS):

    * precomputation, as the checker does it (checker.matrices.exact_matrices): Ẽ = W_E + W_pos[n−1] (V·d adds);
      Ẽ W_Q W_Kᵀ (V·d·h + V·h·d); W_V W_O W_U (d·h·d + d·d·V); EUPU, EVOU, EQKE (V·d·V each), PVOU (n·d·V),
      EQKP (V·d·n), a multiplication and an addition per term; then the V·V + V·n exp enclosures of EQKE and
      EQKP (after scaling by 1/√d_head: one more mul each);
    * per input, all V^n of them, the factored forward pass that tasks/maxk/bruteforce.py evaluates (its module docstring):
      per position p, w_p = tok[q,t_p]·pos[q,p] (1 mul), L_j = EUPU[q,j] + EVOU[t_p,j] + PVOU[p,j] (2V adds) and
      w_p·L_j (V muls); G_j = Σ_p w_p L_j ((n−1)V adds); W = Σ_p w_p (n−1 adds); the max token m (n−1 cmps);
      N_j = G_j − G_m (V−1 adds); max_{j≠m} N_j (V−2 cmps); τ = ηB·W (1 mul) and N's comparisons with ±τ (2 cmps).

    That is inputs × (n(V+1)+1 mul, 2nV+(n−1)(V+1)+V−1 add, n+V−1 cmp): for the paper's model (V=64, n=4)
    1098 operations per input, 1.84·10¹⁰ in all. It counts every input as checked on its own, which is what a
    brute-force proof is; tasks/maxk/bruteforce.py's implementation shares partial sums between inputs with a common suffix
    and does about 2V+6 float operations per input. (The paper's 1.4·10¹⁴ FLOPs count a full unfactored
    TransformerLens forward pass per input, docs/paper.md §6.3.)
    """
    V, n = cfg.d_vocab, cfg.n_ctx
    mats = matrix_ops(cfg)
    exps = V * V + V * n
    inputs = V**n
    per_mul = n * (V + 1) + 1
    per_add = 2 * n * V + (n - 1) * (V + 1) + (V - 1)
    per_cmp = (n - 1) + (V - 2) + 2
    return {
        "add": mats["add"] + inputs * per_add,
        "cmp": inputs * per_cmp,
        "exp": exps,
        "mul": mats["mul"] + exps + inputs * per_mul,
    }


def matrix_ops(cfg: ModelConfig) -> dict[str, int]:
    """The precomputation part of `brute_force_ops`: the exact matrices, counted as the checker counts them."""
    V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    products = V * d * h + V * h * d + d * h * d + d * d * V + 3 * V * d * V + n * d * V + V * d * n
    return {"add": V * d + products, "mul": products}
