import MechProof.Exp
import MechProof.Failures
import MechProof.Induction.Fixed
import MechProof.Induction.CaseTables
import MechProof.Induction.Mixture

/-!
# The case rule of the induction task (docs/certificate.md §11.5)

Mirrors `python/mechproof/tasks/induction/checker/cases.py`, with its numpy arrays written as loops: a case
fixes the query `q`, the match position `i`, the answer `a` and possibly the tokens at some more positions;
the other positions before `n−1` are free. With `d_k = s_k − s_{i+1}` and `G_{k,c}` the direct path plus
value difference of logit `c` against `a`, the case holds when every key's λ-test passes with the claimed
bound (`d_k ≤ λ_k` on every input of the case) and the logit test is `< 0` for every `c ≠ a` (§11.5.6).

Least bounds (§11.5.3) are searched by bisection between a failing and a passing integer (Python searches
from a float estimate; the least integer is the same whatever the search, because the test is monotone).
Python's numpy arithmetic is exact 64-bit integer arithmetic under the limits of §11.7; Lean's is unbounded.
-/

set_option autoImplicit false

namespace MechProof

/-- Python: `Case` (`known` by position: the token a case fixes there, if any). -/
structure IndCaseSpec where
  q : Nat
  i : Nat
  a : Nat
  /-- position → token, for `i ↦ q`, `i+1 ↦ a`, `n−1 ↦ q` and the prefix's positions (size `n`) -/
  known : Array (Option Nat)
  /-- the positions `< n−1` not in `known` -/
  free : Array Nat
  /-- the tokens a free position may hold (none of the known ones) -/
  tokens : Array Nat
  deriving Inhabited

