(** Exact integers for the checker, abstracted so that one checker serves two instances:
    [ZInt] (Coq's binary [Z]; the soundness theorem is stated for it and rests on no axiom of
    integers) and [BigInt] (Bignums' [BigZ] on primitive 63-bit machine words, about 100 times
    faster under [vm_compute]; its specification rests on the [Uint63] axioms of Coq's primitive
    integers). Every checker function is a functor over [INT]; every proof reasons through
    [to_Z] and the [spec_*] equations. *)
From Coq Require Import ZArith.
From Bignums Require Import BigZ.

Module Type INT.
  Parameter t : Type.
  Parameter to_Z : t -> Z.
  Parameter of_Z : Z -> t.
  Parameter zero one : t.
  Parameter add sub mul div shiftl shiftr : t -> t -> t.
  Parameter opp abs log2 : t -> t.
  Parameter compare : t -> t -> comparison.
  Parameter eqb ltb leb : t -> t -> bool.
  Parameter spec_of_Z : forall x, to_Z (of_Z x) = x.
  Parameter spec_0 : to_Z zero = 0%Z.
  Parameter spec_1 : to_Z one = 1%Z.
  Parameter spec_add : forall x y, to_Z (add x y) = (to_Z x + to_Z y)%Z.
  Parameter spec_sub : forall x y, to_Z (sub x y) = (to_Z x - to_Z y)%Z.
  Parameter spec_mul : forall x y, to_Z (mul x y) = (to_Z x * to_Z y)%Z.
  Parameter spec_div : forall x y, to_Z (div x y) = (to_Z x / to_Z y)%Z.
  Parameter spec_shiftl : forall x p, to_Z (shiftl x p) = Z.shiftl (to_Z x) (to_Z p).
  Parameter spec_shiftr : forall x p, to_Z (shiftr x p) = Z.shiftr (to_Z x) (to_Z p).
  Parameter spec_opp : forall x, to_Z (opp x) = (- to_Z x)%Z.
  Parameter spec_abs : forall x, to_Z (abs x) = Z.abs (to_Z x).
  Parameter spec_log2 : forall x, to_Z (log2 x) = Z.log2 (to_Z x).
  Parameter spec_compare : forall x y, compare x y = (to_Z x ?= to_Z y)%Z.
  Parameter spec_eqb : forall x y, eqb x y = (to_Z x =? to_Z y)%Z.
  Parameter spec_ltb : forall x y, ltb x y = (to_Z x <? to_Z y)%Z.
  Parameter spec_leb : forall x y, leb x y = (to_Z x <=? to_Z y)%Z.
End INT.

Module BigInt <: INT := BigZ.

Module ZInt <: INT.
  Definition t := Z.
  Definition to_Z (x : t) : Z := x.
  Definition of_Z (x : Z) : t := x.
  Definition zero : t := 0%Z.
  Definition one : t := 1%Z.
  Definition add := Z.add. Definition sub := Z.sub. Definition mul := Z.mul. Definition div := Z.div.
  Definition shiftl := Z.shiftl. Definition shiftr := Z.shiftr.
  Definition opp := Z.opp. Definition abs := Z.abs. Definition log2 := Z.log2.
  Definition compare := Z.compare. Definition eqb := Z.eqb. Definition ltb := Z.ltb. Definition leb := Z.leb.
  Lemma spec_of_Z x : to_Z (of_Z x) = x. Proof. reflexivity. Qed.
  Lemma spec_0 : to_Z zero = 0%Z. Proof. reflexivity. Qed.
  Lemma spec_1 : to_Z one = 1%Z. Proof. reflexivity. Qed.
  Lemma spec_add x y : to_Z (add x y) = (to_Z x + to_Z y)%Z. Proof. reflexivity. Qed.
  Lemma spec_sub x y : to_Z (sub x y) = (to_Z x - to_Z y)%Z. Proof. reflexivity. Qed.
  Lemma spec_mul x y : to_Z (mul x y) = (to_Z x * to_Z y)%Z. Proof. reflexivity. Qed.
  Lemma spec_div x y : to_Z (div x y) = (to_Z x / to_Z y)%Z. Proof. reflexivity. Qed.
  Lemma spec_shiftl x p : to_Z (shiftl x p) = Z.shiftl (to_Z x) (to_Z p). Proof. reflexivity. Qed.
  Lemma spec_shiftr x p : to_Z (shiftr x p) = Z.shiftr (to_Z x) (to_Z p). Proof. reflexivity. Qed.
  Lemma spec_opp x : to_Z (opp x) = (- to_Z x)%Z. Proof. reflexivity. Qed.
  Lemma spec_abs x : to_Z (abs x) = Z.abs (to_Z x). Proof. reflexivity. Qed.
  Lemma spec_log2 x : to_Z (log2 x) = Z.log2 (to_Z x). Proof. reflexivity. Qed.
  Lemma spec_compare x y : compare x y = (to_Z x ?= to_Z y)%Z. Proof. reflexivity. Qed.
  Lemma spec_eqb x y : eqb x y = (to_Z x =? to_Z y)%Z. Proof. reflexivity. Qed.
  Lemma spec_ltb x y : ltb x y = (to_Z x <? to_Z y)%Z. Proof. reflexivity. Qed.
  Lemma spec_leb x y : leb x y = (to_Z x <=? to_Z y)%Z. Proof. reflexivity. Qed.
End ZInt.

