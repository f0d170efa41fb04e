import MechProof.Matrices

/-!
# The induction checker's exact tables (docs/certificate.md §11.3)

Mirrors `python/mechproof/tasks/induction/checker/tables.py`: exact integer matrices of the weight mantissas
(`Mat`: rows and one power-of-two exponent), every product exact. Token `t` at position `p` is row `t·n + p`
of every table indexed by a (token, position) pair. Python forms each table on first use; Lean forms them all
in `mkIndTables` (the same values).
-/

set_option autoImplicit false

namespace MechProof

/-- Python: `Tables` (its cached properties as fields). -/
structure IndTables where
  V : Nat
  n : Nat
  /-- `1/√d_head = 2^−k` -/
  k : Nat
  e : Mat
  v : Mat
  S1 : Mat
  qe : Mat
  qv : Mat
  ke : Mat
  kv : Mat
  OVU : Mat
  ye : Mat
  yv : Mat
  ze : Mat
  zv : Mat
  /-- `(qe·keᵀ, qv·keᵀ)` -/
  PE : Mat × Mat
  /-- `(qe·kvᵀ, qv·kvᵀ)` -/
  PV : Mat × Mat
  deriving Inhabited

/-- Row of the pair (token `t`, position `p`). Python: `Tables.tp`. -/
def tp (n t p : Nat) : Nat := t * n + p

/-- `a·2^−k` (exact: only the exponent changes). Python: `_scale`. -/
def scaleMat (a : Mat) (k : Nat) : Mat := Mat.mk a.rows (a.e - Int.ofNat k)

/-- `r0 = W_E[t] + W_pos[p]` for every `(t, p)` (`V·n × d_model`). Python: `Tables.e`. -/
def embedTable (w : ExactWeights) : Mat := Id.run do
  let mE : Mat := tensor w.wE
  let mP : Mat := tensor w.wPos
  let ex : Int := intMin mE.e mP.e
  let se : Int := pow2 (mE.e - ex).toNat
  let sp : Int := pow2 (mP.e - ex).toNat
  let mut rows : Array (Array Int) := #[]
  for t in List.range w.cfg.dVocab do
    for p in List.range w.cfg.nCtx do
      let a : Array Int := mE.rows[t]!
      let b : Array Int := mP.rows[p]!
      let mut row : Array Int := #[]
      for j in List.range a.size do
        row := row.push (a[j]! * se + b[j]! * sp)
      rows := rows.push row
  return Mat.mk rows ex

/-- Every table of docs §11.3. Python: `Tables.__init__` and its cached properties (`v`, `S1`, `qe`, …). -/
def mkIndTables (w : ExactWeights) : IndTables :=
  let k : Nat := (bitlen w.cfg.dHead - 1) / 2
  let q1 : Mat := tensor w.wQ
  let k1 : Mat := tensor w.wK
  let v1 : Mat := tensor w.wV
  let o1 : Mat := tensor w.wO
  let q2 : Mat := tensor (w.layer1[0]!)
  let k2 : Mat := tensor (w.layer1[1]!)
  let v2 : Mat := tensor (w.layer1[2]!)
  let o2 : Mat := tensor (w.layer1[3]!)
  let u : Mat := tensor w.wU
  let e : Mat := embedTable w
  let v : Mat := matmul (matmul e v1) o1
  let s1 : Mat := scaleMat (matmul (matmul e q1) (transpose (matmul e k1))) k
  let qe : Mat := scaleMat (matmul e q2) k
  let qv : Mat := scaleMat (matmul v q2) k
  let ke : Mat := matmul e k2
  let kv : Mat := matmul v k2
  let ovu : Mat := matmul (matmul v2 o2) u
  let keT : Mat := transpose ke
  let kvT : Mat := transpose kv
  { V := w.cfg.dVocab, n := w.cfg.nCtx, k := k, e := e, v := v, S1 := s1, qe := qe, qv := qv, ke := ke,
    kv := kv, OVU := ovu, ye := matmul e ovu, yv := matmul v ovu, ze := matmul e u, zv := matmul v u,
    PE := (matmul qe keT, matmul qv keT), PV := (matmul qe kvT, matmul qv kvT) }

end MechProof
