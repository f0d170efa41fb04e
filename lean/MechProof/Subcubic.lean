import MechProof.Arith
import MechProof.Exp
import MechProof.Failures
import MechProof.Parse
import MechProof.Matrices
import MechProof.Cubic
import MechProof.Inputs

/-!
# The claims of a subcubic certificate (docs/certificate.md §7)

Mirrors `python/mechproof/tasks/maxk/checker/subcubic/` function by function, in the same order (its modules `exact`, `qk`,
`paths`, `cases` in turn; same names in camelCase; the classes `Model`, `OV` and `SubcubicChecker` become a
structure plus `mkModel`, `mkOV`, `mkSubcubicChecker`, and the methods `SubcubicChecker.rule`, `…gaps`,
`…slots`, `…attentionBounds`, `…h`, `…outputBound`, `…holds`, `…checkEntry`). Every quantity of §7.2 is
recomputed from the weights and the *choices* (data used without verification: the argument is sound for
every value of a choice). A `c = 0` case is the single input `(m, …, m)`, decided by the input rule of docs §8
(`MechProof/Inputs.lean`); `residual` and `wrong` (docs §9) are checked against the subcubic coverage (`subcubicCovers`).

Only `Int`/`Nat` arithmetic and dyadics (`Dy`, `Mat`, `Vec`) are used. Where the attention bounds
`a_lo`, `a_hi` and the output bound `B(α)` are fractions, they are cross-multiplied, so that every
comparison is a sign test of an exact integer or dyadic:

* `α = N/D` with `N = Y` and `D = Y + κ·Z`; `Y > 0` is required (as in Python) and `κ > 0`, `Z ≥ 0`
  because every `exp_bounds` end is positive, so `D ≥ Y > 0`.
* `B(α) = h + (α − v)·R + (1 − α)·W + ΔEU` with `R = R_max(m)` if `α ≥ v`, else `R_min(m)`.
  Multiplying by `D > 0` keeps the sign and turns every fraction into a dyadic:
  `D·B(α) = D·h + (N − v·D)·R + (D − N)·W + D·ΔEU`,
  and `α ≥ v ⟺ N ≥ v·D ⟺ sign(N − v·D) ≥ 0` (again because `D > 0`). So
  `B(α) < 0 ⟺ D·h + (N − v·D)·R + (D − N)·W + D·ΔEU < 0`, which `SubcubicChecker.holds` computes with
  integers at one exponent, as Python's `holds` does (`SubcubicChecker.attentionBounds` and
  `…outputBound` give the same quantities as dyadic fractions, as Python's audit functions do).
  `tests/test_lean_subcubic.py` compares line-by-line Python transliterations of both with the Python
  checker (including `α = v` exactly and `W = 0`).

Where Python uses a dict (`eps_recursive`'s centres, `approx_matrix`'s products, the slot masses of
`_positions`) this file uses arrays; `approxMatrix` enumerates the non-empty sets of peeled factors by
bit mask instead of `itertools.combinations`: the sum is exact and its exponent is the minimum over all
terms, so the result is the same in any order.
-/

set_option autoImplicit false

namespace MechProof

/-- Python: `QK_TWO`, `QK_FOUR`, `QK_EXACT`, `EUPU_MEAN`, `DROP_AVG`. -/
def qkTwo : Array String := #["svd", "max_diff", "mean+max_diff", "max_diff_exact"]

def qkFour : Array String :=
  #["max_diff_subproduct", "mean+max_diff_subproduct", "max_diff_subproduct_recursive",
    "mean+max_diff_subproduct_recursive", "mean_recursive+max_diff_subproduct_recursive"]

def qkExact : String := "exact_EQKE+max_diff_exact"

def eupuMean : Array String := #["mean_query+max_diff", "svd_query+max_diff"]

def dropAvg : String := "drop_average_query_per_output_logit_reasoning"

/-! ## Small exact helpers -/

/-- `max − min` of a row (of one exponent). (Python fails on an empty row; no row here is empty.) -/
def rowrange (row : Array Int) : Int := Id.run do
  if row.size == 0 then
    return 0
  let mut hi : Int := row[0]!
  let mut lo : Int := row[0]!
  for x in row do
    hi := intMax hi x
    lo := intMin lo x
  return hi - lo

/-- `|a[i][t]|` for every entry. -/
def absMat (a : Mat) : Mat := Id.run do
  let mut out : Array (Array Int) := #[]
  for r in a.rows do
    let mut o : Array Int := #[]
    for x in r do
      o := o.push (intAbs x)
    out := out.push o
  return Mat.mk out a.e

/-- `|a[i][t] − c[t]|` for every entry, at the smaller exponent. -/
def centredAbsBy (a : Mat) (c : Vec) : Mat := Id.run do
  let ec : Int := intMin a.e c.e
  let sa : Int := pow2 (a.e - ec).toNat
  let sc : Int := pow2 (c.e - ec).toNat
  let mut out : Array (Array Int) := #[]
  for r in a.rows do
    let mut o : Array Int := #[]
    for t in List.range (natMin r.size c.mant.size) do
      o := o.push (intAbs (r[t]! * sa - c.mant[t]! * sc))
    out := out.push o
  return Mat.mk out ec

/-- `|a[i][t] − c[t]|` (no centre: `|a[i][t]|`), at the smaller exponent. -/
def centredAbs (a : Mat) (c : Option Vec) : Mat :=
  match c with
  | none => absMat a
  | some cv => centredAbsBy a cv

/-- `Σ_t a[i][t]·rho[t]` for every row `i`. -/
def weighted (a : Mat) (rho : Vec) : Vec := Id.run do
  let mut out : Array Int := #[]
  for r in a.rows do
    let mut s : Int := 0
    for t in List.range (natMin r.size rho.mant.size) do
      s := s + r[t]! * rho.mant[t]!
    out := out.push s
  return Vec.mk out (a.e + rho.e)

/-- `v + k` (`k` added to every entry), at the smaller exponent. -/
def plusConst (v : Vec) (k : Dy) : Vec := Id.run do
  let e : Int := intMin v.e k.e
  let sv : Int := pow2 (v.e - e).toNat
  let kk : Int := k.m * pow2 (k.e - e).toNat
  let mut out : Array Int := #[]
  for x in v.mant do
    out := out.push (x * sv + kk)
  return Vec.mk out e

/-- Entrywise minimum, at the smaller exponent. -/
def vecMin (a b : Vec) : Vec := Id.run do
  let e : Int := intMin a.e b.e
  let a2 : Array Int := (vecRescale a e).mant
  let b2 : Array Int := (vecRescale b e).mant
  let mut out : Array Int := #[]
  for i in List.range (natMin a2.size b2.size) do
    out := out.push (intMin (a2[i]!) (b2[i]!))
  return Vec.mk out e

def minDy (x y : Dy) : Dy := if dyLt x y then x else y

/-- `n` copies of `x`. -/
def replicateInt (n : Nat) (x : Int) : Array Int := Id.run do
  let mut out : Array Int := #[]
  for _ in List.range n do
    out := out.push x
  return out

/-! ## Choices (§7.1) -/

/-- Malformed choice at `claims.choices.<fld>`. Python: `_bad`. -/
def bad (fld what : String) : CheckError :=
  CheckError.input InputFile.certificate s!"claims.choices.{fld}" what

