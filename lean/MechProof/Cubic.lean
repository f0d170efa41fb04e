import MechProof.Arith
import MechProof.Exp
import MechProof.Failures
import MechProof.Parse
import MechProof.Matrices

/-!
# The claims of a cubic certificate (docs/certificate.md §4)

Mirrors `python/mechproof/checker/cubic.py` function by function, in the same order. Nothing here
comes from the producer but the parsed certificate.
-/

set_option autoImplicit false

namespace MechProof

/-- `1/√d ∈ [lo, hi]·2^exp`, checked by squaring: `lo²·d ≤ 2^(−2exp) ≤ hi²·d`. -/
def checkInvSqrt (claim : InvSqrtClaim) (d : Nat) : Except CheckError (Dy × Dy) := do
  let cid := "inv_sqrt_d_head"
  require (decide (claim.exp ≤ 0)) cid "exponent must be ≤ 0" (toString claim.exp) "0"
  require (decide (0 < claim.lo) && decide (claim.lo ≤ claim.hi)) cid "need 0 < lo ≤ hi"
    (toString claim.lo) (toString claim.hi)
  let one : Int := pow2 (-2 * claim.exp).toNat
  let dd : Int := Int.ofNat d
  let loSq : Int := claim.lo * claim.lo * dd
  let hiSq : Int := claim.hi * claim.hi * dd
  require (decide (loSq ≤ one)) cid "lo²·d ≤ 2^(-2·exp) fails" (toString loSq) (toString one)
  require (decide (one ≤ hiSq)) cid "hi²·d ≥ 2^(-2·exp) fails" (toString hiSq) (toString one)
  return (Dy.mk claim.lo claim.exp, Dy.mk claim.hi claim.exp)

/-- Every entry encloses `exp(score·r)` for all `r` in the interval; returns the claimed intervals. -/
def checkExpEnclosure (name : String) (claim : ExpClaim) (scores : Mat) (r : Dy × Dy) :
    Except CheckError (Array (Array (Dy × Dy))) := do
  let rows := scores.rows
  let e := scores.e
  require (claim.lo.size == rows.size) name "row count" (toString claim.lo.size) (toString rows.size)
  require (claim.hi.size == rows.size) name "row count" (toString claim.hi.size) (toString rows.size)
  require (claim.exp.size == rows.size) name "row count" (toString claim.exp.size) (toString rows.size)
  let mut out : Array (Array (Dy × Dy)) := #[]
  let mut i : Nat := 0
  for row in rows do
    let loRow := claim.lo[i]!
    let hiRow := claim.hi[i]!
    let expRow := claim.exp[i]!
    for arr in [loRow, hiRow, expRow] do
      require (arr.size == row.size) s!"{name}[{i}]" "column count" (toString arr.size) (toString row.size)
    let mut outRow : Array (Dy × Dy) := #[]
    let mut j : Nat := 0
    for a in row do
      let lo : Dy := Dy.mk (loRow[j]!) (expRow[j]!)
      let hi : Dy := Dy.mk (hiRow[j]!) (expRow[j]!)
      let x1 : Dy := dyMul (Dy.mk a e) r.1
      let x2 : Dy := dyMul (Dy.mk a e) r.2
      let xLo : Dy := if 0 ≤ a then x1 else x2
      let xHi : Dy := if 0 ≤ a then x2 else x1
      if lo.m < 0 then
        throw (CheckError.claim s!"{name}[{i},{j}]" "lower end must be ≥ 0" (toString lo.m) "0")
      let ownLo : Dy := (← expBoundsE xLo).1
      if dyLt ownLo lo then
        throw (CheckError.claim s!"{name}[{i},{j}]" "claimed lower end exceeds exp(x_lo)"
          (dyStr lo) (dyStr ownLo))
      let ownHi : Dy := (← expBoundsE xHi).2
      if dyLt hi ownHi then
        throw (CheckError.claim s!"{name}[{i},{j}]" "claimed upper end is below exp(x_hi)"
          (dyStr hi) (dyStr ownHi))
      outRow := outRow.push (lo, hi)
      j := j + 1
    out := out.push outRow
    i := i + 1
  return out

