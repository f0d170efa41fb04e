(** The logit difference as a weighted mean, and what decides its sign (docs §8 "Why"; coq-plan
    lemmas 1 and 2).

    The attention weights are a_p = w_p / Σ_r w_r with w_p = exp(s_p) > 0. A logit is
    ℓ_j = e_j + Σ_p a_p·g_j(p), where e_j does not depend on the position (the query's own path,
    EUPU[q, j]) and g_j(p) does (EVOU[t_p, j] + PVOU[p, j]). Because Σ_p a_p = 1, the difference
    ℓ_j − ℓ_m is Σ_p a_p·N_p with N_p = (e_j − e_m) + (g_j(p) − g_m(p)), the N_{p,j} of docs §8
    ([logit_diff_mean]); and as Σ_r w_r > 0 it equals (Σ_p w_p·N_p) / Σ_r w_r, so its sign is the
    sign of Σ_p w_p·N_p ([logit_lt_iff], [logit_ge_iff]): the input rule and the cubic test
    work with the unnormalised weights only.

    Also: a common positive factor of all weights changes no sign ([common_factor_lt_0], used where all
    tokens of an input are equal and tok is taken as [1, 1]), nor the normalised weights; and the
    weight of a score that is a sum factors ([exp_score_mul], [exp_score_div]):
    exp((EQKE[q,t] + EQKP[q,p])·r) = exp(EQKE[q,t]·r)·exp(EQKP[q,p]·r). *)
From Coq Require Import Reals Lra List.
From MechProof Require Import RealSums.
Import ListNotations.
Local Open Scope R_scope.

(** ** Scaling by a positive number keeps the sign *)

Lemma scale_pos_lt_0 (c y : R) : 0 < c -> (c * y < 0 <-> y < 0).
Proof.
  intros Hc. split; intros H.
  - destruct (Rlt_or_le y 0) as [Hy|Hy]; [exact Hy|].
    pose proof (Rmult_le_pos c y (Rlt_le _ _ Hc) Hy). lra.
  - rewrite <- (Rmult_0_r c). now apply Rmult_lt_compat_l.
Qed.

Lemma scale_pos_ge_0 (c y : R) : 0 < c -> (0 <= c * y <-> 0 <= y).
Proof.
  intros Hc. split; intros H.
  - destruct (Rle_or_lt 0 y) as [Hy|Hy]; [exact Hy|].
    pose proof (proj2 (scale_pos_lt_0 c y Hc) Hy). lra.
  - apply Rmult_le_pos; lra.
Qed.

Lemma div_pos_lt_0 (y W : R) : 0 < W -> (y / W < 0 <-> y < 0).
Proof.
  intros HW. unfold Rdiv. rewrite Rmult_comm. apply scale_pos_lt_0. now apply Rinv_0_lt_compat.
Qed.

Lemma div_pos_ge_0 (y W : R) : 0 < W -> (0 <= y / W <-> 0 <= y).
Proof.
  intros HW. unfold Rdiv. rewrite Rmult_comm. apply scale_pos_ge_0. now apply Rinv_0_lt_compat.
Qed.

Section WeightedMean.
Context {P : Type}.
Implicit Types (w a x : P -> R) (l : list P).

(** ** Normalised weights *)

(** The normalised weights a_p = w_p / Σ w sum to 1, and are positive with the w_p. *)
Lemma normalised_sum_1 w l : rsum w l <> 0 -> rsum (fun p => w p / rsum w l) l = 1.
Proof. intros H. rewrite rsum_div. field. exact H. Qed.

Lemma normalised_pos w l p :
  l <> [] -> (forall r, In r l -> 0 < w r) -> In p l -> 0 < w p / rsum w l.
Proof.
  intros Hne Hw Hp. apply Rdiv_lt_0_compat; [now apply Hw | now apply rsum_pos].
Qed.

(** The mean with normalised weights is the weighted sum divided by the total weight. *)
Lemma weighted_mean w x l :
  rsum w l <> 0 -> rsum (fun p => w p / rsum w l * x p) l = rsum (fun p => w p * x p) l / rsum w l.
Proof.
  intros H. rewrite <- rsum_div. apply rsum_ext. intros p. field. exact H.
Qed.

(** ** The logit difference *)

(** A term that does not depend on the position enters a mean whose weights sum to 1 unchanged. *)
Lemma const_into_mean a x l (c : R) :
  rsum a l = 1 -> c + rsum (fun p => a p * x p) l = rsum (fun p => a p * (c + x p)) l.
Proof.
  intros H. transitivity (c * rsum a l + rsum (fun p => a p * x p) l); [rewrite H; ring|].
  rewrite <- rsum_scal_l, <- rsum_plus. apply rsum_ext. intros p. ring.
Qed.

(** ℓ_j − ℓ_m = Σ_p a_p·N_p, with N_p = (e_j − e_m) + (g_j(p) − g_m(p)), for weights summing to 1. *)
Lemma logit_diff_mean a l (e_j e_m : R) (g_j g_m : P -> R) :
  rsum a l = 1 ->
  (e_j + rsum (fun p => a p * g_j p) l) - (e_m + rsum (fun p => a p * g_m p) l)
  = rsum (fun p => a p * ((e_j - e_m) + (g_j p - g_m p))) l.
Proof.
  intros H. pose proof (const_into_mean a (fun p => g_j p - g_m p) l (e_j - e_m) H) as C.
  cbv beta in C. rewrite <- C.
  assert (E : rsum (fun p => a p * (g_j p - g_m p)) l
              = rsum (fun p => a p * g_j p) l - rsum (fun p => a p * g_m p) l).
  { rewrite <- rsum_minus. apply rsum_ext. intros p. ring. }
  rewrite E. ring.