def choiceVec (v : DyVec) (length : Nat) (fld : String) : Except CheckError Vec := do
  if v.mant.size != length then
    throw (bad s!"{fld}.mant" s!"expected {length} entries, got {v.mant.size}")
  return Vec.mk v.mant v.exp

/-- A claimed matrix of `rows` rows and `cols` columns (`none`: any common width). -/
def choiceMat (a : DyMat) (rows : Nat) (cols : Option Nat) (fld : String) : Except CheckError Mat := do
  if a.rows.size != rows then
    throw (bad s!"{fld}.rows" s!"expected {rows} rows, got {a.rows.size}")
  let width : Nat := cols.getD (if a.rows.size == 0 then 0 else (a.rows[0]!).size)
  let mut i : Nat := 0
  for r in a.rows do
    if r.size != width then
      throw (bad s!"{fld}.rows[{i}]" s!"expected {width} entries, got {r.size}")
    i := i + 1
  return Mat.mk a.rows a.exp

def nFactors (qk : String) : Nat :=
  if memStr qkTwo qk then 2 else if memStr qkFour qk then 4 else 0

/-- `centres[j]`, a vector of `length` entries, which the variant needs. -/
def centre (choices : SubcubicChoices) (j length : Nat) : Except CheckError Vec :=
  match choices.centres[j]? with
  | some (some v) => choiceVec v length s!"centres[{j}]"
  | _ => Except.error (bad s!"centres[{j}]" s!"this qk variant needs a centre vector of {length} entries here")

/-- `avg` (V×n dyadics); all `[0, 0]` for the drop-average attention rule (claim ids
`choices.avg[m,c]`). -/
def avgTable (choices : SubcubicChoices) (attention : String) (V n : Nat) :
    Except CheckError (Array (Array Dy)) := do
  let avg := choices.avg
  if avg.size != V then
    throw (bad "avg" s!"expected {V} rows (one per max token), got {avg.size}")
  let mut m : Nat := 0
  for row in avg do
    if row.size != n then
      throw (bad s!"avg[{m}]" s!"expected {n} entries (one per c = 0..n−1), got {row.size}")
    m := m + 1
  if attention == dropAvg then
    let mut mi : Nat := 0
    for row in avg do
      let mut ci : Nat := 0
      for v in row do
        require (v.m == 0 && v.e == 0) s!"choices.avg[{mi},{ci}]" s!"must be [0, 0] for {dropAvg}"
          s!"[{v.m}, {v.e}]" "[0, 0]"
        ci := ci + 1
      mi := mi + 1
  return avg

/-! ## 7.2 The QK chain -/

/-- The weights as exact matrices, plus `Ẽ_q = W_E + W_pos[n−1]` (`etq`) and `Ẽ_k = W_E + κ` (`etk`).
Python: class `Model`. -/
structure Model where
  V : Nat
  n : Nat
  E : Mat
  P : Mat
  U : Mat
  Q : Mat
  K : Mat
  Vw : Mat
  O : Mat
  etq : Mat
  kappa : Vec
  etk : Mat
  deriving Inhabited

/-- Python: `Model.__init__`. -/
def mkModel (w : ExactWeights) (kappa : Vec) : Model :=
  let n : Nat := w.cfg.nCtx
  let mE := tensor w.wE
  let mP := tensor w.wPos
  { V := w.cfg.dVocab, n := n, E := mE, P := mP, U := tensor w.wU, Q := tensor w.wQ,
    K := tensor w.wK, Vw := tensor w.wV, O := tensor w.wO,
    etq := addRow mE (mP.rows[n - 1]!) mP.e, kappa := kappa,
    etk := addRow mE kappa.mant kappa.e }

/-- `F_1..F_k` with `F_1⋯F_k = Ẽ_q·W_Q·W_Kᵀ·Ẽ_kᵀ` (k = 2 or 4; none for exact_EQKE). -/
def chainFactors (md : Model) (qk : String) : Array Mat :=
  if memStr qkTwo qk then #[matmul md.etq md.Q, transpose (matmul md.etk md.K)]
  else if memStr qkFour qk then #[md.etq, md.Q, transpose md.K, transpose md.etk]
  else #[]

/-- One peel, shape-checked (`x`: rows(F_i)×r, `y`: cols(F_i)×r); rank 0 is no peel. -/
def peelPiece (f : Mat) (p : Option Peel) (i : Nat) : Except CheckError (Option (Mat × Mat)) :=
  match p with
  | none => Except.ok none
  | some pl => do
    let sh := shape f
    let x ← choiceMat pl.x sh.1 none s!"peels[{i}].x"
    let r : Nat := (shape x).2
    let y ← choiceMat pl.y sh.2 (some r) s!"peels[{i}].y"
    return (if r == 0 then none else some (x, y))

/-- The peels as exact `(x, y)`, one per factor. -/
def peelPieces (F : Array Mat) (choices : SubcubicChoices) :
    Except CheckError (Array (Option (Mat × Mat))) := do
  if choices.peels.size != F.size then
    throw (bad "peels" s!"expected one entry per chain factor ({F.size}), got {choices.peels.size}")
  let mut out : Array (Option (Mat × Mat)) := #[]
  let mut i : Nat := 0
  for p in choices.peels do
    let piece ← peelPiece (F[i]!) p i
    out := out.push piece
    i := i + 1
  return out

/-- `F_i − x·yᵀ` (`F_i` when not peeled). -/
def peelOne (f : Mat) (p : Option (Mat × Mat)) : Mat :=
  match p with
  | none => f
  | some xy => matAdd f (matmul xy.1 (transpose xy.2)) (-1)

/-- `F_i′ = F_i − x·yᵀ` (`F_i` when not peeled). -/
def peel (F : Array Mat) (pieces : Array (Option (Mat × Mat))) : Array Mat := Id.run do
  let mut out : Array Mat := #[]
  for i in List.range (natMin F.size pieces.size) do
    out := out.push (peelOne (F[i]!) (pieces[i]!))
  return out

/-- The peel `(x, y)` of factor `i` (a default pair where there is none; only read where there is). -/
def pieceAt (pieces : Array (Option (Mat × Mat))) (i : Nat) : Mat × Mat :=
  (pieces[i]!).getD default