/-- E*, P*, V* (docs §2) at one common exponent `e`, and the positional order. -/
structure CubicDerived where
  e : Int
  V : Nat
  n : Nat
  /-- `pStar[m][j]` = P*[m, j] -/
  pStar : Array (Array Int)
  /-- `eStar[q][m]` = E*[q, m] -/
  eStar : Array (Array Int)
  /-- `vStar[m][t]` = V*[m, t] -/
  vStar : Array (Array Int)
  /-- `order[q]` = the non-query positions sorted ascending by `(EQKP[q, p], p)` -/
  order : Array (Array Nat)
  deriving Inhabited

/-- Every entry times `2^k`. -/
def scaleRows (rows : Array (Array Int)) (k : Nat) : Array (Array Int) := Id.run do
  let f : Int := pow2 k
  let mut out : Array (Array Int) := #[]
  for r in rows do
    let mut o : Array Int := #[]
    for x in r do
      o := o.push (x * f)
    out := out.push o
  return out

/-- Positions `0..count-1` sorted ascending by `(score[p], p)` (insertion sort: a position goes
before the first earlier one with a strictly larger score, so ties keep index order). -/
def sortedPositions (score : Array Int) (count : Nat) : Array Nat := Id.run do
  let mut sorted : Array Nat := #[]
  for p in List.range count do
    let mut merged : Array Nat := #[]
    let mut placed : Bool := false
    for r in sorted do
      if !placed && decide (score[p]! < score[r]!) then
        merged := merged.push p
        placed := true
      merged := merged.push r
    if !placed then
      merged := merged.push p
    sorted := merged
  return sorted

/-- Python: `CubicDerived.__init__`. -/
def cubicDerived (mats : ExactMatrices) (n : Nat) : CubicDerived := Id.run do
  let e1 : Int := mats.eupu.e
  let e2 : Int := mats.evou.e
  let e3 : Int := mats.pvou.e
  let e12 : Int := if e1 ≤ e2 then e1 else e2
  let e : Int := if e12 ≤ e3 then e12 else e3
  let mA := scaleRows mats.eupu.rows (e1 - e).toNat
  let mB := scaleRows mats.evou.rows (e2 - e).toNat
  let mP := scaleRows mats.pvou.rows (e3 - e).toNat
  let V : Nat := mA.size
  -- P*[m][j] = max_p (PVOU[p][j] - PVOU[p][m])
  let mut pStar : Array (Array Int) := #[]
  for m in List.range V do
    let mut row : Array Int := #[]
    for j in List.range V do
      let mut best : Int := 0
      for p in List.range n do
        let rowP := mP[p]!
        let v : Int := rowP[j]! - rowP[m]!
        if p == 0 || decide (best < v) then
          best := v
      row := row.push best
    pStar := pStar.push row
  -- E*[q][m] = max_{j≠m} (EUPU[q][j] - EUPU[q][m])
  let mut eStar : Array (Array Int) := #[]
  for q in List.range V do
    let rowA := mA[q]!
    let mut row : Array Int := #[]
    for m in List.range V do
      let mut best : Int := 0
      let mut found : Bool := false
      for j in List.range V do
        let v : Int := rowA[j]! - rowA[m]!
        if j != m && (!found || decide (best < v)) then
          best := v
          found := true
      row := row.push best
    eStar := eStar.push row
  -- V*[m][t] = max_{j≠m} (EVOU[t][j] - EVOU[t][m] + P*[m][j])
  let mut vStar : Array (Array Int) := #[]
  for m in List.range V do
    let ps := pStar[m]!
    let mut row : Array Int := #[]
    for t in List.range V do
      let rowB := mB[t]!
      let mut best : Int := 0
      let mut found : Bool := false
      for j in List.range V do
        let v : Int := rowB[j]! - rowB[m]! + ps[j]!
        if j != m && (!found || decide (best < v)) then
          best := v
          found := true
      row := row.push best
    vStar := vStar.push row
  let mut order : Array (Array Nat) := #[]
  for q in List.range V do
    order := order.push (sortedPositions (mats.eqkp.rows[q]!) (n - 1))
  return { e := e, V := V, n := n, pStar := pStar, eStar := eStar, vStar := vStar, order := order }

