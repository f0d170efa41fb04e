(** The exp enclosure of docs/certificate.md §6, as the checkers compute it.

    [exp_bounds a f] returns dyadics [((lo_m, lo_e), (hi_m, hi_e))] with
    [lo_m·2^lo_e <= exp(a·2^f) <= hi_m·2^hi_e] (proven in ExpSound.v). It agrees output for output with
    [exp_bounds] of python/mechproof/checker/arith.py and [expBounds] of lean/MechProof/Exp.lean
    (tests/test_coq_exp.py). Mantissas are exact integers [I.t]; exponents are small and plain [Z].
    Each definition below is one step of §6, in the spec's order. *)
From Coq Require Import ZArith.
From MechProof Require Import Int.

(** A rounding direction: towards the lower end of an enclosure, or the upper. Outside the functor, so
    that every instance of [Exp] has the same directions. *)
Inductive dir := Down | Up.

Module Exp (I : INT).

(** Constants of §6: mantissa bits kept while squaring, fixed-point fraction bits of the Taylor
    series, and the index of the last Taylor term. *)
Definition P : Z := 100.
Definition Q : Z := 128.
Definition N : nat := 24.

(** Largest [log2 |x|] accepted (§6 step 0, §10). *)
Definition max_log2 : Z := 12.

(** [2^k] for [k >= 0]. *)
Definition pow2 (k : Z) : I.t := I.shiftl I.one (I.of_Z k).

(** Number of binary digits of [b > 0]. *)
Definition bitlen (b : I.t) : Z := I.to_Z (I.log2 b) + 1.

(** Rounding in direction [d]: [⌊x/y⌋] and [⌈x/y⌉] for [y > 0], and [⌊x/2^k⌋] and [⌈x/2^k⌉] for [k >= 0]
    (by shifts: the same numbers as dividing by [pow2 k], and much faster under [vm_compute]). *)
Definition div_r (d : dir) (x y : I.t) : I.t :=
  match d with Down => I.div x y | Up => I.opp (I.div (I.opp x) y) end.

Definition shift_r (d : dir) (x : I.t) (k : Z) : I.t :=
  match d with Down => I.shiftr x (I.of_Z k) | Up => I.opp (I.shiftr (I.opp x) (I.of_Z k)) end.

(** Step 0: [a = 0] or [bitlen(|a|) + f <= 12]. *)
Definition exp_in_range (a : I.t) (f : Z) : bool :=
  I.eqb a I.zero || (bitlen (I.abs a) + f <=? max_log2)%Z.

(** Step 2: the number of squarings [s = max(0, bitlen(b) + f + 4)], so that [y = b·2^(f-s) < 2^-4]. *)
Definition squarings (b : I.t) (f : Z) : Z := Z.max 0 (bitlen b + f + 4).

(** Step 2: [Y_lo = ⌊b·2^h⌋] ([d = Down]) and [Y_hi = ⌈b·2^h⌉] ([d = Up]), exact when [h >= 0]. *)
Definition scale (d : dir) (b : I.t) (h : Z) : I.t :=
  if (0 <=? h)%Z then I.mul b (pow2 h) else shift_r d b (- h).

(** Step 3: [taylor d Y i = (Σ_{j<i} t_j, t_i)] where [t_0 = 2^Q] and [t_i = t_{i-1}·Y / (i·2^Q)] rounded
    in direction [d]: with [Down] and [Y_lo] the [tl_i], with [Up] and [Y_hi] the [th_i]. The quotient is
    taken as [⌊⌊X/2^Q⌋/i⌋] resp. [⌈⌈X/2^Q⌉/i⌉], the same number as the spec's for [i > 0]. *)
Fixpoint taylor (d : dir) (Y : I.t) (i : nat) : I.t * I.t :=
  match i with
  | O => (I.zero, pow2 Q)
  | S j =>
      let '(sum, t) := taylor d Y j in
      (I.add sum t, div_r d (shift_r d (I.mul t Y) Q) (I.of_Z (Z.of_nat i)))
  end.

(** Step 4: [down(m, e)] ([d = Down]) and [up(m, e)] ([d = Up]) cut [m] to [P] bits. *)
Definition cut (d : dir) (m : I.t) (e : Z) : I.t * Z :=
  let k := (bitlen m - P)%Z in
  if (0 <? k)%Z then (shift_r d m k, e + k)%Z else (m, e).

(** Step 4: one squaring, [lo = down(lo.m², 2·lo.e)] resp. [hi = up(hi.m², 2·hi.e)]. *)
Definition square (d : dir) (x : I.t * Z) : I.t * Z :=
  let '(m, e) := x in cut d (I.mul m m) (2 * e).

(** Step 5, for [a < 0]: [exp(x) = 1/exp(|x|)], as [2^L/m · 2^(-L-e)] with [L = bitlen(m) + P], rounded
    down from [hi] ([d = Down]) and up from [lo] ([d = Up]). *)
Definition recip (d : dir) (x : I.t * Z) : I.t * Z :=
  let '(m, e) := x in let L := (bitlen m + P)%Z in (div_r d (pow2 L) m, - L - e)%Z.

(** Steps 1-5 of §6 for [x = a·2^f]. *)
Definition exp_bounds (a : I.t) (f : Z) : (I.t * Z) * (I.t * Z) :=
  (* step 1 *)
  if I.eqb a I.zero then ((I.one, 0%Z), (I.one, 0%Z)) else
  (* step 2 *)
  let b := I.abs a in
  let s := squarings b f in
  let h := (f - s + Q)%Z in
  let Y_lo := scale Down b h in
  let Y_hi := scale Up b h in
  (* step 3: S_lo = Σ_{i<=N} tl_i, S_hi = Σ_{i<=N} th_i + 2·th_{N+1} *)
  let '(S_lo, _) := taylor Down Y_lo (S N) in
  let '(sum_hi, th) := taylor Up Y_hi (S N) in
  let S_hi := I.add sum_hi (I.mul (I.of_Z 2) th) in
  (* step 4 *)
  let lo := Nat.iter (Z.to_nat s) (square Down) (S_lo, (- Q)%Z) in
  let hi := Nat.iter (Z.to_nat s) (square Up) (S_hi, (- Q)%Z) in
  (* step 5 *)
  if I.ltb I.zero a then (lo, hi) else (recip Down hi, recip Up lo).

End Exp.

(** What every instance of [Exp] is, definitions and their bodies included: proofs about one given
    instance (the checker's own) take it as a parameter of this type (ExpSound.v's [ExpSoundOf]), so that
    their statements name that instance's constants and no two instances need be compared. *)
Module Type ExpT (I : INT).
  Include Exp I.
End ExpT.
