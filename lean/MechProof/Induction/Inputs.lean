import MechProof.Exp
import MechProof.Inputs
import MechProof.Induction.Fixed
import MechProof.Induction.Tables

/-!
# The induction task's input rule (docs/certificate.md §11.4) and its `residual`/`wrong` claims (§11.6)

Mirrors `python/mechproof/tasks/induction/checker/inputs.py` function by function. An input is decided
exactly from the weights: every attention weight of both layers is enclosed (layer 1 from exp enclosures of
exact scores, layer 2 from enclosures of interval scores), every vector the model forms is enclosed
coordinate by coordinate, and the logit differences are signed through
`logit_c − logit_a = Σ_k b_k·G_{k,c} / Σ_k b_k` with `b_k > 0`. Fixed point at `F = 96` bits. (Python keeps
the key rows of recent prefixes and decides a list's inputs in token order, sharing them by prefix, in up to two
processes; Lean recomputes them input by input in list order, which gives the same values and verdicts.)
-/

set_option autoImplicit false

namespace MechProof

/-- Fixed-point precision of the input rule. Python: `F`. -/
def indF : Nat := 96

/-- An interval `[lo, hi]` of fixed-point numbers at precision `indF`. Python: `Iv`. -/
abbrev Iv := Int × Int

/-! ## The numbering (docs §11.1) -/

/-- `N = (n−2)·V!/(V−n+1)!`. Python: `n_inputs`. -/
def nInputs (V n : Nat) : Nat := Id.run do
  let mut total : Nat := n - 2
  for p in List.range (n - 1) do
    total := total * (V - p)
  return total

/-- `xs` without its entry at `c`. Python: `list.pop(c)` (the rest of the list). -/
def dropAt (xs : Array Nat) (c : Nat) : Array Nat := Id.run do
  let mut out : Array Nat := #[]
  for j in List.range xs.size do
    if j != c then
      out := out.push (xs[j]!)
  return out

/-- Input index → tokens `(x_0, …, x_{n−1})`. Python: `decode`. -/
def inductionDecode (x V n : Nat) : Array Nat := Id.run do
  let i : Nat := x % (n - 2)
  let mut rank : Nat := x / (n - 2)
  let mut free : Array Nat := #[]
  for t in List.range V do
    free := free.push t
  let mut out : Array Nat := #[]
  for p in List.range (n - 1) do
    let c : Nat := rank % (V - p)
    rank := rank / (V - p)
    out := out.push (free[c]!)
    free := dropAt free c
  return out.push (out[i]!)

/-- The match position `i` of an input (the first `p ≤ n−3` with `x_p = x_{n−1}`). Python:
`tokens[: n − 2].index(tokens[-1])`. -/
def matchPos (tokens : Array Nat) (n : Nat) : Nat := Id.run do
  let q : Nat := tokens[n - 1]!
  let mut found : Nat := n
  for p in List.range (n - 2) do
    if found == n && tokens[p]! == q then
      found := p
  return found

/-! ## Interval helpers -/

/-- Every entry `x` of a table as `[⌊x·2^F⌋, ⌈x·2^F⌉]`. Python: `_fix`. -/
def fixTable (m : Mat) : Array (Array Iv) :=
  m.rows.map (fun (row : Array Int) => row.map (fun (x : Int) => (fixDown x m.e indF, fixUp x m.e indF)))

/-- `a·x` for a weight `a = [al, ah] ≥ 0` and any interval `x`. Python: inline in `_mix`. -/
def scaledIv (a x : Iv) : Iv :=
  (shrDown (x.1 * (if 0 ≤ x.1 then a.1 else a.2)) indF, shrUp (x.2 * (if 0 ≤ x.2 then a.2 else a.1)) indF)

/-- The product of two intervals: the least and largest of the four end products. Python: inline in
`InputRule.margins`. -/
def productIv (x y : Iv) : Iv :=
  let p1 : Int := x.1 * y.1
  let p2 : Int := x.1 * y.2
  let p3 : Int := x.2 * y.1
  let p4 : Int := x.2 * y.2
  (shrDown (intMin (intMin p1 p2) (intMin p3 p4)) indF, shrUp (intMax (intMax p1 p2) (intMax p3 p4)) indF)

/-- `base + Σ_l weights[l]·rows[l]`, coordinatewise. Python: `_mix`. -/
def mixIv (base : Array Iv) (weights : Array Iv) (rows : Array (Array Iv)) : Array Iv := Id.run do
  let mut lo : Array Int := base.map (fun (b : Iv) => b.1)
  let mut hi : Array Int := base.map (fun (b : Iv) => b.2)
  for l in List.range weights.size do
    let a : Iv := weights[l]!
    let row : Array Iv := rows[l]!
    for c in List.range row.size do
      let s : Iv := scaledIv a (row[c]!)
      lo := lo.set! c (lo[c]! + s.1)
      hi := hi.set! c (hi[c]! + s.2)
  let mut out : Array Iv := #[]
  for c in List.range base.size do
    out := out.push (lo[c]!, hi[c]!)
  return out

/-! ## The rule -/