/-- `Approx = F_1⋯F_k − F_1′⋯F_k′ = Σ` over non-empty sets `S` of peeled factors of the product with
`x·yᵀ` at `S` and `F_i′` elsewhere, each formed as `(F′⋯F′·x)·(yᵀ·F′⋯F′·x)⋯(yᵀ·F′⋯F′)`: thin matrices
and r×r middles, never a V×d×V product. `left[i] = F_1′⋯F_{i−1}′·x_i`, `right[i] = y_iᵀ·F_{i+1}′⋯F_k′`,
`mid[a·k + b] = y_aᵀ·F_{a+1}′⋯F_{b−1}′·x_b` (a < b). -/
def approxMatrix (Fp : Array Mat) (pieces : Array (Option (Mat × Mat))) (rows cols : Nat) : Mat := Id.run do
  let k : Nat := Fp.size
  let mut idx : Array Nat := #[]
  for i in List.range k do
    if (pieces[i]!).isSome then
      idx := idx.push i
  let mut left : Array Mat := #[]
  let mut right : Array Mat := #[]
  for i in List.range k do
    if (pieces[i]!).isSome then
      let xy := pieceAt pieces i
      let mut z : Mat := xy.1
      for j in (List.range i).reverse do
        z := matmul (Fp[j]!) z
      left := left.push z
      let mut z2 : Mat := transpose xy.2
      for j in List.range k do
        if i < j then
          z2 := matmul z2 (Fp[j]!)
      right := right.push z2
    else
      left := left.push default
      right := right.push default
  let mut mid : Array Mat := #[]
  for a in List.range k do
    for b in List.range k do
      if decide (a < b) && (pieces[a]!).isSome && (pieces[b]!).isSome then
        let mut z : Mat := (pieceAt pieces b).1
        for j in (List.range b).reverse do
          if a < j then
            z := matmul (Fp[j]!) z
        mid := mid.push (matmul (transpose (pieceAt pieces a).2) z)
      else
        mid := mid.push default
  let mut total : Mat := zeros rows cols
  for mask in List.range (2 ^ idx.size) do
    if mask != 0 then
      let mut S : Array Nat := #[]
      for t in List.range idx.size do
        if (mask / 2 ^ t) % 2 == 1 then
          S := S.push (idx[t]!)
      let first : Nat := S[0]!
      let lastI : Nat := S[S.size - 1]!
      let mut z : Mat := left[first]!
      for t in List.range (S.size - 1) do
        let a : Nat := S[t]!
        let b : Nat := S[t + 1]!
        z := matmul z (mid[a * k + b]!)
      total := matAdd total (matmul z (right[lastI]!)) 1
  return total

/-- `mats[0]·mats[1]⋯`. -/
def product (mats : Array Mat) : Mat := Id.run do
  let mut z : Mat := mats[0]!
  for i in List.range (mats.size - 1) do
    z := matmul z (mats[i + 1]!)
  return z

/-! ## 7.2 ε_q rules -/

/-- `max_diff_exact`: Err formed exactly; `ε_q = rowrange(Err[q,:])`. -/
def epsMaxDiffExact (Fp : Array Mat) : Vec :=
  let err := product Fp
  Vec.mk (err.rows.map rowrange) err.e