/-- `U[q, m, t] = E*[q, m] + V*[m, t]`. -/
def CubicDerived.U (d : CubicDerived) (q m t : Nat) : Dy :=
  Dy.mk ((d.eStar[q]!)[m]! + (d.vStar[m]!)[t]!) d.e

/-- Upper bound of `u`·exp-weight over a group of positions: hi ends if `u ≥ 0`, lo ends otherwise. -/
def groupTerm (u : Dy) (tok : Dy × Dy) (posRow : Array (Dy × Dy)) (slots : Array Nat) : Dy := Id.run do
  if slots.size == 0 then
    return Dy.mk 0 0
  let useHi : Bool := decide (0 ≤ dySign u)
  let mut mass : Dy := Dy.mk 0 0
  for p in slots do
    let iv : Dy × Dy := posRow[p]!
    mass := dyAdd mass (if useHi then iv.2 else iv.1)
  let tokEnd : Dy := if useHi then tok.2 else tok.1
  return dyMul (dyMul u tokEnd) mass

/-- One extreme placement of a case: its name, the max slots and the non-max slots. -/
structure Placement where
  name : String
  maxSlots : Array Nat
  others : Array Nat
  deriving Inhabited

def containsNat (xs : Array Nat) (x : Nat) : Bool := Id.run do
  let mut found : Bool := false
  for y in xs do
    if y == x then
      found := true
  return found

def mkPlacement (name : String) (maxSlots : Array Nat) (n : Nat) : Placement := Id.run do
  let mut others : Array Nat := #[]
  for p in List.range (n - 1) do
    if !containsNat maxSlots p then
      others := others.push p
  return { name := name, maxSlots := maxSlots, others := others }

/-- The two extreme placements of case `c` for query `q`: the max slots are the first `n−1−c`
entries of `order[q]` ("low") or its last `n−1−c` ("high"). -/
def placements (d : CubicDerived) (q c : Nat) : Array Placement := Id.run do
  let order := d.order[q]!
  let nMax : Nat := d.n - 1 - c
  let mut low : Array Nat := #[]
  let mut high : Array Nat := #[]
  let mut i : Nat := 0
  for p in order do
    if i < nMax then
      low := low.push p
    if c ≤ i then
      high := high.push p
    i := i + 1
  return #[mkPlacement "low" low d.n, mkPlacement "high" high d.n]

