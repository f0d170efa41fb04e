(** Bounding a weighted sum when only intervals of the weights are known (docs §4.2, §4.3, §8;
    coq-plan lemmas 2 and 4).

    - [box_upper], [box_lower]: if lo_p ≤ w_p ≤ hi_p then
        Σ_p N_p·w_p ≤ Σ_p N_p·(hi_p if N_p ≥ 0 else lo_p)   and
        Σ_p N_p·(lo_p if N_p ≥ 0 else hi_p) ≤ Σ_p N_p·w_p.
      With Softmax.v's [logit_lt_iff] / [logit_ge_iff] this is the input rule of §8: up_j < 0 proves
      ℓ_j < ℓ_m ([box_upper_neg]) and lo_j ≥ 0 proves ℓ_j ≥ ℓ_m ([box_lower_nonneg]).
      [dominated_upper] is §8's cheaper test: N_p ≤ U_p and w_p ≥ 0 give Σ N_p w_p ≤ Σ U_p w_p.
    - [prod_interval], [group_upper]: a weight that is a product w = t·s of two enclosed positive
      factors (w_p = tok[q, t_p]·pos[q, p]) lies in [tl·sl, th·sh]; a group of positions that share the
      coefficient u and the factor t (a §4.3 group term) has Σ_p u·t·s_p ≤ u·th·Σ sh_p if u ≥ 0, else
      u·tl·Σ sl_p. [term_upper] with N = U[q,m,k], w = tok[q,k] is §4.4's A_k ≥ U·tok.
    - [score_sel], [exp_score_sel], [exp_enclosed]: for r_lo ≤ r ≤ r_hi (r = 1/√d) a score a·r lies between
      a·r_lo and a·r_hi whatever the sign of a, so with x_lo, x_hi the checker's choice of the two
      (by the sign of a), exp(x_lo) ≤ exp(a·r) ≤ exp(x_hi), and any lo ≤ exp(x_lo), hi ≥ exp(x_hi)
      enclose exp(a·r). [score_between] / [exp_score_between] state the same with min and max.

    The "if N_p ≥ 0" of the checker is a boolean computed on exact dyadics. The lemmas take any boolean
    [b] that tells the sign correctly ([sign_ok b N]: b = true gives N ≥ 0, b = false gives N ≤ 0, so a
    zero may go either way); [sign_ok_dec] supplies it from the real order. *)
From Coq Require Import Reals Lra List.
From MechProof Require Import RealSums.
Import ListNotations.
Local Open Scope R_scope.

(** [b] tells the sign of [N]. *)
Definition sign_ok (b : bool) (N : R) : Prop := if b then 0 <= N else N <= 0.

Lemma sign_ok_dec (N : R) : sign_ok (if Rle_dec 0 N then true else false) N.
Proof. unfold sign_ok. destruct (Rle_dec 0 N); lra. Qed.

(** ** One term *)

Lemma term_upper (b : bool) (N w lo hi : R) :
  sign_ok b N -> lo <= w <= hi -> N * w <= N * (if b then hi else lo).
Proof.
  unfold sign_ok. destruct b; intros HN Hw.
  - apply Rmult_le_compat_l; lra.
  - apply Rmult_le_compat_neg_l; lra.
Qed.

Lemma term_lower (b : bool) (N w lo hi : R) :
  sign_ok b N -> lo <= w <= hi -> N * (if b then lo else hi) <= N * w.
Proof.
  unfold sign_ok. destruct b; intros HN Hw.
  - apply Rmult_le_compat_l; lra.
  - apply Rmult_le_compat_neg_l; lra.
Qed.

Section Box.
Context {P : Type}.
Implicit Types (N U w lo hi : P -> R) (b : P -> bool) (l : list P).

(** ** Sums over a box *)

Lemma box_upper N w lo hi b l :
  (forall p, In p l -> sign_ok (b p) (N p)) -> (forall p, In p l -> lo p <= w p <= hi p) ->
  rsum (fun p => N p * w p) l <= rsum (fun p => N p * (if b p then hi p else lo p)) l.
Proof. intros Hb Hw. apply rsum_le. intros p Hp. apply term_upper; auto. Qed.

Lemma box_lower N w lo hi b l :
  (forall p, In p l -> sign_ok (b p) (N p)) -> (forall p, In p l -> lo p <= w p <= hi p) ->
  rsum (fun p => N p * (if b p then lo p else hi p)) l <= rsum (fun p => N p * w p) l.
Proof. intros Hb Hw. apply rsum_le. intros p Hp. apply term_lower; auto. Qed.

