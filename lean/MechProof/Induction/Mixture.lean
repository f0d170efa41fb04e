import MechProof.Arith
import MechProof.Induction.Fixed
import MechProof.Induction.CaseTables

/-!
# Bounds on layer-1 mixtures over what a case leaves free (docs/certificate.md §11.5.2)

Mirrors `python/mechproof/tasks/induction/checker/mixture.py`, one layer-1 row at a time (Python vectorizes
over the rows of a key's windows; every row is computed alone there too). The row averages `X(x_l, l)` over
its known columns (weights `w_lo`, `w_hi`) and its free positions (`w_free = W̄_R`): the average lies in
`[L − θ̄·max(0, U − m_R), U + θ̄·max(0, M_R − L)]` for any enclosure `[L, U]` of the known part's average.
-/

set_option autoImplicit false

namespace MechProof

/-- `⌈x/2^FC⌉`. Python: `ceil_shift`. -/
def ceilShift (x : Int) : Int := shrUp x caseFC

/-- The scalars of one layer-1 row restricted to its known columns: `β_lo` per column, `Σ(β_hi − β_lo)`,
`Σβ_lo` and `θ̄`. Python: `Rows` (one of its rows). -/
structure MixRow where
  beta : Array Int
  width : Int
  betaSum : Int
  theta : Int
  deriving Inhabited

/-- `β_lo = ⌊w_lo·2^FC/Σw_hi⌋`, `β_hi = min(⌈w_hi·2^FC/max(Σw_lo, 1)⌉, 2^FC)`,
`θ̄ = min(⌈W̄_R·2^FC/max(Σw_lo + W̄_R, 1)⌉, 2^FC)` (0 without free weight). Python: `Rows.__init__`. -/
def mkMixRow (wLo wHi : Array Int) (wFree : Int) : MixRow := Id.run do
  let mut sLo : Int := 0
  let mut sHi : Int := 0
  for j in List.range wLo.size do
    sLo := sLo + wLo[j]!
    sHi := sHi + wHi[j]!
  let one : Int := pow2 caseFC
  let mut beta : Array Int := #[]
  let mut width : Int := 0
  let mut betaSum : Int := 0
  for j in List.range wLo.size do
    let b : Int := floorDiv (wLo[j]! * one) sHi
    let bHi : Int := intMin (ceilDiv (wHi[j]! * one) (intMax sLo 1)) one
    beta := beta.push b
    width := width + (bHi - b)
    betaSum := betaSum + b
  let theta : Int :=
    if 0 < wFree then intMin (ceilDiv (wFree * one) (intMax (sLo + wFree) 1)) one else 0
  return { beta := beta, width := width, betaSum := betaSum, theta := theta }

/-- The upper bound at precision `FC` of the row's mixture of entries `X̂` (`xs`: one per known column),
with `xmax ≥ every |X̂| + 1` and `rMax` the largest `X̂` over the free positions' allowed tokens. Python:
`Rows.bounds` (its `upper`; the checker never asks for the lower one). -/
def MixRow.upper (row : MixRow) (xs : Array Int) (xmax rMax : Int) : Int := Id.run do
  let mut s : Int := 0
  for j in List.range xs.size do
    s := s + row.beta[j]! * xs[j]!
  let width : Int := row.width * xmax
  let hi : Int := s + (row.betaSum + width)
  let lo : Int := s - width
  let gap : Int := intMax ((rMax + 1) * pow2 caseFC - lo) 0
  return ceilShift (hi + row.theta * ceilShift gap)

end MechProof
