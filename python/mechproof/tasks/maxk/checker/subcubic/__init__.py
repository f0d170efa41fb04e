"""Checks the claims of a subcubic certificate (docs/certificate.md §7) with exact arithmetic.

Python integers and fractions.Fraction only. Nothing here comes from the producer but the parsed certificate:
every quantity of §7.2 is recomputed from the weights and the *choices* (data used without verification, for
which the argument is sound whatever their value). Every multiplication, addition, comparison and exp enclosure
is counted in `arith.OPS` (bulk counts for matrix products), because the count is the proof length; the code
never forms EQKE_tok or EUPU unless the variant says so, and never a V×d×V product in the QK chain except for the
`*_exact` variants.

The modules follow the order of the spec, and `lean/MechProof/Subcubic.lean` mirrors them function by function
in this order: `exact` (helpers, the choices of §7.1), `qk` (chain factors, peels, Approx, ε_q per `qk` rule),
`paths` (EQKP_err, π, OV/direct quantities, EUPU rule), `cases` (well-formedness, attention and output bounds,
coverage: §7.3).
"""

from __future__ import annotations

from .exact import QK_TWO, QK_FOUR, DROP_AVG, frac, frac_str, rowrange, centred_abs, weighted, plus_const, vec_min, min_dy, choice_vec, choice_mat, n_factors, centre, avg_table
from .qk import Peeled, QK_EXACT, Model, chain_factors, peel_pieces, peel, approx_matrix, product, eps_max_diff_exact, eps_split, eps_recursive, eps_svd, epsilon, exact_eqke_tok
from .paths import Interval, EUPU_MEAN, eqkp_err, pi_bounds, position_order, OV, eupu_terms, logit_l
from .cases import PEELED_BITS, coverage, check_well_formed, eqkp_exact, SubcubicChecker, subcubic_covers, check_subcubic

__all__ = [
    "QK_TWO",
    "QK_FOUR",
    "DROP_AVG",
    "frac",
    "frac_str",
    "rowrange",
    "centred_abs",
    "weighted",
    "plus_const",
    "vec_min",
    "min_dy",
    "choice_vec",
    "choice_mat",
    "n_factors",
    "centre",
    "avg_table",
    "Peeled",
    "QK_EXACT",
    "Model",
    "chain_factors",
    "peel_pieces",
    "peel",
    "approx_matrix",
    "product",
    "eps_max_diff_exact",
    "eps_split",
    "eps_recursive",
    "eps_svd",
    "epsilon",
    "exact_eqke_tok",
    "Interval",
    "EUPU_MEAN",
    "eqkp_err",
    "pi_bounds",
    "position_order",
    "OV",
    "eupu_terms",
    "logit_l",
    "PEELED_BITS",
    "coverage",
    "check_well_formed",
    "eqkp_exact",
    "SubcubicChecker",
    "subcubic_covers",
    "check_subcubic",
]
