import MechProof.Exp
import MechProof.Induction.Fixed
import MechProof.Induction.Tables

/-!
# Fixed-point tables of the case rule (docs/certificate.md §11.5.1), at precision `FC = 20`

Mirrors `python/mechproof/tasks/induction/checker/casetables.py`. Every bilinear or value entry is
`X̂ = ⌊X·2^FC⌋` of an exact table value `X`; layer-1 weights are exp enclosures
`W1[r, c] = [⌊lo·2^FC⌋, ⌈hi·2^FC⌉] ∋ exp(S1[r, c] − shift[r])` for a key column `c = (t', l)` with `l ≤ p`
(0 for `l > p`), `shift[r]` the largest such `S1[r, c]`. The limits of docs §11.7 (`|X̂| < 2^30`) are
enforced as malformed input naming the table, as in Python (which needs them for 64-bit arithmetic; Lean's
integers are unbounded, so the limits only keep the two checkers' reject sets equal).
-/

set_option autoImplicit false

namespace MechProof

/-- Fixed-point precision of the case rule. Python: `FC`. -/
def caseFC : Nat := 20

/-- Claimed bounds are integers `L` meaning `L·2^−LB`. Python: `LB`. -/
def caseLB : Nat := 16

/-- docs §11.7: every bilinear and value table entry has `|X| < 2^10`. Python: `VALUE_BITS`. -/
def valueBits : Nat := 10

/-- Python: `CaseTables` (its cached properties as fields). `PE`, `PV`: `[V (q)][V·n (r)][V·n (c)]`;
`yv`, `ye`, `zv`, `ze`: `[V (a)][V·n (r)][V (c)]`. -/
structure IndCaseTables where
  V : Nat
  n : Nat
  N : Nat
  W1lo : Array (Array Int)
  W1hi : Array (Array Int)
  PE : Array (Array (Array Int))
  PV : Array (Array (Array Int))
  yv : Array (Array (Array Int))
  ye : Array (Array (Array Int))
  zv : Array (Array (Array Int))
  ze : Array (Array (Array Int))
  deriving Inhabited

/-- Column (and row) of the pair (token, position). Python: `CaseTables.col`. -/
def caseCol (n tok pos : Nat) : Nat := tok * n + pos

/-- An entry of a three-axis table. -/
def at3 (x : Array (Array (Array Int))) (i j k : Nat) : Int := ((x[i]!)[j]!)[k]!

/-- An entry of a matrix. -/
def at2 (x : Array (Array Int)) (i j : Nat) : Int := (x[i]!)[j]!

/-- The layer-1 weight enclosures (lo, hi), `[V·n][V·n]` at precision `FC`. Python: `CaseTables.W1`. -/
def caseW1 (t : IndTables) : Except CheckError (Array (Array Int) × Array (Array Int)) := do
  let n : Nat := t.n
  let N : Nat := t.V * t.n
  let mut lo : Array (Array Int) := #[]
  let mut hi : Array (Array Int) := #[]
  for r in List.range N do
    let row : Array Int := t.S1.rows[r]!
    let p : Nat := r % n
    let mut shift : Int := row[p]!
    for c in List.range N do
      if c % n ≤ p then
        shift := intMax shift (row[c]!)
    let mut rlo : Array Int := #[]
    let mut rhi : Array Int := #[]
    for c in List.range N do
      if c % n ≤ p then
        let ab ← expBoundsE (Dy.mk (row[c]! - shift) t.S1.e)
        rlo := rlo.push (fixDown ab.1.m ab.1.e caseFC)
        rhi := rhi.push (fixUp ab.2.m ab.2.e caseFC)
      else
        rlo := rlo.push 0
        rhi := rhi.push 0
    lo := lo.push rlo
    hi := hi.push rhi
  return (lo, hi)

/-- `⌊x·2^(e+FC)⌋` of exact integers, refused beyond `|x̂| < 2^(VALUE_BITS+FC)` as malformed input naming
`what` (docs §11.7). Python: `_floor_array`. -/
def floorArray (values : Array (Array Int)) (e : Int) (what : String) : Except CheckError (Array (Array Int)) := do
  let limit : Int := pow2 (valueBits + caseFC)
  let mut out : Array (Array Int) := #[]
  for row in values do
    let r : Array Int := row.map (fun x => fixDown x e caseFC)
    for x in r do
      if decide (limit ≤ x) || decide (x ≤ -limit) then
        throw (CheckError.input InputFile.certificate what
          s!"a table entry is beyond the case rule's range |x| < 2^{valueBits} (docs §11.7)")
    out := out.push r
  return out

/-- `[V][V·n][V·n]`: `⌊(a[(q, n−1)][c] + b[r][c])·2^FC⌋` for every query token `q`, row `r` and column `c`.
Python: `CaseTables._pair_sum`. -/
def pairSum (t : IndTables) (a b : Mat) (what : String) : Except CheckError (Array (Array (Array Int))) := do
  let ex : Int := intMin a.e b.e
  let sa : Int := pow2 (a.e - ex).toNat
  let sb : Int := pow2 (b.e - ex).toNat
  let mut planes : Array (Array (Array Int)) := #[]
  for q in List.range t.V do
    let arow : Array Int := (a.rows[caseCol t.n q (t.n - 1)]!).map (fun x => x * sa)
    let mut sums : Array (Array Int) := #[]
    for brow in b.rows do
      let mut s : Array Int := #[]
      for c in List.range brow.size do
        s := s.push (arow[c]! + brow[c]! * sb)
      sums := sums.push s
    let plane ← floorArray sums ex what
    planes := planes.push plane
  return planes

/-- `[V (a)][V·n (r)][V (c)]`: `⌊(X[r, c] − X[r, a])·2^FC⌋` for a value table `X`. Python:
`CaseTables._diff`. -/
def diffTable (m : Mat) (V : Nat) (what : String) : Except CheckError (Array (Array (Array Int))) := do
  let mut planes : Array (Array (Array Int)) := #[]
  for a in List.range V do
    let plane ← floorArray (m.rows.map (fun (row : Array Int) => row.map (fun (x : Int) => x - row[a]!))) m.e what
    planes := planes.push plane
  return planes

/-- Every table, in Python's order (`W1`, `PE`, `PV`, `yv`, `ye`, `zv`, `ze`: the first failure is the same).
Python: `CaseTables.__init__` and its cached properties, formed by `Context`. -/
def mkIndCaseTables (t : IndTables) : Except CheckError IndCaseTables := do
  let w1 ← caseW1 t
  let pe ← pairSum t t.PE.1 t.PE.2 "PE"
  let pv ← pairSum t t.PV.1 t.PV.2 "PV"
  let yv ← diffTable t.yv t.V "yv"
  let ye ← diffTable t.ye t.V "ye"
  let zv ← diffTable t.zv t.V "zv"
  let ze ← diffTable t.ze t.V "ze"
  return { V := t.V, n := t.n, N := t.V * t.n, W1lo := w1.1, W1hi := w1.2, PE := pe, PV := pv,
           yv := yv, ye := ye, zv := zv, ze := ze }

end MechProof
