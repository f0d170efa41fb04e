(** What the checker's exact dyadic arithmetic ([Arith.v]) computes, as real numbers: [val (m, e)] is
    [m·2^e] ([Arith.dyR I.to_Z]), and every operation is exact (docs §4.3, §4.4: "exact dyadic
    arithmetic"). Proven through [I.to_Z] and the [spec_*] equations, about the checker instance [K]. *)
From Coq Require Import ZArith Reals Lra Lia List.
From MechProof Require Import Int Dval Arith Statement.
Import ListNotations.
Local Open Scope R_scope.

Module DyadicSound (I : INT) (Import K : CHECK I).

  Definition val (x : dy) : R := dyR I.to_Z x.

  Lemma val_eq (m : I.t) (e : Z) : val (m, e) = dval (I.to_Z m) e.
  Proof. reflexivity. Qed.

  (** [shl x k] is [x·2^k] for [k ≥ 0]. *)
  Lemma shl_spec (x : I.t) (k : Z) : (0 <= k)%Z -> I.to_Z (shl x k) = (I.to_Z x * 2 ^ k)%Z.
  Proof. intros Hk. unfold shl. rewrite I.spec_shiftl, I.spec_of_Z. now apply Z.shiftl_mul_pow2. Qed.

  (** A mantissa moved to a smaller exponent keeps its value. *)
  Lemma val_shl (x : I.t) (e f : Z) : (e <= f)%Z -> dval (I.to_Z (shl x (f - e))) e = dval (I.to_Z x) f.
  Proof.
    intros H. rewrite shl_spec by lia. rewrite dval_shift by lia. f_equal. lia.
  Qed.

  Lemma val_zero : val dy_zero = 0.
  Proof. unfold val, dyR, dy_zero, dval. simpl. rewrite I.spec_0. simpl. ring. Qed.

  Lemma val_add (x y : dy) : val (dy_add x y) = val x + val y.
  Proof.
    destruct x as [a e], y as [b f]. unfold dy_add, val, dyR. simpl.
    destruct (Z.leb_spec e f) as [H|H]; simpl; rewrite I.spec_add, dval_add.
    - now rewrite val_shl.
    - rewrite val_shl by lia. reflexivity.
  Qed.

  Lemma val_opp (x : dy) : val (dy_opp x) = - val x.
  Proof. destruct x as [a e]. unfold val, dyR, dy_opp, dval. simpl. rewrite I.spec_opp, opp_IZR. ring. Qed.

  Lemma val_sub (x y : dy) : val (dy_sub x y) = val x - val y.
  Proof. unfold dy_sub. rewrite val_add, val_opp. ring. Qed.

  Lemma val_mul (x y : dy) : val (dy_mul x y) = val x * val y.
  Proof. destruct x as [a e], y as [b f]. unfold val, dyR, dy_mul. simpl. rewrite I.spec_mul. apply dval_mul. Qed.

  Lemma val_sum (xs : list dy) : val (dy_sum xs) = fold_right Rplus 0 (map val xs).
  Proof.
    unfold dy_sum. assert (H : forall acc, val (fold_left dy_add xs acc) = val acc + fold_right Rplus 0 (map val xs)).
    { induction xs as [|x xs IH]; intros acc; simpl; [ring|]. rewrite IH, val_add. ring. }
    rewrite H, val_zero. ring.
  Qed.

  (** Signs read off the mantissa are the signs of the value. *)
  Lemma dval_sign (m e : Z) : ((0 <= m)%Z <-> 0 <= dval m e) /\ ((m < 0)%Z <-> dval m e < 0).
  Proof.
    pose proof (powerRZ_2_pos e). unfold dval. split; split; intros H'.
    - apply Rmult_le_pos; [now apply IZR_le | lra].
    - destruct (Z.le_gt_cases 0 m) as [|Hm]; [assumption|]. apply IZR_lt in Hm.
      assert (0 < (- IZR m) * powerRZ 2 e) by (apply Rmult_lt_0_compat; lra). lra.
    - apply IZR_lt in H'. assert (0 < (- IZR m) * powerRZ 2 e) by (apply Rmult_lt_0_compat; lra). lra.
    - destruct (Z.lt_ge_cases m 0) as [|Hm]; [assumption|]. apply IZR_le in Hm.
      assert (0 <= IZR m * powerRZ 2 e) by (apply Rmult_le_pos; lra). lra.
  Qed.

  Lemma dy_nonneg_iff (x : dy) : dy_nonneg x = true <-> 0 <= val x.
  Proof.
    unfold dy_nonneg, val, dyR. rewrite I.spec_leb, I.spec_0, Z.leb_le. apply dval_sign.
  Qed.

  Lemma dy_nonneg_false (x : dy) : dy_nonneg x = false -> val x < 0.
  Proof.
    intros H. destruct (Rlt_or_le (val x) 0) as [|Hx]; [assumption|].
    apply dy_nonneg_iff in Hx. congruence.
  Qed.

  Lemma dy_neg_iff (x : dy) : dy_neg x = true <-> val x < 0.
  Proof. unfold dy_neg, val, dyR. rewrite I.spec_ltb, I.spec_0, Z.ltb_lt. apply dval_sign. Qed.

  Lemma dy_lt_iff (x y : dy) : dy_lt x y = true <-> val x < val y.
  Proof. unfold dy_lt. rewrite dy_neg_iff, val_sub. lra. Qed.

  Lemma dy_le_iff (x y : dy) : dy_le x y = true <-> val x <= val y.
  Proof.
    unfold dy_le. split.
    - intros H. destruct (Rle_or_lt (val x) (val y)) as [|Hlt]; [assumption|].
      apply dy_lt_iff in Hlt. rewrite Hlt in H. discriminate.
    - intros H. destruct (dy_lt y x) eqn:E; [|reflexivity]. apply dy_lt_iff in E. lra.
  Qed.

  Lemma val_max (x y : dy) : val (dy_max x y) = Rmax (val x) (val y).
  Proof.
    unfold dy_max. destruct (dy_lt x y) eqn:E.
    - apply dy_lt_iff in E. rewrite Rmax_right; lra.
    - rewrite Rmax_left; [reflexivity|]. destruct (Rle_or_lt (val y) (val x)) as [|H]; [assumption|].
      apply dy_lt_iff in H. congruence.
  Qed.

  (** The largest of the list is at least each of its entries. *)
  Lemma fold_max_ge (l : list dy) : forall x,
    val x <= val (fold_left dy_max l x) /\ forall y, In y l -> val y <= val (fold_left dy_max l x).
  Proof.
    induction l as [|z l IH]; intros x; simpl.
    - split; [lra | intros y []].
    - destruct (IH (dy_max x z)) as [H1 H2]. rewrite val_max in H1.
      pose proof (Rmax_l (val x) (val z)). pose proof (Rmax_r (val x) (val z)). split; [lra|].
      intros y [<-|Hy]; [lra | now apply H2].
  Qed.

  (** ** Exponents *)

  Lemma fold_min_exp_le (l : list dy) : forall e,
    (fold_left (fun e y => Z.min e (snd y)) l e <= e)%Z /\
    forall y, In y l -> (fold_left (fun e y => Z.min e (snd y)) l e <= snd y)%Z.
  Proof.
    induction l as [|z l IH]; intros e; simpl.
    - split; [lia | intros y []].
    - destruct (IH (Z.min e (snd z))) as [H1 H2]. split; [lia|]. intros y [<-|Hy]; [lia | now apply H2].
  Qed.

  (** [min_exp xs] is at most the exponent of each entry. *)
  Lemma min_exp_le (xs : list dy) (y : dy) : In y xs -> (min_exp xs <= snd y)%Z.
  Proof.
    destruct xs as [|x l]; [intros []|]. simpl. destruct (fold_min_exp_le l (snd x)) as [H1 H2].
    intros [<-|Hy]; [exact H1 | now apply H2].
  Qed.

  (** A dyadic aligned to an exponent [e] at most its own keeps its value. *)
  Lemma val_aligned (x : dy) (e : Z) : (e <= snd x)%Z -> dval (I.to_Z (shl (fst x) (snd x - e))) e = val x.
  Proof. intros H. destruct x as [a f]. simpl in *. now apply val_shl. Qed.

End DyadicSound.