/-- The (token, positions) groups of the pure input of case `(q, m, c)` with non-max token `k`. -/
def caseGroups (d : CubicDerived) (q m c k : Nat) (maxSlots others : Array Nat) :
    Array (Nat × Array Nat) := Id.run do
  let query : Nat := d.n - 1
  let mut groups : Array (Nat × Array Nat) := #[]
  groups := groups.push (m, if q == m then maxSlots.push query else maxSlots)
  if c > 0 then
    groups := groups.push (k, others)
  if q != m then
    groups := groups.push (q, #[query])
  return groups

/-- Upper bound of `F = Σ_p w_p U(t_p)` for one placement: the sum of its group terms. -/
def caseTotal (d : CubicDerived) (tok pos : Array (Array (Dy × Dy))) (q m c k : Nat)
    (maxSlots others : Array Nat) : Dy := Id.run do
  let mut total : Dy := Dy.mk 0 0
  for g in caseGroups d q m c k maxSlots others do
    let t : Nat := g.1
    total := dyAdd total (groupTerm (d.U q m t) ((tok[q]!)[t]!) (pos[q]!) g.2)
  return total

/-- Well-formedness of one `[q, m, c, G]` entry (docs §4.3); `seen` marks the `(q, m, c)` already
listed and is returned updated. -/
def checkCaseEntry (d : CubicDerived) (entry : CaseEntry) (seen : Array Bool) :
    Except CheckError (Array Bool) := do
  let q : Int := entry.q
  let m : Int := entry.m
  let c : Int := entry.c
  let G : Array Int := entry.tokens
  let vocab : Int := Int.ofNat d.V
  let n : Int := Int.ofNat d.n
  let cid := s!"case[{q},{m},{c}]"
  require (decide (0 ≤ q) && decide (q ≤ m) && decide (m < vocab)) cid "need 0 ≤ q ≤ m < d_vocab"
    s!"({q}, {m})" (toString vocab)
  let cMax : Int := if q == m then n - 1 else n - 2
  require (decide (0 ≤ c) && decide (c ≤ cMax)) cid "c out of range for this (q, m)"
    (toString c) (toString n)
  let idx : Nat := (q.toNat * d.V + m.toNat) * d.n + c.toNat
  require (!(seen[idx]!)) cid "case listed twice" s!"({q}, {m}, {c})" "unique"
  let seen := seen.set! idx true
  let mut inRange : Bool := true
  for k in G do
    if !(decide (0 ≤ k) && decide (k < m)) then
      inRange := false
  let mut increasing : Bool := true
  for i in List.range (G.size - 1) do
    if !(decide (G[i]! < G[i + 1]!)) then
      increasing := false
  if c == 0 then
    require (G.size == 1 && G[0]! == m) cid "c = 0 must list exactly [m]" (intList G) s!"[{m}]"
  else
    require (decide (0 < G.size)) cid "empty token set" (toString G.size) ">0"
    require inRange cid "tokens must lie in [0, m)" (intList G) (toString m)
    require increasing cid "tokens must be strictly increasing" (intList G) "sorted"
  return seen

/-- `C(n, k)`, exactly (Python: `math.comb`). -/
def binom (n k : Nat) : Nat := Id.run do
  if n < k then
    return 0
  let mut r : Nat := 1
  for i in List.range k do
    r := r * (n - i) / (i + 1)
  return r

def falses (count : Nat) : Array Bool := Id.run do
  let mut out : Array Bool := #[]
  for _ in List.range count do
    out := out.push false
  return out

/-- Every entry's sign test for every `k` and both placements; returns the number of inputs
covered, `Σ C(n−1, c)·|G|^c`. -/
def checkCases (entries : Array CaseEntry) (d : CubicDerived) (tok pos : Array (Array (Dy × Dy))) :
    Except CheckError Nat := do
  let mut seen : Array Bool := falses (d.V * d.V * d.n)
  let mut covered : Nat := 0
  for entry in entries do
    seen ← checkCaseEntry d entry seen
    let q : Nat := entry.q.toNat
    let m : Nat := entry.m.toNat
    let c : Nat := entry.c.toNat
    let pls := placements d q c
    for k in entry.tokens do
      for pl in pls do
        let total := caseTotal d tok pos q m c k.toNat pl.maxSlots pl.others
        if 0 ≤ dySign total then
          throw (CheckError.claim s!"case[{q},{m},{c}]/{k}" s!"sign test fails at placement {pl.name}"
            (dyStr total) "< 0")
    covered := covered + binom (d.n - 1) c * entry.tokens.size ^ c
  return covered

/-- All cubic claims; returns the number of inputs they prove correct. -/
def checkCubic (claims : CubicClaims) (mats : ExactMatrices) (dHead n : Nat) : Except CheckError Nat := do
  let r ← checkInvSqrt claims.invSqrt dHead
  require (claims.expEqke.ofName == "EQKE") "exp_eqke" "must enclose EQKE" claims.expEqke.ofName "EQKE"
  require (claims.expEqkp.ofName == "EQKP") "exp_eqkp" "must enclose EQKP" claims.expEqkp.ofName "EQKP"
  let tok ← checkExpEnclosure "exp_eqke" claims.expEqke mats.eqke r
  let pos ← checkExpEnclosure "exp_eqkp" claims.expEqkp mats.eqkp r
  checkCases claims.entries (cubicDerived mats n) tok pos

end MechProof