/-- `eps + rowrange(c·M_1⋯M_j)` when there is a centre `c` (the centred rules' constant term). -/
def centreTerm (eps : Vec) (c : Option Vec) (mats : Array Mat) : Vec :=
  match c with
  | none => eps
  | some cv => Id.run do
    let mut v : Vec := cv
    for f in mats do
      v := vecmat v f
    return plusConst eps (Dy.mk (rowrange v.mant) v.e)

/-- `max_diff[_subproduct]` (centres none) and `mean+max_diff[_subproduct]` (`c_s = centres[s−1]`):
`ε_q = min over s of [rowrange(c_s·S_s)] + Σ_r |P_s[q,r] − c_s[r]|·rowrange(S_s[r,:])`, with
`P_s = F_1′⋯F_s′` (`pref[s−1]`) and `S_s = F_{s+1}′⋯F_k′` (`suf[k−1−s]`). -/
def epsSplit (Fp : Array Mat) (centres : Option (Array Vec)) : Vec := Id.run do
  let k : Nat := Fp.size
  let mut pref : Array Mat := #[Fp[0]!]
  for s0 in List.range (k - 2) do
    pref := pref.push (matmul (pref[pref.size - 1]!) (Fp[s0 + 1]!))
  let mut suf : Array Mat := #[Fp[k - 1]!]
  for s0 in List.range (k - 2) do
    suf := suf.push (matmul (Fp[k - 2 - s0]!) (suf[suf.size - 1]!))
  let mut best : Vec := Vec.mk #[] 0
  for s0 in List.range (k - 1) do
    let s : Nat := s0 + 1
    let P : Mat := pref[s - 1]!
    let S : Mat := suf[k - 1 - s]!
    let rho : Vec := Vec.mk (S.rows.map rowrange) S.e
    let c : Option Vec := centres.map (fun (cs : Array Vec) => cs[s - 1]!)
    let eps : Vec := centreTerm (weighted (centredAbs P c) rho) c #[S]
    best := if s0 == 0 then eps else vecMin best eps
  return best

/-- `centres[j]`, or none. -/
def optAt (centres : Array (Option Vec)) (j : Nat) : Option Vec :=
  match centres[j]? with
  | some c => c
  | none => none

/-- The `*_recursive` rules: `ρ_k[r] = rowrange(F_k′[r,:])`; for `j = k−2..0`
`ρ[r] = [rowrange(c·F_{j+2}′⋯F_k′)] + Σ_t |F_{j+1}′[r,t] − c[t]|·ρ[t]`, centred where `centres[j]` is a
vector; `ε = ρ` at the end. Never forms a product of two factors: only vector-matrix chains. -/
def epsRecursive (Fp : Array Mat) (centres : Array (Option Vec)) : Vec := Id.run do
  let k : Nat := Fp.size
  let last : Mat := Fp[k - 1]!
  let mut rho : Vec := Vec.mk (last.rows.map rowrange) last.e
  for j0 in List.range (k - 1) do
    let j : Nat := k - 2 - j0
    let c : Option Vec := optAt centres j
    let mut rest : Array Mat := #[]
    for i in List.range k do
      if j < i then
        rest := rest.push (Fp[i]!)
    rho := centreTerm (weighted (centredAbs (Fp[j]!) c) rho) c rest
  return rho

/-- `x^k` for an integer `x`. -/
def intPow (x : Int) (k : Nat) : Int := Id.run do
  let mut r : Int := 1
  for _ in List.range k do
    r := r * x
  return r

/-- `svd`: `G = F_1′ᵀF_1′`, `K = F_2′F_2′ᵀ`, `T = trace((G·K)^8)`; `ε = spectral_eps` needs `ε ≥ 0` and
`(ε²/2)^8 ≥ T`. -/
def epsSvd (Fp : Array Mat) (eps : Option Dy) (V : Nat) : Except CheckError Vec :=
  match eps with
  | none => Except.error (bad "spectral_eps" "the svd qk variant needs spectral_eps = [m, e]")
  | some ed => do
    let F1 : Mat := Fp[0]!
    let F2 : Mat := Fp[1]!
    let G := matmul (transpose F1) F1
    let K := matmul F2 (transpose F2)
    let mut M : Mat := matmul G K
    for _ in List.range 3 do
      M := matmul M M
    let mut tr : Int := 0
    for i in List.range M.rows.size do
      tr := tr + (M.rows[i]!)[i]!
    let T : Dy := Dy.mk tr M.e
    let cid := "choices.spectral_eps"
    require (decide (0 ≤ ed.m)) cid "ε must be ≥ 0" (dyStr ed) "0"
    let lhs : Dy := Dy.mk (intPow ed.m 16) (16 * ed.e - 8)
    if dyLt lhs T then
      throw (CheckError.claim cid "(ε²/2)^8 ≥ trace((G·K)^8) fails" (dyStr lhs) (dyStr T))
    return Vec.mk (replicateInt V ed.m) ed.e

/-- `ε_q ≥ max_{i,j}(Err[q,i] − Err[q,j])` for every `q`, by the rule of the `qk` variant. -/
def epsilon (qk : String) (Fp : Array Mat) (choices : SubcubicChoices) (V : Nat) : Except CheckError Vec := do
  if qk == qkExact then
    return Vec.mk (replicateInt V 0) 0
  if qk == "max_diff_exact" then
    return epsMaxDiffExact Fp
  if qk == "svd" then
    let v ← epsSvd Fp choices.spectralEps V
    return v
  let cols : Array Nat := Fp.map (fun f => (shape f).2)
  if qk == "max_diff" || qk == "max_diff_subproduct" then
    return epsSplit Fp none
  if qk == "mean+max_diff" || qk == "mean+max_diff_subproduct" then
    let mut cs : Array Vec := #[]
    for s in List.range (Fp.size - 1) do
      let c ← centre choices s (cols[s]!)
      cs := cs.push c
    return epsSplit Fp (some cs)
  let mut cents : Array (Option Vec) := #[]
  for _ in List.range Fp.size do
    cents := cents.push none
  if qk == "max_diff_subproduct_recursive" then
    return epsRecursive Fp cents
  if qk == "mean+max_diff_subproduct_recursive" then
    let c ← centre choices 0 (cols[0]!)
    return epsRecursive Fp (cents.set! 0 (some c))
  if qk == "mean_recursive+max_diff_subproduct_recursive" then
    for j in List.range (Fp.size - 1) do
      let c ← centre choices j (cols[j]!)
      cents := cents.set! j (some c)
    return epsRecursive Fp cents
  -- the parser admits only the names above
  throw (CheckError.input InputFile.certificate "strategy.params.qk" s!"unknown qk variant '{qk}'")

/-- `exact_EQKE+max_diff_exact`: `Approx = EQKE_tok = (Ẽ_q·W_Q)·(Ẽ_k·W_K)ᵀ` formed exactly. -/
def exactEqkeTok (md : Model) : Mat :=
  matmul (matmul md.etq md.Q) (transpose (matmul md.etk md.K))

/-! ## 7.2 Positions -/

/-- `EQKP_err[q,p] = Ẽ_q[q]·W_Q·W_Kᵀ·(W_pos[p] − κ)ᵀ`, as `Ẽ_q·(W_Q·((W_pos − κ)·W_K)ᵀ)` (V×n). -/
def eqkpErr (md : Model) : Mat :=
  let centred := addRow md.P (md.kappa.mant.map (fun x => -x)) md.kappa.e
  let qkp := matmul md.Q (transpose (matmul centred md.K))
  matmul md.etq qkp

/-- `π[q,p] ∋ exp(EQKP_err[q,p]/√d)` by the checker's own `expBounds` (as §4.2). -/
def piBounds (eqkp : Mat) (r : Dy × Dy) : Except CheckError (Array (Array (Dy × Dy))) := do
  let mut out : Array (Array (Dy × Dy)) := #[]
  for row in eqkp.rows do
    let mut outRow : Array (Dy × Dy) := #[]
    for a in row do
      let x1 : Dy := dyMul (Dy.mk a eqkp.e) r.1
      let x2 : Dy := dyMul (Dy.mk a eqkp.e) r.2
      let xLo : Dy := if 0 ≤ a then x1 else x2
      let xHi : Dy := if 0 ≤ a then x2 else x1
      let lo ← expBoundsE xLo
      let hi ← expBoundsE xHi
      outRow := outRow.push (lo.1, hi.2)
    out := out.push outRow
  return out

/-- The non-query positions sorted ascending by `(EQKP_err[q,p], p)`, per `q`. -/
def positionOrder (eqkp : Mat) (n : Nat) : Array (Array Nat) :=
  eqkp.rows.map (fun row => sortedPositions row (n - 1))

/-! ## 7.2 OV and direct path -/

/-- EVOU, PVOU, P*, R_m, R_max, R_min and D, exact (each family at one exponent). Python: class `OV`. -/
structure OV where
  evou : Array (Array Int)
  eEv : Int
  pvou : Array (Array Int)
  ePv : Int
  /-- `pStar[m][j]` = P*[m, j] (exponent `ePv`) -/
  pStar : Array (Array Int)
  /-- `R[m][j]` = EVOU[m, j] − EVOU[m, m] (exponent `eEv`) -/
  R : Array (Array Int)
  rMax : Array Int
  rMin : Array Int
  /-- `D[t]` = rowrange(EVOU[t, :]) -/
  D : Array Int
  deriving Inhabited

/-- Python: `OV.__init__`. -/
def mkOV (md : Model) : OV := Id.run do
  let V : Nat := md.V
  let n : Nat := md.n
  let ovu := matmul (matmul md.Vw md.O) md.U
  let ev := matmul md.E ovu
  let pv := matmul md.P ovu
  let B := ev.rows
  let P := pv.rows
  let mut pStar : Array (Array Int) := #[]
  for m in List.range V do
    let mut row : Array Int := #[]
    for j in List.range V do
      let mut best : Int := 0
      for p in List.range n do
        let v : Int := (P[p]!)[j]! - (P[p]!)[m]!
        if p == 0 || decide (best < v) then
          best := v
      row := row.push best
    pStar := pStar.push row
  let mut R : Array (Array Int) := #[]
  for m in List.range V do
    let mut row : Array Int := #[]
    for j in List.range V do
      row := row.push ((B[m]!)[j]! - (B[m]!)[m]!)
    R := R.push row
  let mut rMax : Array Int := #[]
  let mut rMin : Array Int := #[]
  for m in List.range V do
    let mut hi : Int := 0
    let mut lo : Int := 0
    let mut found : Bool := false
    for j in List.range V do
      if j != m then
        let x : Int := (R[m]!)[j]!
        hi := if found then intMax hi x else x
        lo := if found then intMin lo x else x
        found := true
    rMax := rMax.push hi
    rMin := rMin.push lo
  return { evou := B, eEv := ev.e, pvou := P, ePv := pv.e, pStar := pStar, R := R, rMax := rMax,
           rMin := rMin, D := B.map rowrange }

/-- `eupu_mu`, which the mean `eupu` rules need. -/
def needMu (mu : Option DyVec) (eupu : String) : Except CheckError DyVec :=
  match mu with
  | some v => Except.ok v
  | none => Except.error (bad "eupu_mu" s!"eupu {eupu} needs the vector eupu_mu")

/-- The largest entry (0 for none). -/
def maxOf (xs : Array Int) : Int := Id.run do
  let mut best : Int := 0
  let mut found : Bool := false
  for x in xs do
    best := if found then intMax best x else x
    found := true
  return best

/-- `(EU, ΔEU)` with `EUPU[q,j] − EUPU[q,m] ≤ EU[j] − EU[m] + ΔEU[q]` for all `q, j, m`. -/
def eupuTerms (eupu : String) (md : Model) (choices : SubcubicChoices) : Except CheckError (Vec × Vec) := do
  let V : Nat := md.V
  if memStr eupuMean eupu || eupu == "max_diff" then
    let dm : Nat := (shape md.etq).2
    let rr : Vec := Vec.mk (md.U.rows.map rowrange) md.U.e
    if memStr eupuMean eupu then
      let muV ← needMu choices.eupuMu eupu
      let mu ← choiceVec muV dm "eupu_mu"
      return (vecmat mu md.U, weighted (centredAbs md.etq (some mu)) rr)
    else
      return (Vec.mk (replicateInt V 0) 0, weighted (centredAbs md.etq none) rr)
  else
    -- max_diff_exact, global_max_diff_exact: EUPU formed
    let eupuM := matmul md.etq md.U
    let dEu0 : Array Int := eupuM.rows.map rowrange
    let dEu : Array Int := if eupu == "global_max_diff_exact" then replicateInt V (maxOf dEu0) else dEu0
    return (Vec.mk (replicateInt V 0) 0, Vec.mk dEu eupuM.e)

/-- `L_m[j] = EU[j] − EU[m] + P*[m,j]` (V×V, `[m][j]`). -/
def logitL (ov : OV) (eu : Vec) : Mat := Id.run do
  let V : Nat := ov.pStar.size
  let e : Int := intMin eu.e ov.ePv
  let sEu : Int := pow2 (eu.e - e).toNat
  let sP : Int := pow2 (ov.ePv - e).toNat
  let mut out : Array (Array Int) := #[]
  for m in List.range V do
    let mut row : Array Int := #[]
    for j in List.range V do
      row := row.push ((eu.mant[j]! - eu.mant[m]!) * sEu + (ov.pStar[m]!)[j]! * sP)
    out := out.push row
  return Mat.mk out e

/-! ## 7.3 Cases -/

/-- `C(n−1, c′)·N^{c′}`: `c′ = c` (q = m) or `c − 1`, `N = m − g + 1` (fixed) or `m − g` (paper).
Called on well-formed entries only (so `c ≥ 1` when `q < m`, and `g ≤ m`). -/
def coverage (n q m c g : Nat) (mode : String) : Nat :=
  let cp : Nat := if q == m then c else c - 1
  let N : Nat := if mode == "fixed" then m - g + 1 else m - g
  if cp > 0 then binom (n - 1) cp * N ^ cp else 1

/-- docs §7.3: `0 ≤ q ≤ m < V`, unique `(q, m, c)`, `c` range, `q ≤ m − g` when `q < m`, `1 ≤ g ≤ m`
(`g = 1` if `c = 0`). `seen[(q·V + m)·n + c]` marks the `(q, m, c)` already listed; it is returned
updated. A `(q, m, c)` with `c` outside `0..n−1` is never marked: Python adds it to its set, but the
range check right after fails on its first occurrence, so no later entry can find it there. -/
def checkWellFormed (entry : SubcubicEntry) (V n : Nat) (seen : Array Bool) :
    Except CheckError (Array Bool) := do
  let q : Int := entry.q
  let m : Int := entry.m
  let c : Int := entry.c
  let g : Int := entry.g
  let vocab : Int := Int.ofNat V
  let nn : Int := Int.ofNat n
  let cid := s!"case[{q},{m},{c}]"
  require (decide (0 ≤ q) && decide (q ≤ m) && decide (m < vocab)) cid "need 0 ≤ q ≤ m < d_vocab"
    s!"({q}, {m})" (toString vocab)
  let cIn : Bool := decide (0 ≤ c) && decide (c < nn)
  let idx : Nat := (q.toNat * V + m.toNat) * n + c.toNat
  let already : Bool := cIn && seen[idx]!
  require (!already) cid "case listed twice" s!"({q}, {m}, {c})" "unique"
  let seen2 : Array Bool := if cIn then seen.set! idx true else seen
  if q == m then
    require (decide (0 ≤ c) && decide (c ≤ nn - 1)) cid "need 0 ≤ c ≤ n_ctx − 1 when q = m"
      (toString c) (toString (nn - 1))
  else
    require (decide (1 ≤ c) && decide (c ≤ nn - 1)) cid "need 1 ≤ c ≤ n_ctx − 1 when q < m"
      (toString c) (toString (nn - 1))
    require (decide (q ≤ m - g)) cid "the query must be an allowed non-max token (q ≤ m − g)"
      (toString q) (toString (m - g))
  if 1 ≤ c then
    require (decide (1 ≤ g) && decide (g ≤ m)) cid "need 1 ≤ g ≤ m when c ≥ 1" (toString g) (toString m)
  else
    require (g == 1) cid "g must be 1 when c = 0" (toString g) "1"
  return seen2

/-- Running maximum (`takeMax`) or minimum of a row: entry `t` is the extremum of `row[0..t]`.
Python: `_running(row, max|min)` (defined after the class there; needed before it here). -/
def running (row : Array Int) (takeMax : Bool) : Array Int := Id.run do
  let mut out : Array Int := #[]
  let mut acc : Int := row[0]!
  for x in row do
    acc := if takeMax then intMax acc x else intMin acc x
    out := out.push acc
  return out

/-- docs §10: entries of a peeled factor `F_i′` (at its own exponent) stay below `2^384`. Python:
`PEELED_BITS`. -/
def peeledBits : Nat := 384

/-- The largest `bitlen |x|` over the entries of `a` (0 for none). -/
def maxBits (a : Mat) : Nat := Id.run do
  let mut best : Nat := 0
  for row in a.rows do
    for x in row do
      let b : Nat := bitlen x.natAbs
      if best < b then
        best := b
  return best

/-- The QK side of a checker: `Approx` and `ε` at one exponent `e0`, and the running extrema of the rows
of `Approx`. -/
structure QkSide where
  A : Mat
  eps : Vec
  e0 : Int
  /-- `aMax[q][t] = max_{t′≤t} Approx[q,t′]` -/
  aMax : Array (Array Int)
  /-- `aMin[q][t] = min_{t′≤t} Approx[q,t′]` -/
  aMin : Array (Array Int)
  deriving Inhabited

/-- `Approx` and `ε`, both at `e0 = min` of their exponents, and the running extrema; a peeled factor with
an entry of more than `peeledBits` bits is malformed input (after peeling every factor, before any
product). Python: `_qk_side`. -/
def qkSide (md : Model) (qk : String) (ch : SubcubicChoices) (V : Nat) : Except CheckError QkSide := do
  let mut A : Mat := Mat.mk #[] 0
  let mut Fp : Array Mat := #[]
  if qk == qkExact then
    if ch.peels.size != 0 then
      throw (bad "peels" s!"{qkExact} has no chain: peels must be [], got {ch.peels.size} entries")
    A := exactEqkeTok md
  else
    let F := chainFactors md qk
    let pieces ← peelPieces F ch
    Fp := peel F pieces
    let mut i : Nat := 0
    for f in Fp do
      if peeledBits < maxBits f then
        throw (bad s!"peels[{i}]"
          s!"the peeled factor F_{i + 1}′ needs integers of more than {peeledBits} bits (limit, docs §10)")
      i := i + 1
    A := approxMatrix Fp pieces V V
  let eps ← epsilon qk Fp ch V
  let e0 : Int := intMin A.e eps.e
  let rows : Array (Array Int) := scaleRows A.rows (A.e - e0).toNat
  return { A := Mat.mk rows e0, eps := vecRescale eps e0, e0 := e0,
           aMax := rows.map (fun row => running row true),
           aMin := rows.map (fun row => running row false) }

/-- π, the position order, and the masses of both placements for every `(q, c, q = m?)` (docs §7.3
step 1). -/
structure Positions where
  piTab : Array (Array (Dy × Dy))
  order : Array (Array Nat)
  /-- `masses[q][c][0 if q = m else 1] = ((Y, Z) low, (Y, Z) high)` for `c = 1..n−1` (entry `c = 0`
  unused): low `(Σ_max π_lo, Σ_others π_hi)`, high `(Σ_max π_hi, Σ_others π_lo)` -/
  masses : Array (Array (Array ((Dy × Dy) × (Dy × Dy))))
  deriving Inhabited

/-- Python: `_positions`. -/
def positions (md : Model) (r : Dy × Dy) (n : Nat) : Except CheckError Positions := do
  let eqkp := eqkpErr md
  let piTab ← piBounds eqkp r
  let order := positionOrder eqkp n
  let mut masses : Array (Array (Array ((Dy × Dy) × (Dy × Dy)))) := #[]
  for q in List.range piTab.size do
    let row : Array (Dy × Dy) := piTab[q]!
    let srt : Array Nat := order[q]!
    let mut byC : Array (Array ((Dy × Dy) × (Dy × Dy))) := #[#[]]
    for c0 in List.range (n - 1) do
      let c : Nat := c0 + 1
      let mut bySame : Array ((Dy × Dy) × (Dy × Dy)) := #[]
      for same in [true, false] do
        -- non-query max slots
        let k : Nat := if same then n - 1 - c else n - c
        let mut out : Array (Dy × Dy) := #[]
        for low in [true, false] do
          let mut mx : Array Nat := #[]
          let mut rest : Array Nat := #[]
          let mut i : Nat := 0
          for p in srt do
            let take : Bool := if low then decide (i < k) else decide (srt.size - k ≤ i)
            if take then
              mx := mx.push p
            else
              rest := rest.push p
            i := i + 1
          if same then
            mx := mx.push (n - 1)
          else
            rest := rest.push (n - 1)
          let Y : Dy := dySum (mx.map (fun (p : Nat) => if low then (row[p]!).1 else (row[p]!).2))
          let Z : Dy := dySum (rest.map (fun (p : Nat) => if low then (row[p]!).2 else (row[p]!).1))
          out := out.push (Y, Z)
        bySame := bySame.push (out[0]!, out[1]!)
      byC := byC.push bySame
    masses := masses.push byC
  return { piTab := piTab, order := order, masses := masses }

/-- `(EU, ΔEU, L)`. Python: `_eupu_side`. -/
def eupuSide (eupu : String) (md : Model) (ov : OV) (ch : SubcubicChoices) :
    Except CheckError (Vec × Vec × Mat) := do
  let terms ← eupuTerms eupu md ch
  return (terms.1, terms.2, logitL ov terms.1)

/-- `EQKP = Ẽ_q·W_Q·W_Kᵀ·W_posᵀ` (V×n), formed as `Ẽ_q·(W_Q·(W_pos·W_K)ᵀ)`: the input rule's positions
(docs §8). Python: `eqkp_exact`. -/
def eqkpExact (w : ExactWeights) : Mat :=
  let mE := tensor w.wE
  let mP := tensor w.wPos
  let etq := addRow mE (mP.rows[w.cfg.nCtx - 1]!) mP.e
  matmul etq (matmul (tensor w.wQ) (transpose (matmul mP (tensor w.wK))))

/-- Everything of §7.2 recomputed once; `SubcubicChecker.checkEntry` then verifies one case of §7.3.
Python: class `SubcubicChecker`. -/
structure SubcubicChecker where
  w : ExactWeights
  V : Nat
  n : Nat
  params : SubcubicParams
  /-- `[r_lo, r_hi] ∋ 1/√d` -/
  r : Dy × Dy
  avg : Array (Array Dy)
  /-- `Approx` (V×V), at exponent `e0` -/
  A : Mat
  /-- `ε_q`, at exponent `e0` -/
  eps : Vec
  e0 : Int
  /-- `π[q][p]` -/
  piTab : Array (Array (Dy × Dy))
  order : Array (Array Nat)
  /-- `Positions.masses` -/
  masses : Array (Array (Array ((Dy × Dy) × (Dy × Dy))))
  ov : OV
  eu : Vec
  dEu : Vec
  L : Mat
  /-- `aMax[q][t] = max_{t′≤t} Approx[q,t′]` -/
  aMax : Array (Array Int)
  /-- `aMin[q][t] = min_{t′≤t} Approx[q,t′]` -/
  aMin : Array (Array Int)
  /-- `wMax[t] = max_{t′≤t} D[t′]` -/
  wMax : Array Int
  deriving Inhabited

/-- Python: `SubcubicChecker.__init__` (the same order: `inv_sqrt`, κ, `avg`, the QK side, positions, OV,
the EUPU side). -/
def mkSubcubicChecker (w : ExactWeights) (params : SubcubicParams) (claims : SubcubicClaims) :
    Except CheckError SubcubicChecker := do
  let cfg := w.cfg
  let V : Nat := cfg.dVocab
  let n : Nat := cfg.nCtx
  let ch := claims.choices
  let r ← checkInvSqrt claims.invSqrt cfg.dHead
  let kappa ← choiceVec ch.keyPosCentre cfg.dModel "key_pos_centre"
  let avg ← avgTable ch params.attention V n
  let md := mkModel w kappa
  let qks ← qkSide md params.qk ch V
  let ps ← positions md r n
  let ov := mkOV md
  let side ← eupuSide params.eupu md ov ch
  return { w := w, V := V, n := n, params := params, r := r, avg := avg, A := qks.A, eps := qks.eps,
           e0 := qks.e0, piTab := ps.piTab, order := ps.order, masses := ps.masses, ov := ov,
           eu := side.1, dEu := side.2.1, L := side.2.2, aMax := qks.aMax, aMin := qks.aMin,
           wMax := running ov.D true }

/-- The input rule (docs §8) for `c = 0` cases and per-input claims, with the matrices formed here (no
EUPU and no EQKE: their rows are formed as inputs need them). Python: `SubcubicChecker.rule`. -/
def SubcubicChecker.rule (ck : SubcubicChecker) : InputRule :=
  mkInputRule ck.w ck.r
    { eupu := none, evou := some (Mat.mk ck.ov.evou ck.ov.eEv), pvou := some (Mat.mk ck.ov.pvou ck.ov.ePv),
      eqke := none, eqkp := some (eqkpExact ck.w) }

/-- `Δ_lo = A[q,m] − max_{t≤M} A[q,t] − ε_q` and `Δ_hi = A[q,m] − min_{t≤M} A[q,t] + ε_q`, `M = m − g`. -/
def SubcubicChecker.gaps (ck : SubcubicChecker) (q m g : Nat) : Dy × Dy :=
  let e : Int := ck.A.e
  let mM : Nat := m - g
  let aqm : Dy := Dy.mk ((ck.A.rows[q]!)[m]!) e
  let epsQ : Dy := Dy.mk (ck.eps.mant[q]!) ck.eps.e
  let dLo : Dy := dySub (dySub aqm (Dy.mk ((ck.aMax[q]!)[mM]!) e)) epsQ
  let dHi : Dy := dyAdd (dySub aqm (Dy.mk ((ck.aMin[q]!)[mM]!) e)) epsQ
  (dLo, dHi)

/-- `(max slots, non-max slots)` of the low (`low = true`) or high placement: the first or last `k`
entries of `order[q]`, `k = n−1−c` (q = m, plus position n−1) or `n − c` (q < m; n−1 is non-max). -/
def SubcubicChecker.slots (ck : SubcubicChecker) (q m c : Nat) (low : Bool) :
    Array Nat × Array Nat := Id.run do
  let nc : Nat := ck.n
  let ord : Array Nat := ck.order[q]!
  let k : Nat := if q == m then nc - 1 - c else nc - c
  let mut chosen : Array Nat := #[]
  let mut i : Nat := 0
  for p in ord do
    let take : Bool := if low then decide (i < k) else decide (ord.size - k ≤ i)
    if take then
      chosen := chosen.push p
    i := i + 1
  let mut others : Array Nat := #[]
  for p in ord do
    if !containsNat chosen p then
      others := others.push p
  if q == m then
    return (chosen.push (nc - 1), others)
  else
    return (chosen, others.push (nc - 1))

/-- `α = num/den` with `den > 0` (an attention bound; see the module header). -/
structure Ratio where
  num : Dy
  den : Dy
  deriving Inhabited

def ratioStr (x : Ratio) : String := s!"({dyStr x.num}) / ({dyStr x.den})"

/-- `a_lo ≤ α ≤ a_hi` for the attention `α` on the max positions of every input of the case, as
`a = Y / (Y + κ·Z)` (`Ratio.mk Y (Y + κ·Z)`). -/
def SubcubicChecker.attentionBounds (ck : SubcubicChecker) (q m c g : Nat) : Except CheckError (Ratio × Ratio) := do
  let one : Ratio := Ratio.mk (Dy.mk 1 0) (Dy.mk 1 0)
  if c == 0 then
    return (one, one)
  let cid := s!"case[{q},{m},{c}]"
  let gs : Dy × Dy := ck.gaps q m g
  let piRow : Array (Dy × Dy) := ck.piTab[q]!
  let rLo : Dy := ck.r.1
  let rHi : Dy := ck.r.2
  let mut out : Array Ratio := #[]
  for low in [true, false] do
    let name : String := if low then "low" else "high"
    let d : Dy := if low then gs.1 else gs.2
    let sl := ck.slots q m c low
    let Y : Dy := dySum (sl.1.map (fun (p : Nat) => if low then (piRow[p]!).1 else (piRow[p]!).2))
    let Z : Dy := dySum (sl.2.map (fun (p : Nat) => if low then (piRow[p]!).2 else (piRow[p]!).1))
    let neg : Dy := Dy.mk (-d.m) d.e
    let x1 : Dy := dyMul neg rLo
    let x2 : Dy := dyMul neg rHi
    let kapPair ← expBoundsE (if low then dyMax x1 x2 else minDy x1 x2)
    let kap : Dy := if low then kapPair.2 else kapPair.1
    require (decide (0 < dySign Y)) cid s!"positional mass of the max slots must be > 0 ({name})"
      (dyStr Y) "0"
    let den : Dy := dyAdd Y (dyMul kap Z)
    -- cannot fail (κ > 0 and Z ≥ 0: exp_bounds ends are positive); the sign argument needs den > 0
    require (decide (0 < dySign den)) cid s!"attention denominator must be > 0 ({name})" (dyStr den) "0"
    out := out.push (Ratio.mk Y den)
  return (out[0]!, out[1]!)

/-- `h = max_{j≠m} (L_m[j] + v·R_m[j])` with `v = avg[m][c]`. -/
def SubcubicChecker.h (ck : SubcubicChecker) (m c : Nat) : Dy := Id.run do
  let v : Dy := (ck.avg[m]!)[c]!
  let eL : Int := ck.L.e
  let eR : Int := ck.ov.eEv
  let e : Int := intMin eL (v.e + eR)
  let sl : Int := pow2 (eL - e).toNat
  let sr : Int := v.m * pow2 (v.e + eR - e).toNat
  let lRow : Array Int := ck.L.rows[m]!
  let rRow : Array Int := ck.ov.R[m]!
  let mut best : Int := 0
  let mut found : Bool := false
  for j in List.range ck.V do
    if j != m then
      let x : Int := lRow[j]! * sl + rRow[j]! * sr
      best := if found then intMax best x else x
      found := true
  return Dy.mk best e

/-- `D·B(α)` for `α = N/D` (`D > 0`), which has the sign of
`B(α) = h + (α − v)·(R_max(m) if α ≥ v else R_min(m)) + (1 − α)·W + ΔEU[q]`:
`D·B(α) = D·h + (N − v·D)·R + (D − N)·W + D·ΔEU[q]`, and `α ≥ v ⟺ N − v·D ≥ 0` (module header).
`hv` is `SubcubicChecker.h m c` (computed once per `(m, c)` by `checkSubcubic`). -/
def SubcubicChecker.outputBound (ck : SubcubicChecker) (q m c g : Nat) (hv : Dy) (alpha : Ratio) : Dy :=
  let nA : Dy := alpha.num
  let dA : Dy := alpha.den
  let v : Dy := (ck.avg[m]!)[c]!
  let wD : Dy := if 1 ≤ c then Dy.mk (ck.wMax[m - g]!) ck.ov.eEv else Dy.mk 0 0
  let nMinusVD : Dy := dySub nA (dyMul v dA)
  let rD : Dy :=
    if 0 ≤ dySign nMinusVD then Dy.mk (ck.ov.rMax[m]!) ck.ov.eEv else Dy.mk (ck.ov.rMin[m]!) ck.ov.eEv
  let dEuQ : Dy := Dy.mk (ck.dEu.mant[q]!) ck.dEu.e
  dyAdd (dyAdd (dyAdd (dyMul dA hv) (dyMul nMinusVD rD)) (dyMul (dySub dA nA) wD)) (dyMul dA dEuQ)

/-- `B(a_lo) < 0` and `B(a_hi) < 0` (`c ≥ 1`) without fractions: with `a = Y/D`, `D = Y + κ·Z > 0`,
`D·B(a) = D·h + (Y − v·D)·R + (D − Y)·W + D·ΔEU[q]`, and `a ≥ v ⟺ Y − v·D ≥ 0` (module header). Both exp
enclosures are formed first, then each placement in turn (the high one only if the low one holds).
`hv` is `SubcubicChecker.h m c`. Returns (holds, the failing end, `D·B` there). Python:
`SubcubicChecker.holds`. -/
def SubcubicChecker.holds (ck : SubcubicChecker) (q m c g : Nat) (hv : Dy) :
    Except CheckError (Bool × String × Dy) := do
  let e0 : Int := ck.e0
  let mM : Nat := m - g
  let a : Int := (ck.A.rows[q]!)[m]!
  let eps : Int := ck.eps.mant[q]!
  let dLo : Int := a - (ck.aMax[q]!)[mM]! - eps
  let dHi : Int := a - (ck.aMin[q]!)[mM]! + eps
  let rLo : Int := ck.r.1.m
  let re : Int := ck.r.1.e
  let rHi : Int := ck.r.2.m
  -- max of −Δ_lo·r and min of −Δ_hi·r (r_lo ≤ r_hi share the exponent re)
  let kHi : Dy := (← expBoundsE (Dy.mk (-dLo * (if dLo ≤ 0 then rHi else rLo)) (e0 + re))).2
  let kLo : Dy := (← expBoundsE (Dy.mk (-dHi * (if dHi ≤ 0 then rLo else rHi)) (e0 + re))).1
  let sameIdx : Nat := if q == m then 0 else 1
  let ms : (Dy × Dy) × (Dy × Dy) := ((ck.masses[q]!)[c]!)[sameIdx]!
  let hm : Int := hv.m
  let he : Int := hv.e
  let vm : Int := ((ck.avg[m]!)[c]!).m
  let ve : Int := ((ck.avg[m]!)[c]!).e
  let W : Int := ck.wMax[mM]!
  let eR : Int := ck.ov.eEv
  let E : Int := ck.dEu.mant[q]!
  let eE : Int := ck.dEu.e
  let mut ok : Bool := true
  let mut failName : String := ""
  let mut failTotal : Dy := Dy.mk 0 0
  for idx in [0, 1] do
    if ok then
      let YZ : Dy × Dy := if idx == 0 then ms.1 else ms.2
      let kap : Dy := if idx == 0 then kHi else kLo
      let Y : Dy := YZ.1
      let Z : Dy := YZ.2
      if Y.m ≤ 0 then
        throw (CheckError.claim s!"case[{q},{m},{c}]" "positional mass of the max slots must be > 0" (dyStr Y) "0")
      let kz : Int := kap.m * Z.m
      let ekz : Int := kap.e + Z.e
      -- Y and D = Y + κZ at one exponent eD
      let eD : Int := intMin Y.e ekz
      let y : Int := Y.m * pow2 (Y.e - eD).toNat
      let D : Int := y + kz * pow2 (ekz - eD).toNat
      -- Y − v·D at exponent en
      let nmv : Int := if 0 ≤ ve then y - vm * D * pow2 ve.toNat else y * pow2 (-ve).toNat - vm * D
      let en : Int := if 0 ≤ ve then eD else eD + ve
      let R : Int := if 0 ≤ nmv then ck.ov.rMax[m]! else ck.ov.rMin[m]!
      -- D·h + (Y − vD)·R + (D − Y)·W + D·ΔEU
      let e1 : Int := eD + he
      let e2 : Int := en + eR
      let e3 : Int := eD + eR
      let e4 : Int := eD + eE
      let e : Int := intMin (intMin e1 e2) (intMin e3 e4)
      let total : Int := D * hm * pow2 (e1 - e).toNat + nmv * R * pow2 (e2 - e).toNat +
        (D - y) * W * pow2 (e3 - e).toNat + D * E * pow2 (e4 - e).toNat
      if 0 ≤ total then
        ok := false
        failName := if idx == 0 then "a_lo" else "a_hi"
        failTotal := Dy.mk total e
  return (ok, failName, failTotal)

/-- Well-formedness, then the input rule (`c = 0`) or `B(a_lo) < 0` and `B(a_hi) < 0`; returns the entry's
coverage, `seen` updated and the input rule's rows. `hTab[m][c] = SubcubicChecker.h m c`. Python:
`SubcubicChecker.check_entry`. -/
def SubcubicChecker.checkEntry (ck : SubcubicChecker) (hTab : Array (Array Dy)) (rule : InputRule)
    (cache : InputCache) (entry : SubcubicEntry) (seen : Array Bool) :
    Except CheckError (Nat × Array Bool × InputCache) := do
  let seen2 ← checkWellFormed entry ck.V ck.n seen
  let q : Nat := entry.q.toNat
  let m : Nat := entry.m.toNat
  let c : Nat := entry.c.toNat
  let g : Nat := entry.g.toNat
  let cid := s!"case[{q},{m},{c}]"
  if c == 0 then
    let tokens : Array Nat := replicateNat ck.n m
    let res ← rule.rightOnce cache tokens
    if !res.1.1 then
      throw (CheckError.claim cid
        s!"the input {natList tokens} is not proven right (input rule, logit {res.1.2})" "up_j ≥ 0" "< 0")
    return (coverage ck.n q m c g ck.params.count, seen2, res.2)
  let res ← ck.holds q m c g ((hTab[m]!)[c]!)
  if !res.1 then
    throw (CheckError.claim cid s!"output bound B({res.2.1}) must be < 0 (shown: D·B({res.2.1}) with D > 0)"
      (dyStr res.2.2) "0")
  return (coverage ck.n q m c g ck.params.count, seen2, cache)

/-- docs §9 for subcubic cases: the case `(q, m, c)` with `c` the number of positions (the query's
included) holding a token below `m` is listed, and every such token is `≤ m − g`. `gaps` holds `g` at
`(q·V + m)·n + c` (0: not listed; listed cases have `g ≥ 1`). Python: `subcubic_covers`. -/
def subcubicCovers (gaps : Array Int) (V n : Nat) (tokens : Array Nat) : Bool := Id.run do
  let m : Nat := maxNat tokens
  let q : Nat := tokens[n - 1]!
  let mut low : Array Nat := #[]
  for t in tokens do
    if t < m then
      low := low.push t
  let g : Int := gaps[(q * V + m) * n + low.size]!
  if g == 0 then
    return false
  let mut ok : Bool := true
  for t in low do
    if Int.ofNat m - g < Int.ofNat t then
      ok := false
  return ok

/-- All subcubic claims (`residual` and `wrong` too); returns (inputs proven right, inputs proven wrong if
`wrong` is claimed). Python: `check_subcubic`. -/
def checkSubcubic (params : SubcubicParams) (claims : SubcubicClaims) (w : ExactWeights) :
    Except CheckError (Nat × Option Nat) := do
  let ck ← mkSubcubicChecker w params claims
  -- h once per (m, c), like Python's cache (there filled on first use)
  let mut hTab : Array (Array Dy) := #[]
  for m in List.range ck.V do
    let mut row : Array Dy := #[]
    for c in List.range ck.n do
      row := row.push (ck.h m c)
    hTab := hTab.push row
  let rule : InputRule := ck.rule
  let mut cache : InputCache := emptyInputCache ck.V
  let mut seen : Array Bool := falses (ck.V * ck.V * ck.n)
  let mut gaps : Array Int := replicateInt (ck.V * ck.V * ck.n) 0
  let mut total : Nat := 0
  for e in claims.entries do
    let res ← ck.checkEntry hTab rule cache e seen
    total := total + res.1
    seen := res.2.1
    cache := res.2.2
    gaps := gaps.set! ((e.q.toNat * ck.V + e.m.toNat) * ck.n + e.c.toNat) e.g
  if claims.residual.isNone && claims.wrong.isNone then
    return (total, none)
  let inputs ← checkInputClaims claims.residual claims.wrong rule cache
    (fun tokens => subcubicCovers gaps ck.V ck.n tokens) none
  return (total + inputs.1, inputs.2)

end MechProof
