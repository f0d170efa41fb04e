import MechProof.Parse
import MechProof.Induction.Inputs
import MechProof.Induction.Cases

/-!
# The cases of an induction certificate, grouped by `(q, i, a)` (docs/certificate.md §11.5.5)

Mirrors `python/mechproof/tasks/induction/checker/groups.py`: well-formedness, disjointness, coverage, and
which inputs the cases cover (for `residual` and `wrong`). A group lists the free positions in a refinement
order; a case fixes the tokens at the first `d` positions of that order (its prefix). Two cases of a group
share an input exactly when one's prefix is a prefix of the other's, so the cases are disjoint when no prefix
extends another (checked on the sorted prefixes, each against its successor).
-/

set_option autoImplicit false

namespace MechProof

/-- `m!/(m−k)!` for `k ≤ m`, else 0. Python: `_perm`. -/
def permCount (m k : Nat) : Nat := Id.run do
  if m < k then
    return 0
  let mut r : Nat := 1
  for j in List.range k do
    r := r * (m - j)
  return r

/-- Python's `<` on tuples of ints (lexicographic; a proper prefix is smaller). -/
def lexLt (x y : Array Nat) : Bool := Id.run do
  for j in List.range (natMin x.size y.size) do
    if x[j]! != y[j]! then
      return decide (x[j]! < y[j]!)
  return decide (x.size < y.size)

/-- `xs` sorted by `lexLt` (insertion sort). Python: `sorted(seen)`. -/
def sortPrefixes (xs : Array (Array Nat)) : Array (Array Nat) := Id.run do
  let mut out : Array (Array Nat) := #[]
  for x in xs do
    let mut merged : Array (Array Nat) := #[]
    let mut placed : Bool := false
    for y in out do
      if !placed && lexLt x y then
        merged := merged.push x
        placed := true
      merged := merged.push y
    if !placed then
      merged := merged.push x
    out := merged
  return out

/-- Does `y` begin with `x` (equal included)? Python: `y[: len(x)] == x`. -/
def extendsPrefix (x y : Array Nat) : Bool := Id.run do
  if y.size < x.size then
    return false
  let mut same : Bool := true
  for j in List.range x.size do
    if x[j]! != y[j]! then
      same := false
  return same

/-- `a,b,c` (Python: `','.join(map(str, xs))`). -/
def commaJoin (xs : Array Int) : String := Id.run do
  let mut out : String := ""
  for j in List.range xs.size do
    if j != 0 then
      out := out ++ ","
    out := out ++ toString (xs[j]!)
  return out

/-- How often `x` occurs in `xs`. -/
def countInt (xs : Array Int) (x : Int) : Nat := Id.run do
  let mut c : Nat := 0
  for y in xs do
    if y == x then
      c := c + 1
  return c

/-- Does a known position hold token `tok`? Python: `t in known.values()`. -/
def knownHas (known : Array (Option Nat)) (tok : Nat) : Bool := Id.run do
  let mut hit : Bool := false
  for x in known do
    if x == some tok then
      hit := true
  return hit

/-- Is `pre` one of `xs`? Python: `tuple(...) in seen`. -/
def memPrefix (xs : Array (Array Nat)) (pre : Array Nat) : Bool := Id.run do
  let mut hit : Bool := false
  for x in xs do
    if x == pre then
      hit := true
  return hit

/-- The checked groups: by `(q·n + i)·V + a`, the group's order and its cases' prefixes. Python: `Groups`
(its `prefixes`). -/
structure IndGroups where
  V : Nat
  n : Nat
  slots : Array (Option (Array Nat × Array (Array Nat)))
  deriving Inhabited