(** The two verdicts of the input rule (docs §8): a negative upper end, a non-negative lower end. *)
Lemma box_upper_neg N w lo hi b l :
  (forall p, In p l -> sign_ok (b p) (N p)) -> (forall p, In p l -> lo p <= w p <= hi p) ->
  rsum (fun p => N p * (if b p then hi p else lo p)) l < 0 -> rsum (fun p => N p * w p) l < 0.
Proof. intros Hb Hw Hup. eapply Rle_lt_trans; [apply box_upper|]; eauto. Qed.

Lemma box_lower_nonneg N w lo hi b l :
  (forall p, In p l -> sign_ok (b p) (N p)) -> (forall p, In p l -> lo p <= w p <= hi p) ->
  0 <= rsum (fun p => N p * (if b p then lo p else hi p)) l -> 0 <= rsum (fun p => N p * w p) l.
Proof. intros Hb Hw Hlo. eapply Rle_trans; [exact Hlo | apply box_lower]; eauto. Qed.

(** The same with the sign decided on the reals. *)
Lemma box_upper_dec N w lo hi l :
  (forall p, In p l -> lo p <= w p <= hi p) ->
  rsum (fun p => N p * w p) l <= rsum (fun p => N p * (if Rle_dec 0 (N p) then hi p else lo p)) l.
Proof.
  intros Hw. apply rsum_le. intros p Hp.
  pose proof (term_upper _ (N p) (w p) (lo p) (hi p) (sign_ok_dec (N p)) (Hw p Hp)) as H.
  now destruct (Rle_dec 0 (N p)).
Qed.

Lemma box_lower_dec N w lo hi l :
  (forall p, In p l -> lo p <= w p <= hi p) ->
  rsum (fun p => N p * (if Rle_dec 0 (N p) then lo p else hi p)) l <= rsum (fun p => N p * w p) l.
Proof.
  intros Hw. apply rsum_le. intros p Hp.
  pose proof (term_lower _ (N p) (w p) (lo p) (hi p) (sign_ok_dec (N p)) (Hw p Hp)) as H.
  now destruct (Rle_dec 0 (N p)).
Qed.

(** A coefficient bounded above by another gives a smaller sum against non-negative weights. *)
Lemma dominated_le N U w l :
  (forall p, In p l -> 0 <= w p) -> (forall p, In p l -> N p <= U p) ->
  rsum (fun p => N p * w p) l <= rsum (fun p => U p * w p) l.
Proof.
  intros Hw HN. apply rsum_le. intros p Hp. apply Rmult_le_compat_r; auto.
Qed.

(** §8's cheaper test: with N_p ≤ U_p and 0 ≤ lo_p ≤ w_p ≤ hi_p, the sum is bounded by the box bound
    of U. *)
Lemma dominated_upper N U w lo hi b l :
  (forall p, In p l -> N p <= U p) -> (forall p, In p l -> sign_ok (b p) (U p)) ->
  (forall p, In p l -> 0 <= lo p) -> (forall p, In p l -> lo p <= w p <= hi p) ->
  rsum (fun p => N p * w p) l <= rsum (fun p => U p * (if b p then hi p else lo p)) l.
Proof.
  intros HN Hb Hlo Hw. eapply Rle_trans; [apply (dominated_le N U) | apply box_upper]; auto.
  intros p Hp. specialize (Hlo p Hp). specialize (Hw p Hp). lra.
Qed.

End Box.

(** ** Products of enclosed factors *)

Lemma prod_interval (t s tl th sl sh : R) :
  0 <= tl -> 0 <= sl -> tl <= t <= th -> sl <= s <= sh -> tl * sl <= t * s <= th * sh.
Proof.
  intros Htl Hsl Ht Hs. split; apply Rmult_le_compat; lra.
Qed.

(** A group of positions [S] sharing the coefficient [u] and the factor [t]: the §4.3 group term
    bounds Σ_{p ∈ S} u·(t·s_p). *)
Lemma group_upper {P : Type} (b : bool) (u t tl th : R) (s sl sh : P -> R) (S : list P) :
  sign_ok b u -> 0 <= tl <= t -> t <= th -> (forall p, In p S -> 0 <= sl p <= s p /\ s p <= sh p) ->
  rsum (fun p => u * (t * s p)) S
  <= (if b then u * th * rsum sh S else u * tl * rsum sl S).