/-- The query row (position `n−1`, token `q`) over its components: every (token, position) an input of the
case can have, grouped by position (`seg`: where each position's group starts). Python: `Query`. -/
structure IndQuery where
  r : Array Nat
  tok : Array Nat
  pos : Array Nat
  seg : Array Nat
  wLo : Array Int
  wHi : Array Int
  known : Array Bool
  /-- per component, an upper bound of −(its score against the answer's key); set by `caseAnswer` -/
  ans : Array Int
  /-- the same by column (token·n + position), 0 elsewhere -/
  ansByCol : Array Int
  deriving Inhabited

/-- A model's case tables and the largest `|X̂| + 1` of each plane of `PV` (per query token) and `yv` (per
answer). Python: `CaseRule` (its `xmax` cache formed at once). -/
structure CaseRule where
  ct : IndCaseTables
  V : Nat
  n : Nat
  xmaxPV : Array Int
  xmaxYV : Array Int
  deriving Inhabited

/-- `max |x| + 1` over a plane. Python: `CaseRule.xmax`. -/
def planeXmax (plane : Array (Array Int)) : Int := Id.run do
  let mut m : Int := 0
  for row in plane do
    for x in row do
      m := intMax m (intAbs x)
  return m + 1

def mkCaseRule (ct : IndCaseTables) : CaseRule :=
  { ct := ct, V := ct.V, n := ct.n, xmaxPV := ct.PV.map planeXmax, xmaxYV := ct.yv.map planeXmax }

/-- Where segment `g` ends (the next one's start, or `size`). -/
def segEnd (seg : Array Nat) (size g : Nat) : Nat := if g + 1 < seg.size then seg[g + 1]! else size

/-- The λ-test's left side for one row: `Σ_g max_{e in g, valid} max(w_hi·(x_e − λ), w_lo·(x_e − λ))`, the
groups `g` the segments starting at `seg` (precision 2FC for `x`, `λ` at FC). Python: `lambda_sum` (one row)
and `least_bound`'s `passes`. -/
def lambdaSum (xs : Array Int) (lam : Int) (wLo wHi : Array Int) (seg : Array Nat) (valid : Array Bool) : Int := Id.run do
  let mut total : Int := 0
  for g in List.range seg.size do
    let start : Nat := seg[g]!
    let mut best : Int := 0
    let mut has : Bool := false
    for e in List.range (segEnd seg xs.size g - start) do
      let j : Nat := start + e
      if valid[j]! then
        let x : Int := xs[j]! - lam
        let t : Int := intMax (wHi[j]! * x) (wLo[j]! * x)
        best := if has then intMax best t else t
        has := true
    total := total + best
  return total

/-- The least integer `λ` with `lambdaSum xs λ … ≤ 0`, by bisection between `min xs − 1` (fails) and `max xs`
(passes), over the valid entries; the test is monotone in `λ`, so this is the least integer any exact search
finds (docs §11.5.3). Python: `least_bound` (one row). -/
def leastBound (xs : Array Int) (wLo wHi : Array Int) (seg : Array Nat) (valid : Array Bool) : Int := Id.run do
  let mut lo : Int := 0
  let mut hi : Int := 0
  let mut has : Bool := false
  for j in List.range xs.size do
    if valid[j]! then
      lo := if has then intMin lo (xs[j]!) else xs[j]!
      hi := if has then intMax hi (xs[j]!) else xs[j]!
      has := true
  let mut bot : Int := lo - 1
  let mut top : Int := hi
  for _ in List.range (bitlen (top - bot).natAbs + 1) do
    if 1 < top - bot then
      let mid : Int := floorDiv (top + bot) 2
      if decide (lambdaSum xs mid wLo wHi seg valid ≤ 0) then
        top := mid
      else
        bot := mid
  return top

/-- Is `x` one of `xs`? -/
def natMem (xs : Array Nat) (x : Nat) : Bool := Id.run do
  let mut hit : Bool := false
  for y in xs do
    if y == x then
      hit := true
  return hit

/-- `0, 1, …, n−1`. -/
def natRange (n : Nat) : Array Nat := Id.run do
  let mut out : Array Nat := #[]
  for j in List.range n do
    out := out.push j
  return out

/-- `n` copies of `true`. -/
def allTrue (n : Nat) : Array Bool := Id.run do
  let mut out : Array Bool := #[]
  for _ in List.range n do
    out := out.push true
  return out

/-! ## The query side -/

/-- Python: `CaseRule.query`. -/
def caseQuery (rule : CaseRule) (c : IndCaseSpec) : IndQuery := Id.run do
  let n : Nat := rule.n
  let mut r : Array Nat := #[]
  let mut tok : Array Nat := #[]
  let mut pos : Array Nat := #[]
  let mut seg : Array Nat := #[]
  let mut known : Array Bool := #[]
  for j in List.range n do
    seg := seg.push tok.size
    let ts : Array Nat := match c.known[j]! with
      | some t => #[t]
      | none => c.tokens
    for t in ts do
      tok := tok.push t
      pos := pos.push j
      r := r.push (caseCol n t j)
      known := known.push ((c.known[j]!).isSome)
  let row : Nat := caseCol n c.q (n - 1)
  return { r := r, tok := tok, pos := pos, seg := seg, wLo := r.map (fun x => at2 rule.ct.W1lo row x),
           wHi := r.map (fun x => at2 rule.ct.W1hi row x), known := known, ans := #[], ansByCol := #[] }

/-- `(Z̄, Ḡ_{n−1})` `[V]` at precision FC: the direct path's difference `c − a` and the same plus the query
position's value difference, each the query token's own term plus the least bound of the query row's
average. Python: `CaseRule.direct`. -/
def caseDirect (rule : CaseRule) (c : IndCaseSpec) (q : IndQuery) : Array Int × Array Int := Id.run do
  let ct : IndCaseTables := rule.ct
  let a : Nat := c.a
  let own : Nat := caseCol rule.n c.q (rule.n - 1)
  let valid : Array Bool := allTrue q.r.size
  let mut z : Array Int := #[]
  let mut g : Array Int := #[]
  for k in List.range rule.V do
    let zrow : Array Int := q.r.map (fun x => at3 ct.zv a x k + 1)
    let grow : Array Int := q.r.map (fun x => at3 ct.zv a x k + 1 + at3 ct.yv a x k + 1)
    z := z.push (at3 ct.ze a own k + 1 + leastBound zrow q.wLo q.wHi q.seg valid)
    g := g.push (at3 ct.ze a own k + at3 ct.ye a own k + 2 + leastBound grow q.wLo q.wHi q.seg valid)
  return (z, g)

/-- `Ȳ_{i+1}` `[V]`, and the query with `ans` set: for every query component an upper bound of −(its score
against the answer's key `r1[i+1]`), both least bounds of the answer row's average (its known positions and
the free ones below `i`; a component at a free position fixes the token there). Python: `CaseRule.answer`. -/
def caseAnswer (rule : CaseRule) (c : IndCaseSpec) (q : IndQuery) : Array Int × IndQuery := Id.run do
  let ct : IndCaseTables := rule.ct
  let n : Nat := rule.n
  let row : Nat := caseCol n c.a (c.i + 1)
  let mut cols : Array Nat := #[]
  let mut seg : Array Nat := #[]
  for l in List.range (c.i + 1) do
    seg := seg.push cols.size
    match c.known[l]! with
    | some t => cols := cols.push (caseCol n t l)
    | none =>
      for t in c.tokens do
        cols := cols.push (caseCol n t l)
  cols := cols.push row
  seg := seg.push (cols.size - 1)
  let wLo : Array Int := cols.map (fun x => at2 ct.W1lo row x)
  let wHi : Array Int := cols.map (fun x => at2 ct.W1hi row x)
  let mut ans : Array Int := #[]
  let mut ansByCol : Array Int := #[]
  for _ in List.range ct.N do
    ansByCol := ansByCol.push 0
  for e in List.range q.r.size do
    let xs : Array Int := cols.map (fun x => -(at3 ct.PV c.q (q.r[e]!) x))
    let valid : Array Bool := cols.map (fun (x : Nat) =>
      !(x % n == q.pos[e]! && !(q.known[e]!)) || x / n == q.tok[e]!)
    let v : Int := -(at3 ct.PE c.q (q.r[e]!) row) + leastBound xs wLo wHi seg valid
    ans := ans.push v
    ansByCol := ansByCol.set! (q.r[e]!) v
  let allValid : Array Bool := allTrue cols.size
  let mut y : Array Int := #[]
  for k in List.range rule.V do
    let xs : Array Int := cols.map (fun x => at3 ct.yv c.a x k + 1)
    y := y.push (at3 ct.ye c.a row k + 1 + leastBound xs wLo wHi seg allValid)
  return (y, { q with ans := ans, ansByCol := ansByCol })

/-! ## The keys -/

/-- The free window positions of key `k` (among `k−1`, `k`) and every assignment of distinct allowed tokens
to them (one empty assignment when both are known). Python: `keys.window_positions` and the window
assignments of `key_terms`. -/
def caseWindows (c : IndCaseSpec) (k : Nat) : Array Nat × Array (Array Nat) := Id.run do
  let cand : Array Nat := if k == 0 then #[0] else #[k - 1, k]
  let mut pos : Array Nat := #[]
  for p in cand do
    if (c.known[p]!).isNone then
      pos := pos.push p
  let mut combos : Array (Array Nat) := #[]
  if pos.size == 0 then
    combos := combos.push #[]
  else if pos.size == 1 then
    for t in c.tokens do
      combos := combos.push #[t]
  else
    for t in c.tokens do
      for u in c.tokens do
        if t != u then
          combos := combos.push #[t, u]
  return (pos, combos)

/-- One window of a key's λ-test: `g`, `valid`, `w_lo`, `w_hi` over the query components (grouped as the
key's `seg`), and `Y` `[V]`, upper bounds of `r1[k]`'s value difference `c − a`. Python: one row of
`KeyTerms`. -/
structure KeyWindow where
  g : Array Int
  valid : Array Bool
  wLo : Array Int
  wHi : Array Int
  Y : Array Int
  deriving Inhabited

/-- A key's λ-test per window. Python: `KeyTerms`. -/
structure KeyTerms where
  seg : Array Nat
  windows : Array KeyWindow
  deriving Inhabited

/-- The largest of `f x` over `xs` (0 for none). -/
def maxOver (xs : Array Nat) (f : Nat → Int) : Int := Id.run do
  let mut best : Int := 0
  let mut has : Bool := false
  for x in xs do
    best := if has then intMax best (f x) else f x
    has := true
  return best

/-- The λ-test of key `k` (not the answer's, not `n−1`) per window (docs §11.5.3). Python: `keys.key_terms`
(one case; Python forms sibling cases' together). -/
def caseKey (rule : CaseRule) (c : IndCaseSpec) (q : IndQuery) (k : Nat) : KeyTerms := Id.run do
  let ct : IndCaseTables := rule.ct
  let n : Nat := rule.n
  let (wpos, combos) := caseWindows c k
  let mut free : Array Nat := #[]
  for l in c.free do
    if decide (l < k) && !(natMem wpos l) then
      free := free.push l
  let mut fc : Array Nat := #[]
  for l in free do
    for t in c.tokens do
      fc := fc.push (caseCol n t l)
  let qrow : Nat := caseCol n c.q (n - 1)
  let xmaxPV : Int := rule.xmaxPV[c.q]!
  let xmaxYV : Int := rule.xmaxYV[c.a]!
  -- the largest entry over the free columns, per query component and per logit (a window only picks)
  let mut rMaxByCol : Array Int := #[]
  for _ in List.range ct.N do
    rMaxByCol := rMaxByCol.push 0
  for x in q.r do
    rMaxByCol := rMaxByCol.set! x (maxOver fc (fun col => at3 ct.PV c.q x col))
  let yMax : Array Int := (natRange rule.V).map (fun cc => maxOver fc (fun col => at3 ct.yv c.a col cc))
  let mut seg : Array Nat := #[]
  let mut windows : Array KeyWindow := #[]
  for combo in combos do
    let mut tokAt : Array (Option Nat) := c.known
    for m in List.range wpos.size do
      tokAt := tokAt.set! (wpos[m]!) (some (combo[m]!))
    let mut kn : Array Nat := #[]
    for l in List.range (k + 1) do
      if let some t := tokAt[l]! then
        kn := kn.push (caseCol n t l)
    let row : Nat := caseCol n ((tokAt[k]!).getD 0) k
    let mut wFree : Int := 0
    for l in free do
      wFree := wFree + maxOver c.tokens (fun t => at2 ct.W1hi row (caseCol n t l))
    let mix : MixRow := mkMixRow (kn.map (fun x => at2 ct.W1lo row x)) (kn.map (fun x => at2 ct.W1hi row x)) wFree
    let mut r : Array Nat := #[]
    let mut valid : Array Bool := #[]
    seg := #[]
    for j in List.range n do
      seg := seg.push r.size
      match tokAt[j]! with
      | some t =>
        r := r.push (caseCol n t j)
        valid := valid.push true
      | none =>
        for t in c.tokens do
          r := r.push (caseCol n t j)
          valid := valid.push (!(natMem combo t))
    let mut g : Array Int := #[]
    for x in r do
      let xs : Array Int := kn.map (fun col => at3 ct.PV c.q x col)
      let upper : Int := mix.upper xs xmaxPV (rMaxByCol[x]!)
      g := g.push (at3 ct.PE c.q x row + 1 + upper + q.ansByCol[x]!)
    let mut y : Array Int := #[]
    for cc in List.range rule.V do
      let ys : Array Int := kn.map (fun col => at3 ct.yv c.a col cc)
      y := y.push (at3 ct.ye c.a row cc + 1 + mix.upper ys xmaxYV (yMax[cc]!))
    windows := windows.push { g := g, valid := valid, wLo := r.map (fun x => at2 ct.W1lo qrow x),
                              wHi := r.map (fun x => at2 ct.W1hi qrow x), Y := y }
  return { seg := seg, windows := windows }

/-- One term of the quadratic test: `H`, the weight product's bounds, and `c` (1 on the diagonal, 2 off it).
Python: one entry of `Pairs`. -/
structure PairTerm where
  H : Int
  lo : Int
  hi : Int
  c : Int
  deriving Inhabited

/-- The pairwise terms of the test for the query position as a key (docs §11.5.4), one group per pair of
positions `j ≤ l`: for each token pair an input can hold (two free positions hold distinct tokens),
`H = h(j, l) + h(l, j)` (`j < l`) or `h(j, j)`, with `h(r, r') = PE(r; q at n−1) + PV(r; r') + 2 + ans(r)`,
and `⌊W_lo·W_lo'⌋`, `⌈W_hi·W_hi'⌉` at precision FC. Python: `CaseRule.last_key`. -/
def caseLastKey (rule : CaseRule) (c : IndCaseSpec) (q : IndQuery) : Array (Array PairTerm) := Id.run do
  let ct : IndCaseTables := rule.ct
  let n : Nat := rule.n
  let own : Nat := caseCol n c.q (n - 1)
  let base : Array Int := (natRange q.r.size).map (fun (e : Nat) => at3 ct.PE c.q (q.r[e]!) own + 2 + q.ans[e]!)
  let h : Nat → Nat → Int := fun e f => base[e]! + at3 ct.PV c.q (q.r[e]!) (q.r[f]!)
  let mkTerm : Nat → Nat → Int → Int → PairTerm := fun e f hh cc =>
    { H := hh, lo := shrDown (q.wLo[e]! * q.wLo[f]!) caseFC, hi := shrUp (q.wHi[e]! * q.wHi[f]!) caseFC, c := cc }
  let mut out : Array (Array PairTerm) := #[]
  for j in List.range n do
    for l in List.range n do
      if j ≤ l then
        let mut grp : Array PairTerm := #[]
        for e0 in List.range (segEnd q.seg q.r.size j - q.seg[j]!) do
          let e : Nat := q.seg[j]! + e0
          if j == l then
            grp := grp.push (mkTerm e e (h e e) 1)
          else
            for f0 in List.range (segEnd q.seg q.r.size l - q.seg[l]!) do
              let f : Nat := q.seg[l]! + f0
              if !(q.tok[e]! == q.tok[f]! && !(q.known[e]!) && !(q.known[f]!)) then
                grp := grp.push (mkTerm e f (h e f + h f e) 2)
        if grp.size != 0 then
          out := out.push grp
  return out

/-- `Σ` over position pairs of the max over their token pairs of `max(W_lo·x, W_hi·x)`, `x = H − c·λ`: the
left side of the quadratic λ-test (precision 2FC). Python: `CaseRule.last_key_sum`. -/
def lastKeySum (terms : Array (Array PairTerm)) (lam : Int) : Int := Id.run do
  let mut total : Int := 0
  for grp in terms do
    let mut best : Int := 0
    let mut has : Bool := false
    for t in grp do
      let x : Int := t.H - t.c * lam
      let v : Int := intMax (t.hi * x) (t.lo * x)
      best := if has then intMax best v else v
      has := true
    total := total + best
  return total

/-- `⌈exp(λ·2^−LB)·2^FC⌉` from the checker's enclosure (docs §6). Python: `exp_up`. -/
def expUp (lam : Int) : Except CheckError Int := do
  let b ← expBoundsE (Dy.mk lam (-(Int.ofNat caseLB)))
  return fixUp b.2.m b.2.e caseFC

/-- Everything of a case's tests that does not depend on the claimed bounds. Python: `Parts`. -/
structure CaseParts where
  zBar : Array Int
  gLast : Array Int
  yAns : Array Int
  /-- `(k, its λ-test)` for every key `k < n−1` other than `i+1`, in order -/
  keys : Array (Nat × KeyTerms)
  last : Array (Array PairTerm)
  deriving Inhabited

/-- Python: `case_parts` (and each case's entry of `sibling_parts`, which forms sibling cases together). -/
def caseParts (rule : CaseRule) (c : IndCaseSpec) : CaseParts := Id.run do
  let q0 : IndQuery := caseQuery rule c
  let (zBar, gLast) := caseDirect rule c q0
  let (yAns, q) := caseAnswer rule c q0
  let mut keys : Array (Nat × KeyTerms) := #[]
  for k in List.range (rule.n - 1) do
    if k != c.i + 1 then
      keys := keys.push (k, caseKey rule c q k)
  return { zBar := zBar, gLast := gLast, yAns := yAns, keys := keys, last := caseLastKey rule c q }

/-- For every `c ≠ a` (ascending): `Ḡ_{i+1,c} + Σ_{k≠i+1} ⌈e^{λ_k}⌉·max(0, Ḡ_{k,c})` at precision 2FC, with
`Ḡ_{k,c} = Z̄_c +` the largest `Y` over the key's windows (docs §11.5.6). Python: `totals`. -/
def caseTotals (p : CaseParts) (a : Nat) (lam : Array Int) : Except CheckError (Array (Nat × Int)) := do
  let n : Nat := lam.size
  let mut gBar : Array (Nat × Array Int) := #[]
  for kt in p.keys do
    let mut g : Array Int := #[]
    for cc in List.range p.yAns.size do
      g := g.push (maxOver (natRange kt.2.windows.size) (fun w => p.zBar[cc]! + ((kt.2.windows[w]!).Y)[cc]!))
    gBar := gBar.push (kt.1, g)
  gBar := gBar.push (n - 1, p.gLast)
  let mut e : Array Int := #[]
  for kg in gBar do
    let ek ← expUp (lam[kg.1]!)
    e := e.push ek
  let mut out : Array (Nat × Int) := #[]
  for cc in List.range p.yAns.size do
    if cc != a then
      let mut t : Int := (p.zBar[cc]! + p.yAns[cc]!) * pow2 caseFC
      for j in List.range gBar.size do
        let x : Int := ((gBar[j]!).2)[cc]!
        if 0 < x then
          t := t + e[j]! * x
      out := out.push (cc, t)
  return out

/-- Every key's λ-test with the claimed bounds, then the logit test; the first that fails is named
(`…/lambda[k]`, `…/logit[c]`). Python: `verify(case_parts(rule, case), lam, cid)`. -/
def verifyCase (rule : CaseRule) (c : IndCaseSpec) (lam : Array Int) (cid : String) : Except CheckError Unit := do
  let p : CaseParts := caseParts rule c
  let s : Int := pow2 (caseFC - caseLB)
  let n : Nat := lam.size
  for kt in p.keys do
    let k : Nat := kt.1
    let mut worst : Int := 0
    let mut has : Bool := false
    for w in kt.2.windows do
      let v : Int := lambdaSum w.g (lam[k]! * s) w.wLo w.wHi kt.2.seg w.valid
      worst := if has then intMax worst v else v
      has := true
    if 0 < worst then
      throw (CheckError.claim s!"{cid}/lambda[{k}]"
        s!"key {k}'s score relative to the answer's key can exceed the claimed bound (λ-test)" (toString worst) "≤ 0")
  let total : Int := lastKeySum p.last (lam[n - 1]! * s)
  if 0 < total then
    throw (CheckError.claim s!"{cid}/lambda[{n - 1}]"
      "the query position's score relative to the answer's key can exceed the claimed bound (λ-test)"
      (toString total) "≤ 0")
  let ts ← caseTotals p c.a lam
  for tc in ts do
    if 0 ≤ tc.2 then
      throw (CheckError.claim s!"{cid}/logit[{tc.1}]" s!"logit {tc.1} is not proven below the answer's"
        (toString tc.2) "< 0")

end MechProof