/-- Python: `Groups._well_formed`; returns the free positions. -/
def groupWellFormed (V n : Nat) (slots : Array (Option (Array Nat × Array (Array Nat)))) (g : IndGroup) :
    Except CheckError (Array Nat) := do
  let gid : String := s!"group[{g.q},{g.i},{g.a}]"
  let vI : Int := Int.ofNat V
  require (decide (0 ≤ g.q) && decide (g.q < vI) && decide (0 ≤ g.a) && decide (g.a < vI) && g.q != g.a) gid
    "q and a must be distinct tokens" (intList #[g.q, g.a]) s!"< {V}"
  require (decide (0 ≤ g.i) && decide (g.i ≤ Int.ofNat n - 3)) gid "the match position i must lie in 0..n−3"
    (toString g.i) (toString (Int.ofNat n - 3))
  let slot : Nat := (g.q.toNat * n + g.i.toNat) * V + g.a.toNat
  require ((slots[slot]!).isNone) gid "a group appears twice" (intList #[g.q, g.i, g.a]) "once"
  let mut free : Array Nat := #[]
  for p in List.range (n - 1) do
    if p != g.i.toNat && p != g.i.toNat + 1 then
      free := free.push p
  let mut perm : Bool := g.order.size == free.size
  for p in free do
    if countInt g.order (Int.ofNat p) != 1 then
      perm := false
  require perm gid "the order must list the free positions once each" (intList g.order) (natList free)
  require (decide (1 ≤ g.cases.size)) gid "a group lists at least one case" (toString g.cases.size) "1"
  return free

/-- Verify every case (docs §11.5.5); returns the number of inputs covered and the groups. Python:
`Groups.check` (with one worker: `Groups.check_range` over every group, sibling cases formed together and
verified in the certificate's order). -/
def checkGroups (entries : Array IndGroup) (rule : CaseRule) (depth : Int) : Except CheckError (Nat × IndGroups) := do
  let V : Nat := rule.V
  let n : Nat := rule.n
  let mut slots : Array (Option (Array Nat × Array (Array Nat))) := noneSlots (V * n * V)
  let mut covered : Nat := 0
  for g in entries do
    let free ← groupWellFormed V n slots g
    let q : Nat := g.q.toNat
    let i : Nat := g.i.toNat
    let a : Nat := g.a.toNat
    let mut seen : Array (Array Nat) := #[]
    for c in g.cases do
      let cid : String := s!"case[{g.q},{g.i},{g.a}/{commaJoin c.pre}]"
      let d : Nat := c.pre.size
      require (decide (Int.ofNat d ≤ depth) && decide (d ≤ free.size)) cid
        "the prefix fixes more positions than the strategy's depth allows" (toString d) (toString depth)
      let mut distinct : Bool := true
      for j in List.range d do
        let x : Int := c.pre[j]!
        if decide (x < 0) || decide (Int.ofNat V ≤ x) || x == g.q || x == g.a || countInt c.pre x != 1 then
          distinct := false
      require distinct cid "prefix tokens must be distinct tokens other than q and a" (intList c.pre) "distinct"
      require (c.lam.size == n && c.lam[i + 1]! == 0) cid
        "λ has one entry per key position, 0 at the answer's key i+1" (toString c.lam.size) (toString n)
      let pre : Array Nat := c.pre.map (fun (x : Int) => x.toNat)
      seen := seen.push pre
      let mut known : Array (Option Nat) := noneSlots n
      known := known.set! i (some q)
      known := known.set! (i + 1) (some a)
      known := known.set! (n - 1) (some q)
      for j in List.range d do
        known := known.set! ((g.order[j]!).toNat) (some (pre[j]!))
      let mut caseFree : Array Nat := #[]
      for p in free do
        if (known[p]!).isNone then
          caseFree := caseFree.push p
      let mut tokens : Array Nat := #[]
      for tok in List.range V do
        if !(knownHas known tok) then
          tokens := tokens.push tok
      verifyCase rule { q := q, i := i, a := a, known := known, free := caseFree, tokens := tokens } c.lam cid
      covered := covered + permCount (V - 2 - d) (free.size - d)
    let ordered : Array (Array Nat) := sortPrefixes seen
    for j in List.range (ordered.size - 1) do
      let x : Array Nat := ordered[j]!
      let y : Array Nat := ordered[j + 1]!
      require (!(extendsPrefix x y)) s!"case[{g.q},{g.i},{g.a}/{commaJoin (y.map Int.ofNat)}]"
        "cases overlap: a prefix extends another" (natList x) (natList y)
    let orderNat : Array Nat := g.order.map (fun (x : Int) => x.toNat)
    slots := slots.set! ((q * n + i) * V + a) (some (orderNat, seen))
  return (covered, { V := V, n := n, slots := slots })

/-- Is the input covered by a case: its group listed, and its tokens at the first `d` positions of the
group's order some case's prefix? Python: `Groups.covers`. -/
def IndGroups.covers (gs : IndGroups) (tokens : Array Nat) : Bool := Id.run do
  let n : Nat := gs.n
  let q : Nat := tokens[n - 1]!
  let i : Nat := matchPos tokens n
  match gs.slots[(q * n + i) * gs.V + tokens[i + 1]!]! with
  | none => return false
  | some (order, seen) =>
    let mut hit : Bool := false
    for d in List.range (order.size + 1) do
      let mut pre : Array Nat := #[]
      for j in List.range d do
        pre := pre.push (tokens[order[j]!]!)
      if memPrefix seen pre then
        hit := true
    return hit

end MechProof
