(** STAND-IN, to be replaced by the real [Exp.v] (with its soundness proof) when it is merged: a direct
    transcription of docs/certificate.md §6 with the interface the checker uses. *)
From Coq Require Import ZArith.
From MechProof Require Import Int.
Local Open Scope Z_scope.

Module Exp (I : INT).
  Definition P : Z := 100.
  Definition Q : Z := 128.
  Definition N : nat := 24.

  (** bitlen(b) for b ≥ 0 (0 for 0). *)
  Definition bitlen (b : I.t) : Z := if I.eqb b I.zero then 0 else I.to_Z (I.log2 b) + 1.
  Definition pow2 (k : Z) : I.t := I.shiftl I.one (I.of_Z k).
  Definition floor_div (a b : I.t) : I.t := I.div a b.
  Definition ceil_div (a b : I.t) : I.t := I.opp (I.div (I.opp a) b).

  (** §6 step 0: bitlen(|a|) + f ≤ 12 (0 is in range). *)
  Definition exp_in_range (a : I.t) (f : Z) : bool :=
    I.eqb a I.zero || (bitlen (I.abs a) + f <=? 12).

  Definition down (m : I.t) (e : Z) : I.t * Z :=
    let k := bitlen m - P in if 0 <? k then (floor_div m (pow2 k), e + k) else (m, e).
  Definition up (m : I.t) (e : Z) : I.t * Z :=
    let k := bitlen m - P in if 0 <? k then (ceil_div m (pow2 k), e + k) else (m, e).

  Fixpoint taylor (i : nat) (k : Z) (ylo yhi tl th slo shi : I.t) : I.t * I.t :=
    match i with
    | O => (slo, I.add shi (I.mul (I.of_Z 2) th))
    | S i' =>
      let den := I.mul (I.of_Z k) (pow2 Q) in
      taylor i' (k + 1) ylo yhi (floor_div (I.mul tl ylo) den) (ceil_div (I.mul th yhi) den)
        (I.add slo tl) (I.add shi th)
    end.

  Definition exp_bounds (a : I.t) (f : Z) : (I.t * Z) * (I.t * Z) :=
    if I.eqb a I.zero then ((I.one, 0), (I.one, 0)) else
    let b := I.abs a in
    let s := Z.max 0 (bitlen b + f + 4) in
    let h := f - s + Q in
    let ylo := if 0 <=? h then I.mul b (pow2 h) else floor_div b (pow2 (- h)) in
    let yhi := if 0 <=? h then I.mul b (pow2 h) else ceil_div b (pow2 (- h)) in
    let sums := taylor (S N) 1 ylo yhi (pow2 Q) (pow2 Q) I.zero I.zero in
    let sq := Z.iter s (fun lh : (I.t * Z) * (I.t * Z) =>
                let (lo, hi) := lh in
                (down (I.mul (fst lo) (fst lo)) (2 * snd lo), up (I.mul (fst hi) (fst hi)) (2 * snd hi)))
              ((fst sums, - Q), (snd sums, - Q)) in
    let (lo, hi) := sq in
    if I.ltb I.zero a then (lo, hi) else
    let lhi := bitlen (fst hi) + P in
    let llo := bitlen (fst lo) + P in
    ((floor_div (pow2 lhi) (fst hi), - lhi - snd hi), (ceil_div (pow2 llo) (fst lo), - llo - snd lo)).
End Exp.
