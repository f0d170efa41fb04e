(** The real number a dyadic stands for: a mantissa [m] and a power-of-two exponent [e] denote
    [m * 2^e]. Every statement that links the checker's integers to the model's reals goes through
    [dval]. *)
From Coq Require Import ZArith Reals Lra Lia.

Definition dval (m e : Z) : R := IZR m * powerRZ 2 e.

Lemma powerRZ_2_pos (e : Z) : (0 < powerRZ 2 e)%R.
Proof. apply powerRZ_lt; lra. Qed.

Lemma powerRZ_2_add (a b : Z) : powerRZ 2 (a + b) = (powerRZ 2 a * powerRZ 2 b)%R.
Proof. apply powerRZ_add; lra. Qed.

(** Exact powers of two, products, and rounding a mantissa down or up by a power of two. *)
Lemma IZR_pow2 (k : Z) : (0 <= k)%Z -> IZR (2 ^ k) = powerRZ 2 k.
Proof.
  intros Hk. rewrite <- (Z2Nat.id k Hk), <- pow_IZR, pow_powerRZ. reflexivity.
Qed.

Lemma dval_pos (m e : Z) : (0 < m)%Z -> (0 < dval m e)%R.
Proof.
  intros Hm. apply Rmult_lt_0_compat; [now apply IZR_lt | apply powerRZ_2_pos].
Qed.

Lemma dval_nonneg (m e : Z) : (0 <= m)%Z -> (0 <= dval m e)%R.
Proof.
  intros Hm. apply Rmult_le_pos; [now apply IZR_le | left; apply powerRZ_2_pos].
Qed.

Lemma dval_mul (m1 e1 m2 e2 : Z) : dval (m1 * m2) (e1 + e2) = (dval m1 e1 * dval m2 e2)%R.
Proof. unfold dval. rewrite mult_IZR, powerRZ_2_add. ring. Qed.

(** [dval m e] with the power [2^k] moved from the exponent into the mantissa, for [k >= 0]. *)
Lemma dval_shift (m e k : Z) : (0 <= k)%Z -> dval (m * 2 ^ k) e = dval m (e + k).
Proof. intros Hk. unfold dval. rewrite mult_IZR, IZR_pow2, powerRZ_2_add by exact Hk. ring. Qed.

Lemma IZR_floor_div (x d : Z) : (0 < d)%Z -> (IZR (x / d) * IZR d <= IZR x)%R.
Proof.
  intros Hd. rewrite <- mult_IZR. apply IZR_le. rewrite Z.mul_comm. now apply Z.mul_div_le.
Qed.

Lemma IZR_ceil_div (x d : Z) : (0 < d)%Z -> (IZR x <= IZR (- (- x / d)) * IZR d)%R.
Proof.
  intros Hd. rewrite <- mult_IZR. apply IZR_le. pose proof (Z.mul_div_le (- x) d Hd). lia.
Qed.

(** Cutting [k >= 0] low bits off the mantissa, rounding down resp. up. *)
Lemma dval_floor_shift (m e k : Z) : (0 <= k)%Z -> (dval (m / 2 ^ k) (e + k) <= dval m e)%R.
Proof.
  intros Hk. pose proof (IZR_floor_div m (2 ^ k) (Z.pow_pos_nonneg 2 k ltac:(lia) Hk)) as H.
  unfold dval. rewrite powerRZ_2_add, <- (IZR_pow2 k Hk).
  pose proof (powerRZ_2_pos e). rewrite (Rmult_comm (powerRZ 2 e)), <- Rmult_assoc.
  now apply Rmult_le_compat_r; [lra |].
Qed.

Lemma dval_ceil_shift (m e k : Z) : (0 <= k)%Z -> (dval m e <= dval (- (- m / 2 ^ k)) (e + k))%R.
Proof.
  intros Hk. pose proof (IZR_ceil_div m (2 ^ k) (Z.pow_pos_nonneg 2 k ltac:(lia) Hk)) as H.
  unfold dval. rewrite powerRZ_2_add, <- (IZR_pow2 k Hk).
  pose proof (powerRZ_2_pos e). rewrite (Rmult_comm (powerRZ 2 e)), <- Rmult_assoc.
  now apply Rmult_le_compat_r; [lra |].
Qed.

Lemma dval_add (m1 m2 e : Z) : dval (m1 + m2) e = (dval m1 e + dval m2 e)%R.
Proof. unfold dval. rewrite plus_IZR. ring. Qed.
