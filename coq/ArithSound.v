(** The checker's exact dyadic arithmetic (Arith.v) computes what it says: the value [dyR I.to_Z] of a
    sum, difference, product is the real sum, difference, product, and the sign and order tests decide
    the real sign and order. About the checker instance [K]. *)
From Coq Require Import ZArith Reals Lra Lia List.
From MechProof Require Import Int Dval RealSums Arith Statement.
Import ListNotations.

Module ArithSound (I : INT) (Import K : CHECK I).
Local Open Scope R_scope.

Notation dyv := (dyR I.to_Z).

Lemma val_eq (m : I.t) (e : Z) : dyv (m, e) = dval (I.to_Z m) e.
Proof. reflexivity. Qed.

(** [shl x k] is [x·2^k] (k ≥ 0). *)
Lemma to_Z_shl (x : I.t) (k : Z) : (0 <= k)%Z -> I.to_Z (shl x k) = (I.to_Z x * 2 ^ k)%Z.
Proof. intros Hk. unfold shl. rewrite I.spec_shiftl, I.spec_of_Z. apply Z.shiftl_mul_pow2, Hk. Qed.

Lemma val_shl (x : I.t) (e e' : Z) : (e' <= e)%Z -> dval (I.to_Z (shl x (e - e'))) e' = dval (I.to_Z x) e.
Proof. intros H. rewrite to_Z_shl, dval_shift by lia. f_equal. lia. Qed.

Lemma val_add (x y : dy) : dyv (dy_add x y) = dyv x + dyv y.
Proof.
  destruct x as [a e], y as [b f]. unfold dy_add, dyR; simpl.
  destruct (Z.leb_spec e f); simpl; rewrite I.spec_add, dval_add.
  - rewrite val_shl by lia. reflexivity.
  - rewrite val_shl by lia. reflexivity.
Qed.

Lemma val_opp (x : dy) : dyv (dy_opp x) = - dyv x.
Proof. destruct x as [a e]. unfold dy_opp, dyR, dval; simpl. rewrite I.spec_opp, opp_IZR. ring. Qed.

Lemma val_sub (x y : dy) : dyv (dy_sub x y) = dyv x - dyv y.
Proof. unfold dy_sub. rewrite val_add, val_opp. ring. Qed.

Lemma val_mul (x y : dy) : dyv (dy_mul x y) = dyv x * dyv y.
Proof. destruct x as [a e], y as [b f]. unfold dy_mul, dyR; simpl. rewrite I.spec_mul. apply dval_mul. Qed.

Lemma val_zero : dyv dy_zero = 0.
Proof. unfold dy_zero, dyR, dval; simpl. rewrite I.spec_0. ring. Qed.

(** The sign of a dyadic is the sign of its mantissa. *)
Lemma sign_mantissa (m : I.t) (e : Z) : (0 <= dval (I.to_Z m) e <-> (0 <= I.to_Z m)%Z).
Proof.
  unfold dval. pose proof (powerRZ_2_pos e) as Hp. split.
  - intros H. apply le_IZR. nra.
  - intros H. apply IZR_le in H. nra.
Qed.

Lemma dy_nonneg_spec (x : dy) : dy_nonneg x = true <-> 0 <= dyv x.
Proof.
  destruct x as [a e]. unfold dy_nonneg, dyR; simpl. rewrite I.spec_leb, I.spec_0, Z.leb_le.
  symmetry. apply sign_mantissa.
Qed.

Lemma dy_neg_spec (x : dy) : dy_neg x = true <-> dyv x < 0.
Proof.
  destruct x as [a e]. unfold dy_neg, dyR; simpl. rewrite I.spec_ltb, I.spec_0, Z.ltb_lt.
  pose proof (sign_mantissa a e). split; intros H'.
  - destruct (Rlt_le_dec (dval (I.to_Z a) e) 0); [assumption|]. apply H in r. lia.
  - destruct (Z_lt_le_dec (I.to_Z a) 0); [assumption|]. apply H in l. lra.
Qed.

Lemma dy_lt_spec (x y : dy) : dy_lt x y = true <-> dyv x < dyv y.
Proof. unfold dy_lt. rewrite dy_neg_spec, val_sub. lra. Qed.

Lemma dy_le_spec (x y : dy) : dy_le x y = true <-> dyv x <= dyv y.
Proof.
  unfold dy_le. rewrite Bool.negb_true_iff. pose proof (dy_lt_spec y x) as H.
  destruct (dy_lt y x); split; intros H'; try discriminate.
  - exfalso. assert (dyv y < dyv x) by (apply H; reflexivity). lra.
  - destruct (Rle_lt_dec (dyv x) (dyv y)) as [|r]; [assumption|]. apply H in r. discriminate.
  - reflexivity.
Qed.

Lemma val_sum (xs : list dy) : dyv (dy_sum xs) = rsum dyv xs.
Proof.
  unfold dy_sum. rewrite rsum_fold_left.
  assert (H : forall acc, dyv (fold_left dy_add xs acc) = fold_left (fun s x => s + dyv x) xs (dyv acc)).
  { induction xs as [|x xs IH]; intros acc; simpl; [reflexivity|]. rewrite IH, val_add. reflexivity. }
  rewrite H, val_zero. reflexivity.
Qed.

End ArithSound.
