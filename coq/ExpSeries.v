(** The exponential series with a tail bound, from the series that defines Coq's [exp]: for
    [0 <= y <= 1],
    [Σ_{i<=n} y^i/i! <= exp y <= Σ_{i<=n} y^i/i! + 2·y^(n+1)/(n+1)!].
    Used by ExpSound.v for step 3 of docs/certificate.md §6. *)
From Coq Require Import Reals Lra Lia.

Local Open Scope R_scope.

(** [y^i / i!], the [i]-th term of the series of [exp y]. *)
Definition exp_term (y : R) (i : nat) : R := y ^ i / INR (fact i).

Lemma exp_term_0 y : exp_term y 0 = 1.
Proof. unfold exp_term. simpl. field. Qed.

Lemma exp_term_S y i : exp_term y (S i) = exp_term y i * y / INR (S i).
Proof.
  unfold exp_term. rewrite fact_simpl, mult_INR. simpl pow. field.
  split; [apply INR_fact_neq_0 | apply not_0_INR; lia].
Qed.

Lemma exp_term_nonneg y i : 0 <= y -> 0 <= exp_term y i.
Proof.
  intros Hy. unfold exp_term, Rdiv. apply Rmult_le_pos; [now apply pow_le |].
  left. apply Rinv_0_lt_compat, INR_fact_lt_0.
Qed.

(** [E1 y n], the partial sum of Coq's definition of [exp], is [Σ_{i<=n} exp_term y i]. *)
Lemma E1_exp_term y n : E1 y n = sum_f_R0 (exp_term y) n.
Proof. apply sum_eq. intros. unfold exp_term. lra. Qed.

Lemma exp_taylor_lower y n : 0 <= y -> sum_f_R0 (exp_term y) n <= exp y.
Proof.
  intros Hy. rewrite <- E1_exp_term. apply sum_incr; [apply E1_cvg |].
  intros i. rewrite Rmult_comm. now apply exp_term_nonneg.
Qed.

Lemma sum_nonneg_mono (g : nat -> R) m n :
  (forall i, 0 <= g i) -> (m <= n)%nat -> sum_f_R0 g m <= sum_f_R0 g n.
Proof.
  intros Hg Hmn. induction Hmn; [lra |]. rewrite tech5. specialize (Hg (S m0)). lra.
Qed.

Lemma Un_cv_const c : Un_cv (fun _ => c) c.
Proof.
  intros eps Heps. exists 0%nat. intros. unfold R_dist. rewrite Rminus_diag_eq, Rabs_R0; lra.
Qed.

(** The tail [Σ_{i>n} y^i/i!] is at most [2·y^(n+1)/(n+1)!]: [V k = Σ_{i<=k} y^i/i! + 2·y^(k+1)/(k+1)!]
    does not increase with [k] (each next term is at most half the last, as [y <= 1]) and bounds every
    partial sum from above, hence their limit [exp y]. §6 states the condition as [y <= 1/2]. *)
Lemma exp_taylor_upper y n :
  0 <= y <= 1 -> exp y <= sum_f_R0 (exp_term y) n + 2 * exp_term y (S n).
Proof.
  intros Hy.
  set (V k := sum_f_R0 (exp_term y) k + 2 * exp_term y (S k)).
  assert (Hg : forall i, 0 <= exp_term y i) by (intros; now apply exp_term_nonneg).
  assert (Hdec : forall k, V (S k) <= V k).
  { intros k. unfold V. rewrite tech5, (exp_term_S y (S k)).
    pose proof (Hg (S k)) as Ht.
    assert (H2 : 2 <= INR (S (S k))) by (rewrite !S_INR; pose proof (pos_INR k); lra).
    assert (exp_term y (S k) * y / INR (S (S k)) <= exp_term y (S k) / 2).
    { unfold Rdiv. rewrite Rmult_assoc. apply Rmult_le_compat_l; [exact Ht |].
      apply Rle_trans with (1 * / INR (S (S k))).
      - apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat; lra | lra].
      - rewrite Rmult_1_l. apply Rinv_le_contravar; lra. }
    lra. }
  assert (Hmono : forall k m, (k <= m)%nat -> V m <= V k).
  { intros k m Hkm. induction Hkm; [lra |]. specialize (Hdec m). lra. }
  assert (Hle : forall m, E1 y m <= V n).
  { intros m. rewrite E1_exp_term.
    destruct (le_lt_dec m n) as [Hmn | Hnm].
    - apply Rle_trans with (sum_f_R0 (exp_term y) n); [now apply sum_nonneg_mono |].
      unfold V. specialize (Hg (S n)). lra.
    - apply Rle_trans with (V m); [| apply Hmono; lia].
      unfold V. specialize (Hg (S m)). lra. }
  exact (Rle_cv_lim Hle (E1_cvg y) (Un_cv_const (V n))).
Qed.

(** [Σ_{j<i} g j]: the running sum of the Taylor loop, empty at [i = 0]. *)
Fixpoint sum_below (g : nat -> R) (i : nat) : R :=
  match i with O => 0 | S j => sum_below g j + g j end.

Lemma sum_below_S g n : sum_below g (S n) = sum_f_R0 g n.
Proof. induction n; simpl in *; [lra | rewrite <- IHn; reflexivity]. Qed.