Proof.
  intros Hb Ht Hth Hs.
  replace (rsum (fun p => u * (t * s p)) S) with (u * (t * rsum s S))
    by (rewrite <- !rsum_scal_l; apply rsum_ext; intros; ring).
  assert (Hsl : 0 <= rsum sl S) by (apply rsum_nonneg; intros p Hp; apply Hs, Hp).
  assert (Hlo : rsum sl S <= rsum s S) by (apply rsum_le; intros p Hp; apply Hs, Hp).
  assert (Hhi : rsum s S <= rsum sh S) by (apply rsum_le; intros p Hp; apply Hs, Hp).
  pose proof (prod_interval t (rsum s S) tl th (rsum sl S) (rsum sh S)) as Hprod.
  assert (Hw : tl * rsum sl S <= t * rsum s S <= th * rsum sh S) by (apply Hprod; lra).
  pose proof (term_upper b u _ _ _ Hb Hw) as H. rewrite !Rmult_assoc. now destruct b.
Qed.

(** ** Scores and their exponentials *)

(** exp is monotone. Proven from the series that defines [exp] (the standard library's
    [exp_increasing] rests on the axiom of excluded middle, this does not). *)
Lemma exp_ge_1 (y : R) : 0 <= y -> 1 <= exp y.
Proof.
  intros Hy. replace 1 with (E1 y 0) by (unfold E1; simpl; field).
  apply sum_incr; [apply E1_cvg|]. intros i.
  apply Rmult_le_pos; [left; apply Rinv_0_lt_compat, INR_fact_lt_0 | now apply pow_le].
Qed.

Lemma exp_le (x y : R) : x <= y -> exp x <= exp y.
Proof.
  intros H. replace y with (x + (y - x)) by ring. rewrite exp_plus.
  pose proof (exp_pos x). pose proof (exp_ge_1 (y - x) ltac:(lra)).
  rewrite <- (Rmult_1_r (exp x)) at 1. apply Rmult_le_compat_l; lra.
Qed.

(** The checker's choice: x_lo = a·r_lo and x_hi = a·r_hi when a ≥ 0, swapped otherwise. *)
Lemma score_sel (b : bool) (a r r_lo r_hi : R) :
  sign_ok b a -> r_lo <= r <= r_hi ->
  (if b then a * r_lo else a * r_hi) <= a * r <= (if b then a * r_hi else a * r_lo).
Proof.
  unfold sign_ok. intros Hb Hr. destruct b; split.
  - apply Rmult_le_compat_l; lra.
  - apply Rmult_le_compat_l; lra.
  - apply Rmult_le_compat_neg_l; lra.
  - apply Rmult_le_compat_neg_l; lra.
Qed.

Lemma score_between (a r r_lo r_hi : R) :
  r_lo <= r <= r_hi -> Rmin (a * r_lo) (a * r_hi) <= a * r <= Rmax (a * r_lo) (a * r_hi).
Proof.
  intros Hr. pose proof (score_sel _ a r r_lo r_hi (sign_ok_dec a) Hr) as H.
  destruct (Rle_dec 0 a); split.
  - eapply Rle_trans; [apply Rmin_l | apply H].
  - eapply Rle_trans; [apply H | apply Rmax_r].
  - eapply Rle_trans; [apply Rmin_r | apply H].
  - eapply Rle_trans; [apply H | apply Rmax_l].
Qed.

Lemma exp_score_sel (b : bool) (a r r_lo r_hi : R) :
  sign_ok b a -> r_lo <= r <= r_hi ->
  exp (if b then a * r_lo else a * r_hi) <= exp (a * r) <= exp (if b then a * r_hi else a * r_lo).
Proof. intros Hb Hr. pose proof (score_sel b a r r_lo r_hi Hb Hr). split; apply exp_le; lra. Qed.

Lemma exp_score_between (a r r_lo r_hi : R) :
  r_lo <= r <= r_hi -> exp (Rmin (a * r_lo) (a * r_hi)) <= exp (a * r) <= exp (Rmax (a * r_lo) (a * r_hi)).
Proof. intros Hr. pose proof (score_between a r r_lo r_hi Hr). split; apply exp_le; lra. Qed.

(** An enclosure of exp at the two ends encloses exp everywhere between them (docs §4.2). *)
Lemma exp_enclosed (lo hi x_lo x_hi y : R) :
  lo <= exp x_lo -> exp x_hi <= hi -> x_lo <= y <= x_hi -> lo <= exp y <= hi.
Proof.
  intros Hlo Hhi Hy. pose proof (exp_le x_lo y (proj1 Hy)). pose proof (exp_le y x_hi (proj2 Hy)). lra.
Qed.
