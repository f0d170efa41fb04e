import MechProof.Arith
import MechProof.Parse

/-!
# The checker's own exact matrices (docs/certificate.md §2)

Mirrors `python/mechproof/checker/matrices.py` function by function. A matrix is a list of rows of
integers and one power-of-two exponent: entry `(i, j)` is `rows[i][j]·2^e`. Matrix products of the
weight mantissas are exact integers, so nothing here is rounded.
-/

set_option autoImplicit false

namespace MechProof

/-- `rows[i][j]·2^e`. Python: `Mat = tuple[list[list[int]], int]`. -/
structure Mat where
  rows : Array (Array Int)
  e : Int
  deriving Inhabited

/-- A weight tensor as a matrix of its last two axes (the single-head axis of W_Q/W_K/W_V/W_O is
dropped). Python: `tensor(w, name)`. -/
def tensor (t : ExactTensor) : Mat := Id.run do
  let nRows : Nat := t.shape[t.shape.size - 2]!
  let nCols : Nat := t.shape[t.shape.size - 1]!
  let mut out : Array (Array Int) := #[]
  for i in List.range nRows do
    let mut r : Array Int := #[]
    for j in List.range nCols do
      r := r.push (t.mantissas[i * nCols + j]!)
    out := out.push r
  return Mat.mk out t.exponent

def transpose (a : Mat) : Mat := Id.run do
  let nCols : Nat := if a.rows.size == 0 then 0 else (a.rows[0]!).size
  let mut out : Array (Array Int) := #[]
  for j in List.range nCols do
    let mut col : Array Int := #[]
    for row in a.rows do
      col := col.push (row[j]!)
    out := out.push col
  return Mat.mk out a.e

def matmul (a b : Mat) : Mat := Id.run do
  let cols : Array (Array Int) := (transpose b).rows
  let mut out : Array (Array Int) := #[]
  for row in a.rows do
    let mut outRow : Array Int := #[]
    for col in cols do
      let mut s : Int := 0
      let mut k : Nat := 0
      for x in row do
        s := s + x * col[k]!
        k := k + 1
      outRow := outRow.push s
    out := out.push outRow
  return Mat.mk out (a.e + b.e)

/-- `a + row` (broadcast over every row of `a`), at the smaller exponent. -/
def addRow (a : Mat) (row : Array Int) (rowExp : Int) : Mat := Id.run do
  let e : Int := if a.e ≤ rowExp then a.e else rowExp
  let sa : Int := pow2 (a.e - e).toNat
  let sr : Int := pow2 (rowExp - e).toNat
  let mut out : Array (Array Int) := #[]
  for r in a.rows do
    let mut outRow : Array Int := #[]
    let mut k : Nat := 0
    for x in r do
      outRow := outRow.push (x * sa + row[k]! * sr)
      k := k + 1
    out := out.push outRow
  return Mat.mk out e

/-- EUPU, EVOU, PVOU, EQKE and EQKP (docs §2). -/
structure ExactMatrices where
  eupu : Mat
  evou : Mat
  pvou : Mat
  eqke : Mat
  eqkp : Mat
  deriving Inhabited

def exactMatrices (w : ExactWeights) : ExactMatrices :=
  let n : Nat := w.cfg.nCtx
  let mE := tensor w.wE
  let mP := tensor w.wPos
  let mU := tensor w.wU
  let mQ := tensor w.wQ
  let mK := tensor w.wK
  let mV := tensor w.wV
  let mO := tensor w.wO
  -- Ẽ = W_E + W_pos[n-1]
  let et := addRow mE (mP.rows[n - 1]!) mP.e
  let etQK := matmul (matmul et mQ) (transpose mK)
  let ovu := matmul (matmul mV mO) mU
  { eupu := matmul et mU,
    evou := matmul mE ovu,
    pvou := matmul mP ovu,
    eqke := matmul etQK (transpose mE),
    eqkp := matmul etQK (transpose mP) }

/-! ## Helpers of the subcubic checker (docs §7) -/

/-- `(rows, cols)`; `cols` is 0 for a matrix with no rows. -/
def shape (a : Mat) : Nat × Nat :=
  (a.rows.size, if a.rows.size == 0 then 0 else (a.rows[0]!).size)

/-- `a + sign·b` (same shape; like Python's `zip`, extra rows or entries of either are dropped), at
the smaller exponent. Python: `mat_add(a, b, sign)`. -/
def matAdd (a b : Mat) (sign : Int) : Mat := Id.run do
  let e : Int := intMin a.e b.e
  let sa : Int := pow2 (a.e - e).toNat
  let sb : Int := sign * pow2 (b.e - e).toNat
  let mut out : Array (Array Int) := #[]
  for i in List.range (natMin a.rows.size b.rows.size) do
    let ra := a.rows[i]!
    let rb := b.rows[i]!
    let mut o : Array Int := #[]
    for j in List.range (natMin ra.size rb.size) do
      o := o.push (ra[j]! * sa + rb[j]! * sb)
    out := out.push o
  return Mat.mk out e

/-- A `rows × cols` matrix of zeros (exponent 0). -/
def zeros (rows cols : Nat) : Mat := Id.run do
  let mut out : Array (Array Int) := #[]
  for _ in List.range rows do
    let mut r : Array Int := #[]
    for _ in List.range cols do
      r := r.push 0
    out := out.push r
  return Mat.mk out 0

/-- An exact vector: entry `i` is `mant[i]·2^e`. Python: `Vec = tuple[list[int], int]`. -/
structure Vec where
  mant : Array Int
  e : Int
  deriving Inhabited

/-- Row vector times matrix: `v·a`. -/
def vecmat (v : Vec) (a : Mat) : Vec := Id.run do
  let cols : Nat := (shape a).2
  let mut out : Array Int := #[]
  for _ in List.range cols do
    out := out.push 0
  for i in List.range (natMin v.mant.size a.rows.size) do
    let x : Int := v.mant[i]!
    if x != 0 then
      let row := a.rows[i]!
      for j in List.range (natMin cols row.size) do
        out := out.set! j (out[j]! + x * row[j]!)
  return Vec.mk out (v.e + a.e)

/-- `v` at exponent `e ≤ v.e`. -/
def vecRescale (v : Vec) (e : Int) : Vec :=
  let s : Int := pow2 (v.e - e).toNat
  Vec.mk (v.mant.map (fun x => x * s)) e

end MechProof
