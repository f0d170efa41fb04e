import MechProof.Arith
import MechProof.Exp
import MechProof.Failures
import MechProof.Parse
import MechProof.Matrices

/-!
# The input rule (docs/certificate.md §8) and the claims built on it (§9)

Mirrors `python/mechproof/checker/inputs.py` (the input lists), then `python/mechproof/tasks/maxk/checker/inputs.py`,
function by function, in the same order (the class
`InputRule` becomes a structure, its constructor `mkInputRule`, and its methods `InputRule.*`).

An input `t = (t_0, …, t_{n−1})` is decided exactly from the weights. With `w_p ∈ [w_lo,p, w_hi,p]` the
enclosure of `exp(score_p/√d)`, `logit_j − logit_m = Σ_p w_p·N_{p,j} / Σ_p w_p` with the true `w_p > 0`,
so `up_j = Σ_p N_{p,j}·(w_hi,p if N_{p,j} ≥ 0 else w_lo,p) < 0` for every `j ≠ m` proves the input right,
and `lo_j = Σ_p N_{p,j}·(w_lo,p if N_{p,j} ≥ 0 else w_hi,p) ≥ 0` for one `j ≠ m` proves it wrong.

Everything is recomputed here from the weights: EQKE and EQKP entries and their exp enclosures (the
checker's own `expBounds`, never a claimed one), the rows of EUPU, EVOU and PVOU an input needs. Python
keeps what it has formed in per-instance caches; here those caches are an `InputCache` value that every
function that may fill it takes and returns, so rows are formed at the same moments as in Python. That
matters for one thing only: an enclosure whose argument is out of range (docs §10) is malformed input,
and it is reported when Python reports it (a whole row at a time, when an input first needs that row).
The other caches only save work, as in Python: the difference rows of EVOU and PVOU per (row, m), and the
term rows of an input's positions per (query, max token) group, so that an input the filter does not
settle costs `n·V` additions when its group has formed its rows already.

Where the cubic tables are at hand, `InputRule.right` first tries the cheaper sufficient test
`Σ_p f_p(U[q,m,t_p]) < 0` of docs §8 (`InputRule.filter`); it never changes a verdict, only the work.
-/

set_option autoImplicit false

namespace MechProof

/-! ## Small helpers (Python has `max`, `[x] * n`, `in` built in) -/

/-- The largest entry (0 for none). -/
def maxNat (xs : Array Nat) : Nat := Id.run do
  let mut best : Nat := 0
  for x in xs do
    if best < x then
      best := x
  return best

/-- `n` copies of `x`. -/
def replicateNat (n x : Nat) : Array Nat := Id.run do
  let mut out : Array Nat := #[]
  for _ in List.range n do
    out := out.push x
  return out

/-- Is every entry of `xs` equal to `x`? -/
def allEqualTo (xs : Array Nat) (x : Nat) : Bool := Id.run do
  let mut ok : Bool := true
  for y in xs do
    if y != x then
      ok := false
  return ok

/-- Is `x` in the strictly increasing array `xs`? (Binary search: the candidates are `xs[lo..hi)`,
and each step at least halves them, so `bitlen xs.size + 1` steps leave none.) -/
def memSorted (xs : Array Nat) (x : Nat) : Bool := Id.run do
  let mut lo : Nat := 0
  let mut hi : Nat := xs.size
  let mut found : Bool := false
  for _ in List.range (bitlen xs.size + 1) do
    if lo < hi then
      let mid : Nat := (lo + hi) / 2
      let y : Nat := xs[mid]!
      if y == x then
        found := true
        lo := hi
      else if y < x then
        lo := mid + 1
      else
        hi := mid
  return found

/-! ## Inputs and their lists -/

/-- Input index `x = Σ_p t_p·V^p` → `(t_0, …, t_{n−1})`. Python: `decode`. -/
def decode (x V n : Nat) : Array Nat := Id.run do
  let mut rest : Nat := x
  let mut out : Array Nat := #[]
  for _ in List.range n do
    out := out.push (rest % V)
    rest := rest / V
  return out

/-- The delta-coded input list of docs §9, read up to its first bad delta: the indices before it, and the
failure there (none when the whole list is good): strictly increasing, within `[0, total)`; `what` says what
the range is. Python: `indices` (a generator; `indices` below and the induction task's input claims read it
to the end, or interleave it with their checks, as the Python callers do). -/
def indicesPrefix (deltas : Array Int) (total : Nat) (what cid : String) : Array Nat × Option CheckError := Id.run do
  let mut x : Int := -1
  let mut out : Array Nat := #[]
  let mut i : Nat := 0
  for d in deltas do
    if i == 0 && decide (d < 0) then
      return (out, some (CheckError.claim s!"{cid}[{d}]" "the first input index must be ≥ 0" (toString d) "0"))
    if i != 0 && decide (d < 1) then
      return (out, some (CheckError.claim s!"{cid}[{x}]"
        "inputs must be strictly increasing (a delta of 0 lists one twice)" (toString d) "1"))
    x := if i == 0 then d else x + d
    if !decide (x < Int.ofNat total) then
      return (out, some (CheckError.claim s!"{cid}[{x}]" what (toString x) (toString total)))
    out := out.push x.toNat
    i := i + 1
  return (out, none)

/-- The whole list of docs §9 within `[0, V^n)`, or its first failure. Python: `indices` (a generator that
every Max-of-K caller reads to the end before checking any input, so all of its failures come first, as
here). -/
def indices (deltas : Array Int) (V n : Nat) (cid : String) : Except CheckError (Array Nat) :=
  match indicesPrefix deltas (V ^ n) "input index out of range (must be < d_vocab^n_ctx)" cid with
  | (out, none) => Except.ok out
  | (_, some err) => Except.error err

/-- `values·2^(e − target)` (`target ≤ e`), with `2^(e − target)` formed once per row. Python: `_align`. -/
def align (values : Array Int) (e target : Int) : Array Int :=
  let s : Nat := (e - target).toNat
  if s == 0 then values else
    let f : Int := pow2 s
    values.map (fun v => v * f)

/-- Interval ends at one common exponent: (lo mantissas, hi mantissas, exponent). Python: `_common`. -/
def common (intervals : Array (Dy × Dy)) : Array Int × Array Int × Int := Id.run do
  let mut e : Int := 0
  let mut isFirst : Bool := true
  for iv in intervals do
    let lowest : Int := intMin iv.1.e iv.2.e
    e := if isFirst then lowest else intMin e lowest
    isFirst := false
  let mut los : Array Int := #[]
  let mut his : Array Int := #[]
  for iv in intervals do
    los := los.push (iv.1.m * pow2 (iv.1.e - e).toNat)
    his := his.push (iv.2.m * pow2 (iv.2.e - e).toNat)
  return (los, his, e)

/-! ## The rule (Python: class `InputRule`) -/

/-- The matrices a caller may already have formed (Python: the `mats` dict of `InputRule`). -/
structure InputMats where
  eupu : Option Mat
  evou : Option Mat
  pvou : Option Mat
  eqke : Option Mat
  eqkp : Option Mat
  deriving Inhabited

/-- What the rule needs of one model. -/
structure InputRule where
  V : Nat
  n : Nat
  /-- `[r_lo, r_hi] ∋ 1/√d` (the verified `inv_sqrt_d_head`) -/
  r : Dy × Dy
  /-- the common exponent of EUPU rows and of EVOU and PVOU differences -/
  e : Int
  evou : Mat
  pvou : Mat
  eupu : Option Mat
  eqke : Option Mat
  eqkp : Option Mat
  /-- `Ẽ = W_E + W_pos[n−1]` (for EUPU rows when `eupu` is absent) -/
  et : Mat
  /-- `Ẽ·W_Q·W_Kᵀ` (for EQKE and EQKP rows when those matrices are absent) -/
  etqk : Mat
  wE : Mat
  wPos : Mat
  wU : Mat
  deriving Inhabited

/-- EVOU and PVOU from the weights. Python: `InputRule._ov` (Lean defines it before `mkInputRule`, which
uses it; it takes the weights, as Python's method reads `self.w`). -/
def InputRule.ov (w : ExactWeights) : Mat × Mat :=
  let ovu := matmul (matmul (tensor w.wV) (tensor w.wO)) (tensor w.wU)
  (matmul (tensor w.wE) ovu, matmul (tensor w.wPos) ovu)

/-- `Ẽ = W_E + W_pos[n−1]` (V×d). Python: `InputRule._eq`. -/
def InputRule.eq (w : ExactWeights) : Mat :=
  let mP := tensor w.wPos
  addRow (tensor w.wE) (mP.rows[w.cfg.nCtx - 1]!) mP.e

/-- `Ẽ·W_Q·W_Kᵀ` (V×d): one dot product with `W_E[t]` or `W_pos[p]` gives an EQKE or EQKP entry.
Python: `InputRule._eqk`. -/
def InputRule.eqk (w : ExactWeights) : Mat :=
  matmul (matmul (InputRule.eq w) (tensor w.wQ)) (transpose (tensor w.wK))

/-- Python: `InputRule.__init__`. -/
def mkInputRule (w : ExactWeights) (r : Dy × Dy) (mats : InputMats) : InputRule :=
  let ovm : Mat × Mat :=
    match mats.evou, mats.pvou with
    | some ev, some pv => (ev, pv)
    | _, _ => InputRule.ov w
  let mE := tensor w.wE
  let mP := tensor w.wPos
  let mU := tensor w.wU
  let eEupu : Int :=
    match mats.eupu with
    | some m => m.e
    | none => intMin mE.e mP.e + mU.e
  { V := w.cfg.dVocab, n := w.cfg.nCtx, r := r, e := intMin eEupu (intMin ovm.1.e ovm.2.e),
    evou := ovm.1, pvou := ovm.2, eupu := mats.eupu, eqke := mats.eqke, eqkp := mats.eqkp,
    et := InputRule.eq w, etqk := InputRule.eqk w, wE := mE, wPos := mP, wU := mU }

/-- The rows the rule has formed so far (Python: the caches `_tok`, `_pos`, `_eupu`, `_diff` and `_terms`
of `InputRule`): `tok[q]`, `pos[q]` are `common` of the enclosures of row `q`, `eupu[q]` is `EUPU[q, :]` at
`rule.e`. -/
structure InputCache where
  tok : Array (Option (Array Int × Array Int × Int))
  pos : Array (Option (Array Int × Array Int × Int))
  eupu : Array (Option (Array Int))
  /-- `InputRule.diff` rows: EVOU's `(row, m)` in slot `row·V + m`, PVOU's in slot `V·V + row·V + m`
  (empty until the first row is formed) -/
  diff : Array (Option (Array Int))
  /-- `InputRule.upperTerms` rows of inputs whose tokens are not all equal: `(t, p)` in slot `t·n + p`, with
  the key `q·V + m` of the (query, max token) group it was formed for. Python empties `_terms` when the
  group changes; here a row of another group is not used (empty until the first row is formed). -/
  terms : Array (Option (Nat × Array Int))
  deriving Inhabited

/-- Nothing formed yet, for a vocabulary of `V` tokens. -/
def emptyInputCache (V : Nat) : InputCache := Id.run do
  let mut rows : Array (Option (Array Int × Array Int × Int)) := #[]
  let mut eupu : Array (Option (Array Int)) := #[]
  for _ in List.range V do
    rows := rows.push none
    eupu := eupu.push none
  return { tok := rows, pos := rows, eupu := eupu, diff := #[], terms := #[] }

/-- `k` empty slots. -/
def noneSlots {α : Type} (k : Nat) : Array (Option α) := Id.run do
  let mut out : Array (Option α) := #[]
  for _ in List.range k do
    out := out.push none
  return out

/-- Slot `i`, or none while the slots are not formed. -/
def slot {α : Type} (xs : Array (Option α)) (i : Nat) : Option α :=
  if i < xs.size then xs[i]! else none

/-- The cache with `diff` slot `i` holding `row` (its `k` slots formed first if there are none yet). The
array is taken out of the cache by a match, so that it is set in place: `{ c with diff := c.diff.set! … }`
would still hold the cache's reference to the array while setting it, and copy it. -/
def InputCache.withDiff : InputCache → Nat → Nat → Array Int → InputCache
  | ⟨tok, pos, eupu, diff, terms⟩, k, i, row =>
    let slots : Array (Option (Array Int)) := if diff.size == 0 then noneSlots k else diff
    ⟨tok, pos, eupu, slots.set! i (some row), terms⟩

/-- The cache with `terms` slot `i` holding `entry`, as `InputCache.withDiff`. -/
def InputCache.withTerms : InputCache → Nat → Nat → Nat × Array Int → InputCache
  | ⟨tok, pos, eupu, diff, terms⟩, k, i, entry =>
    let slots : Array (Option (Nat × Array Int)) := if terms.size == 0 then noneSlots k else terms
    ⟨tok, pos, eupu, diff, slots.set! i (some entry)⟩

/-- `EUPU[q, :]` at exponent `rule.e` (formed for this row only when the matrix is absent). Python:
`InputRule.eupu_row` (its cache: `InputRule.eupuCached`). -/
def InputRule.eupuRow (rule : InputRule) (q : Nat) : Array Int :=
  match rule.eupu with
  | some m => align (m.rows[q]!) m.e rule.e
  | none =>
    let row : Mat := matmul (Mat.mk #[rule.et.rows[q]!] rule.et.e) rule.wU
    align (row.rows[0]!) row.e rule.e

/-- `InputRule.eupuRow` through the cache. -/
def InputRule.eupuCached (rule : InputRule) (cache : InputCache) (q : Nat) : Array Int × InputCache :=
  match cache.eupu[q]! with
  | some row => (row, cache)
  | none =>
    let row := rule.eupuRow q
    (row, { cache with eupu := cache.eupu.set! q (some row) })

/-- `v·other[k]` for every row `k` of `other`, at exponent `ev + other.e` (an EQKE or EQKP row from
`Ẽ·W_Q·W_Kᵀ`). -/
def dotRows (v : Array Int) (ev : Int) (other : Mat) : Array Dy := Id.run do
  let mut out : Array Dy := #[]
  for ok in other.rows do
    let mut s : Int := 0
    for i in List.range (natMin v.size ok.size) do
      s := s + v[i]! * ok[i]!
    out := out.push (Dy.mk s (ev + other.e))
  return out

/-- Row `q` of EQKE (`isE`) or of EQKP, exact (from `Ẽ·W_Q·W_Kᵀ` when the matrix is absent). Python:
`InputRule._row`. -/
def InputRule.row (rule : InputRule) (isE : Bool) (q : Nat) : Array Dy :=
  match (if isE then rule.eqke else rule.eqkp) with
  | some m => (m.rows[q]!).map (fun x => Dy.mk x m.e)
  | none => dotRows (rule.etqk.rows[q]!) rule.etqk.e (if isE then rule.wE else rule.wPos)

/-- `[expBounds(x_lo).lo, expBounds(x_hi).hi]` for `x = a·[r_lo, r_hi]` (docs §8). Python:
`InputRule._enclose`. -/
def InputRule.enclose (rule : InputRule) (a : Dy) : Except CheckError (Dy × Dy) := do
  let x1 : Dy := Dy.mk (a.m * rule.r.1.m) (a.e + rule.r.1.e)
  let x2 : Dy := Dy.mk (a.m * rule.r.2.m) (a.e + rule.r.2.e)
  let xLo : Dy := if 0 ≤ a.m then x1 else x2
  let xHi : Dy := if 0 ≤ a.m then x2 else x1
  let lo ← expBoundsE xLo
  let hi ← expBoundsE xHi
  return (lo.1, hi.2)

/-- `InputRule.enclose` of every entry of a row, in order. -/
def InputRule.encloseRow (rule : InputRule) (row : Array Dy) : Except CheckError (Array (Dy × Dy)) := do
  let mut out : Array (Dy × Dy) := #[]
  for a in row do
    let iv ← rule.enclose a
    out := out.push iv
  return out

/-- `tok[q, t]` for every `t`, at one exponent: (lo mantissas, hi mantissas, exponent). Python:
`InputRule.tok`. -/
def InputRule.tok (rule : InputRule) (cache : InputCache) (q : Nat) :
    Except CheckError ((Array Int × Array Int × Int) × InputCache) :=
  match cache.tok[q]! with
  | some hit => Except.ok (hit, cache)
  | none => do
    let ivs ← rule.encloseRow (rule.row true q)
    let hit := common ivs
    return (hit, { cache with tok := cache.tok.set! q (some hit) })

/-- `pos[q, p]` for every `p`, at one exponent. Python: `InputRule.pos`. -/
def InputRule.pos (rule : InputRule) (cache : InputCache) (q : Nat) :
    Except CheckError ((Array Int × Array Int × Int) × InputCache) :=
  match cache.pos[q]! with
  | some hit => Except.ok (hit, cache)
  | none => do
    let ivs ← rule.encloseRow (rule.row false q)
    let hit := common ivs
    return (hit, { cache with pos := cache.pos.set! q (some hit) })

/-- `EVOU[row, j] − EVOU[row, m]` (`isEv`) or `PVOU[row, j] − PVOU[row, m]` for every `j`, at exponent
`rule.e`. Python: `InputRule.diff` (its cache: `InputRule.diffCached`). -/
def InputRule.diff (rule : InputRule) (isEv : Bool) (row m : Nat) : Array Int :=
  let mat : Mat := if isEv then rule.evou else rule.pvou
  let r : Array Int := mat.rows[row]!
  let rm : Int := r[m]!
  align (r.map (fun x => x - rm)) mat.e rule.e

/-- `InputRule.diff` through the cache. -/
def InputRule.diffCached (rule : InputRule) (cache : InputCache) (isEv : Bool) (row m : Nat) :
    Array Int × InputCache :=
  let i : Nat := (if isEv then 0 else rule.V * rule.V) + row * rule.V + m
  match slot cache.diff i with
  | some d => (d, cache)
  | none =>
    let d : Array Int := rule.diff isEv row m
    (d, cache.withDiff (rule.V * rule.V + rule.n * rule.V) i d)

/-- `w_lo,p` and `w_hi,p` (docs §8), at an exponent that depends only on `q` and on whether all tokens are
equal (then the tok factor is 1: it is a common positive factor of every weight). `pos` is formed
before `tok`, as in Python. Python: `InputRule.weights`. -/
def InputRule.weights (rule : InputRule) (cache : InputCache) (tokens : Array Nat) :
    Except CheckError ((Array Int × Array Int) × InputCache) := do
  let q : Nat := tokens[rule.n - 1]!
  let pr ← rule.pos cache q
  let plo : Array Int := pr.1.1
  let phi : Array Int := pr.1.2.1
  if allEqualTo tokens q then
    return ((plo, phi), pr.2)
  let tr ← rule.tok pr.2 q
  let tlo : Array Int := tr.1.1
  let thi : Array Int := tr.1.2.1
  let mut wlo : Array Int := #[]
  let mut whi : Array Int := #[]
  for p in List.range rule.n do
    let t : Nat := tokens[p]!
    wlo := wlo.push (tlo[t]! * plo[p]!)
    whi := whi.push (thi[t]! * phi[p]!)
  return ((wlo, whi), tr.2)

/-- `N_{p,j}` for every `j` (0 at `j = m`) when token `t` sits at position `p`; `eupu` is `EUPU[q, :]`
at `rule.e`. Python: `InputRule._n_row`. -/
def InputRule.nRow (rule : InputRule) (cache : InputCache) (eupu : Array Int) (m t p : Nat) :
    Array Int × InputCache := Id.run do
  let em : Int := eupu[m]!
  let (ev, c1) := rule.diffCached cache true t m
  let (pv, c2) := rule.diffCached c1 false p m
  let mut out : Array Int := #[]
  for j in List.range rule.V do
    out := out.push (eupu[j]! - em + ev[j]! + pv[j]!)
  return (out, c2)

/-- `N_{p,j}·(w_hi if N_{p,j} ≥ 0 else w_lo)` for every `j`. Python: `InputRule._upper_terms` (its
cache: `InputRule.termsCached`). -/
def InputRule.upperTerms (rule : InputRule) (cache : InputCache) (eupu : Array Int) (m t p : Nat)
    (lo hi : Int) : Array Int × InputCache :=
  let (row, c1) := rule.nRow cache eupu m t p
  (row.map (fun x => if 0 ≤ x then x * hi else x * lo), c1)

/-- `InputRule.upperTerms` through the cache, for an input of the (q, m) group whose tokens are not all
equal: then the row depends on `q`, `m`, `t` and `p` only (its weights are `tok[q, t]·pos[q, p]`). Python:
the entries `(t, p, −1, −1)` of `InputRule._upper_terms`. -/
def InputRule.termsCached (rule : InputRule) (cache : InputCache) (eupu : Array Int) (q m t p : Nat)
    (lo hi : Int) : Array Int × InputCache :=
  let key : Nat := q * rule.V + m
  let i : Nat := t * rule.n + p
  let hit : Option (Array Int) :=
    match slot cache.terms i with
    | some e => if e.1 == key then some e.2 else none
    | none => none
  match hit with
  | some row => (row, cache)
  | none =>
    let (row, c1) := rule.upperTerms cache eupu m t p lo hi
    (row, c1.withTerms (rule.V * rule.n) i (key, row))

/-- `Σ_p f_p(U[q,m,t_p]) < 0` (docs §8): `n` terms instead of `n·V`; sufficient for `right`. `U` gives
the exact `U[q,m,t]`; all its values share one exponent, so only mantissas are added. Python:
`InputRule._filter`. -/
def InputRule.filter (rule : InputRule) (tokens : Array Nat) (m q : Nat) (wlo whi : Array Int)
    (U : Nat → Nat → Nat → Dy) : Bool := Id.run do
  let mut total : Int := 0
  for p in List.range rule.n do
    let u : Int := (U q m (tokens[p]!)).m
    total := total + (if 0 ≤ u then u * whi[p]! else u * wlo[p]!)
  return decide (total < 0)

/-- `InputRule.filter` when the cubic tables are given (`false`, i.e. no shortcut, otherwise). -/
def InputRule.filterOpt (rule : InputRule) (tokens : Array Nat) (m q : Nat) (wlo whi : Array Int)
    (U : Option (Nat → Nat → Nat → Dy)) : Bool :=
  match U with
  | some u => rule.filter tokens m q wlo whi u
  | none => false

/-- (proven right?, the first logit `j ≠ m` with `up_j ≥ 0`, or −1). Python: `InputRule.right`. -/
def InputRule.right (rule : InputRule) (cache : InputCache) (tokens : Array Nat)
    (U : Option (Nat → Nat → Nat → Dy)) : Except CheckError ((Bool × Int) × InputCache) := do
  let m : Nat := maxNat tokens
  let q : Nat := tokens[rule.n - 1]!
  let wres ← rule.weights cache tokens
  let wlo : Array Int := wres.1.1
  let whi : Array Int := wres.1.2
  let passed : Bool := rule.filterOpt tokens m q wlo whi U
  if passed then
    return ((true, -1), wres.2)
  let er := rule.eupuCached wres.2 q
  let eupu : Array Int := er.1
  let equal : Bool := allEqualTo tokens q
  let mut cache1 : InputCache := er.2
  let mut ups : Array Int := #[]
  for _ in List.range rule.V do
    ups := ups.push 0
  for p in List.range rule.n do
    let (terms, c1) :=
      if equal then rule.upperTerms cache1 eupu m (tokens[p]!) p (wlo[p]!) (whi[p]!)
      else rule.termsCached cache1 eupu q m (tokens[p]!) p (wlo[p]!) (whi[p]!)
    cache1 := c1
    for j in List.range rule.V do
      ups := ups.set! j (ups[j]! + terms[j]!)
  let mut witness : Int := -1
  for j in List.range rule.V do
    if witness == -1 && j != m && decide (0 ≤ ups[j]!) then
      witness := Int.ofNat j
  return ((witness == -1, witness), cache1)

/-- `InputRule.right` without the filter: Python's `right_once` (whose per-process reuse of verdicts
between certificates is not needed here, where one evaluation checks one certificate). -/
def InputRule.rightOnce (rule : InputRule) (cache : InputCache) (tokens : Array Nat) :
    Except CheckError ((Bool × Int) × InputCache) :=
  rule.right cache tokens none

/-- `lo_j ≥ 0` (docs §8): the input is proven wrong with witness `j`. Python: `InputRule.wrong`. -/
def InputRule.wrong (rule : InputRule) (cache : InputCache) (tokens : Array Nat) (j : Nat) :
    Except CheckError (Bool × InputCache) := do
  let m : Nat := maxNat tokens
  let q : Nat := tokens[rule.n - 1]!
  let wres ← rule.weights cache tokens
  let wlo : Array Int := wres.1.1
  let whi : Array Int := wres.1.2
  let er := rule.eupuCached wres.2 q
  let eupu : Array Int := er.1
  let a : Int := eupu[j]! - eupu[m]!
  let mut cache1 : InputCache := er.2
  let mut total : Int := 0
  for p in List.range rule.n do
    let (ev, c1) := rule.diffCached cache1 true (tokens[p]!) m
    let (pv, c2) := rule.diffCached c1 false p m
    cache1 := c2
    let x : Int := a + ev[j]! + pv[j]!
    total := total + (if 0 ≤ x then x * wlo[p]! else x * whi[p]!)
  return (decide (0 ≤ total), cache1)

/-! ## The claims `residual` and `wrong` (docs §9) -/

/-- The positions `order` (a permutation of `0..key.size−1`) stably sorted by `key[i] < bound`
(a counting sort). -/
def countingSort (order : Array Nat) (key : Array Nat) (bound : Nat) : Array Nat := Id.run do
  let mut counts : Array Nat := replicateNat (bound + 1) 0
  for i in order do
    let k : Nat := key[i]!
    counts := counts.set! (k + 1) (counts[k + 1]! + 1)
  for k in List.range bound do
    counts := counts.set! (k + 1) (counts[k + 1]! + counts[k]!)
  let mut out : Array Nat := replicateNat order.size 0
  for i in order do
    let k : Nat := key[i]!
    out := out.set! (counts[k]!) i
    counts := counts.set! k (counts[k]! + 1)
  return out

/-- The positions of `xs` in the order Python checks them: by (query, max token), then as listed.
Python: `_grouped` (a dict of groups, iterated by sorted key); here two stable counting sorts, by max
token and then by query. Lean defines it before `checkInputClaims`, which uses it. -/
def grouped (xs : Array Nat) (V n : Nat) : Array Nat := Id.run do
  let mut qs : Array Nat := #[]
  let mut ms : Array Nat := #[]
  let mut ident : Array Nat := #[]
  let mut i : Nat := 0
  for x in xs do
    let tokens : Array Nat := decode x V n
    qs := qs.push (tokens[n - 1]!)
    ms := ms.push (maxNat tokens)
    ident := ident.push i
    i := i + 1
  return countingSort (countingSort ident ms V) qs V

/-- docs §9: verify `residual` and `wrong` (either may be absent); returns (#residual, #wrong or none).
`covers` says whether the strategy's cases cover an input; `U` is the cubic `U[q,m,t]` for the filter.
Python: `check_input_claims`. -/
def checkInputClaims (residual : Option ResidualClaim) (wrong : Option WrongClaim) (rule : InputRule)
    (cache0 : InputCache) (covers : Array Nat → Bool) (U : Option (Nat → Nat → Nat → Dy)) :
    Except CheckError (Nat × Option Nat) := do
  let V : Nat := rule.V
  let n : Nat := rule.n
  let mut cache : InputCache := cache0
  let resDeltas : Array Int := (residual.map (fun (c : ResidualClaim) => c.inputs)).getD #[]
  let resIdx ← indices resDeltas V n "residual"
  for i in grouped resIdx V n do
    let x : Nat := resIdx[i]!
    let tokens : Array Nat := decode x V n
    require (!(covers tokens)) s!"residual[{x}]" "input already covered by the cases" (natList tokens) "uncovered"
    let res ← rule.right cache tokens U
    cache := res.2
    if !res.1.1 then
      throw (CheckError.claim s!"residual[{x}]"
        s!"input {natList tokens} is not proven right: logit {res.1.2} can reach the max token's" "up_j ≥ 0" "< 0")
  if wrong.isNone then
    return (resIdx.size, none)
  let wc : WrongClaim := wrong.getD default
  require (wc.witness.size == wc.inputs.size) "wrong" "one witness per input"
    (toString wc.witness.size) (toString wc.inputs.size)
  let wIdx ← indices wc.inputs V n "wrong"
  for i in grouped wIdx V n do
    let x : Nat := wIdx[i]!
    let tokens : Array Nat := decode x V n
    let j : Int := wc.witness[i]!
    let m : Nat := maxNat tokens
    let cid : String := s!"wrong[{x}]"
    require (decide (0 ≤ j) && decide (j < Int.ofNat V) && j != Int.ofNat m) cid
      "witness must be a logit index other than the max token" (toString j) (toString m)
    require (!(covers tokens) && !(memSorted resIdx x)) cid
      "input is also claimed right (by the cases or residual)" (natList tokens) "wrong"
    let res ← rule.wrong cache tokens j.toNat
    cache := res.2
    if !res.1 then
      throw (CheckError.claim cid s!"input {natList tokens} is not proven wrong with witness logit {j}"
        "lo_j < 0" "≥ 0")
  return (resIdx.size, some wIdx.size)

end MechProof