Qed.

(** With a_p = w_p / Σ w for positive w_p: ℓ_j − ℓ_m = (Σ_p w_p·N_p) / Σ_p w_p. *)
Lemma logit_diff_weighted w l (e_j e_m : R) (g_j g_m : P -> R) :
  l <> [] -> (forall p, In p l -> 0 < w p) ->
  (e_j + rsum (fun p => w p / rsum w l * g_j p) l) - (e_m + rsum (fun p => w p / rsum w l * g_m p) l)
  = rsum (fun p => w p * ((e_j - e_m) + (g_j p - g_m p))) l / rsum w l.
Proof.
  intros Hne Hw. assert (HW : 0 < rsum w l) by now apply rsum_pos.
  rewrite (logit_diff_mean (fun p => w p / rsum w l)) by (apply normalised_sum_1; lra).
  apply weighted_mean. lra.
Qed.

(** The sign of the logit difference is the sign of Σ_p w_p·N_p: ℓ_j < ℓ_m (the model prefers m to
    j) iff Σ_p w_p·N_p < 0, and ℓ_j ≥ ℓ_m iff Σ_p w_p·N_p ≥ 0. *)
Lemma logit_lt_iff w l (e_j e_m : R) (g_j g_m : P -> R) :
  l <> [] -> (forall p, In p l -> 0 < w p) ->
  (e_j + rsum (fun p => w p / rsum w l * g_j p) l < e_m + rsum (fun p => w p / rsum w l * g_m p) l
   <-> rsum (fun p => w p * ((e_j - e_m) + (g_j p - g_m p))) l < 0).
Proof.
  intros Hne Hw. pose proof (logit_diff_weighted w l e_j e_m g_j g_m Hne Hw) as E.
  rewrite <- (div_pos_lt_0 _ _ (rsum_pos w l Hne Hw)), <- E. split; intros; lra.
Qed.

Lemma logit_ge_iff w l (e_j e_m : R) (g_j g_m : P -> R) :
  l <> [] -> (forall p, In p l -> 0 < w p) ->
  (e_m + rsum (fun p => w p / rsum w l * g_m p) l <= e_j + rsum (fun p => w p / rsum w l * g_j p) l
   <-> 0 <= rsum (fun p => w p * ((e_j - e_m) + (g_j p - g_m p))) l).
Proof.
  intros Hne Hw. pose proof (logit_diff_weighted w l e_j e_m g_j g_m Hne Hw) as E.
  rewrite <- (div_pos_ge_0 _ _ (rsum_pos w l Hne Hw)), <- E. split; intros; lra.
Qed.

(** ** A common positive factor of all weights *)

Lemma common_factor_sum (c : R) w v x l :
  (forall p, In p l -> w p = c * v p) ->
  rsum (fun p => w p * x p) l = c * rsum (fun p => v p * x p) l.
Proof.
  intros H. rewrite <- rsum_scal_l. apply rsum_ext_in. intros p Hp. rewrite (H p Hp). ring.
Qed.

Lemma common_factor_lt_0 (c : R) w v x l :
  0 < c -> (forall p, In p l -> w p = c * v p) ->
  (rsum (fun p => w p * x p) l < 0 <-> rsum (fun p => v p * x p) l < 0).
Proof. intros Hc H. rewrite (common_factor_sum c w v x l H). now apply scale_pos_lt_0. Qed.

Lemma common_factor_ge_0 (c : R) w v x l :
  0 < c -> (forall p, In p l -> w p = c * v p) ->
  (0 <= rsum (fun p => w p * x p) l <-> 0 <= rsum (fun p => v p * x p) l).
Proof. intros Hc H. rewrite (common_factor_sum c w v x l H). now apply scale_pos_ge_0. Qed.

(** The normalised weights do not see the factor either. *)
Lemma common_factor_normalised (c : R) w v l p :
  0 < c -> rsum v l <> 0 -> (forall r, In r l -> w r = c * v r) -> In p l ->
  w p / rsum w l = v p / rsum v l.
Proof.
  intros Hc Hv H Hp.
  assert (E : rsum w l = c * rsum v l).
  { rewrite <- rsum_scal_l. apply rsum_ext_in. exact H. }
  rewrite E, (H p Hp). field. lra.
Qed.

End WeightedMean.

(** ** Exponential weights *)

(** The total weight of exponentials over a non-empty list is positive. *)
Lemma exp_sum_pos {P : Type} (s : P -> R) (l : list P) : l <> [] -> 0 < rsum (fun p => exp (s p)) l.
Proof. intros Hne. apply rsum_pos; [exact Hne | intros p _; apply exp_pos]. Qed.

(** A score that is a sum of two parts, scaled by r (or divided by s), gives a product of two weights:
    w_p = exp((EQKE[q,t_p] + EQKP[q,p])/√d) = exp(EQKE[q,t_p]/√d)·exp(EQKP[q,p]/√d). *)
Lemma exp_score_mul (x y r : R) : exp ((x + y) * r) = exp (x * r) * exp (y * r).
Proof. rewrite <- exp_plus. f_equal. ring. Qed.

Lemma exp_score_div (x y s : R) : exp ((x + y) / s) = exp (x / s) * exp (y / s).
Proof. unfold Rdiv. apply exp_score_mul. Qed.
