(** The matrices of docs/certificate.md §2 as real numbers of the model, and the model's scores and logits
    written with them (coq-plan lemmas 1 and 2, the real half: MatricesSound.v proves that the checker's
    exact integer matrices denote these reals).

    Each matrix is defined as the checker forms it (Matrices.v), product by product, with Model.v's
    [entry] and [sum]: Ẽ = W_E + W_pos[n−1], EtQ = Ẽ·W_Q, EtQK = EtQ·W_Kᵀ, EQKE = EtQK·W_Eᵀ,
    EQKP = EtQK·W_posᵀ, VO = W_V·W_O, OVU = VO·W_U, EUPU = Ẽ·W_U, EVOU = W_E·OVU, PVOU = W_pos·OVU.

    For an input x with query token q = t_{n−1}:
    - [score_eq]: score_p = (EQKE[q, t_p] + EQKP[q, p]) / √d_head;
    - [logit_eq]: ℓ_j = EUPU[q, j] + Σ_p a_p·(EVOU[t_p, j] + PVOU[p, j]);
    - [logit_lt_weighted], [logit_ge_weighted]: with w_p = exp(score_p) and the N_{p,j} of docs §8
      ([Ncoef]), ℓ_j < ℓ_m iff Σ_p w_p·N_{p,j} < 0 and ℓ_m ≤ ℓ_j iff Σ_p w_p·N_{p,j} ≥ 0. *)
From Coq Require Import Reals Lra List Morphisms Setoid.
From MechProof Require Import RealSums Softmax Model.
Import ListNotations.
Local Open Scope R_scope.

