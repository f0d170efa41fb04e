import MechProof.Arith

/-!
# Fixed-point arithmetic of the induction checker (docs/certificate.md §11.3–11.5)

Mirrors `python/mechproof/tasks/induction/checker/fixed.py` function by function. A fixed-point number at
precision `F` is an integer `X` meaning `X·2^−F`. Every rounding is an explicit floor (`floorDiv`) or ceiling
(`ceilDiv`) by a positive power of two or a positive divisor (Lean's `Int` division rounds otherwise on
negative numbers, so it is never used here); nothing else rounds.
-/

set_option autoImplicit false

namespace MechProof

/-- `⌊m·2^(e+F)⌋`. Python: `down`. -/
def fixDown (m e : Int) (F : Nat) : Int :=
  let s : Int := e + Int.ofNat F
  if 0 ≤ s then m * pow2 s.toNat else floorDiv m (pow2 (-s).toNat)

/-- `⌈m·2^(e+F)⌉`. Python: `up`. -/
def fixUp (m e : Int) (F : Nat) : Int :=
  let s : Int := e + Int.ofNat F
  if 0 ≤ s then m * pow2 s.toNat else ceilDiv m (pow2 (-s).toNat)

/-- `⌊x/2^k⌋`. Python: `shr_down` (`x >> k`, which floors). -/
def shrDown (x : Int) (k : Nat) : Int := floorDiv x (pow2 k)

/-- `⌈x/2^k⌉`. Python: `shr_up`. -/
def shrUp (x : Int) (k : Nat) : Int := ceilDiv x (pow2 k)

/-- `⌊a·2^F/b⌋` for `b > 0`. Python: `div_down`. -/
def divDown (a b : Int) (F : Nat) : Int := floorDiv (a * pow2 F) b

/-- `⌈a·2^F/b⌉` for `b > 0`. Python: `div_up`. -/
def divUp (a b : Int) (F : Nat) : Int := ceilDiv (a * pow2 F) b

/-- An upper bound at precision `F` of `w·x` for every `w ∈ [wLo, wHi]` (`w ≥ 0`). Python: `mul_up`. -/
def mulUp (wLo wHi x : Int) (F : Nat) : Int := shrUp (x * (if 0 ≤ x then wHi else wLo)) F

/-- A lower bound at precision `F` of `w·x` for every `w ∈ [wLo, wHi]`. Python: `mul_down`. -/
def mulDown (wLo wHi x : Int) (F : Nat) : Int := shrDown (x * (if 0 ≤ x then wLo else wHi)) F

end MechProof
