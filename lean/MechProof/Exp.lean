import MechProof.Arith
import MechProof.Failures

/-!
# The exp enclosure `exp_bounds` (docs/certificate.md §6)

Mirrors the second half of `python/mechproof/checker/arith.py` (`EXP_P`, `EXP_Q`, `EXP_N`,
`exp_bounds`, whose squaring loop inlines `normDown` and `normUp`). Every step is an integer operation
with an explicit floor (`floorDiv`) or ceiling (`ceilDiv`); the divisors are positive.

Why it is an enclosure: with `y = |x|·2^(-s) < 2^(-4)`, the Taylor terms `tl_i ≤ y^i/i!·2^Q ≤ th_i`
(by induction, rounding down resp. up), the tail beyond term `N` is at most `2·y^(N+1)/(N+1)!`
because `y ≤ 1/2`, so `S_lo·2^(-Q) ≤ exp(y) ≤ S_hi·2^(-Q)`. Squaring `s` times gives
`exp(|x|) = exp(y)^(2^s)`; `normDown` only lowers and `normUp` only raises a non-negative value.
For `x < 0`, `exp(x) = 1/exp(|x|)`, and with `L = bitlen(hi.m) + P`,
`⌊2^L/hi.m⌋·2^(-L-hi.e) ≤ 1/hi ≤ 1/exp(|x|)` (likewise upwards with `lo` and `L′ = bitlen(lo.m) + P`).
-/

set_option autoImplicit false

namespace MechProof

/-- Mantissa bits kept while squaring (docs §6: P). -/
def expP : Nat := 100
/-- Fixed-point fraction bits of the Taylor series (docs §6: Q). -/
def expQ : Nat := 128
/-- Taylor terms (docs §6: N). -/
def expN : Nat := 24

/-- `(m, e)` with `m ≥ 0` cut down to at most `P` bits, rounding down. Python: inline in `_exp_bounds`'s squaring loop. -/
def normDown (m e : Int) : Dy :=
  let k : Int := Int.ofNat (bitlen m.natAbs) - Int.ofNat expP
  if 0 < k then Dy.mk (floorDiv m (pow2 k.toNat)) (e + k) else Dy.mk m e

/-- `(m, e)` with `m ≥ 0` cut down to at most `P` bits, rounding up. Python: inline in `_exp_bounds`'s squaring loop. -/
def normUp (m e : Int) : Dy :=
  let k : Int := Int.ofNat (bitlen m.natAbs) - Int.ofNat expP
  if 0 < k then Dy.mk (ceilDiv m (pow2 k.toNat)) (e + k) else Dy.mk m e

/-- Dyadics `lo ≤ exp(x) ≤ hi`, by argument halving, a Taylor series with a tail bound, and
squaring (docs §6, steps 1–5). Python: `exp_bounds`. -/
def expBounds (x : Dy) : Dy × Dy := Id.run do
  let a : Int := x.m
  let f : Int := x.e
  -- step 1
  if a == 0 then
    return (Dy.mk 1 0, Dy.mk 1 0)
  -- step 2: y = b·2^(f-s) < 2^-4
  let b : Int := Int.ofNat a.natAbs
  let s0 : Int := Int.ofNat (bitlen a.natAbs) + f + 4
  let s : Int := if 0 < s0 then s0 else 0
  let h : Int := f - s + Int.ofNat expQ
  let yLo : Int := if 0 ≤ h then b * pow2 h.toNat else floorDiv b (pow2 (-h).toNat)
  let yHi : Int := if 0 ≤ h then b * pow2 h.toNat else ceilDiv b (pow2 (-h).toNat)
  -- step 3: Taylor series at fixed point 2^-Q; add terms 0..N, leave tl, th at term N+1
  let one : Int := pow2 expQ
  let mut tl : Int := one
  let mut th : Int := one
  let mut sLo : Int := 0
  let mut sHi : Int := 0
  for i0 in List.range (expN + 1) do
    let i : Int := Int.ofNat (i0 + 1)
    sLo := sLo + tl
    sHi := sHi + th
    tl := floorDiv (tl * yLo) (i * one)
    th := ceilDiv (th * yHi) (i * one)
  sHi := sHi + 2 * th
  -- step 4: square s times
  let mut lo : Dy := Dy.mk sLo (-(Int.ofNat expQ))
  let mut hi : Dy := Dy.mk sHi (-(Int.ofNat expQ))
  for _ in List.range s.toNat do
    lo := normDown (lo.m * lo.m) (2 * lo.e)
    hi := normUp (hi.m * hi.m) (2 * hi.e)
  -- step 5: exp(x) = 1/exp(|x|); numerators 2^L with L = bitlen + P keep at least P quotient bits
  if 0 < a then
    return (lo, hi)
  let lHi : Nat := bitlen hi.m.natAbs + expP
  let lLo : Nat := bitlen lo.m.natAbs + expP
  return (Dy.mk (floorDiv (pow2 lHi) hi.m) (-(Int.ofNat lHi) - hi.e),
          Dy.mk (ceilDiv (pow2 lLo) lo.m) (-(Int.ofNat lLo) - lo.e))

/-- Largest `log2 |x|` accepted as an exp argument (docs §6, step 0; §10). Python: `EXP_MAX_LOG2`. -/
def expMaxLog2 : Int := 12

/-- `|x| < 2^12`, checked as `bitlen |m| + e ≤ 12` (0 is in range). Python: `exp_in_range`. -/
def expInRange (x : Dy) : Bool :=
  x.m == 0 || decide (Int.ofNat (bitlen x.m.natAbs) + x.e ≤ expMaxLog2)

/-- `expBounds` behind the range check of docs §6 step 0: an argument out of range is a limit of docs §10, so
the certificate is malformed input (field `exp argument`, exit 2), not a false claim. Python: `exp_bounds`, which
raises the same `InputError`. -/
def expBoundsE (x : Dy) : Except CheckError (Dy × Dy) :=
  if expInRange x then Except.ok (expBounds x)
  else Except.error (CheckError.input InputFile.certificate "exp argument"
    s!"{dyStr x} is outside the limit |x| < 2^12 (docs §10)")

end MechProof
