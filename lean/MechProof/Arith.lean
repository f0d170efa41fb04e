/-!
# Exact dyadic arithmetic

Mirrors `python/mechproof/checker/arith.py` function by function (same names in camelCase, same
order), so the two can be read side by side. A dyadic is a pair `(m, e)` of integers with value
`m·2^e`. Everything here is plain `Int`/`Nat` arithmetic; nothing is rounded.

The constants and the exp enclosure of docs/certificate.md §6 live in `MechProof/Exp.lean`.
-/

set_option autoImplicit false

namespace MechProof

/-- A dyadic rational `m·2^e` (Python: the pair `(m, e)`). -/
structure Dy where
  m : Int
  e : Int
  deriving Repr, BEq, Inhabited

/-- Helper of `bitlen`: adds to `n` the number of binary digits of `x`. Each step that does not stop
removes 64, 8 or 1 binary digits of `x` and adds as many to `n`, so there are at most `bitlen x` such
steps; when `fuel` runs out, `x` is then already 0 and `n` is the answer, provided `fuel ≥ bitlen x`
(`bitlen` passes `b` itself, and `bitlen b ≤ b`). Structural recursion on `fuel`. -/
def bitlenAux : Nat → Nat → Nat → Nat
  | 0, _, n => n
  | fuel + 1, x, n =>
    if x == 0 then n
    else if x ≥ 18446744073709551616 then bitlenAux fuel (x / 18446744073709551616) (n + 64)
    else if x ≥ 256 then bitlenAux fuel (x / 256) (n + 8)
    else bitlenAux fuel (x / 2) (n + 1)

/-- Number of binary digits of `b ≥ 0` (0 for 0). Python: `b.bit_length()`. -/
def bitlen (b : Nat) : Nat := bitlenAux b b 0

/-- `2^k` as an integer. Python: `1 << k`. -/
def pow2 (k : Nat) : Int := Int.ofNat (2 ^ k)

/-- `⌊a/b⌋` for `b > 0`, through natural-number division (which floors). Python: `a // b`. -/
def floorDiv (a b : Int) : Int :=
  let d : Nat := b.toNat
  if 0 ≤ a then Int.ofNat (a.toNat / d)
  else -(Int.ofNat ((a.natAbs + d - 1) / d))

/-- `⌈a/b⌉` for `b > 0`. Python: `-((-a) // b)`. -/
def ceilDiv (a b : Int) : Int := -(floorDiv (-a) b)

/-- Exact sum, at the smaller exponent. -/
def dyAdd (x y : Dy) : Dy :=
  if x.e ≤ y.e then Dy.mk (x.m + y.m * pow2 (y.e - x.e).toNat) x.e
  else Dy.mk (x.m * pow2 (x.e - y.e).toNat + y.m) y.e

def dySub (x y : Dy) : Dy := dyAdd x (Dy.mk (-y.m) y.e)

def dyMul (x y : Dy) : Dy := Dy.mk (x.m * y.m) (x.e + y.e)

/-- The sign of `x`: 1, 0 or -1. -/
def dySign (x : Dy) : Int :=
  if 0 < x.m then 1 else if x.m < 0 then -1 else 0

def dyLe (x y : Dy) : Bool := decide (dySign (dySub x y) ≤ 0)

def dyLt (x y : Dy) : Bool := decide (dySign (dySub x y) < 0)

def dyMax (x y : Dy) : Dy := if dyLt x y then y else x

def dySum (xs : Array Dy) : Dy := Id.run do
  let mut total : Dy := Dy.mk 0 0
  for x in xs do
    total := dyAdd total x
  return total

/-- Readable exact value `m·2^e`. (The Python checker appends a 6-digit decimal approximation for
humans; the exact part is the same.) -/
def dyStr (x : Dy) : String := s!"{x.m}·2^{x.e}"

/-! Small helpers with no Python counterpart (Python has `min`, `max`, `abs` built in). -/

def intMin (a b : Int) : Int := if a ≤ b then a else b

def intMax (a b : Int) : Int := if a ≤ b then b else a

def natMin (a b : Nat) : Nat := if a ≤ b then a else b

def intAbs (a : Int) : Int := if a < 0 then -a else a

end MechProof