(** Model.v's [sum] is [rsum] over [seq]. *)
Lemma sum_rsum (k : nat) (f : nat -> R) : sum k f = rsum f (seq 0 k).
Proof. apply (rsum_seq_rec sum); reflexivity. Qed.

(** c·Σ_a f(a) = Σ_a c·f(a) *)
Lemma rsum_mul_r {A : Type} (c : R) (f : A -> R) (l : list A) : c * rsum f l = rsum (fun a => c * f a) l.
Proof. symmetry. apply rsum_scal_l. Qed.

(** Σ_a f(a)·c = Σ_a f(a)·c *)
Lemma rsum_mul_l {A : Type} (c : R) (f : A -> R) (l : list A) : rsum f l * c = rsum (fun a => f a * c) l.
Proof. symmetry. apply rsum_scal_r. Qed.

(** [rsum] respects pointwise equality of the summand, so that [setoid_rewrite] rewrites under the
    binders of nested sums (no functional extensionality). *)
#[export] Instance rsum_proper {A : Type} : Proper (pointwise_relation A eq ==> eq ==> eq) (@rsum A).
Proof. intros f g H l l' <-. apply rsum_ext. exact H. Qed.

(** Every [sum] as [rsum], products of sums multiplied out into nested sums. *)
Ltac expand_sums :=
  repeat setoid_rewrite sum_rsum; repeat (setoid_rewrite rsum_mul_l || setoid_rewrite rsum_mul_r).

Section Matrices.
Variable W : weights.

Local Notation V := (d_vocab (cfg W)).
Local Notation n := (n_ctx (cfg W)).
Local Notation dm := (d_model (cfg W)).
Local Notation dh := (d_head (cfg W)).

(** The weights as real matrices (W_E: V × d_model, W_pos: n × d_model, W_Q, W_K, W_V: d_model × d_head,
    W_O: d_head × d_model, W_U: d_model × V). *)
Definition wE (t k : nat) : R := entry (W_E W) dm t k.
Definition wP (p k : nat) : R := entry (W_pos W) dm p k.
Definition wQ (k h : nat) : R := entry (W_Q W) dh k h.
Definition wK (k h : nat) : R := entry (W_K W) dh k h.
Definition wV (k h : nat) : R := entry (W_V W) dh k h.
Definition wO (h i : nat) : R := entry (W_O W) dm h i.
Definition wU (i j : nat) : R := entry (W_U W) V i j.

(** Ẽ = W_E + W_pos[n−1] *)
Definition Et (q i : nat) : R := wE q i + wP (n - 1) i.
Definition EtQ (q h : nat) : R := sum dm (fun i => Et q i * wQ i h).
Definition EtQK (q k : nat) : R := sum dh (fun h => EtQ q h * wK k h).
Definition EQKE (q t : nat) : R := sum dm (fun k => EtQK q k * wE t k).
Definition EQKP (q p : nat) : R := sum dm (fun k => EtQK q k * wP p k).
Definition VO (k i : nat) : R := sum dh (fun h => wV k h * wO h i).
Definition OVU (k j : nat) : R := sum dm (fun i => VO k i * wU i j).
Definition EUPU (q j : nat) : R := sum dm (fun i => Et q i * wU i j).
Definition EVOU (t j : nat) : R := sum dm (fun k => wE t k * OVU k j).
Definition PVOU (p j : nat) : R := sum dm (fun k => wP p k * OVU k j).

(** N_{p,j} of docs §8 for input x and max token m:
    (EUPU[q, j] − EUPU[q, m]) + ((EVOU[t_p, j] + PVOU[p, j]) − (EVOU[t_p, m] + PVOU[p, m])). *)
Definition Ncoef (x m j p : nat) : R :=
  (EUPU (token W x (n - 1)) j - EUPU (token W x (n - 1)) m) +
  ((EVOU (token W x p) j + PVOU p j) - (EVOU (token W x p) m + PVOU p m)).

(** The residual stream read at the query position is row q of Ẽ. *)
Lemma resid_query (x i : nat) : resid W x (n - 1) i = Et (token W x (n - 1)) i.
Proof. reflexivity. Qed.

(** score_p = (EQKE[q, t_p] + EQKP[q, p]) / √d_head *)
Theorem score_eq (x p : nat) :
  score W x p = (EQKE (token W x (n - 1)) (token W x p) + EQKP (token W x (n - 1)) p) / sqrt (INR dh).
Proof.
  unfold score, EQKE, EQKP, EtQK, EtQ, query, key. f_equal.
  repeat setoid_rewrite sum_rsum. rewrite <- rsum_plus.
  (* Σ_h A_h·(Σ_k r_k K_kh) = Σ_k Σ_h A_h·r_k·K_kh *)
  setoid_rewrite rsum_mul_r. rewrite rsum_swap.
  apply rsum_ext. intros k. rewrite <- !rsum_scal_r, <- rsum_plus. apply rsum_ext. intros h.
  unfold resid, Et, wE, wP, wK, wQ. set (S := rsum _ _). ring.
Qed.

(** Σ_i (x_p W_V W_O)[i]·W_U[i, j] = EVOU[t_p, j] + PVOU[p, j] *)
Lemma head_out_U (x p j : nat) :
  rsum (fun i => head_out W x p i * wU i j) (seq 0 dm) = EVOU (token W x p) j + PVOU p j.
Proof.
  (* both sides as Σ_k Σ_i Σ_h r_k·V_kh·O_hi·U_ij, r = E[t_p] + P[p] *)
  transitivity (rsum (fun k => rsum (fun i => rsum (fun h =>
      resid W x p k * wV k h * wO h i * wU i j) (seq 0 dh)) (seq 0 dm)) (seq 0 dm)).
  - rewrite rsum_swap. apply rsum_ext. intros i. unfold head_out, value.
    rewrite sum_rsum, <- rsum_scal_r. setoid_rewrite sum_rsum.
    setoid_rewrite <- rsum_scal_r. setoid_rewrite <- rsum_scal_r. rewrite rsum_swap.
    apply rsum_ext. intros k. apply rsum_ext. intros h. unfold wV, wO. ring.
  - unfold EVOU, PVOU, OVU, VO. rewrite !sum_rsum, <- rsum_plus. apply rsum_ext. intros k.
    rewrite !sum_rsum, <- !rsum_scal_l, <- rsum_plus. apply rsum_ext. intros i.
    rewrite !sum_rsum, <- !rsum_scal_r, <- !rsum_scal_l, <- rsum_plus. apply rsum_ext. intros h.
    unfold resid, wE, wP. ring.
Qed.

(** ℓ_j = EUPU[q, j] + Σ_p a_p·(EVOU[t_p, j] + PVOU[p, j]) *)
Theorem logit_eq (x j : nat) :
  logit W x j = EUPU (token W x (n - 1)) j +
                rsum (fun p => attention W x p * (EVOU (token W x p) j + PVOU p j)) (seq 0 n).
Proof.
  unfold logit, stream. rewrite sum_rsum. setoid_rewrite Rmult_plus_distr_r. rewrite rsum_plus. f_equal.
  - unfold EUPU. rewrite sum_rsum. apply rsum_ext. intros i. reflexivity.
  - transitivity (rsum (fun p => rsum (fun i => attention W x p * (head_out W x p i * wU i j)) (seq 0 dm)) (seq 0 n)).
    + rewrite rsum_swap. apply rsum_ext. intros i. rewrite sum_rsum, <- rsum_scal_r.
      apply rsum_ext. intros p. unfold wU. ring.
    + apply rsum_ext. intros p. rewrite <- head_out_U, <- rsum_scal_l. reflexivity.
Qed.

(** The weights w_p = exp(score_p) and their total, over the positions 0..n−1. *)
Definition wexp (x p : nat) : R := exp (score W x p).

Lemma attention_wexp (x p : nat) : attention W x p = wexp x p / rsum (wexp x) (seq 0 n).
Proof. unfold attention, wexp. rewrite sum_rsum. reflexivity. Qed.

Lemma logit_weighted (x j : nat) :
  logit W x j = EUPU (token W x (n - 1)) j +
                rsum (fun p => wexp x p / rsum (wexp x) (seq 0 n) * (EVOU (token W x p) j + PVOU p j)) (seq 0 n).
Proof.
  rewrite logit_eq. f_equal. apply rsum_ext. intros p. now rewrite attention_wexp.
Qed.

(** The sign of ℓ_j − ℓ_m is the sign of Σ_p w_p·N_{p,j} (n ≥ 1): the model prefers m to j … *)
Theorem logit_lt_weighted (x m j : nat) :
  (1 <= n)%nat ->
  (logit W x j < logit W x m <-> rsum (fun p => wexp x p * Ncoef x m j p) (seq 0 n) < 0).
Proof.
  intros Hn. rewrite !logit_weighted. unfold Ncoef.
  apply (logit_lt_iff (wexp x) (seq 0 n) _ _ (fun p => EVOU (token W x p) j + PVOU p j)
                      (fun p => EVOU (token W x p) m + PVOU p m)).
  - destruct n; [inversion Hn | discriminate].
  - intros p _. apply exp_pos.
Qed.

(** … and does not prefer m to j (a tie included) iff the sum is ≥ 0. *)
Theorem logit_ge_weighted (x m j : nat) :
  (1 <= n)%nat ->
  (logit W x m <= logit W x j <-> 0 <= rsum (fun p => wexp x p * Ncoef x m j p) (seq 0 n)).
Proof.
  intros Hn. rewrite !logit_weighted. unfold Ncoef.
  apply (logit_ge_iff (wexp x) (seq 0 n) _ _ (fun p => EVOU (token W x p) j + PVOU p j)
                      (fun p => EVOU (token W x p) m + PVOU p m)).
  - destruct n; [inversion Hn | discriminate].
  - intros p _. apply exp_pos.
Qed.

(** The weight factors: w_p = exp(EQKE[q, t_p]/√d)·exp(EQKP[q, p]/√d). *)
Theorem wexp_factor (x p : nat) :
  wexp x p = exp (EQKE (token W x (n - 1)) (token W x p) / sqrt (INR dh)) *
             exp (EQKP (token W x (n - 1)) p / sqrt (INR dh)).
Proof. unfold wexp. rewrite score_eq. apply exp_score_div. Qed.

End Matrices.
