import MechProof.Arith
import MechProof.Exp
import MechProof.Failures
import MechProof.Parse
import MechProof.Matrices
import MechProof.Inputs

/-!
# The claims of a cubic certificate (docs/certificate.md §4)

Mirrors `python/mechproof/tasks/maxk/checker/cubic.py` function by function, in the same order (the classes
`CubicDerived`, `CaseTables` and `Coverage` become structures with the constructors `cubicDerived`,
`mkCaseTables`, `mkCoverage`). Nothing here comes from the producer but the parsed certificate.

Both case rules test, per case `(q, m, c ≥ 1)` and placement, `T_max + T_q + T_nmx(k) < 0`, where only the
non-max group term depends on the token `k`: it is `A_k·S` (`A_k = U[q,m,k]·tok[q,k]` at the end its sign
selects, `S` the non-max slots' positional mass at that end). Version 1 (`cubic-case`) lists `G` and tests
every `k` in it; version 2 (`cubic-prefix`, docs §4.4) names the worst token of each sign class, and `G` is
everything up to it in the exact order of `(A_k, k)`, so only the boundary is tested. No sorting is
needed: whether a token is in `G` is one comparison of keys (`CaseTables.inPrefix`), and `|G|` is a count
(`CaseTables.order`). `c = 0` cases are single inputs, decided by the input rule (docs §8,
`MechProof/Inputs.lean`).
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

/-- `lo`, `hi` and `exp` are rows×cols arrays: checked before any V×V matrix is formed, so that a small
file claiming a large vocabulary costs nothing. Python: `check_enclosure_shape`. -/
def checkEnclosureShape (name : String) (claim : ExpClaim) (rows cols : Nat) : Except CheckError Unit := do
  for arr in [claim.lo, claim.hi, claim.exp] do
    require (arr.size == rows) name "row count" (toString arr.size) (toString rows)
  for i in List.range rows do
    for arr in [claim.lo, claim.hi, claim.exp] do
      let width : Nat := (arr[i]!).size
      require (width == cols) s!"{name}[{i}]" "column count" (toString width) (toString cols)

/-- Every entry encloses `exp(score·r)` for all `r` in the interval; returns the claimed intervals. -/
def checkExpEnclosure (name : String) (claim : ExpClaim) (scores : Mat) (r : Dy × Dy) :
    Except CheckError (Array (Array (Dy × Dy))) := do
  let rows := scores.rows
  let e := scores.e
  let cols : Nat := if rows.size == 0 then 0 else (rows[0]!).size
  checkEnclosureShape name claim rows.size cols
  let mut out : Array (Array (Dy × Dy)) := #[]
  let mut i : Nat := 0
  for row in rows do
    let loRow := claim.lo[i]!
    let hiRow := claim.hi[i]!
    let expRow := claim.exp[i]!
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

/-- `max_{j ≠ m} row[j]` (`V ≥ 2`). Python: `_max_others` (defined after the class there; Lean needs it
before `cubicDerived`, which uses it). -/
def maxOthers (row : Array Int) (m : Nat) : Int := Id.run do
  let mut best : Int := 0
  let mut found : Bool := false
  let mut j : Nat := 0
  for x in row do
    if j != m && (!found || decide (best < x)) then
      best := x
      found := true
    j := j + 1
  return best

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
      row := row.push (maxOthers rowA m - rowA[m]!)
    eStar := eStar.push row
  -- V*[m][t] = max_{j≠m} (EVOU[t][j] - EVOU[t][m] + P*[m][j])
  let mut vStar : Array (Array Int) := #[]
  for m in List.range V do
    let ps := pStar[m]!
    let mut row : Array Int := #[]
    for t in List.range V do
      let rowB := mB[t]!
      let mut shifted : Array Int := #[]
      for j in List.range V do
        shifted := shifted.push (rowB[j]! + ps[j]!)
      row := row.push (maxOthers shifted m - rowB[m]!)
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


/-! ## The case tables (Python: class `CaseTables`) -/

/-- Per `(q, m, c)` and placement: `T_max + T_q` and the non-max masses `S⁺`, `S⁻`; per `(q, m)`: the
tokens' `A_k` and their exact order (docs §4.4). Shared by both case rules and the coverage test. -/
structure CaseTables where
  d : CubicDerived
  /-- the verified `exp_eqke` intervals, `tok[q][t]` -/
  tok : Array (Array (Dy × Dy))
  /-- the verified `exp_eqkp` intervals, `pos[q][p]` -/
  pos : Array (Array (Dy × Dy))
  deriving Inhabited

/-- Python: `CaseTables.__init__`. -/
def mkCaseTables (d : CubicDerived) (tok pos : Array (Array (Dy × Dy))) : CaseTables :=
  { d := d, tok := tok, pos := pos }

/-- For each placement (low, high): `(T_max + T_q, S⁺, S⁻)`. Python: `CaseTables.fixed`. -/
def CaseTables.fixed (tb : CaseTables) (q m c : Nat) : Array (Dy × Dy × Dy) := Id.run do
  let d := tb.d
  let posRow : Array (Dy × Dy) := tb.pos[q]!
  let tokRow : Array (Dy × Dy) := tb.tok[q]!
  let mut out : Array (Dy × Dy × Dy) := #[]
  for pl in placements d q c do
    let slots : Array Nat := if q == m then pl.maxSlots.push (d.n - 1) else pl.maxSlots
    let mut base : Dy := groupTerm (d.U q m m) (tokRow[m]!) posRow slots
    if q != m then
      base := dyAdd base (groupTerm (d.U q m q) (tokRow[q]!) posRow #[d.n - 1])
    let sPlus : Dy := dySum (pl.others.map (fun (p : Nat) => (posRow[p]!).2))
    let sMinus : Dy := dySum (pl.others.map (fun (p : Nat) => (posRow[p]!).1))
    out := out.push (base, sPlus, sMinus)
  return out

/-- `(A_k, class)`: `A_k = U[q,m,k]·tok_hi[q,k]` (class 1) if `U ≥ 0`, else `U[q,m,k]·tok_lo[q,k]`
(class −1). Python: `CaseTables.A`. -/
def CaseTables.A (tb : CaseTables) (q m k : Nat) : Dy × Int :=
  let u : Dy := tb.d.U q m k
  let iv : Dy × Dy := (tb.tok[q]!)[k]!
  if 0 ≤ dySign u then (dyMul u iv.2, 1) else (dyMul u iv.1, -1)

/-- `(a, k) < (b, l)` for the keys `key(k) = (A_k, k)`: exact dyadics first, then the token index. -/
def keyLt (a : Dy) (k : Nat) (b : Dy) (l : Nat) : Bool :=
  dyLt a b || (!(dyLt b a) && decide (k < l))

/-- The rank of token `k < m` among the tokens `k′ < m` of its class in the order of `(A_k′, k′)`: the
number of them with a smaller key, so the boundary `k` heads a part of `G` of `rank + 1` tokens.
Python: `CaseTables.order` (which sorts each class once per `(q, m)`; a count is all that is needed). -/
def CaseTables.order (tb : CaseTables) (q m k : Nat) : Nat := Id.run do
  let ak : Dy × Int := tb.A q m k
  let mut rank : Nat := 0
  for k2 in List.range m do
    let a2 : Dy × Int := tb.A q m k2
    if a2.2 == ak.2 && keyLt a2.1 k2 ak.1 k then
      rank := rank + 1
  return rank

/-- Is token `t < m` in the token set of boundaries `kp`, `kn` (−1: that part is empty), i.e. of the
class of `t` and with `key(t) ≤ key(boundary)`? (The boundaries' classes were checked by
`checkCasesV2`.) Python: the rank comparison in `Coverage.__call__`. -/
def CaseTables.inPrefix (tb : CaseTables) (q m : Nat) (kp kn : Int) (t : Nat) : Bool :=
  let aT : Dy × Int := tb.A q m t
  let bound : Int := if 0 < aT.2 then kp else kn
  if bound < 0 then false
  else
    let aB : Dy × Int := tb.A q m bound.toNat
    !(keyLt aB.1 bound.toNat aT.1 t)

/-- `T_max + T_q + max over parts (A_k, class) of A_k·S_class < 0` at both placements? `fx` is
`CaseTables.fixed q m c`. Returns (holds, the failing placement, its total). Python:
`CaseTables.worst_ok`. -/
def CaseTables.worstOk (fx : Array (Dy × Dy × Dy)) (parts : Array (Dy × Int)) : Bool × String × Dy := Id.run do
  let mut ok : Bool := true
  let mut failName : String := ""
  let mut failTotal : Dy := Dy.mk 0 0
  let mut idx : Nat := 0
  for f in fx do
    let base : Dy := f.1
    let sPlus : Dy := f.2.1
    let sMinus : Dy := f.2.2
    let mut worst : Dy := Dy.mk 0 0
    let mut found : Bool := false
    for part in parts do
      let tv : Dy := dyMul part.1 (if 0 < part.2 then sPlus else sMinus)
      if !found || dyLt worst tv then
        worst := tv
      found := true
    let total : Dy := if found then dyAdd base worst else base
    if ok && decide (0 ≤ dySign total) then
      ok := false
      failName := if idx == 0 then "low" else "high"
      failTotal := total
    idx := idx + 1
  return (ok, failName, failTotal)

/-! ## The two case rules -/

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

/-- `0 ≤ q ≤ m < V`, `0 ≤ c ≤ n−1` (`n−2` when `q < m`), `(q, m, c)` not listed before; returns the claim
id and `seen` (indexed `(q·V + m)·n + c`) updated. Python: `_well_formed`. -/
def wellFormed (q m c : Int) (V n : Nat) (seen : Array Bool) : Except CheckError (String × Array Bool) := do
  let vocab : Int := Int.ofNat V
  let nn : Int := Int.ofNat n
  let cid : String := s!"case[{q},{m},{c}]"
  require (decide (0 ≤ q) && decide (q ≤ m) && decide (m < vocab)) cid "need 0 ≤ q ≤ m < d_vocab"
    s!"({q}, {m})" (toString vocab)
  let cMax : Int := if q == m then nn - 1 else nn - 2
  require (decide (0 ≤ c) && decide (c ≤ cMax)) cid "c out of range for this (q, m)" (toString c) (toString n)
  let idx : Nat := (q.toNat * V + m.toNat) * n + c.toNat
  require (!(seen[idx]!)) cid "case listed twice" s!"({q}, {m}, {c})" "unique"
  return (cid, seen.set! idx true)

/-- The input of a `c = 0` case: every non-query position holds `m`, the query is `q`. Python:
`_single_input`. -/
def singleInput (q m n : Nat) : Array Nat := Id.run do
  let mut out : Array Nat := #[]
  for _ in List.range (n - 1) do
    out := out.push m
  return out.push q

/-- A `c = 0` case holds iff its single input is proven right by the input rule (docs §8). Python:
`_check_c0`. -/
def checkC0 (rule : InputRule) (cache : InputCache) (q m n : Nat) (cid : String) :
    Except CheckError InputCache := do
  let tokens : Array Nat := singleInput q m n
  let res ← rule.rightOnce cache tokens
  if !res.1.1 then
    throw (CheckError.claim cid
      s!"the input {natList tokens} is not proven right (input rule, logit {res.1.2})" "up_j ≥ 0" "< 0")
  return res.2

/-- What a listed case covers (Python: the values of `Coverage.cases`). -/
inductive CaseCover where
  /-- no such case -/
  | absent
  /-- a `c = 0` case (its single input) -/
  | single
  /-- a version-1 case: its token set `G` (strictly increasing) -/
  | tokens (G : Array Int)
  /-- a version-2 case: its boundary tokens (−1: that part is empty) -/
  | bounds (kp kn : Int)
  deriving Inhabited

/-- Which inputs the cases cover (docs §9); `cases` is indexed `(q·V + m)·n + c`. Python: class
`Coverage`. -/
structure Coverage where
  tables : CaseTables
  cases : Array CaseCover
  deriving Inhabited

/-- Python: `Coverage.__init__` (no case listed yet). -/
def mkCoverage (tables : CaseTables) : Coverage := Id.run do
  let d := tables.d
  let mut cases : Array CaseCover := #[]
  for _ in List.range (d.V * d.V * d.n) do
    cases := cases.push CaseCover.absent
  return { tables := tables, cases := cases }

/-- Is `t` in the strictly increasing array `G`? (Binary search, as `memSorted`.) -/
def memSortedInt (G : Array Int) (t : Nat) : Bool := Id.run do
  let x : Int := Int.ofNat t
  let mut lo : Nat := 0
  let mut hi : Nat := G.size
  let mut found : Bool := false
  for _ in List.range (bitlen G.size + 1) do
    if lo < hi then
      let mid : Nat := (lo + hi) / 2
      let y : Int := G[mid]!
      if y == x then
        found := true
        lo := hi
      else if y < x then
        lo := mid + 1
      else
        hi := mid
  return found

/-- The non-query tokens of an input that are below its max token `m`. -/
def lowerTokens (tokens : Array Nat) (m : Nat) : Array Nat := Id.run do
  let mut out : Array Nat := #[]
  for p in List.range (tokens.size - 1) do
    let t : Nat := tokens[p]!
    if t < m then
      out := out.push t
  return out

/-- Every entry satisfies `p`. -/
def allNat (xs : Array Nat) (p : Nat → Bool) : Bool := Id.run do
  let mut ok : Bool := true
  for x in xs do
    if !p x then
      ok := false
  return ok

/-- Do the cases cover the input `tokens`? The case `(q, m, c)`, with `c` the number of non-query
positions holding a token below `m`, must be listed, and each such token be in its token set. Python:
`Coverage.__call__`. -/
def Coverage.call (cov : Coverage) (tokens : Array Nat) : Bool :=
  let d := cov.tables.d
  let m : Nat := maxNat tokens
  let q : Nat := tokens[d.n - 1]!
  let others : Array Nat := lowerTokens tokens m
  match cov.cases[(q * d.V + m) * d.n + others.size]! with
  | CaseCover.absent => false
  | CaseCover.single => true
  | CaseCover.tokens G => allNat others (fun t => memSortedInt G t)
  | CaseCover.bounds kp kn => allNat others (fun t => cov.tables.inPrefix q m kp kn t)

/-- What checking the cases yields: the inputs they cover, which those are, and the rows the input rule
formed for the `c = 0` cases. -/
structure CaseResult where
  covered : Nat
  cover : Coverage
  cache : InputCache
  deriving Inhabited

/-- docs §4.3: every `k` in `G` (`c ≥ 1`), the input rule (`c = 0`); the number of inputs covered is
`Σ C(n−1, c)·|G|^c`. Python: `check_cases_v1`. -/
def checkCasesV1 (entries : Array CaseEntry) (tables : CaseTables) (rule : InputRule) (cover0 : Coverage)
    (cache0 : InputCache) : Except CheckError CaseResult := do
  let d := tables.d
  let mut seen : Array Bool := falses (d.V * d.V * d.n)
  let mut cover : Coverage := cover0
  let mut cache : InputCache := cache0
  let mut covered : Nat := 0
  for entry in entries do
    let wf ← wellFormed entry.q entry.m entry.c d.V d.n seen
    let cid : String := wf.1
    seen := wf.2
    let q : Nat := entry.q.toNat
    let m : Nat := entry.m.toNat
    let c : Nat := entry.c.toNat
    let G : Array Int := entry.tokens
    let idx : Nat := (q * d.V + m) * d.n + c
    if c == 0 then
      require (G.size == 1 && G[0]! == entry.m) cid "c = 0 must list exactly [m]" (intList G) s!"[{m}]"
      cache ← checkC0 rule cache q m d.n cid
      cover := { cover with cases := cover.cases.set! idx CaseCover.single }
    else
      let mut inRange : Bool := true
      for k in G do
        if !(decide (0 ≤ k) && decide (k < entry.m)) then
          inRange := false
      let mut increasing : Bool := true
      for i in List.range (G.size - 1) do
        if !(decide (G[i]! < G[i + 1]!)) then
          increasing := false
      require (decide (0 < G.size)) cid "empty token set" (toString G.size) ">0"
      require inRange cid "tokens must lie in [0, m)" (intList G) (toString m)
      require increasing cid "tokens must be strictly increasing" (intList G) "sorted"
      let fx := tables.fixed q m c
      for k in G do
        let res := CaseTables.worstOk fx #[tables.A q m k.toNat]
        if !res.1 then
          throw (CheckError.claim s!"{cid}/{k}" s!"sign test fails at placement {res.2.1}" (dyStr res.2.2) "< 0")
      cover := { cover with cases := cover.cases.set! idx (CaseCover.tokens G) }
    covered := covered + binom (d.n - 1) c * G.size ^ c
  return { covered := covered, cover := cover, cache := cache }

/-- docs §4.4: the boundary tokens' test (`c ≥ 1`), the input rule (`c = 0`); returns the inputs covered,
`Σ C(n−1, c)·|G|^c` with `|G|` the sum over the parts present of the boundary's rank + 1. Python:
`check_cases_v2` (whose failure id names `kp` when it is present, else `kn`). -/
def checkCasesV2 (entries : Array PrefixEntry) (tables : CaseTables) (rule : InputRule) (cover0 : Coverage)
    (cache0 : InputCache) : Except CheckError CaseResult := do
  let d := tables.d
  let mut seen : Array Bool := falses (d.V * d.V * d.n)
  let mut cover : Coverage := cover0
  let mut cache : InputCache := cache0
  let mut covered : Nat := 0
  for entry in entries do
    let wf ← wellFormed entry.q entry.m entry.c d.V d.n seen
    let cid : String := wf.1
    seen := wf.2
    let q : Nat := entry.q.toNat
    let m : Nat := entry.m.toNat
    let c : Nat := entry.c.toNat
    let kp : Int := entry.kp
    let kn : Int := entry.kn
    let idx : Nat := (q * d.V + m) * d.n + c
    if c == 0 then
      require (kp == -1 && kn == -1) cid "c = 0 takes no boundary tokens (−1, −1)" s!"({kp}, {kn})" "(-1, -1)"
      cache ← checkC0 rule cache q m d.n cid
      cover := { cover with cases := cover.cases.set! idx CaseCover.single }
      covered := covered + 1
    else
      require (kp != -1 || kn != -1) cid "empty token set: both boundaries are −1" s!"({kp}, {kn})" "a token"
      let mut parts : Array (Dy × Int) := #[]
      let mut size : Nat := 0
      for bc in #[(kp, (1 : Int)), (kn, (-1 : Int))] do
        let k : Int := bc.1
        let cls : Int := bc.2
        if k != -1 then
          require (decide (0 ≤ k) && decide (k < entry.m)) cid "a boundary token must lie in [0, m)"
            (toString k) (toString m)
          let ak : Dy × Int := tables.A q m k.toNat
          require (ak.2 == cls) cid "boundary token of the wrong class (sign of U[q,m,k])" (toString k)
            (if 0 < cls then "+" else "−")
          parts := parts.push ak
          size := size + tables.order q m k.toNat + 1
      let res := CaseTables.worstOk (tables.fixed q m c) parts
      if !res.1 then
        let worstK : Int := if kp != -1 then kp else kn
        throw (CheckError.claim s!"{cid}/{worstK}" s!"sign test of the worst token fails at placement {res.2.1}"
          (dyStr res.2.2) "< 0")
      cover := { cover with cases := cover.cases.set! idx (CaseCover.bounds kp kn) }
      covered := covered + binom (d.n - 1) c * size ^ c
  return { covered := covered, cover := cover, cache := cache }

/-- The case rule of the certificate's version. -/
def checkCubicCases (cases : CubicCases) (tables : CaseTables) (rule : InputRule) (cover0 : Coverage)
    (cache0 : InputCache) : Except CheckError CaseResult :=
  match cases with
  | CubicCases.listed entries => checkCasesV1 entries tables rule cover0 cache0
  | CubicCases.boundary entries => checkCasesV2 entries tables rule cover0 cache0

/-- All cubic claims (either version; `residual` and `wrong` too); returns (inputs proven right, inputs
proven wrong if `wrong` is claimed). Python: `check_cubic`. -/
def checkCubic (claims : CubicClaims) (w : ExactWeights) : Except CheckError (Nat × Option Nat) := do
  let cfg := w.cfg
  let n : Nat := cfg.nCtx
  let r ← checkInvSqrt claims.invSqrt cfg.dHead
  require (claims.expEqke.ofName == "EQKE") "exp_eqke" "must enclose EQKE" claims.expEqke.ofName "EQKE"
  require (claims.expEqkp.ofName == "EQKP") "exp_eqkp" "must enclose EQKP" claims.expEqkp.ofName "EQKP"
  checkEnclosureShape "exp_eqke" claims.expEqke cfg.dVocab cfg.dVocab
  checkEnclosureShape "exp_eqkp" claims.expEqkp cfg.dVocab n
  let mats := exactMatrices w
  let tok ← checkExpEnclosure "exp_eqke" claims.expEqke mats.eqke r
  let pos ← checkExpEnclosure "exp_eqkp" claims.expEqkp mats.eqkp r
  let d := cubicDerived mats n
  let tables := mkCaseTables d tok pos
  let rule := mkInputRule w r
    { eupu := some mats.eupu, evou := some mats.evou, pvou := some mats.pvou, eqke := some mats.eqke,
      eqkp := some mats.eqkp }
  let res ← checkCubicCases claims.cases tables rule (mkCoverage tables) (emptyInputCache d.V)
  let inputs ← checkInputClaims claims.residual claims.wrong rule res.cache (fun tokens => res.cover.call tokens)
    (some (fun q m t => d.U q m t))
  return (res.covered + inputs.1, inputs.2)

end MechProof