/-- Python: `InputRule` (its `fixed` tables as fields). -/
structure IndInputRule where
  t : IndTables
  V : Nat
  n : Nat
  fqe : Array (Array Iv)
  fqv : Array (Array Iv)
  fke : Array (Array Iv)
  fkv : Array (Array Iv)
  fye : Array (Array Iv)
  fyv : Array (Array Iv)
  fze : Array (Array Iv)
  fzv : Array (Array Iv)
  deriving Inhabited

/-- Python: `InputRule.__init__` and `InputRule.fixed`. -/
def mkIndInputRule (t : IndTables) : IndInputRule :=
  { t := t, V := t.V, n := t.n, fqe := fixTable t.qe, fqv := fixTable t.qv, fke := fixTable t.ke,
    fkv := fixTable t.kv, fye := fixTable t.ye, fyv := fixTable t.yv, fze := fixTable t.ze, fzv := fixTable t.zv }

/-- The fixed tables `'<letter>e'` and `'<letter>v'` of an image letter (`q`, `k`, `y`, `z`). Python: the
lookups `fx[x + "e"]`, `fx[x + "v"]` of `InputRule._tables` (which lays several letters' tables side by side). -/
def IndInputRule.pair (rule : IndInputRule) (letter : String) : Array (Array Iv) × Array (Array Iv) :=
  if letter == "q" then (rule.fqe, rule.fqv)
  else if letter == "k" then (rule.fke, rule.fkv)
  else if letter == "y" then (rule.fye, rule.fyv)
  else (rule.fze, rule.fzv)

/-- Layer-1 attention of position `p` over `l ≤ p`: `[lo, hi]` of `a_{p,l}` (docs §11.4 step 1). Python:
`InputRule.row1`. -/
def IndInputRule.row1 (rule : IndInputRule) (tokens : Array Nat) (p : Nat) : Except CheckError (Array Iv) := do
  let n : Nat := rule.n
  let r : Array Int := rule.t.S1.rows[tp n (tokens[p]!) p]!
  let mut scores : Array Int := #[]
  for l in List.range (p + 1) do
    scores := scores.push (r[tp n (tokens[l]!) l]!)
  let mut c : Int := scores[0]!
  for s in scores do
    c := intMax c s
  let mut lo : Array Int := #[]
  let mut hi : Array Int := #[]
  for s in scores do
    let w ← expBoundsE (Dy.mk (s - c) rule.t.S1.e)
    lo := lo.push (fixDown w.1.m w.1.e indF)
    hi := hi.push (fixUp w.2.m w.2.e indF)
  let mut sLo : Int := 0
  let mut sHi : Int := 0
  for j in List.range lo.size do
    sLo := sLo + lo[j]!
    sHi := sHi + hi[j]!
  let mut out : Array Iv := #[]
  for j in List.range lo.size do
    out := out.push (divDown (lo[j]!) sHi indF, divUp (hi[j]!) sLo indF)
  return out

/-- Linear images of `r1[p]`, one per letter of `names` (docs §11.3: `Xe + Σ_l a_{p,l}·Xv`). Python:
`InputRule.images`. -/
def IndInputRule.images (rule : IndInputRule) (tokens : Array Nat) (p : Nat) (names : Array String) :
    Except CheckError (Array (Array Iv)) := do
  let n : Nat := rule.n
  let a ← rule.row1 tokens p
  let own : Nat := tp n (tokens[p]!) p
  let mut out : Array (Array Iv) := #[]
  for x in names do
    let tabs := rule.pair x
    let mut rows : Array (Array Iv) := #[]
    for l in List.range (p + 1) do
      rows := rows.push ((tabs.2)[tp n (tokens[l]!) l]!)
    out := out.push (mixIv ((tabs.1)[own]!) a rows)
  return out

/-- `(κ_k, y_k)`: the key image and the value image of `r1[k]`. Python: `InputRule.key_images` (`InputRule.key`
keeps them by prefix). -/
def IndInputRule.key (rule : IndInputRule) (tokens : Array Nat) (k : Nat) :
    Except CheckError (Array Iv × Array Iv) := do
  let im ← rule.images tokens k #["k", "y"]
  return (im[0]!, im[1]!)

/-- For every logit `c`: (upper, lower) bounds of `Σ_k b_k·G_{k,c}` (0 at the answer `a`); docs §11.4
steps 2–4. Python: `InputRule.margins`. -/
def IndInputRule.margins (rule : IndInputRule) (tokens : Array Nat) : Except CheckError (Array Int × Array Int) := do
  let n : Nat := rule.n
  let V : Nat := rule.V
  let i : Nat := matchPos tokens n
  let a : Nat := tokens[i + 1]!
  let mut keys : Array (Array Iv × Array Iv) := #[]
  for k in List.range (n - 1) do
    let kk ← rule.key tokens k
    keys := keys.push kk
  let last ← rule.images tokens (n - 1) #["q", "z", "k", "y"]
  let rho : Array Iv := last[0]!
  let z : Array Iv := last[1]!
  keys := keys.push (last[2]!, last[3]!)
  let mut scores : Array Iv := #[]
  for kk in keys do
    let mut sLo : Int := 0
    let mut sHi : Int := 0
    for j in List.range rho.size do
      let pr : Iv := productIv (rho[j]!) ((kk.1)[j]!)
      sLo := sLo + pr.1
      sHi := sHi + pr.2
    scores := scores.push (sLo, sHi)
  let ref : Int := (scores[i + 1]!).1
  let mut b : Array Iv := #[]
  for s in scores do
    let el ← expBoundsE (Dy.mk (s.1 - ref) (-(Int.ofNat indF)))
    let eh ← expBoundsE (Dy.mk (s.2 - ref) (-(Int.ofNat indF)))
    b := b.push (fixDown el.1.m el.1.e indF, fixUp eh.2.m eh.2.e indF)
  let mut uppers : Array Int := #[]
  let mut lowers : Array Int := #[]
  let za : Iv := z[a]!
  for c in List.range V do
    let mut upC : Int := 0
    let mut loC : Int := 0
    if c != a then
      let dz : Iv := ((z[c]!).1 - za.2, (z[c]!).2 - za.1)
      for k in List.range keys.size do
        let bk : Iv := b[k]!
        let y : Array Iv := (keys[k]!).2
        let gLo : Int := dz.1 + (y[c]!).1 - (y[a]!).2
        let gHi : Int := dz.2 + (y[c]!).2 - (y[a]!).1
        upC := upC + gHi * (if 0 ≤ gHi then bk.2 else bk.1)
        loC := loC + gLo * (if 0 ≤ gLo then bk.1 else bk.2)
    uppers := uppers.push upC
    lowers := lowers.push loC
  return (uppers, lowers)

/-- (proven right?, the first logit `c ≠ a` whose bound is not below the answer's, or −1). Python:
`InputRule.right`. -/
def IndInputRule.right (rule : IndInputRule) (tokens : Array Nat) : Except CheckError (Bool × Int) := do
  let m ← rule.margins tokens
  let a : Nat := tokens[matchPos tokens rule.n + 1]!
  for c in List.range m.1.size do
    if c != a && decide (0 ≤ (m.1)[c]!) then
      return (false, Int.ofNat c)
  return (true, -1)

/-- Proven wrong with witness logit `c`: the lower bound of `Σ_k b_k·G_{k,c}` is ≥ 0. Python:
`InputRule.wrong`. -/
def IndInputRule.wrong (rule : IndInputRule) (tokens : Array Nat) (c : Nat) : Except CheckError Bool := do
  let m ← rule.margins tokens
  return decide (0 ≤ (m.2)[c]!)

/-- docs §11.6 (as §9): verify `residual` and `wrong` (either may be absent), reading each list as Python's
generator does (every input up to a bad delta is checked before the bad delta fails); returns
(#residual, #wrong or none). Python: `claims.check_input_claims` (the first failure in list order). -/
def checkIndInputClaims (residual : Option ResidualClaim) (wrong : Option WrongClaim) (rule : IndInputRule)
    (covers : Array Nat → Bool) : Except CheckError (Nat × Option Nat) := do
  let V : Nat := rule.V
  let n : Nat := rule.n
  let total : Nat := nInputs V n
  let what : String := "input index out of range (must be < the number of inputs)"
  let resDeltas : Array Int := (residual.map (fun (c : ResidualClaim) => c.inputs)).getD #[]
  let res := indicesPrefix resDeltas total what "residual"
  for x in res.1 do
    let tokens : Array Nat := inductionDecode x V n
    require (!(covers tokens)) s!"residual[{x}]" "input already covered by the cases" (natList tokens) "uncovered"
    let r ← rule.right tokens
    if !r.1 then
      throw (CheckError.claim s!"residual[{x}]"
        s!"input {natList tokens} is not proven right: logit {r.2} can reach the answer's" "upper ≥ 0" "< 0")
  if let some err := res.2 then
    throw err
  if wrong.isNone then
    return (res.1.size, none)
  let wc : WrongClaim := wrong.getD default
  require (wc.witness.size == wc.inputs.size) "wrong" "one witness per input"
    (toString wc.witness.size) (toString wc.inputs.size)
  let wl := indicesPrefix wc.inputs total what "wrong"
  let mut seen : Nat := 0
  for x in wl.1 do
    let tokens : Array Nat := inductionDecode x V n
    let c : Int := wc.witness[seen]!
    let a : Nat := tokens[matchPos tokens n + 1]!
    let cid : String := s!"wrong[{x}]"
    require (decide (0 ≤ c) && decide (c < Int.ofNat V) && c != Int.ofNat a) cid
      "witness must be a logit index other than the answer" (toString c) (toString a)
    require (!(covers tokens) && !(memSorted res.1 x)) cid
      "input is also claimed right (by the cases or residual)" (natList tokens) "wrong"
    let ok ← rule.wrong tokens c.toNat
    if !ok then
      throw (CheckError.claim cid s!"input {natList tokens} is not proven wrong with witness logit {c}"
        "lower < 0" "≥ 0")
    seen := seen + 1
  if let some err := wl.2 then
    throw err
  return (res.1.size, some seen)

end MechProof
