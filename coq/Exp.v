(** The exp enclosure of docs/certificate.md §6, as the checkers compute it.

    [exp_bounds a f] returns dyadics [((lo_m, lo_e), (hi_m, hi_e))] with
    [lo_m·2^lo_e <= exp(a·2^f) <= hi_m·2^hi_e] (proven in ExpSound.v). It agrees output for output with
    [exp_bounds] of python/mechproof/checker/arith.py and [expBounds] of lean/MechProof/Exp.lean
    (tests/test_coq_exp.py). Mantissas are exact integers [I.t]; exponents are small and plain [Z].
    Each definition below is one step of §6, in the spec's order. *)
From Coq Require Import ZArith.
From MechProof Require Import Int.

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

(** [⌊x/d⌋] and [⌈x/d⌉] for [d > 0]. *)
Definition floor_div (x d : I.t) : I.t := I.div x d.
Definition ceil_div (x d : I.t) : I.t := I.opp (I.div (I.opp x) d).

(** Step 0: [a = 0] or [bitlen(|a|) + f <= 12]. *)
Definition exp_in_range (a : I.t) (f : Z) : bool :=
  I.eqb a I.zero || (bitlen (I.abs a) + f <=? max_log2)%Z.

(** Step 2: the number of squarings [s = max(0, bitlen(b) + f + 4)], so that [y = b·2^(f-s) < 2^-4]. *)
Definition squarings (b : I.t) (f : Z) : Z := Z.max 0 (bitlen b + f + 4).

(** Step 2: [⌊b·2^h⌋] with [rnd = floor_div], [⌈b·2^h⌉] with [rnd = ceil_div] (exact when [h >= 0]). *)
Definition scale (rnd : I.t -> I.t -> I.t) (b : I.t) (h : Z) : I.t :=
  if (0 <=? h)%Z then I.mul b (pow2 h) else rnd b (pow2 (- h)).

(** Step 3: [taylor rnd Y i = (Σ_{j<i} t_j, t_i)] where [t_0 = 2^Q] and
    [t_i = rnd (t_{i-1}·Y) (i·2^Q)]: with [floor_div] and [Y_lo] the [tl_i], with [ceil_div] and
    [Y_hi] the [th_i]. *)
Fixpoint taylor (rnd : I.t -> I.t -> I.t) (Y : I.t) (i : nat) : I.t * I.t :=
  match i with
  | O => (I.zero, pow2 Q)
  | S j =>
      let '(sum, t) := taylor rnd Y j in
      (I.add sum t, rnd (I.mul t Y) (I.mul (I.of_Z (Z.of_nat i)) (pow2 Q)))
  end.

(** Step 4: [down(m, e)] and [up(m, e)] cut [m] to [P] bits, rounding down resp. up. *)
Definition down (m : I.t) (e : Z) : I.t * Z :=
  let k := (bitlen m - P)%Z in
  if (0 <? k)%Z then (floor_div m (pow2 k), e + k)%Z else (m, e).
Definition up (m : I.t) (e : Z) : I.t * Z :=
  let k := (bitlen m - P)%Z in
  if (0 <? k)%Z then (ceil_div m (pow2 k), e + k)%Z else (m, e).

(** Step 4: one squaring of each end. *)
Definition square_down (d : I.t * Z) : I.t * Z := let '(m, e) := d in down (I.mul m m) (2 * e).
Definition square_up (d : I.t * Z) : I.t * Z := let '(m, e) := d in up (I.mul m m) (2 * e).

(** Step 5, for [a < 0]: [exp(x) = 1/exp(|x|)], with numerators [2^L], [L = bitlen(m) + P]. *)
Definition recip_down (d : I.t * Z) : I.t * Z :=
  let '(m, e) := d in let L := (bitlen m + P)%Z in (floor_div (pow2 L) m, - L - e)%Z.
Definition recip_up (d : I.t * Z) : I.t * Z :=
  let '(m, e) := d in let L := (bitlen m + P)%Z in (ceil_div (pow2 L) m, - L - e)%Z.

(** Steps 1-5 of §6 for [x = a·2^f]. *)
Definition exp_bounds (a : I.t) (f : Z) : (I.t * Z) * (I.t * Z) :=
  (* step 1 *)
  if I.eqb a I.zero then ((I.one, 0%Z), (I.one, 0%Z)) else
  (* step 2 *)
  let b := I.abs a in
  let s := squarings b f in
  let h := (f - s + Q)%Z in
  let Y_lo := scale floor_div b h in
  let Y_hi := scale ceil_div b h in
  (* step 3: S_lo = Σ_{i<=N} tl_i, S_hi = Σ_{i<=N} th_i + 2·th_{N+1} *)
  let '(S_lo, _) := taylor floor_div Y_lo (S N) in
  let '(sum_hi, th) := taylor ceil_div Y_hi (S N) in
  let S_hi := I.add sum_hi (I.mul (I.of_Z 2) th) in
  (* step 4 *)
  let lo := Nat.iter (Z.to_nat s) square_down (S_lo, (- Q)%Z) in
  let hi := Nat.iter (Z.to_nat s) square_up (S_hi, (- Q)%Z) in
  (* step 5 *)
  if I.ltb I.zero a then (lo, hi) else (recip_down hi, recip_up lo).

End Exp.
